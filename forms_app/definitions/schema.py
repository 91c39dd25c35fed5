"""The JSON Schema of a form definition (the shape; meaning is checked in checks.py).

Field types are dispatched with if/then rather than oneOf, so that a mistake in
a field produces one plain error about that field instead of "not valid under
any of the given schemas". ``x-message`` gives the author-facing wording where
the validator's own message would be obscure.
"""

from __future__ import annotations

from typing import Any

from .model import CONTENT_STYLES, FIELD_TYPES, PERSON_PARTS

LANGUAGES = ("en", "cy")
NAME_PATTERN = r"^[a-z][a-z0-9_]*$"
PAGE_ID_PATTERN = r"^[a-z0-9_-]+$"
OPTION_VALUE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
FILE_KINDS = ("image", "video", "audio", "document")
MESSAGE_KEYS = (
    "required",
    "invalid",
    "min_length",
    "max_length",
    "max_words",
    "pattern",
    "min",
    "max",
    "integer",
    "past",
    "future",
    "too_early",
    "too_late",
    "exclusive",
    "file_type",
    "file_size",
    "too_many_files",
)
# Hard ceilings so that no definition can let a 100 KB answer through.
MAX_TEXT_LENGTH = 20_000

TEXT_MESSAGE = 'must be text, or text in each language like {en: "…", cy: "…"}'


def _text() -> dict[str, Any]:
    return {"$ref": "#/$defs/text"}


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/$defs/{name}"}


_positive = {"type": "integer", "minimum": 1}
_count = {"type": "integer", "minimum": 0}
# Windows of days reach back or forward 200 years at most: today minus a million days is before
# year 1, which would turn every date answered on the page into an error.
MAX_DAYS = 73_000
_days = {"type": "integer", "minimum": 0, "maximum": MAX_DAYS}
_length = {"type": "integer", "minimum": 1, "maximum": MAX_TEXT_LENGTH}

COMMON_FIELD_PROPERTIES: dict[str, Any] = {
    "name": {
        "type": "string",
        "pattern": NAME_PATTERN,
        "maxLength": 64,
        "x-message": "a field name is lower case letters, digits and _, starting with a letter",
    },
    "type": {"enum": list(FIELD_TYPES)},
    "label": _text(),
    "hint": _text(),
    "required": {"type": "boolean"},
    "condition": _ref("condition"),
    "error_name": _text(),
    "messages": {
        "type": "object",
        "propertyNames": {"enum": list(MESSAGE_KEYS)},
        "additionalProperties": _text(),
    },
    "autocomplete": {"type": "string", "pattern": r"^[a-z0-9 -]+$"},
}

_choices = {
    "list": {"type": "string"},
    "options": {"type": "array", "minItems": 1, "items": _ref("option")},
    "reveal": {
        "type": "object",
        "additionalProperties": {"type": "array", "minItems": 1, "items": _ref("field")},
    },
}

