"""Normalise postcodes: UK postcodes validated and split into their parts, others kept as text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from dedupe.text import clean, fold

# The shape of every UK postcode (BS 7666), with the inward letters Royal Mail never uses
# (C, I, K, M, O, V) left out, plus Girobank's GIR 0AA.
_UK_FULL = re.compile(r"^([A-Z]{1,2})([0-9][A-Z0-9]?) ?([0-9])([ABD-HJLNP-UW-Z]{2})$")
_UK_OUTWARD = re.compile(r"^([A-Z]{1,2})([0-9][A-Z0-9]?)$")
_SPECIAL = {"GIR0AA": ("GIR", "0AA")}
# British Forces addresses use BFPO numbers, which are not geographic.
_BFPO = re.compile(r"^BFPO ?(\d{1,4})$")


@dataclass(frozen=True, slots=True)
class Postcode:
    """A normalised postal code.

    For a UK postcode ``text`` is the standard form ("SW1A 1AA") and the parts are set:
    ``area`` "SW", ``district`` "SW1A", ``sector`` "SW1A 1". A bare outward code ("SW1A") is
    kept as a partial postcode. Anything else (another country's postal code) is kept as
    folded text with ``uk`` false.
    """

    text: str
    uk: bool = False
    area: str = ""
    district: str = ""
    sector: str = ""

    def __bool__(self) -> bool:
        return bool(self.text)

    @property
    def complete(self) -> bool:
        """Whether this is a full UK postcode (unit level)."""
        return self.uk and bool(self.sector)


MISSING_POSTCODE = Postcode("")


def normalise_postcode(value: object) -> Postcode:
    """Normalise a postcode: "sw1a1aa" and "SW1A-1AA" become "SW1A 1AA"."""
    raw = clean(value)
    if not raw:
        return MISSING_POSTCODE
    compact = re.sub(r"[^A-Za-z0-9]", "", raw).upper()
    if compact in _SPECIAL:
        outward, inward = _SPECIAL[compact]
        return Postcode(f"{outward} {inward}", True, "GI", outward, f"{outward} {inward[0]}")
    if bfpo := _BFPO.match(re.sub(r"\s+", " ", raw.upper())):
        return Postcode(f"BFPO {int(bfpo[1])}", True, "BFPO", "BFPO")
    if match := _UK_FULL.match(compact):
        area, district_tail, sector_digit, unit = match.groups()
        district = area + district_tail
        return Postcode(
            f"{district} {sector_digit}{unit}", True, area, district, f"{district} {sector_digit}"
        )
    if match := _UK_OUTWARD.match(compact):
        return Postcode(compact, True, match[1], compact)
    return Postcode(re.sub(r"\s+", " ", fold(raw)).strip())


def is_uk_postcode(value: object) -> bool:
    """Tell whether a value is a complete, well-formed UK postcode."""
    return normalise_postcode(value).complete
