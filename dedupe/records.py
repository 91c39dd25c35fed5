"""The records dedupe works on: a person as given, and the same person normalised."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date

from dedupe.addresses import Address, normalise_address
from dedupe.contact import DEFAULT_REGION, Email, Phone, normalise_email, normalise_phone
from dedupe.dates import (
    DateOfBirth,
    approximate_date_of_birth,
    normalise_date_of_birth,
    parse_age,
)
from dedupe.identity import normalise_identity_number
from dedupe.names import PersonName, normalise_person_name
from dedupe.text import clean, words

_GENDERS = {
    "m": "m", "male": "m", "man": "m", "boy": "m", "mr": "m", "gwryw": "m",
    "f": "f", "female": "f", "woman": "f", "girl": "f", "mrs": "f", "miss": "f", "ms": "f",
    "benyw": "f",
    "x": "x", "non binary": "x", "nonbinary": "x", "other": "x", "intersex": "x",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """A person as a form, an import row or a stored record gives them. Any field may be empty.

    ``age`` is an approximate age ("about 40", "30s") for when the date of birth is not
    known, read as of ``recorded_on`` (the day the record was made; today if not given).
    ``identity_number`` is a number that names one person (an NHS or National Insurance
    number, say), as an old system held it.
    """

    first_name: str | None = None
    last_name: str | None = None
    date_of_birth: str | date | None = None
    gender: str | None = None
    email: str | None = None
    phone: str | None = None
    address_line_1: str | None = None
    address_line_2: str | None = None
    town: str | None = None
    postcode: str | None = None
    age: str | int | None = None
    recorded_on: date | None = None
    identity_number: str | None = None

    @classmethod
    def from_mapping(cls, data: Mapping[str, object]) -> PersonRecord:
        """Build a record from a dict, ignoring keys it does not know and blanks."""
        values: dict[str, object] = {}
        for field in fields(cls):
            value = data.get(field.name)
            if isinstance(value, date) or isinstance(value, int) and field.name == "age":
                values[field.name] = value
            elif value is not None and clean(value):
                values[field.name] = clean(value)
        return cls(**values)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class NormalisedPerson:
    """A person after normalisation, ready for blocking and comparison."""

    name: PersonName
    date_of_birth: DateOfBirth
    gender: str
    email: Email
    phone: Phone
    address: Address
    identity_number: str = ""


def normalise_gender(value: object) -> str:
    """Return "m", "f" or "x" (another gender), or "" when not known or not given."""
    text = " ".join(words(clean(value)))
    return _GENDERS.get(text, "")


def normalise_person(record: PersonRecord, *, region: str = DEFAULT_REGION) -> NormalisedPerson:
    """Normalise every field of a person."""
    dob = normalise_date_of_birth(record.date_of_birth, today=record.recorded_on)
    if not dob and record.age is not None and (ages := parse_age(record.age)):
        dob = approximate_date_of_birth(*ages, on=record.recorded_on or date.today())
    return NormalisedPerson(
        name=normalise_person_name(record.first_name, record.last_name),
        date_of_birth=dob,
        gender=normalise_gender(record.gender),
        email=normalise_email(record.email),
        phone=normalise_phone(record.phone, region),
        address=normalise_address(
            [record.address_line_1, record.address_line_2], record.town, record.postcode
        ),
        identity_number=normalise_identity_number(record.identity_number),
    )
