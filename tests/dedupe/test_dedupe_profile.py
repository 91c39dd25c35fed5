import json

import pytest

from dedupe.profile import PROFILE_VERSION, StaleProfile, dump_profile, load_profile
from dedupe.records import PersonRecord, normalise_person


def test_a_normalised_person_survives_the_round_trip_exactly():
    person = normalise_person(
        PersonRecord(
            first_name="Siân", last_name="ap Gwilym Jnr", date_of_birth="1980-05",
            gender="f", email="Sian+x@gmail.com", phone="07700 900123",
            address_line_1="Flat 3, 12 Heol y Bont", address_line_2="Rhiwbina",
            town="Caerdydd", postcode="CF14 1AA", identity_number="QQ 12 34 56 C",
        )
    )  # fmt: skip
    assert load_profile(dump_profile(person)) == person


def test_an_empty_person_survives_the_round_trip():
    person = normalise_person(PersonRecord())
    assert load_profile(dump_profile(person)) == person


def test_a_profile_from_another_version_is_refused():
    blob = dump_profile(normalise_person(PersonRecord(first_name="Ann")))
    data = json.loads(blob)
    data[0] = PROFILE_VERSION + 1
    with pytest.raises(StaleProfile):
        load_profile(json.dumps(data).encode())


def test_a_profile_written_before_identity_numbers_reads_as_a_person_without_one():
    person = normalise_person(PersonRecord(first_name="Ann", last_name="Lee"))
    older = json.loads(dump_profile(person))[:-1]
    loaded = load_profile(json.dumps(older).encode())
    assert loaded == person
    assert loaded.identity_number == ""
