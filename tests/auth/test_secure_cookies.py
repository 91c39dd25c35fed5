"""With secure cookies configured (production's default), the session cookie is Secure."""

from __future__ import annotations

import re

import pytest


@pytest.fixture
def app_config():
    return {"SESSION_COOKIE_SECURE": True}


def test_the_session_cookie_is_marked_secure(client, staff):
    page = client.get("/staff/sign-in", base_url="https://localhost").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)

    response = client.post(
        "/staff/sign-in",
        base_url="https://localhost",
        # Over HTTPS Flask-WTF also checks that the form came from this site.
        headers={"Referer": "https://localhost/staff/sign-in"},
        data={"csrf_token": token, "email": staff.email, "password": staff.password},
    )

    assert response.status_code == 303
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("sf_staff="))
    parts = {part.strip().lower() for part in cookie.split(";")}
    assert "secure" in parts
    assert "httponly" in parts
    assert "samesite=lax" in parts


def test_production_defaults_to_secure_cookies_and_required_codes():
    from forms_app.config import ProductionConfig

    config = ProductionConfig({})

    assert config.SESSION_COOKIE_SECURE is True
    assert config.REQUIRE_TOTP is True


def test_sessions_survive_a_secret_key_rotation_and_end_when_the_old_key_is_dropped(app, client):
    """The session's signer is made once per set of keys, so a rotation must still be seen."""
    with client.session_transaction() as session:
        session["sf_lang"] = "cy"
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None

    def session_read() -> dict[str, object]:
        headers = {"Cookie": f"{cookie.key}={cookie.value}"}
        with app.test_request_context("/", headers=headers):
            from flask import request

            return dict(app.session_interface.open_session(app, request) or {})

    assert session_read() == {"sf_lang": "cy"}

    old_key = app.secret_key
    app.config["SECRET_KEY"] = app.secret_key = "a-new-secret-key-for-this-test-0123456789"
    app.config["SECRET_KEY_FALLBACKS"] = [old_key]
    assert session_read() == {"sf_lang": "cy"}

    app.config["SECRET_KEY_FALLBACKS"] = []
    assert session_read() == {}


def test_a_session_read_before_is_still_read_afresh_for_its_age_and_its_contents(
    app, client, monkeypatch
):
    """A cookie already checked is not checked again, but it still expires, and what one
    request changes in the session is not seen by a request that sends the same cookie."""
    import forms_app.sessions as sessions

    with client.session_transaction() as session:
        session["sf_confirmation"] = {"reference": "ASB-7KQ3-MX2P"}
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None

    def session_opened():
        headers = {"Cookie": f"{cookie.key}={cookie.value}"}
        with app.test_request_context("/", headers=headers):
            from flask import request

            return app.session_interface.open_session(app, request)

    first = session_opened()
    first["sf_confirmation"]["reference"] = "changed by one request"
    first["sf_lang"] = "cy"
    assert dict(session_opened()) == {"sf_confirmation": {"reference": "ASB-7KQ3-MX2P"}}

    lifetime = int(app.permanent_session_lifetime.total_seconds())
    signed_now = sessions._now()
    monkeypatch.setattr(sessions, "_now", lambda: signed_now + lifetime + 5)
    assert dict(session_opened()) == {}


def test_a_tampered_session_cookie_is_an_empty_session(app, client):
    with client.session_transaction() as session:
        session["sf_lang"] = "cy"
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    payload, _, rest = cookie.value.partition(".")
    forged = payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1] + "." + rest

    for value in (cookie.value, forged, forged):
        with app.test_request_context("/", headers={"Cookie": f"{cookie.key}={value}"}):
            from flask import request

            opened = dict(app.session_interface.open_session(app, request) or {})
        assert opened == ({"sf_lang": "cy"} if value == cookie.value else {})
