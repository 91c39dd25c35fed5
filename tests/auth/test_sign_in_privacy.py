"""No e-mail address or password ever reaches the logs or the audit trail."""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa

from forms_app.extensions import db
from forms_app.models import AuditEvent
from tests.auth.auth_helpers import (
    current_code,
    enter_code,
    make_staff,
    sign_in,
    sign_out,
    wrong_code,
)

SECRET_PASSWORD = "lamplight orchard 7431"
UNKNOWN_EMAIL = "somebody.unknown@northdale.example"
UNKNOWN_PASSWORD = "guessing 99 bottles"


@pytest.fixture
def app_config():
    return {
        "REQUIRE_TOTP": True,
        "LOGIN_LIMIT_PER_ACCOUNT": "2 per 15 minutes",
        "LOGIN_LIMIT_PER_ADDRESS": "50 per 15 minutes",
    }


def test_no_address_or_password_appears_in_logs_or_the_audit_trail(app, runner, caplog):
    caplog.set_level(logging.DEBUG)
    staff = make_staff(
        app, email="kit.keeper@northdale.example", password=SECRET_PASSWORD, totp=True
    )
    browser = app.test_client()

    # Every path through sign-in: unknown account, wrong password, throttled, wrong code,
    # right code, sign-out, and disabling the account from the command line.
    for _ in range(3):
        sign_in(app.test_client(), email=UNKNOWN_EMAIL, password=UNKNOWN_PASSWORD)
    sign_in(browser, email=staff.email, password="not " + SECRET_PASSWORD)
    sign_in(browser, email=staff.email, password=SECRET_PASSWORD)
    enter_code(browser, wrong_code(staff.secret))
    enter_code(browser, current_code(staff.secret))
    assert browser.get("/staff/").status_code == 200
    sign_out(browser)
    assert runner.invoke(args=["users", "disable", staff.email]).exit_code == 0

    with app.app_context():
        events = db.session.scalars(sa.select(AuditEvent)).all()
        trail = "\n".join(repr(event.canonical()) + event.hash for event in events)
        unknown_attempts = [
            e for e in events if e.action == "sign_in.failed" and e.object_id is None
        ]

    assert caplog.records, "the log capture saw nothing: this test would prove nothing"
    assert "ratelimit" in caplog.text  # the throttled attempt was logged, by its hashed key
    for text in (trail, caplog.text):
        for secret in (
            staff.email,
            "kit.keeper",
            SECRET_PASSWORD,
            UNKNOWN_EMAIL,
            "somebody.unknown",
            UNKNOWN_PASSWORD,
            "127.0.0.1",
        ):
            assert secret not in text
    assert len(unknown_attempts) >= 2
    for event in unknown_attempts:
        assert event.actor_id is None and event.fields == []
