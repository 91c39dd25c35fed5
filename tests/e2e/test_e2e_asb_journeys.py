"""The ASB form's other ways through in a real browser: a witness who reported before (with
wrong answers corrected on the way), the form in Welsh, and the honeypot on check your answers."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.e2e_helpers import (
    DESKTOP,
    PNG,
    Driver,
    Step,
    anonymous_journey,
    asb_journey,
    assert_error_summary_leads_to_the_answers,
    assert_page_is_sound,
    new_page,
    stored,
    witness_journey,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def evidence(tmp_path: Path) -> Path:
    path = tmp_path / "shop doorway.png"
    path.write_bytes(PNG)
    return path


@pytest.fixture
def not_accepted(tmp_path: Path) -> Path:
    path = tmp_path / "viewer.exe"
    path.write_bytes(b"MZ\x90\x00" + bytes(200))
    return path


def walk(page: Any, driver: Driver, steps: list[Step], *, audit: bool) -> None:
    """Answer each step's page; with `audit`, check it and any detour's error state with axe."""
    for step in steps:
        assert driver.path() == step.path, f"expected {step.path!r}, on {page.url}"
        if audit:
            assert_page_is_sound(page, step.path)
        if step.detour is not None:
            for action in step.detour.actions:
                driver.act(action)
            driver.submit()
            assert driver.path() == step.path, f"{step.path}: the wrong answer was accepted"
            assert page.title().startswith("Error: "), step.path
            assert_page_is_sound(page, f"{step.path} with errors")
            assert_error_summary_leads_to_the_answers(page, step.path, step.detour.error)
        for action in step.actions:
            driver.act(action)
        driver.submit()


def test_a_witness_who_reported_before_sees_the_pages_a_victim_does_not(
    chromium, live_server, evidence, not_accepted
):
    page = new_page(chromium, DESKTOP)
    driver = Driver(page, live_server.url)
    steps = witness_journey(evidence, not_accepted)
    first = {step.path for step in asb_journey()}
    assert {"earlier-reports", "who-is-affected"} <= {s.path for s in steps} - first

    page.goto(driver.url(""))
    walk(page, driver, steps, audit=True)

    assert driver.path() == "confirmation"
    assert_page_is_sound(page, "confirmation")
    reference = page.locator(".sf-reference").inner_text().strip()
    assert re.fullmatch(r"ASB-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}", reference)
    submission = stored(live_server, reference)
    assert submission is not None
    page.context.close()


def test_the_form_in_welsh_passes_axe_with_welsh_errors(chromium, live_server):
    page = new_page(chromium, DESKTOP)
    driver = Driver(page, live_server.url)
    page.goto(driver.url(""))
    assert page.locator("html").get_attribute("lang") == "en"

    driver.follow('.sf-language-switch a[hreflang="cy"]')

    def welsh(where: str, heading: str) -> None:
        assert page.locator("html").get_attribute("lang") == "cy", where
        assert page.locator("h1").inner_text().strip() == heading, where
        assert_page_is_sound(page, f"{where} in Welsh")

    welsh("start page", "Rhoi gwybod am ymddygiad gwrthgymdeithasol")
    driver.submit()
    welsh("danger", "A oes unrhyw un mewn perygl uniongyrchol?")
    driver.submit()
    welsh("danger with errors", "A oes unrhyw un mewn perygl uniongyrchol?")
    assert page.title().startswith("Gwall: ")
    assert_error_summary_leads_to_the_answers(
        page, "danger in Welsh", "Dewiswch ‘Oes’ os oes unrhyw un mewn perygl uniongyrchol"
    )
    assert "Mae problem wedi codi" in page.locator(".govuk-error-summary").inner_text()
    driver.radio("in_danger", "no")
    driver.submit()
    welsh("your role", "A yw hyn yn digwydd i chi?")
    driver.radio("reporter_is_victim", "yes")
    driver.submit()
    welsh("category", "Pa fath o ymddygiad gwrthgymdeithasol ydyw?")
    # The draft keeps the language: a page opened without ?lang is still in Welsh.
    page.goto(driver.url("your-role"))
    welsh("your role, opened again", "A yw hyn yn digwydd i chi?")
    page.context.close()


def test_the_honeypot_on_check_your_answers_is_hidden_and_out_of_the_tab_order(
    chromium, live_server
):
    page = new_page(chromium, DESKTOP)
    driver = Driver(page, live_server.url)
    steps = anonymous_journey()
    page.goto(driver.url(""))
    walk(page, driver, steps[:-1], audit=False)
    assert driver.path() == "check-your-answers"
    honeypot = page.locator("#website")
    assert honeypot.count() == 1

    assert not honeypot.is_visible()
    assert not page.get_by_text("Leave this field empty").is_visible()
    reached = []
    for _ in range(200):
        page.keyboard.press("Tab")
        # Stop when the Tab key comes back round to the first thing it reached.
        focused = page.evaluate(
            "(() => { const e = document.activeElement;"
            " if (window.sfFirst === e) return null;"
            " window.sfFirst = window.sfFirst || e;"
            " return e.id || e.tagName })()"
        )
        if focused is None:
            break
        reached.append(focused)
    else:
        raise AssertionError(f"the Tab key never came back round: {reached}")
    assert "website" not in reached
    # The walk went past where the honeypot sits: to the declaration and the send button.
    assert "declaration" in reached and "BUTTON" in reached, reached

    walk(page, driver, steps[-1:], audit=False)
    assert driver.path() == "confirmation"
    page.context.close()
