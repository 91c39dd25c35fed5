"""process_submission: a sealed submission becomes a scored, de-duplicated, routed case.

Run by a worker from the submission's outbox row (forms_app.jobs), inside the runner's
transaction: the runner marks the row done in the same commit, so everything here happens once
or not at all. Nothing is committed here.

1. Open the submission with the intake private key.
2. Find everyone it names (the form's routing block) and match each person, and the location,
   against the records held (forms_app.matching): link matches, write new records, queue
   "possible" matches for review. On PostgreSQL an advisory lock on each blocking token first
   makes two reports about the same new person wait for each other instead of both writing one.
3. Assess risk with the history of the victim, their address and the place.
4. Add the report to an open case of the same victim and problem (a related report), or open a
   case: parties in their roles, links between the people, routed to a team, which alone is
   granted access.
5. Re-assess the victim's other open cases; raise (never lower) their level.
6. Outbox rows: tell the team, acknowledge the reporter.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import combinations
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

import scoring
from dedupe.model import Parameters
from dedupe.records import PersonRecord
from dedupe.store import AddressRecord
from forms_app import audit
from forms_app.crypto.errors import KeyConfigurationError
from forms_app.definitions import FormDefinition
from forms_app.definitions.routing import Named, Routing
from forms_app.extensions import db
from forms_app.jobs import outbox
from forms_app.jobs.errors import PermanentJobError
from forms_app.kept import Kept, kept
from forms_app.matching.service import PARAMETERS_KEPT, Recorder, load_parameters
from forms_app.models import (
    AccessGrant,
    Case,
    CaseParty,
    CaseStatus,
    Organisation,
    PartyRole,
    PersonLink,
    Submission,
    SubmissionStatus,
    Team,
    new_id,
    table_of,
    utcnow,
)
from forms_app.public.submissions import read_sealed
from scoring.history import LONDON, HistoryEntry, day_of
from scoring.levels import RANK

from .forms import definition_for
from .models import CaseAssessment, CaseReport

log = logging.getLogger(__name__)

ORIGINAL = "original"
RELATED = "related"
ASSOCIATE = "associate"
VICTIM_AND_PERPETRATOR = "victim_perpetrator"

_instruments: dict[str, scoring.Instrument | None] = {}
_routings: dict[str, Routing] = {}
_cache_lock = threading.Lock()


@dataclass
class Party:
    role: str
    person_id: str  # the root person (after merges)
    record_id: str  # the record this report wrote
    outcome: str  # match, possible, new, or "unmatched" (too little to match on)
    home_address_id: str | None = None

    @property
    def written_now(self) -> bool:
        """The person is the record this report wrote, so no earlier case can name them."""
        return self.person_id == self.record_id


@dataclass
class Intake:
    """What one submission was found to be about."""

    parties: list[Party] = field(default_factory=list)
    location_id: str | None = None
    # People and addresses this report wrote: no earlier report, link or grant can name them.
    written: set[str] = field(default_factory=set)

    def first(self, role: str) -> Party | None:
        return next((party for party in self.parties if party.role == role), None)

    def all(self, role: str) -> list[Party]:
        return [party for party in self.parties if party.role == role]


def process_submission(submission_id: str) -> None:
    """Turn one submission into a case (or a related report on one). Idempotent."""
    session = db.session()
    submission = session.get(Submission, submission_id)
    if submission is None:
        raise PermanentJobError("the submission does not exist")
    if submission.status is SubmissionStatus.PROCESSED:
        return
    answers = _open(submission)
    form = definition_for(submission.form_version_id)
    routing = routing_for(form, submission.form_version_id)
    submitted_at = submission.created_at

    intake = _match_people_and_place(session, routing, answers, submitted_at)
    victim = intake.first("victim")
    reporter = intake.first("reporter")
    problem = routing.problem(answers)
    instrument = instrument_for(form, submission.form_version_id)
    related = _related_case(session, routing, victim, problem, submitted_at)

    history = _history(
        session,
        instrument,
        submitted_at,
        victim_id=victim.person_id if victim else None,
        home_address_id=victim.home_address_id if victim else None,
        location_id=intake.location_id,
        case_id=related.id if related else None,
        written=intake.written,
    )
    assessment = _assess(instrument, answers, history, submitted_at, reporter)
    level = assessment.level if assessment else "standard"

    if related is not None:
        case_id = related.id
        team_id = related.owning_team_id
        previous = related.risk_level or "standard"
        kind = RELATED
    else:
        team_id = _team_id(session, routing.team_for(answers, level))
        case_id = new_id()
        previous = level
        kind = ORIGINAL

    # The rows below are new, and nothing reads them back as objects before the commit: they
    # are written with one Core insert a table, in foreign-key order, which costs a fraction of
    # the ORM's unit of work. Anything still pending in the session goes first.
    session.flush()
    if kind == ORIGINAL:
        _insert(
            session,
            Case,
            {
                "id": case_id,
                "reference": submission.reference,
                "case_type": routing.case_type,
                "status": CaseStatus.OPEN,
                "risk_level": level,
                "owning_team_id": team_id,
                "submission_id": submission.id,
            },
        )
    _insert(
        session,
        CaseReport,
        {
            "id": new_id(),
            "case_id": case_id,
            "submission_id": submission.id,
            "kind": kind,
            "victim_id": victim.person_id if victim else None,
            "reporter_id": reporter.person_id if reporter else None,
            "home_address_id": victim.home_address_id if victim else None,
            "location_id": intake.location_id,
            "problem": problem,
            "hate": routing.is_hate_incident(answers),
            "incident_date": _incident_date(instrument, answers),
            "reported_at": submitted_at,
        },
    )
    if assessment is not None:
        _insert_assessment(session, case_id, submission.id, assessment, len(history))
    _add_parties(session, case_id, intake, new_case=kind == ORIGINAL)
    _link_people(session, case_id, intake)
    if team_id is not None:
        _grant(
            session,
            team_id,
            case_id,
            [party.person_id for party in intake.parties],
            new_case=kind == ORIGINAL,
            written=intake.written,
        )

    raised: dict[str, str] = {}
    if related is not None and RANK[level] > RANK[previous]:
        related.risk_level = level
        raised[case_id] = previous
    if victim is not None and not victim.written_now:
        for other, old in _reassess_open_cases(session, victim.person_id, submission, exclude=None):
            raised.setdefault(other.id, old)

    if kind == ORIGINAL:
        outbox.add("notify_team_new_case", case_id=case_id)
    for raised_id, old in raised.items():
        if raised_id != case_id or kind == RELATED:
            outbox.add("notify_team_risk_raised", case_id=raised_id, previous_level=old)
    if reporter is not None and _reporter_gave_email(routing, answers):
        outbox.add("acknowledge_reporter", submission_id=submission.id)

    # One Core statement for the submission's outcome, beside the report's other rows: the
    # object loaded above is not read again in this job, and the ORM's flush of it cost more.
    submissions = table_of(Submission)
    session.execute(
        sa.update(submissions)
        .where(submissions.c.id == submission.id)
        .values(
            status=SubmissionStatus.PROCESSED,
            processed_at=utcnow(),
            failed_at=None,
            last_error=None,
            processing_meta={
                "case_id": case_id,
                "report": kind,
                "people": len(intake.parties),
                "matched": sum(1 for party in intake.parties if party.outcome == "match"),
                "possible": sum(1 for party in intake.parties if party.outcome == "possible"),
                "raised_cases": sorted(raised),
            },
            **_risk_values(submission.id, assessment),
        )
    )
    # The audit head is one row every writer locks: take it last, just before the commit.
    audit.record(
        "case.created" if kind == ORIGINAL else "case.report_added",
        object_type="case",
        object_id=case_id,
    )


def mark_submission_failed(submission_id: str, error: str) -> None:
    """The failure hook: the submission shows as failed, with the job's (safe) error."""
    submission = db.session.get(Submission, submission_id)
    if submission is None:
        return
    submission.status = SubmissionStatus.FAILED
    submission.failed_at = utcnow()
    submission.last_error = error


