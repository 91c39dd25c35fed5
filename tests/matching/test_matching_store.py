"""The SQL store behind dedupe: candidates by token, decrypted, under the person they belong to."""

from __future__ import annotations

import sqlalchemy as sa

from dedupe.blocking import KEY_KINDS, kinds_of
from dedupe.records import PersonRecord
from dedupe.store import AddressRecord
from forms_app.matching.models import MatchProfile
from forms_app.matching.service import address_matcher, person_matcher, record_person
from forms_app.matching.store import SqlPersonStore
from forms_app.models import Person, PersonIndex

ANN = PersonRecord(
    first_name="Ann", last_name="Lee", date_of_birth="1980-05-12", email="ann@example.org",
    address_line_1="Flat 3", address_line_2="12 High Street", town="Cardiff", postcode="CF10 1AA",
)  # fmt: skip


def test_index_rows_hold_short_tokens_and_kinds_never_values(db_session):
    record_person(db_session, ANN)
    db_session.commit()
    tokens = db_session.scalars(sa.select(PersonIndex.token)).all()
    assert set(kinds_of(tokens)) >= {"dob_initial", "dob_surname", "email", "postcode_surname"}
    assert all(len(token) <= 5 for token in tokens)
    assert all(b"ann" not in token.lower() for token in tokens)


def test_candidates_come_back_decrypted_with_their_home_address(db_session):
    person_id = record_person(db_session, ANN).person_id
    db_session.commit()
    matcher = person_matcher(db_session)
    found = SqlPersonStore(db_session).candidates(matcher.query_tokens(ANN))
    assert [c.person_id for c in found] == [person_id]
    person = matcher.normalise(found[0].person)
    assert person == matcher.normalise(ANN)
    assert (person.address.flat, person.address.postcode.text) == ("3", "CF10 1AA")


def test_records_without_a_current_profile_are_read_from_their_fields(db_session):
    person_id = record_person(db_session, ANN).person_id
    db_session.commit()
    matcher = person_matcher(db_session)
    tokens = matcher.query_tokens(ANN)
    db_session.execute(sa.update(MatchProfile).values(version=0))
    stale = SqlPersonStore(db_session).candidates(tokens)
    db_session.execute(sa.delete(MatchProfile))
    missing = SqlPersonStore(db_session).candidates(tokens)
    for found in (stale, missing):
        assert [c.person_id for c in found] == [person_id]
        record = found[0].person
        assert isinstance(record, PersonRecord)
        assert (record.first_name, record.postcode, record.address_line_2) == (
            "Ann",
            "CF10 1AA",
            "12 High Street",
        )
        assert matcher.normalise(record) == matcher.normalise(ANN)


def test_profiles_are_stored_encrypted(db_session):
    record_person(db_session, ANN)
    db_session.commit()
    blob = db_session.scalar(sa.select(MatchProfile.profile_enc))
    assert b"ann" not in blob.lower() and b"CF10" not in blob


def test_a_record_merged_into_another_comes_back_under_the_person_kept(db_session):
    first = record_person(db_session, ANN)
    second = record_person(
        db_session, PersonRecord(first_name="Annie", last_name="Lee", email="ann@example.org")
    )
    db_session.commit()
    assert (second.decision.outcome, second.person_id) == ("match", first.person_id)
    assert db_session.get(Person, second.record_id).merged_into_id == first.person_id
    tokens = person_matcher(db_session).query_tokens(PersonRecord(email="ann@example.org"))
    found = SqlPersonStore(db_session).candidates(tokens)
    assert {c.person_id for c in found} == {first.person_id}
    assert len(found) == 2


def test_a_token_shared_by_too_many_records_is_skipped(db_session):
    for i in range(5):
        record_person(
            db_session,
            PersonRecord(first_name=f"Person{i}x", last_name=f"Q{i}z", email="shared@example.org"),
        )
    db_session.commit()
    tokens = person_matcher(db_session).query_tokens(PersonRecord(email="shared@example.org"))
    assert len(SqlPersonStore(db_session, max_bucket=10).candidates(tokens)) == 5
    assert SqlPersonStore(db_session, max_bucket=4).candidates(tokens) == []


def test_no_tokens_no_candidates(db_session):
    assert SqlPersonStore(db_session).candidates([]) == []


def test_addresses_are_matched_through_their_own_store(db_session):
    record_person(db_session, ANN)
    db_session.commit()
    matcher = address_matcher(db_session)
    same = matcher.match(AddressRecord("flat 3, 12 high st", None, "cardiff", "cf10 1aa"))
    other_flat = matcher.match(AddressRecord("Flat 4", "12 High Street", "Cardiff", "CF10 1AA"))
    assert same.outcome == "match"
    assert other_flat.outcome == "new"


def test_reindexing_after_an_edit_matches_on_what_the_record_now_says(db_session):
    from forms_app.matching.service import reindex_person

    person_id = record_person(db_session, ANN).person_id
    db_session.commit()
    person = db_session.get(Person, person_id)
    person.email = "ann.new@example.org"
    db_session.flush()
    lookup = PersonRecord(email="ann.new@example.org")
    assert person_matcher(db_session).match(lookup).candidates == 0
    reindex_person(db_session, person_id)
    db_session.commit()
    decision = person_matcher(db_session).match(lookup)
    assert decision.candidates == 1
    found = SqlPersonStore(db_session).candidates(person_matcher(db_session).query_tokens(lookup))
    assert found[0].person.email.address == "ann.new@example.org"
    assert db_session.scalar(sa.select(sa.func.count()).select_from(MatchProfile)) == 1


def test_a_weak_tag_held_by_more_records_than_its_crowd_is_skipped(db_session):
    # Nine people share only a date of birth and a surname initial with the one looked up.
    names = [("Xavier", "Quinn"), ("Yusuf", "Quayle"), ("Zara", "Quigley"), ("Wendy", "Quentin"), ("Sian", "Quilter"), ("Rhys", "Quorn"),
             ("Vera", "Quarrie"), ("Ursula", "Quick"), ("Tina", "Quint")]  # fmt: skip
    crowd = KEY_KINDS["dob_initial"].crowd
    assert crowd == len(names) - 1
    ids = [
        record_person(db_session, PersonRecord(first_name=first, last_name=last,
                                               date_of_birth="1980-05-12")).record_id
        for first, last in names[:crowd]
    ]  # fmt: skip
    db_session.commit()
    query = PersonRecord(first_name="Olwen", last_name="Quade", date_of_birth="1980-05-12")
    matcher = person_matcher(db_session)
    store = SqlPersonStore(db_session)
    assert sorted(c.person_id for c in store.candidates(matcher.query_tokens(query))) == sorted(ids)
    record_person(db_session, PersonRecord(first_name=names[-1][0], last_name=names[-1][1],
                                           date_of_birth="1980-05-12"))  # fmt: skip
    db_session.commit()
    assert store.candidates(matcher.query_tokens(query)) == []
    assert store.snapshot(matcher.query_tokens(query)).candidates(matcher.query_tokens(query)) == []
