"""Normalise identity numbers: an NHS, National Insurance or other number an old system held.

An identity number belongs to one person, so two records that carry the same one are one
person even when everything a household shares says they could be twins. Numbers are read
without spaces, punctuation and case ("QQ 12 34 56 C" and "qq123456c" agree) and named by
their scheme, told by their shape, so that one person's NHS number from one system and National
Insurance number from another are not taken to disagree:

- ``NHS``: ten digits (one whose check digit is wrong is an NHS number typed wrong, and
  still compared, one slip allowed);
- ``NI``: two letters and six digits, with the suffix letter (A to D) dropped, since records
  of one person often carry it in one system and not another;
- ``ID``: any other number of four or more letters and digits.

The normal form is ``SCHEME:VALUE``, for example ``NHS:9434765919`` or ``NI:QQ123456``.
"""

from __future__ import annotations

import re

from dedupe.text import clean, fold

# Shorter than this is a house number or a typing slip, not something that names one person.
MIN_LENGTH = 4
_NI = re.compile(r"^([A-Z]{2}\d{6})[A-D]?$")


def normalise_identity_number(value: object) -> str:
    """Return ``SCHEME:VALUE`` for a number, or "" when it is missing or too short."""
    text = "".join(ch for ch in fold(clean(value)) if ch.isalnum()).upper()
    if len(text) < MIN_LENGTH:
        return ""
    if len(text) == 10 and text.isascii() and text.isdigit():
        return f"NHS:{text}"
    if national_insurance := _NI.match(text):
        return f"NI:{national_insurance.group(1)}"
    return f"ID:{text}"


def scheme_of(number: str) -> str:
    """Return the scheme of a normalised number ("NHS", "NI" or "ID")."""
    return number.partition(":")[0]
