"""Notification jobs: plain functions of ids, run from outbox rows (see forms_app.jobs).

Each one re-reads what it needs from the database. The transport sends first; the runner then
records the row done in the same transaction as the inbox item and the delivery record. A crash
between the send and that commit means the message is sent again on the retry (docs/pipeline.md).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import insert, select

from forms_app.extensions import db
from forms_app.intake.forms import title_for
from forms_app.jobs.errors import PermanentJobError, RetryableJobError
from forms_app.jobs.runner import current_outbox_id
from forms_app.models import Case, Submission, Team, table_of

from . import TransportConfigError, build_transport, messages
from .messages import Message
from .models import Delivery, InboxItem
from .transports import DeliveryError, Transport

EXTENSION = "saferforms.transport"
SETTING_NAMES = (
    "MAIL_TRANSPORT",
    "MAIL_FROM",
    "MAIL_SMTP_HOST",
    "MAIL_SMTP_PORT",
    "MAIL_SMTP_STARTTLS",
    "MAIL_SMTP_SSL",
    "MAIL_SMTP_USERNAME",
    "MAIL_SMTP_PASSWORD",
    "MAIL_SMTP_TIMEOUT",
    "NOTIFY_API_KEY",
    "NOTIFY_BASE_URL",
    "NOTIFY_TIMEOUT",
    "NOTIFY_EMAIL_REPLY_TO_ID",
    *(f"NOTIFY_TEMPLATE_{name.upper()}" for name in messages.TEMPLATES),
)


def mail_settings() -> dict[str, Any]:
    """Mail settings from the app's config, falling back to the environment."""
    config = current_app.config
    settings: dict[str, Any] = {"OUTBOX_DIR": config.get("OUTBOX_DIR")}
    for name in SETTING_NAMES:
        value = config.get(name)
        settings[name] = value if value not in (None, "") else os.environ.get(name)
    settings["MAIL_TRANSPORT"] = settings["MAIL_TRANSPORT"] or "file"
    return settings


def transport() -> Transport:
    """The app's transport, built once from its settings."""
    built = current_app.extensions.get(EXTENSION)
    if built is None:
        try:
            built = build_transport(mail_settings())
        except TransportConfigError as error:
            # Retrying cannot fix the settings; fail visibly, and `jobs retry` once they are fixed.
            raise PermanentJobError(str(error)) from None
        current_app.extensions[EXTENSION] = built
    return built  # type: ignore[no-any-return]


def _outbox_id() -> str:
    outbox_id = current_outbox_id()
    if outbox_id is None:
        raise RuntimeError("notification jobs run from outbox rows only")
    return outbox_id


def _deliver(message: Message) -> None:
    sender = transport()
    try:
        provider_reference = sender.send(message)
    except DeliveryError as error:
        error_class = RetryableJobError if error.retryable else PermanentJobError
        raise error_class(str(error)) from None
    db.session.execute(
        insert(_delivery),
        {
            "outbox_id": message.reference,
            "template": message.template,
            "transport": sender.name,
            "provider_reference": provider_reference[:200] or None,
        },
    )


def _base_url() -> str:
    return str(current_app.config.get("BASE_URL") or "http://127.0.0.1:5000").rstrip("/")


# These jobs run two or three times for every report: they read and write with Core statements
# on the tables, which cost a fraction of the ORM's loading and unit-of-work bookkeeping.
_case, _team, _submission = table_of(Case), table_of(Team), table_of(Submission)
_inbox_item, _delivery = table_of(InboxItem), table_of(Delivery)


@dataclass(frozen=True)
class _CaseForTeam:
    id: str
    reference: str
    case_type: str
    risk_level: str
    submission_id: str | None
    form_version_id: str | None
    team_id: str
    notify_email: str | None

    @property
    def form_title(self) -> str:
        return title_for(self.form_version_id) if self.form_version_id else self.case_type


def _case_and_team(case_id: str) -> _CaseForTeam:
    """The case, its owning team and its form, in one statement."""
    row = db.session.execute(
        select(
            _case.c.id,
            _case.c.reference,
            _case.c.case_type,
            _case.c.risk_level,
            _case.c.submission_id,
            _submission.c.form_version_id,
            _team.c.id.label("team_id"),
            _team.c.notify_email,
        )
        .select_from(_case)
        .outerjoin(_team, _team.c.id == _case.c.owning_team_id)
        .outerjoin(_submission, _submission.c.id == _case.c.submission_id)
        .where(_case.c.id == case_id)
    ).first()
    if row is None:
        raise PermanentJobError("the case does not exist")
    if row.team_id is None:
        raise PermanentJobError("the case has no owning team")
    return _CaseForTeam(
        id=row.id,
        reference=row.reference,
        case_type=row.case_type,
        risk_level=row.risk_level or "standard",
        submission_id=row.submission_id,
        form_version_id=row.form_version_id,
        team_id=row.team_id,
        notify_email=row.notify_email,
    )


def _add_inbox_item(
    case: _CaseForTeam, kind: str, outbox_id: str, *, submission_id: str | None = None
) -> None:
    db.session.execute(
        insert(_inbox_item),
        {
            "team_id": case.team_id,
            "kind": kind,
            "case_id": case.id,
            "submission_id": submission_id,
            "urgent": case.risk_level == "high",
            "outbox_id": outbox_id,
        },
    )


def notify_team_new_case(case_id: str) -> None:
    """Tell the owning team about a new case: an inbox item, and a message to its mailbox."""
    outbox_id = _outbox_id()
    case = _case_and_team(case_id)
    _add_inbox_item(case, messages.TEAM_NEW_CASE, outbox_id, submission_id=case.submission_id)
    if case.notify_email:
        _deliver(
            messages.team_new_case(
                to=case.notify_email,
                case_reference=case.reference,
                form_title=case.form_title,
                risk_level=case.risk_level,
                sign_in_url=f"{_base_url()}/staff/sign-in",
                reference=outbox_id,
            )
        )


def notify_team_risk_raised(case_id: str, previous_level: str) -> None:
    """Tell the owning team that a new report raised an open case's risk level."""
    outbox_id = _outbox_id()
    case = _case_and_team(case_id)
    _add_inbox_item(case, messages.TEAM_RISK_RAISED, outbox_id)
    if case.notify_email:
        _deliver(
            messages.team_risk_raised(
                to=case.notify_email,
                case_reference=case.reference,
                form_title=case.form_title,
                risk_level=case.risk_level,
                previous_level=previous_level,
                sign_in_url=f"{_base_url()}/staff/sign-in",
                reference=outbox_id,
            )
        )


def acknowledge_reporter(submission_id: str) -> None:
    """Acknowledge a report to the reporter, if they gave an e-mail and were not anonymous."""
    from forms_app.intake.contact import reporter_email

    outbox_id = _outbox_id()
    submission = db.session.execute(
        select(
            _submission.c.id,
            _submission.c.reference,
            _submission.c.form_version_id,
            _submission.c.sealed_answers,
        ).where(_submission.c.id == submission_id)
    ).first()
    if submission is None:
        raise PermanentJobError("the submission does not exist")
    address = reporter_email(submission)
    if address is None:
        return
    _deliver(
        messages.reporter_acknowledgement(
            to=address,
            submission_reference=submission.reference,
            form_title=title_for(submission.form_version_id),
            follow_url=f"{_base_url()}/portal",
            reference=outbox_id,
            partnership_name=str(current_app.config.get("PARTNERSHIP_NAME") or "Safer Forms"),
        )
    )
