"""Abuse resistance: rate limits (shared by workers through Redis, and surviving its outage),
the honeypot, and request sizes."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
import requests
from sqlalchemy import select

from forms_app.models import Submission
from forms_app.public.models import Draft
from tests.jobs.pipeline_support import (
    flushed_redis,
    worker_environment,
)
from tests.public.public_helpers import CSRF, Browser, asb_answers, reference_on

HONEYPOT = re.compile(r'<div class="sf-hp"([^>]*)>(.*?)</div>', re.S)
# The public rate limit tests own this Redis database number and flush only it.
PUBLIC_REDIS_DB = 13


@pytest.fixture
def app_config(forms_dir: Path, request: pytest.FixtureRequest) -> dict[str, object]:
    extra = getattr(request, "param", {})
    return {"FORMS_DIR": forms_dir, **extra}


# Windows of a day: the sliding-window counter can let one request through just after a
# window's boundary, which a minute-long window would make a flaky test.
@pytest.mark.parametrize("app_config", [{"FORM_PAGE_LIMIT": "3 per day"}], indirect=True)
def test_page_posts_are_limited_per_client_address(browser: Browser):
    statuses = [browser.answer("danger", {}).status for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    refused = browser.answer("danger", {})
    assert "Too many attempts" in refused.html
    assert "If you are in danger now, call 999." in refused.html


@pytest.mark.parametrize("app_config", [{"FORM_PAGE_LIMIT": "1 per day"}], indirect=True)
def test_reading_pages_is_never_limited(browser: Browser, client):
    browser.answer("danger", {})
    assert browser.answer("danger", {}).status == 429

    # Someone whose answers are refused for a while can still read where they were and what
    # to do, however often they reload.
    for _ in range(5):
        page = browser.get(browser.url("danger"))
        assert page.status == 200
        assert "Is anyone in immediate danger?" in page.html
    assert client.head(browser.url("danger")).status_code == 200
    assert browser.answer("danger", {}).status == 429


@pytest.mark.parametrize("app_config", [{"FORM_PAGE_LIMIT": "3 per day"}], indirect=True)
def test_the_limit_is_per_address(browser: Browser, client):
    for _ in range(3):
        browser.answer("danger", {})

    elsewhere = client.post(
        "/f/asb-report/danger",
        data={"csrf_token": browser.token()},
        environ_base={"REMOTE_ADDR": "198.51.100.7"},
    )

    assert browser.answer("danger", {}).status == 429
    assert elsewhere.status_code == 200


@pytest.mark.parametrize(
    "app_config",
    [{"FORM_SUBMIT_LIMIT": "1 per day", "FORM_PAGE_LIMIT": "1000 per minute"}],
    indirect=True,
)
def test_submissions_are_limited_per_client_address(app, store):
    reference_on(Browser(app.test_client()).walk(asb_answers()))

    second = Browser(app.test_client())
    second.walk(asb_answers(), stop_at="check-your-answers")
    refused = second.answer("check-your-answers", {"declaration": "yes"})

    assert refused.status == 429
    assert len(store.all(select(Submission))) == 1


@pytest.mark.parametrize(
    "app_config",
    [{"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1/0", "FORM_PAGE_LIMIT": "3 per day"}],
    indirect=True,
)
def test_an_unreachable_redis_never_turns_pages_into_errors(browser: Browser):
    statuses = [browser.answer("danger", {"in_danger": "no"}).status for _ in range(5)]
    pages = [browser.get(browser.url("your-role")).status for _ in range(2)]

    assert set(statuses) <= {303, 429}
    assert statuses[0] == 303
    assert statuses[-1] == 429
    assert set(pages) == {200}


class _TimerThatCannotStart(threading.Timer):
    """What two threads racing to start the in-memory storage's expiry timer meet (limits #26)."""

    def start(self) -> None:
        raise RuntimeError("threads can only be started once")


@pytest.mark.parametrize(
    "app_config",
    [{"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1/0", "FORM_PAGE_LIMIT": "3 per day"}],
    indirect=True,
)
def test_a_failing_in_memory_fallback_never_turns_pages_into_errors(
    browser: Browser, store, monkeypatch
):
    monkeypatch.setattr(threading, "Timer", _TimerThatCannotStart)

    answered = browser.answer("danger", {"in_danger": "no"})
    walked = browser.walk(asb_answers())

    assert answered.status == 303
    assert reference_on(walked)
    assert len(store.all(select(Submission))) == 1


@pytest.fixture
def redis_url() -> Iterator[str]:
    yield from flushed_redis(PUBLIC_REDIS_DB)


@pytest.mark.redis
def test_with_redis_two_workers_count_page_posts_together(app, redis_url, start_server):
    env = worker_environment(app.config, redis_url, SAFERFORMS_FORM_PAGE_LIMIT="3 per day")
    # As in production: REDIS_URL alone says where the limits are counted.
    env.pop("RATELIMIT_STORAGE_URI")
    workers = [start_server(env), start_server(env)]
    person = requests.Session()
    first_page = person.get(workers[0] + "/f/asb-report", timeout=10).text
    found = CSRF.search(first_page)
    assert found is not None

    posted = [
        person.post(
            workers[number % 2] + "/f/asb-report/danger",
            data={"csrf_token": found.group(1)},
            timeout=10,
        )
        for number in range(4)
    ]

    assert [response.status_code for response in posted] == [200, 200, 200, 429]
    assert "Too many attempts" in posted[-1].text
    assert "If you are in danger now, call 999." in posted[-1].text
    with redis.Redis.from_url(redis_url) as counted:
        assert any(b"form-page-posts" in key for key in counted.keys())


def test_a_filled_honeypot_looks_sent_but_stores_nothing(browser: Browser, store):
    browser.walk(asb_answers(), stop_at="check-your-answers")

    sent = browser.answer(
        "check-your-answers", {"declaration": "yes", "website": "http://spam.example"}
    )
    page = sent.follow(browser)

    assert "Report sent" in page.html
    assert reference_on(page).startswith("ASB-")
    assert store.all(select(Submission)) == []
    assert store.all(select(Draft)) == []


def test_the_honeypot_is_hidden_from_people_and_assistive_technology(browser: Browser):
    browser.walk(asb_answers(), stop_at="check-your-answers")

    check = browser.get(browser.url("check-your-answers")).html
    welsh = browser.get(browser.url("check-your-answers") + "?lang=cy").html
    with browser.client.get("/static/css/app.css") as served:
        stylesheet = served.get_data(as_text=True)

    wrapper = HONEYPOT.search(check)
    assert wrapper is not None
    attributes, inside = wrapper.groups()
    assert attributes == ' aria-hidden="true"'
    assert re.search(r'<input [^>]*id="website" name="website"[^>]*tabindex="-1"', inside)
    assert '<label for="website">Leave this field empty</label>' in inside
    assert '<label for="website">Gadewch y maes hwn yn wag</label>' in welsh
    assert '<link rel="stylesheet" href="/static/css/app.css">' in check
    assert re.search(r"\.sf-hp \{\s*display: none !important;", stylesheet)


@pytest.mark.parametrize("app_config", [{"MAX_CONTENT_LENGTH": 2000}], indirect=True)
def test_an_oversized_request_gets_the_too_large_page(browser: Browser, store):
    browser.walk(asb_answers(), stop_at="describe")

    response = browser.answer("describe", {"what_happened": "x" * 5000})

    assert response.status == 413
    assert "too large" in response.html.lower()
    assert browser.get(browser.url("threats")).status == 200
