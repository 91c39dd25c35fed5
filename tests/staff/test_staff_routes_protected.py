"""Every /staff route, apart from signing in and out, needs a signed-in member of staff."""

from __future__ import annotations

import uuid

from werkzeug.routing import IntegerConverter, UUIDConverter

from forms_app.auth.guard import require_signed_in
from forms_app.auth.routes import OPEN_ENDPOINTS, PENDING_ENDPOINTS
from tests.auth.auth_helpers import csrf_token, make_staff, session_cookie, sign_in


def _staff_requests(app, exempt):
    """(method, url) for every /staff rule not in `exempt`, with made-up values for arguments."""
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/staff") or rule.endpoint in exempt:
            continue
        values = {}
        for name in rule.arguments:
            converter = rule._converters[name]
            if isinstance(converter, IntegerConverter):
                values[name] = 1
            elif isinstance(converter, UUIDConverter):
                values[name] = uuid.uuid4()
            else:
                values[name] = "x"
        with app.test_request_context():
            from flask import url_for

            url = url_for(rule.endpoint, **values)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, url


def _assert_sent_to_sign_in(client, requests, token):
    seen = []
    for method, url in requests:
        data = None if method == "GET" else {"csrf_token": token}
        response = client.open(url, method=method, data=data)
        assert response.status_code == 303, f"{method} {url} answered {response.status_code}"
        assert response.headers["Location"] == "/staff/sign-in", f"{method} {url}"
        seen.append((method, url))
    return seen


def test_every_staff_route_sends_a_visitor_who_is_not_signed_in_to_sign_in(app, client):
    token = csrf_token(client)

    seen = _assert_sent_to_sign_in(client, _staff_requests(app, OPEN_ENDPOINTS), token)

    assert ("GET", "/staff/") in seen
    assert ("GET", "/staff/sign-in/code") in seen
    assert ("POST", "/staff/account/two-factor") in seen


def test_a_password_without_its_second_factor_opens_no_staff_route(app, client):
    make_staff(app, totp=True)
    sign_in(client)
    assert session_cookie(client) is not None
    token = csrf_token(client, "/staff/sign-in/code")

    seen = _assert_sent_to_sign_in(
        client, _staff_requests(app, OPEN_ENDPOINTS | PENDING_ENDPOINTS), token
    )

    assert ("GET", "/staff/") in seen


def test_the_check_is_attached_to_the_staff_blueprint_itself(app):
    assert require_signed_in in app.before_request_funcs["staff"]


def test_the_open_routes_are_only_signing_in_and_out(app):
    open_rules = {rule.rule for rule in app.url_map.iter_rules() if rule.endpoint in OPEN_ENDPOINTS}

    assert open_rules == {"/staff/sign-in", "/staff/sign-out"}
