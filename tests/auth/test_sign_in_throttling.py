"""Failed sign-ins are limited per account and per client address."""

from __future__ import annotations

import pytest

from tests.auth.auth_helpers import make_staff, sign_in


@pytest.fixture
def app_config():
    return {
        "LOGIN_LIMIT_PER_ACCOUNT": "3 per 15 minutes",
        "LOGIN_LIMIT_PER_ADDRESS": "5 per 15 minutes",
        # The lock-out counter is tested on its own; keep it out of the way here.
        "LOGIN_LOCKOUT_ATTEMPTS": 1000,
    }


def _from(address):
    return {"environ_base": {"REMOTE_ADDR": address}}


def test_repeated_failures_for_one_account_get_the_too_many_attempts_page(client, staff):
    for _ in range(3):
        assert sign_in(client, password="wrong password").status_code == 200

    response = sign_in(client)

    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert "Too many attempts" in page
    assert 'class="govuk-heading-l"' in page
    assert client.get("/staff/").status_code == 303


def test_the_account_limit_holds_whatever_address_the_guesses_come_from(app, staff):
    client = app.test_client()
    for number in range(3):
        sign_in(client, password="wrong password", **_from(f"198.51.100.{number}"))

    response = sign_in(client, **_from("203.0.113.77"))

    assert response.status_code == 429


def test_an_unknown_account_is_limited_just_like_a_real_one(client):
    for _ in range(3):
        assert sign_in(client, email="nobody@northdale.example", password="x").status_code == 200

    assert sign_in(client, email="nobody@northdale.example", password="x").status_code == 429


def test_guesses_at_many_accounts_from_one_address_get_the_too_many_attempts_page(app):
    client = app.test_client()
    for number in range(5):
        sign_in(
            client, email=f"person{number}@northdale.example", password="x", **_from("192.0.2.1")
        )

    blocked = sign_in(client, email="person9@northdale.example", password="x", **_from("192.0.2.1"))
    elsewhere = sign_in(
        app.test_client(), email="person9@northdale.example", password="x", **_from("192.0.2.2")
    )

    assert blocked.status_code == 429
    assert elsewhere.status_code == 200


def test_successful_sign_ins_do_not_use_up_the_limits(app):
    make_staff(app)
    for _ in range(6):
        client = app.test_client()
        assert sign_in(client).status_code == 303


def test_the_limit_on_one_account_leaves_other_accounts_alone(app, staff):
    make_staff(app, email="tamsin.lead@northdale.example", name="Tamsin Lead")
    for number in range(3):
        sign_in(app.test_client(), password="wrong", **_from(f"198.51.100.{number}"))

    other = sign_in(app.test_client(), email="tamsin.lead@northdale.example", **_from("192.0.2.9"))

    assert other.status_code == 303
