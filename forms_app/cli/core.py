"""init, serve and worker."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext


@click.command("init")
@click.option("--demo", is_flag=True, help="Add a demo partnership with a login for each role.")
@with_appcontext
def init_command(demo: bool) -> None:
    """Create or upgrade the database, and create keys if absent."""
    from forms_app.setup import initialise

    report = initialise(demo=demo)
    for line in report:
        click.echo(line)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@with_appcontext
def serve_command(host: str, port: int) -> None:
    """Serve Safer Forms (jobs run in this process when REDIS_URL is not set)."""
    from werkzeug.serving import make_server

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    mode = "Redis workers" if app.config.get("REDIS_URL") else "in-process jobs"
    click.echo(f"Safer Forms is running at http://{host}:{port}/ ({mode}). Press Ctrl+C to stop.")
    server = make_server(host, port, app, threaded=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("Stopped.")


@click.command("worker")
@with_appcontext
def worker_command() -> None:
    """Run a background worker for submissions and notifications."""
    raise click.ClickException(
        "the background worker arrives with the intake work; until then jobs run in-process"
    )
