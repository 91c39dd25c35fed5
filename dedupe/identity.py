"""Normalise identity numbers: an NHS, National Insurance or other number an old system held.

An identity number belongs to one person, so two records that carry the same one are one
person even when everything a household shares says they could be twins. Numbers are compared
as written, less spaces, punctuation and case ("QQ 12 34 56 C" and "qq123456c" agree); the
scheme is not checked, since an import may carry any one scheme its old system used.
"""

from __future__ import annotations

from dedupe.text import fold

# Shorter than this is a house number or a typing slip, not something that names one person.
MIN_LENGTH = 4


def normalise_identity_number(value: object) -> str:
    """Return the number's letters and digits, upper case; "" when it is missing or too short."""
    if value is None:
        return ""
    if isinstance(value, float) and value != value:  # NaN from pandas
        return ""
    text = "".join(ch for ch in fold(str(value)) if ch.isalnum()).upper()
    return text if len(text) >= MIN_LENGTH else ""
