"""The typed, immutable in-memory model of a form definition."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from .conditions import Condition

DEFAULT_LANGUAGE = "en"

FIELD_TYPES = (
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
    "address",
    "location",
    "person",
    "file",
    "hidden",
    "content",
)
CHOICE_TYPES = ("radios", "checkboxes", "select", "yesno")
COMPOUND_TYPES = ("address", "location", "person")
PERSON_PARTS = (
    "first_name",
    "last_name",
    "known_as",
    "date_of_birth",
    "approximate_age",
    "description",
    "phone",
    "email",
    "address",
)
ADDRESS_PARTS = ("line1", "line2", "town", "county", "postcode")
LOCATION_PARTS = ("description", "postcode", "latitude", "longitude")
CONTENT_STYLES = ("text", "inset", "warning", "details")
# The public site's own pages under /f/<slug>/. Their fixed routes are matched before a
# definition's pages, so a page given one of these ids could never be opened.
CHECK_PAGE = "check-your-answers"
CONFIRMATION_PAGE = "confirmation"
KEEP_ALIVE_PAGE = "keep-alive"
START_AGAIN_PAGE = "start-again"
RESERVED_PAGE_IDS = frozenset({CHECK_PAGE, CONFIRMATION_PAGE, KEEP_ALIVE_PAGE, START_AGAIN_PAGE})


@dataclass(frozen=True)
class Text:
    """User-facing text in one or more languages."""

    values: Mapping[str, str]

    @classmethod
    def of(cls, data: str | Mapping[str, str] | None) -> Text | None:
        if data is None:
            return None
        if isinstance(data, str):
            return cls(MappingProxyType({DEFAULT_LANGUAGE: data}))
        return cls(MappingProxyType(dict(data)))

    def get(self, lang: str = DEFAULT_LANGUAGE) -> str:
        """Return the text in a language, falling back to English."""
        if lang in self.values:
            return self.values[lang]
        return self.values.get(DEFAULT_LANGUAGE) or next(iter(self.values.values()), "")

    def __str__(self) -> str:
        return self.get(DEFAULT_LANGUAGE)

    def blocks(self, lang: str = DEFAULT_LANGUAGE) -> list[tuple[str, Any]]:
        """Split the text into ("p", line) paragraphs and ("ul", [items]) lists.

        Content is plain text, never HTML: a blank line starts a paragraph and
        lines starting "- " make a bulleted list, so templates can render it
        escaped without a Markdown library.
        """
        result: list[tuple[str, Any]] = []
        for chunk in self.get(lang).replace("\r\n", "\n").split("\n\n"):
            lines = [line.strip() for line in chunk.strip().split("\n") if line.strip()]
            paragraph: list[str] = []
            bullets: list[str] = []
            for line in lines:
                if line.startswith("- "):
                    if paragraph:
                        result.append(("p", " ".join(paragraph)))
                        paragraph = []
                    bullets.append(line[2:].strip())
                else:
                    if bullets:
                        result.append(("ul", bullets))
                        bullets = []
                    paragraph.append(line)
            if paragraph:
                result.append(("p", " ".join(paragraph)))
            if bullets:
                result.append(("ul", bullets))
        return result


@dataclass(frozen=True)
class Option:
    value: str
    text: Text
    hint: Text | None = None
    exclusive: bool = False


@dataclass(frozen=True, repr=False)
class Field:
    """One question or content block. Type-specific settings are None when unused."""

    type: str
    name: str | None
    label: Text | None = None
    hint: Text | None = None
    required: bool = False
    condition: Condition | None = None
    error_name: Text | None = None
    messages: Mapping[str, Text] = field(default_factory=lambda: MappingProxyType({}))
    autocomplete: str | None = None
    # text-like
    min_length: int | None = None
    max_length: int | None = None
    max_words: int | None = None
    pattern: str | None = None
    rows: int | None = None
    # number
    minimum: float | None = None
    maximum: float | None = None
    integer: bool = False
    prefix: Text | None = None
    suffix: Text | None = None
    # date
    must_be: str | None = None
    max_days_in_past: int | None = None
    max_days_in_future: int | None = None
    # phone
    uk_only: bool = False
    # choices
    options: tuple[Option, ...] = ()
    list_name: str | None = None
    reveal: Mapping[str, tuple[Field, ...]] = field(default_factory=lambda: MappingProxyType({}))
    # address, location, person
    parts: tuple[str, ...] = ()
    required_parts: tuple[str, ...] = ()
    postcode_required: bool = True
    map: bool = False
    # file
    accept: tuple[str, ...] = ()
    max_size_mb: float | None = None
    max_files: int = 1
    # hidden
    value: str | None = None
    source: str | None = None
    query_param: str | None = None
    # content
    style: str | None = None
    text: Text | None = None
    summary: Text | None = None

    def __repr__(self) -> str:
        return f"Field({self.type!r}, {self.name!r})"

    @property
    def is_question(self) -> bool:
        return self.type != "content"

    def option(self, value: str) -> Option | None:
        return next((option for option in self.options if option.value == value), None)

    def option_values(self) -> tuple[str, ...]:
        return tuple(option.value for option in self.options)

    def revealed_fields(self) -> Iterator[tuple[str, Field]]:
        """Yield (option value, follow-up field) for each conditionally revealed field."""
        for value, fields in self.reveal.items():
            for follow_up in fields:
                yield value, follow_up


@dataclass(frozen=True)
class Repeat:
    min: int
    max: int
    item_label: Text | None = None
    min_message: Text | None = None


@dataclass(frozen=True, repr=False)
class Page:
    id: str
    title: Text
    fields: tuple[Field, ...] = ()
    section: str | None = None
    condition: Condition | None = None
    repeat: Repeat | None = None
    exit: bool = False

    def __repr__(self) -> str:
        return f"Page({self.id!r})"

    @property
    def questions(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.is_question)

    def all_fields(self) -> Iterator[Field]:
        """Yield every field on the page, follow-ups straight after their parent."""
        for item in self.fields:
            yield item
            for _value, follow_up in item.revealed_fields():
                yield follow_up


@dataclass(frozen=True)
class Section:
    id: str
    title: Text


@dataclass(frozen=True)
class Declaration:
    text: Text
    label: Text


@dataclass(frozen=True)
class Confirmation:
    title: Text | None
    text: Text


@dataclass(frozen=True)
class FormDefinition:
    """A validated form, with the exact source it was built from."""

    slug: str
    title: Text
    reference_prefix: str
    channel: str
    languages: tuple[str, ...]
    pages: tuple[Page, ...]
    sections: tuple[Section, ...]
    lists: Mapping[str, tuple[Option, ...]]
    description: Text | None
    declaration: Declaration | None
    confirmation: Confirmation | None
    source_path: str
    source_text: str
    content_hash: str
    raw: Mapping[str, Any] = field(repr=False)
    _fields: Mapping[str, Field] = field(repr=False, compare=False)
    _pages_of_fields: Mapping[str, Page] = field(repr=False, compare=False)

    @property
    def scoring(self) -> dict[str, Any] | None:
        """Return a copy of the scoring block (its meaning belongs to scoring/)."""
        block = self.raw.get("scoring")
        return thaw(block) if block is not None else None

    @property
    def routing(self) -> dict[str, Any] | None:
        """Return a copy of the routing block (its meaning belongs to the intake work)."""
        block = self.raw.get("routing")
        return thaw(block) if block is not None else None

    def as_dict(self) -> dict[str, Any]:
        """Return a fresh, mutable copy of the parsed YAML, e.g. to hand to scoring."""
        result: dict[str, Any] = thaw(self.raw)
        return result

    def page(self, page_id: str) -> Page:
        for page in self.pages:
            if page.id == page_id:
                return page
        raise KeyError(page_id)

    def field(self, name: str) -> Field:
        return self._fields[name]

    def page_of(self, name: str) -> Page:
        """Return the page a field (or follow-up field) is asked on."""
        return self._pages_of_fields[name]

    def fields(self) -> Iterator[Field]:
        """Yield every question field of the form, follow-ups included."""
        yield from self._fields.values()

    def section(self, section_id: str) -> Section:
        for item in self.sections:
            if item.id == section_id:
                return item
        raise KeyError(section_id)


def freeze(value: Any) -> Any:
    """Return a deeply read-only copy of parsed YAML (mappings and tuples)."""
    if isinstance(value, Mapping):
        return MappingProxyType({key: freeze(item) for key, item in value.items()})
    if isinstance(value, list | tuple):
        return tuple(freeze(item) for item in value)
    return value


def thaw(value: Any) -> Any:
    """Return a plain, mutable copy of frozen data (dicts and lists)."""
    if isinstance(value, Mapping):
        return {key: thaw(item) for key, item in value.items()}
    if isinstance(value, tuple):
        return [thaw(item) for item in value]
    return value
