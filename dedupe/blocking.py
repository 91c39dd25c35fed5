"""Blocking keys, and the truncated blind-index tokens made from them.

A blocking key is a normalised value that two records of one person are likely to share
("date of birth and an initial", "postcode and surname sound"). The caller turns each key into
a token with a keyed function (an HMAC under the blind-index key); this module cuts every
token down to the number of bits chosen for its kind (``KEY_KINDS``), so that the store holds
short tags that many values share, never a full-length keyed hash of a low-entropy value.

A stored token is one byte naming the kind, then the truncated hash. The kind byte keeps tags
of different kinds from colliding with one another.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from dedupe.addresses import Address
from dedupe.names import canonical_first_names, phonetic
from dedupe.records import NormalisedPerson

Tokeniser = Callable[[str, str], bytes]
"""Turn (key kind, normalised value) into a keyed hash of at least 4 bytes."""

POPULATION = 1_000_000


@dataclass(frozen=True, slots=True)
class KeyKind:
    """One kind of blocking key.

    ``keyspace_bits`` is a rough count of how many distinct values the key takes (log2), used
    to judge how far truncation to ``bits`` hides them. ``crowd``, when set, marks a weak key
    (one that many unrelated people share in a large store): a lookup skips a tag of this
    kind held by more than ``crowd`` records, so it helps in a small store and costs nothing in
    a large one, where the selective keys find the same people.
    """

    name: str
    code: int
    bits: int
    keyspace_bits: int
    description: str
    crowd: int | None = None

    @property
    def values_per_tag(self) -> float:
        """How many possible values share one tag (2 to the keyspace bits less the bits kept).

        Above 1, a tag cannot say which value made it, even to someone holding the key.
        """
        return 2.0 ** max(self.keyspace_bits - self.bits, 0)

    @property
    def false_positive_rate(self) -> float:
        """Chance that an unrelated record's tag equals a lookup's tag by truncation alone."""
        return 2.0**-self.bits

    def spurious_candidates(self, population: int = POPULATION) -> float:
        """Expected records fetched per lookup only because their tag collides."""
        return population * self.false_positive_rate


# A weak key's tag held by more records than this is skipped (see KeyKind.crowd).
WEAK_CROWD = 8
# Places described in words are few beside the people held (their tags are made for nothing
# else), but a town-centre postcode gathers dozens over the years: outside each shop on the
# parade, the corner, the bus stop. Each must still be found among them.
DESCRIBED_PLACE_CROWD = 32

# Codes are never reused: a tag of a retired kind left in a store must not be read as another.
# Retired: none yet. With migration 0009 the bits of 5-11 and 20-22 changed (from 22), and
# dob_place stopped holding UK districts (dob_district does), so older stores are reindexed.
KEY_KINDS: dict[str, KeyKind] = {
    k.name: k
    for k in (
        KeyKind("dob_initial", 1, 18, 19, "date of birth and the initial of either name",
                WEAK_CROWD),
        KeyKind("dob_place", 2, 19, 20, "date of birth and the first two characters of a "
                "postal code from outside the UK (or the town's initial)", WEAK_CROWD),
        KeyKind("name_pair", 3, 20, 22, "sounds of first and last name, in either order",
                WEAK_CROWD),
        KeyKind("nickname", 4, 18, 20, "formal first name (Bill: William) and surname sound",
                WEAK_CROWD),
        KeyKind("postcode_surname", 5, 26, 33, "postcode and surname sound"),
        KeyKind("postcode_first", 6, 26, 31, "postcode and first-name sound"),
        KeyKind("street_postcode", 7, 26, 30, "house number, street sound, postcode district"),
        KeyKind("street_town", 8, 26, 30, "house number, street sound, town sound"),
        KeyKind("place_town", 9, 22, 24, "building or locality sound and town sound"),
        KeyKind("email", 10, 30, 40, "e-mail mailbox"),
        KeyKind("phone", 11, 30, 33, "telephone number in E.164"),
        KeyKind("dob_surname", 12, 26, 28, "date of birth and surname sound"),
        KeyKind("dob_first", 13, 24, 26, "date of birth and first-name sound"),
        KeyKind("dob_district", 14, 25, 27, "date of birth and UK postcode district"),
        KeyKind("name_year", 15, 26, 29, "sounds of first and last name, in either order, "
                "and year of birth"),
        KeyKind("identity", 16, 30, 33, "identity number (NHS, National Insurance or other)"),
        KeyKind("address_unit", 20, 26, 30, "postcode, house number and flat"),
        KeyKind("address_street", 21, 26, 30, "house number, flat, street sound and town sound"),
        KeyKind("address_premises", 22, 26, 28, "building name sound and postcode district"),
        KeyKind("described_place", 23, 19, 21, "postcode of a place described in words, with "
                "no house number, flat or building name", DESCRIBED_PLACE_CROWD),
    )
}  # fmt: skip
PERSON_KINDS = tuple(k for k in KEY_KINDS.values() if k.code < 20)
ADDRESS_KINDS = tuple(k for k in KEY_KINDS.values() if k.code >= 20)
_BY_CODE = {k.code: k for k in KEY_KINDS.values()}


@dataclass(frozen=True, slots=True)
class BlockingKey:
    """A blocking key before it is turned into a token."""

    kind: str
    value: str


def _swapped_dates(p: NormalisedPerson, expand: bool) -> list[str]:
    dob = p.date_of_birth
    if not dob.complete:
        return []
    dates = [dob.digits()]
    # A day written in the month's place is the commonest date error; look it up too.
    if expand and dob.day is not None and dob.day <= 12 and dob.day != dob.month:
        dates.append(f"{dob.year:04d}{dob.day:02d}{dob.month:02d}")
    return dates


def _transpositions(code: str, start: int) -> list[str]:
    variants = []
    for i in range(start, len(code) - 1):
        if code[i] != code[i + 1] and code[i] != " " and code[i + 1] != " ":
            variants.append(code[:i] + code[i + 1] + code[i] + code[i + 2 :])
    return variants


def _postcodes(address: Address, expand: bool) -> list[str]:
    postcode = address.postcode
    if not postcode:
        return []
    codes = [postcode.text]
    if expand:
        # Two characters typed the wrong way round; inside the inward code for UK postcodes,
        # since an outward code that changes is another district.
        start = len(postcode.sector) - 1 if postcode.complete else 0
        codes += _transpositions(postcode.text, start) if start >= 0 else []
    return codes


def _place(address: Address) -> str:
    return phonetic((address.premises or address.locality).replace(" ", ""))


def _town(address: Address) -> str:
    return phonetic(address.town.replace(" ", ""))


def _district(address: Address) -> str:
    postcode = address.postcode
    if postcode.uk:
        return postcode.district
    return postcode.text[:2]


def person_keys(p: NormalisedPerson, *, expand: bool = False) -> list[BlockingKey]:
    """Return the blocking keys of a person.

    With ``expand`` (at lookup time) add the variants an error could have produced: the date
    with day and month swapped, the postcode with two characters transposed. Stored records
    keep only their own keys.
    """
    keys: list[BlockingKey] = []
    first, last = p.name.first, p.name.last
    address = p.address
    initials = sorted({n.core[0] for n in (first, last) if n.core})
    # The UK district where there is one; otherwise a postal code's start or the town initial.
    district = address.postcode.district if address.postcode.uk else ""
    town = _town(address)
    place = "" if district else _district(address) or town[:1]
    for digits in _swapped_dates(p, expand):
        keys += [BlockingKey("dob_initial", f"{digits}|{i}") for i in initials]
        if last:
            keys.append(BlockingKey("dob_surname", f"{digits}|{last.phonetic}"))
        if first:
            keys.append(BlockingKey("dob_first", f"{digits}|{first.phonetic}"))
        if district:
            keys.append(BlockingKey("dob_district", f"{digits}|{district}"))
        elif place:
            keys.append(BlockingKey("dob_place", f"{digits}|{place}"))
    if first and last:
        pair = "|".join(sorted((first.phonetic, last.phonetic)))
        keys.append(BlockingKey("name_pair", pair))
        for formal in sorted(canonical_first_names(first)):
            keys.append(BlockingKey("nickname", f"{formal}|{last.phonetic}"))
        if p.date_of_birth.year:
            keys.append(BlockingKey("name_year", f"{pair}|{p.date_of_birth.year}"))
    for code in _postcodes(address, expand):
        if last:
            keys.append(BlockingKey("postcode_surname", f"{code}|{last.phonetic}"))
        if first:
            keys.append(BlockingKey("postcode_first", f"{code}|{first.phonetic}"))
    if address.number and address.street_phonetic:
        street = f"{address.number}|{address.street_phonetic}"
        if outward := _district(address):
            keys.append(BlockingKey("street_postcode", f"{street}|{outward}"))
        if town:
            keys.append(BlockingKey("street_town", f"{street}|{town}"))
    if (place := _place(address)) and town:
        keys.append(BlockingKey("place_town", f"{place}|{town}"))
    if p.email:
        keys.append(BlockingKey("email", p.email.mailbox))
    if p.phone:
        keys.append(BlockingKey("phone", p.phone.key))
    if p.identity_number:
        keys.append(BlockingKey("identity", p.identity_number))
    return keys


def address_keys(address: Address, *, expand: bool = False) -> list[BlockingKey]:
    """Return the blocking keys of an address on its own."""
    keys: list[BlockingKey] = []
    unit = f"{address.number}|{address.flat}"
    if address.number or address.flat:
        keys += [BlockingKey("address_unit", f"{c}|{unit}") for c in _postcodes(address, expand)]
    town = _town(address)
    if address.street_phonetic and town:
        value = f"{unit}|{address.street_phonetic}|{town}"
        keys.append(BlockingKey("address_street", value))
    if address.premises and (district := _district(address) or town):
        keys.append(BlockingKey("address_premises", f"{_place(address)}|{district}"))
    if address.street and not (address.number or address.flat or address.premises):
        # A place described in words ("outside 4 Elm Road", "the alley behind the shops"), as
        # a report gives where something happened: its postcode finds the places described
        # near it, and comparing the words decides which, if any, is the same place.
        postcode = address.postcode
        if postcode and (postcode.complete or not postcode.uk):
            keys += [BlockingKey("described_place", c) for c in _postcodes(address, expand)]
    return keys


def truncate(kind: str, digest: bytes) -> bytes:
    """Cut a keyed hash to its kind's bits, behind the kind's code byte."""
    code, length, mask = _CUTS[kind]
    if len(digest) < length:
        raise ValueError("The tokeniser returned fewer bytes than the key kind needs")
    return code + digest[: length - 1] + bytes((digest[length - 1] & mask,))


# Per kind: the code byte, the bytes kept, and the mask for the last one.
_CUTS = {
    k.name: (
        bytes((k.code,)),
        (k.bits + 7) // 8,
        (0xFF << ((k.bits + 7) // 8 * 8 - k.bits)) & 0xFF,
    )
    for k in KEY_KINDS.values()
}


def token_kind(token: bytes) -> str:
    """Name the kind of a stored token."""
    return _BY_CODE[token[0]].name


def token_crowd(token: bytes, max_bucket: int) -> int:
    """The most records a lookup may find under ``token`` before skipping it as crowded."""
    kind = _BY_CODE.get(token[0]) if token else None
    if kind is None or kind.crowd is None:
        return max_bucket
    return min(kind.crowd, max_bucket)


def make_tokens(keys: Iterable[BlockingKey], tokeniser: Tokeniser) -> list[bytes]:
    """Turn blocking keys into truncated tokens, without duplicates, in a stable order."""
    tokens: dict[bytes, None] = {}
    for key in keys:
        tokens[truncate(key.kind, tokeniser(key.kind, key.value))] = None
    return list(tokens)


def key_table(population: int = POPULATION) -> list[dict[str, object]]:
    """Describe every key kind: its bits and what truncation implies at ``population`` people."""
    return [
        {
            "kind": k.name,
            "bits": k.bits,
            "keyspace_bits": k.keyspace_bits,
            "false_positive_rate": k.false_positive_rate,
            "spurious_candidates_per_lookup": round(k.spurious_candidates(population), 2),
            "values_per_tag": k.values_per_tag,
            "crowd": k.crowd,
            "description": k.description,
        }
        for k in KEY_KINDS.values()
    ]


def kinds_of(tokens: Sequence[bytes]) -> list[str]:
    """Name the kinds of a list of tokens (for tests and diagnostics)."""
    return [token_kind(t) for t in tokens]
