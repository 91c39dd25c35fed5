"""Driving public forms through the test client, as a browser would (CSRF included)."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse


def recent_date(days_ago: int = 2) -> dt.date:
    return dt.date.today() - dt.timedelta(days=days_ago)


def date_fields(name: str, value: dt.date) -> dict[str, str]:
    return {
        f"{name}-day": str(value.day),
        f"{name}-month": str(value.month),
        f"{name}-year": str(value.year),
    }


def asb_answers() -> dict[str, dict[str, Any]]:
    """Good answers for every page of the public ASB form, keyed by page path."""
    return {
        "": {},
        "danger": {"in_danger": "no"},
        "your-role": {"reporter_is_victim": "yes"},
        "category": {"asb_category": "personal"},
        "what-has-been-happening": {"asb_types": ["noise", "threats"]},
        "threats": {"threats_of_violence": "yes"},
        "describe": {"what_happened": "Loud music and shouting every night."},
        "when": {
            **date_fields("incident_date", recent_date()),
            "incident_time": "11pm",
            "still_happening": "yes",
        },
        "how-often": {"how_often": "daily"},
        "where": {
            "incident_location-description": "Outside 4 Elm Road",
            "incident_location-postcode": "sw1a1aa",
        },
        "reported-before": {"reported_before": "once"},
        "earlier-reports": {"earlier_reports": "Called the council in May"},
        "health": {"impact_health": "some"},
        "feeling-safe": {"fear_level": "a_little", "feel_safe_at_home": "no"},
        "targeted": {"targeted_identity": "none"},
        "your-household": {
            "disability_or_illness": "no",
            "lives_alone": "yes",
            "children_affected": "no_children",
        },
        "people-responsible": {"add_another": "yes"},
        "people-responsible/1": {
            "responsible_person-first_name": "Jo",
            "responsible_person-description": "Tall, red coat",
            "responsible_relationship": "neighbour",
        },
        "vehicles": {"vehicles_involved": "yes", "vehicle_details": "Red van"},
        "evidence": {},
        "anonymous": {"report_anonymously": "no"},
        "about-you": {"contact_name": "Sam Smith", "contact_language": "en"},
        "your-address": {},
        "contact": {"contact_method": "phone", "contact_phone": "07911 123456"},
        "safe-contact": {"safe_to_leave_message": "yes"},
        "sharing": {"consent_to_share": "yes"},
        "check-your-answers": {"declaration": "yes"},
    }


def kitchen_answers() -> dict[str, dict[str, Any]]:
    """Good answers for every page of the test form with one page per field type."""
    return {
        "": {},
        "stop": {"stop_now": "no"},
        "text": {"a_text": "Alex"},
        "textarea": {"a_textarea": "Something happened."},
        "number": {"a_number": "7"},
        "email": {"an_email": "alex@example.com"},
        "phone": {"a_phone": "07911 123456"},
        "date": date_fields("a_date", recent_date()),
        "time": {"a_time": "9:30pm"},
        "radios": {"a_radio": "green"},
        "only-if-green": {"green_detail": "Lime"},
        "checkboxes": {"some_checkboxes": ["red", "green"]},
        "select": {"a_select": "red"},
        "postcode": {"a_postcode": "SW1A 1AA"},
        "address": {
            "an_address-line1": "1 High Street",
            "an_address-town": "Northdale",
            "an_address-postcode": "SW1A 1AA",
        },
        "location": {"a_location-description": "By the park gates"},
        "person": {"a_person-first_name": "Pat", "a_person-approximate_age": "30"},
        "things": {"add_another": "no"},
        "things/1": {"thing_name": "A bicycle"},
        "files": {},
        "check-your-answers": {"declaration": "yes"},
    }


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
INLINE_ERROR = re.compile(r'<p id="([^"]+)" class="govuk-error-message">(.*?)</p>', re.S)


def inline_errors(html: str) -> dict[str, str]:
    """The messages shown beside fields, by their element's id, as a screen reader reads them."""
    return {
        element: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)).strip()
        for element, text in INLINE_ERROR.findall(html)
    }


