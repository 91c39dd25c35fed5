"""Check a parsed definition: its shape (JSON Schema) and what a schema cannot say.

Every problem is a (path, message) pair; the registry turns the path into a
line of the author's file.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from collections.abc import Iterator, Mapping
from typing import Any

import regex
from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import ValidationError

from . import patterns
from .conditions import OPERATORS
from .model import PERSON_PARTS, RESERVED_PAGE_IDS
from .schema import DATE_PATTERN, FORM_SCHEMA

Path = tuple[str | int, ...]
Found = tuple[Path, str]


def _whole_value(validator: Any, pattern: str, instance: Any, _schema: Any) -> Iterator[Any]:
    """JSON Schema's `pattern`, matched against the whole value. Every pattern here is anchored,
    but Python's `$` also matches before a final line break, which let "ASB\n" through."""
    if validator.is_type(instance, "string") and re.fullmatch(pattern, instance) is None:
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _finite_number(_checker: Any, instance: Any) -> bool:
    """A number that can be compared and counted: YAML's `.nan` and `.inf` are not."""
    return Draft202012Validator.TYPE_CHECKER.is_type(instance, "number") and math.isfinite(instance)


_FormValidator = validators.extend(
    Draft202012Validator,
    {"pattern": _whole_value},
    type_checker=Draft202012Validator.TYPE_CHECKER.redefine("number", _finite_number),
)
_VALIDATOR = _FormValidator(FORM_SCHEMA)

LANGUAGE_NAMES = {"en": "English", "cy": "Welsh"}
TEXT_KEYS = (
    "title",
    "description",
    "label",
    "hint",
    "error_name",
    "prefix",
    "suffix",
    "text",
    "summary",
    "item_label",
)
REVEALABLE = (
    "text",
    "textarea",
    "number",
    "email",
    "phone",
    "date",
    "time",
    "radios",
    "checkboxes",
    "select",
    "yesno",
    "postcode",
)
# The values HTML defines for autocomplete (WCAG 1.3.5 "identify input purpose").
AUTOCOMPLETE_TOKENS = frozenset(
    """on off name honorific-prefix given-name additional-name family-name honorific-suffix nickname
    email username new-password current-password one-time-code organization-title organization
    street-address address-line1 address-line2 address-line3 address-level4 address-level3
    address-level2 address-level1 country country-name postal-code cc-name cc-given-name
    cc-additional-name cc-family-name cc-number cc-exp cc-exp-month cc-exp-year cc-csc cc-type
    transaction-currency transaction-amount language bday bday-day bday-month bday-year sex url
    photo tel tel-country-code tel-national tel-area-code tel-local tel-extension impp
    shipping billing home work mobile fax pager""".split()
)
OPERATOR_TYPES = {
    "equals": None,
    "not_equals": None,
    "in": None,
    "contains": ("checkboxes", "text", "textarea"),
    "greater_than": ("number",),
    "less_than": ("number",),
    "before": ("date",),
    "after": ("date",),
    "within_days": ("date",),
}
NOT_COMPARABLE = ("checkboxes", "file", "address", "location", "person")


def schema_problems(data: Any) -> list[Found]:
    """Return the shape problems of a definition, one plain message each."""
    found = []
    for error in _VALIDATOR.iter_errors(data):
        found.extend(_describe(error))
    found.sort(key=lambda item: [str(part) for part in item[0]])
    return _dedupe(found)


def _dedupe(found: list[Found]) -> list[Found]:
    seen = set()
    result = []
    for item in found:
        if item not in seen:
            seen.add(item)
            result.append(item)
    return result


