"""Normalise dates of birth: full, partial (year, or year and month) and approximate ages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from dedupe.text import clean, collapse_spaces, fold, words

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan", "ionawr"),
            ("february", "feb", "chwefror"),
            ("march", "mar", "mawrth"),
            ("april", "apr", "ebrill"),
            ("may", "mai"),
            ("june", "jun", "mehefin"),
            ("july", "jul", "gorffennaf"),
            ("august", "aug", "awst"),
            ("september", "sep", "sept", "medi"),
            ("october", "oct", "hydref"),
            ("november", "nov", "tachwedd"),
            ("december", "dec", "rhagfyr"),
        ],
        start=1,
    )
    for name in names
}
# An approximate age says little about the exact year: allow this much either side.
AGE_TOLERANCE_YEARS = 2
_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})(?:[-/.](\d{1,2}))?(?:[T ].*)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_UK = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})$")
_MONTH_YEAR = re.compile(r"^(\d{1,2})[-/.](\d{4})$")
_YEAR = re.compile(r"^(\d{4})$")
_AGE_RANGE = re.compile(r"^(\d{1,3})-(\d{1,3})$")
_AGE_DECADE = re.compile(r"^(?:early |mid |late )?(\d)0s$")
_AGE = re.compile(r"^(?:about |around |approx |approximately |c |circa |roughly )?(\d{1,3})\??$")


@dataclass(frozen=True, slots=True)
class DateOfBirth:
    """A date of birth as far as it is known.

    ``year``, ``month`` and ``day`` hold what was written, even if the day and month look
    swapped (they may be, and the comparison allows for it). For an approximate age only
    ``earliest_year`` and ``latest_year`` are set.
    """

    year: int | None = None
    month: int | None = None
    day: int | None = None
    earliest_year: int | None = None
    latest_year: int | None = None

    def __bool__(self) -> bool:
        return self.earliest_year is not None

    @property
    def complete(self) -> bool:
        """Whether year, month and day are all known."""
        return self.year is not None and self.month is not None and self.day is not None

    @property
    def approximate(self) -> bool:
        """Whether this came from an age rather than a written date."""
        return self.year is None and self.earliest_year is not None

    @property
    def valid(self) -> bool:
        """Whether a complete date is a real calendar date."""
        if not self.complete:
            return False
        try:
            date(self.year or 0, self.month or 0, self.day or 0)
        except ValueError:
            return False
        return True

    def digits(self) -> str:
        """Return YYYYMMDD for a complete date (for edit-distance comparison), else ''."""
        if not self.complete:
            return ""
        return f"{self.year:04d}{self.month:02d}{self.day:02d}"

    def text(self) -> str:
        """Return the date as ISO text as far as it is known, e.g. '1980-05' or '1980-05-12'."""
        if self.year is None:
            return ""
        parts = [f"{self.year:04d}"]
        if self.month is not None:
            parts.append(f"{self.month:02d}")
            if self.day is not None:
                parts.append(f"{self.day:02d}")
        return "-".join(parts)


MISSING_DATE = DateOfBirth()


def _known(year: int, month: int | None = None, day: int | None = None) -> DateOfBirth:
    if not 1800 <= year <= 2200:
        return MISSING_DATE
    if month is not None and not 1 <= month <= 31:
        return MISSING_DATE
    if day is not None and not 1 <= day <= 31:
        return MISSING_DATE
    # Day and month swapped in the source (31/12 written as 12/31) is kept as written.
    if month is not None and month > 12 and (day is None or day > 12):
        return MISSING_DATE
    return DateOfBirth(year, month, day, year, year)


def _two_digit_year(value: int, today: date) -> int:
    century = today.year - today.year % 100
    year = century + value
    return year - 100 if year > today.year else year


def normalise_date_of_birth(value: object, *, today: date | None = None) -> DateOfBirth:
    """Parse a date of birth written in any common UK way; unknown text gives an empty date.

    Accepts ISO (1980-05-12), compact (19800512), UK order (12/05/1980, 12-5-80), a month in
    words in English or Welsh (12 May 1980, 12 Mai 1980), a year and month, or a year alone.
    """
    if isinstance(value, datetime):
        return _known(value.year, value.month, value.day)
    if isinstance(value, date):
        return _known(value.year, value.month, value.day)
    text = clean(value)
    if not text:
        return MISSING_DATE
    today = today or date.today()
    if match := _ISO.match(text):
        year, month, day = match.groups()
        return _known(int(year), int(month), int(day) if day else None)
    if match := _COMPACT.match(text):
        return _known(int(match[1]), int(match[2]), int(match[3]))
    if match := _UK.match(text):
        day, month, year = match.groups()
        full_year = _two_digit_year(int(year), today) if len(year) == 2 else int(year)
        return _known(full_year, int(month), int(day))
    if match := _MONTH_YEAR.match(text):
        return _known(int(match[2]), int(match[1]))
    if match := _YEAR.match(text):
        return _known(int(match[1]))
    return _from_words(words(text))


def _from_words(tokens: list[str]) -> DateOfBirth:
    numbers = [t for t in tokens if t.isdigit()]
    months = [MONTHS[t.rstrip(".")] for t in tokens if t.rstrip(".") in MONTHS]
    years = [int(n) for n in numbers if len(n) == 4]
    days = [int(m[1]) for t in tokens if (m := re.fullmatch(r"(\d{1,2})(st|nd|rd|th)?", t))]
    if len(years) != 1 or len(months) > 1:
        return MISSING_DATE
    if not months:
        return _known(years[0])
    return _known(years[0], months[0], days[0] if len(days) == 1 else None)


def approximate_date_of_birth(min_age: int, max_age: int, on: date) -> DateOfBirth:
    """Turn an age range on a given day into the range of birth years it allows."""
    if min_age < 0 or max_age < min_age or max_age > 130:
        return MISSING_DATE
    earliest = on.year - max_age - 1 - AGE_TOLERANCE_YEARS
    latest = on.year - min_age + AGE_TOLERANCE_YEARS
    return DateOfBirth(earliest_year=earliest, latest_year=latest)


def parse_age(value: object) -> tuple[int, int] | None:
    """Read an age as people write it: "35", "about 35", "30-35", "30s", "late 40s"."""
    text = re.sub(r"[^\w?\-–]+", " ", fold(clean(value)))
    text = re.sub(r"\b(years?|yrs?|old|aged|age)\b", " ", text)
    text = collapse_spaces(re.sub(r"\s*[-–]\s*", "-", text)).replace("-to-", "-")
    text = text.replace(" to ", "-")
    if match := _AGE_RANGE.match(text):
        low, high = int(match[1]), int(match[2])
        return (low, high) if low <= high else None
    if match := _AGE_DECADE.match(text):
        decade = int(match[1]) * 10
        return decade, decade + 9
    if match := _AGE.match(text):
        age = int(match[1])
        return age, age
    return None
