"""The one WTForms field class every definition field becomes, driven by its type's handler."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from markupsafe import Markup
from wtforms import Field as WTField
from wtforms.utils import unset_value

from forms_app.definitions import FieldError

if TYPE_CHECKING:
    from .handlers import FieldHandler


class DefinitionField(WTField):
    """A question from a form definition.

    ``raw`` holds what the inputs show: what the user just posted, or the stored answer turned
    back into input values. Validation belongs to the definitions package (validate_page), which
    returns FieldErrors; ``set_errors`` hands them to the field for its inline message and for
    the parts (day, postcode…) to highlight.
    """

    def __init__(
        self,
        label: str | None = None,
        validators: Any = None,
        *,
        handler: FieldHandler,
        **kwargs: Any,
    ) -> None:
        super().__init__(label, validators, widget=handler.widget, **kwargs)
        self.handler = handler
        self.definition = handler.field
        self.raw: Any = None
        self.field_errors: list[FieldError] = []
        self.follow_ups: dict[str, list[DefinitionField]] = {}
        self.style = "m"
        self.is_heading = False
        # Where a file question's "Remove" links point (set by the page).
        self.remove_url: str | None = None

    def process(self, formdata: Any, data: Any = unset_value, extra_filters: Any = None) -> None:
        self.process_errors = []
        self.object_data = None if data is unset_value else data
        if formdata is not None:
            self.raw = self.handler.from_formdata(formdata, self.name)
        else:
            self.raw = self.handler.from_answer(self.object_data)
        self.raw_data = [self.raw] if isinstance(self.raw, str) else []
        self.data = self.raw

    def _value(self) -> str:
        return self.raw if isinstance(self.raw, str) else ""

    def set_errors(self, errors: list[FieldError]) -> None:
        self.field_errors = errors
        self.errors = [error.message for error in errors]

    def part_errors(self, part: str) -> list[FieldError]:
        return [error for error in self.field_errors if error.part == part]

    def iter_choices(self) -> Any:
        """Select options, for govuk-frontend-wtf's select widget."""
        return iter(self.handler.choices(self.raw))  # type: ignore[attr-defined]

    def __call__(self, **kwargs: Any) -> Markup:
        return self.handler.widget(self, **kwargs)  # type: ignore[no-any-return]
