"""Plain factories for the pipeline's tests: keyword defaults, committed rows, ids returned."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from forms_app.crypto import crypto
from forms_app.extensions import db
from forms_app.models import (
    Case,
    CaseParty,
    Channel,
    FormVersion,
    Organisation,
    PartyRole,
    Person,
    Submission,
    Team,
    new_id,
)

ROOT = Path(__file__).resolve().parents[2]


def make_team(*, notify_email: str | None = "asb-team@council.example", slug: str = "asb") -> Team:
    organisation = Organisation(name="Northdale Borough Council", slug=f"northdale-{new_id()[-6:]}")
    team = Team(
        organisation=organisation,
        name="Anti-social Behaviour Team",
        slug=slug,
        notify_email=notify_email,
    )
    db.session.add_all([organisation, team])
    db.session.flush()
    return team


def form_version(slug: str = "asb-report") -> FormVersion:
    from forms_app.definitions import load_file

    form = load_file(ROOT / "form_definitions" / f"{slug}.yaml")
    existing = (
        db.session.query(FormVersion).filter_by(slug=slug, content_hash=form.content_hash).first()
    )
    if existing is not None:
        return existing
    version = FormVersion(
        slug=slug,
        content_hash=form.content_hash,
        title=form.title.get("en"),
        source_yaml=form.source_text,
    )
    db.session.add(version)
    db.session.flush()
    return version


def make_submission(
    answers: dict[str, Any] | None = None,
    *,
    reference: str | None = None,
    sealed: bytes | None = None,
) -> Submission:
    version = form_version()
    submission_id = new_id()
    payload = {
        "format": "saferforms-submission-v1",
        "form": version.slug,
        "form_version_id": version.id,
        "language": "en",
        "submitted_at": "2026-03-05T21:41:07+00:00",
        "answers": answers or {},
        "uploads": {},
    }
    if sealed is None:
        sealed = crypto().seal_submission(submission_id, json.dumps(payload).encode())
    submission = Submission(
        id=submission_id,
        reference=reference or f"ASB-{new_id()[-9:-5].upper()}-{new_id()[-4:].upper()}",
        form_version_id=version.id,
        channel=Channel.PUBLIC,
        sealed_answers=sealed,
    )
    db.session.add(submission)
    db.session.flush()
    return submission


def make_case(
    team: Team | None,
    *,
    risk_level: str = "medium",
    submission: Submission | None = None,
    victim_name: tuple[str, str] = ("Mary", "Quinlan"),
) -> Case:
    """A case with a named victim, so tests can check that names never leave the database."""
    case = Case(
        reference=f"C-{new_id()[-8:].upper()}",
        case_type="asb",
        risk_level=risk_level,
        owning_team_id=team.id if team is not None else None,
        submission_id=submission.id if submission is not None else None,
    )
    person = Person(
        first_name=victim_name[0], last_name=victim_name[1], email="mary.q@home.example"
    )
    db.session.add_all([case, person])
    db.session.flush()
    db.session.add(CaseParty(case_id=case.id, person_id=person.id, role=PartyRole.VICTIM))
    db.session.flush()
    return case
