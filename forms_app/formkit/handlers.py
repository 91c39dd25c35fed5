"""One small handler class per field type: how a definition Field becomes GOV.UK markup.

A handler knows three things about its type: how to read the posted inputs into the raw value
that ``validate_answer`` takes, how to turn a stored answer back into input values, and which
GOV.UK Frontend macro parameters show it. Validation itself belongs to the definitions package.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, ClassVar

import phonenumbers
from markupsafe import Markup

from forms_app.definitions import Field, FieldError, Text

from .fields import DefinitionField
from .widgets import (
    CharacterCountWidget,
    FileWidget,
    MacroWidget,
    SelectWidget,
    TextAreaWidget,
    TextInputWidget,
    render_widget_template,
)

HANDLERS: dict[str, type[FieldHandler]] = {}

WORDS: dict[str, dict[str, str]] = {
    "error": {"en": "Error", "cy": "Gwall"},
    "day": {"en": "Day", "cy": "Diwrnod"},
    "month": {"en": "Month", "cy": "Mis"},
    "year": {"en": "Year", "cy": "Blwyddyn"},
    "or": {"en": "or", "cy": "neu"},
    "choose": {"en": "Select an option", "cy": "Dewiswch opsiwn"},
    "date_hint": {"en": "For example, 27 3 2024", "cy": "Er enghraifft, 27 3 2024"},
    "time_hint": {"en": "For example, 9:30pm or 21:30", "cy": "Er enghraifft, 9:30pm neu 21:30"},
    "line1": {"en": "Address line 1", "cy": "Llinell 1 y cyfeiriad"},
    "line2": {"en": "Address line 2 (optional)", "cy": "Llinell 2 y cyfeiriad (dewisol)"},
    "town": {"en": "Town or city", "cy": "Tref neu ddinas"},
    "county": {"en": "County (optional)", "cy": "Sir (dewisol)"},
    "postcode": {"en": "Postcode", "cy": "Cod post"},
    "postcode_optional": {"en": "Postcode (optional)", "cy": "Cod post (dewisol)"},
    "place": {"en": "Describe the place", "cy": "Disgrifiwch y lle"},
    "place_hint": {
        "en": "For example, the street, a building, or a landmark nearby",
        "cy": "Er enghraifft, y stryd, adeilad, neu dirnod gerllaw",
    },
    "first_name": {"en": "First name", "cy": "Enw cyntaf"},
    "last_name": {"en": "Last name", "cy": "Cyfenw"},
    "known_as": {"en": "Nickname or other name", "cy": "Llysenw neu enw arall"},
    "date_of_birth": {"en": "Date of birth", "cy": "Dyddiad geni"},
    "approximate_age": {"en": "Approximate age", "cy": "Oedran bras"},
    "description": {"en": "Description", "cy": "Disgrifiad"},
    "phone": {"en": "Telephone number", "cy": "Rhif ffôn"},
    "email": {"en": "Email address", "cy": "Cyfeiriad e-bost"},
    "address": {"en": "Address", "cy": "Cyfeiriad"},
    "optional": {"en": " (optional)", "cy": " (dewisol)"},
    "years": {"en": "years", "cy": "oed"},
}


def word(key: str, lang: str) -> str:
    return WORDS[key].get(lang) or WORDS[key]["en"]


def register(*types: str) -> Callable[[type[FieldHandler]], type[FieldHandler]]:
    def add(cls: type[FieldHandler]) -> type[FieldHandler]:
        for name in types:
            HANDLERS[name] = cls
        return cls

    return add


def handler_for(field: Field, lang: str) -> FieldHandler:
    return HANDLERS[field.type](field, lang)


class FieldHandler:
    """The behaviour shared by every field type; subclasses change what differs."""

    widget: ClassVar[Any] = TextInputWidget()
    uses_fieldset: ClassVar[bool] = False

    def __init__(self, field: Field, lang: str) -> None:
        self.field = field
        self.lang = lang

    def text(self, value: Text | None) -> str | None:
        return value.get(self.lang) if value is not None else None

    def label_text(self) -> str:
        return self.text(self.field.label) or ""

    # Reading inputs and answers ------------------------------------------------

    def from_formdata(self, formdata: Any, name: str) -> Any:
        value = formdata.get(name)
        return value if isinstance(value, str) else None

    def from_answer(self, answer: Any) -> Any:
        if answer is None:
            return None
        return str(answer)

    # Errors ------------------------------------------------------------------

    def anchor(self, name: str, error: FieldError) -> str:
        """Return the id of the input an error summary link should move focus to."""
        return name

    def error_message(self, bound: DefinitionField) -> dict[str, Any] | None:
        if not bound.field_errors:
            return None
        return {
            "text": bound.field_errors[0].message,
            "visuallyHiddenText": word("error", self.lang),
        }

    # GOV.UK parameters -------------------------------------------------------

    def hint(self) -> dict[str, Any] | None:
        hint = self.text(self.field.hint)
        return {"text": hint} if hint else None

    def label(self, bound: DefinitionField) -> dict[str, Any]:
        label: dict[str, Any] = {"text": self.label_text()}
        if bound.is_heading:
            label.update(isPageHeading=True, classes="govuk-label--l")
        elif bound.style:
            label["classes"] = f"govuk-label--{bound.style}"
        return label

    def legend(self, bound: DefinitionField) -> dict[str, Any]:
        legend: dict[str, Any] = {"text": self.label_text()}
        if bound.is_heading:
            legend.update(isPageHeading=True, classes="govuk-fieldset__legend--l")
        elif bound.style:
            legend["classes"] = f"govuk-fieldset__legend--{bound.style}"
        return legend

    def params(self, bound: DefinitionField) -> dict[str, Any]:
        params: dict[str, Any] = {"label": self.label(bound)}
        hint = self.hint()
        if hint:
            params["hint"] = hint
        error = self.error_message(bound)
        if error:
            params["errorMessage"] = error
        if self.field.autocomplete:
            params["autocomplete"] = self.field.autocomplete
        return params


@register("text")
class TextHandler(FieldHandler):
    def params(self, bound: DefinitionField) -> dict[str, Any]:
        params = super().params(bound)
        if (self.field.max_length or 500) <= 40:
            params["classes"] = "govuk-input--width-20"
        return params


@register("number")
class NumberHandler(FieldHandler):
    def params(self, bound: DefinitionField) -> dict[str, Any]:
        params = super().params(bound)
        params.update(
            classes="govuk-input--width-10",
            inputmode="numeric" if self.field.integer else "decimal",
            spellcheck=False,
        )
        if self.field.prefix:
            params["prefix"] = {"text": self.text(self.field.prefix)}
        if self.field.suffix:
            params["suffix"] = {"text": self.text(self.field.suffix)}
        return params


@register("email")
class EmailHandler(FieldHandler):
    def params(self, bound: DefinitionField) -> dict[str, Any]:
        params = super().params(bound)
        params.update(type="email", spellcheck=False)
        params.setdefault("autocomplete", "email")
        return params


@register("phone")
class PhoneHandler(FieldHandler):
    def from_answer(self, answer: Any) -> Any:
        # Stored as E.164; shown the way people write UK numbers.
        if not isinstance(answer, str):
            return None
        try:
            number = phonenumbers.parse(answer, "GB")
        except phonenumbers.NumberParseException:
            return answer
        style = (
            phonenumbers.PhoneNumberFormat.NATIONAL
            if number.country_code == 44
            else phonenumbers.PhoneNumberFormat.INTERNATIONAL
        )
        return phonenumbers.format_number(number, style)

    def params(self, bound: DefinitionField) -> dict[str, Any]:
        params = super().params(bound)
        params.update(type="tel", classes="govuk-input--width-20")
        params.setdefault("autocomplete", "tel")
        return params


@register("postcode")
class PostcodeHandler(FieldHandler):
    def params(self, bound: DefinitionField) -> dict[str, Any]:
        params = super().params(bound)
        params["classes"] = "govuk-input--width-10"
        params.setdefault("autocomplete", "postal-code")
        return params


@register("time")
class TimeHandler(FieldHandler):
    def hint(self) -> dict[str, Any] | None:
        return super().hint() or {"text": word("time_hint", self.lang)}

    def params(self, bound: DefinitionField) -> dict[str, Any]:
        params = super().params(bound)
        params["classes"] = "govuk-input--width-5"
        return params


CHARACTER_COUNT_TEXT = {
    "cy": {
        "textareaDescriptionText": "Gallwch roi hyd at %{count} nod",
        "charactersUnderLimitText": {
            "one": "Mae gennych %{count} nod ar ôl",
            "other": "Mae gennych %{count} nod ar ôl",
        },
        "charactersAtLimitText": "Mae gennych 0 nod ar ôl",
        "charactersOverLimitText": {
            "one": "Mae gennych %{count} nod yn ormod",
            "other": "Mae gennych %{count} nod yn ormod",
        },
        "wordsUnderLimitText": {
            "one": "Mae gennych %{count} gair ar ôl",
            "other": "Mae gennych %{count} gair ar ôl",
        },
        "wordsAtLimitText": "Mae gennych 0 gair ar ôl",
        "wordsOverLimitText": {
            "one": "Mae gennych %{count} gair yn ormod",
            "other": "Mae gennych %{count} gair yn ormod",
        },
    }
}
DEFAULT_TEXTAREA_LIMIT = 5_000


@register("textarea")
class TextareaHandler(FieldHandler):
    """A character count when the definition sets a limit; a plain text area otherwise."""

    def __init__(self, field: Field, lang: str) -> None:
        super().__init__(field, lang)
        self.counted = field.max_length is not None or field.max_words is not None
        self.widget = CharacterCountWidget() if self.counted else TextAreaWidget()

    def params(self, bound: DefinitionField) -> dict[str, Any]:
        params = super().params(bound)
        params["rows"] = self.field.rows or 5
        if self.counted:
            if self.field.max_words is not None:
                params["maxwords"] = self.field.max_words
            else:
                params["maxlength"] = self.field.max_length
            params.update(CHARACTER_COUNT_TEXT.get(self.lang, {}))
        return params


class ChoiceHandler(FieldHandler):
    """Radios and checkboxes: options with hints, and follow-up questions revealed by an option."""

    uses_fieldset = True

    def chosen(self, raw: Any, value: str) -> bool:
        return raw == value

    def items(self, bound: DefinitionField) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        for option in self.field.options:
            if option.exclusive:
                items.append({"divider": word("or", self.lang)})
            item: dict[str, Any] = {
                "value": option.value,
                "text": option.text.get(self.lang),
                "checked": self.chosen(bound.raw, option.value),
            }
            if option.hint is not None:
                item["hint"] = {"text": option.hint.get(self.lang)}
            if option.exclusive:
                item["behaviour"] = "exclusive"
            follow_ups = bound.follow_ups.get(option.value)
            if follow_ups:
                item["conditional"] = {"html": Markup("").join(f() for f in follow_ups)}
            items.append(item)
        return items

    def params(self, bound: DefinitionField) -> dict[str, Any]:
        params: dict[str, Any] = {
            "name": bound.name,
            "idPrefix": bound.name,
            "fieldset": {"legend": self.legend(bound)},
            "items": self.items(bound),
        }
        hint = self.hint()
        if hint:
            params["hint"] = hint
        error = self.error_message(bound)
        if error:
            params["errorMessage"] = error
        return params


@register("radios", "yesno")
class RadiosHandler(ChoiceHandler):
    widget = MacroWidget("public/widgets/radios.html")

    def params(self, bound: DefinitionField) -> dict[str, Any]:
        params = super().params(bound)
        short = len(self.field.options) == 2 and not any(
            "conditional" in item for item in params["items"]
        )
        if self.field.type == "yesno" and short:
            params["classes"] = "govuk-radios--inline"
        return params


@register("checkboxes")
class CheckboxesHandler(ChoiceHandler):
    widget = MacroWidget("public/widgets/checkboxes.html")

    def from_formdata(self, formdata: Any, name: str) -> Any:
        values = [value for value in formdata.getlist(name) if isinstance(value, str)]
        return values or None

    def from_answer(self, answer: Any) -> Any:
        return [str(item) for item in answer] if isinstance(answer, list) else None

    def chosen(self, raw: Any, value: str) -> bool:
        return isinstance(raw, list) and value in raw


@register("select")
class SelectHandler(FieldHandler):
    widget = SelectWidget()

    def choices(self, raw: Any) -> list[tuple[str, str, bool, dict[str, Any]]]:
        choices = [("", word("choose", self.lang), not raw, {})]
        for option in self.field.options:
            choices.append((option.value, option.text.get(self.lang), raw == option.value, {}))
        return choices


@register("date")
class DateHandler(FieldHandler):
    widget = MacroWidget("public/widgets/date.html")
    uses_fieldset = True
    PARTS = ("day", "month", "year")

    def from_formdata(self, formdata: Any, name: str) -> Any:
        return read_date(formdata, name)

    def from_answer(self, answer: Any) -> Any:
        return date_parts(answer)

    def anchor(self, name: str, error: FieldError) -> str:
        return f"{name}-{error.part if error.part in self.PARTS else 'day'}"

    def params(self, bound: DefinitionField) -> dict[str, Any]:
        return date_params(
            self,
            bound.name,
            bound.raw,
            bound.field_errors,
            legend=self.legend(bound),
            hint=self.hint() or {"text": word("date_hint", self.lang)},
            error=self.error_message(bound),
            autocomplete=self.field.autocomplete,
        )


def read_date(formdata: Any, name: str) -> dict[str, str] | None:
    parts = {part: formdata.get(f"{name}-{part}") for part in DateHandler.PARTS}
    if all(value is None for value in parts.values()):
        return None
    return {part: value if isinstance(value, str) else "" for part, value in parts.items()}


def date_parts(answer: Any) -> dict[str, str] | None:
    if isinstance(answer, dict):
        return {part: str(answer.get(part) or "") for part in DateHandler.PARTS}
    if not isinstance(answer, str):
        return None
    try:
        value = dt.date.fromisoformat(answer)
    except ValueError:
        return None
    return {"day": str(value.day), "month": str(value.month), "year": str(value.year)}


def date_params(
    handler: FieldHandler,
    name: str,
    raw: Any,
    errors: list[FieldError],
    *,
    legend: dict[str, Any],
    hint: dict[str, Any] | None,
    error: dict[str, Any] | None,
    autocomplete: str | None = None,
) -> dict[str, Any]:
    values = raw if isinstance(raw, dict) else {}
    wrong = {e.part for e in errors if e.part in DateHandler.PARTS}
    items = []
    for part, width in (("day", 2), ("month", 2), ("year", 4)):
        classes = f"govuk-input--width-{width}"
        if errors and (not wrong or part in wrong):
            classes += " govuk-input--error"
        item: dict[str, Any] = {
            "name": part,
            "label": word(part, handler.lang),
            "classes": classes,
            "value": values.get(part, ""),
        }
        if autocomplete == "bday":
            item["autocomplete"] = f"bday-{part}"
        items.append(item)
    params: dict[str, Any] = {
        "id": name,
        "namePrefix": name,
        "fieldset": {"legend": legend},
        "items": items,
    }
    if hint:
        params["hint"] = hint
    if error:
        params["errorMessage"] = error
    return params


class CompoundHandler(FieldHandler):
    """Several inputs under one legend (address, location, person): each part has its own error."""

    widget = MacroWidget("public/widgets/compound.html")
    uses_fieldset = True

    def parts(self) -> tuple[str, ...]:
        raise NotImplementedError

    def from_formdata(self, formdata: Any, name: str) -> Any:
        values: dict[str, Any] = {}
        for part in self.parts():
            value = formdata.get(f"{name}-{part}")
            if isinstance(value, str):
                values[part] = value
        return values or None

    def from_answer(self, answer: Any) -> Any:
        if not isinstance(answer, dict):
            return None
        return {key: "" if value is None else str(value) for key, value in answer.items()}

    def anchor(self, name: str, error: FieldError) -> str:
        return f"{name}-{error.part or self.parts()[0]}"

    def part_error(self, bound: DefinitionField, part: str) -> dict[str, Any] | None:
        found = [error for error in bound.field_errors if error.part == part]
        if not found:
            return None
        return {"text": found[0].message, "visuallyHiddenText": word("error", self.lang)}

    def input(
        self,
        bound: DefinitionField,
        part: str,
        label: str,
        **extra: Any,
    ) -> dict[str, Any]:
        values = bound.raw if isinstance(bound.raw, dict) else {}
        item: dict[str, Any] = {
            "kind": extra.pop("kind", "input"),
            "id": f"{bound.name}-{part}",
            "name": f"{bound.name}-{part}",
            "label": {"text": label},
            "value": values.get(part, ""),
            **extra,
        }
        error = self.part_error(bound, part)
        if error:
            item["errorMessage"] = error
        return item

    def inputs(self, bound: DefinitionField) -> list[dict[str, Any]]:
        raise NotImplementedError

    def params(self, bound: DefinitionField) -> dict[str, Any]:
        unplaced = [error for error in bound.field_errors if error.part not in self.placed()]
        params: dict[str, Any] = {
            "legend": self.legend(bound),
            "hint": self.hint(),
            "id": bound.name,
            "inputs": self.inputs(bound),
        }
        if unplaced:
            params["errorMessage"] = {
                "text": unplaced[0].message,
                "visuallyHiddenText": word("error", self.lang),
            }
        return params

    def placed(self) -> set[str | None]:
        """Parts whose errors show beside their own input."""
        return set(self.parts())


ADDRESS_PARTS = ("line1", "line2", "town", "county", "postcode")


def address_inputs(
    handler: CompoundHandler, bound: DefinitionField, prefix: str, postcode_required: bool
) -> list[dict[str, Any]]:
    lang = handler.lang
    labels = {
        "line1": word("line1", lang),
        "line2": word("line2", lang),
        "town": word("town", lang),
        "county": word("county", lang),
        "postcode": word("postcode" if postcode_required else "postcode_optional", lang),
    }
    autocomplete = {
        "line1": "address-line1",
        "line2": "address-line2",
        "town": "address-level2",
        "county": "address-level1",
        "postcode": "postal-code",
    }
    classes = {"town": "govuk-!-width-two-thirds", "postcode": "govuk-input--width-10"}
    inputs = []
    for part in ADDRESS_PARTS:
        extra: dict[str, Any] = {}
        if part in classes:
            extra["classes"] = classes[part]
        if not prefix:
            extra["autocomplete"] = autocomplete[part]
        inputs.append(handler.input(bound, prefix + part, labels[part], **extra))
    return inputs


@register("address")
class AddressHandler(CompoundHandler):
    def parts(self) -> tuple[str, ...]:
        return ADDRESS_PARTS

    def inputs(self, bound: DefinitionField) -> list[dict[str, Any]]:
        return address_inputs(self, bound, "", self.field.postcode_required)


@register("location")
class LocationHandler(CompoundHandler):
    def parts(self) -> tuple[str, ...]:
        return ("description", "postcode", "latitude", "longitude")

    def anchor(self, name: str, error: FieldError) -> str:
        part = error.part if error.part in ("description", "postcode") else "description"
        return f"{name}-{part}"

    def placed(self) -> set[str | None]:
        return {"description", "postcode"}

    def inputs(self, bound: DefinitionField) -> list[dict[str, Any]]:
        lang = self.lang
        inputs = [
            self.input(
                bound,
                "description",
                word("place", lang),
                kind="textarea",
                rows=3,
                hint={"text": word("place_hint", lang)},
            ),
            self.input(
                bound,
                "postcode",
                word("postcode_optional", lang),
                classes="govuk-input--width-10",
            ),
        ]
        if self.field.map:
            values = bound.raw if isinstance(bound.raw, dict) else {}
            inputs.append(
                {
                    "kind": "position",
                    "name": bound.name,
                    "latitude": values.get("latitude", ""),
                    "longitude": values.get("longitude", ""),
                    "lang": lang,
                }
            )
        return inputs


PERSON_TEXT_PARTS = ("first_name", "last_name", "known_as", "description", "phone", "email")


@register("person")
class PersonHandler(CompoundHandler):
    def parts(self) -> tuple[str, ...]:
        return self.field.parts

    def from_formdata(self, formdata: Any, name: str) -> Any:
        values: dict[str, Any] = {}
        for part in self.field.parts:
            if part == "date_of_birth":
                born = read_date(formdata, f"{name}-date_of_birth")
                if born is not None:
                    values[part] = born
            elif part == "address":
                address = {}
                for line in ADDRESS_PARTS:
                    value = formdata.get(f"{name}-address-{line}")
                    if isinstance(value, str):
                        address[line] = value
                if address:
                    values[part] = address
            else:
                value = formdata.get(f"{name}-{part}")
                if isinstance(value, str):
                    values[part] = value
        return values or None

    def from_answer(self, answer: Any) -> Any:
        if not isinstance(answer, dict):
            return None
        values: dict[str, Any] = {}
        for part, value in answer.items():
            if part == "date_of_birth":
                values[part] = date_parts(value) or {}
            elif part == "address" and isinstance(value, dict):
                values[part] = {key: str(item) for key, item in value.items()}
            elif part == "phone":
                values[part] = PhoneHandler(self.field, self.lang).from_answer(value) or ""
            else:
                values[part] = "" if value is None else str(value)
        return values

    def anchor(self, name: str, error: FieldError) -> str:
        part = error.part or self.field.parts[0]
        if part in DateHandler.PARTS:
            return f"{name}-date_of_birth-{part}"
        if part == "date_of_birth":
            return f"{name}-date_of_birth-day"
        if part.startswith("address."):
            return f"{name}-address-{part.split('.', 1)[1]}"
        if part == "address":
            return f"{name}-address-line1"
        return f"{name}-{part}"

    def placed(self) -> set[str | None]:
        parts: set[str | None] = set(self.field.parts) - {"date_of_birth", "address"}
        return parts | {f"address.{line}" for line in ADDRESS_PARTS}

    def part_label(self, part: str) -> str:
        label = word(part, self.lang)
        if part not in self.field.required_parts:
            label += word("optional", self.lang)
        return label

    def inputs(self, bound: DefinitionField) -> list[dict[str, Any]]:
        values = bound.raw if isinstance(bound.raw, dict) else {}
        inputs: list[dict[str, Any]] = []
        for part in self.field.parts:
            label = self.part_label(part)
            if part in ("first_name", "last_name", "known_as"):
                inputs.append(self.input(bound, part, label, spellcheck=False))
            elif part == "description":
                inputs.append(self.input(bound, part, label, kind="textarea", rows=4))
            elif part == "approximate_age":
                inputs.append(
                    self.input(
                        bound,
                        part,
                        label,
                        classes="govuk-input--width-3",
                        inputmode="numeric",
                        suffix={"text": word("years", self.lang)},
                    )
                )
            elif part == "phone":
                inputs.append(
                    self.input(bound, part, label, type="tel", classes="govuk-input--width-20")
                )
            elif part == "email":
                inputs.append(self.input(bound, part, label, type="email", spellcheck=False))
            elif part == "date_of_birth":
                inputs.append(self.date_of_birth(bound, values.get(part), label))
            elif part == "address":
                inputs.append(self.address(bound, label))
        return inputs

    def date_of_birth(self, bound: DefinitionField, raw: Any, label: str) -> dict[str, Any]:
        errors = [
            error
            for error in bound.field_errors
            if error.part in (*DateHandler.PARTS, "date_of_birth")
        ]
        error = (
            {"text": errors[0].message, "visuallyHiddenText": word("error", self.lang)}
            if errors
            else None
        )
        params = date_params(
            self,
            f"{bound.name}-date_of_birth",
            raw,
            errors,
            legend={"text": label, "classes": "govuk-fieldset__legend--s"},
            hint={"text": word("date_hint", self.lang)},
            error=error,
        )
        return {"kind": "date", **params}

    def address(self, bound: DefinitionField, label: str) -> dict[str, Any]:
        nested = _NestedAddress(self, bound)
        return {
            "kind": "fieldset",
            "legend": {"text": label, "classes": "govuk-fieldset__legend--s"},
            "inputs": address_inputs(nested, nested.bound, "address-", False),
        }


class _NestedAddress(CompoundHandler):
    """A person's address: the same inputs, named under the person, with dotted error parts."""

    def __init__(self, person: PersonHandler, bound: DefinitionField) -> None:
        super().__init__(person.field, person.lang)
        self.bound = _AddressView(bound)

    def parts(self) -> tuple[str, ...]:
        return ADDRESS_PARTS


