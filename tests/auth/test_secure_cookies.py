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