# --- opening and reading --------------------------------------------------------------------


def _open(submission: Submission) -> dict[str, Any]:
    try:
        payload = read_sealed(submission.id, submission.sealed_answers)
    except KeyConfigurationError:
        raise PermanentJobError("this process holds no intake private key") from None
    except Exception:  # noqa: BLE001 - a seal that does not open never will
        raise PermanentJobError("the sealed submission cannot be opened") from None
    answers = payload.get("answers")
    if not isinstance(answers, dict):
        raise PermanentJobError("the sealed submission holds no answers")
    return answers


def routing_for(form: FormDefinition, version_id: str) -> Routing:
    with _cache_lock:
        cached = _routings.get(version_id)
    if cached is not None:
        return cached
    block = form.routing
    if block is None:
        raise PermanentJobError(f"the form {form.slug} has no routing block")
    routing = Routing.parse(block, form.slug)
    with _cache_lock:
        _routings[version_id] = routing
    return routing


def instrument_for(form: FormDefinition, version_id: str) -> scoring.Instrument | None:
    with _cache_lock:
        if version_id in _instruments:
            return _instruments[version_id]
    instrument = scoring.load_instrument(form.as_dict()) if form.scoring is not None else None
    with _cache_lock:
        _instruments[version_id] = instrument
    return instrument


