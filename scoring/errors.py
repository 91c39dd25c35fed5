"""Errors and problems reported by the scoring package.

Messages name fields, options and rules from the definition, never the
answers themselves: answers can hold personal data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong, with a dotted path into the YAML or the answers."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class _ProblemsError(ValueError):
    """Base for errors that carry a list of problems."""

    summary = "problems"

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        count = len(self.problems)
        lines = "\n".join(f"  {problem}" for problem in self.problems)
        noun = "problem" if count == 1 else "problems"
        super().__init__(f"{self.summary}: {count} {noun}\n{lines}")


class ScoringDefinitionError(_ProblemsError):
    """The scoring block of a form definition is invalid."""

    summary = "The scoring block is not valid"


class AnswerError(_ProblemsError):
    """The answers do not fit the form: unknown fields or options, wrong types."""

    summary = "The answers do not fit the form"


class HistoryError(_ProblemsError):
    """The history entries are not in the documented shape."""

    summary = "The history is not valid"
