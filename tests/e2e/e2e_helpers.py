"""Driving the ASB form in Chromium: with a mouse, or with the keyboard alone; axe on each page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from sqlalchemy import select

from forms_app.extensions import db
from forms_app.models import Submission
from tests.e2e.conftest import LiveServer

DESKTOP = {"width": 1280, "height": 900}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
_axe = Axe()

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200)


def new_page(chromium: Any, viewport: dict[str, int], **options: Any) -> Any:
    context = chromium.new_context(viewport=viewport, **options)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def stored(live_server: LiveServer, reference: str) -> Submission | None:
    with live_server.app.app_context():
        found = db.session.scalar(select(Submission).where(Submission.reference == reference))
        db.session.remove()
        return found


def accessibility_violations(page: Any) -> list[str]:
    """Run axe-core with the WCAG 2.2 AA tags; return each violation as a readable line."""
    results = _axe.run(
        page,
        options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]},
    )
    lines = []
    for violation in results.response["violations"]:
        targets = [", ".join(node["target"]) for node in violation["nodes"]][:5]
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} at {targets}")
    return lines


@dataclass
class Detour:
    """A wrong answer to send before the right one, and (part of) the error it must bring."""

    actions: list[tuple[Any, ...]]
    error: str


@dataclass
class Step:
    """One page of the journey: what to do on it, and whether an empty answer is an error."""

    path: str
    actions: list[tuple[Any, ...]] = field(default_factory=list)
    required: bool = True
    detour: Detour | None = None


def asb_journey(evidence: Path | None = None) -> list[Step]:
    when = dt.date.today() - dt.timedelta(days=3)
    return [
        Step("", [], required=False),
        Step("danger", [("radio", "in_danger", "no")]),
        Step("your-role", [("radio", "reporter_is_victim", "yes")]),
        Step("category", [("radio", "asb_category", "nuisance")]),
        Step(
            "what-has-been-happening",
            [("check", "asb_types", "noise"), ("check", "asb_types", "drinking")],
        ),
        Step("threats", [("radio", "threats_of_violence", "no")]),
        Step("describe", [("fill", "what_happened", "Loud parties until 3am most nights.")]),
        Step(
            "when",
            [
                ("fill", "incident_date-day", str(when.day)),
                ("fill", "incident_date-month", str(when.month)),
                ("fill", "incident_date-year", str(when.year)),
                ("fill", "incident_time", "2am"),
                ("radio", "still_happening", "yes"),
            ],
        ),
        Step("how-often", [("radio", "how_often", "weekly")]),
        Step(
            "where",
            [
                ("fill", "incident_location-description", "Flats at the end of Elm Road"),
                ("fill", "incident_location-postcode", "SW1A 1AA"),
            ],
        ),
        Step("reported-before", [("radio", "reported_before", "no")]),
        Step("health", [("radio", "impact_health", "some")]),
        Step(
            "feeling-safe",
            [("radio", "fear_level", "a_little"), ("radio", "feel_safe_at_home", "yes")],
        ),
        Step("targeted", [("check", "targeted_identity", "none")]),
        Step(
            "your-household",
            [
                ("radio", "disability_or_illness", "no"),
                ("radio", "lives_alone", "no"),
                ("radio", "children_affected", "yes"),
            ],
        ),
        Step("people-responsible", [("radio", "add_another", "yes")]),
        Step(
            "people-responsible/1",
            [
                ("fill", "responsible_person-first_name", "Chris"),
                ("fill", "responsible_person-description", "Tall, about 30, grey hoodie"),
                ("radio", "responsible_relationship", "neighbour"),
            ],
            required=False,
        ),
        Step("people-responsible", [("radio", "add_another", "no")]),
        Step(
            "vehicles",
            [("radio", "vehicles_involved", "yes"), ("fill", "vehicle_details", "A white van")],
        ),
        Step(
            "evidence",
            [("file", "evidence_files", str(evidence))] if evidence is not None else [],
            required=False,
        ),
        Step("anonymous", [("radio", "report_anonymously", "no")]),
        Step(
            "about-you",
            [("fill", "contact_name", "Robin Example"), ("radio", "contact_language", "en")],
        ),
        Step("your-address", [], required=False),
        Step(
            "contact",
            [("radio", "contact_method", "phone"), ("fill", "contact_phone", "07911 123456")],
        ),
        Step("safe-contact", [("radio", "safe_to_leave_message", "yes")]),
        Step("sharing", [("radio", "consent_to_share", "yes")]),
        Step("check-your-answers", [("check", "declaration", "yes")]),
    ]


def witness_journey(evidence: Path, not_accepted: Path) -> list[Step]:
    """Someone who saw it happen to others and reported it before: the pages asb_journey skips.

    On the way it sends a person with no details, a file of a kind not accepted and half an
    address, and corrects each.
    """
    when = dt.date.today() - dt.timedelta(days=10)
    return [
        Step("", [], required=False),
        Step("danger", [("radio", "in_danger", "no")]),
        Step("your-role", [("radio", "reporter_is_victim", "no")]),
        Step("category", [("radio", "asb_category", "personal")]),
        Step(
            "what-has-been-happening",
            [
                ("check", "asb_types", "intimidation"),
                ("check", "asb_types", "other"),
                ("fill", "asb_types_other", "Following an older neighbour to the shops"),
            ],
        ),
        Step("threats", [("radio", "threats_of_violence", "yes")]),
        Step("describe", [("fill", "what_happened", "Two men shout at my neighbour daily.")]),
        Step(
            "when",
            [
                ("fill", "incident_date-day", str(when.day)),
                ("fill", "incident_date-month", str(when.month)),
                ("fill", "incident_date-year", str(when.year)),
                ("radio", "still_happening", "no"),
            ],
        ),
        Step("how-often", [("radio", "how_often", "daily")]),
        Step(
            "where",
            [
                ("fill", "incident_location-description", "Outside the shop on Mill Lane"),
                ("fill", "incident_location-postcode", "SW1A 2AA"),
            ],
        ),
        Step("reported-before", [("radio", "reported_before", "once")]),
        Step(
            "earlier-reports",
            [("fill", "earlier_reports", "To the police in March, reference 4455")],
            required=False,
        ),
        Step(
            "who-is-affected",
            [("fill", "affected_people", "Mrs Jones at number 4, who is 84 and lives alone")],
            required=False,
        ),
        Step("people-responsible", [("radio", "add_another", "yes")]),
        Step(
            "people-responsible/1",
            [
                ("fill", "responsible_person-known_as", "Dee"),
                ("fill", "responsible_person-description", "Short, red jacket"),
                ("radio", "responsible_relationship", "stranger"),
            ],
            required=False,
            detour=Detour([], "Enter at least one detail about the person"),
        ),
        Step("people-responsible", [("radio", "add_another", "no")]),
        Step("vehicles", [("radio", "vehicles_involved", "no")]),
        Step(
            "evidence",
            [("file", "evidence_files", str(evidence))],
            required=False,
            detour=Detour(
                [("file", "evidence_files", str(not_accepted))],
                "The file ‘viewer.exe’ must be a photo, video or document of a type we accept",
            ),
        ),
        Step("anonymous", [("radio", "report_anonymously", "no")]),
        Step(
            "about-you",
            [
                ("fill", "contact_name", "Sam Witness"),
                ("fill", "contact_date_of_birth-day", "4"),
                ("fill", "contact_date_of_birth-month", "7"),
                ("fill", "contact_date_of_birth-year", "1971"),
                ("radio", "contact_language", "cy"),
            ],
        ),
        Step(
            "your-address",
            [
                ("fill", "contact_address-town", "London"),
                ("fill", "contact_address-postcode", "SW1A 2AB"),
            ],
            required=False,
            detour=Detour([("fill", "contact_address-line1", "6 Mill Lane")], "Enter town or city"),
        ),
        Step(
            "contact",
            [("radio", "contact_method", "email"), ("fill", "contact_email", "sam@example.org")],
        ),
        Step(
            "safe-contact",
            [("check", "safe_contact_times", "evening"), ("radio", "safe_to_leave_message", "no")],
        ),
        Step("sharing", [("radio", "consent_to_share", "no")]),
        Step("check-your-answers", [("check", "declaration", "yes")]),
    ]


def anonymous_journey() -> list[Step]:
    """The shortest way to check your answers: a witness who names nobody and stays anonymous."""
    when = dt.date.today() - dt.timedelta(days=1)
    return [
        Step("", [], required=False),
        Step("danger", [("radio", "in_danger", "no")]),
        Step("your-role", [("radio", "reporter_is_victim", "no")]),
        Step("category", [("radio", "asb_category", "environmental")]),
        Step("what-has-been-happening", [("check", "asb_types", "vandalism")]),
        Step("threats", [("radio", "threats_of_violence", "no")]),
        Step("describe", [("fill", "what_happened", "Graffiti sprayed on the bus shelter.")]),
        Step(
            "when",
            [
                ("fill", "incident_date-day", str(when.day)),
                ("fill", "incident_date-month", str(when.month)),
                ("fill", "incident_date-year", str(when.year)),
                ("radio", "still_happening", "no"),
            ],
        ),
        Step("how-often", [("radio", "how_often", "once")]),
        Step("where", [("fill", "incident_location-description", "Bus shelter, Station Road")]),
        Step("reported-before", [("radio", "reported_before", "no")]),
        Step("who-is-affected", [], required=False),
        Step("people-responsible", [("radio", "add_another", "no")]),
        Step("vehicles", [("radio", "vehicles_involved", "no")]),
        Step("evidence", [], required=False),
        Step("anonymous", [("radio", "report_anonymously", "yes")]),
        Step("check-your-answers", [("check", "declaration", "yes")]),
    ]


class Driver:
    """Operate the page the way a person would: with the mouse, or only with the keyboard."""

    def __init__(self, page: Any, base_url: str, *, keyboard: bool = False) -> None:
        self.page = page
        self.base_url = base_url
        self.keyboard = keyboard

    def url(self, path: str) -> str:
        return f"{self.base_url}/f/asb-report" + (f"/{path}" if path else "")

    def path(self) -> str:
        current = self.page.url.split("/f/asb-report", 1)[1].split("?")[0]
        return current.strip("/")

    # Keyboard-only movement ----------------------------------------------------------

    def tab_to(self, matches: Callable[[], bool], what: str, limit: int = 120) -> None:
        for _ in range(limit):
            if matches():
                return
            self.page.keyboard.press("Tab")
        raise AssertionError(f"could not reach {what} with the Tab key")

    def focused(self, selector: str) -> bool:
        return bool(
            self.page.evaluate(
                "s => document.activeElement !== null && document.activeElement.matches(s)",
                selector,
            )
        )

    # Actions ----------------------------------------------------------------------

    def act(self, action: tuple[Any, ...]) -> None:
        kind, name, value = action
        getattr(self, kind)(name, value)

    def radio(self, name: str, value: str) -> None:
        target = f'input[type="radio"][name="{name}"][value="{value}"]'
        if not self.keyboard:
            self.page.check(target)
            return
        self.tab_to(lambda: self.focused(f'input[type="radio"][name="{name}"]'), name)
        for _ in range(20):
            if self.focused(target):
                break
            self.page.keyboard.press("ArrowDown")
        self.page.keyboard.press("Space")
        assert self.page.is_checked(target)

    def check(self, name: str, value: str) -> None:
        target = f'input[type="checkbox"][name="{name}"][value="{value}"]'
        if not self.keyboard:
            self.page.check(target)
            return
        self.tab_to(lambda: self.focused(target), f"{name}={value}")
        if not self.page.is_checked(target):
            self.page.keyboard.press("Space")
        assert self.page.is_checked(target)

    def fill(self, name: str, text: str) -> None:
        target = f'[name="{name}"]'
        if not self.keyboard:
            self.page.click(target)
            self.page.fill(target, text)
            return
        self.tab_to(lambda: self.focused(target), name)
        self.page.keyboard.press("Control+A")
        self.page.keyboard.press("Delete")
        self.page.keyboard.type(text)

    def file(self, name: str, path: str) -> None:
        target = f'input[type="file"][name="{name}"]'
        if self.keyboard:
            self.tab_to(lambda: self.focused(target), name)
        self.page.set_input_files(target, path)

    def submit(self) -> None:
        button = 'main form button[type="submit"]:not(.govuk-button--secondary)'
        with self.page.expect_navigation():
            if not self.keyboard:
                self.page.click(button)
            else:
                self.tab_to(lambda: self.focused(button), "the continue button")
                self.page.keyboard.press("Enter")

    def follow(self, selector: str) -> None:
        with self.page.expect_navigation():
            if not self.keyboard:
                self.page.click(selector)
            else:
                self.tab_to(lambda: self.focused(selector), selector)
                self.page.keyboard.press("Enter")


def assert_page_is_sound(page: Any, where: str, *, mobile: bool = False) -> None:
    """Every page: a title, one main heading, zero axe violations, no sideways scrolling."""
    violations = accessibility_violations(page)
    assert violations == [], f"{where}: " + "\n".join(violations)
    assert page.title().strip() != ""
    assert page.locator("h1").count() == 1, f"{where}: expected one h1"
    if mobile:
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"{where}: the page scrolls sideways ({width}px)"


def assert_error_summary_leads_to_the_answers(page: Any, where: str, expected: str) -> None:
    """The GOV.UK error summary: shown, focused, saying `expected`, each link to its field."""
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible(), f"{where}: no error summary"
    assert expected in summary.inner_text(), f"{where}: {summary.inner_text()!r}"
    # GOV.UK Frontend moves focus to the summary, so a screen reader reads it out first.
    assert page.evaluate(
        "document.activeElement !== null"
        " && document.activeElement.classList.contains('govuk-error-summary')"
    ), f"{where}: the error summary does not have focus"
    hrefs = summary.locator(".govuk-error-summary__list a").evaluate_all(
        "links => links.map(link => link.getAttribute('href'))"
    )
    assert hrefs, f"{where}: the error summary links to nothing"
    for href in hrefs:
        assert href.startswith("#"), f"{where}: {href!r} is not a link on the page"
        tag = page.evaluate(
            "id => { const e = document.getElementById(id); return e && e.tagName }", href[1:]
        )
        assert tag in ("INPUT", "TEXTAREA", "SELECT"), f"{where}: {href} is {tag}, not a field"
    summary.locator(".govuk-error-summary__list a").first.click()
    assert page.evaluate("id => document.activeElement.id === id", hrefs[0][1:]), (
        f"{where}: following {hrefs[0]} does not move focus to the field"
    )
