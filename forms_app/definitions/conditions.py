"""The condition language: declarative comparisons over answers, never eval.

A condition is data, e.g. ``{field: still_happening, equals: "yes"}`` or
``{all: [..]}``, ``{any: [..]}``, ``{not: {..}}``. A question that was not
shown or not answered is absent: every comparison with it is false, and only
``answered: false`` matches it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")

OPERATORS = (
    "equals",
    "not_equals",
    "in",
    "contains",
    "greater_than",
    "less_than",
    "before",
    "after",
    "within_days",
    "answered",
)


def uk_today() -> dt.date:
    """Return today's date in the UK, whatever the server's time zone."""
    return dt.datetime.now(UK).date()


@dataclass(frozen=True)
class Comparison:
    field: str
    operator: str
    value: Any


@dataclass(frozen=True)
class AllOf:
    conditions: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    conditions: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    condition: Condition


Condition = Comparison | AllOf | AnyOf | Not


def parse_condition(data: Mapping[str, Any]) -> Condition:
    """Build a condition from its (already schema-checked) data."""
    if "all" in data:
        return AllOf(tuple(parse_condition(item) for item in data["all"]))
    if "any" in data:
        return AnyOf(tuple(parse_condition(item) for item in data["any"]))
    if "not" in data:
        return Not(parse_condition(data["not"]))
    (operator,) = (key for key in data if key != "field")
    value = data[operator]
    if isinstance(value, list):
        value = tuple(value)
    return Comparison(field=data["field"], operator=operator, value=value)


def fields_named(condition: Condition) -> set[str]:
    """Return every field name a condition refers to."""
    if isinstance(condition, Comparison):
        return {condition.field}
    if isinstance(condition, Not):
        return fields_named(condition.condition)
    names: set[str] = set()
    for item in condition.conditions:
        names |= fields_named(item)
    return names


def evaluate(
    condition: Condition | None,
    answers: Mapping[str, Any],
    today: dt.date | None = None,
) -> bool:
    """Return whether a condition holds for these answers; no condition always holds."""
    if condition is None:
        return True
    if isinstance(condition, AllOf):
        return all(evaluate(item, answers, today) for item in condition.conditions)
    if isinstance(condition, AnyOf):
        return any(evaluate(item, answers, today) for item in condition.conditions)
    if isinstance(condition, Not):
        return not evaluate(condition.condition, answers, today)
    return _compare(condition, answers.get(condition.field), today)


def is_answered(value: Any) -> bool:
    """Return whether a stored answer counts as given."""
    if value is None:
        return False
    if isinstance(value, str):
        return value.strip() != ""
    if isinstance(value, list | tuple | dict):
        return len(value) > 0
    return True


def _compare(condition: Comparison, answer: Any, today: dt.date | None) -> bool:
    operator, expected = condition.operator, condition.value
    if operator == "answered":
        return is_answered(answer) is bool(expected)
    if not is_answered(answer):
        return False
    if operator == "equals":
        return _same(answer, expected)
    if operator == "not_equals":
        return not _same(answer, expected)
    if operator == "in":
        if not isinstance(expected, list | tuple):
            expected = (expected,)
        if isinstance(answer, list | tuple):
            return any(_same(item, option) for item in answer for option in expected)
        return any(_same(answer, option) for option in expected)
    if operator == "contains":
        if isinstance(answer, list | tuple):
            return any(_same(item, expected) for item in answer)
        if isinstance(answer, str):
            return str(expected).casefold() in answer.casefold()
        return False
    if operator in ("greater_than", "less_than"):
        number, limit_number = _number(answer), _number(expected)
        if number is None or limit_number is None:
            return False
        return number > limit_number if operator == "greater_than" else number < limit_number
    answer_date = _date(answer)
    if answer_date is None:
        return False
    today = today or uk_today()
    if operator == "within_days":
        days = _number(expected)
        return days is not None and abs((answer_date - today).days) <= days
    limit = today if expected == "today" else _date(expected)
    if limit is None:
        return False
    return answer_date < limit if operator == "before" else answer_date > limit


def _same(answer: Any, expected: Any) -> bool:
    if isinstance(answer, bool) or isinstance(expected, bool):
        return answer is expected
    if isinstance(answer, int | float) and isinstance(expected, int | float):
        return answer == expected
    if isinstance(answer, str) and isinstance(expected, str):
        return answer == expected
    return False


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    return None


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None