TYPE_PROPERTIES: dict[str, dict[str, Any]] = {
    "text": {
        "min_length": _length,
        "max_length": _length,
        "pattern": {"type": "string", "minLength": 1},
        "prefix": _text(),
        "suffix": _text(),
    },
    "textarea": {
        "min_length": _length,
        "max_length": _length,
        "max_words": {"type": "integer", "minimum": 1, "maximum": 3_000},
        "rows": {"type": "integer", "minimum": 2, "maximum": 30},
    },
    "number": {
        "min": {"type": "number"},
        "max": {"type": "number"},
        "integer": {"type": "boolean"},
        "prefix": _text(),
        "suffix": _text(),
    },
    "email": {"max_length": {"type": "integer", "minimum": 6, "maximum": 254}},
    "phone": {"uk_only": {"type": "boolean"}},
    "date": {
        "must_be": {"enum": ["past", "future", "today_or_past", "today_or_future"]},
        "max_days_in_past": _days,
        "max_days_in_future": _days,
    },
    "time": {},
    "radios": dict(_choices),
    "checkboxes": dict(_choices),
    "select": {"list": _choices["list"], "options": _choices["options"]},
    "yesno": {"options": _choices["options"], "reveal": _choices["reveal"]},
    "postcode": {},
    "address": {"postcode_required": {"type": "boolean"}},
    "location": {"map": {"type": "boolean"}},
    "person": {
        "parts": {
            "type": "array",
            "minItems": 1,
            "uniqueItems": True,
            "items": {"enum": list(PERSON_PARTS)},
        },
        "required_parts": {
            "type": "array",
            "uniqueItems": True,
            "items": {"enum": list(PERSON_PARTS)},
        },
    },
    "file": {
        "accept": {
            "type": "array",
            "minItems": 1,
            "uniqueItems": True,
            "items": {"enum": list(FILE_KINDS)},
        },
        "max_size_mb": {"type": "number", "exclusiveMinimum": 0, "maximum": 100},
        "max_files": {"type": "integer", "minimum": 1, "maximum": 20},
    },
    "hidden": {
        "value": {"type": "string", "maxLength": 500},
        "source": {"enum": ["fixed", "query"]},
        "query_param": {"type": "string", "pattern": r"^[a-z][a-z0-9_]*$"},
        "pattern": {"type": "string", "minLength": 1},
        "max_length": {"type": "integer", "minimum": 1, "maximum": 500},
    },
    "content": {
        "style": {"enum": list(CONTENT_STYLES)},
        "text": _text(),
        "summary": _text(),
    },
}

# Content blocks have no answer, so no name, label or validation.
CONTENT_COMMON = ("name", "type", "condition")


def _field_schema() -> dict[str, Any]:
    branches = []
    for field_type, specific in TYPE_PROPERTIES.items():
        if field_type == "content":
            common = {key: COMMON_FIELD_PROPERTIES[key] for key in CONTENT_COMMON}
            required = ["type", "text"]
        elif field_type == "hidden":
            common = {
                key: value
                for key, value in COMMON_FIELD_PROPERTIES.items()
                if key not in ("hint", "autocomplete")
            }
            required = ["name", "type"]
        else:
            common = dict(COMMON_FIELD_PROPERTIES)
            required = ["name", "type", "label"]
        branches.append(
            {
                "if": {"properties": {"type": {"const": field_type}}, "required": ["type"]},
                "then": {
                    "properties": {**common, **specific},
                    "required": required,
                    "additionalProperties": False,
                },
            }
        )
    return {
        "type": "object",
        "required": ["type"],
        "properties": {"type": COMMON_FIELD_PROPERTIES["type"]},
        "allOf": branches,
    }


def _condition_schema() -> dict[str, Any]:
    value = {"type": ["string", "number"]}
    compare = {
        "type": "object",
        "required": ["field"],
        "minProperties": 2,
        "maxProperties": 2,
        "x-message": 'a condition names one `field` and one test, like {field: still_happening, equals: "yes"}',
        "properties": {
            "field": {"type": "string", "pattern": NAME_PATTERN},
            "equals": value,
            "not_equals": value,
            "in": {"type": "array", "minItems": 1, "items": value},
            "contains": value,
            "greater_than": {"type": "number"},
            "less_than": {"type": "number"},
            "before": _ref("date_or_today"),
            "after": _ref("date_or_today"),
            "within_days": _days,
            "answered": {"type": "boolean"},
        },
        "additionalProperties": False,
    }
    group = {"type": "array", "minItems": 1, "items": _ref("condition")}

    def combinator(key: str, body: dict[str, Any]) -> dict[str, Any]:
        return {
            "properties": {key: body},
            "additionalProperties": False,
            "x-message": f"`{key}` stands alone in its condition",
        }

    return {
        "type": "object",
        "x-message": "a condition is a mapping",
        "if": {"required": ["all"]},
        "then": combinator("all", group),
        "else": {
            "if": {"required": ["any"]},
            "then": combinator("any", group),
            "else": {
                "if": {"required": ["not"]},
                "then": combinator("not", _ref("condition")),
                "else": compare,
            },
        },
    }


