"""saferforms users create / disable."""

from __future__ import annotations

import re

import pyotp
import pytest
import sqlalchemy as sa

from forms_app.extensions import db
from forms_app.models import AuditEvent, Membership, Organisation, Role, Team, User
from tests.auth.auth_helpers import enter_code, sign_in

PASSWORD = "a long enough password"


@pytest.fixture
def team(app):
    with app.app_context():
        organisation = Organisation(name="Northdale Borough Council", slug="northdale-council")
        db.session.add(
            Team(organisation=organisation, name="Anti-social Behaviour Team", slug="asb-team")
        )
        db.session.commit()


def _create(runner, *extra, password=PASSWORD, email="ade.admin@northdale.example"):
    return runner.invoke(
        args=[
            "users", "create", "--email", email, "--name", "Ade Admin",
            "--team", "asb-team", "--role", "admin", "--password-stdin", *extra,
        ],
        input=password + "\n",
    )  # fmt: skip


def test_users_create_adds_a_member_of_a_team_with_a_role_who_can_sign_in(app, runner, team):
    result = _create(runner)

    assert result.exit_code == 0, result.output
    assert (
        "Created the account for Ade Admin in Anti-social Behaviour Team (admin)" in result.output
    )
    with app.app_context():
        user = db.session.scalar(sa.select(User))
        membership = db.session.scalar(sa.select(Membership))
        assert user.display_name == "Ade Admin"
        assert membership.role is Role.ADMIN
        assert membership.team.slug == "asb-team"
        assert PASSWORD not in user.password_hash
    client = app.test_client()
    assert sign_in(client, "ade.admin@northdale.example", PASSWORD).status_code == 303


def test_users_create_asks_for_the_password_twice_without_showing_it(app, runner, team):
    result = runner.invoke(
        args=["users", "create", "--email", "ade.admin@northdale.example", "--name", "Ade Admin",
              "--team", "asb-team", "--role", "officer"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert "Repeat the password" in result.output
    assert PASSWORD not in result.output


def test_users_create_with_totp_prints_a_key_that_signs_in(app, runner, team):
    result = _create(runner, "--totp")

    assert result.exit_code == 0, result.output
    uri = re.search(r"(otpauth://\S+)", result.output).group(1)
    secret = pyotp.parse_uri(uri).secret
    client = app.test_client()
    assert sign_in(client, "ade.admin@northdale.example", PASSWORD).headers["Location"] == (
        "/staff/sign-in/code"
    )
    assert enter_code(client, pyotp.TOTP(secret).now()).headers["Location"] == "/staff/"


def test_users_create_refuses_a_short_password(app, runner, team):
    result = _create(runner, password="short")

    assert result.exit_code != 0
    assert "12 characters or more" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_users_create_refuses_an_unknown_team(runner, team):
    result = runner.invoke(
        args=["users", "create", "--email", "a@northdale.example", "--name", "A",
              "--team", "no-such-team", "--role", "officer", "--password-stdin"],
        input=PASSWORD + "\n",
    )  # fmt: skip

    assert result.exit_code != 0
    assert "there is no team 'no-such-team'" in result.output


def test_users_create_refuses_an_unknown_role(runner, team):
    result = runner.invoke(
        args=["users", "create", "--email", "a@northdale.example", "--name", "A",
              "--team", "asb-team", "--role", "superuser", "--password-stdin"],
        input=PASSWORD + "\n",
    )  # fmt: skip

    assert result.exit_code != 0
    assert "superuser" in result.output


def test_users_create_refuses_an_address_that_already_has_an_account(runner, team):
    _create(runner)

    result = _create(runner, email="ADE.admin@northdale.example")

    assert result.exit_code != 0
    assert "already exists" in result.output


def test_users_create_and_disable_are_audited_by_field_name(app, runner, team):
    _create(runner, "--totp")
    runner.invoke(args=["users", "disable", "ade.admin@northdale.example"])

    with app.app_context():
        events = {
            e.action: e for e in db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id))
        }
        user_id = db.session.scalar(sa.select(User.id))
        assert events["user.created"].object_id == user_id
        assert events["user.created"].fields == [
            "email", "display_name", "password_hash", "totp_secret",
        ]  # fmt: skip
        assert events["user.created"].actor_type == "system"
        assert events["membership.created"].fields == ["user_id", "team_id", "role"]
        assert events["user.disabled"].fields == ["is_active"]


def test_users_disable_names_no_account_it_cannot_find(runner):
    result = runner.invoke(args=["users", "disable", "nobody@northdale.example"])

    assert result.exit_code != 0
    assert "there is no account with that email address" in result.output


def test_a_team_slug_used_by_two_organisations_must_be_qualified(app, runner, team):
    with app.app_context():
        other = Organisation(name="Northdale Homes", slug="northdale-homes")
        db.session.add(Team(organisation=other, name="ASB (Homes)", slug="asb-team"))
        db.session.commit()

    ambiguous = _create(runner)
    qualified = runner.invoke(
        args=["users", "create", "--email", "h@northdale.example", "--name", "Hana Housing",
              "--team", "northdale-homes/asb-team", "--role", "officer", "--password-stdin"],
        input=PASSWORD + "\n",
    )  # fmt: skip

    assert ambiguous.exit_code != 0
    assert "ORGANISATION/TEAM" in ambiguous.output
    assert qualified.exit_code == 0, qualified.output
    assert "ASB (Homes)" in qualified.output
