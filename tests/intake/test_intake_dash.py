"""A DASH referral is processed into a domestic abuse case for the community safety hub."""

from __future__ import annotations

import json

from sqlalchemy import select

from forms_app.crypto import crypto
from forms_app.definitions import load_all
from forms_app.extensions import db
from forms_app.intake.models import CaseReport
from forms_app.jobs import run_due
from forms_app.models import (
    AccessGrant,
    Case,
    CaseParty,
    Channel,
    FormVersion,
    Outbox,
    PartyRole,
    Submission,
    SubmissionStatus,
    new_id,
    utcnow,
)
from tests.conftest import ROOT
from tests.intake.intake_support import make_partnership


def _dash_referral(answers: dict[str, object]) -> str:
    """Store a sealed DASH submission with its outbox row, as the referral form would."""
    form = load_all(ROOT / "form_definitions")["dash"]
    version = FormVersion(
        slug="dash", content_hash=form.content_hash, title="DASH", source_yaml=form.source_text
    )
    db.session.add(version)
    db.session.flush()
    submission_id = new_id()
    payload = {
        "format": "saferforms-submission-v1",
        "form": "dash",
        "form_version_id": version.id,
        "language": "en",
        "submitted_at": utcnow().isoformat(),
        "answers": answers,
        "uploads": {},
    }
    db.session.add(
        Submission(
            id=submission_id,
            reference="DASH-7KQ3-MX2P",
            form_version_id=version.id,
            channel=Channel.REFERRAL,
            sealed_answers=crypto().seal_submission(submission_id, json.dumps(payload).encode()),
        )
    )
    db.session.add(Outbox(kind="process_submission", payload={"submission_id": submission_id}))
    db.session.commit()
    return submission_id


def test_a_dash_referral_with_fourteen_yes_answers_becomes_a_high_risk_case_for_the_hub(
    app,
) -> None:
    form = load_all(ROOT / "form_definitions")["dash"]
    with app.app_context():
        teams = make_partnership()
        checklist = [
            f.name
            for page in form.pages
            for f in page.fields
            if f.type == "radios" and {o.value for o in f.options} >= {"yes", "no", "not_known"}
        ]
        assert len(checklist) == 27
        safe = [q for q in checklist if q not in ("threats_to_kill", "strangulation")]
        answers: dict[str, object] = {q: "no" for q in checklist}
        answers.update({q: "yes" for q in safe[:14]})
        answers["victim"] = {"first_name": "Carys", "last_name": "Bevan"}
        answers["abuser"] = {"first_name": "Dylan", "last_name": "Price"}
        answers["incident_date"] = utcnow().date().isoformat()
        submission_id = _dash_referral(answers)
        db.session.remove()

        run_due()
        db.session.remove()

        submission = db.session.get(Submission, submission_id)
        assert submission.status == SubmissionStatus.PROCESSED, submission.last_error
        assert submission.risk_level == "high"
        case = db.session.scalar(
            select(Case)
            .join(CaseReport, CaseReport.case_id == Case.id)
            .where(CaseReport.submission_id == submission_id)
        )
        assert case.case_type == "domestic-abuse"
        assert case.owning_team_id == teams["northdale-council/community-safety-hub"]
        roles = sorted(
            p.role
            for p in db.session.scalars(select(CaseParty).where(CaseParty.case_id == case.id))
        )
        assert roles == sorted([PartyRole.VICTIM, PartyRole.PERPETRATOR])
        grantees = {
            g.team_id
            for g in db.session.scalars(select(AccessGrant).where(AccessGrant.case_id == case.id))
        }
        assert grantees == {teams["northdale-council/community-safety-hub"]}
