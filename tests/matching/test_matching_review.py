"""The review queue: merge and unmerge (reversible, audited, links kept), mark as different."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from dedupe.records import PersonRecord
from forms_app.matching import review
from forms_app.matching.service import person_matcher, record_person
from forms_app.models import (
    Address,
    AuditEvent,
    Case,
    CaseParty,
    MatchReview,
    Organisation,
    Person,
    PersonAddress,
    Team,
)

SIAN = PersonRecord(
    first_name="Siân", last_name="Evans", date_of_birth="1980-05-12",
    address_line_1="12 Heol y Bont", town="Bangor", postcode="LL57 1AA",
)  # fmt: skip
TWIN = PersonRecord(
    first_name="Owain", last_name="Evans", date_of_birth="1980-05-12",
    address_line_1="12 Heol y Bont", town="Bangor", postcode="LL57 1AA",
)  # fmt: skip


@pytest.fixture
def pair(db_session):
    """Siân, and a record that might be her twin brother, queued for review."""
    first = record_person(db_session, SIAN)
    second = record_person(db_session, TWIN)
    db_session.commit()
    assert second.decision.outcome == "possible"
    queued = db_session.scalar(sa.select(MatchReview))
    return first.person_id, second.record_id, queued


def test_a_possible_match_is_queued_once_with_its_score(db_session, pair):
    first, second, queued = pair
    assert (queued.person_id, queued.candidate_id, queued.status) == (second, first, "pending")
    assert 0.5 <= queued.score < 1
    assert review.pending(db_session) == [queued]
    assert review.propose(db_session, first, second, 0.9, {}) is None


def test_merge_links_the_records_and_keeps_every_link(db_session, pair):
    first, second, queued = pair
    team = _team(db_session)
    case = Case(reference="ASB-TEST-0001", case_type="asb", owning_team_id=team.id)
    db_session.add(case)
    db_session.flush()
    db_session.add(CaseParty(case_id=case.id, person_id=second, role="victim"))
    db_session.commit()

    kept = review.merge(db_session, queued, actor=None)
    db_session.commit()
    assert kept == first
    assert review.root_of(db_session, second) == first
    assert set(review.members_of(db_session, first)) == {first, second}
    assert queued.status == "merged"
    assert db_session.scalar(sa.select(CaseParty.person_id)) == second
    assert (
        db_session.scalar(
            sa.select(sa.func.count())
            .select_from(PersonAddress)
            .where(PersonAddress.person_id == second)
        )
        == 1
    )
    merged = db_session.get(Person, second)
    assert merged.first_name == "Owain"


def test_after_a_merge_matching_finds_the_person_through_either_record(db_session, pair):
    first, second, queued = pair
    review.merge(db_session, queued, actor=None)
    db_session.commit()
    decision = person_matcher(db_session).match(TWIN)
    assert (decision.outcome, decision.id) == ("match", first)


def test_unmerge_restores_both_people_exactly(db_session, pair):
    first, second, queued = pair
    review.merge(db_session, queued, actor=None)
    db_session.commit()
    review.unmerge(db_session, second, actor=None)
    db_session.commit()
    assert review.root_of(db_session, second) == second
    assert review.members_of(db_session, first) == [first]
    assert db_session.get(Person, second).merged_at is None
    assert queued.status == "unmerged"


def test_merge_and_unmerge_are_audited_without_personal_data(db_session, pair):
    first, second, queued = pair
    review.merge(db_session, queued, actor=None)
    review.unmerge(db_session, second, actor=None)
    db_session.commit()
    events = [(e.action, e.object_id, e.fields) for e in db_session.scalars(sa.select(AuditEvent))]
    assert events == [
        ("person.merged", second, ["merged_into_id"]),
        ("person.unmerged", second, ["merged_into_id"]),
    ]


def test_marked_different_is_remembered_and_not_proposed_again(db_session, pair):
    first, second, queued = pair
    review.mark_different(db_session, queued, actor=None)
    db_session.commit()
    assert review.marked_different(db_session, first, second)
    assert review.propose(db_session, first, second, 0.9, {}) is None
    assert review.different_from(db_session, first) == {second}
    # Another record of the twin later: it matches the twin, and Siân is not proposed again.
    again = record_person(db_session, TWIN)
    db_session.commit()
    assert (again.decision.outcome, again.person_id) == ("match", second)
    assert db_session.scalar(sa.select(sa.func.count()).select_from(MatchReview)) == 1


def test_a_decided_review_cannot_be_decided_again(db_session, pair):
    _, _, queued = pair
    review.mark_different(db_session, queued, actor=None)
    with pytest.raises(review.ReviewError, match="already been decided"):
        review.merge(db_session, queued, actor=None)


def test_unmerging_a_record_that_is_not_merged_is_refused(db_session, pair):
    first, _, _ = pair
    with pytest.raises(review.ReviewError, match="not merged"):
        review.unmerge(db_session, first, actor=None)


def test_people_can_be_merged_directly_and_the_merge_undone(db_session):
    a = record_person(db_session, SIAN).person_id
    b = record_person(
        db_session, PersonRecord(first_name="Ann", last_name="Lee", date_of_birth="1990-01-01")
    ).person_id
    db_session.commit()
    assert review.merge_people(db_session, b, a, actor=None) == a
    review.unmerge(db_session, b, actor=None)
    assert review.root_of(db_session, b) == b


def test_the_address_is_matched_and_shared_by_the_household(db_session, pair):
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Address)) == 1


def _team(db_session) -> Team:
    organisation = Organisation(name="Test partnership", slug="test")
    db_session.add(organisation)
    db_session.flush()
    team = Team(name="ASB team", slug="asb", organisation_id=organisation.id)
    db_session.add(team)
    db_session.flush()
    return team
