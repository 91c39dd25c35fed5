"""Signing in with an e-mail address and password."""

from __future__ import annotations

import sqlalchemy as sa

from forms_app.auth import passwords
from forms_app.extensions import db
from forms_app.models import User
from tests.auth.auth_helpers import EMAIL, PASSWORD, csrf_token, make_staff, sign_in, without_csrf


def test_the_right_password_opens_the_staff_home(client, staff):
    response = sign_in(client)

    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/"
    home = client.get("/staff/")
    assert home.status_code == 200
    assert "Olu Officer" in home.get_data(as_text=True)


def test_a_wrong_password_shows_an_error_summary_and_an_inline_error(client, staff):
    response = sign_in(client, password="not the password")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error: Sign in" in page
    assert "There is a problem" in page
    assert 'href="#email"' in page
    assert 'class="govuk-error-message"' in page
    assert "Enter a correct email address and password" in page
    assert client.get("/staff/").status_code == 303


def test_an_unknown_address_gets_exactly_the_same_page_as_a_wrong_password(app, staff):
    known = sign_in(app.test_client(), password="not the password")
    unknown = sign_in(app.test_client(), email="nobody@northdale.example", password="whatever")

    assert known.status_code == unknown.status_code
    assert sorted(known.headers.keys()) == sorted(unknown.headers.keys())
    assert without_csrf(known.get_data(as_text=True)) == without_csrf(
        unknown.get_data(as_text=True).replace("nobody@northdale.example", EMAIL)
    )


def test_an_unknown_address_costs_the_same_password_check_as_a_known_one(app, staff, monkeypatch):
    calls = []
    real = passwords._hasher

    class CountingHasher:
        def verify(self, hash_, password):
            calls.append(hash_)
            return real.verify(hash_, password)

        def __getattr__(self, name):
            return getattr(real, name)

    monkeypatch.setattr(passwords, "_hasher", CountingHasher())

    sign_in(app.test_client(), password="not the password")
    sign_in(app.test_client(), email="nobody@northdale.example", password="whatever")

    assert len(calls) == 2
    assert calls[1] == passwords._DUMMY_HASH


def test_a_disabled_account_is_refused_even_with_the_right_password(app, client, staff):
    with app.app_context():
        db.session.execute(sa.update(User).values(is_active=False))
        db.session.commit()

    response = sign_in(client)

    assert response.status_code == 200
    assert "Enter a correct email address and password" in response.get_data(as_text=True)
    assert client.get("/staff/").status_code == 303


def test_empty_fields_say_what_is_missing(client):
    response = sign_in(client, email="", password="")

    page = response.get_data(as_text=True)
    assert "Enter your email address" in page
    assert "Enter your password" in page
    assert 'href="#password"' in page


def test_an_address_in_the_wrong_format_is_explained(client):
    response = sign_in(client, email="olu.officer", password="x")

    assert "Enter an email address in the correct format" in response.get_data(as_text=True)


def test_the_typed_password_is_never_sent_back(client, staff):
    response = sign_in(client, password="my secret guess 123")

    assert "my secret guess 123" not in response.get_data(as_text=True)


def test_the_address_is_matched_whatever_its_case_and_spacing(client, staff):
    response = sign_in(client, email="  Olu.Officer@Northdale.EXAMPLE ")

    assert response.status_code == 303


def test_a_sign_in_without_a_csrf_token_is_refused(client, staff):
    response = client.post("/staff/sign-in", data={"email": EMAIL, "password": PASSWORD})

    assert response.status_code == 400
    assert client.get("/staff/").status_code == 303


def test_a_signed_in_visit_to_the_sign_in_page_goes_to_the_home_page(client, staff):
    sign_in(client)

    response = client.get("/staff/sign-in")

    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/"


def test_after_signing_in_staff_return_to_the_page_they_asked_for(client, staff):
    asked = client.get("/staff/account/two-factor")
    assert asked.status_code == 303
    assert asked.headers["Location"] == "/staff/sign-in"

    response = sign_in(client)

    assert response.headers["Location"] == "/staff/account/two-factor"


def test_a_password_hashed_with_old_settings_is_rehashed_on_sign_in(app, client):
    from argon2 import PasswordHasher

    make_staff(app)
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    with app.app_context():
        db.session.execute(sa.update(User).values(password_hash=weak))
        db.session.commit()

    assert sign_in(client).status_code == 303
    with app.app_context():
        stored = db.session.scalar(sa.select(User.password_hash))
    assert stored != weak
    assert not passwords.needs_rehash(stored)


def test_the_sign_in_page_is_a_gov_uk_page_with_the_partnership_name(client):
    page = client.get("/staff/sign-in").get_data(as_text=True)

    assert "<title>Sign in – Safer Forms</title>" in page
    assert 'class="govuk-input' in page
    assert 'autocomplete="current-password"' in page
    assert csrf_token(client)
