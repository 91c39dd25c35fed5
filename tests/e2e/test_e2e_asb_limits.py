"""The pages a person sees when a request is refused for its size (413) or for coming too often
(429): reached in a real browser, passing axe, and saying in plain words what happened."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import LiveServer, start_live_server, stop_live_server
from tests.e2e.e2e_helpers import (
    DESKTOP,
    Driver,
    anonymous_journey,
    assert_page_is_sound,
    new_page,
)

pytestmark = pytest.mark.browser

REQUEST_BYTES = 16 * 1024


@pytest.fixture
def small_requests_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live, server, thread = start_live_server(
        tmp_path_factory.mktemp("small"), MAX_CONTENT_LENGTH=REQUEST_BYTES
    )
    try:
        yield live
    finally:
        stop_live_server(live, server, thread)


@pytest.fixture
def few_posts_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live, server, thread = start_live_server(
        tmp_path_factory.mktemp("few"), FORM_PAGE_LIMIT="3 per day"
    )
    try:
        yield live
    finally:
        stop_live_server(live, server, thread)


def submit(page: Any, driver: Driver) -> int:
    """Press continue; return the HTTP status of the page it leads to."""
    button = 'main form button[type="submit"]:not(.govuk-button--secondary)'
    with page.expect_navigation() as navigation:
        page.click(button)
    response = navigation.value
    assert response is not None
    return int(response.status)


def test_an_answer_too_long_to_send_shows_the_too_large_page(chromium, small_requests_server):
    page = new_page(chromium, DESKTOP)
    driver = Driver(page, small_requests_server.url)
    page.goto(driver.url(""))
    for step in anonymous_journey():
        if step.path == "describe":
            break
        for action in step.actions:
            driver.act(action)
        assert submit(page, driver) == 200

    # Not a page that asks for files, so the application's own limit applies.
    page.fill('[name="what_happened"]', "Loud music and shouting. " * (REQUEST_BYTES // 20))
    status = submit(page, driver)

    assert status == 413
    assert_page_is_sound(page, "413")
    assert page.locator("h1").inner_text() == "The file or answer you sent is too large"
    assert "send a smaller file or a shorter answer" in page.locator("main").inner_text()
    # It says nothing already saved has been lost: the answers before this page are still there.
    page.goto(driver.url("threats"))
    assert page.is_checked('input[name="threats_of_violence"][value="no"]')
    page.context.close()


def test_posting_pages_too_often_shows_the_too_many_attempts_page(chromium, few_posts_server):
    page = new_page(chromium, DESKTOP)
    driver = Driver(page, few_posts_server.url)
    page.goto(driver.url(""))

    statuses = [submit(page, driver) for _ in range(4)]

    # The start page, then the danger question twice with no answer; the fourth is refused.
    assert statuses == [200, 200, 200, 429]
    assert_page_is_sound(page, "429")
    assert page.locator("h1").inner_text() == "Too many attempts"
    text = page.locator("main").inner_text()
    assert "Wait a few minutes, then try again" in text
    assert "call 999" in text
    page.context.close()
