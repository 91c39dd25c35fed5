"""Requests no browser sends, at the HTTP level: each gets a clear 4xx page, never a 500.

Found by sending hostile requests to the service under gunicorn: a NUL byte in the draft
cookie (which PostgreSQL refuses), a multipart part without a name (which broke the CSRF
check), a malformed chunked body (which gunicorn reports while the form is read), and a Host
header that is not a host name (for which the error page itself could not be built).
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.jobs.pipeline_support import worker_environment
from tests.public.public_helpers import Browser

DRAFT_COOKIE = "sf_draft_asb-report"
# A cookie of the right length whose id starts with a NUL byte (octal escape in a quoted cookie).
NUL_COOKIE = f'{DRAFT_COOKIE}="\\000{"a" * 35}.{"A" * 43}"'
UNNAMED_PART = b"--XX\r\nContent-Disposition: form-data\r\n\r\nfoo\r\n--XX--\r\n"


def test_a_draft_cookie_holding_a_nul_byte_is_no_draft(app) -> None:
    # Without a cookie jar, so that the header goes as written.
    page = app.test_client(use_cookies=False).get("/f/asb-report", headers={"Cookie": NUL_COOKIE})

    assert page.status_code == 200
    assert "Report anti-social behaviour" in page.get_data(as_text=True)


def test_a_form_part_without_a_name_is_refused_and_the_draft_kept(browser: Browser) -> None:
    browser.answer("", {})
    browser.answer("danger", {"in_danger": "no"})

    refused = browser.client.post(
        browser.url("your-role"),
        data=UNNAMED_PART,
        content_type="multipart/form-data; boundary=XX",
    )
    danger = browser.get(browser.url("danger")).html

    assert refused.status_code == 400
    assert "Sorry, there is a problem with your request" in refused.get_data(as_text=True)
    assert 'value="no" checked' in danger


def test_a_host_that_is_not_a_host_name_gets_a_plain_400(client) -> None:
    answered = client.get("/f/asb-report", headers={"Host": ".."})

    assert answered.status_code == 400
    text = answered.get_data(as_text=True)
    assert "Sorry, there is a problem with your request" in text
    assert ".." not in text and "Traceback" not in text


def _raw(base: str, request: bytes) -> tuple[int, bytes]:
    """Send bytes as they are and return the status and the whole answer."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=20) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return int(answer.split(b" ", 2)[1]), answer


def _post(path: str, body: bytes, *headers: str) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: localhost", "Connection: close", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


@pytest.mark.parametrize(
    "chunks",
    [
        b"zz\r\nabc\r\n0\r\n\r\n",  # not a number
        b"-5\r\nabc\r\n0\r\n\r\n",  # negative
        b"3;\x01=\x02\r\nabc\r\n0\r\n\r\n",  # a broken extension
        b"3\r\nabcdef0\r\n\r\n",  # no line break after the data
    ],
)
def test_under_gunicorn_hostile_requests_get_4xx_pages_and_no_traceback(
    app, start_server, tmp_path: Path, chunks: bytes
) -> None:
    env = worker_environment(app.config, "")
    env.pop("REDIS_URL")
    base = start_server(env, "--worker-class", "gthread", "--threads", "2")
    form = "Content-Type: application/x-www-form-urlencoded"

    chunked = _raw(base, _post("/f/asb-report", chunks, form, "Transfer-Encoding: chunked"))
    unnamed = _raw(
        base,
        _post(
            "/f/asb-report",
            UNNAMED_PART,
            "Content-Type: multipart/form-data; boundary=XX",
            f"Content-Length: {len(UNNAMED_PART)}",
        ),
    )
    bad_host = _raw(base, b"GET /healthz HTTP/1.1\r\nHost: ..\r\nConnection: close\r\n\r\n")
    nul_cookie = _raw(
        base,
        f"GET /f/asb-report HTTP/1.1\r\nHost: localhost\r\nCookie: {NUL_COOKIE}\r\n"
        "Connection: close\r\n\r\n".encode(),
    )

    assert [chunked[0], unnamed[0], bad_host[0], nul_cookie[0]] == [400, 400, 400, 200]
    assert b"Sorry, there is a problem with your request" in chunked[1]
    port = base.rsplit(":", 1)[1]
    log = (tmp_path / f"gunicorn-{port}.log").read_text()
    assert "Traceback" not in log and "unhandled error" not in log
