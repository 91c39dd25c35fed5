"""The TOTP second factor, required here as it is in production."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
import sqlalchemy as sa

from forms_app.extensions import db
from forms_app.models import StaffSession, User, utcnow
from tests.auth.auth_helpers import (
    current_code,
    enter_code,
    make_staff,
    session_cookie,
    sign_in,
    wrong_code,
)


@pytest.fixture
def app_config():
    return {
        "REQUIRE_TOTP": True,
        "LOGIN_LOCKOUT_ATTEMPTS": 3,
        "LOGIN_LIMIT_PER_ACCOUNT": "100 per minute",
        "LOGIN_LIMIT_PER_ADDRESS": "100 per minute",
    }


def test_the_password_leads_to_the_code_step(client, staff_with_codes):
    response = sign_in(client)

    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/sign-in/code"
    page = client.get("/staff/sign-in/code").get_data(as_text=True)
    assert "Enter your security code" in page
    assert 'autocomplete="one-time-code"' in page


def test_the_right_code_completes_sign_in(client, staff_with_codes):
    sign_in(client)

    response = enter_code(client, current_code(staff_with_codes.secret))

    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200


def test_a_wrong_code_is_refused_with_an_inline_error(client, staff_with_codes):
    sign_in(client)

    response = enter_code(client, wrong_code(staff_with_codes.secret))

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in page
    assert 'href="#code"' in page
    assert "The code is not right" in page
    assert client.get("/staff/").status_code == 303


def test_a_code_that_is_not_six_digits_is_explained(client, staff_with_codes):
    sign_in(client)

    response = enter_code(client, "12ab")

    assert "The code must be 6 digits" in response.get_data(as_text=True)


def test_a_used_code_cannot_be_used_again(app, staff_with_codes):
    code = current_code(staff_with_codes.secret)
    first = app.test_client()
    sign_in(first)
    assert enter_code(first, code).status_code == 303

    second = app.test_client()
    sign_in(second)
    replay = enter_code(second, code)

    assert replay.status_code == 200
    assert "The code is not right" in replay.get_data(as_text=True)
    assert second.get("/staff/").status_code == 303


def test_the_password_alone_does_not_open_any_staff_page(client, staff_with_codes):
    sign_in(client)

    response = client.get("/staff/")

    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/sign-in"


def test_the_code_step_cannot_be_reached_without_the_password(client, staff_with_codes):
    response = client.get("/staff/sign-in/code")

    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/sign-in"


def test_a_pending_sign_in_expires_after_a_few_minutes(app, client, staff_with_codes):
    sign_in(client)
    with app.app_context():
        db.session.execute(
            sa.update(StaffSession).values(expires_at=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()

    response = client.get("/staff/sign-in/code")

    assert response.headers["Location"] == "/staff/sign-in"


def test_the_session_id_changes_when_the_code_is_accepted(client, staff_with_codes):
    sign_in(client)
    pending = session_cookie(client)

    enter_code(client, current_code(staff_with_codes.secret))

    assert session_cookie(client) not in (None, pending)
    client.set_cookie("sf_staff", pending)
    assert client.get("/staff/sign-in/code").headers["Location"] == "/staff/sign-in"
    assert client.get("/staff/").status_code == 303


def test_starting_sign_in_again_ends_the_half_finished_one(app, client, staff_with_codes):
    sign_in(client)
    half_finished = session_cookie(client)

    sign_in(client)

    assert session_cookie(client) != half_finished
    with app.app_context():
        live = db.session.scalars(
            sa.select(StaffSession.token_hash).where(StaffSession.revoked_at.is_(None))
        ).all()
    assert len(live) == 1


def test_too_many_wrong_codes_lock_the_account(app, client, staff_with_codes):
    sign_in(client)
    enter_code(client, wrong_code(staff_with_codes.secret))
    enter_code(client, wrong_code(staff_with_codes.secret))
    third = enter_code(client, wrong_code(staff_with_codes.secret))

    assert third.status_code == 303
    assert third.headers["Location"] == "/staff/sign-in"
    assert "wrong code too many times" in client.get("/staff/sign-in").get_data(as_text=True)
    # Locked: even the right password and code do not get in now.
    again = sign_in(client)
    assert again.status_code == 200
    with app.app_context():
        assert db.session.scalar(sa.select(User.locked_until)) > utcnow()


def test_someone_without_codes_must_set_them_up_before_signing_in(app, client):
    staff = make_staff(app)

    response = sign_in(client)

    assert response.headers["Location"] == "/staff/sign-in/set-up-code"
    assert client.get("/staff/").status_code == 303
    page = client.get("/staff/sign-in/set-up-code").get_data(as_text=True)
    assert "Set up your security codes" in page
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    # The key offered stays the same while the user types it in.
    again = client.get("/staff/sign-in/set-up-code").get_data(as_text=True)
    assert secret == re.search(r'id="totp-secret">([A-Z2-7 ]+)<', again).group(1).replace(" ", "")

    done = enter_code(client, pyotp.TOTP(secret).now(), path="/staff/sign-in/set-up-code")

    assert done.headers["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200
    with app.app_context():
        assert db.session.get(User, staff.id).totp_secret == secret


def test_a_wrong_code_at_set_up_does_not_set_up_codes(app, client):
    staff = make_staff(app)
    sign_in(client)
    client.get("/staff/sign-in/set-up-code")

    response = enter_code(client, "000000", path="/staff/sign-in/set-up-code")

    assert "The code is not right" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, staff.id).totp_secret is None


def test_a_key_offered_in_one_sign_in_cannot_be_used_in_another(app):
    make_staff(app)
    browser = app.test_client()
    sign_in(browser)
    page = browser.get("/staff/sign-in/set-up-code").get_data(as_text=True)
    first_secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")

    # A new sign-in in the same browser gets a new key; the old one is no longer accepted.
    sign_in(browser)
    response = enter_code(
        browser, pyotp.TOTP(first_secret).now(), path="/staff/sign-in/set-up-code"
    )

    assert response.status_code == 200
    assert browser.get("/staff/").status_code == 303
