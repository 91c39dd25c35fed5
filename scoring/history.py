"""History: earlier reports about the same person, address, location or problem.

The caller (the intake worker) finds the earlier reports and says, for each,
which of the current report's links it shares; scoring only counts them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from scoring.errors import HistoryError, Problem

LINKS = frozenset({"person", "address", "location", "problem"})
LONDON = ZoneInfo("Europe/London")
ENTRY_KEYS = frozenset({"reported_on", "incident_date", "same", "reporter", "hate", "reference"})


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One earlier report, as plain data.

    `same` names what it shares with the report being assessed: any of
    person (the victim or subject), address, location, problem (the same
    ASB problem or case). `reporter` is an opaque key for who made the
    report, used to count different people; never a name.
    """

    reported_on: date
    same: frozenset[str]
    incident_date: date | None = None
    reporter: str | None = None
    hate: bool = False
    reference: str | None = None


def day_of(moment: date | datetime) -> date:
    """Return the UK calendar day of a date or datetime (naive means UK time)."""
    if isinstance(moment, datetime):
        if moment.tzinfo is not None:
            return moment.astimezone(LONDON).date()
        return moment.date()
    return moment


def today_of(now: date | datetime | None) -> date:
    return day_of(now if now is not None else datetime.now(UTC))


def parse_history(entries: Iterable[HistoryEntry | Mapping[str, Any]]) -> list[HistoryEntry]:
    """Read history entries; merge entries with the same reference."""
    problems: list[Problem] = []
    parsed: list[HistoryEntry] = []
    for index, raw in enumerate(entries):
        if isinstance(raw, HistoryEntry):
            parsed.append(raw)
        else:
            entry = _entry(raw, f"history[{index}]", problems)
            if entry is not None:
                parsed.append(entry)
    if problems:
        raise HistoryError(problems)
    return _merge(parsed)


def _merge(entries: list[HistoryEntry]) -> list[HistoryEntry]:
    # One report found through two links (say person and address) must count once.
    seen: dict[str, int] = {}
    merged: list[HistoryEntry] = []
    for entry in entries:
        if entry.reference is None:
            merged.append(entry)
            continue
        index = seen.get(entry.reference)
        if index is None:
            seen[entry.reference] = len(merged)
            merged.append(entry)
        else:
            first = merged[index]
            merged[index] = HistoryEntry(
                reported_on=first.reported_on,
                same=first.same | entry.same,
                incident_date=first.incident_date or entry.incident_date,
                reporter=first.reporter or entry.reporter,
                hate=first.hate or entry.hate,
                reference=first.reference,
            )
    return merged


def _entry(raw: Any, path: str, problems: list[Problem]) -> HistoryEntry | None:
    if not isinstance(raw, Mapping):
        problems.append(Problem(path, "each history entry must be an object"))
        return None
    before = len(problems)
    for key in raw:
        if key not in ENTRY_KEYS:
            problems.append(
                Problem(f"{path}.{key}", f"unknown key; expected: {', '.join(sorted(ENTRY_KEYS))}")
            )
    reported = _date(raw.get("reported_on"), f"{path}.reported_on", problems, required=True)
    incident = _date(raw.get("incident_date"), f"{path}.incident_date", problems, required=False)
    same = raw.get("same")
    if not isinstance(same, Sequence) or isinstance(same, str) or not same:
        problems.append(
            Problem(f"{path}.same", "must list what it shares: person, address, location, problem")
        )
    elif not all(isinstance(link, str) and link in LINKS for link in same):
        problems.append(
            Problem(f"{path}.same", "can only hold: person, address, location, problem")
        )
    reporter = raw.get("reporter")
    if reporter is not None and not isinstance(reporter, str):
        problems.append(Problem(f"{path}.reporter", "must be a string key"))
    hate = raw.get("hate", False)
    if not isinstance(hate, bool):
        problems.append(Problem(f"{path}.hate", "must be true or false"))
    reference = raw.get("reference")
    if reference is not None and not isinstance(reference, str):
        problems.append(Problem(f"{path}.reference", "must be a string"))
    if len(problems) > before or reported is None or not isinstance(same, Sequence):
        return None
    return HistoryEntry(
        reported_on=reported,
        same=frozenset(same),
        incident_date=incident,
        reporter=reporter,
        hate=hate,
        reference=reference,
    )


def _date(value: Any, path: str, problems: list[Problem], *, required: bool) -> date | None:
    if value is None:
        if required:
            problems.append(Problem(path, "is required: the date the report was made"))
        return None
    if isinstance(value, date):
        return day_of(value)
    if isinstance(value, str):
        try:
            if len(value) == 10:
                return date.fromisoformat(value)
            return day_of(datetime.fromisoformat(value))
        except ValueError:
            pass
    problems.append(Problem(path, "must be a date, YYYY-MM-DD, or an ISO 8601 date and time"))
    return None
