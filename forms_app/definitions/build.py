"""Turn checked definition data into the immutable model."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from .conditions import parse_condition
from .model import (
    Confirmation,
    Declaration,
    Field,
    FormDefinition,
    Option,
    Page,
    Repeat,
    Section,
    Text,
    freeze,
)

DEFAULT_PERSON_PARTS = (
    "first_name",
    "last_name",
    "date_of_birth",
    "approximate_age",
    "description",
)
YES_NO = (
    Option("yes", Text(MappingProxyType({"en": "Yes", "cy": "Ie"}))),
    Option("no", Text(MappingProxyType({"en": "No", "cy": "Na"}))),
)


def build_form(
    data: Mapping[str, Any], source_path: str, source_text: str, content_hash: str
) -> FormDefinition:
    """Build a FormDefinition from data that has passed every check."""
    lists = {
        name: tuple(_option(item) for item in items)
        for name, items in (data.get("lists") or {}).items()
    }
    pages = tuple(_page(page, lists) for page in data["pages"])
    fields: dict[str, Field] = {}
    pages_of_fields: dict[str, Page] = {}
    for page in pages:
        for item in page.all_fields():
            if item.name is not None and item.is_question:
                fields[item.name] = item
                pages_of_fields[item.name] = page
    declaration = data.get("declaration")
    confirmation = data.get("confirmation")
    return FormDefinition(
        slug=data["slug"],
        title=_text(data["title"]),
        reference_prefix=data["reference_prefix"],
        channel=data["channel"],
        languages=tuple(data.get("languages") or ("en",)),
        pages=pages,
        sections=tuple(Section(s["id"], _text(s["title"])) for s in data.get("sections") or ()),
        lists=MappingProxyType(lists),
        description=Text.of(data.get("description")),
        declaration=(
            Declaration(_text(declaration["text"]), _text(declaration["label"]))
            if declaration
            else None
        ),
        confirmation=(
            Confirmation(Text.of(confirmation.get("title")), _text(confirmation["text"]))
            if confirmation
            else None
        ),
        source_path=source_path,
        source_text=source_text,
        content_hash=content_hash,
        raw=freeze(data),
        _fields=MappingProxyType(fields),
        _pages_of_fields=MappingProxyType(pages_of_fields),
    )


def _text(value: Any) -> Text:
    text = Text.of(value)
    assert text is not None  # the schema requires it
    return text


def _option(data: Mapping[str, Any]) -> Option:
    return Option(
        value=data["value"],
        text=_text(data["text"]),
        hint=Text.of(data.get("hint")),
        exclusive=bool(data.get("exclusive", False)),
    )


def _page(data: Mapping[str, Any], lists: Mapping[str, tuple[Option, ...]]) -> Page:
    repeat = data.get("repeat")
    return Page(
        id=data["id"],
        title=_text(data["title"]),
        fields=tuple(_field(item, lists) for item in data["fields"]),
        section=data.get("section"),
        condition=parse_condition(data["condition"]) if "condition" in data else None,
        repeat=(
            Repeat(
                repeat["min"],
                repeat["max"],
                Text.of(repeat.get("item_label")),
                Text.of(repeat.get("min_message")),
            )
            if repeat
            else None
        ),
        exit=bool(data.get("exit", False)),
    )


def _field(data: Mapping[str, Any], lists: Mapping[str, tuple[Option, ...]]) -> Field:
    field_type = data["type"]
    if "list" in data:
        options = lists[data["list"]]
    elif "options" in data:
        options = tuple(_option(item) for item in data["options"])
    elif field_type == "yesno":
        options = YES_NO
    else:
        options = ()
    reveal = {
        value: tuple(_field(item, lists) for item in items)
        for value, items in (data.get("reveal") or {}).items()
    }
    messages = {key: _text(value) for key, value in (data.get("messages") or {}).items()}
    parts: tuple[str, ...] = ()
    if field_type == "person":
        parts = tuple(data.get("parts") or DEFAULT_PERSON_PARTS)
    return Field(
        type=field_type,
        name=data.get("name"),
        label=Text.of(data.get("label")),
        hint=Text.of(data.get("hint")),
        required=bool(data.get("required", False)),
        condition=parse_condition(data["condition"]) if "condition" in data else None,
        error_name=Text.of(data.get("error_name")),
        messages=MappingProxyType(messages),
        autocomplete=data.get("autocomplete"),
        min_length=data.get("min_length"),
        max_length=data.get("max_length"),
        max_words=data.get("max_words"),
        pattern=data.get("pattern"),
        rows=data.get("rows"),
        minimum=data.get("min"),
        maximum=data.get("max"),
        integer=bool(data.get("integer", False)),
        prefix=Text.of(data.get("prefix")),
        suffix=Text.of(data.get("suffix")),
        must_be=data.get("must_be"),
        max_days_in_past=data.get("max_days_in_past"),
        max_days_in_future=data.get("max_days_in_future"),
        uk_only=bool(data.get("uk_only", False)),
        options=options,
        list_name=data.get("list"),
        reveal=MappingProxyType(reveal),
        parts=parts,
        required_parts=tuple(data.get("required_parts") or ()),
        postcode_required=bool(data.get("postcode_required", True)),
        map=bool(data.get("map", False)),
        accept=tuple(data.get("accept") or ()),
        max_size_mb=data.get("max_size_mb"),
        max_files=data.get("max_files", 1),
        value=data.get("value"),
        source=_hidden_source(data) if field_type == "hidden" else None,
        query_param=data.get("query_param"),
        style=data.get("style") or ("text" if field_type == "content" else None),
        text=Text.of(data.get("text")),
        summary=Text.of(data.get("summary")),
    )


def _hidden_source(data: Mapping[str, Any]) -> str:
    # A hidden field with a value and no source is fixed: safest, as a request cannot change it.
    source = data.get("source")
    if source:
        return str(source)
    return "fixed" if "value" in data else "query"
