"""The public ASB form in a real browser: every page and error state passes axe (WCAG 2.2 AA),
on a desktop and a 375-pixel phone, with the keyboard alone, and with JavaScript switched off."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import LiveServer, start_live_server, stop_live_server
from tests.e2e.e2e_helpers import (
    DESKTOP,
    PNG,
    Driver,
    asb_journey,
    assert_page_is_sound,
    new_page,
    stored,
)

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}


@pytest.fixture
def evidence(tmp_path: Path) -> Path:
    path = tmp_path / "street at night.png"
    path.write_bytes(PNG)
    return path


def complete_the_form(
    page: Any,
    driver: Driver,
    evidence: Path,
    *,
    audit: bool,
    mobile: bool = False,
    detours: bool = False,
) -> str:
    """Go through every page; with `audit`, check each page and each error state with axe."""

    def sound(where: str) -> None:
        if audit:
            assert_page_is_sound(page, where, mobile=mobile)

    page.goto(driver.url(""))
    sound("start page")
    if audit:
        page.goto(driver.url("") + "?lang=cy")
        assert page.locator("html").get_attribute("lang") == "cy"
        sound("start page in Welsh")
        driver.follow('a[hreflang="en"]')
        assert page.locator("html").get_attribute("lang") == "en"
    visits: dict[str, int] = {}
    for step in asb_journey(evidence):
        assert driver.path() == step.path, f"expected {step.path!r}, on {page.url}"
        visits[step.path] = visits.get(step.path, 0) + 1
        sound(step.path)
        if audit and step.required:
            driver.submit()
            assert driver.path() == step.path
            assert page.locator(".govuk-error-summary").is_visible(), step.path
            assert page.title().startswith("Error: ")
            sound(f"{step.path} with errors")
        if detours and step.path == "people-responsible" and visits[step.path] == 2:
            remove_page_detour(page, driver, sound)
        for action in step.actions:
            driver.act(action)
        driver.submit()
        if detours and step.path == "evidence":
            uploaded_file_detour(page, driver, sound)
    assert driver.path() == "confirmation"
    sound("confirmation")
    assert "Report sent" in page.content()
    reference = page.locator(".sf-reference").inner_text().strip()
    assert re.fullmatch(r"ASB-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}", reference)
    return reference


def remove_page_detour(page: Any, driver: Driver, sound: Any) -> None:
    driver.follow('a[href$="/people-responsible/1/remove"]')
    sound("remove a person")
    driver.submit()
    sound("remove a person with errors")
    driver.radio("remove", "no")
    driver.submit()
    assert driver.path() == "people-responsible"


def uploaded_file_detour(page: Any, driver: Driver, sound: Any) -> None:
    assert driver.path() == "anonymous"
    driver.follow("a.govuk-back-link")
    assert driver.path() == "evidence"
    assert "street at night.png" in page.content()
    sound("evidence with a file")
    driver.follow('a[href*="/remove-file/"]')
    sound("remove a file")
    driver.radio("remove", "no")
    driver.submit()
    driver.submit()
    assert driver.path() == "anonymous"


def test_every_page_and_error_state_passes_axe_on_a_desktop(chromium, live_server, evidence):
    page = new_page(chromium, DESKTOP)
    driver = Driver(page, live_server.url)

    reference = complete_the_form(page, driver, evidence, audit=True, detours=True)

    assert stored(live_server, reference) is not None
    page.context.close()


def test_every_page_and_error_state_passes_axe_on_a_375_pixel_phone(
    chromium, live_server, evidence
):
    page = new_page(chromium, PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    driver = Driver(page, live_server.url)

    reference = complete_the_form(page, driver, evidence, audit=True, mobile=True)

    assert stored(live_server, reference) is not None
    page.context.close()


def test_the_form_can_be_completed_with_the_keyboard_alone(chromium, live_server, evidence):
    page = new_page(chromium, DESKTOP)
    driver = Driver(page, live_server.url, keyboard=True)

    reference = complete_the_form(page, driver, evidence, audit=False)

    assert stored(live_server, reference) is not None
    page.context.close()


def test_the_form_works_with_javascript_switched_off(chromium, live_server, evidence):
    page = new_page(chromium, DESKTOP, java_script_enabled=False)
    driver = Driver(page, live_server.url)

    reference = complete_the_form(page, driver, evidence, audit=False)

    assert stored(live_server, reference) is not None
    page.context.close()


def test_someone_in_danger_sees_the_call_999_page(chromium, live_server):
    page = new_page(chromium, DESKTOP)
    driver = Driver(page, live_server.url)
    page.goto(driver.url(""))
    driver.submit()

    driver.radio("in_danger", "yes")
    driver.submit()

    assert driver.path() == "call-999"
    assert_page_is_sound(page, "call 999")
    assert page.locator("main form").count() == 0
    driver.follow("a.govuk-back-link")
    assert driver.path() == "danger"
    page.context.close()


@pytest.fixture
def short_lived_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    # Drafts kept for 20 seconds: the warning shows 10 seconds before they would be deleted
    # (long enough for a slow, shared machine to load the page first).
    live, server, thread = start_live_server(
        tmp_path_factory.mktemp("short"), DRAFT_RESUME_HOURS=20 / 3600
    )
    try:
        yield live
    finally:
        stop_live_server(live, server, thread)


def test_the_timeout_warning_lets_the_user_keep_their_answers(chromium, short_lived_server):
    page = new_page(chromium, DESKTOP)
    driver = Driver(page, short_lived_server.url)
    page.goto(driver.url(""))
    driver.submit()
    driver.radio("in_danger", "no")
    driver.submit()
    dialog = page.locator("#sf-timeout")

    dialog.wait_for(state="visible", timeout=40_000)
    assert_page_is_sound(page, "timeout warning")
    # The modal takes focus to its button, so one key press keeps the answers.
    assert page.evaluate("document.activeElement.matches('#sf-timeout button')")
    page.keyboard.press("Enter")
    dialog.wait_for(state="hidden")
    # Kept: the page still opens, the answers are still there, and the warning comes back later.
    page.reload()
    assert driver.path() == "your-role"
    dialog.wait_for(state="visible", timeout=40_000)
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    page.goto(driver.url("danger"))
    assert page.is_checked('input[name="in_danger"][value="no"]')
    page.context.close()


def test_doing_nothing_deletes_the_answers_and_says_so(chromium, short_lived_server):
    page = new_page(chromium, DESKTOP)
    driver = Driver(page, short_lived_server.url)
    page.goto(driver.url(""))
    driver.submit()
    driver.radio("in_danger", "no")
    driver.submit()

    page.wait_for_url(re.compile(r".*timed-out=1.*"), timeout=80_000)

    assert "We deleted your answers" in page.content()
    assert_page_is_sound(page, "timed out")
    page.goto(driver.url("your-role"))
    assert driver.path() == ""
    page.context.close()
