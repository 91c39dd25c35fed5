import hashlib
import hmac

import pytest

from dedupe.blocking import (
    KEY_KINDS,
    BlockingKey,
    key_table,
    kinds_of,
    make_tokens,
    person_keys,
    token_kind,
    truncate,
)
from dedupe.records import PersonRecord, normalise_person
from dedupe.store import InMemoryIndex


def hmac_tokeniser(kind: str, value: str) -> bytes:
    return hmac.new(b"k" * 32, f"{kind}\x1f{value}".encode(), hashlib.sha256).digest()


SIAN = PersonRecord(
    first_name="Siân",
    last_name="Lloyd-Jones",
    date_of_birth="1980-05-12",
    email="sian@example.org",
    phone="07700 900123",
    address_line_1="12 Heol y Bont",
    town="Bangor",
    postcode="LL57 1AA",
)


def test_tokens_are_cut_to_the_bits_of_their_kind_behind_a_kind_byte():
    for kind in KEY_KINDS.values():
        token = truncate(kind.name, bytes([0xFF]) * 32)
        assert token[0] == kind.code
        body = token[1:]
        assert len(body) == (kind.bits + 7) // 8
        assert sum(bin(b).count("1") for b in body) == kind.bits
        assert token_kind(token) == kind.name


def test_no_token_is_as_long_as_the_keyed_hash_it_came_from():
    tokens = make_tokens(person_keys(normalise_person(SIAN)), hmac_tokeniser)
    assert tokens
    assert all(len(t) <= 5 for t in tokens)


def test_the_tokeniser_receives_the_kind_and_the_normalised_value():
    seen: list[tuple[str, str]] = []

    def recording(kind: str, value: str) -> bytes:
        seen.append((kind, value))
        return hmac_tokeniser(kind, value)

    make_tokens(person_keys(normalise_person(SIAN)), recording)
    assert ("email", "sian@example.org") in seen
    assert ("phone", "+447700900123") in seen
    assert all("Siân" not in value for _, value in seen)


def test_an_identity_number_is_a_key_of_its_own_however_it_was_written():
    spaced = normalise_person(PersonRecord(first_name="Ann", identity_number="QQ 12 34 56 C"))
    plain = normalise_person(PersonRecord(last_name="Lee", identity_number="qq123456c"))
    assert BlockingKey("identity", "NI:QQ123456") in person_keys(spaced)
    assert set(make_tokens(person_keys(spaced), hmac_tokeniser)) & set(
        make_tokens(person_keys(plain), hmac_tokeniser)
    )


def test_a_tokeniser_that_returns_too_few_bytes_is_refused():
    with pytest.raises(ValueError, match="fewer bytes"):
        make_tokens([BlockingKey("email", "x@example.org")], lambda kind, value: b"\x01")


def test_lookup_adds_the_day_month_swap_that_storage_does_not():
    person = normalise_person(
        PersonRecord(first_name="Ann", last_name="Lee", date_of_birth="1980-05-12")
    )
    stored = {k.value for k in person_keys(person) if k.kind == "dob_initial"}
    looked_up = {k.value for k in person_keys(person, expand=True) if k.kind == "dob_initial"}
    assert "19801205|a" not in stored
    assert "19801205|a" in looked_up


def test_bill_and_william_share_a_nickname_token():
    bill = normalise_person(PersonRecord(first_name="Bill", last_name="Evans"))
    william = normalise_person(PersonRecord(first_name="William", last_name="Evans"))
    shared = set(make_tokens(person_keys(bill), hmac_tokeniser)) & set(
        make_tokens(person_keys(william), hmac_tokeniser)
    )
    assert kinds_of(sorted(shared)) == ["nickname"]


def test_names_the_other_way_round_share_the_name_pair_token():
    a = normalise_person(PersonRecord(first_name="Thomas", last_name="Adam"))
    b = normalise_person(PersonRecord(first_name="Adam", last_name="Thomas"))
    shared = set(make_tokens(person_keys(a), hmac_tokeniser)) & set(
        make_tokens(person_keys(b), hmac_tokeniser)
    )
    assert "name_pair" in kinds_of(sorted(shared))


def test_a_different_key_gives_different_tokens():
    other = lambda kind, value: hmac_tokeniser(kind, value + "!")  # noqa: E731
    keys = person_keys(normalise_person(SIAN))
    assert set(make_tokens(keys, hmac_tokeniser)).isdisjoint(make_tokens(keys, other))


def test_the_truncation_table_states_the_false_positive_rate_at_a_million_people():
    rows = {row["kind"]: row for row in key_table()}
    assert set(rows) == set(KEY_KINDS)
    assert rows["email"]["false_positive_rate"] == 2.0**-30
    assert rows["dob_initial"]["spurious_candidates_per_lookup"] == pytest.approx(3.81, abs=0.01)
    assert all(row["values_per_tag"] >= 2 for row in rows.values())


def test_only_weak_kinds_keep_so_few_bits_that_a_million_people_crowd_their_tags():
    for kind in KEY_KINDS.values():
        if kind.spurious_candidates() > 0.25:
            assert kind.crowd is not None, kind.name
        else:
            assert kind.crowd is None, kind.name


def test_a_changed_first_name_or_surname_still_shares_a_selective_key_with_the_date():
    ann = normalise_person(
        PersonRecord(first_name="Ann", last_name="Lee", date_of_birth="1980-05-12")
    )
    married = normalise_person(
        PersonRecord(first_name="Ann", last_name="Wyn", date_of_birth="1980-05-12")
    )
    other_name = normalise_person(
        PersonRecord(first_name="Nia", last_name="Lee", date_of_birth="1980-05-12")
    )

    def shared(a, b):  # type: ignore[no-untyped-def]
        return set(kinds_of(sorted(set(make_tokens(person_keys(a), hmac_tokeniser))
                                   & set(make_tokens(person_keys(b), hmac_tokeniser)))))  # fmt: skip

    assert "dob_first" in shared(ann, married)
    assert "dob_surname" in shared(ann, other_name)


def test_a_weak_tag_is_skipped_when_more_records_than_its_crowd_hold_it():
    dob_initial = KEY_KINDS["dob_initial"]
    assert dob_initial.crowd is not None
    weak = truncate("dob_initial", b"\x01" * 32)
    strong = truncate("dob_surname", b"\x02" * 32)
    index: InMemoryIndex[int] = InMemoryIndex(max_bucket=50)
    for item in range(dob_initial.crowd):
        index.add(item, [weak, strong])
    assert len(index.candidates([weak])) == dob_initial.crowd
    index.add(dob_initial.crowd, [weak, strong])
    assert index.candidates([weak]) == []
    assert len(index.candidates([strong])) == dob_initial.crowd + 1