def _reporter_gave_email(routing: Routing, answers: dict[str, Any]) -> bool:
    return any(n.role == "reporter" and n.email for n in routing.named_people(answers))


def _incident_date(instrument: scoring.Instrument | None, answers: dict[str, Any]) -> date | None:
    name = getattr(instrument, "incident_date_field", None) if instrument else None
    value = answers.get(name) if name else None
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


# --- people and places ----------------------------------------------------------------------


def _record(named: Named, recorded_on: date) -> PersonRecord:
    address = named.address or {}
    return PersonRecord(
        first_name=named.first_name,
        last_name=named.last_name,
        date_of_birth=named.date_of_birth,
        email=named.email,
        phone=named.phone,
        address_line_1=address.get("line1"),
        address_line_2=address.get("line2"),
        town=address.get("town"),
        postcode=address.get("postcode"),
        age=named.age,
        recorded_on=recorded_on,
    )


def _parameters(session: Session) -> Parameters:
    parameters: Kept[Parameters] = kept(PARAMETERS_KEPT, KEPT_SECONDS)
    return parameters.get("in use") or parameters.put("in use", load_parameters(session))


def _date_or_none(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _match_people_and_place(
    session: Session, routing: Routing, answers: dict[str, Any], submitted_at: datetime
) -> Intake:
    recorder = Recorder(session, _parameters(session))
    named = routing.named_people(answers)
    day = day_of(submitted_at)
    people = [(n, _record(n, day)) for n in named if n.same_as is None and n.matchable]
    normalised = [recorder.people.normalise(record) for _, record in people]
    place = routing.place(answers)
    place_record = (
        AddressRecord(
            place.get("description") or place.get("line1"),
            None,
            place.get("town"),
            place.get("postcode"),
        )
        if place
        else None
    )
    place_description = place.get("description") if place else None
    # A place already held is linked, never written, so nothing another report writes can
    # change what it is: it is found before any lock is taken. Many reports about one place
    # (an incident that brings a surge) then do not wait for each other on its tokens.
    held_place = recorder.places.match(place_record) if place_record is not None else None
    if held_place is not None and (held_place.outcome != "match" or held_place.id is None):
        held_place = None

    tokens: list[bytes] = []
    for person in normalised:
        tokens += recorder.people.query_tokens(person) + recorder.people.index_tokens(person)
        if person.address:
            tokens += recorder.places.query_tokens(person.address)
    if place_record is not None and held_place is None:
        tokens += recorder.places.query_tokens(place_record)
    lock_tokens(session, tokens)

    intake = Intake()
    by_role: dict[str, Party] = {}
    for (person, record), norm in zip(people, normalised, strict=True):
        recorded = recorder.record(
            record, normalised=norm, created_at=submitted_at, description=person.description
        )
        party = Party(
            person.role,
            recorded.person_id,
            recorded.record_id,
            recorded.decision.outcome,
            recorded.address_id,
        )
        intake.parties.append(party)
        by_role.setdefault(person.role, party)
        if party.written_now:
            intake.written.add(party.person_id)
    intake.written.update(recorder.written_addresses)

    location_id = None
    if place_record is not None:
        found = held_place or recorder.places.match(place_record)
        if found.outcome == "match" and found.id is not None:
            location_id = str(found.id)
            if place_description:
                _describe_if_undescribed(session, location_id, place_description)
        else:
            as_person = PersonRecord(
                address_line_1=place_record.address_line_1,
                town=place_record.town,
                postcode=place_record.postcode,
            )
            location_id = recorder.batch.add_address(
                as_person,
                recorder.places.index_tokens(place_record),
                submitted_at,
                description=place_description,
            )
            intake.written.add(location_id)

    for n in named:
        if n.same_as is None and not n.matchable:
            # Too little to match on (a description, a first name alone): a person of their
            # own, kept as given and never merged automatically (no index rows, no profile).
            as_given = PersonRecord(
                first_name=n.first_name,
                last_name=n.last_name,
                date_of_birth=_date_or_none(n.date_of_birth),
            )
            person_id = recorder.batch.add_person(
                as_given, [], created_at=submitted_at, address_id=None, description=n.description
            )
            intake.written.add(person_id)
            party = Party(n.role, person_id, person_id, "unmatched")
            intake.parties.append(party)
            by_role.setdefault(n.role, party)
    recorder.flush()
    intake.location_id = location_id
    for n in named:
        if n.same_as is not None and n.same_as in by_role:
            same = by_role[n.same_as]
            party = Party(
                n.role, same.person_id, same.record_id, same.outcome, same.home_address_id
            )
            intake.parties.append(party)
            by_role.setdefault(n.role, party)
    return intake


def _describe_if_undescribed(session: Session, address_id: str, description: str) -> None:
    """Give a place already held the reporter's description, if it has none yet.

    One statement that changes nothing once the place is described (every report after the
    first about it): the place is neither read nor decrypted.
    """
    from forms_app.models import Address

    addresses = table_of(Address)
    session.execute(
        sa.update(addresses)
        .where(addresses.c.id == address_id, addresses.c.description.is_(None))
        .values(description=Address.description.for_row("address", address_id, description))
    )


def lock_tokens(session: Session, tokens: list[bytes]) -> None:
    """Serialise work on the same blocking keys (PostgreSQL), in one order so none deadlock.

    Two reports about one new person share tokens; the second waits until the first commits
    and then finds the person it wrote. SQLite needs none of this: a job holds the database's
    write lock from its start.
    """
    if session.get_bind().dialect.name != "postgresql" or not tokens:
        return
    keys = sorted(
        {
            int.from_bytes(hashlib.blake2b(t, digest_size=8).digest(), "big", signed=True)
            for t in tokens
        }
    )
    # One round trip: the keys are sorted before the locks are taken, row by row.
    session.execute(
        sa.text(
            "SELECT count(pg_advisory_xact_lock(k)) FROM"
            " (SELECT k FROM unnest(CAST(:keys AS bigint[])) AS k ORDER BY k) AS sorted_keys"
        ),
        {"keys": keys},
    )


# --- cases ----------------------------------------------------------------------------------


def _insert(session: Session, model: type, *rows: dict[str, Any]) -> None:
    """Insert new rows of one table with one Core statement (the same keys in every row)."""
    if rows:
        session.execute(sa.insert(table_of(model)), list(rows))


# The owning team's id and the matching parameters are read for every report and change
# rarely: a worker keeps them this long (forms_app.kept). A team removed meanwhile makes the
# case's insert fail and the job retry until the id is read again; new parameters from
# `saferforms dedupe train` reach running workers within this time.
KEPT_SECONDS = 60.0


def _team_id(session: Session, name: str) -> str:
    team_ids: Kept[str] = kept("intake.team_ids", KEPT_SECONDS)
    held = team_ids.get(name)
    if held is not None:
        return held
    organisation_slug, _, team_slug = name.partition("/")
    team, organisation = table_of(Team), table_of(Organisation)
    team_id = session.scalar(
        sa.select(team.c.id)
        .join(organisation, team.c.organisation_id == organisation.c.id)
        .where(organisation.c.slug == organisation_slug, team.c.slug == team_slug)
    )
    if team_id is None:
        raise PermanentJobError(f"the routing names the team {name}, which does not exist")
    return team_ids.put(name, str(team_id))


def _related_case(
    session: Session,
    routing: Routing,
    victim: Party | None,
    problem: str | None,
    submitted_at: datetime,
) -> Case | None:
    if routing.related_within_days is None or victim is None or victim.written_now:
        return None
    since = submitted_at - timedelta(days=routing.related_within_days)
    query = (
        sa.select(Case)
        .join(CaseReport, CaseReport.case_id == Case.id)
        .where(
            CaseReport.victim_id == victim.person_id,
            CaseReport.reported_at >= since,
            Case.status == CaseStatus.OPEN,
        )
        .order_by(CaseReport.reported_at.desc())
        .limit(1)
    )
    if routing.related_same_answer:
        if problem is None:
            return None
        query = query.where(CaseReport.problem == problem)
    return session.scalar(query)


def _add_parties(session: Session, case_id: str, intake: Intake, *, new_case: bool) -> None:
    existing = (
        set()
        if new_case
        else set(
            session.execute(
                sa.select(CaseParty.person_id, CaseParty.role).where(CaseParty.case_id == case_id)
            ).all()
        )
    )
    rows = []
    for party in intake.parties:
        role = PartyRole(party.role)
        if (party.person_id, role) not in existing:
            rows.append(
                {"id": new_id(), "case_id": case_id, "person_id": party.person_id, "role": role}
            )
            existing.add((party.person_id, role))
    _insert(session, CaseParty, *rows)


def _link(
    session: Session, a: str, b: str, relationship: str, case_id: str, written: set[str]
) -> dict[str, Any] | None:
    """The link to add between two people, or None if they are one person or already linked."""
    if a == b:
        return None
    if relationship == ASSOCIATE:
        a, b = sorted((a, b))
    exists = (
        None
        if a in written or b in written
        else session.scalar(
            sa.select(PersonLink.id).where(
                PersonLink.person_a_id == a,
                PersonLink.person_b_id == b,
                PersonLink.relationship == relationship,
            )
        )
    )
    if exists is not None:
        return None
    return {
        "id": new_id(),
        "person_a_id": a,
        "person_b_id": b,
        "relationship": relationship,
        "source_case_id": case_id,
    }


def _link_people(session: Session, case_id: str, intake: Intake) -> None:
    responsible = sorted({party.person_id for party in intake.all("perpetrator")})
    links: list[dict[str, Any] | None] = []
    for a, b in combinations(responsible, 2):
        links.append(_link(session, a, b, ASSOCIATE, case_id, intake.written))
    for victim in {party.person_id for party in intake.all("victim")}:
        for person in responsible:
            links.append(
                _link(session, victim, person, VICTIM_AND_PERPETRATOR, case_id, intake.written)
            )
    _insert(session, PersonLink, *(link for link in links if link is not None))


def _grant(
    session: Session,
    team_id: str,
    case_id: str,
    person_ids: list[str],
    *,
    new_case: bool,
    written: set[str],
) -> None:
    live = AccessGrant.revoked_at.is_(None)
    grants: list[dict[str, Any]] = []
    if new_case or (
        session.scalar(
            sa.select(AccessGrant.id).where(
                AccessGrant.team_id == team_id, AccessGrant.case_id == case_id, live
            )
        )
        is None
    ):
        grants.append({"id": new_id(), "team_id": team_id, "case_id": case_id, "person_id": None})
    wanted = set(person_ids)
    known = wanted - written
    held = (
        set(
            session.scalars(
                sa.select(AccessGrant.person_id).where(
                    AccessGrant.team_id == team_id, AccessGrant.person_id.in_(known), live
                )
            )
        )
        if known
        else set()
    )
    for person_id in sorted(wanted - held):
        grants.append({"id": new_id(), "team_id": team_id, "case_id": None, "person_id": person_id})
    _insert(session, AccessGrant, *grants)


# --- risk -----------------------------------------------------------------------------------


# What an earlier report shares with this one, one bit a link, read back as scoring's names.
_PERSON, _ADDRESS, _LOCATION, _PROBLEM = 1, 2, 4, 8
_SAME_BY_BITS = {
    bits: frozenset(
        name
        for name, bit in (
            ("person", _PERSON),
            ("address", _ADDRESS),
            ("location", _LOCATION),
            ("problem", _PROBLEM),
        )
        if bits & bit
    )
    for bits in range(16)
}


def _history(
    session: Session,
    instrument: scoring.Instrument | None,
    now: datetime,
    *,
    victim_id: str | None,
    home_address_id: str | None,
    location_id: str | None,
    case_id: str | None,
    exclude_submission_id: str | None = None,
    written: set[str] | frozenset[str] = frozenset(),
) -> list[HistoryEntry]:
    """Earlier reports sharing this report's victim, their address, the place or the case,
    as far back as the instrument's history rules look from `now`.

    Ids in `written` (records this report wrote) cannot be named by an earlier report. A place
    that draws reports for years is read only as far back as any rule counts.
    """
    if instrument is None or instrument.history_days is None:
        return []
    report = table_of(CaseReport)
    links = [
        (column, mine, bit)
        for column, mine, bit in (
            (report.c.victim_id, victim_id, _PERSON),
            (report.c.home_address_id, home_address_id, _ADDRESS),
            (report.c.location_id, location_id, _LOCATION),
        )
        if mine and mine not in written
    ]
    if case_id:
        links.append((report.c.case_id, case_id, _PROBLEM))
    if not links:
        return []
    # A day more than the rules' look back: they count UK calendar days, stored times are UTC.
    since = now - timedelta(days=instrument.history_days + 1)
    # A report about one place draws hundreds in the window when an incident brings a surge,
    # so each row is made cheap: the links it shares with this report come as one number (a
    # bit each), and PostgreSQL gives its UK calendar day; SQLite, which knows no time zones,
    # gives the time and Python finds the day. Plain columns of one table, not ORM objects.
    # Each report is one submission, whose id tells entries apart (scoring merges entries only
    # when they share a reference).
    shared = sum(
        (sa.case((column == mine, bit), else_=0) for column, mine, bit in links),
        start=sa.literal(0),
    )
    in_sql = session.get_bind().dialect.name == "postgresql"
    day = (
        sa.cast(sa.func.timezone(LONDON.key, report.c.reported_at), sa.Date)
        if in_sql
        else report.c.reported_at
    )
    query = sa.select(
        day,
        shared,
        report.c.incident_date,
        report.c.reporter_id,
        report.c.hate,
        report.c.submission_id,
    ).where(sa.or_(*(column == mine for column, mine, _ in links)), report.c.reported_at >= since)
    if exclude_submission_id:
        query = query.where(report.c.submission_id != exclude_submission_id)
    rows = session.execute(query).all()
    same, new = _SAME_BY_BITS, tuple.__new__
    if in_sql:
        return [new(HistoryEntry, (row[0], same[row[1]], *row[2:])) for row in rows]
    return [new(HistoryEntry, (day_of(row[0]), same[row[1]], *row[2:])) for row in rows]


def _assess(
    instrument: scoring.Instrument | None,
    answers: dict[str, Any],
    history: list[HistoryEntry],
    now: datetime,
    reporter: Party | None,
) -> scoring.Assessment | None:
    if instrument is None:
        return None
    try:
        return scoring.assess(
            instrument, answers, history, now=now, reporter=reporter.person_id if reporter else None
        )
    except (scoring.AnswerError, scoring.HistoryError) as error:
        # Their messages name fields and options, never an answer.
        raise PermanentJobError(f"the answers cannot be assessed: {error}") from None


def _risk_values(submission_id: str, assessment: scoring.Assessment | None) -> dict[str, Any]:
    """The submission's risk columns for a Core update (none without an assessment)."""
    if assessment is None:
        return {}
    return {
        "risk_score": assessment.score,
        "risk_level": assessment.level,
        # Encrypted with the row's table, column and id bound in, as the attribute does.
        "risk_reasons": Submission.risk_reasons.for_row(
            "submission", submission_id, list(assessment.reasons)
        ),
        "risk_flags": list(assessment.flags),
        "risk_instrument": assessment.instrument,
        "risk_instrument_version": assessment.version,
    }


def _insert_assessment(
    session: Session,
    case_id: str,
    submission_id: str,
    assessment: scoring.Assessment,
    history_size: int,
) -> None:
    row_id = new_id()
    _insert(
        session,
        CaseAssessment,
        {
            "id": row_id,
            "case_id": case_id,
            "submission_id": submission_id,
            "score": assessment.score,
            "level": assessment.level,
            # Encrypted with the row's table, column and id bound in, as the attribute does.
            "reasons": CaseAssessment.reasons.for_row(
                "case_assessment", row_id, list(assessment.reasons)
            ),
            "flags": list(assessment.flags),
            "instrument": assessment.instrument,
            "version": assessment.version,
            "history_size": history_size,
        },
    )


def _reassess_open_cases(
    session: Session, victim_id: str, trigger: Submission, exclude: str | None
) -> list[tuple[Case, str]]:
    """Re-assess the victim's open cases with the history as it now is; return those raised."""
    cases = session.scalars(
        sa.select(Case)
        .join(CaseParty, CaseParty.case_id == Case.id)
        .where(
            CaseParty.person_id == victim_id,
            CaseParty.role == PartyRole.VICTIM,
            Case.status == CaseStatus.OPEN,
            Case.submission_id.is_not(None),
            Case.submission_id != trigger.id,
        )
        .distinct()
    ).all()
    raised = []
    for case in cases:
        if exclude is not None and case.id == exclude:
            continue
        original = session.get(Submission, case.submission_id)
        report = session.scalar(
            sa.select(CaseReport).where(CaseReport.submission_id == case.submission_id)
        )
        if original is None or report is None:
            continue
        form = definition_for(original.form_version_id)
        instrument = instrument_for(form, original.form_version_id)
        if instrument is None:
            continue
        answers = _open(original)
        history = _history(
            session,
            instrument,
            trigger.created_at,
            victim_id=report.victim_id,
            home_address_id=report.home_address_id,
            location_id=report.location_id,
            case_id=case.id,
            exclude_submission_id=original.id,
        )
        reporter_id = report.reporter_id
        result = scoring.assess(
            instrument, answers, history, now=trigger.created_at, reporter=reporter_id
        )
        _insert_assessment(session, case.id, trigger.id, result, len(history))
        old = case.risk_level or "standard"
        if RANK[result.level] > RANK[old]:
            case.risk_level = result.level
            raised.append((case, old))
    return raised
