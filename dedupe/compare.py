"""Compare two normalised values field by field, giving an agreement level for each.

Every comparator returns one of the level names of its field (``FIELD_LEVELS``), strongest
agreement first, or ``MISSING`` when either side has no value. The Fellegi-Sunter model turns
levels into weights.
"""

from __future__ import annotations

from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler, Levenshtein
from rapidfuzz.fuzz import ratio, token_set_ratio

from dedupe.addresses import Address
from dedupe.contact import Email, Phone
from dedupe.dates import DateOfBirth
from dedupe.identity import scheme_of
from dedupe.names import Name, are_nicknames
from dedupe.postcodes import Postcode
from dedupe.records import NormalisedPerson

MISSING = "missing"
DISAGREE = "disagree"

# Jaro-Winkler thresholds as Splink's NameComparison uses them.
CLOSE = 0.92
SIMILAR = 0.80

FIELD_LEVELS: dict[str, tuple[str, ...]] = {
    "first_name": ("exact", "nickname", "close", "similar", "initial", "swapped", DISAGREE),
    "last_name": ("exact", "close", "part", "similar", "swapped", DISAGREE),
    "date_of_birth": ("exact", "near", "year_slip", "compatible", DISAGREE),
    "gender": ("exact", DISAGREE),
    "email": ("exact", "mailbox", "similar", DISAGREE),
    "phone": ("exact", "near", DISAGREE),
    "identity_number": ("exact", "near", DISAGREE),
    "address": ("exact", "close", "building", "street", DISAGREE),
    "place": ("exact", "close", DISAGREE),
    "postcode": ("exact", "sector", "district", DISAGREE),
    "town": ("exact", "close", DISAGREE),
}
PERSON_FIELDS = tuple(FIELD_LEVELS)
ADDRESS_FIELDS = ("address", "place", "postcode", "town")


def _jw(a: str, b: str) -> float:
    return JaroWinkler.normalized_similarity(a, b)


def compare_first_names(a: Name, b: Name) -> str:
    """Compare first names: exact, a known other form (Bill/William), close spelling..."""
    if not a or not b:
        return MISSING
    if a.key == b.key or a.core == b.core:
        return "exact"
    if are_nicknames(a, b):
        return "nickname"
    similarity = _jw(a.core, b.core)
    if similarity >= CLOSE:
        return "close"
    if similarity >= SIMILAR or a.phonetic == b.phonetic:
        return "similar"
    if (len(a.core) == 1 or len(b.core) == 1) and a.core[0] == b.core[0]:
        return "initial"
    return DISAGREE


def compare_last_names(a: Name, b: Name) -> str:
    """Compare surnames, allowing one barrel of a double-barrelled name to agree."""
    if not a or not b:
        return MISSING
    if a.key == b.key or a.core == b.core:
        return "exact"
    if _jw(a.key, b.key) >= CLOSE:
        return "close"
    if set(a.parts) & set(b.parts) or a.core in b.key or b.core in a.key:
        return "part"
    if _jw(a.core, b.core) >= SIMILAR or a.phonetic == b.phonetic:
        return "similar"
    return DISAGREE


def names_swapped(first_a: Name, last_a: Name, first_b: Name, last_b: Name) -> bool:
    """Tell whether one record has the first and last names the other way round."""
    if not (first_a and last_a and first_b and last_b):
        return False
    return (_alike(first_a, last_b) and _alike(last_a, first_b)) and not (
        first_a.core == first_b.core and last_a.core == last_b.core
    )


def _alike(a: Name, b: Name) -> bool:
    # A first name's core is its first part and a surname's is the whole, so a double-barrelled
    # surname typed as a first name ("Slack-Smith Katelyn") agrees only whole.
    return _jw(a.core, b.core) >= CLOSE or _jw(a.key, b.key) >= CLOSE


