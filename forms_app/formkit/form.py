"""Compile a definition page into a WTForms form of DefinitionFields.

The page's handlers and unbound fields are built once per (definition, page, language) and
cached: a request only binds and fills them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from wtforms.form import BaseForm

from forms_app.definitions import Field, FieldError, Page

from .fields import DefinitionField
from .handlers import FieldHandler, handler_for


@dataclass(frozen=True)
class _Slot:
    name: str
    handler: FieldHandler
    parent: str | None = None
    option: str | None = None


@dataclass(frozen=True)
class ErrorLink:
    text: str
    href: str


# Where a link about the whole page points when the page has no question to show it at.
MAIN_CONTENT = "#main-content"


class PageForm(BaseForm):
    """A page's fields, in order; follow-ups are rendered inside their parent's option."""

    def __init__(self, slots: list[_Slot], shown: Callable[[Field], bool]) -> None:
        super().__init__([(slot.name, DefinitionField(handler=slot.handler)) for slot in slots])
        self.slots = slots
        self.top: list[DefinitionField] = []
        for slot in slots:
            bound: DefinitionField = self[slot.name]
            if slot.parent is not None:
                parent: DefinitionField = self[slot.parent]
                parent.follow_ups.setdefault(slot.option or "", []).append(bound)
                bound.style = ""
            elif shown(slot.handler.field):
                self.top.append(bound)
        self.heading_field = self._heading_field()
        if self.heading_field is not None:
            self.heading_field.is_heading = True

    def _heading_field(self) -> DefinitionField | None:
        questions = [f for f in self.top if f.definition.type not in ("content", "hidden")]
        if len(questions) != 1:
            return None
        # The question can be the page's heading only if nothing is shown above it.
        for bound in self.top:
            if bound is questions[0]:
                return bound
            if bound.definition.type == "content":
                return None
        return None

    @property
    def has_files(self) -> bool:
        return any(bound.definition.type == "file" for bound in self.top)

    def raw_answers(self) -> dict[str, Any]:
        """Return what was posted, keyed by field name, as validate_page takes it."""
        return {
            slot.name: self[slot.name].raw
            for slot in self.slots
            if slot.handler.field.is_question and self[slot.name].raw is not None
        }

    def apply_errors(self, errors: tuple[FieldError, ...] | list[FieldError]) -> list[ErrorLink]:
        """Show errors beside their fields; return the error summary's links in page order."""
        by_field: dict[str, list[FieldError]] = {}
        for error in errors:
            by_field.setdefault(error.field, []).append(error)
        links = []
        for slot in self.slots:
            found = by_field.pop(slot.name, [])
            if not found:
                continue
            bound: DefinitionField = self[slot.name]
            bound.set_errors(found)
            for error in found:
                links.append(ErrorLink(error.message, "#" + slot.handler.anchor(slot.name, error)))
        for leftovers in by_field.values():
            links.extend(self.page_error(error.message, error.code) for error in leftovers)
        return links

    def first_question(self) -> DefinitionField | None:
        """The first question a person can see and answer on the page."""
        for bound in self.top:
            if bound.definition.type not in ("content", "hidden"):
                return bound
        return None

    def page_error(self, message: str, code: str = "page") -> ErrorLink:
        """Show an error about the whole page at its first question, and link the summary there.

        GOV.UK's error summary links every message to a field, where the same message is shown.
        """
        bound = self.first_question()
        if bound is None:
            return ErrorLink(message, MAIN_CONTENT)
        error = FieldError(bound.name, message, code)
        if error not in bound.field_errors:
            bound.set_errors([*bound.field_errors, error])
        return ErrorLink(message, "#" + bound.handler.anchor(bound.name, error))


_cache: dict[tuple[str, str, str], list[_Slot]] = {}
_lock = threading.Lock()


def _slots(page: Page, lang: str) -> list[_Slot]:
    slots = []
    for index, item in enumerate(page.fields):
        name = item.name if item.name else f"_content_{index}"
        slots.append(_Slot(name, handler_for(item, lang)))
        for option, follow_up in item.revealed_fields():
            slots.append(_Slot(follow_up.name or "", handler_for(follow_up, lang), name, option))
    return slots


def page_form(
    page: Page,
    lang: str,
    *,
    formdata: Any = None,
    answers: Mapping[str, Any] | None = None,
    shown: Callable[[Field], bool] = lambda _field: True,
    form_key: str = "",
) -> PageForm:
    """Bind a page's fields to posted data (formdata) or to stored answers.

    ``form_key`` (the definition's content hash) lets the compiled page be reused.
    """
    key = (form_key, page.id, lang)
    slots = _cache.get(key) if form_key else None
    if slots is None:
        slots = _slots(page, lang)
        if form_key:
            with _lock:
                _cache[key] = slots
    form = PageForm(slots, shown)
    form.process(formdata, data=dict(answers or {}))
    return form
