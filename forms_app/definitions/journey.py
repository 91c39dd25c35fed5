"""A user's way through a form: which pages they must see, and whether they are done.

Conditions only look back (the checker refuses a condition on a later page),
so walking the pages in order, keeping only answers from pages actually on the
route, gives one consistent answer even when an earlier answer was changed and
left stale answers behind.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from . import messages as m
from .answers import FieldError, validate_answer
from .conditions import evaluate, uk_today
from .model import Field, FormDefinition, Page


@dataclass(frozen=True)
class PageResult:
    """A page's normalised answers (absent when not answered) or its errors."""

    values: dict[str, Any]
    errors: tuple[FieldError, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class AnswerProblem:
    """A problem found when checking a whole submission; ``item`` indexes repeats."""

    page_id: str
    error: FieldError
    item: int | None = None


@dataclass(frozen=True)
class SubmissionCheck:
    """The cleaned answers of a submission and everything still wrong with them."""

    answers: dict[str, Any]
    problems: tuple[AnswerProblem, ...] = ()
    exit_page: Page | None = None
    pages: tuple[Page, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return not self.problems and self.exit_page is None

    @property
    def first_page_id(self) -> str | None:
        """Return the page the user should be sent back to, if any."""
        if self.exit_page is not None:
            return self.exit_page.id
        return self.problems[0].page_id if self.problems else None


def route(
    form: FormDefinition, answers: Mapping[str, Any], today: dt.date | None = None
) -> list[Page]:
    """Return, in order, the pages this user must see; it ends at an exit page if one applies."""
    return [page for page, _answers in _walk(form, answers, today or uk_today())]


def clean_answers(
    form: FormDefinition, answers: Mapping[str, Any], today: dt.date | None = None
) -> dict[str, Any]:
    """Keep only the answers of questions on the route: hidden pages and unrevealed follow-ups go."""
    kept: dict[str, Any] = {}
    for _page, so_far in _walk(form, answers, today or uk_today()):
        kept = so_far
    return dict(kept)


def is_page_visible(
    form: FormDefinition, page_id: str, answers: Mapping[str, Any], today: dt.date | None = None
) -> bool:
    return any(page.id == page_id for page in route(form, answers, today))


def next_page(
    form: FormDefinition,
    current_id: str | None,
    answers: Mapping[str, Any],
    today: dt.date | None = None,
) -> Page | None:
    """Return the page after ``current_id`` on the route (the first when None); None at the end."""
    pages = route(form, answers, today)
    if current_id is None:
        return pages[0] if pages else None
    ids = [page.id for page in pages]
    if current_id not in ids:
        return None
    index = ids.index(current_id)
    return pages[index + 1] if index + 1 < len(pages) else None


def previous_page(
    form: FormDefinition, current_id: str, answers: Mapping[str, Any], today: dt.date | None = None
) -> Page | None:
    """Return the page before ``current_id`` on the route, for the back link."""
    pages = route(form, answers, today)
    ids = [page.id for page in pages]
    if current_id not in ids:
        return None
    index = ids.index(current_id)
    return pages[index - 1] if index > 0 else None


def first_unfinished_page(
    form: FormDefinition, answers: Mapping[str, Any], lang: str = "en", today: dt.date | None = None
) -> Page | None:
    """Return the first page on the route whose answers are missing or invalid (an exit page counts)."""
    check = check_submission(form, answers, lang, today)
    if check.first_page_id is None:
        return None
    return form.page(check.first_page_id)


def can_show_page(
    form: FormDefinition,
    page_id: str,
    answers: Mapping[str, Any],
    lang: str = "en",
    today: dt.date | None = None,
) -> bool:
    """Return whether a user may open a page: it is on their route and no earlier page is unfinished.

    This is what stops page skipping by typing a URL.
    """
    today = today or uk_today()
    pages = route(form, answers, today)
    ids = [page.id for page in pages]
    if page_id not in ids:
        return False
    check = check_submission(form, answers, lang, today)
    blocked = check.first_page_id
    return blocked is None or ids.index(blocked) >= ids.index(page_id)


def validate_page(
    form: FormDefinition,
    page: Page,
    raw: Mapping[str, Any],
    answers: Mapping[str, Any],
    lang: str = "en",
    today: dt.date | None = None,
) -> PageResult:
    """Validate what a user posted for one page (one item of a repeating page).

    ``answers`` are the answers so far, for field conditions; follow-ups count
    only when their option is chosen, so an unrevealed follow-up is dropped.
    """
    today = today or uk_today()
    return _validate_fields(page, raw, clean_answers(form, answers, today), lang, today)


def _validate_fields(
    page: Page, raw: Mapping[str, Any], earlier: Mapping[str, Any], lang: str, today: dt.date
) -> PageResult:
    values: dict[str, Any] = {}
    errors: list[FieldError] = []
    if not isinstance(raw, Mapping):
        raw = {}
    for item in page.fields:
        if not item.is_question or not evaluate(item.condition, earlier, today):
            continue
        result = validate_answer(item, raw.get(item.name or ""), lang, today)
        errors.extend(result.errors)
        if result.value is not None:
            values[item.name or ""] = result.value
        for option_value, follow_up in item.revealed_fields():
            if not _chosen(result.value, option_value):
                continue
            follow = validate_answer(follow_up, raw.get(follow_up.name or ""), lang, today)
            errors.extend(follow.errors)
            if follow.value is not None:
                values[follow_up.name or ""] = follow.value
    return PageResult(values, tuple(errors))


def check_submission(
    form: FormDefinition, answers: Mapping[str, Any], lang: str = "en", today: dt.date | None = None
) -> SubmissionCheck:
    """Validate every page on the route again, as at submission; never trust earlier checks."""
    today = today or uk_today()
    problems: list[AnswerProblem] = []
    cleaned: dict[str, Any] = {}
    pages: list[Page] = []
    exit_page = None
    for page in form.pages:
        if not evaluate(page.condition, cleaned, today):
            continue
        pages.append(page)
        if page.exit:
            exit_page = page
            break
        if page.repeat is None:
            result = _validate_fields(page, answers, cleaned, lang, today)
            problems.extend(AnswerProblem(page.id, error) for error in result.errors)
            cleaned.update(result.values)
            continue
        items = answers.get(page.id)
        items = list(items) if isinstance(items, list | tuple) else []
        kept = []
        for index, item in enumerate(items[: page.repeat.max]):
            result = _validate_fields(
                page, item if isinstance(item, Mapping) else {}, cleaned, lang, today
            )
            problems.extend(AnswerProblem(page.id, error, index) for error in result.errors)
            if result.values:
                kept.append(result.values)
        problems.extend(_repeat_count_problems(page, items, kept, lang))
        if kept:
            cleaned[page.id] = kept
    return SubmissionCheck(cleaned, tuple(problems), exit_page, tuple(pages))


def _repeat_count_problems(
    page: Page, items: list[Any], kept: list[Any], lang: str
) -> Iterator[AnswerProblem]:
    repeat = page.repeat
    assert repeat is not None
    if len(kept) < repeat.min:
        if repeat.min_message is not None:
            message = repeat.min_message.get(lang)
        elif repeat.min == 1:
            # "Add at least 1 person"; with more, English would need a plural we do not have.
            item = (
                repeat.item_label.get(lang)
                if repeat.item_label
                else m.DEFAULT_ITEM.get(lang, "item")
            )
            message = m.render("repeat_min", lang, min=1, item=item)
        else:
            message = m.render("repeat_min_many", lang, min=repeat.min)
        yield AnswerProblem(page.id, FieldError(page.id, message, "repeat_min"))
    if len(items) > repeat.max:
        message = m.render("repeat_max", lang, max=repeat.max)
        yield AnswerProblem(page.id, FieldError(page.id, message, "repeat_max"))


def _walk(
    form: FormDefinition, answers: Mapping[str, Any], today: dt.date
) -> Iterator[tuple[Page, dict[str, Any]]]:
    """Yield each page on the route with the answers that count up to and including it.

    The answers are one dict, added to page by page: read it before taking the next page.
    """
    effective: dict[str, Any] = {}
    for page in form.pages:
        if not evaluate(page.condition, effective, today):
            continue
        if page.exit:
            yield page, effective
            return
        effective.update(_page_answers(page, answers, effective, today))
        yield page, effective


def _page_answers(
    page: Page, answers: Mapping[str, Any], earlier: Mapping[str, Any], today: dt.date
) -> dict[str, Any]:
    if page.repeat is not None:
        items = answers.get(page.id)
        if not isinstance(items, list | tuple):
            return {}
        kept = [
            _item_answers(page, item, earlier, today) for item in items if isinstance(item, Mapping)
        ]
        kept = [item for item in kept if item]
        return {page.id: kept} if kept else {}
    return _item_answers(page, answers, earlier, today)


def _item_answers(
    page: Page, answers: Mapping[str, Any], earlier: Mapping[str, Any], today: dt.date
) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    for item in page.fields:
        if not item.is_question or not evaluate(item.condition, earlier, today):
            continue
        value = answers.get(item.name or "")
        if value is None:
            continue
        kept[item.name or ""] = value
        for option_value, follow_up in item.revealed_fields():
            if _chosen(value, option_value) and answers.get(follow_up.name or "") is not None:
                kept[follow_up.name or ""] = answers[follow_up.name or ""]
    return kept


def _chosen(value: Any, option_value: str) -> bool:
    if isinstance(value, list | tuple):
        return option_value in value
    return isinstance(value, str) and value == option_value


def questions(page: Page) -> list[Field]:
    """Return the questions of a page, follow-ups included, in display order."""
    return [item for item in page.all_fields() if item.is_question]
