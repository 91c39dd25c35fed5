"""Error pages speak the visitor's language: Welsh for someone using a form in Welsh."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.public.public_helpers import Browser, Visit


@pytest.fixture
def app_config(forms_dir: Path, request: pytest.FixtureRequest) -> dict[str, object]:
    return {"FORMS_DIR": forms_dir, **getattr(request, "param", {})}


def in_welsh(browser: Browser) -> Browser:
    """Start the report in Welsh, as someone who chose Cymraeg on the first page."""
    started = browser.post(browser.root + "?lang=cy", {})
    assert started.status == 303
    return browser


def assert_welsh_page(page: Visit, heading: str) -> None:
    assert f'<h1 class="govuk-heading-l">{heading}</h1>' in page.html
    assert f"<title>{heading} – " in page.html
    assert '<html lang="cy"' in page.html
    assert "Neidio i’r prif gynnwys" in page.html
    assert 'class="govuk-header' in page.html and 'class="govuk-footer' in page.html


def test_a_missing_page_is_in_welsh_when_the_address_asks_for_welsh(client):
    page = Visit("/f/no-such-form", client.get("/f/no-such-form?lang=cy"))

    assert page.status == 404
    assert_welsh_page(page, "Ni ellir dod o hyd i’r dudalen")
    assert "Os gwnaethoch deipio’r cyfeiriad gwe, gwiriwch ei fod yn gywir." in page.html
    assert "Page not found" not in page.html


def test_a_missing_page_is_in_welsh_for_someone_using_the_form_in_welsh(browser: Browser):
    in_welsh(browser)

    page = browser.get(browser.url("no-such-page"))

    assert page.status == 404
    assert_welsh_page(page, "Ni ellir dod o hyd i’r dudalen")


def test_a_tampered_form_is_refused_in_welsh(browser: Browser):
    in_welsh(browser)

    refused = browser.answer("danger", {"csrf_token": "tampered", "in_danger": "no"})

    assert refused.status == 400
    assert_welsh_page(refused, "Mae’n ddrwg gennym, mae problem gyda’ch cais")
    assert "Ewch yn ôl a rhowch gynnig arall arni." in refused.html


@pytest.mark.parametrize("app_config", [{"MAX_CONTENT_LENGTH": 2000}], indirect=True)
def test_a_request_too_large_is_refused_in_welsh_without_repeating_it(browser: Browser):
    in_welsh(browser)

    refused = browser.answer("danger", {"in_danger": "Secret Surname " * 400})

    assert refused.status == 413
    assert_welsh_page(refused, "Mae’r ffeil neu’r ateb a anfonoch yn rhy fawr")
    assert "Secret Surname" not in refused.html


@pytest.mark.parametrize("app_config", [{"FORM_PAGE_LIMIT": "3 per day"}], indirect=True)
def test_too_many_attempts_is_said_in_welsh(browser: Browser):
    in_welsh(browser)

    statuses = [browser.answer("danger", {}).status for _ in range(3)]
    refused = browser.answer("danger", {})

    assert statuses[-1] == 429
    assert refused.status == 429
    assert_welsh_page(refused, "Gormod o ymdrechion")
    assert "Os ydych mewn perygl nawr, ffoniwch 999." in refused.html


def test_an_unexpected_error_is_in_welsh_and_shows_nothing_of_it(app, client):
    @app.get("/f/asb-report/explode")
    def explode() -> str:
        raise RuntimeError("Secret Surname leaked")

    browser = in_welsh(Browser(client))

    page = browser.get("/f/asb-report/explode")

    assert page.status == 500
    assert_welsh_page(page, "Mae’n ddrwg gennym, mae problem gyda’r gwasanaeth")
    assert "Os nad yw’n argyfwng, gallwch ffonio 101." in page.html
    assert "Secret Surname" not in page.html


def test_error_pages_are_in_english_again_after_switching_back(browser: Browser):
    in_welsh(browser)
    browser.get(browser.root + "?lang=en")

    page = browser.get(browser.url("no-such-page"))

    assert page.status == 404
    assert '<html lang="en"' in page.html
    assert '<h1 class="govuk-heading-l">Page not found</h1>' in page.html


def test_staff_error_pages_stay_in_english(browser: Browser, client):
    in_welsh(browser)

    page = Visit("/staff/no-such-page", client.get("/staff/no-such-page"))

    assert page.status == 404
    assert '<html lang="en"' in page.html
    assert '<h1 class="govuk-heading-l">Page not found</h1>' in page.html
