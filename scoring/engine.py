"""Assess answers and history with an instrument: the one call the worker makes."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from scoring.conditions import Context, answered, as_date
from scoring.definition import Instrument, Judging
from scoring.errors import AnswerError, Problem
from scoring.history import HistoryEntry, read_history, today_of
from scoring.levels import LEVELS, RANK
from scoring.rules import Term

# Flags are listed in this order whatever order the rules fired in.
FLAG_ORDER = (
    "repeat_victim",
    "vulnerable_victim",
    "hate_incident",
    "case_review_threshold",
    "potential_escalation",
)


@dataclass(frozen=True)
class Judgement:
    """A practitioner's professional judgement: it can raise a level, never lower it."""

    level: str
    reason: str

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise ValueError(f"a judgement's level must be one of: {', '.join(LEVELS)}")
        if not isinstance(self.reason, str) or not self.reason.strip():
            raise ValueError("a professional judgement needs a written reason")


@dataclass(frozen=True)
class Assessment:
    """The result of one assessment, explained."""

    score: int
    level: str
    reasons: list[str]
    flags: list[str]
    instrument: str
    version: str
    # Every measure's value, the score's parts included; not part of the JSON form.
    measures: dict[str, int] = field(default_factory=dict, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """Return the assessment as plain data, as stored and as printed."""
        return {
            "score": self.score,
            "level": self.level,
            "reasons": list(self.reasons),
            "flags": list(self.flags),
            "instrument": self.instrument,
            "version": self.version,
        }

    def to_json(self, *, indent: int | None = None) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Assessment:
        """Rebuild a stored assessment."""
        return cls(
            score=int(data["score"]),
            level=str(data["level"]),
            reasons=[str(reason) for reason in data["reasons"]],
            flags=[str(flag) for flag in data["flags"]],
            instrument=str(data["instrument"]),
            version=str(data["version"]),
        )


def assess(
    instrument: Instrument,
    answers: Mapping[str, Any],
    history: Sequence[HistoryEntry | Mapping[str, Any]] = (),
    *,
    judgement: Judgement | None = None,
    now: datetime | date | None = None,
    reporter: str | None = None,
) -> Assessment:
    """Score answers and history against an instrument and explain the result.

    Raise AnswerError when an answer names a field or option the form does
    not have (or has the wrong type), and HistoryError when a history entry
    is malformed. An absent or null answer means "not answered", never "no".
    `now` fixes "today" for history windows and date conditions (default:
    the current time); `reporter` is an opaque key for who made this report,
    so a history rule counting different people does not count them twice.
    """
    if type(answers) is not dict and not isinstance(answers, Mapping):
        raise AnswerError([Problem("answers", "must be an object of field names and answers")])
    instrument.check_answers(answers)
    entries = read_history(history) if history else ()
    judging = instrument.judging
    answer_judgement = (
        _answer_judgement(judging, answers)
        if judging is not None and answers.get(judging.level_field) is not None
        else None
    )
    incident = (
        as_date(answers.get(instrument.incident_date_field))
        if instrument.incident_date_field
        else None
    )
    today = now if type(now) is date else today_of(now)
    ctx = Context(answers, today, incident, reporter)
    measures, flags = ctx.measures, ctx.flags

    fired_terms: list[tuple[Term, int]] = []
    # (rule index, reason, level) of each rule that fired.
    fired_rules: list[tuple[int, str, str | None]] = []
    for name, terms, explained, rules in instrument.steps:
        if terms is not None:
            total = 0
            for term in terms:
                points = term.run(ctx)
                if points:
                    total += points
                    if explained:
                        fired_terms.append((term, points))
            measures[name] = total
            continue
        for rule in rules:
            count = rule.count(ctx, entries)
            if count and count >= rule.at_least:
                flags.add(name)
                fired_rules.append((rule.index, rule.explain(count), rule.level))

    score = measures[instrument.score]
    if len(fired_terms) > 1:
        fired_terms.sort(key=_term_order)
    reasons = [
        reason for term, points in fired_terms if (reason := term.explain(ctx, points)) is not None
    ]
    level = LEVELS[0]
    for low, high, band in instrument.band_limits:
        if (low is None or score >= low) and (high is None or score <= high):
            level = band.level
            reasons.append(band.explain(score))
            break
    for override in instrument.overrides:
        if override.predicate(ctx):
            if RANK[override.level] > RANK[level]:
                level = override.level
            reasons.append(override.explained)
    if len(fired_rules) > 1:
        fired_rules.sort()
    for _, reason, minimum in fired_rules:
        if minimum is not None:
            if RANK[minimum] > RANK[level]:
                level = minimum
            reason = f"{reason} (at least {minimum} risk)"
        reasons.append(reason)
    for given in (answer_judgement, judgement):
        if given is not None:
            level, reason = _judge(level, given)
            reasons.append(reason)

    return Assessment(
        score,
        level,
        reasons,
        [flag for flag in FLAG_ORDER if flag in flags] if flags else [],
        instrument.name,
        instrument.version,
        # The context is this call's own, so its measures need no copy.
        measures,
    )


def _term_order(pair: tuple[Term, int]) -> int:
    return pair[0].order


def _judge(level: str, judgement: Judgement) -> tuple[str, str]:
    reason = judgement.reason.strip()
    if RANK[judgement.level] > RANK[level]:
        return judgement.level, f"Raised to {judgement.level} by professional judgement: {reason}"
    return level, (
        f"Professional judgement of {judgement.level} recorded: {reason}. The level stays "
        f"{level}: judgement can raise a level but never lower it"
    )


def _answer_judgement(judging: Judging, answers: Mapping[str, Any]) -> Judgement | None:
    if not answered(answers.get(judging.level_field)):
        return None
    reason = answers.get(judging.reason_field)
    if not answered(reason) or not str(reason).strip():
        raise AnswerError(
            [
                Problem(
                    f"answers.{judging.reason_field}",
                    "a professional judgement needs a written reason",
                )
            ]
        )
    return Judgement(str(answers[judging.level_field]), str(reason))
