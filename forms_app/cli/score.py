"""`saferforms score FORM ANSWERS.json`: assess answers with a form's scoring block."""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

import click
import yaml

import scoring

SLUG = re.compile(r"[a-z0-9-]+")


def _forms_dir() -> Path:
    return Path(os.environ.get("SAFERFORMS_FORMS_DIR") or "form_definitions")


def _form_path(form: str) -> tuple[Path, bool]:
    """Return the file for FORM, and whether FORM was a slug."""
    path = Path(form)
    if path.suffix in (".yaml", ".yml") or path.exists() or not SLUG.fullmatch(form):
        return path, False
    return _forms_dir() / f"{form}.yaml", True


def _read(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise click.ClickException(f"{what} {path} does not exist") from None
    except IsADirectoryError:
        raise click.ClickException(f"{what} {path} is a folder, not a file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise click.ClickException(f"cannot read {what} {path}: {type(error).__name__}") from None


def _load_form(form: str) -> dict[str, Any]:
    path, by_slug = _form_path(form)
    if by_slug and not path.exists():
        raise click.ClickException(
            f"there is no form {form!r}: no file {path} (set SAFERFORMS_FORMS_DIR to the "
            "folder of form definitions, or give the path to a YAML file)"
        )
    try:
        data = yaml.safe_load(_read(path, "the form file"))
    except yaml.YAMLError as error:
        raise click.ClickException(f"{path} is not valid YAML: {error}") from None
    if not isinstance(data, dict):
        raise click.ClickException(f"{path} is not a form definition: expected a mapping")
    if data.get("scoring") is None:
        raise click.ClickException(
            f"the form in {path} has no scoring block, so it cannot be scored"
        )
    return data


def _load_json(path: str, what: str) -> Any:
    text = _read(Path(path), what)
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        # The message names the place, not the text: answers can hold personal data.
        raise click.ClickException(
            f"{path} is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}"
        ) from None


@click.command("score")
@click.argument("form")
@click.argument("answers_file", metavar="ANSWERS.json")
@click.option(
    "--history", "history_file", metavar="HISTORY.json", help="Earlier reports (a JSON list)."
)
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Assess as on this day (YYYY-MM-DD), so history windows give the same result every run.",
)
@click.option("--reporter", metavar="KEY", help="Opaque key of who made this report.")
def score_command(
    form: str,
    answers_file: str,
    history_file: str | None,
    as_of: datetime | None,
    reporter: str | None,
) -> None:
    """Assess ANSWERS.json with the scoring block of FORM and print the result as JSON.

    FORM is a path to a YAML form definition, or a form's slug looked up in
    SAFERFORMS_FORMS_DIR (default: ./form_definitions).
    """
    definition = _load_form(form)
    try:
        instrument = scoring.load_instrument(definition)
    except scoring.ScoringDefinitionError as error:
        raise click.ClickException(str(error)) from None
    answers = _load_json(answers_file, "the answers file")
    if not isinstance(answers, dict):
        raise click.ClickException(
            f"{answers_file} must hold a JSON object of field names and answers"
        )
    history: list[Any] = []
    if history_file is not None:
        history = _load_json(history_file, "the history file")
        if not isinstance(history, list):
            raise click.ClickException(f"{history_file} must hold a JSON list of earlier reports")
    now = datetime.combine(as_of.date(), time(12), tzinfo=UTC) if as_of else None
    try:
        result = scoring.assess(instrument, answers, history, now=now, reporter=reporter)
    except (scoring.AnswerError, scoring.HistoryError) as error:
        raise click.ClickException(str(error)) from None
    click.echo(result.to_json(indent=2))