def compare_dates_of_birth(a: DateOfBirth, b: DateOfBirth) -> str:
    """Compare dates of birth, forgiving a day/month swap, one slip of a digit or of a year."""
    if not a or not b:
        return MISSING
    if a.complete and b.complete:
        if (a.year, a.month, a.day) == (b.year, b.month, b.day):
            return "exact"
        swapped = (a.year, a.month, a.day) == (b.year, b.day, b.month)
        if swapped or DamerauLevenshtein.distance(a.digits(), b.digits()) <= 1:
            return "near"
        if (a.month, a.day) == (b.month, b.day) and abs((a.year or 0) - (b.year or 0)) <= 1:
            return "year_slip"
        return DISAGREE
    # Partial dates and approximate ages agree as far as they go.
    if a.year is not None and b.year is not None:
        if a.year != b.year:
            return DISAGREE
        if a.month is not None and b.month is not None and a.month != b.month:
            return DISAGREE
        return "compatible"
    overlap = (a.earliest_year or 0) <= (b.latest_year or 0) and (b.earliest_year or 0) <= (
        a.latest_year or 0
    )
    return "compatible" if overlap else DISAGREE


def years_apart(a: DateOfBirth, b: DateOfBirth) -> int:
    """Return how many years at least separate two dates of birth (0 when they overlap)."""
    if not a or not b:
        return 0
    gap_ab = (b.earliest_year or 0) - (a.latest_year or 0)
    gap_ba = (a.earliest_year or 0) - (b.latest_year or 0)
    return max(gap_ab, gap_ba, 0)


def months_apart(a: DateOfBirth, b: DateOfBirth) -> int | None:
    """Return how many calendar months separate two dates of birth (None without both months).

    A day and month written the other way round (31/12 as 12/31) is read the right way.
    """
    if a.year is None or b.year is None or a.month is None or b.month is None:
        return None
    return abs(_month_number(a) - _month_number(b))


def _month_number(value: DateOfBirth) -> int:
    month = value.month or 0
    if month > 12 and value.day is not None:
        month = value.day
    return (value.year or 0) * 12 + month


def given_names_differ(a: Name, b: Name) -> bool:
    """Tell whether both first names carry a second given name and those disagree.

    Brothers may share a first given name (Mohammed Imran and Mohammed Ali); a second given
    name that is missing, spelt almost the same, or only an initial that fits, says nothing
    either way.
    """
    if len(a.parts) < 2 or len(b.parts) < 2:
        return False
    second_a, second_b = a.parts[1], b.parts[1]
    if len(second_a) == 1 or len(second_b) == 1:
        return second_a[0] != second_b[0]
    return _jw(second_a, second_b) < CLOSE


def compare_genders(a: str, b: str) -> str:
    """Compare genders ("m", "f", "x")."""
    if not a or not b:
        return MISSING
    return "exact" if a == b else DISAGREE


def compare_emails(a: Email, b: Email) -> str:
    """Compare e-mail addresses: exact, same mailbox (tags, Gmail dots), or a close spelling."""
    if not a or not b:
        return MISSING
    if a.address == b.address:
        return "exact"
    if a.mailbox == b.mailbox:
        return "mailbox"
    if a.domain == b.domain and Levenshtein.distance(a.local, b.local) <= 1:
        return "similar"
    if a.local == b.local and len(a.local) >= 6:
        return "similar"
    return DISAGREE


def compare_phones(a: Phone, b: Phone) -> str:
    """Compare telephone numbers in E.164, forgiving one mistyped digit."""
    if not a or not b:
        return MISSING
    if a.key == b.key:
        return "exact"
    if len(a.digits) == len(b.digits) and DamerauLevenshtein.distance(a.digits, b.digits) <= 1:
        return "near"
    return DISAGREE


def compare_identity_numbers(a: str, b: str) -> str:
    """Compare identity numbers, forgiving one mistyped or transposed character.

    Numbers of two schemes (an NHS number and a National Insurance number) say nothing
    about each other: missing.
    """
    if not a or not b or scheme_of(a) != scheme_of(b):
        return MISSING
    if a == b:
        return "exact"
    if len(a) == len(b) and DamerauLevenshtein.distance(a, b) <= 1:
        return "near"
    return DISAGREE


# Numbers given out in one run (to twins, say) differ by a few in their last digits.
NEIGHBOUR_GAP = 100


def could_be_neighbours(a: str, b: str) -> bool:
    """Tell whether two identity numbers could be close together in one run of numbers.

    They could when their letters agree and their digits, read as a number, differ by less
    than ``NEIGHBOUR_GAP``.
    """
    digits_a = "".join(ch for ch in a if ch.isdecimal())
    digits_b = "".join(ch for ch in b if ch.isdecimal())
    letters_a = "".join(ch for ch in a if not ch.isdecimal())
    letters_b = "".join(ch for ch in b if not ch.isdecimal())
    if not digits_a or not digits_b or letters_a != letters_b:
        return False
    return abs(int(digits_a) - int(digits_b)) < NEIGHBOUR_GAP