FORM_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Safer Forms form definition",
    "type": "object",
    "required": ["slug", "title", "reference_prefix", "channel", "pages"],
    "additionalProperties": False,
    "properties": {
        "slug": {
            "type": "string",
            "pattern": r"^[a-z0-9]+(-[a-z0-9]+)*$",
            "maxLength": 64,
            "x-message": "a slug is lower case letters and digits joined by single hyphens",
        },
        "title": _text(),
        "description": _text(),
        "reference_prefix": {
            "type": "string",
            "pattern": r"^[A-Z]{2,6}$",
            "x-message": "a reference prefix is 2 to 6 capital letters, like ASB",
        },
        "channel": {"enum": ["public", "referral", "portal"]},
        "languages": {
            "type": "array",
            "minItems": 1,
            "uniqueItems": True,
            "items": {"enum": list(LANGUAGES)},
        },
        "sections": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "title"],
                "additionalProperties": False,
                "properties": {
                    "id": {"type": "string", "pattern": PAGE_ID_PATTERN},
                    "title": _text(),
                },
            },
        },
        "lists": {
            "type": "object",
            "propertyNames": {"pattern": NAME_PATTERN},
            "additionalProperties": {"type": "array", "minItems": 1, "items": _ref("option")},
        },
        "pages": {"type": "array", "minItems": 1, "items": _ref("page")},
        "declaration": {
            "type": "object",
            "required": ["text", "label"],
            "additionalProperties": False,
            "properties": {"text": _text(), "label": _text()},
        },
        "confirmation": {
            "type": "object",
            "required": ["text"],
            "additionalProperties": False,
            "properties": {"title": _text(), "text": _text()},
        },
        "scoring": {"type": "object"},
        "routing": {"type": "object"},
    },
    "$defs": {
        "text": {
            "x-message": TEXT_MESSAGE,
            "anyOf": [
                {"type": "string", "minLength": 1},
                {
                    "type": "object",
                    "required": ["en"],
                    "minProperties": 1,
                    "propertyNames": {"enum": list(LANGUAGES)},
                    "additionalProperties": {"type": "string", "minLength": 1},
                },
            ],
        },
        "date_or_today": {
            "type": "string",
            "anyOf": [{"const": "today"}, {"pattern": DATE_PATTERN}],
            "x-message": "a date is written YYYY-MM-DD, or `today`",
        },
        "option": {
            "type": "object",
            "required": ["value", "text"],
            "additionalProperties": False,
            "properties": {
                "value": {
                    "type": "string",
                    "pattern": OPTION_VALUE_PATTERN,
                    "maxLength": 100,
                    "x-message": "an option value is a short code of letters, digits, _ . or -",
                },
                "text": _text(),
                "hint": _text(),
                "exclusive": {"type": "boolean"},
            },
        },
        "page": {
            "type": "object",
            "required": ["id", "title", "fields"],
            "additionalProperties": False,
            "properties": {
                "id": {
                    "type": "string",
                    "pattern": PAGE_ID_PATTERN,
                    "maxLength": 64,
                    "x-message": "a page id is lower case letters, digits, - and _",
                },
                "title": _text(),
                "section": {"type": "string"},
                "condition": _ref("condition"),
                "fields": {"type": "array", "minItems": 1, "items": _ref("field")},
                "repeat": {
                    "type": "object",
                    "required": ["min", "max"],
                    "additionalProperties": False,
                    "properties": {
                        "min": _count,
                        "max": {"type": "integer", "minimum": 1, "maximum": 50},
                        "item_label": _text(),
                        "min_message": _text(),
                    },
                },
                "exit": {"type": "boolean"},
            },
        },
        "field": _field_schema(),
        "condition": _condition_schema(),
    },
}
