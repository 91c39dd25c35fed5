"""Read the fields of a form definition: what the scoring block may refer to.

The form engine validates the form itself; this module reads only what
scoring needs and tolerates anything it does not understand.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

SINGLE_CHOICE = frozenset({"radios", "select", "yesno"})
MULTIPLE_CHOICE = frozenset({"checkboxes"})
TEXT = frozenset({"text", "textarea", "email", "phone", "postcode", "time", "hidden"})
COMPOUND = frozenset({"address", "location", "person"})
YESNO_OPTIONS = {"yes": "Yes", "no": "No"}


@dataclass(frozen=True)
class FieldInfo:
    """A question in the form, as scoring sees it."""

    name: str
    type: str
    label: str
    # Option value -> English text; None for fields without a fixed set of options.
    options: dict[str, str] | None
    repeat_page: str | None = None
    # The named list the field uses when the form does not define it.
    missing_list: str | None = None

    @property
    def has_options(self) -> bool:
        return self.options is not None


@dataclass
class FormFields:
    """Every field of a form, and which fields each repeating page holds."""

    fields: dict[str, FieldInfo] = field(default_factory=dict)
    repeat_pages: dict[str, dict[str, FieldInfo]] = field(default_factory=dict)


def english(text: Any) -> str:
    """Return the English of a user-facing text: a string or {en: ..., cy: ...}."""
    if isinstance(text, Mapping):
        value = text.get("en")
        return value if isinstance(value, str) else ""
    return text if isinstance(text, str) else ""


def _options(items: Any) -> dict[str, str]:
    options: dict[str, str] = {}
    if not isinstance(items, list):
        return options
    for item in items:
        if isinstance(item, Mapping):
            value = item.get("value")
            if isinstance(value, str):
                options[value] = english(item.get("text")) or value
        elif isinstance(item, str):
            options[item] = item
    return options


def read_fields(form: Mapping[str, Any]) -> FormFields:
    """Collect the fields of every page, repeating pages included."""
    found = FormFields()
    lists = form.get("lists")
    lists = lists if isinstance(lists, Mapping) else {}
    pages = form.get("pages")
    if not isinstance(pages, list):
        return found
    for page in pages:
        if not isinstance(page, Mapping):
            continue
        repeat_id = page.get("id") if page.get("repeat") else None
        repeat_id = repeat_id if isinstance(repeat_id, str) else None
        fields = page.get("fields")
        if not isinstance(fields, list):
            continue
        _read_list(fields, lists, repeat_id, found)
    return found


def _read_list(
    fields: list[Any], lists: Mapping[str, Any], repeat_id: str | None, found: FormFields
) -> None:
    for raw in fields:
        if not isinstance(raw, Mapping):
            continue
        if isinstance(raw.get("name"), str):
            info = _field(raw, lists, repeat_id)
            found.fields.setdefault(info.name, info)
            if repeat_id is not None:
                found.repeat_pages.setdefault(repeat_id, {})[info.name] = info
        # Fields revealed by an option are answered like any other, flat by name.
        reveal = raw.get("reveal")
        if isinstance(reveal, Mapping):
            for revealed in reveal.values():
                if isinstance(revealed, list):
                    _read_list(revealed, lists, repeat_id, found)


def _field(raw: Mapping[str, Any], lists: Mapping[str, Any], repeat: str | None) -> FieldInfo:
    name = str(raw["name"])
    kind = str(raw.get("type", "text"))
    label = english(raw.get("label"))
    options: dict[str, str] | None = None
    missing: str | None = None
    if kind == "yesno":
        options = dict(YESNO_OPTIONS)
    elif kind in SINGLE_CHOICE or kind in MULTIPLE_CHOICE:
        list_name = raw.get("list")
        if isinstance(list_name, str):
            if list_name in lists:
                options = _options(lists[list_name])
            else:
                options, missing = {}, list_name
        else:
            options = _options(raw.get("options"))
    return FieldInfo(name, kind, label, options, repeat, missing)
