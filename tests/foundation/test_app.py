"""Configuration, start-up, health, security headers and error pages."""

from __future__ import annotations

import logging

import pytest

from forms_app import create_app
from forms_app.config import ConfigError, config_for
from forms_app.crypto.providers import generate_env_keys
from tests.conftest import _test_config


def test_production_refuses_to_start_and_names_what_is_missing(monkeypatch) -> None:
    for name in ["DATABASE_URL", "SECRET_KEY", *generate_env_keys()]:
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigError) as raised:
        config_for("production").validate()
    message = str(raised.value)
    for name in [
        "DATABASE_URL",
        "SECRET_KEY",
        "SAFERFORMS_DATA_KEYS",
        "SAFERFORMS_INDEX_KEY",
        "SAFERFORMS_INTAKE_PUBLIC_KEY",
    ]:
        assert name in message


def test_production_starts_with_everything_set_and_requires_two_factor() -> None:
    env = {"DATABASE_URL": "sqlite://", "SECRET_KEY": "x" * 32, **generate_env_keys()}
    config = config_for("production", env)
    config.validate()
    assert config.REQUIRE_TOTP is True
    assert config.SESSION_COOKIE_SECURE is True


def test_an_unknown_environment_name_is_an_error() -> None:
    with pytest.raises(ConfigError, match="staging"):
        config_for("staging")


def test_the_web_process_holds_no_intake_private_key_when_workers_are_separate(tmp_path) -> None:
    app = create_app(_test_config("sqlite://", tmp_path / "i", REDIS_URL="redis://127.0.0.1:1/0"))
    assert app.extensions["saferforms.crypto"].intake_private is None
    worker = create_app(
        _test_config("sqlite://", tmp_path / "i", REDIS_URL="redis://127.0.0.1:1/0"),
        process="worker",
    )
    assert worker.extensions["saferforms.crypto"].intake_private is not None


def _pages(app) -> list[str]:  # type: ignore[no-untyped-def]
    """Every GET route without arguments, plus a missing page."""
    paths = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and not rule.arguments and rule.endpoint != "static"
    ]
    return sorted(paths) + ["/no-such-page"]


def _responses(client, app):  # type: ignore[no-untyped-def]
    """Every GET route without arguments, form pages, a refused POST and a redirecting one."""
    for path in [*_pages(app), "/f/asb-report/danger", "/f/asb-report/check-your-answers"]:
        yield f"GET {path}", client.get(path)
    yield "POST without CSRF", client.post("/f/asb-report/danger", data={"in_danger": "no"})
    yield "POST sign-in without CSRF", client.post("/staff/sign-in", data={"email": "x"})


def test_every_response_carries_the_security_headers(client, app) -> None:
    seen = set()
    for path, response in _responses(client, app):
        seen.add(response.status_code)
        headers = response.headers
        csp = headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp, path
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp, path
        assert headers["X-Content-Type-Options"] == "nosniff", path
        assert headers["Referrer-Policy"] == "no-referrer", path
        assert headers["Cache-Control"] == "no-store", path
    assert {200, 303, 400, 404} <= seen, seen


def test_hsts_is_sent_over_https_only(client) -> None:
    assert "Strict-Transport-Security" not in client.get("/healthz").headers
    secure = client.get("/healthz", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_pages_carry_no_inline_script(client) -> None:
    html = client.get("/").get_data(as_text=True)
    assert "<script>" not in html
    assert "<script src=" in html


def test_a_missing_page_is_a_plain_not_found_page(client) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_an_unexpected_error_shows_no_traceback_or_data(app, client, caplog) -> None:
    @app.get("/explode")
    def explode() -> str:
        raise RuntimeError("Secret Surname leaked")

    with caplog.at_level(logging.ERROR):
        response = client.get("/explode")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Secret Surname" not in body and "Traceback" not in body
    assert "Sorry, there is a problem with the service" in body
    assert "Secret Surname" not in caplog.text


def test_health_reports_503_and_the_page_says_unavailable_when_the_database_is_down(
    tmp_path,
) -> None:
    app = create_app(
        _test_config("postgresql+psycopg://nobody@127.0.0.1:1/none", tmp_path / "instance")
    )
    client = app.test_client()
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.get_json()["database"] == {"ok": False, "error": "database unavailable"}
    assert health.get_json()["status"] == "unavailable"

    # A person part way through the form: saving their answer needs the database.
    from tests.public.public_helpers import Browser, asb_answers

    browser = Browser(client)
    page = browser.post(browser.url("danger"), asb_answers()["danger"])
    assert page.status == 503
    assert "Sorry, the service is unavailable" in page.html
    assert "Traceback" not in page.html and "OperationalError" not in page.html


def test_health_reports_the_queue_down_as_degraded_not_down(client, app) -> None:
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"
    body = client.get("/healthz").get_json()
    assert body["queue"]["ok"] is False
    assert body["status"] == "degraded"


SAMPLE_ARGUMENTS = {"slug": "asb-report", "page_id": "people-responsible", "number": 1}


def test_every_post_route_refuses_a_request_without_the_csrf_token(client, app) -> None:
    """A page on another site cannot make a visitor's or a member of staff's browser post."""
    posted = []
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods:
            continue
        values = {name: SAMPLE_ARGUMENTS.get(name, "x") for name in rule.arguments}
        with app.test_request_context():
            from flask import url_for

            path = url_for(rule.endpoint, **values)
        response = client.post(path, data={"anything": "yes"})
        assert response.status_code == 400, (path, response.status_code)
        assert "Traceback" not in response.get_data(as_text=True)
        posted.append(path)
    assert "/f/asb-report/check-your-answers" in posted
    assert "/staff/sign-in" in posted
    assert len(posted) >= 8, posted


def test_every_stylesheet_script_and_image_a_page_links_to_is_served_from_this_service(
    client,
) -> None:
    """GOV.UK Frontend comes from npm through bin/install-assets and is served here, never from
    a CDN: an install that failed would leave pages unstyled, and axe could still pass."""
    import re

    html = client.get("/f/asb-report").get_data(as_text=True)
    links = re.findall(r'(?:href|src)="([^"]+\.(?:css|js|ico|png|svg))"', html)
    assert any(link.endswith("govuk-frontend.min.css") for link in links), links
    for link in links:
        assert link.startswith("/"), f"{link} is not served by this service"
        with client.get(link) as response:
            assert response.status_code == 200, link
            assert len(response.data) > 0, link
    with client.get(next(link for link in links if "govuk-frontend" in link)) as css:
        stylesheet = css.get_data(as_text=True)
    fonts = re.findall(r'url\("?(/[^")]+\.woff2)"?\)', stylesheet)
    assert fonts, "the stylesheet names no fonts served here"
    with client.get(fonts[0]) as font:
        assert font.status_code == 200, fonts[0]
