"""Normalise postal addresses: abbreviations, flat and house numbers, street, town."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from dedupe.names import phonetic
from dedupe.postcodes import MISSING_POSTCODE, Postcode, normalise_postcode
from dedupe.text import clean, words

# Street-type abbreviations as Royal Mail and council systems write them. "St" is handled
# apart: "St Mary's Road" is Saint, "High St" is Street.
ABBREVIATIONS = {
    "rd": "road", "ave": "avenue", "av": "avenue", "ln": "lane", "cres": "crescent",
    "cresc": "crescent", "cl": "close", "ct": "court", "crt": "court", "dr": "drive",
    "drv": "drive", "gdns": "gardens", "gdn": "garden", "gr": "grove", "gro": "grove",
    "pl": "place", "sq": "square", "ter": "terrace", "terr": "terrace", "tce": "terrace",
    "pde": "parade", "wy": "way", "hse": "house", "ho": "house", "cott": "cottage",
    "cotts": "cottages", "bldg": "building", "bldgs": "buildings", "mt": "mount",
    "pk": "park", "cir": "circus", "circ": "circuit", "hts": "heights", "est": "estate",
    "ind": "industrial", "bvd": "boulevard", "blvd": "boulevard", "wk": "walk",
    "mws": "mews", "cnr": "corner", "grn": "green", "hl": "hill", "br": "bridge",
    "ctr": "centre", "cntr": "centre", "n": "north", "s": "south", "e": "east",
    "w": "west", "gt": "great", "lt": "little", "lwr": "lower", "upr": "upper",
    "apt": "flat", "apartment": "flat", "flt": "flat", "no": "",
}  # fmt: skip
STREET_TYPES = frozenset(
    {
        "road", "street", "avenue", "lane", "crescent", "close", "court", "drive", "gardens",
        "grove", "place", "square", "terrace", "parade", "way", "mews", "walk", "row", "hill",
        "rise", "view", "green", "park", "circus", "circuit", "boulevard", "heights", "vale",
        "wharf", "yard", "quay", "approach", "gate", "mount", "path", "passage", "wynd",
        "cottages", "heol", "ffordd", "stryd", "lon", "rhodfa", "cilgant",
    }
)  # fmt: skip
STREET_CODE_LENGTH = 3
FLAT_WORDS = frozenset({"flat", "unit", "suite", "room", "maisonette", "floor"})
_NUMBER = re.compile(r"^(\d+)([a-z]?)$")
_RANGE = re.compile(r"^(\d+[a-z]?)-(\d+[a-z]?)$")
# Scottish tenement style "2/1" (floor 2, door 1) and "12/3" are flat positions.
_SLASHED = re.compile(r"^(\d+[a-z]?)/(\d+[a-z]?)$")


@dataclass(frozen=True, slots=True)
class Address:
    """A normalised address.

    ``number`` is the house number ("12", "12a", "3-5"); ``flat`` the flat or unit; ``street``
    the street words with abbreviations expanded; ``premises`` a building name ("the old
    rectory"); ``locality`` any further lines; ``street_phonetic`` the Metaphone of the street
    name without its type, for blocking.
    """

    flat: str = ""
    number: str = ""
    premises: str = ""
    street: str = ""
    locality: str = ""
    town: str = ""
    postcode: Postcode = MISSING_POSTCODE
    street_phonetic: str = ""

    def __bool__(self) -> bool:
        return bool(self.street or self.premises or self.number or self.postcode or self.town)

    @property
    def line(self) -> str:
        """The first line as one string: flat, number, premises and street."""
        parts = [f"flat {self.flat}" if self.flat else "", self.premises, self.number, self.street]
        return " ".join(p for p in parts if p)


MISSING_ADDRESS = Address()


def _expand(tokens: list[str]) -> list[str]:
    out: list[str] = []
    for index, token in enumerate(tokens):
        if token == "st":  # noqa: S105 - the word "st", not a secret
            # "St" before a name is Saint; after one, Street.
            at_start = index == 0 or out == [] or _NUMBER.match(out[-1]) is not None
            out.append("saint" if at_start and index + 1 < len(tokens) else "street")
            continue
        expanded = ABBREVIATIONS.get(token, token)
        if expanded:
            out.append(expanded)
    return out


def _address_words(line: str) -> list[str]:
    # Keep "/" and "-" inside numbers ("2/1", "3-5") before the generic split drops them.
    protected = re.sub(r"(\d)\s*([/-])\s*(\d)", r"\1\2\3", clean(line).lower())
    tokens: list[str] = []
    for raw in protected.replace(",", " ").split():
        if _SLASHED.match(raw) or _RANGE.match(raw):
            tokens.append(raw)
        else:
            tokens.extend(words(raw))
    return tokens


def _street_like(ws: list[str]) -> bool:
    return len(ws) > 1 and any(w in STREET_TYPES for w in ws)


def _street_name_phonetic(street: str) -> str:
    # The first word of the name carries the match; street types are often mistyped or run
    # into the name ("onslow sreet", "kirklandc ircuit"), so they are left out, and only the
    # start of the code is kept.
    for word in street.split():
        if len(word) > 1 and word not in STREET_TYPES and word != "saint":
            return phonetic(word)[:STREET_CODE_LENGTH]
    return ""


def normalise_address(
    lines: Iterable[object],
    town: object = "",
    postcode: object = "",
) -> Address:
    """Normalise address lines, town and postcode into flat, number, street and the rest."""
    line_words = [_expand(_address_words(clean(line))) for line in lines]
    flat = number = premises = street = ""
    locality: list[str] = []
    number_waiting = False

    def later_street_like(index: int) -> bool:
        return any(_street_like(ws) for ws in line_words[index + 1 :])

    for index, ws in enumerate(line_words):
        if not ws:
            continue
        if ws[0] in FLAT_WORDS and len(ws) > 1 and not flat:
            flat, ws = ws[1], ws[2:]
        if ws and (slashed := _SLASHED.match(ws[0])) and not number:
            if len(ws) > 1 and _NUMBER.match(ws[1]):
                flat, ws = flat or ws[0], ws[1:]
            else:
                number, flat, ws = slashed[1], flat or slashed[2], ws[1:]
        if ws and not number and (_NUMBER.match(ws[0]) or _RANGE.match(ws[0])):
            number, ws = ws[0], ws[1:]
            number_waiting = True
        if not ws:
            continue
        text = " ".join(ws)
        street_like = _street_like(ws)
        if number_waiting and not street_like and not street and later_street_like(index):
            # "12 Rose Court, Church Lane": the numbered line names a building.
            premises, number_waiting = premises or text, False
            continue
        if not street and (number_waiting or street_like):
            street = text
        elif not street and not premises and not number:
            premises = text
        else:
            locality.append(text)
        number_waiting = False
    return Address(
        flat=flat,
        number=number,
        premises=premises,
        street=street,
        locality=" ".join(locality),
        town=" ".join(words(clean(town))),
        postcode=normalise_postcode(postcode),
        street_phonetic=_street_name_phonetic(street),
    )
