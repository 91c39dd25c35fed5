"""History: earlier reports about the same person, address, location or problem.

The caller (the intake worker) finds the earlier reports and says, for each,
which of the current report's links it shares; scoring only counts them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from itertools import chain, permutations
from typing import Any, NamedTuple, cast
from zoneinfo import ZoneInfo

from scoring.errors import HistoryError, Problem

LINKS = frozenset({"person", "address", "location", "problem"})
LONDON = ZoneInfo("Europe/London")
ENTRY_KEYS = frozenset({"reported_on", "incident_date", "same", "reporter", "hate", "reference"})


class HistoryEntry(NamedTuple):
    """One earlier report, as plain data.

    `same` names what it shares with the report being assessed: any of
    person (the victim or subject), address, location, problem (the same
    ASB problem or case). `reporter` is an opaque key for who made the
    report, used to count different people; never a name.
    """

    # A named tuple rather than a frozen dataclass: the worker passes dozens a
    # call, and building these is most of the cost of an assessment.
    reported_on: date
    same: frozenset[str]
    incident_date: date | None = None
    reporter: str | None = None
    hate: bool = False
    reference: str | None = None


_new = tuple.__new__

# Every valid `same` list, in any order, read once into the set it stands for.
_SAME = {
    order: frozenset(order)
    for size in range(1, len(LINKS) + 1)
    for order in permutations(sorted(LINKS), size)
}


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
    found = read_history(entries)
    return found if isinstance(found, list) and found is not entries else list(found)


def read_history(
    entries: Iterable[HistoryEntry | Mapping[str, Any]],
) -> Sequence[HistoryEntry]:
    """Read history entries as parse_history does, without copying a list of HistoryEntry.

    The worker passes a fresh list of HistoryEntry on every call, so that list
    itself is returned (when no two entries share a reference), to be read, not changed.
    """
    given = entries if isinstance(entries, list) else list(entries)
    # The worker's case, in one pass: every entry a HistoryEntry, each with its own reference
    # (at index 5; one may have none), so there is nothing to read or merge.
    if len({raw[5] for raw in given if type(raw) is HistoryEntry}) == len(given):
        return cast(list[HistoryEntry], given)
    if all(type(raw) is HistoryEntry for raw in given):
        return _merged(cast(list[HistoryEntry], given))
    quick = _quick
    found = _all_at_once(given)
    if found is not None:
        return _merged(found)
    parsed = [raw if type(raw) is HistoryEntry else quick(raw) for raw in given]
    if None in parsed:
        problems: list[Problem] = []
        for index, raw in enumerate(given):
            if parsed[index] is None:
                parsed[index] = _entry(raw, f"history[{index}]", problems)
        if problems:
            raise HistoryError(problems)
    return _merged(cast(list[HistoryEntry], parsed))


def _merged(found: list[HistoryEntry]) -> list[HistoryEntry]:
    # Indexing the tuples (reference is at 5) is quicker than reading the attribute.
    if len({entry[5] for entry in found}) == len(found):
        return found
    references = [entry.reference for entry in found if entry.reference is not None]
    if len(set(references)) == len(references):
        return found
    return _merge(found)


_TEXT_OR_NONE = frozenset({str, type(None)})
_DICT_ONLY = {dict}


def _all_at_once(given: list[Any]) -> list[HistoryEntry] | None:
    """Read a list of well-formed JSON-style entries in one pass, or return None.

    The worker's histories come as dozens of entries per assessment; reading
    them in one comprehension, and checking the plain values afterwards, costs
    about a third less than reading them one by one.
    """
    days, links = _DAYS, _SAME
    try:
        found = [
            _new(
                HistoryEntry,
                (
                    days[raw["reported_on"]],
                    links[tuple(raw["same"])],
                    None if (incident := raw.get("incident_date")) is None else days[incident],
                    raw.get("reporter"),
                    raw.get("hate", False),
                    raw.get("reference"),
                ),
            )
            for raw in given
        ]
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    # Every entry a dict, and every key of every entry one of ENTRY_KEYS.
    if {type(raw) for raw in given} != _DICT_ONLY or not ENTRY_KEYS.issuperset(
        chain.from_iterable(given)
    ):
        return None
    # reporter, hate and reference are at 3, 4 and 5.
    texts = {type(entry[3]) for entry in found} | {type(entry[5]) for entry in found}
    if texts <= _TEXT_OR_NONE and {type(entry[4]) for entry in found} <= {bool}:
        return found
    return None


def _quick(raw: Any) -> HistoryEntry | None:
    """Read a well-formed entry quickly; None sends it to the careful reading."""
    if type(raw) is not dict or not raw.keys() <= ENTRY_KEYS:
        return None
    get = raw.get
    try:
        reported = _DAYS[raw["reported_on"]]
        incident = get("incident_date")
        if incident is not None:
            incident = _DAYS[incident]
        same = _SAME[tuple(raw["same"])]
    except (KeyError, TypeError, ValueError):
        return None
    reporter, hate, reference = get("reporter"), get("hate", False), get("reference")
    if (
        (reporter is not None and type(reporter) is not str)
        or type(hate) is not bool
        or (reference is not None and type(reference) is not str)
    ):
        return None
    # tuple.__new__ skips the named tuple's Python-level constructor: a third of the cost.
    return _new(HistoryEntry, (reported, same, incident, reporter, hate, reference))


class _Days(dict[str, date]):
    """Histories hold dates from a small set (the days of the last few years), so
    each "YYYY-MM-DD" is parsed once; the cache is emptied if it grows past a limit."""

    limit = 20_000

    def __missing__(self, text: str) -> date:
        if type(text) is not str or len(text) != 10:
            raise ValueError("not a YYYY-MM-DD date")
        day = date.fromisoformat(text)
        if len(self) >= self.limit:
            self.clear()
        self[text] = day
        return day


_DAYS = _Days()


def _merge(entries: list[HistoryEntry]) -> list[HistoryEntry]:
    # One report found through two links (say person and address) must count once.
    seen: dict[str, int] = {}
    merged: list[HistoryEntry] = []
    for entry in entries:
        index = seen.get(entry.reference) if entry.reference is not None else None
        if index is None:
            if entry.reference is not None:
                seen[entry.reference] = len(merged)
            merged.append(entry)
            continue
        first = merged[index]
        merged[index] = first._replace(
            same=first.same | entry.same,
            incident_date=first.incident_date or entry.incident_date,
            reporter=first.reporter or entry.reporter,
            hate=first.hate or entry.hate,
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
