"""Server-side staff sessions: sign-out, disabling, timeouts, new ids and cookie flags."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import sqlalchemy as sa

from forms_app.extensions import db
from forms_app.models import AuditEvent, StaffSession, User, utcnow
from tests.auth.auth_helpers import session_cookie, sign_in, sign_out


def _age_sessions(app, **values):
    with app.app_context():
        db.session.execute(sa.update(StaffSession).values(**values))
        db.session.commit()


def test_signing_out_ends_the_session_on_the_server(client, staff):
    sign_in(client)
    cookie = session_cookie(client)

    response = sign_out(client)

    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/sign-in"
    assert "You have signed out" in client.get("/staff/sign-in").get_data(as_text=True)
    # The old cookie, replayed, no longer opens anything.
    client.set_cookie("sf_staff", cookie)
    assert client.get("/staff/").status_code == 303


def test_signing_out_clears_the_cookie(client, staff):
    sign_in(client)

    sign_out(client)

    assert session_cookie(client) is None


def test_signing_out_needs_a_post_with_a_csrf_token(client, staff):
    sign_in(client)

    assert client.get("/staff/sign-out").status_code == 405
    assert client.post("/staff/sign-out").status_code == 400
    assert client.get("/staff/").status_code == 200


def test_disabling_a_user_ends_all_their_sessions_at_once(app, runner, staff):
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop)
    sign_in(phone)
    assert laptop.get("/staff/").status_code == 200

    result = runner.invoke(args=["users", "disable", staff.email])

    assert result.exit_code == 0, result.output
    assert "ended 2 signed-in session(s)" in result.output
    assert laptop.get("/staff/").status_code == 303
    assert phone.get("/staff/").status_code == 303
    with app.app_context():
        assert (
            db.session.scalar(sa.select(sa.func.count()).where(StaffSession.revoked_at.is_(None)))
            == 0
        )


def test_a_disabled_user_is_refused_even_before_their_sessions_are_revoked(app, client, staff):
    sign_in(client)
    with app.app_context():
        db.session.execute(sa.update(User).values(is_active=False))
        db.session.commit()

    assert client.get("/staff/").status_code == 303


def test_an_idle_session_ends_and_says_why(app, client, staff):
    sign_in(client)
    idle = app.config["STAFF_IDLE_TIMEOUT"]
    _age_sessions(app, last_seen_at=utcnow() - idle - timedelta(seconds=1))

    response = client.get("/staff/")

    assert response.status_code == 303
    assert "had not done anything for a while" in client.get("/staff/sign-in").get_data(
        as_text=True
    )
    _age_sessions(app, last_seen_at=utcnow())
    assert client.get("/staff/").status_code == 303


def test_activity_keeps_a_session_alive(app, client, staff):
    sign_in(client)
    idle = app.config["STAFF_IDLE_TIMEOUT"]
    _age_sessions(app, last_seen_at=utcnow() - idle + timedelta(minutes=1))

    assert client.get("/staff/").status_code == 200

    with app.app_context():
        seen = db.session.scalar(sa.select(StaffSession.last_seen_at))
    assert utcnow() - seen < timedelta(minutes=1)


def test_a_session_ends_at_its_absolute_limit_however_active(app, client, staff):
    sign_in(client)
    with app.app_context():
        created = db.session.scalar(sa.select(StaffSession.created_at))
        assert db.session.scalar(sa.select(StaffSession.expires_at)) == (
            created + app.config["STAFF_ABSOLUTE_TIMEOUT"]
        )
    _age_sessions(app, expires_at=utcnow() - timedelta(seconds=1), last_seen_at=utcnow())

    response = client.get("/staff/")

    assert response.status_code == 303
    assert "signed in for too long" in client.get("/staff/sign-in").get_data(as_text=True)


def test_every_sign_in_gets_a_new_session_id_and_ends_the_old_one(client, staff):
    sign_in(client)
    first = session_cookie(client)

    sign_out(client)
    sign_in(client)
    second = session_cookie(client)

    assert first != second
    client.set_cookie("sf_staff", first)
    assert client.get("/staff/").status_code == 303


def test_a_session_id_planted_before_sign_in_is_not_kept(client, staff):
    client.set_cookie("sf_staff", "planted-by-someone-else")

    sign_in(client)

    assert session_cookie(client) != "planted-by-someone-else"
    assert client.get("/staff/").status_code == 200


def test_the_database_holds_only_a_hash_of_the_session_token(app, client, staff):
    sign_in(client)
    token = session_cookie(client)

    with app.app_context():
        stored = db.session.scalars(sa.select(StaffSession.token_hash)).all()

    assert stored == [hashlib.sha256(token.encode()).hexdigest()]
    assert token not in stored


def test_the_session_cookie_is_http_only_and_same_site_lax(client, staff):
    response = sign_in(client)

    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("sf_staff="))
    flags = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert "httponly" in flags
    assert "samesite=lax" in cookie.lower()
    assert "path=/" in cookie.lower()
    assert "expires" not in flags and "max-age" not in flags


def test_sign_in_and_sign_out_are_audited_with_the_user_as_actor(app, client, staff):
    sign_in(client)
    sign_out(client)

    with app.app_context():
        events = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action.in_(["sign_in.succeeded", "sign_out"]))
        ).all()
        assert [(e.action, e.actor_id) for e in events] == [
            ("sign_in.succeeded", staff.id),
            ("sign_out", staff.id),
        ]
