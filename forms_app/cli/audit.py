"""audit verify."""

from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.group("audit")
def audit_group() -> None:
    """Check the audit trail."""


@audit_group.command("verify")
@with_appcontext
def verify_command() -> None:
    """Walk the audit trail's hash chain; exit non-zero at the first changed or missing row."""
    from forms_app.audit import verify

    report = verify()
    if report.problem is not None:
        click.echo(
            f"The audit trail has been tampered with: {report.problem.message} "
            f"({report.checked} rows before it are intact).",
            err=True,
        )
        raise SystemExit(1)
    noun = "event" if report.checked == 1 else "events"
    click.echo(f"The audit trail is intact: {report.checked} {noun} checked.")
