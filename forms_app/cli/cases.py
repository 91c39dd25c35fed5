"""`saferforms cases show REF`: a case as the pipeline made it (until the staff screens exist)."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from forms_app.extensions import db


@click.group("cases")
def cases_group() -> None:
    """Look at cases."""


@cases_group.command("show")
@click.argument("reference")
@click.option(
    "--names", is_flag=True, help="Also show the parties' names (decrypted; the read is audited)."
)
@with_appcontext
def show_command(reference: str, names: bool) -> None:
    """Show the case a reference belongs to (the case's own, or one of its reports')."""
    from forms_app import audit
    from forms_app.intake.models import CaseAssessment, CaseReport
    from forms_app.models import AccessGrant, Case, CaseParty, Person, Submission, Team
    from notifications.models import InboxItem

    session = db.session
    reference = reference.strip().upper()
    case = session.scalar(sa.select(Case).where(Case.reference == reference))
    if case is None:
        case = session.scalar(
            sa.select(Case)
            .join(CaseReport, CaseReport.case_id == Case.id)
            .join(Submission, Submission.id == CaseReport.submission_id)
            .where(Submission.reference == reference)
        )
    if case is None:
        submission = session.scalar(sa.select(Submission).where(Submission.reference == reference))
        if submission is not None:
            raise click.ClickException(
                f"{reference} has not become a case yet: the submission is {submission.status.value}"
                + (f" ({submission.last_error})" if submission.last_error else "")
            )
        raise click.ClickException(f"no case or report has the reference {reference}")

    team = session.get(Team, case.owning_team_id) if case.owning_team_id else None
    click.echo(f"Case {case.reference}")
    click.echo(f"  type: {case.case_type}; status: {case.status.value}")
    click.echo(f"  risk level: {case.risk_level or 'not assessed'}")
    click.echo(f"  owning team: {team.name if team else 'none'}")
    click.echo(f"  opened: {case.created_at:%Y-%m-%d %H:%M} UTC")

    click.echo("Reports:")
    reports = session.execute(
        sa.select(CaseReport, Submission)
        .join(Submission, Submission.id == CaseReport.submission_id)
        .where(CaseReport.case_id == case.id)
        .order_by(CaseReport.reported_at)
    ).all()
    for report, submission in reports:
        click.echo(
            f"  {submission.reference}  {report.kind}  {report.reported_at:%Y-%m-%d %H:%M}  "
            f"risk {submission.risk_level or '-'} (score {submission.risk_score})"
        )
        for reason in submission.risk_reasons or []:
            click.echo(f"      - {reason}")

    click.echo("Assessments:")
    for row in session.scalars(
        sa.select(CaseAssessment)
        .where(CaseAssessment.case_id == case.id)
        .order_by(CaseAssessment.created_at)
    ):
        flags = ", ".join(row.flags) or "no flags"
        click.echo(
            f"  {row.created_at:%Y-%m-%d %H:%M}  {row.level} (score {row.score}; {flags}; "
            f"{row.history_size} earlier report(s))"
        )

    click.echo("Parties:")
    parties = session.execute(
        sa.select(CaseParty.role, CaseParty.person_id)
        .where(CaseParty.case_id == case.id)
        .order_by(CaseParty.role, CaseParty.created_at)
    ).all()
    for role, person_id in parties:
        line = f"  {role.value:<12} person {person_id}"
        if names:
            person = session.get(Person, person_id)
            if person is not None:
                shown = " ".join(p for p in (person.first_name, person.last_name) if p)
                line += f"  {shown or person.description or '(no name)'}"
        click.echo(line)
    if names and parties:
        audit.record(
            "case.parties_read",
            object_type="case",
            object_id=case.id,
            fields=["first_name", "last_name", "description"],
        )
        session.commit()

    grants = session.scalars(
        sa.select(Team.name)
        .join(AccessGrant, AccessGrant.team_id == Team.id)
        .where(AccessGrant.case_id == case.id, AccessGrant.revoked_at.is_(None))
    ).all()
    click.echo(f"Access: {', '.join(grants) or 'nobody'}")
    inbox = session.scalars(sa.select(InboxItem).where(InboxItem.case_id == case.id)).all()
    for item in inbox:
        urgent = " (urgent)" if item.urgent else ""
        click.echo(f"Inbox: {item.kind}{urgent} at {item.created_at:%Y-%m-%d %H:%M}")
