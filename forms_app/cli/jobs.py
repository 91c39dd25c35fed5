"""`saferforms jobs failed` and `saferforms jobs retry ID`."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from forms_app.extensions import db


@click.group("jobs")
def jobs_group() -> None:
    """See and retry background jobs that failed."""


@jobs_group.command("failed")
@with_appcontext
def failed_command() -> None:
    """List jobs that stopped after failing, with their error (never personal data)."""
    from forms_app.jobs.status import failed_rows

    rows = failed_rows(db.session)
    if not rows:
        click.echo("No failed jobs.")
        return
    for row in rows:
        ids = ", ".join(f"{key}={value}" for key, value in sorted(row.payload.items()))
        click.echo(f"{row.id}  {row.kind}  ({ids})")
        click.echo(f"    attempts: {row.attempts}; created {row.created_at:%Y-%m-%d %H:%M:%S} UTC")
        click.echo(f"    error: {row.last_error or 'none recorded'}")
    click.echo(f"{len(rows)} failed job(s). Retry one with: saferforms jobs retry ID")


@jobs_group.command("retry")
@click.argument("outbox_id")
@with_appcontext
def retry_command(outbox_id: str) -> None:
    """Put a failed job back in the queue with a fresh set of attempts."""
    from forms_app.jobs.status import retry

    if not retry(db.session, outbox_id):
        db.session.rollback()
        raise click.ClickException(f"no failed job has the id {outbox_id}")
    db.session.commit()
    click.echo(f"Job {outbox_id} will run again.")
