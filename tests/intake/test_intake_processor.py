"""process_submission on reports made through the public form (jobs run in this process)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, func, select, update

from forms_app.extensions import db
from forms_app.intake import processor
from forms_app.intake.models import CaseAssessment, CaseReport
from forms_app.jobs import run_due
from forms_app.jobs.runner import execute
from forms_app.models import (
    AccessGrant,
    Address,
    Case,
    CaseParty,
    MatchReview,
    Outbox,
    OutboxState,
    PartyRole,
    Person,
    PersonAddress,
    PersonLink,
    Submission,
    SubmissionStatus,
)
from notifications.models import InboxItem
from tests.intake.intake_support import make_partnership, submit, victim_report


@pytest.fixture
def teams(app):
    with app.app_context():
        ids = make_partnership()
        db.session.remove()
    return ids


def _process(app) -> dict[str, int]:
    with app.app_context():
        counts = run_due()
        db.session.remove()
    return counts


def _case_for(db_session, reference) -> Case:
    db_session.expire_all()
    return db_session.scalar(
        select(Case)
        .join(CaseReport, CaseReport.case_id == Case.id)
        .join(Submission, Submission.id == CaseReport.submission_id)
        .where(Submission.reference == reference)
    )


def _mail(app) -> list[str]:
    folder = app.config["OUTBOX_DIR"]
    return [p.read_text() for p in sorted(folder.glob("*.eml"))] if folder.exists() else []


def test_a_report_becomes_a_scored_case_owned_by_the_routed_team_alone(
    app, client, db_session, teams
) -> None:
    reference = submit(client, victim_report())
    _process(app)

    case = _case_for(db_session, reference)
    assert case.reference == reference and case.case_type == "asb"
    assert case.owning_team_id == teams["northdale-council/asb-team"]
    submission = db_session.scalar(select(Submission).where(Submission.reference == reference))
    assert submission.status is SubmissionStatus.PROCESSED and submission.processed_at
    assert case.risk_level == submission.risk_level
    assert submission.risk_instrument == "ASB victim risk assessment"
    assert submission.risk_reasons
    roles = {
        party.role
        for party in db_session.scalars(select(CaseParty).where(CaseParty.case_id == case.id))
    }
    assert roles == {PartyRole.VICTIM, PartyRole.REPORTER, PartyRole.PERPETRATOR}
    victim_and_reporter = db_session.scalars(
        select(CaseParty.person_id).where(
            CaseParty.case_id == case.id,
            CaseParty.role.in_([PartyRole.VICTIM, PartyRole.REPORTER]),
        )
    ).all()
    assert len(set(victim_and_reporter)) == 1  # the reporter is the victim
    grants = db_session.scalars(select(AccessGrant.team_id)).all()
    assert set(grants) == {teams["northdale-council/asb-team"]}
    assert db_session.scalar(select(func.count()).where(AccessGrant.case_id == case.id)) == 1
    assert (
        db_session.scalar(select(func.count()).select_from(PersonLink)) == 1
    )  # victim–responsible
    [item] = db_session.scalars(select(InboxItem)).all()
    assert item.case_id == case.id and item.team_id == case.owning_team_id
    mails = _mail(app)
    assert len(mails) == 2
    team_mail = next(m for m in mails if "To: asb-team@northdale-council.example" in m)
    acknowledgement = next(m for m in mails if "To: sam.smith@home.example" in m)
    assert reference in team_mail and reference in acknowledgement
    for mail in mails:
        assert "Smith" not in mail.split("\n\n", 1)[1]
        assert "Elm Road" not in mail
    assert (
        db_session.scalar(
            select(func.count()).select_from(Outbox).where(Outbox.state != OutboxState.DONE)
        )
        == 0
    )


def test_a_report_about_the_estates_goes_to_the_housing_team(app, client, db_session, teams):
    reference = submit(client, victim_report(postcode="ND7 2XY"))
    _process(app)

    case = _case_for(db_session, reference)
    assert case.owning_team_id == teams["northdale-homes/tenancy-enforcement"]
    grants = set(db_session.scalars(select(AccessGrant.team_id)))
    assert grants == {teams["northdale-homes/tenancy-enforcement"]}


def test_processing_a_submission_again_changes_nothing(app, client, db_session, teams) -> None:
    submit(client, victim_report())
    _process(app)
    row_id = db_session.scalar(select(Outbox.id).where(Outbox.kind == "process_submission"))
    db_session.execute(update(Outbox).where(Outbox.id == row_id).values(state=OutboxState.PENDING))
    db_session.commit()

    with app.app_context():
        assert execute(row_id) == "done"
        from forms_app.intake.processor import process_submission

        process_submission(db.session.scalar(select(Submission.id)))
        db.session.commit()
        db.session.remove()

    assert db_session.scalar(select(func.count()).select_from(Case)) == 1
    assert db_session.scalar(select(func.count()).select_from(CaseReport)) == 1
    assert db_session.scalar(select(func.count()).select_from(CaseParty)) == 3
    assert db_session.scalar(select(func.count()).select_from(Outbox)) == 3


def test_the_same_person_reporting_again_is_matched_not_duplicated_and_history_counts(
    app, client, db_session, teams
) -> None:
    references = []
    for category in ("personal", "nuisance", "environmental"):
        references.append(submit(client, victim_report(category={"asb_category": category})))
        _process(app)

    cases = [_case_for(db_session, reference) for reference in references]
    assert len({case.id for case in cases}) == 3  # different problems: three cases
    victims = set(
        db_session.scalars(select(CaseParty.person_id).where(CaseParty.role == PartyRole.VICTIM))
    )
    assert len(victims) == 1  # one person, matched each time
    third = db_session.scalar(select(Submission).where(Submission.reference == references[2]))
    assert "repeat_victim" in third.risk_flags
    # The earlier cases were re-assessed with the longer history.
    assert db_session.scalar(select(func.count()).where(CaseAssessment.case_id == cases[0].id)) == 3


def test_a_new_report_of_the_same_problem_joins_the_open_case(app, client, db_session, teams):
    first = submit(client, victim_report())
    _process(app)
    second = submit(client, victim_report())
    _process(app)

    case = _case_for(db_session, first)
    assert _case_for(db_session, second).id == case.id
    kinds = db_session.scalars(
        select(CaseReport.kind)
        .where(CaseReport.case_id == case.id)
        .order_by(CaseReport.reported_at)
    ).all()
    assert kinds == ["original", "related"]
    assert db_session.scalar(select(func.count()).select_from(Case)) == 1
    assert db_session.scalar(select(func.count()).select_from(InboxItem)) == 1  # one per new case


def test_an_anonymous_report_names_no_reporter_and_sends_no_acknowledgement(
    app, client, db_session, teams
) -> None:
    answers = victim_report(anonymous=True)
    for page in ("about-you", "your-address", "contact", "safe-contact"):
        answers.pop(page, None)
    reference = submit(client, answers)
    _process(app)

    case = _case_for(db_session, reference)
    roles = set(db_session.scalars(select(CaseParty.role).where(CaseParty.case_id == case.id)))
    assert roles == {PartyRole.PERPETRATOR}
    mails = _mail(app)
    assert len(mails) == 1 and "To: asb-team@northdale-council.example" in mails[0]


def test_two_people_responsible_named_together_become_associates(app, client, db_session, teams):
    responsible = [
        {"responsible_person-first_name": "Jo", "responsible_person-last_name": "Bloggs"},
        {"responsible_person-first_name": "Kit", "responsible_person-last_name": "Marlowe"},
    ]
    submit(client, victim_report(responsible=responsible))
    _process(app)

    links = db_session.execute(select(PersonLink.relationship)).scalars().all()
    assert sorted(links) == ["associate", "victim_perpetrator", "victim_perpetrator"]


def test_a_corrupt_seal_fails_visibly_and_the_other_reports_still_flow(
    app, client, db_session, runner, teams
) -> None:
    broken = submit(client, victim_report(name="Alex Broken"))
    good = submit(client, victim_report(name="Nia Fine", email="nia@home.example"))
    db_session.execute(
        update(Submission).where(Submission.reference == broken).values(sealed_answers=b"\x00" * 80)
    )
    db_session.commit()

    _process(app)

    db_session.expire_all()
    failed = db_session.scalar(select(Submission).where(Submission.reference == broken))
    assert failed.status is SubmissionStatus.FAILED and failed.failed_at is not None
    assert failed.last_error == "PermanentJobError: the sealed submission cannot be opened"
    assert _case_for(db_session, good) is not None
    listing = runner.invoke(args=["jobs", "failed"])
    assert "process_submission" in listing.output
    assert f"submission_id={failed.id}" in listing.output
    assert "the sealed submission cannot be opened" in listing.output
    health = app.test_client().get("/healthz").get_json()["pipeline"]
    assert health["submissions_failed"] == 1 and health["outbox_failed"] == 1
    shown = runner.invoke(args=["cases", "show", broken])
    assert shown.exit_code != 0 and "the submission is failed" in shown.output


def test_a_possible_match_is_queued_for_review_and_the_case_is_still_created(
    app, client, db_session, teams
) -> None:
    submit(client, victim_report(name="Catherine Jones", dob=(1975, 3, 2), email="cj@home.example"))
    _process(app)
    # The same surname and address, a similar first name and no shared contact details.
    second = submit(
        client,
        victim_report(
            name="Katherine Jones",
            dob=None,
            email="kjones@elsewhere.example",
            category={"asb_category": "nuisance"},
        ),
    )
    _process(app)

    assert _case_for(db_session, second) is not None
    reviews = db_session.scalar(select(func.count()).select_from(MatchReview))
    people = db_session.scalar(
        select(func.count()).select_from(Person).where(Person.merged_into_id.is_(None))
    )
    # Either a person decides (a review is queued), or it was a clear match: never two silent
    # records of one person.
    victims = set(
        db_session.scalars(select(CaseParty.person_id).where(CaseParty.role == PartyRole.VICTIM))
    )
    assert reviews >= 1 or len(victims) == 1
    assert people >= 2  # the people responsible and the victim(s)


def test_cases_show_prints_the_case_without_names_unless_asked(
    app, client, db_session, runner, teams
) -> None:
    reference = submit(client, victim_report())
    _process(app)

    shown = runner.invoke(args=["cases", "show", reference.lower()])
    assert shown.exit_code == 0, shown.output
    assert f"Case {reference}" in shown.output
    assert "owning team: Asb Team" in shown.output
    assert "victim" in shown.output and "perpetrator" in shown.output
    assert "Access: Asb Team" in shown.output
    assert "Sam" not in shown.output
    named = runner.invoke(args=["cases", "show", reference, "--names"])
    assert "Sam Smith" in named.output
    missing = runner.invoke(args=["cases", "show", "ASB-NONE-NONE"])
    assert missing.exit_code != 0 and "no case or report has the reference" in missing.output


def test_a_person_responsible_named_by_first_name_alone_is_kept_but_never_matched(
    app, client, db_session, teams
) -> None:
    """'Jo' in one report and 'Jo' in the next may be anyone: each is kept as written, and no
    guess goes to the review queue."""
    first = submit(client, victim_report(name="Ann Lee", email="ann@home.example"))
    second = submit(client, victim_report(name="Bob Ray", email="bob@home.example"))
    _process(app)

    responsible = []
    for reference in (first, second):
        case = _case_for(db_session, reference)
        (person_id,) = db_session.scalars(
            select(CaseParty.person_id).where(
                CaseParty.case_id == case.id, CaseParty.role == PartyRole.PERPETRATOR
            )
        ).all()
        responsible.append(db_session.get(Person, person_id))
    assert [p.first_name for p in responsible] == ["Jo", "Jo"]
    assert responsible[0].id != responsible[1].id
    assert responsible[0].merged_into_id is None and responsible[1].merged_into_id is None
    ids = [p.id for p in responsible]
    guesses = select(func.count()).where(
        (MatchReview.person_id.in_(ids)) | (MatchReview.candidate_id.in_(ids))
    )
    assert db_session.scalar(guesses) == 0


def test_what_the_reporter_wrote_about_a_person_and_the_place_is_kept_encrypted(
    app, client, db_session, teams
) -> None:
    responsible = [
        {
            "responsible_person-first_name": "Jo",
            "responsible_person-last_name": "Bloggs",
            "responsible_person-description": "Tall, grey hoodie",
        }
    ]
    reference = submit(client, victim_report(responsible=responsible))
    _process(app)

    case = _case_for(db_session, reference)
    report = db_session.scalar(select(CaseReport).where(CaseReport.case_id == case.id))
    perpetrator_id = db_session.scalar(
        select(CaseParty.person_id).where(
            CaseParty.case_id == case.id, CaseParty.role == PartyRole.PERPETRATOR
        )
    )
    with app.app_context():
        person = db.session.get(Person, perpetrator_id)
        place = db.session.get(Address, report.location_id)
        assert person.description == "Tall, grey hoodie"
        assert place.description == "Outside 4 Elm Road"
        assert b"hoodie" not in person.description_enc
        # The victim's home address is the one their record was written with.
        home = db.session.scalar(
            select(PersonAddress.address_id).where(PersonAddress.person_id == report.victim_id)
        )
        assert home is not None and report.home_address_id == home
        db.session.remove()


def test_a_report_updates_its_submission_once_and_inserts_each_table_in_one_statement(
    app, client, db_session, teams
) -> None:
    """The risk and the status go out together; case rows are written a table at a time."""
    responsible = [
        {"responsible_person-first_name": "Jo", "responsible_person-last_name": "Bloggs"},
        {"responsible_person-first_name": "Kit", "responsible_person-last_name": "Marlowe"},
    ]
    submit(client, victim_report(responsible=responsible))
    statements: list[str] = []

    def keep(_connection, _cursor, statement, *_rest) -> None:
        statements.append(" ".join(statement.split()))

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", keep)
        try:
            assert execute(db.session.scalar(select(Outbox.id))) == "done"
        finally:
            event.remove(db.engine, "before_cursor_execute", keep)
        db.session.remove()

    assert len([s for s in statements if s.startswith("UPDATE submission ")]) == 1
    for table in ("cases", "case_report", "case_party", "person_link", "access_grant"):
        assert len([s for s in statements if s.startswith(f"INSERT INTO {table} ")]) == 1, table
    submission = db_session.scalar(select(Submission))
    assert submission.status is SubmissionStatus.PROCESSED and submission.risk_reasons
    # Written with a Core statement, the reasons are encrypted as the model's attribute would.
    assessment = db_session.scalar(select(CaseAssessment))
    assert assessment.reasons == submission.risk_reasons
    assert submission.risk_reasons[0].encode() not in assessment.reasons_enc
    assert db_session.scalar(select(func.count()).select_from(CaseParty)) == 4
    assert db_session.scalar(select(func.count()).select_from(PersonLink)) == 3


def test_a_report_about_a_place_already_held_does_not_wait_for_another_about_it(
    app, client, db_session, teams, monkeypatch
) -> None:
    """An incident that brings a surge of reports about one place: they are not processed one
    at a time. (Only PostgreSQL takes locks; SQLite runs one writer at a time anyway.)"""
    if db_session.get_bind().dialect.name != "postgresql":
        pytest.skip("locks on blocking keys are taken on PostgreSQL only")
    submit(client, victim_report())
    _process(app)  # the place is held from now on
    first = submit(client, _elsewhere("Ann Jones", "7 Ash Grove", "ND2 7AG"))
    second = submit(client, _elsewhere("Raj Patel", "12 Birch Lane", "ND3 1BL"))
    rows = dict(
        db_session.execute(
            select(Submission.reference, Outbox.id)
            .join(Outbox, Outbox.payload["submission_id"].as_string() == Submission.id)
            .where(Outbox.kind == "process_submission", Outbox.state != OutboxState.DONE)
        ).all()
    )
    db_session.rollback()

    locked, carry_on = threading.Event(), threading.Event()
    holder = threading.current_thread
    paused: list[threading.Thread] = []
    original = processor.lock_tokens

    def lock_then_wait(session, tokens) -> None:
        original(session, tokens)
        if holder() in paused:
            locked.set()
            carry_on.wait(30)

    monkeypatch.setattr(processor, "lock_tokens", lock_then_wait)
    outcomes: dict[str, str] = {}

    def run(reference: str) -> None:
        with app.app_context():
            try:
                outcomes[reference] = execute(rows[reference])
            finally:
                db.session.remove()

    in_flight = threading.Thread(target=run, args=(first,))
    paused.append(in_flight)
    after = threading.Thread(target=run, args=(second,))
    try:
        in_flight.start()
        assert locked.wait(30), "the first report never took its locks"
        after.start()
        after.join(20)
        # The second report finished while the first still held its locks, uncommitted.
        assert not after.is_alive() and outcomes.get(second) == "done"
    finally:
        carry_on.set()
        in_flight.join(30)
        after.join(30)
    assert outcomes == {first: "done", second: "done"}
    db_session.expire_all()
    locations = set(db_session.scalars(select(CaseReport.location_id)))
    assert len(locations) == 1 and None not in locations  # one place, linked by all three


def _elsewhere(name: str, line: str, postcode: str) -> dict[str, dict[str, str]]:
    """A report by another victim, living elsewhere, about the same place as victim_report."""
    return victim_report(
        name=name,
        email=f"{name.split()[0].lower()}@home.example",
        your_address={
            "contact_address-line1": line,
            "contact_address-town": "Northdale",
            "contact_address-postcode": postcode,
        },
    )


def test_earlier_reports_about_the_place_count_as_far_back_as_the_rules_look(
    app, client, db_session, teams
) -> None:
    """The public form gives where it happened as words and a postcode: later reports find the
    place again, and a place that draws reports for years is read back only 182 days, the
    furthest the ASB instrument looks."""
    submit(client, victim_report())
    _process(app)
    for report in db_session.scalars(select(CaseReport)):
        report.reported_at -= timedelta(days=200)
    db_session.commit()
    second = submit(client, _elsewhere("Ann Jones", "7 Ash Grove", "ND2 7AG"))
    _process(app)
    third = submit(client, _elsewhere("Raj Patel", "12 Birch Lane", "ND3 1BL"))
    _process(app)

    def history_size(reference: str) -> int:
        return db_session.scalar(
            select(CaseAssessment.history_size)
            .join(Submission, Submission.id == CaseAssessment.submission_id)
            .where(Submission.reference == reference)
        )

    db_session.expire_all()
    assert history_size(second) == 0  # the first report is 200 days old
    assert history_size(third) == 1  # the second, about the same place
    assert len(set(db_session.scalars(select(CaseReport.location_id)))) == 1


def test_history_counts_uk_calendar_days_not_utc_ones(app, client, db_session, teams) -> None:
    """A report made at half past midnight in British Summer Time (23:30 the day before, in
    UTC) belongs to the later day: the one that puts it inside a 91-day window."""
    earlier = [
        submit(client, victim_report(category={"asb_category": category}))
        for category in ("personal", "nuisance")
    ]
    _process(app)
    # 00:30 on 21 June 2026 in London; 91 days before 20 September 2026, the window's first day.
    half_past_midnight_bst = datetime(2026, 6, 20, 23, 30, tzinfo=UTC)
    for report in db_session.scalars(select(CaseReport)):
        report.reported_at = half_past_midnight_bst
    db_session.commit()
    third = submit(client, victim_report(category={"asb_category": "environmental"}))
    db_session.execute(
        update(Submission)
        .where(Submission.reference == third)
        .values(created_at=datetime(2026, 9, 20, 12, 0, tzinfo=UTC))
    )
    db_session.commit()
    _process(app)

    db_session.expire_all()
    assessed = db_session.scalar(select(Submission).where(Submission.reference == third))
    assert len(earlier) == 2 and assessed.status is SubmissionStatus.PROCESSED
    # Three reports about the victim within 91 days, counting this one; by UTC days the two
    # earlier ones would fall a day outside and the victim would not show as a repeat victim.
    assert "repeat_victim" in assessed.risk_flags
    assert any("3 reports about this victim" in reason for reason in assessed.risk_reasons)


def test_a_place_held_without_words_takes_the_first_reporters_description_only(app) -> None:
    """A place first held as someone's home has no description; the first report about it
    gives one, encrypted with the place's own row, and later reports do not overwrite it."""
    with app.app_context():
        place = Address(line_1="4 Elm Road", town="Northdale", postcode="ND1 4EL")
        db.session.add(place)
        db.session.commit()
        place_id = place.id
        processor._describe_if_undescribed(db.session, place_id, "Outside the corner shop")
        db.session.commit()
        processor._describe_if_undescribed(db.session, place_id, "By the bus stop")
        db.session.commit()
        db.session.expire_all()
        held = db.session.get(Address, place_id)
        assert held.description == "Outside the corner shop"
        assert b"corner shop" not in held.description_enc
        db.session.remove()
