"""The `saferforms` command line: a Flask CLI group.

Commands that only read files (`forms check`, `score`) work without a database or keys, so they
are registered on the group itself; the rest need the application and run in its context.
"""

from __future__ import annotations

import importlib
from typing import Any

import click
from flask import Flask
from flask.cli import FlaskGroup, ScriptInfo

from forms_app.config import ConfigError

# (module, attribute) of commands that need no application; missing ones are skipped so that a
# half-built tree still starts, but the test suite checks that every one of them is present.
STANDALONE_COMMANDS = [
    ("forms_app.cli.forms", "forms_group"),
    ("forms_app.cli.score", "score_command"),
]
APP_COMMANDS = [
    ("forms_app.cli.core", "init_command"),
    ("forms_app.cli.core", "serve_command"),
    ("forms_app.cli.core", "worker_command"),
    ("forms_app.cli.keys", "keys_group"),
    ("forms_app.cli.users", "users_group"),
    ("forms_app.cli.audit", "audit_group"),
    ("forms_app.cli.import_persons", "import_group"),
    ("forms_app.cli.dedupe_cli", "dedupe_group"),
    ("forms_app.cli.cases", "cases_group"),
    ("forms_app.cli.jobs", "jobs_group"),
]


def _load(module: str, attribute: str) -> click.Command | None:
    try:
        loaded = importlib.import_module(module)
    except ModuleNotFoundError as error:
        if error.name == module:
            return None
        raise
    command = getattr(loaded, attribute, None)
    return command if isinstance(command, click.Command) else None


def register_commands(app: Flask) -> None:
    for module, attribute in APP_COMMANDS:
        command = _load(module, attribute)
        if command is not None:
            app.cli.add_command(command)


def _create_cli_app(*_: Any) -> Flask:
    from forms_app import create_app

    return create_app(process="cli")


class SaferFormsGroup(FlaskGroup):
    """Flask's command group, with a configuration error in the help shown as one line."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        try:
            ctx.ensure_object(ScriptInfo).load_app()
        except ConfigError as error:
            # Flask would print the traceback here; list the commands that need no application.
            error.show()
            self._load_plugin_commands()
            return sorted(click.Group.list_commands(self, ctx))
        return super().list_commands(ctx)


@click.group(cls=SaferFormsGroup, create_app=_create_cli_app, add_default_commands=False)
def cli() -> None:
    """Safer Forms: secure reporting and referral forms for community safety partnerships."""


for _module, _attribute in STANDALONE_COMMANDS:
    _command = _load(_module, _attribute)
    if _command is not None:
        cli.add_command(_command)


def main() -> None:
    cli(prog_name="saferforms")
