"""Unicode folding shared by every normaliser."""

from __future__ import annotations

import re
import unicodedata

# Letters that NFKD does not split into a base letter and a mark.
_SPECIAL_LETTERS = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "œ": "oe",
        "ø": "o",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "ł": "l",
        "ı": "i",
        "ħ": "h",
        "ŧ": "t",
        "ŋ": "n",
        "ĸ": "k",
    }
)
# Apostrophes join (O'Brien -> obrien); every other non-alphanumeric separates words.
_APOSTROPHES = re.compile(r"[\u0027\u2018\u2019\u02bc\u0060\u00b4]")
_SEPARATORS = re.compile(r"[^\w]+|_")
_SPACES = re.compile(r"\s+")


def fold(value: str) -> str:
    """Fold case and accents so that "Siân", "SIAN" and "sian" agree."""
    folded = unicodedata.normalize("NFKD", value.casefold())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return folded.translate(_SPECIAL_LETTERS)


def words(value: str) -> list[str]:
    """Split folded text into words, dropping punctuation and joining at apostrophes."""
    text = _APOSTROPHES.sub("", fold(value))
    return [w for w in _SEPARATORS.sub(" ", text).split(" ") if w]


def collapse_spaces(value: str) -> str:
    """Trim and collapse runs of white space to one space."""
    return _SPACES.sub(" ", value).strip()


def clean(value: object) -> str:
    """Turn any input value into stripped text; None and NaN become the empty string."""
    if value is None:
        return ""
    if isinstance(value, float) and value != value:  # NaN from pandas
        return ""
    return collapse_spaces(str(value))
