"""The (for now empty) staff home page."""

from __future__ import annotations

import re

import pyotp
import pytest

from forms_app.extensions import db
from forms_app.models import Membership, Organisation, Role, Team, User
from tests.auth.auth_helpers import enter_code, make_staff, sign_in


@pytest.fixture
def app_config():
    return {"PARTNERSHIP_NAME": "Northdale Community Safety Partnership"}


def test_the_home_page_shows_the_partnership_the_user_and_their_teams(app, client):
    staff = make_staff(app, name="Olu Officer")
    with app.app_context():
        homes = Organisation(name="Northdale Homes", slug="northdale-homes")
        team = Team(organisation=homes, name="Tenancy Enforcement", slug="tenancy-enforcement")
        db.session.add(
            Membership(user=db.session.get(User, staff.id), team=team, role=Role.TEAM_LEAD)
        )
        db.session.commit()
    sign_in(client)

    response = client.get("/staff/")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Staff workspace – Northdale Community Safety Partnership</title>" in page
    assert "Northdale Community Safety Partnership" in page
    assert "Olu Officer" in page
    assert "Team asb-team" in page
    assert "Northdale Borough Council – Officer" in page
    assert "Tenancy Enforcement" in page
    assert "Northdale Homes – Team lead" in page
    assert response.headers["Cache-Control"] == "no-store"


def test_the_home_page_signs_out_with_a_post_form_that_carries_a_csrf_token(app, client):
    make_staff(app)
    sign_in(client)

    page = client.get("/staff/").get_data(as_text=True)

    form = re.search(r'<form method="post" action="/staff/sign-out"[^>]*>(.*?)</form>', page, re.S)
    assert form is not None
    assert 'name="csrf_token"' in form.group(1)
    assert "Sign out" in form.group(1)


def test_staff_without_security_codes_can_set_them_up_from_the_home_page(app, client):
    staff = make_staff(app)
    sign_in(client)
    assert "/staff/account/two-factor" in client.get("/staff/").get_data(as_text=True)

    page = client.get("/staff/account/two-factor").get_data(as_text=True)
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    wrong = enter_code(client, "000000", path="/staff/account/two-factor")
    assert "The code is not right" in wrong.get_data(as_text=True)
    done = enter_code(client, pyotp.TOTP(secret).now(), path="/staff/account/two-factor")

    assert done.headers["Location"] == "/staff/"
    assert "Two-factor authentication is set up" in client.get("/staff/").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, staff.id).totp_secret == secret
    # From now on, signing in asks for a code.
    assert sign_in(app.test_client()).headers["Location"] == "/staff/sign-in/code"


def test_the_set_up_page_offers_no_new_key_once_codes_are_set_up(app, client):
    staff = make_staff(app, totp=True)
    sign_in(client)
    enter_code(client, pyotp.TOTP(staff.secret).now())

    response = client.get("/staff/account/two-factor")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Security codes are set up" in page
    assert 'id="totp-secret"' not in page
    assert "/staff/account/two-factor" not in client.get("/staff/").get_data(as_text=True)
