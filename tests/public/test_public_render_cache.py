"""Rendered pages are reused only when they hold nothing a person typed, and never another
person's token or timings."""

from __future__ import annotations

import re

from tests.public.public_helpers import CSRF, Browser, asb_answers, reference_on


def test_two_people_on_the_same_page_each_get_their_own_token_and_expiry(app):
    first, second = Browser(app.test_client()), Browser(app.test_client())
    first.walk(asb_answers(), stop_at="how-often")
    second.walk(asb_answers(), stop_at="how-often")

    one = first.get(first.url("how-often")).html
    two = second.get(second.url("how-often")).html

    # A token is the session's secret, signed with the time: compare the secrets.
    def secret(token: str) -> str:
        return token.split(".")[0]

    assert secret(CSRF.search(one).group(1)) == secret(first.token())
    assert secret(CSRF.search(two).group(1)) == secret(second.token())
    assert secret(first.token()) != secret(second.token())
    assert "\ue000" not in one and "\ue000" not in two
    assert re.search(r'data-expires-at="\d{4}-\d{2}-\d{2}T', one)
    assert first.answer("how-often", {"how_often": "daily"}).status == 303
    assert second.answer("how-often", {"how_often": "weekly"}).status == 303


def kept_pages(app) -> list[str]:
    return list(app.extensions.get("saferforms.rendered_pages", {}).values())


def test_typed_answers_are_never_kept_and_each_person_sees_their_own(app):
    kim, sam = Browser(app.test_client()), Browser(app.test_client())
    for browser, text in ((kim, "Kim from number 12 shouts at me"), (sam, "<script>x()</script>")):
        answers = asb_answers()
        answers["describe"] = {"what_happened": text}
        browser.walk(answers, stop_at="when")

    first = kim.get(kim.url("describe")).html
    again = kim.get(kim.url("describe")).html
    other = sam.get(sam.url("describe")).html

    assert "Kim from number 12 shouts at me" in first and "Kim from number 12" in again
    assert "Kim" not in other
    assert "&lt;script&gt;x()&lt;/script&gt;" in other and "<script>x()" not in other
    assert any("\ue000v:what_happened\ue001" in html for html in kept_pages(app))
    assert not any("Kim from number 12" in html for html in kept_pages(app))
    assert not any("x()" in html for html in kept_pages(app))


def test_a_typed_stand_in_character_is_shown_as_typed(browser: Browser):
    typed = "odd \ue000csrf\ue001 text"
    answers = asb_answers()
    answers["describe"] = {"what_happened": typed}
    browser.walk(answers, stop_at="when")

    page = browser.get(browser.url("describe")).html

    assert typed in page


def test_a_choice_already_made_is_shown_checked_from_a_kept_page(browser: Browser):
    browser.walk(asb_answers(), stop_at="category")
    browser.get(browser.url("your-role"))

    browser.answer("your-role?change=1", {"reporter_is_victim": "no"})
    page = browser.get(browser.url("your-role")).html

    assert 'value="no" checked' in page
    assert 'value="yes" checked' not in page


def test_each_confirmation_shows_its_own_reference_and_no_reference_is_kept(app):
    kim, sam = Browser(app.test_client()), Browser(app.test_client())

    first = kim.walk(asb_answers())
    second = sam.walk(asb_answers())
    again = kim.get(kim.url("confirmation"))

    assert reference_on(first) != reference_on(second)
    assert reference_on(again) == reference_on(first)
    assert "\ue000" not in first.html and "\ue000" not in second.html
    kept = [html for html in kept_pages(app) if "sf-reference" in html]
    assert len(kept) == 1 and "\ue000reference\ue001" in kept[0]
    assert reference_on(first) not in kept[0] and reference_on(second) not in kept[0]


def test_a_confirmation_in_welsh_is_not_served_from_the_english_page(browser: Browser):
    in_english = browser.walk(asb_answers())
    in_welsh = browser.get(browser.url("confirmation") + "?lang=cy")
    again = browser.get(browser.url("confirmation"))

    assert '<html lang="en"' in in_english.html and '<html lang="en"' in again.html
    assert '<html lang="cy"' in in_welsh.html
    assert reference_on(in_welsh) == reference_on(in_english) == reference_on(again)