def _street_similarity(a: Address, b: Address) -> float:
    street_a = a.street or a.premises
    street_b = b.street or b.premises
    if not street_a or not street_b:
        return 0.0
    # Spaces lost in typing ("pridhamstreet") should not hide a match.
    joined = ratio(street_a.replace(" ", ""), street_b.replace(" ", ""))
    return max(joined, token_set_ratio(street_a, street_b)) / 100.0


def compare_addresses(a: Address, b: Address) -> str:
    """Compare the first lines of two addresses: number, flat and street or building name.

    Two flats in one building ("building") are told apart from one dwelling ("exact").
    """
    line_a = a.street or a.premises or a.number
    line_b = b.street or b.premises or b.number
    if not line_a or not line_b:
        return MISSING
    street = _street_similarity(a, b)
    same_number = bool(a.number) and a.number == b.number
    other_flat = bool(a.flat) and bool(b.flat) and a.flat != b.flat
    if same_number or (not a.number and not b.number):
        if street >= 0.95 or (not (a.street or a.premises) and not (b.street or b.premises)):
            if other_flat:
                return "building"
            premises_differ = a.premises and b.premises and ratio(a.premises, b.premises) < 80
            return "close" if premises_differ else "exact"
        if street >= 0.80:
            return "building" if other_flat else "close"
    elif a.number and b.number and street >= 0.95 and _number_typo(a.number, b.number):
        return "close"
    if street >= 0.85:
        return "street"
    return DISAGREE


def compare_places(a: Address, b: Address) -> str:
    """Compare the named parts of two addresses besides the street: building and locality."""
    place_a = " ".join(p for p in (a.premises, a.locality) if p)
    place_b = " ".join(p for p in (b.premises, b.locality) if p)
    if not place_a or not place_b:
        return MISSING
    similarity = max(
        ratio(place_a.replace(" ", ""), place_b.replace(" ", "")), token_set_ratio(place_a, place_b)
    )
    if similarity >= 95:
        return "exact"
    if similarity >= 80:
        return "close"
    return DISAGREE


def _number_typo(a: str, b: str) -> bool:
    return DamerauLevenshtein.distance(a, b) <= 1 and len(a) > 1 and len(b) > 1


def compare_postcodes(a: Postcode, b: Postcode) -> str:
    """Compare postcodes: the whole unit, then sector and district for UK postcodes."""
    if not a or not b:
        return MISSING
    if a.text == b.text and (a.complete or not a.uk):
        return "exact"
    if a.uk and b.uk:
        if a.sector and a.sector == b.sector:
            return "sector"
        if a.district == b.district:
            return "district"
        return DISAGREE
    if not a.uk and not b.uk and DamerauLevenshtein.distance(a.text, b.text) <= 1:
        # Four- or five-digit codes elsewhere: one slip is far likelier than a neighbour.
        return "sector"
    return DISAGREE


def compare_towns(a: str, b: str) -> str:
    """Compare towns or localities."""
    if not a or not b:
        return MISSING
    if a == b:
        return "exact"
    if _jw(a, b) >= CLOSE:
        return "close"
    return DISAGREE


def compare_people(a: NormalisedPerson, b: NormalisedPerson) -> dict[str, str]:
    """Compare two people on every field, noticing first and last names swapped."""
    if names_swapped(a.name.first, a.name.last, b.name.first, b.name.last):
        first = last = "swapped"
    else:
        first = compare_first_names(a.name.first, b.name.first)
        last = compare_last_names(a.name.last, b.name.last)
    return {
        "first_name": first,
        "last_name": last,
        "date_of_birth": compare_dates_of_birth(a.date_of_birth, b.date_of_birth),
        "gender": compare_genders(a.gender, b.gender),
        "email": compare_emails(a.email, b.email),
        "phone": compare_phones(a.phone, b.phone),
        "identity_number": compare_identity_numbers(a.identity_number, b.identity_number),
        **compare_address_fields(a.address, b.address),
    }


def compare_address_fields(a: Address, b: Address) -> dict[str, str]:
    """Compare two addresses on their line, postcode and town."""
    return {
        "address": compare_addresses(a, b),
        "place": compare_places(a, b),
        "postcode": compare_postcodes(a.postcode, b.postcode),
        "town": compare_towns(a.town, b.town),
    }
