"""Notification jobs: who is told what, with no personal data in any message or job."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from forms_app.extensions import db
from forms_app.jobs import outbox, run_due
from forms_app.models import Outbox, OutboxState
from notifications.models import Delivery, InboxItem
from tests.jobs.job_factories import make_case, make_submission, make_team
from tests.jobs.pipeline_support import NOTIFY_TEST_KEY, notify_server, smtp_server

REPORTER = {
    "report_anonymously": "no",
    "contact_name": "Samira Okonkwo-Bright",
    "contact_method": "email",
    "contact_email": "samira.ob@home.example",
    "contact_date_of_birth": "1984-02-29",
}


@pytest.fixture
def app_config():
    return {"BASE_URL": "https://safer.northdale.example"}


def _send_through(app, port):
    app.config.update(MAIL_TRANSPORT="smtp", MAIL_SMTP_HOST="127.0.0.1", MAIL_SMTP_PORT=port)


def _row(kind, **ids):
    row = outbox.add(kind, **ids)
    db.session.commit()
    return row.id


def test_the_team_gets_one_message_and_one_inbox_item_for_a_new_case(app, db_session) -> None:
    team = make_team(notify_email="asb-team@northdale.example")
    case = make_case(team, risk_level="medium", victim_name=("Deirdre", "Fothergill"))
    row_id = _row("notify_team_new_case", case_id=case.id)

    with smtp_server() as (recorder, port):
        _send_through(app, port)
        assert run_due() == {"done": 1}

    [message] = recorder.messages
    body = message.get_payload(decode=True).decode()
    assert message["To"] == "asb-team@northdale.example"
    assert message["Subject"] == f"New case {case.reference} (medium risk)"
    assert f"Case reference: {case.reference}" in body
    assert "https://safer.northdale.example/staff/sign-in" in body
    for personal in ("Deirdre", "Fothergill", "mary.q@home.example"):
        assert personal not in message.as_string()
    [item] = db_session.scalars(select(InboxItem)).all()
    assert (item.team_id, item.case_id, item.urgent, item.outbox_id) == (
        team.id,
        case.id,
        False,
        row_id,
    )
    [delivery] = db_session.scalars(select(Delivery)).all()
    assert delivery.outbox_id == row_id and delivery.transport == "smtp"
    assert delivery.provider_reference == message["Message-ID"]


def test_a_high_risk_case_is_marked_urgent_in_the_message_and_the_inbox(app, db_session) -> None:
    case = make_case(make_team(), risk_level="high")
    _row("notify_team_new_case", case_id=case.id)

    with smtp_server() as (recorder, port):
        _send_through(app, port)
        run_due()

    [message] = recorder.messages
    assert message["Subject"].startswith("Urgent: ")
    assert message["Importance"] == "high"
    assert db_session.scalar(select(InboxItem.urgent)) is True


def test_a_team_without_a_mailbox_still_gets_its_inbox_item(app, db_session) -> None:
    case = make_case(make_team(notify_email=None))
    row_id = _row("notify_team_new_case", case_id=case.id)

    assert run_due() == {"done": 1}

    assert db_session.scalar(select(InboxItem.case_id)) == case.id
    assert db_session.scalars(select(Delivery)).all() == []
    assert not app.config["OUTBOX_DIR"].exists() or not list(app.config["OUTBOX_DIR"].iterdir())
    assert db_session.get(Outbox, row_id).state is OutboxState.DONE


def test_the_team_is_told_when_a_new_report_raises_a_cases_risk(app, db_session) -> None:
    case = make_case(make_team(), risk_level="high")
    _row("notify_team_risk_raised", case_id=case.id, previous_level="medium")

    with smtp_server() as (recorder, port):
        _send_through(app, port)
        run_due()

    [message] = recorder.messages
    assert message["Subject"] == f"Urgent: Risk level raised to high on case {case.reference}"
    assert "Risk level: high (was medium)" in message.get_payload(decode=True).decode()
    assert db_session.scalar(select(InboxItem.kind)) == "team_risk_raised"


def test_the_reporter_is_acknowledged_with_their_reference_and_how_to_follow_it(
    app, db_session
) -> None:
    submission = make_submission(REPORTER)
    row_id = _row("acknowledge_reporter", submission_id=submission.id)
    # The address is read from the sealed submission by the job, never carried with it.
    assert db_session.get(Outbox, row_id).payload == {"submission_id": submission.id}

    with smtp_server() as (recorder, port):
        _send_through(app, port)
        assert run_due() == {"done": 1}

    [message] = recorder.messages
    assert recorder.envelopes[0]["to"] == ["samira.ob@home.example"]
    assert message["Subject"] == f"We have received your report: {submission.reference}"
    body = message.get_payload(decode=True).decode()
    assert f"Your reference number is {submission.reference}" in body
    assert "https://safer.northdale.example/portal" in body
    # The date of birth in any form it could be written; not "1984" alone, which a random
    # Message-ID can contain.
    for personal in ("Samira", "Okonkwo", "1984-02-29", "29/02/1984", "29 February 1984"):
        assert personal not in message.as_string()


def test_a_reporter_who_reported_anonymously_is_not_written_to(app, db_session) -> None:
    submission = make_submission({**REPORTER, "report_anonymously": "yes"})
    row_id = _row("acknowledge_reporter", submission_id=submission.id)

    with smtp_server() as (recorder, port):
        _send_through(app, port)
        assert run_due() == {"done": 1}

    assert recorder.messages == []
    assert db_session.get(Outbox, row_id).state is OutboxState.DONE


def test_a_reporter_who_gave_no_email_is_not_written_to(app, db_session) -> None:
    answers = {key: value for key, value in REPORTER.items() if key != "contact_email"}
    _row("acknowledge_reporter", submission_id=make_submission(answers).id)

    with smtp_server() as (recorder, port):
        _send_through(app, port)
        assert run_due() == {"done": 1}

    assert recorder.messages == []


def test_through_notify_the_acknowledgement_uses_its_template_and_the_reference(
    app, db_session
) -> None:
    submission = make_submission(REPORTER)
    row_id = _row("acknowledge_reporter", submission_id=submission.id)
    with notify_server() as (stub, url):
        app.config.update(
            MAIL_TRANSPORT="notify",
            NOTIFY_API_KEY=NOTIFY_TEST_KEY,
            NOTIFY_BASE_URL=url,
            NOTIFY_TEMPLATE_TEAM_NEW_CASE="f33517ff-2a88-4f6e-b855-c550268ce08a",
            NOTIFY_TEMPLATE_TEAM_RISK_RAISED="8a1c6b45-2b4b-4a8e-a35b-3b1e1b6e2f10",
            NOTIFY_TEMPLATE_REPORTER_ACKNOWLEDGEMENT="0c3e5b0e-7f8e-4d43-9b3c-6d51b1d4a2c7",
        )
        assert run_due() == {"done": 1}

    [request] = stub.requests
    assert request["json"] == {
        "email_address": "samira.ob@home.example",
        "template_id": "0c3e5b0e-7f8e-4d43-9b3c-6d51b1d4a2c7",
        "personalisation": {
            "reference_number": submission.reference,
            "form": "Report anti-social behaviour",
            "follow_url": "https://safer.northdale.example/portal",
        },
        "reference": row_id,
    }
    assert db_session.scalar(select(Delivery.provider_reference)) == (
        "740e5834-3a29-46b4-9a6f-16142fde533a"
    )


def test_an_unknown_transport_fails_the_job_visibly_instead_of_sending_nowhere(
    app, db_session
) -> None:
    app.config["MAIL_TRANSPORT"] = "carrier-pigeon"
    row_id = _row("notify_team_new_case", case_id=make_case(make_team()).id)

    run_due()

    row = db_session.get(Outbox, row_id)
    assert row.state is OutboxState.FAILED
    assert row.last_error == (
        "PermanentJobError: MAIL_TRANSPORT=carrier-pigeon is not one of file, smtp, notify"
    )
