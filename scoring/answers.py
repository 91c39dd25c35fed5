"""Check answers against the form: unknown fields or options are reported.

Messages name the field and what was expected, never the answer given, so
they are safe to log.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from scoring.conditions import as_date, is_number
from scoring.errors import AnswerError, Problem
from scoring.form import COMPOUND, MULTIPLE_CHOICE, TEXT, FieldInfo, FormFields

# Returns a message when the value does not fit the field.
Check = Callable[[Any], str | None]


def _choice(info: FieldInfo) -> Check:
    options = frozenset(info.options or ())
    listed = ", ".join(info.options or ()) or "none"

    def check(value: Any) -> str | None:
        if not isinstance(value, str):
            return f"must be one option value, as text ({listed})"
        if value in options:
            return None
        return f"the answer is not one of the field's options ({listed})"

    return check


def _checkboxes(info: FieldInfo) -> Check:
    options = frozenset(info.options or ())
    listed = ", ".join(info.options or ()) or "none"

    def check(value: Any) -> str | None:
        if not isinstance(value, list):
            return "must be a list of option values"
        if all(isinstance(item, str) and item in options for item in value):
            return None
        return f"holds a value that is not one of the field's options ({listed})"

    return check


def _text(value: Any) -> str | None:
    return None if isinstance(value, str) else "must be text"


def _number(value: Any) -> str | None:
    if type(value) is int or type(value) is float:
        return None
    return None if is_number(value) else "must be a number"


def _date(value: Any) -> str | None:
    return None if as_date(value) is not None else "must be a date, YYYY-MM-DD"


def _compound(value: Any) -> str | None:
    # A dict, as JSON gives, is answered without the slower check against the Mapping ABC.
    return (
        None
        if type(value) is dict or isinstance(value, Mapping)
        else "must be an object of its parts"
    )


def _content(value: Any) -> str | None:
    return "is a content block and takes no answer"


def _anything(value: Any) -> str | None:
    return None


def field_check(info: FieldInfo) -> Check:
    """Return the check for one field's answer."""
    if info.type in MULTIPLE_CHOICE:
        return _checkboxes(info)
    if info.options is not None:
        return _choice(info)
    if info.type == "number":
        return _number
    if info.type == "date":
        return _date
    if info.type in TEXT:
        return _text
    if info.type in COMPOUND:
        return _compound
    if info.type == "content":
        return _content
    # Types the form engine may add later (file, ...) are not scoring's to judge.
    return _anything


class AnswerChecker:
    """Check a flat answers object against the fields of a form."""

    def __init__(self, form: FormFields) -> None:
        single = {
            name: frozenset(info.options)
            for name, info in form.fields.items()
            if info.repeat_page is None
            and info.options is not None
            and info.type not in MULTIPLE_CHOICE
        }
        # Single-choice fields are checked by set membership in the loop, without a call:
        # it is most of the answers of an instrument such as DASH.
        self.options: dict[str, frozenset[str]] = single
        self.checks: dict[str, Check] = {
            name: field_check(info)
            for name, info in form.fields.items()
            if info.repeat_page is None
        }
        self.repeats: dict[str, dict[str, Check]] = {
            page: {name: field_check(info) for name, info in fields.items()}
            for page, fields in form.repeat_pages.items()
        }

    def __call__(self, answers: Mapping[str, Any]) -> None:
        """Raise AnswerError listing every answer that does not fit the form."""
        problems: list[Problem] = []
        options, checks = self.options, self.checks
        for name, value in answers.items():
            allowed = options.get(name)
            if allowed is not None and type(value) is str and value in allowed:
                continue
            if value is None:
                continue
            check = checks.get(name)
            if check is not None:
                message = check(value)
                if message is not None:
                    problems.append(Problem(f"answers.{name}", message))
            elif name in self.repeats:
                self._repeat(name, value, problems)
            else:
                problems.append(Problem(f"answers.{name}", "there is no such field in the form"))
        if problems:
            raise AnswerError(problems)

    def _repeat(self, page: str, value: Any, problems: list[Problem]) -> None:
        path = f"answers.{page}"
        if not isinstance(value, list):
            problems.append(Problem(path, "answers to a repeating page must be a list of objects"))
            return
        checks = self.repeats[page]
        for index, item in enumerate(value):
            if not isinstance(item, Mapping):
                problems.append(Problem(f"{path}[{index}]", "must be an object"))
                continue
            for name, answer in item.items():
                check = checks.get(name)
                where = f"{path}[{index}].{name}"
                if check is None:
                    problems.append(Problem(where, "there is no such field on this page"))
                elif answer is not None and (message := check(answer)) is not None:
                    problems.append(Problem(where, message))
