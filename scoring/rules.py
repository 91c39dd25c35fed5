"""The compiled parts of a scoring block: terms, rules and bands."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from scoring.conditions import Context, Predicate
from scoring.history import HistoryEntry

PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


# Fills a reason's {placeholders} from a mapping of their values.
Fill = Callable[[Mapping[str, object]], str]


def compile_reason(text: str, known: Mapping[str, object] | None = None) -> Fill:
    """Return the function that fills a reason's {placeholders}, made once at load time.

    Placeholders whose values are `known` already (a rule's days, say) are
    written in now; the function is given the others. The loader checks every
    placeholder against the names its text may use, so they are plain names
    and the text becomes a %-format pattern: %(name)s fills in str() of the
    value, as render does, and runs no Python code.
    """
    fixed = dict(known or {})
    # Literal text at even positions, placeholder names at odd ones.
    pieces = PLACEHOLDER.split(text)
    if not all(name.isidentifier() for name in pieces[1::2]):
        return lambda values: render(text, {**fixed, **values})
    pattern = []
    for index, piece in enumerate(pieces):
        if index % 2 == 0:
            pattern.append(piece.replace("%", "%%"))
        elif piece in fixed:
            pattern.append(str(fixed[piece]).replace("%", "%%"))
        else:
            pattern.append(f"%({piece})s")
    return "".join(pattern).__mod__


def placeholders(text: str | None) -> frozenset[str]:
    """Return the names a reason's {placeholders} use."""
    return frozenset(PLACEHOLDER.findall(text or ""))


def fill_now(fill: Fill, values: Mapping[str, object]) -> str | None:
    """Fill a reason whose values are known at load time; None if it names others.

    A reason naming an unknown placeholder is reported by the loader, which
    still builds the rule to look for more problems: it must not fail here.
    """
    try:
        return fill(values)
    except KeyError:
        return None


def render(template: str, values: Mapping[str, object]) -> str:
    """Fill {placeholders} checked when the instrument was loaded."""
    if "{" not in template:
        return template
    return PLACEHOLDER.sub(lambda match: str(values[match.group(1)]), template)


def points_text(points: int) -> str:
    return f"{points} point" if abs(points) == 1 else f"{points} points"


class Term:
    """One line of a measure: it adds points, and says why."""

    path: str
    # Position in the scoring block, so reasons read in the order they are written.
    order: int = 0

    def run(self, ctx: Context) -> int:
        raise NotImplementedError

    def explain(self, ctx: Context, points: int) -> str | None:
        raise NotImplementedError


class WhenTerm(Term):
    """Add fixed points when a condition holds."""

    def __init__(self, path: str, predicate: Predicate, points: int, reason: str) -> None:
        self.path, self.predicate, self.points, self.reason = path, predicate, points, reason
        self.fill = compile_reason(reason)
        # The points are fixed, so the reason is too: written once, not on every assessment.
        self.explained = fill_now(self.fill, {"points": points_text(points)})

    def run(self, ctx: Context) -> int:
        return self.points if self.predicate(ctx) else 0

    def explain(self, ctx: Context, points: int) -> str:
        if points == self.points and self.explained is not None:
            return self.explained
        return self.fill({"points": points_text(points)})


class OptionTerm(Term):
    """Add points for the option chosen (or each option ticked) in one field."""

    def __init__(
        self,
        path: str,
        field: str,
        points: dict[str, int],
        texts: dict[str, str],
        multiple: bool,
        reason: str,
    ) -> None:
        self.path, self.field, self.points, self.texts = path, field, points, texts
        self.multiple, self.reason = multiple, reason
        self.fill = compile_reason(reason)

    def _chosen(self, ctx: Context) -> list[str]:
        value = ctx.answers.get(self.field)
        if self.multiple:
            return (
                [item for item in value if item in self.points] if isinstance(value, list) else []
            )
        return [value] if isinstance(value, str) and value in self.points else []

    def run(self, ctx: Context) -> int:
        value = ctx.answers.get(self.field)
        if self.multiple:
            if not isinstance(value, list):
                return 0
            table = self.points
            return sum(table[item] for item in value if item in table)
        return self.points.get(value, 0) if isinstance(value, str) else 0

    def explain(self, ctx: Context, points: int) -> str:
        options = [self.texts.get(option, option) for option in self._chosen(ctx)]
        values = {"option": ", ".join(options), "points": points_text(points)}
        return self.fill(values)


class CountTerm(Term):
    """Add points for each of several fields answered with one value."""

    def __init__(
        self, path: str, fields: tuple[str, ...], value: str, each: int, reason: str
    ) -> None:
        self.path, self.fields, self.value, self.each, self.reason = (
            path,
            fields,
            value,
            each,
            reason,
        )
        self.fill = compile_reason(reason, {"of": len(fields)})
        # Only what the reason says is worked out when it is given.
        used = placeholders(reason)
        self.says_unanswered, self.says_points = "unanswered" in used, "points" in used

    def run(self, ctx: Context) -> int:
        answers = list(map(ctx.answers.get, self.fields))
        # Kept for explain, which would otherwise look every field up again.
        ctx.memo[self] = answers
        return answers.count(self.value) * self.each

    def explain(self, ctx: Context, points: int) -> str:
        values: dict[str, object] = {"count": points // self.each if self.each else 0}
        if self.says_unanswered:
            answers = ctx.memo.get(self)
            if answers is None:
                answers = list(map(ctx.answers.get, self.fields))
            # The answers have been checked: each of these fields holds one of its options
            # or nothing, so counting None is counting the questions not answered.
            values["unanswered"] = answers.count(None)
        if self.says_points:
            values["points"] = points_text(points)
        return self.fill(values)


class SumTerm(Term):
    """Add other measures; the reasons are theirs."""

    def __init__(self, path: str, measures: tuple[str, ...]) -> None:
        self.path, self.measures = path, measures

    def run(self, ctx: Context) -> int:
        return sum(ctx.measures[name] for name in self.measures)

    def explain(self, ctx: Context, points: int) -> None:
        return None


@dataclass(frozen=True)
class Measure:
    name: str
    path: str
    terms: tuple[Term, ...]


@dataclass(frozen=True)
class Band:
    level: str
    path: str
    min: int | None
    max: int | None
    reason: str | None
    fill: Fill | None = field(default=None, init=False, repr=False, compare=False)
    # The reason written out, when it does not name the {score}.
    fixed: str | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.reason is None:
            return
        fill = compile_reason(self.reason, {"level": self.level, "min": self.min, "max": self.max})
        object.__setattr__(self, "fill", fill)
        if "score" not in placeholders(self.reason):
            object.__setattr__(self, "fixed", fill_now(fill, {}))

    def holds(self, score: int) -> bool:
        return (self.min is None or score >= self.min) and (self.max is None or score <= self.max)

    def explain(self, score: int) -> str:
        if self.fixed is not None:
            return self.fixed
        if self.fill is not None:
            return self.fill({"score": score})
        if self.min is None and self.max is None:
            span = "any score"
        elif self.min is None:
            span = f"{self.max} or less"
        elif self.max is None:
            span = f"{self.min} or more"
        else:
            span = f"{self.min} to {self.max}"
        return f"A score of {score} is in the {self.level} band ({span})"


@dataclass(frozen=True)
class Override:
    path: str
    predicate: Predicate
    level: str
    reason: str
    explained: str = field(default="", init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "explained", f"{self.reason} (at least {self.level} risk)")


class FlagRule:
    """A rule that sets a flag, may raise the level, and says why."""

    path: str
    code: str
    level: str | None
    index: int
    # The count at which the rule fires; a condition counts 1 when it holds.
    at_least: int = 1

    def count(self, ctx: Context, history: Sequence[HistoryEntry]) -> int:
        raise NotImplementedError

    def explain(self, count: int) -> str:
        raise NotImplementedError


class AnswerFlagRule(FlagRule):
    """Set a flag when a condition on the answers (or other flags) holds."""

    def __init__(
        self, path: str, code: str, predicate: Predicate, level: str | None, reason: str
    ) -> None:
        self.path, self.code, self.predicate, self.level, self.reason = (
            path,
            code,
            predicate,
            level,
            reason,
        )
        self.index = 0

    def count(self, ctx: Context, history: Sequence[HistoryEntry]) -> int:
        return 1 if self.predicate(ctx) else 0

    def explain(self, count: int) -> str:
        return self.reason


@dataclass(eq=False)
class HistoryRule(FlagRule):
    """Count reports about the same person, place or problem within a window."""

    path: str
    code: str
    level: str | None
    reason: str
    about: frozenset[str]
    within_days: int
    at_least: int
    by_incident: bool = False
    include_current: bool = True
    distinct_reporters: bool = False
    reported_within_days: int | None = None
    hate_only: bool = False
    index: int = 0
    # Worked out once from the fields above.
    window: timedelta = field(init=False, repr=False)
    fill: Fill = field(init=False, repr=False)
    plain: bool = field(init=False, repr=False)
    link: str | None = field(init=False, repr=False)
    said: dict[int, str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.window = timedelta(days=self.within_days)
        # The reason for each count, once written: counts are small and come up again.
        self.said = {}
        self.fill = compile_reason(
            self.reason, {"at_least": self.at_least, "days": self.within_days}
        )
        # A rule that counts every linked report in its window (most rules) is counted by
        # one comprehension; hate_only, reported_within_days and distinct_reporters need
        # the loop that looks at each report in turn.
        self.plain = not (
            self.hate_only or self.distinct_reporters or self.reported_within_days is not None
        )
        self.link = next(iter(self.about)) if len(self.about) == 1 else None

    def count(self, ctx: Context, history: Sequence[HistoryEntry]) -> int:
        today = ctx.today
        earliest = today - self.window
        if not self.plain:
            return self._each(ctx, history, earliest)
        # Only hate_only and reported_within_days can rule the report being assessed out.
        counted = 1 if self.include_current else 0
        if not history:
            return counted
        # Reports dated after "now" are ignored, so an --as-of run is reproducible.
        # A history entry is (reported_on, same, incident_date, ...): indexing the tuple
        # is faster than unpacking it or reading its attributes.
        link, about = self.link, self.about
        if self.by_incident:
            if link is not None:
                return counted + len(
                    [
                        1
                        for entry in history
                        if link in entry[1]
                        and earliest <= (entry[0] if entry[2] is None else entry[2]) <= today
                    ]
                )
            return counted + len(
                [
                    1
                    for entry in history
                    if not about.isdisjoint(entry[1])
                    and earliest <= (entry[0] if entry[2] is None else entry[2]) <= today
                ]
            )
        if link is not None:
            return counted + len(
                [1 for entry in history if link in entry[1] and earliest <= entry[0] <= today]
            )
        return counted + len(
            [
                1
                for entry in history
                if not about.isdisjoint(entry[1]) and earliest <= entry[0] <= today
            ]
        )

    def _each(self, ctx: Context, history: Sequence[HistoryEntry], earliest: date) -> int:
        today, about, by_incident = ctx.today, self.about, self.by_incident
        late = self.reported_within_days
        reporters: set[object] = set()
        count = 0
        if self.include_current and self._current_counts(ctx):
            count = 1
            reporters.add(ctx.reporter if ctx.reporter is not None else object())
        hate_only, distinct = self.hate_only, self.distinct_reporters
        # Unpacking the named tuples is much faster than reading their attributes.
        for reported, same, incident, reporter, hate, _ in history:
            if about.isdisjoint(same):
                continue
            when = incident if by_incident and incident is not None else reported
            # Reports dated after "now" are ignored, so an --as-of run is reproducible.
            if when > today or when < earliest:
                continue
            if hate_only and not hate:
                continue
            if late is not None and incident is not None and (reported - incident).days > late:
                continue
            if distinct:
                # A report with no reporter key cannot be shown to be a repeat: count it.
                key = reporter if reporter is not None else object()
                if key in reporters:
                    continue
                reporters.add(key)
            count += 1
        return count

    def _current_counts(self, ctx: Context) -> bool:
        if self.hate_only and "hate_incident" not in ctx.flags:
            return False
        late = self.reported_within_days
        incident = ctx.incident_date
        if late is not None and incident is not None and (ctx.today - incident).days > late:
            return False
        return True

    def explain(self, count: int) -> str:
        text = self.said.get(count)
        if text is None:
            text = self.fill({"count": count})
            if len(self.said) < 1000:
                self.said[count] = text
        return text