def _describe(error: ValidationError) -> list[Found]:
    path: Path = tuple(error.absolute_path)
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    validator = error.validator
    instance = error.instance
    if validator in ("if", "then", "else", "allOf"):
        return [found for sub in error.context or () for found in _describe(sub)]
    if validator == "additionalProperties" and isinstance(instance, Mapping):
        allowed = list(schema.get("properties", {}))
        result = []
        for key in instance:
            if key not in allowed and not _matches_pattern(schema, key):
                result.append(((*path, key), _unknown_key(key, allowed, instance)))
        return result or [(path, "has a key that is not allowed here")]
    if validator == "required":
        missing = [name for name in error.validator_value if name not in instance]
        kind = instance.get("type") if isinstance(instance, Mapping) else None
        if isinstance(kind, str) and _is_field_path(path):
            return [(path, f"a {kind} field needs `{name}`") for name in missing]
        return [(path, f"`{name}` is missing") for name in missing]
    if validator == "propertyNames":
        return [(path, f"`{error.instance}`: {_plain(error)}")]
    if "x-message" in schema and validator in (
        "anyOf",
        "oneOf",
        "pattern",
        "minProperties",
        "maxProperties",
        "type",
        "const",
    ):
        return [(path, f"{schema['x-message']}{_yaml_hint(instance)}")]
    if validator == "type":
        wanted = error.validator_value
        names = wanted if isinstance(wanted, list) else [wanted]
        return [
            (
                path,
                f"must be {_or([_TYPE_NAMES.get(str(n), str(n)) for n in names])}{_yaml_hint(instance)}",
            )
        ]
    if validator == "enum":
        return [
            (
                path,
                f"`{instance}` is not one of: {', '.join(str(v) for v in error.validator_value)}",
            )
        ]
    return [(path, _plain(error))]


def _is_field_path(path: Path) -> bool:
    return len(path) >= 2 and path[-2] == "fields" or (len(path) >= 3 and path[-3] == "reveal")


def _matches_pattern(schema: Mapping[str, Any], key: str) -> bool:
    return any(re.search(pattern, key) for pattern in schema.get("patternProperties", {}))


def _unknown_key(key: str, allowed: list[str], instance: Mapping[str, Any]) -> str:
    close = difflib.get_close_matches(key, allowed, n=1)
    suggestion = f" (did you mean `{close[0]}`?)" if close else ""
    if "type" in instance and key in _ALL_FIELD_KEYS:
        return f"`{key}` does not apply to a {instance['type']} field"
    return f"unknown key `{key}`{suggestion}"


_TYPE_NAMES = {
    "string": "text",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping",
}


