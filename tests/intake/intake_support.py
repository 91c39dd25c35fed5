"""Factories for intake tests: the demo partnership's teams, and reports through the public form."""

from __future__ import annotations

import copy
from typing import Any

from sqlalchemy import select

from forms_app.extensions import db
from forms_app.models import Organisation, Team
from tests.public.public_helpers import Browser, asb_answers, reference_on

TEAMS = {
    "northdale-council": ["asb-team", "community-safety-hub"],
    "northdale-homes": ["tenancy-enforcement"],
}


def make_partnership() -> dict[str, str]:
    """Create the teams the ASB form routes to; return {"org/team": team id}."""
    ids = {}
    for org_slug, team_slugs in TEAMS.items():
        organisation = db.session.scalar(select(Organisation).where(Organisation.slug == org_slug))
        if organisation is None:
            organisation = Organisation(name=org_slug.replace("-", " ").title(), slug=org_slug)
            db.session.add(organisation)
            db.session.flush()
        for slug in team_slugs:
            team = Team(
                organisation_id=organisation.id,
                name=slug.replace("-", " ").title(),
                slug=slug,
                notify_email=f"{slug}@{org_slug}.example",
            )
            db.session.add(team)
            db.session.flush()
            ids[f"{org_slug}/{slug}"] = team.id
    db.session.commit()
    return ids


def victim_report(
    *,
    name: str = "Sam Smith",
    dob: tuple[int, int, int] | None = (1980, 4, 12),
    email: str | None = "sam.smith@home.example",
    postcode: str = "sw1a1aa",
    responsible: list[dict[str, str]] | None = None,
    anonymous: bool = False,
    **changes: dict[str, Any],
) -> dict[str, dict[str, Any]]:
    """The public ASB form's answers for a victim reporting for themselves."""
    answers = copy.deepcopy(asb_answers())
    answers["where"]["incident_location-postcode"] = postcode
    answers["about-you"] = {"contact_name": name, "contact_language": "en"}
    if dob is not None:
        year, month, day = dob
        answers["about-you"].update(
            {
                "contact_date_of_birth-day": str(day),
                "contact_date_of_birth-month": str(month),
                "contact_date_of_birth-year": str(year),
            }
        )
    answers["your-address"] = {
        "contact_address-line1": "4 Elm Road",
        "contact_address-town": "Northdale",
        "contact_address-postcode": "ND1 4EL",
    }
    if email:
        answers["contact"] = {"contact_method": "email", "contact_email": email}
    if anonymous:
        answers["anonymous"] = {"report_anonymously": "yes"}
    people = responsible if responsible is not None else [{"responsible_person-first_name": "Jo"}]
    answers["people-responsible"] = {"add_another": "yes" if people else "no"}
    for index, person in enumerate(people, start=1):
        answers[f"people-responsible/{index}"] = person
    for page, values in changes.items():
        answers[page.replace("_", "-")] = values
    return answers


def submit(client: Any, answers: dict[str, dict[str, Any]]) -> str:
    """Walk the public form with these answers; return the reference shown."""
    browser = Browser(client)
    people = [k for k in answers if k.startswith("people-responsible/")]
    walked = dict(answers)
    confirmation = _walk(browser, walked, len(people))
    return reference_on(confirmation)


def _walk(browser: Browser, answers: dict[str, dict[str, Any]], people: int):  # type: ignore[no-untyped-def]
    url = browser.root
    added = 0
    for _ in range(120):
        path = url.split(browser.root, 1)[1].strip("/").split("?")[0]
        if path == "confirmation":
            return browser.get(url)
        data = dict(answers[path])
        if path == "people-responsible":
            data["add_another"] = "yes" if added < people else "no"
            added += 1
        visit = browser.post(url, data)
        assert visit.status == 303, f"{path}: {visit.status} {visit.errors()}"
        url = visit.location
    raise AssertionError("the journey did not end")
