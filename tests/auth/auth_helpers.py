"""Helpers for the sign-in tests: make a member of staff, and drive the real forms."""

from __future__ import annotations

import re
import time
from types import SimpleNamespace

import pyotp

PASSWORD = "correct horse battery staple"
EMAIL = "olu.officer@northdale.example"


def make_staff(
    app,
    *,
    email=EMAIL,
    name="Olu Officer",
    password=PASSWORD,
    totp=False,
    team_slug="asb-team",
    role="officer",
):
    """A member of staff in a team (created with the organisation and team if missing)."""
    from sqlalchemy import select

    from forms_app.auth import service
    from forms_app.extensions import db
    from forms_app.models import Organisation, Role, Team

    with app.app_context():
        team = db.session.scalar(select(Team).where(Team.slug == team_slug))
        if team is None:
            organisation = db.session.scalar(
                select(Organisation).where(Organisation.slug == "northdale-council")
            ) or Organisation(name="Northdale Borough Council", slug="northdale-council")
            team = Team(organisation=organisation, name=f"Team {team_slug}", slug=team_slug)
            db.session.add(team)
            db.session.commit()
        user, secret = service.create_user(
            email=email,
            display_name=name,
            password=password,
            team=team,
            role=Role(role),
            with_totp=totp,
        )
        return SimpleNamespace(id=user.id, email=email, password=password, secret=secret, name=name)


def csrf_token(client, path="/staff/sign-in"):
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page
    )
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def sign_in(client, email=EMAIL, password=PASSWORD, **kwargs):
    token = csrf_token(client)
    return client.post(
        "/staff/sign-in",
        data={"csrf_token": token, "email": email, "password": password},
        **kwargs,
    )


def enter_code(client, code, path="/staff/sign-in/code", **kwargs):
    token = csrf_token(client, path)
    return client.post(path, data={"csrf_token": token, "code": code}, **kwargs)


def sign_out(client):
    token = csrf_token(client, "/staff/")
    return client.post("/staff/sign-out", data={"csrf_token": token})


def session_cookie(client):
    cookie = client.get_cookie("sf_staff")
    return cookie.value if cookie is not None else None


def current_code(secret):
    return pyotp.TOTP(secret).now()


def wrong_code(secret):
    """A well-formed code that is not valid in the current window."""
    totp = pyotp.TOTP(secret)
    valid = {totp.at(time.time() + offset) for offset in (-60, -30, 0, 30, 60)}
    candidate = 123456
    while f"{candidate:06d}" in valid:
        candidate += 1
    return f"{candidate:06d}"


def without_csrf(html):
    """The page with its CSRF token blanked, which differs on every render."""
    return re.sub(r'(name="csrf_token"[^>]*value=")[^"]*', r"\1", html)


__all__ = [
    "EMAIL",
    "PASSWORD",
    "csrf_token",
    "current_code",
    "enter_code",
    "make_staff",
    "session_cookie",
    "sign_in",
    "sign_out",
    "without_csrf",
    "wrong_code",
]