class _AddressView:
    """Present a person field's address values and errors as if they were the field's own."""

    def __init__(self, bound: DefinitionField) -> None:
        self.name = bound.name
        raw = bound.raw if isinstance(bound.raw, dict) else {}
        address = raw.get("address")
        if not isinstance(address, dict):
            address = {}
        self.raw = {f"address-{key}": value for key, value in address.items()}
        self.field_errors = [
            FieldError(e.field, e.message, e.code, "address-" + e.part.split(".", 1)[1])
            for e in bound.field_errors
            if e.part and e.part.startswith("address.")
        ]


@register("file")
class FileHandler(FieldHandler):
    """A file input; the stored files are listed above it with links to remove them."""

    widget = FileWidget()

    def from_formdata(self, formdata: Any, name: str) -> Any:
        # The page's service stores posted files first and then validates their records.
        return None

    def from_answer(self, answer: Any) -> Any:
        return answer if isinstance(answer, list) else None

    def params(self, bound: DefinitionField) -> dict[str, Any]:
        params = super().params(bound)
        params.pop("autocomplete", None)
        params["uploaded"] = bound.raw if isinstance(bound.raw, list) else []
        params["remove_url"] = bound.remove_url
        params["lang"] = self.lang
        if self.field.accept:
            params["attributes"] = {"accept": ",".join(_accept(self.field.accept))}
        return params


