"""A normalised person as compact bytes, so a store can keep it (encrypted) beside the record.

Normalising a candidate costs more than comparing it; a store that keeps each record's
profile decrypts one value and skips the work. ``PROFILE_VERSION`` changes whenever
normalisation does (a field added at the end, read as empty from older profiles, needs no new
version), and ``load_profile`` refuses a profile of another version, so the store
falls back to the record's fields (and should rewrite the profile).
"""

from __future__ import annotations

import json
from typing import Any

from dedupe.addresses import Address
from dedupe.contact import Email, Phone
from dedupe.dates import DateOfBirth
from dedupe.names import Name, PersonName
from dedupe.postcodes import Postcode
from dedupe.records import NormalisedPerson

PROFILE_VERSION = 1


class StaleProfile(ValueError):
    """The profile was written by another version of normalisation."""


def _name(n: Name) -> list[Any]:
    return [n.text, n.key, n.core, list(n.parts), n.phonetic]


def _unname(data: list[Any]) -> Name:
    return Name(data[0], data[1], data[2], tuple(data[3]), data[4])


def dump_profile(person: NormalisedPerson) -> bytes:
    """Serialise a normalised person (compact JSON, UTF-8)."""
    dob, email, phone, address = (
        person.date_of_birth,
        person.email,
        person.phone,
        person.address,
    )
    postcode = address.postcode
    data = [
        PROFILE_VERSION,
        _name(person.name.first),
        _name(person.name.last),
        person.name.generation,
        [dob.year, dob.month, dob.day, dob.earliest_year, dob.latest_year],
        person.gender,
        [email.address, email.local, email.domain, email.mailbox],
        [phone.e164, phone.digits],
        [
            address.flat,
            address.number,
            address.premises,
            address.street,
            address.locality,
            address.town,
            [postcode.text, postcode.uk, postcode.area, postcode.district, postcode.sector],
            address.street_phonetic,
        ],
        person.identity_number,
    ]
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def load_profile(blob: bytes) -> NormalisedPerson:
    """Rebuild a normalised person; raise StaleProfile if another version wrote it."""
    data = json.loads(blob)
    if not isinstance(data, list) or not data or data[0] != PROFILE_VERSION:
        raise StaleProfile("The profile was written by another version of dedupe")
    # Profiles written before identity numbers end at the address: those people had none.
    _, first, last, generation, dob, gender, email, phone, address, *rest = data
    identity_number = rest[0] if rest else ""
    flat, number, premises, street, locality, town, postcode, street_phonetic = address
    return NormalisedPerson(
        name=PersonName(_unname(first), _unname(last), generation),
        date_of_birth=DateOfBirth(*dob),
        gender=gender,
        email=Email(*email),
        phone=Phone(*phone),
        address=Address(
            flat, number, premises, street, locality, town, Postcode(*postcode), street_phonetic
        ),
        identity_number=identity_number,
    )
