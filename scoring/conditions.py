"""Conditions: the form engine's condition language, plus flags and measures.

A condition is compiled once, when the instrument is loaded, into a plain
function of the evaluation context; nothing is ever evaluated as code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any

from scoring.errors import Problem
from scoring.form import MULTIPLE_CHOICE, TEXT, FieldInfo, FormFields

FLAGS = frozenset(
    {
        "repeat_victim",
        "vulnerable_victim",
        "hate_incident",
        "case_review_threshold",
        "potential_escalation",
    }
)

# A node of the dependency graph: ("measure", name) or ("flag", code).
Node = tuple[str, str]


class Context:
    """What a condition can look at while one assessment runs."""

    __slots__ = ("answers", "flags", "incident_date", "measures", "memo", "reporter", "today")

    def __init__(
        self,
        answers: Mapping[str, Any],
        today: date,
        incident_date: date | None = None,
        reporter: str | None = None,
    ) -> None:
        self.answers = answers
        self.today = today
        # The report being assessed, as history rules see it.
        self.incident_date = incident_date
        self.reporter = reporter
        self.flags: set[str] = set()
        self.measures: dict[str, int] = {}
        # What a term worked out while scoring and needs again to explain itself.
        self.memo: dict[object, Any] = {}


Predicate = Callable[[Context], bool]

FIELD_OPERATORS = (
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
MEASURE_OPERATORS = ("at_least", "at_most")


def answered(value: Any) -> bool:
    """Say whether an answer counts as given: absent, null and empty are not."""
    return value is not None and value != "" and value != [] and value != {}


def as_date(value: Any) -> date | None:
    """Read a "YYYY-MM-DD" answer; anything else is no date."""
    if isinstance(value, date):
        return value
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def yaml_hint(value: Any) -> str:
    """Explain YAML 1.1 reading an unquoted yes, no, on or off as true or false."""
    if isinstance(value, bool):
        return ' (YAML reads an unquoted yes or no as true or false: write "yes" or "no" in quotes)'
    return ""


def describe(value: Any) -> str:
    return repr(value) if isinstance(value, str) else str(value)


class ConditionCompiler:
    """Check conditions against the form and compile them to predicates."""

    def __init__(
        self,
        form: FormFields,
        measures: Iterable[str],
        problems: list[Problem],
    ) -> None:
        self.form = form
        self.measures = set(measures)
        self.problems = problems

    def problem(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    def field(self, name: Any, path: str) -> FieldInfo | None:
        """Look a field up by name, reporting why scoring cannot use it."""
        if not isinstance(name, str):
            self.problem(path, "must be the name of a field")
            return None
        info = self.form.fields.get(name)
        if info is None:
            self.problem(path, f"there is no field called {name!r} in the form's pages")
            return None
        if info.repeat_page is not None:
            self.problem(
                path,
                f"{name!r} is on the repeating page {info.repeat_page!r}: scoring cannot "
                "refer to answers on a repeating page",
            )
            return None
        if info.type == "content":
            self.problem(path, f"{name!r} is a content block, not a question")
            return None
        return info

    def option(self, info: FieldInfo, value: Any, path: str) -> bool:
        """Check that value is one of the field's options."""
        assert info.options is not None
        if info.missing_list is not None:
            self.problem(
                path,
                f"field {info.name!r} uses the list {info.missing_list!r}, "
                "which the form does not define",
            )
            return False
        if not isinstance(value, str) or value not in info.options:
            choices = ", ".join(info.options) or "none"
            self.problem(
                path,
                f"{describe(value)} is not an option of field {info.name!r} "
                f"(its options are: {choices}){yaml_hint(value)}",
            )
            return False
        return True

    def compile(self, raw: Any, path: str) -> tuple[Predicate, set[Node]]:
        """Compile a condition; on problems return a predicate that is never true."""
        deps: set[Node] = set()
        predicate = self._compile(raw, path, deps)
        return (predicate or _never), deps

    def _compile(self, raw: Any, path: str, deps: set[Node]) -> Predicate | None:
        if not isinstance(raw, Mapping) or not raw:
            self.problem(path, "a condition must be a mapping such as {field: F, equals: V}")
            return None
        if "all" in raw or "any" in raw:
            return self._combine(raw, path, deps)
        if "not" in raw:
            if len(raw) != 1:
                self.problem(path, "'not' must be the only key of its condition")
                return None
            inner = self._compile(raw["not"], f"{path}.not", deps)
            return None if inner is None else (lambda ctx: not inner(ctx))
        if "flag" in raw:
            return self._flag(raw, path, deps)
        if "measure" in raw:
            return self._measure(raw, path, deps)
        if "field" in raw:
            return self._field(raw, path)
        self.problem(
            path,
            "a condition needs one of: field, flag, measure, all, any, not "
            f"(found: {', '.join(map(str, raw))})",
        )
        return None

    def _combine(self, raw: Mapping[str, Any], path: str, deps: set[Node]) -> Predicate | None:
        key = "all" if "all" in raw else "any"
        if len(raw) != 1:
            self.problem(path, f"'{key}' must be the only key of its condition")
            return None
        items = raw[key]
        if not isinstance(items, list) or not items:
            self.problem(f"{path}.{key}", "must be a list of one or more conditions")
            return None
        parts = [self._compile(item, f"{path}.{key}[{i}]", deps) for i, item in enumerate(items)]
        compiled = [part for part in parts if part is not None]
        if len(compiled) != len(parts):
            return None
        if key == "all":
            return lambda ctx: all(part(ctx) for part in compiled)
        return lambda ctx: any(part(ctx) for part in compiled)

    def _flag(self, raw: Mapping[str, Any], path: str, deps: set[Node]) -> Predicate | None:
        code = raw["flag"]
        if len(raw) != 1:
            self.problem(path, "a flag condition has one key: {flag: CODE}")
            return None
        if code not in FLAGS:
            self.problem(f"{path}.flag", f"unknown flag {describe(code)}; flags are: {_flags()}")
            return None
        deps.add(("flag", code))
        return lambda ctx: code in ctx.flags

    def _measure(self, raw: Mapping[str, Any], path: str, deps: set[Node]) -> Predicate | None:
        name = raw["measure"]
        if name not in self.measures:
            self.problem(f"{path}.measure", f"there is no measure called {describe(name)}")
            return None
        ops = [key for key in raw if key != "measure"]
        if len(ops) != 1 or ops[0] not in MEASURE_OPERATORS:
            self.problem(path, "a measure condition needs exactly one of: at_least, at_most")
            return None
        limit = raw[ops[0]]
        if not isinstance(limit, int) or isinstance(limit, bool):
            self.problem(f"{path}.{ops[0]}", "must be a whole number")
            return None
        deps.add(("measure", name))
        if ops[0] == "at_least":
            return lambda ctx: ctx.measures[name] >= limit
        return lambda ctx: ctx.measures[name] <= limit

    def _field(self, raw: Mapping[str, Any], path: str) -> Predicate | None:
        info = self.field(raw["field"], f"{path}.field")
        ops = [key for key in raw if key != "field"]
        if len(ops) != 1 or ops[0] not in FIELD_OPERATORS:
            unknown = [op for op in ops if op not in FIELD_OPERATORS]
            detail = f" (unknown: {', '.join(map(str, unknown))})" if unknown else ""
            self.problem(
                path,
                f"a field condition needs exactly one of: {', '.join(FIELD_OPERATORS)}{detail}",
            )
            return None
        if info is None:
            return None
        op = ops[0]
        return self._operator(info, op, raw[op], f"{path}.{op}")

    def _operator(self, info: FieldInfo, op: str, value: Any, path: str) -> Predicate | None:
        name = info.name
        multiple = info.type in MULTIPLE_CHOICE
        if op == "answered":
            if not isinstance(value, bool):
                self.problem(path, "must be true or false")
                return None
            return (
                (lambda ctx: answered(ctx.answers.get(name)))
                if value
                else (lambda ctx: not answered(ctx.answers.get(name)))
            )
        if op in ("equals", "not_equals"):
            if multiple:
                self.problem(path, f"{name!r} is a checkboxes field: use 'contains' or 'in'")
                return None
            if not self._value(info, value, path):
                return None
            expected = _normalise(info, value)
            if op == "equals" and info.type != "date" and isinstance(expected, str) and expected:
                # No unanswered value (None, "", [], {}) equals non-empty text, so the
                # answer can be compared as it is.
                return lambda ctx: ctx.answers.get(name) == expected
            if op == "equals":
                return lambda ctx: _read(info, ctx.answers.get(name)) == expected
            return lambda ctx: _differs(_read(info, ctx.answers.get(name)), expected)
        if op == "in":
            if not isinstance(value, list) or not value:
                self.problem(path, "must be a list of one or more values")
                return None
            checks = [self._value(info, item, f"{path}[{i}]") for i, item in enumerate(value)]
            if not all(checks):
                return None
            allowed = frozenset(_normalise(info, item) for item in value)
            if multiple:
                return lambda ctx: not _ticked(ctx.answers.get(name)).isdisjoint(allowed)
            return lambda ctx: _read(info, ctx.answers.get(name)) in allowed
        if op == "contains":
            return self._contains(info, value, path)
        if op in ("greater_than", "less_than"):
            if info.type != "number":
                self.problem(path, f"{name!r} is not a number field")
                return None
            if not is_number(value):
                self.problem(path, "must be a number")
                return None
            limit = value
            if op == "greater_than":
                return lambda ctx: _number(ctx.answers.get(name)) > limit
            return lambda ctx: _number(ctx.answers.get(name)) < limit
        return self._date(info, op, value, path)

    def _contains(self, info: FieldInfo, value: Any, path: str) -> Predicate | None:
        name = info.name
        if info.type in MULTIPLE_CHOICE:
            if not self.option(info, value, path):
                return None
            return lambda ctx: value in _ticked(ctx.answers.get(name))
        if info.type in TEXT:
            if not isinstance(value, str) or not value:
                self.problem(path, "must be some text")
                return None
            needle = value.casefold()
            return lambda ctx: needle in _text(ctx.answers.get(name))
        self.problem(path, f"'contains' works on checkboxes and text fields, not {info.type}")
        return None

    def _date(self, info: FieldInfo, op: str, value: Any, path: str) -> Predicate | None:
        name = info.name
        if info.type != "date":
            self.problem(path, f"{name!r} is not a date field")
            return None
        if op == "within_days":
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                self.problem(path, "must be a whole number of days, 0 or more")
                return None
            days = value
            return lambda ctx: _days_ago(ctx.answers.get(name), ctx.today, days)
        fixed = None if value == "today" else as_date(value)
        if value != "today" and fixed is None:
            self.problem(path, "must be a date (YYYY-MM-DD) or today")
            return None
        earlier = op == "before"
        return lambda ctx: _compare_date(ctx.answers.get(name), fixed or ctx.today, earlier)

    def _value(self, info: FieldInfo, value: Any, path: str) -> bool:
        if info.options is not None:
            return self.option(info, value, path)
        if info.type == "number":
            if not is_number(value):
                self.problem(path, "must be a number")
                return False
            return True
        if info.type == "date":
            if as_date(value) is None:
                self.problem(path, "must be a date (YYYY-MM-DD)")
                return False
            return True
        if info.type in TEXT:
            if not isinstance(value, str):
                self.problem(path, f"must be text{yaml_hint(value)}")
                return False
            return True
        self.problem(path, f"a {info.type} field cannot be compared with a value")
        return False


