"""A public submission while Redis is away: accepted, stored and kept for the relay."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from forms_app.extensions import db
from forms_app.models import Outbox, OutboxState, Submission, SubmissionStatus
from tests.jobs.pipeline_support import free_port
from tests.public.public_helpers import Browser, asb_answers, reference_on


@pytest.fixture
def app_config():
    return {"REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"}


def test_a_report_made_while_redis_is_down_is_confirmed_and_waits_for_the_relay(
    app, client
) -> None:
    browser = Browser(client)

    started = time.monotonic()
    confirmation = browser.walk(asb_answers())
    elapsed = time.monotonic() - started

    assert confirmation.status == 200
    reference = reference_on(confirmation)
    with app.app_context():
        submission = db.session.scalar(select(Submission).where(Submission.reference == reference))
        assert submission.status is SubmissionStatus.RECEIVED
        row = db.session.scalar(select(Outbox).where(Outbox.kind == "process_submission"))
        assert row.payload == {"submission_id": submission.id}
        assert row.state is OutboxState.PENDING
        db.session.remove()
    assert elapsed < 20
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.get_json()["status"] == "degraded"
    assert health.get_json()["pipeline"]["outbox_backlog"] == 1
