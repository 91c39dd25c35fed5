"""Abuse resistance: rate limits that survive a Redis outage, the honeypot, and request sizes."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from forms_app.models import Submission
from forms_app.public.models import Draft
from tests.public.public_helpers import Browser, asb_answers, reference_on


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

    assert '<div class="sf-hp">' in check
    assert 'tabindex="-1"' in check


@pytest.mark.parametrize("app_config", [{"MAX_CONTENT_LENGTH": 2000}], indirect=True)
def test_an_oversized_request_gets_the_too_large_page(browser: Browser, store):
    browser.walk(asb_answers(), stop_at="describe")

    response = browser.answer("describe", {"what_happened": "x" * 5000})

    assert response.status == 413
    assert "too large" in response.html.lower()
    assert browser.get(browser.url("threats")).status == 200