def _or(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def _yaml_hint(instance: Any) -> str:
    if isinstance(instance, bool):
        return ' (YAML reads unquoted yes, no, on and off as true or false: write "yes" in quotes)'
    return ""


def _plain(error: ValidationError) -> str:
    validator, value, instance = error.validator, error.validator_value, error.instance
    if validator == "minimum":
        return f"must be {value} or more"
    if validator == "exclusiveMinimum":
        return f"must be more than {value}"
    if validator == "maximum":
        return f"must be {value} or less"
    if validator == "minItems":
        return "must not be empty" if value == 1 else f"needs at least {value} items"
    if validator == "uniqueItems":
        return "lists the same item twice"
    if validator == "minLength":
        return "must not be empty"
    if validator == "maxLength":
        return f"must be {value} characters or less"
    if validator == "pattern":
        return f"`{instance}` is not in the right format"
    if validator in ("minProperties", "maxProperties"):
        return "has the wrong number of keys"
    if validator == "enum":
        return f"is not one of: {', '.join(str(v) for v in value)}"
    return str(error.message)


_ALL_FIELD_KEYS: frozenset[str] = frozenset()


def _collect_field_keys() -> frozenset[str]:
    keys: set[str] = set()
    for branch in FORM_SCHEMA["$defs"]["field"]["allOf"]:
        keys |= set(branch["then"]["properties"])
    return frozenset(keys)


_ALL_FIELD_KEYS = _collect_field_keys()


# Semantic checks -----------------------------------------------------------


def semantic_problems(data: Mapping[str, Any], expected_slug: str | None) -> list[Found]:
    """Return what the schema cannot catch. ``data`` has already passed the schema."""
    return list(_Checker(data, expected_slug).run())


class _Checker:
    def __init__(self, data: Mapping[str, Any], expected_slug: str | None) -> None:
        self.data = data
        self.expected_slug = expected_slug
        self.languages = list(data.get("languages") or ["en"])
        self.lists: Mapping[str, Any] = data.get("lists") or {}
        # name -> (page index, field data, page data, path)
        self.fields: dict[str, tuple[int, Mapping[str, Any], Mapping[str, Any], Path]] = {}

    def run(self) -> Iterator[Found]:
        data = self.data
        if self.expected_slug is not None and data["slug"] != self.expected_slug:
            yield (
                ("slug",),
                f"the slug `{data['slug']}` must match the file name `{self.expected_slug}.yaml`",
            )
        if "en" not in self.languages:
            yield (("languages",), "every form is written in English (en), and may add Welsh (cy)")
        yield from self._texts()
        yield from self._lists()
        yield from self._sections()
        yield from self._pages_and_names()
        yield from self._fields()
        yield from self._conditions()

    # Languages

    def _texts(self) -> Iterator[Found]:
        for path, value in _texts(self.data):
            if isinstance(value, str):
                if len(self.languages) > 1:
                    wanted = ", ".join(self.languages)
                    yield (
                        path,
                        f"give this text in every language of the form ({wanted}), like {{en: …, cy: …}}",
                    )
                continue
            for lang in self.languages:
                if lang not in value:
                    yield (path, f"the {LANGUAGE_NAMES.get(lang, lang)} ({lang}) text is missing")
            for lang in value:
                if lang not in self.languages:
                    yield (
                        (*path, lang),
                        f"`{lang}` text is given but the form's languages are {', '.join(self.languages)}",
                    )

    # Lists and options

    def _lists(self) -> Iterator[Found]:
        for name, items in self.lists.items():
            yield from _option_values(items, ("lists", name))

    def _sections(self) -> Iterator[Found]:
        seen: dict[str, int] = {}
        for index, section in enumerate(self.data.get("sections") or ()):
            if section["id"] in seen:
                yield (("sections", index, "id"), f"section `{section['id']}` is defined twice")
            seen[section["id"]] = index
        for index, page in enumerate(self.data["pages"]):
            if "section" in page and page["section"] not in seen:
                yield (
                    ("pages", index, "section"),
                    f"there is no section `{page['section']}`{_suggest(page['section'], seen)}",
                )

    # Pages and names

    def _pages_and_names(self) -> Iterator[Found]:
        page_ids: dict[str, int] = {}
        pages = self.data["pages"]
        for index, page in enumerate(pages):
            path: Path = ("pages", index)
            if page["id"] in page_ids:
                yield (
                    (*path, "id"),
                    f"page id `{page['id']}` is used twice (first by page {page_ids[page['id']] + 1})",
                )
            page_ids.setdefault(page["id"], index)
            if page["id"] in RESERVED_PAGE_IDS:
                yield (
                    (*path, "id"),
                    f"page id `{page['id']}` is the address of the form's own page "
                    f"/f/{self.data['slug']}/{page['id']}, so this page could never be opened: "
                    "choose another id",
                )
            for field, field_path in _page_fields(page, path):
                name = field.get("name")
                if name is None or field["type"] == "content":
                    continue
                if name in self.fields:
                    first = self.fields[name][3]
                    yield (
                        (*field_path, "name"),
                        f"field name `{name}` is used twice (first on page `{pages[first[1]]['id']}`)",
                    )
                    continue
                self.fields[name] = (index, field, page, field_path)
            repeat = page.get("repeat")
            if repeat is not None and repeat["min"] > repeat["max"]:
                yield (
                    (*path, "repeat", "min"),
                    f"repeat min ({repeat['min']}) is more than max ({repeat['max']})",
                )
            questions = [f for f in page["fields"] if f["type"] != "content"]
            if page.get("exit"):
                if questions:
                    yield (
                        (*path, "exit"),
                        "an exit page ends the form: it can show content but ask no questions",
                    )
                if "condition" not in page:
                    yield (
                        (*path, "exit"),
                        "an exit page needs a condition, or nobody could finish the form",
                    )
                if repeat is not None:
                    yield ((*path, "exit"), "an exit page cannot repeat")
            elif repeat is not None and not questions:
                yield ((*path, "repeat"), "a repeating page needs at least one question")
        for name, (_index, _field, _page, field_path) in self.fields.items():
            if name in page_ids and pages[page_ids[name]].get("repeat") is not None:
                yield (
                    (*field_path, "name"),
                    f"field name `{name}` is also a repeating page's id, where that page's answers are kept",
                )
        if not any(
            not page.get("exit") and any(f["type"] != "content" for f in page["fields"])
            for page in pages
        ):
            yield (("pages",), "the form asks no questions")
        self.page_ids = page_ids

    # Fields

    def _fields(self) -> Iterator[Found]:
        for index, page in enumerate(self.data["pages"]):
            for field, path in _page_fields(page, ("pages", index)):
                yield from self._field(field, path)

    def _field(self, field: Mapping[str, Any], path: Path) -> Iterator[Found]:
        field_type = field["type"]
        if field_type in ("radios", "checkboxes", "select"):
            if ("list" in field) == ("options" in field):
                yield (
                    path,
                    f"a {field_type} field needs either `list` or `options`, not both or neither",
                )
        if "list" in field and field["list"] not in self.lists:
            yield (
                (*path, "list"),
                f"there is no list `{field['list']}`{_suggest(field['list'], self.lists)}",
            )
        if "options" in field:
            yield from _option_values(field["options"], (*path, "options"))
            if field_type == "yesno" and sorted(o["value"] for o in field["options"]) != [
                "no",
                "yes",
            ]:
                yield (
                    (*path, "options"),
                    "a yesno field's options are exactly `yes` and `no` (give them only to change their text)",
                )
        options = self._options(field)
        for option_index, option in enumerate(field.get("options") or ()):
            if option.get("exclusive") and field_type != "checkboxes":
                yield (
                    (*path, "options", option_index, "exclusive"),
                    "only checkboxes can have an exclusive option",
                )
        for value, revealed in (field.get("reveal") or {}).items():
            if options is not None and value not in options:
                yield (
                    (*path, "reveal", value),
                    f"`{value}` is not an option of `{field['name']}`{_suggest(value, options)}",
                )
            for child_index, child in enumerate(revealed):
                child_path: Path = (*path, "reveal", value, child_index)
                if child["type"] not in REVEALABLE:
                    yield (
                        (*child_path, "type"),
                        f"a {child['type']} field cannot be revealed by an option",
                    )
                if child.get("reveal"):
                    yield (
                        (*child_path, "reveal"),
                        "a revealed question cannot reveal more questions",
                    )
                if "condition" in child:
                    yield (
                        (*child_path, "condition"),
                        "a revealed question is shown by its option, so it takes no condition",
                    )
        if (
            "min_length" in field
            and "max_length" in field
            and field["min_length"] > field["max_length"]
        ):
            yield ((*path, "min_length"), "min_length is more than max_length")
        if "min" in field and "max" in field and field["min"] > field["max"]:
            yield ((*path, "min"), "min is more than max")
        if "pattern" in field:
            yield from _pattern_problems(field["pattern"], (*path, "pattern"))
        if field_type == "person":
            parts = field.get("parts") or PERSON_PARTS
            for part in field.get("required_parts") or ():
                if part not in parts:
                    yield (
                        (*path, "required_parts"),
                        f"`{part}` is required but not one of the parts asked",
                    )
        if field_type == "hidden" and field.get("source") == "fixed" and "value" not in field:
            yield (path, "a fixed hidden field needs a `value`")
        if field_type == "content":
            if field.get("style") == "details" and "summary" not in field:
                yield (
                    path,
                    "a details block needs a `summary` (the line the user clicks to open it)",
                )
            if "summary" in field and field.get("style") != "details":
                yield ((*path, "summary"), "only a details block has a summary")
        if "autocomplete" in field:
            unknown = [t for t in field["autocomplete"].split() if t not in AUTOCOMPLETE_TOKENS]
            if unknown:
                yield (
                    (*path, "autocomplete"),
                    f"`{unknown[0]}` is not an autocomplete value browsers know",
                )
        if (
            field_type == "date"
            and field.get("must_be") in ("past", "today_or_past")
            and "max_days_in_future" in field
        ):
            yield (
                (*path, "max_days_in_future"),
                "a date in the past cannot have a window in the future",
            )
        if (
            field_type == "date"
            and field.get("must_be") in ("future", "today_or_future")
            and "max_days_in_past" in field
        ):
            yield (
                (*path, "max_days_in_past"),
                "a date in the future cannot have a window in the past",
            )

    def _options(self, field: Mapping[str, Any]) -> list[str] | None:
        return option_values(field, self.lists)

    # Conditions

    def _conditions(self) -> Iterator[Found]:
        for index, page in enumerate(self.data["pages"]):
            path: Path = ("pages", index)
            if "condition" in page:
                yield from self._condition(page["condition"], (*path, "condition"), index)
            for field, field_path in _page_fields(page, path):
                if "condition" in field:
                    yield from self._condition(
                        field["condition"], (*field_path, "condition"), index
                    )

    def _condition(
        self, condition: Mapping[str, Any], path: Path, page_index: int
    ) -> Iterator[Found]:
        for key in ("all", "any"):
            if key in condition:
                for index, item in enumerate(condition[key]):
                    yield from self._condition(item, (*path, key, index), page_index)
                return
        if "not" in condition:
            yield from self._condition(condition["not"], (*path, "not"), page_index)
            return
        name = condition["field"]
        operator = next(key for key in condition if key in OPERATORS)
        value = condition[operator]
        if name not in self.fields:
            yield (
                (*path, "field"),
                f"the condition refers to `{name}`, which is not a field of this form{_suggest(name, self.fields)}",
            )
            return
        where, field, page, _ = self.fields[name]
        if where >= page_index:
            yield (
                (*path, "field"),
                f"the condition refers to `{name}`, which is not asked before this page",
            )
        if page.get("repeat") is not None:
            yield (
                (*path, "field"),
                f"`{name}` is on a repeating page, so it has one answer for each item: a condition cannot use it",
            )
        if operator != "answered":
            yield from comparison_problems(name, field, operator, value, self._options(field), path)


def _pattern_problems(pattern: str, path: Path) -> Iterator[Found]:
    try:
        re.compile(pattern)
        patterns.compiled(pattern)  # what answers are checked with
    except (re.error, regex.error) as error:
        yield (path, f"the pattern is not a valid regular expression: {error}")
        return
    except (OverflowError, RecursionError):
        yield (path, "the pattern is too large or nested too deeply")
        return
    if patterns.too_slow(pattern):
        yield (
            path,
            "the pattern can take too long to check some answers (a repeat inside a repeat, "
            "such as (a|aa)+): write it more simply",
        )


def option_values(field: Mapping[str, Any], lists: Mapping[str, Any]) -> list[str] | None:
    """Return a field's option values, or None if the field has no fixed options."""
    if field["type"] == "yesno":
        return ["yes", "no"]
    if "options" in field:
        return [o["value"] for o in field["options"]]
    if "list" in field:
        return [o["value"] for o in lists.get(field["list"], ())]
    return None


def comparison_problems(
    name: str,
    field: Mapping[str, Any],
    operator: str,
    value: Any,
    options: list[str] | None,
    path: Path,
) -> Iterator[Found]:
    """What is wrong with a condition comparing the field `name` by `operator` with `value`
    (`options`: the field's option values, if it has any). Used for the conditions of pages
    and fields, and for those of the routing block."""
    field_type = field.get("type")
    allowed = OPERATOR_TYPES.get(operator)
    if allowed is not None and field_type not in allowed:
        yield ((*path, operator), f"`{operator}` cannot test a {field_type} field")
        return
    if operator in ("equals", "not_equals") and field_type in NOT_COMPARABLE:
        hint = " (use `contains` for checkboxes)" if field_type == "checkboxes" else ""
        yield ((*path, operator), f"`{operator}` cannot test a {field_type} field{hint}")
        return
    if operator == "in" and field_type in ("file", "address", "location", "person"):
        yield ((*path, operator), f"`in` cannot test a {field_type} field")
        return
    values = value if isinstance(value, list) else [value]

    def where(index: int) -> Path:
        return (*path, operator, index) if isinstance(value, list) else (*path, operator)

    if operator in ("equals", "not_equals", "in", "contains") and options is not None:
        for item_index, item in enumerate(values):
            if item not in options:
                yield (
                    where(item_index),
                    f"`{item}` is not an option of `{name}` ({', '.join(options)})",
                )
    if field_type == "number" and operator in ("equals", "not_equals", "in"):
        if any(isinstance(item, str) for item in values):
            yield ((*path, operator), f"`{name}` is a number, so compare it with a number")
    if field_type == "date" and operator in ("equals", "not_equals", "in"):
        for item_index, item in enumerate(values):
            if not _is_real_date(item):
                yield (
                    where(item_index),
                    f"`{item}` is not a date: `{name}` is compared with a date such as 2025-06-30",
                )
    if operator in ("before", "after") and value != "today" and not _is_real_date(value):
        yield ((*path, operator), f"`{value}` is not a real date")


def _is_real_date(value: Any) -> bool:
    if not isinstance(value, str) or not re.fullmatch(DATE_PATTERN, value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _suggest(word: str, choices: Any) -> str:
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1)
    return f" (did you mean `{close[0]}`?)" if close else ""


def _option_values(items: list[Mapping[str, Any]], path: Path) -> Iterator[Found]:
    seen: set[str] = set()
    for index, option in enumerate(items):
        if option["value"] in seen:
            yield ((*path, index, "value"), f"option value `{option['value']}` is used twice")
        seen.add(option["value"])


def _page_fields(page: Mapping[str, Any], path: Path) -> Iterator[tuple[Mapping[str, Any], Path]]:
    """Yield every field of a page with its path, revealed follow-ups included."""
    for index, field in enumerate(page["fields"]):
        field_path: Path = (*path, "fields", index)
        yield field, field_path
        for value, revealed in (field.get("reveal") or {}).items():
            for child_index, child in enumerate(revealed):
                yield child, (*field_path, "reveal", value, child_index)


def _texts(data: Mapping[str, Any]) -> Iterator[tuple[Path, Any]]:
    """Yield every user-facing text of a definition (never the scoring or routing blocks)."""
    for key in ("title", "description"):
        if key in data:
            yield (key,), data[key]
    for block in ("declaration", "confirmation"):
        for key, value in (data.get(block) or {}).items():
            yield (block, key), value
    for index, section in enumerate(data.get("sections") or ()):
        yield ("sections", index, "title"), section["title"]
    for name, items in (data.get("lists") or {}).items():
        yield from _option_texts(items, ("lists", name))
    for index, page in enumerate(data["pages"]):
        path: Path = ("pages", index)
        yield (*path, "title"), page["title"]
        for key in ("item_label", "min_message"):
            if key in (page.get("repeat") or {}):
                yield (*path, "repeat", key), page["repeat"][key]
        for field, field_path in _page_fields(page, path):
            for key in TEXT_KEYS:
                if key in field:
                    yield (*field_path, key), field[key]
            for key, value in (field.get("messages") or {}).items():
                yield (*field_path, "messages", key), value
            yield from _option_texts(field.get("options") or (), (*field_path, "options"))


def _option_texts(items: Any, path: Path) -> Iterator[tuple[Path, Any]]:
    for index, option in enumerate(items):
        yield (*path, index, "text"), option["text"]
        if "hint" in option:
            yield (*path, index, "hint"), option["hint"]