def _accept(kinds: tuple[str, ...]) -> list[str]:
    mapping = {
        "image": ["image/*", ".heic"],
        "video": ["video/*"],
        "audio": ["audio/*"],
        "document": [".pdf", ".docx"],
    }
    return [item for kind in kinds for item in mapping.get(kind, [])]


@register("hidden")
class HiddenHandler(FieldHandler):
    """A value the user never sees; a fixed one is not even sent to the browser."""

    widget = MacroWidget("public/widgets/hidden.html")

    def params(self, bound: DefinitionField) -> dict[str, Any]:
        if self.field.source == "fixed":
            return {}
        return {"name": bound.name, "value": bound.raw or ""}


@register("content")
class ContentHandler(FieldHandler):
    """Text, inset text, a warning or an expanding details block: no input at all."""

    widget = MacroWidget("public/widgets/content.html")

    def from_formdata(self, formdata: Any, name: str) -> Any:
        return None

    def from_answer(self, answer: Any) -> Any:
        return None

    def params(self, bound: DefinitionField) -> dict[str, Any]:
        blocks = self.field.text.blocks(self.lang) if self.field.text is not None else []
        return {
            "style": self.field.style or "text",
            "blocks": blocks,
            "html": blocks_html(blocks),
            "plain": " ".join(
                content if kind == "p" else "; ".join(content) for kind, content in blocks
            ),
            "summary": self.text(self.field.summary),
            "important": {"en": "Warning", "cy": "Rhybudd"}.get(self.lang, "Warning"),
        }


def blocks_html(blocks: list[tuple[str, Any]], paragraph_class: str = "govuk-body") -> Markup:
    """Render plain-text blocks (paragraphs and bulleted lists) as escaped HTML."""
    parts = []
    for kind, content in blocks:
        if kind == "ul":
            items = Markup("").join(Markup("<li>{}</li>").format(item) for item in content)
            parts.append(Markup('<ul class="govuk-list govuk-list--bullet">{}</ul>').format(items))
        else:
            parts.append(Markup('<p class="{}">{}</p>').format(paragraph_class, content))
    return Markup("").join(parts)


__all__ = ["HANDLERS", "FieldHandler", "handler_for", "render_widget_template"]
