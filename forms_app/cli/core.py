"""init, serve and worker."""

from __future__ import annotations

import os

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
    if not os.environ.get("SAFERFORMS_BASE_URL"):
        # Links in messages (such as "sign in to see the case") point where this serves.
        app.config["BASE_URL"] = served_url(host, port)
    mode = "Redis workers" if app.config.get("REDIS_URL") else "in-process jobs"
    click.echo(
        f"Safer Forms is running at {served_url(host, port)}/ ({mode}). Press Ctrl+C to stop."
    )
    # Jobs left waiting from before a restart start now, not on the first request.
    app.extensions["saferforms.jobs"].start_runner()
    server = make_server(host, port, app, threaded=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("Stopped.")


def served_url(host: str, port: int) -> str:
    """The address a person on this machine opens: an address that listens on every interface
    is opened as this machine's own."""
    shown = "127.0.0.1" if host in ("", "0.0.0.0", "::") else host  # noqa: S104 (compared)
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"


@click.command("worker")
@click.option(
    "--burst", is_flag=True, help="Stop once the queues are empty (for scripts and tests)."
)
@click.option("--name", default=None, help="A name for this worker (default: generated).")
@with_appcontext
def worker_command(burst: bool, name: str | None) -> None:
    """Run a background worker: every queue, RQ's scheduler, and the outbox relay."""
    from forms_app.jobs.queues import ALL_QUEUES
    from forms_app.jobs.registry import JobNotLoadable, load_all
    from forms_app.jobs.worker import run_worker

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not app.config.get("REDIS_URL"):
        raise click.ClickException(
            "set REDIS_URL to run workers; without it `saferforms serve` runs jobs itself"
        )
    try:
        load_all()
    except JobNotLoadable as error:
        raise click.ClickException(f"The worker cannot start: {error}.") from None
    click.echo(f"Worker listening to {', '.join(ALL_QUEUES)}.")
    run_worker(app, burst=burst, name=name)
