"""The lock-out counter: too many wrong passwords lock an account for a while."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from forms_app.extensions import db
from forms_app.models import AuditEvent, User, utcnow
from tests.auth.auth_helpers import sign_in


@pytest.fixture
def app_config():
    return {
        "LOGIN_LOCKOUT_ATTEMPTS": 3,
        "LOGIN_LIMIT_PER_ACCOUNT": "100 per minute",
        "LOGIN_LIMIT_PER_ADDRESS": "100 per minute",
    }


def _fail(client, times):
    for _ in range(times):
        sign_in(client, password="wrong password")


def test_too_many_wrong_passwords_lock_the_account_against_the_right_one(app, client, staff):
    _fail(client, 3)

    response = sign_in(client)

    assert response.status_code == 200
    assert "Enter a correct email address and password" in response.get_data(as_text=True)
    with app.app_context():
        user = db.session.get(User, staff.id)
        assert user.locked_until > utcnow() + timedelta(minutes=14)
        actions = db.session.scalars(sa.select(AuditEvent.action)).all()
    assert "user.locked" in actions
    assert "sign_in.refused_locked" in actions


def test_a_locked_account_opens_again_when_the_lock_out_ends(app, client, staff):
    _fail(client, 3)
    with app.app_context():
        db.session.execute(sa.update(User).values(locked_until=utcnow() - timedelta(seconds=1)))
        db.session.commit()

    assert sign_in(client).status_code == 303


def test_fewer_failures_than_the_limit_do_not_lock_and_success_resets_the_count(app, client, staff):
    _fail(client, 2)
    assert sign_in(client).status_code == 303

    _fail(app.test_client(), 2)

    assert sign_in(app.test_client()).status_code == 303
    with app.app_context():
        user = db.session.get(User, staff.id)
        assert user.locked_until is None
        assert user.failed_logins == 0
