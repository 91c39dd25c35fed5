"""Show stored answers as text, e.g. on "check your answers" and to case officers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from . import messages as m
from .model import Field

PERSON_PART_LABELS = {
    "first_name": {"en": "First name", "cy": "Enw cyntaf"},
    "last_name": {"en": "Last name", "cy": "Cyfenw"},
    "known_as": {"en": "Known as", "cy": "Enw arall"},
    "date_of_birth": {"en": "Date of birth", "cy": "Dyddiad geni"},
    "approximate_age": {"en": "Approximate age", "cy": "Oedran bras"},
    "description": {"en": "Description", "cy": "Disgrifiad"},
    "phone": {"en": "Telephone", "cy": "Ffôn"},
    "email": {"en": "Email", "cy": "E-bost"},
    "address": {"en": "Address", "cy": "Cyfeiriad"},
}
MAP_POSITION = {"en": "Position on map: {lat}, {lng}", "cy": "Lleoliad ar y map: {lat}, {lng}"}


def display_answer(field: Field, value: Any, lang: str = "en") -> list[str]:
    """Return an answer as lines of plain text (to be escaped when rendered); [] when absent."""
    if value is None or value == [] or value == {}:
        return []
    kind = field.type
    if kind in ("radios", "select", "yesno"):
        option = field.option(str(value))
        return [option.text.get(lang) if option else str(value)]
    if kind == "checkboxes" and isinstance(value, list):
        return [_option_text(field, item, lang) for item in value]
    if kind == "date":
        return [_date(value, lang)]
    if kind == "number":
        prefix = field.prefix.get(lang) if field.prefix else ""
        suffix = f" {field.suffix.get(lang)}" if field.suffix else ""
        return [f"{prefix}{value}{suffix}"]
    if kind == "address" and isinstance(value, dict):
        return _address(value)
    if kind == "location" and isinstance(value, dict):
        lines = [str(value[key]) for key in ("description", "postcode") if value.get(key)]
        if "latitude" in value and "longitude" in value:
            template = MAP_POSITION.get(lang, MAP_POSITION["en"])
            lines.append(template.format(lat=value["latitude"], lng=value["longitude"]))
        return lines
    if kind == "person" and isinstance(value, dict):
        lines = []
        for part in field.parts:
            if part not in value:
                continue
            label = PERSON_PART_LABELS[part].get(lang) or PERSON_PART_LABELS[part]["en"]
            shown = value[part]
            if part == "date_of_birth":
                shown = _date(shown, lang)
            elif part == "address" and isinstance(shown, dict):
                shown = ", ".join(_address(shown))
            lines.append(f"{label}: {shown}")
        return lines
    if kind == "file" and isinstance(value, list):
        return [str(item.get("name", "")) for item in value if isinstance(item, dict)]
    return str(value).split("\n")


def _option_text(field: Field, value: Any, lang: str) -> str:
    option = field.option(str(value))
    return option.text.get(lang) if option else str(value)


def _address(value: dict[str, Any]) -> list[str]:
    return [
        str(value[key])
        for key in ("line1", "line2", "town", "county", "postcode")
        if value.get(key)
    ]


def _date(value: Any, lang: str) -> str:
    try:
        return m.format_date(dt.date.fromisoformat(str(value)), lang)
    except ValueError:
        return str(value)