@dataclass
class Visit:
    url: str
    response: TestResponse

    @property
    def html(self) -> str:
        return self.response.get_data(as_text=True)

    @property
    def status(self) -> int:
        return self.response.status_code

    @property
    def location(self) -> str | None:
        return self.response.headers.get("Location")

    def follow(self, browser: Browser) -> Visit:
        assert self.location is not None, f"{self.url} did not redirect ({self.status})"
        return browser.get(self.location)

    def errors(self) -> list[str]:
        """The error summary's messages, as a user reads them."""
        start = self.html.find('class="govuk-error-summary"')
        if start < 0:
            return []
        block = self.html[start : self.html.find("</ul>", start)]
        return [
            re.sub(r"\s+", " ", text).strip()
            for text in re.findall(r'<a href="#[^"]+">([^<]+)</a>', block)
        ]

    def inline_errors(self) -> dict[str, str]:
        return inline_errors(self.html)

    def error_links(self) -> list[str]:
        start = self.html.find('class="govuk-error-summary"')
        if start < 0:
            return []
        block = self.html[start : self.html.find("</ul>", start)]
        return re.findall(r'<a href="(#[^"]+)">', block)


class Browser:
    """A test client that fetches a page before posting it, like a person using the form."""

    def __init__(self, client: FlaskClient, slug: str = "asb-report") -> None:
        self.client = client
        self.slug = slug
        self.root = f"/f/{slug}"
        self._token: str | None = None

    def url(self, path: str) -> str:
        return self.root + (f"/{path}" if path else "")

    def get(self, url: str, **kwargs: Any) -> Visit:
        return Visit(url, self.client.get(url, **kwargs))

    def token(self) -> str:
        """The session's CSRF token, read from the form's first page like a browser would."""
        if self._token is None:
            found = CSRF.search(self.get(self.root).html)
            assert found is not None, "no form on the first page"
            self._token = found.group(1)
        return self._token

    def post(self, url: str, data: Mapping[str, Any] | None = None, **kwargs: Any) -> Visit:
        fields = dict(data or {})
        fields.setdefault("csrf_token", self.token())
        return Visit(url, self.client.post(url, data=fields, **kwargs))

    def answer(self, path: str, data: Mapping[str, Any] | None = None, **kwargs: Any) -> Visit:
        return self.post(self.url(path), data, **kwargs)

    def walk(
        self,
        answers: Mapping[str, Mapping[str, Any]],
        *,
        stop_at: str | None = None,
        limit: int = 80,
    ) -> Visit:
        """Follow the journey from the start, answering each page, until the confirmation page
        (or the page `stop_at`); fail on the first page whose answers are refused."""
        url = self.root
        repeat_answered: set[str] = set()
        for _ in range(limit):
            path = url.split(self.root, 1)[1].strip("/").split("?")[0]
            if path == stop_at or path == "confirmation":
                return self.get(url)
            data = dict(answers[path])
            if "add_another" in data and path in repeat_answered:
                data["add_another"] = "no"
            repeat_answered.add(path)
            visit = self.post(url, data)
            assert visit.status == 303, f"{path}: {visit.status} {visit.errors()}"
            assert visit.location is not None
            url = visit.location
        raise AssertionError("the journey did not end")


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(200)


def upload(kitchen: Browser, *files: tuple[bytes, str]) -> Visit:
    """Send files to the kitchen-sink form's file question."""
    data = {"some_files": [(io.BytesIO(content), name) for content, name in files]}
    return kitchen.answer("files", data, content_type="multipart/form-data")


def reference_on(page: Visit) -> str:
    found = re.search(r'class="sf-reference">([^<]+)<', page.html)
    assert found is not None, "no reference on the page"
    return found.group(1)