def _flags() -> str:
    return ", ".join(sorted(FLAGS))


def _never(ctx: Context) -> bool:
    return False


_MISSING = object()


def _normalise(info: FieldInfo, value: Any) -> Any:
    return as_date(value) if info.type == "date" else value


def _read(info: FieldInfo, value: Any) -> Any:
    if not answered(value):
        return _MISSING
    return as_date(value) if info.type == "date" else value


def _differs(value: Any, expected: Any) -> bool:
    # "Not answered" is neither equal nor different: it is unknown.
    return value is not _MISSING and value != expected


def _ticked(value: Any) -> frozenset[Any]:
    return frozenset(value) if isinstance(value, list) else frozenset()


def _text(value: Any) -> str:
    return value.casefold() if isinstance(value, str) else ""


_NAN = float("nan")


def _number(value: Any) -> float:
    if type(value) is int or type(value) is float:
        return float(value)
    # NaN compares false both ways, so an unanswered number never passes a test.
    return float(value) if is_number(value) else _NAN


def _days_ago(value: Any, today: date, days: int) -> bool:
    when = as_date(value)
    return when is not None and 0 <= (today - when).days <= days


def _compare_date(value: Any, target: date, earlier: bool) -> bool:
    when = as_date(value)
    if when is None:
        return False
    return when < target if earlier else when > target
