"""Validate and normalise one answer per field type, as plain functions.

``validate_answer(field, raw)`` takes what a browser posted (strings, a list of
strings, a mapping of parts) or a value this module produced earlier, and
returns the normalised value or GOV.UK-style errors. It never raises for any
input: tampered and random values become validation errors.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import phonenumbers

from . import messages as m
from . import patterns
from .conditions import uk_today
from .model import Field

log = logging.getLogger(__name__)

# Defaults when a definition sets no limit; a definition cannot go above the
# schema's ceiling, so a 100 KB string is always refused.
DEFAULT_MAX_LENGTH = {"text": 500, "textarea": 5_000, "email": 254, "hidden": 500}
NAME_MAX = 100
ADDRESS_LINE_MAX = 200
DESCRIPTION_MAX = 2_000
MAX_AGE = 120
DEFAULT_FILE_MAX_MB = 10.0
FILE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

# The shapes of UK postcodes (A9, A99, A9A, AA9, AA99, AA9A + 9AA), with the letters
# that never appear in each position, as in the government data standard.
POSTCODE = re.compile(
    r"^([A-PR-UWYZ](?:[0-9][0-9A-HJKPSTUW]?|[A-HK-Y][0-9][0-9ABEHMNPRVWXY]?))([0-9][ABD-HJLNP-UW-Z]{2})$"
)
EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")
TIME_24 = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")
TIME_12 = re.compile(r"^(1[0-2]|0?[1-9])(?:[:.]([0-5]\d))?\s*([ap])\.?\s*m\.?$")

MONTH_NAMES = {
    name: index + 1
    for names in (
        "jan feb mar apr may jun jul aug sep oct nov dec".split(),
        [month.lower() for month in m.MONTHS["en"]],
        [month.lower() for month in m.MONTHS["cy"]],
    )
    for index, name in enumerate(names)
}
MONTH_NAMES["sept"] = 9


@dataclass(frozen=True)
class FieldError:
    """One problem with an answer; ``part`` names the input to highlight."""

    field: str
    message: str
    code: str
    part: str | None = None


@dataclass(frozen=True)
class AnswerResult:
    """The normalised value (None when not answered) or the errors."""

    value: Any
    errors: tuple[FieldError, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors


class _Fail(Exception):
    def __init__(self, *errors: FieldError) -> None:
        self.errors = errors


def validate_answer(
    field: Field,
    raw: Any,
    lang: str = "en",
    today: dt.date | None = None,
) -> AnswerResult:
    """Validate and normalise one field's answer."""
    check = _VALIDATORS.get(field.type)
    if check is None or not field.is_question:
        return AnswerResult(None)
    context = _Context(field, lang, today or uk_today())
    try:
        value = check(context, raw)
    except _Fail as failure:
        return AnswerResult(None, failure.errors)
    except RecursionError:
        return AnswerResult(None, (context.error("invalid", m.render("invalid", lang)),))
    if value is None and field.required:
        return AnswerResult(None, (context.error("required", m.required_message(field, lang)),))
    return AnswerResult(value)


@dataclass
class _Context:
    field: Field
    lang: str
    today: dt.date

    def error(self, code: str, message: str, part: str | None = None) -> FieldError:
        return FieldError(self.field.name or "", message, code, part)

    def fail(
        self, code: str, default_name: str = "answer", part: str | None = None, **params: Any
    ) -> _Fail:
        message = m.field_message(self.field, code, self.lang, default_name, **params)
        return _Fail(self.error(code, message, part))


# Text ---------------------------------------------------------------------


def clean_text(raw: Any, multiline: bool = False) -> str | None:
    """Return tidy text, or None when empty; raise _Fail-free ValueError when not text.

    Keeps HTML and script exactly as typed (it is rendered escaped), but drops
    control characters and lone surrogates, which break storage and encryption.
    """
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        raise ValueError("not text")
    if isinstance(raw, float) and not math.isfinite(raw):
        raise ValueError("not text")
    text = unicodedata.normalize("NFC", _drop_surrogates(str(raw)))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    kept = []
    for char in text:
        if char in "\n\t":
            kept.append(char if multiline else " ")
        elif unicodedata.category(char) != "Cc":
            kept.append(char)
    result = "".join(kept).strip()
    if not multiline:
        result = re.sub(r"\s+", " ", result)
    return result or None


def _drop_surrogates(text: str) -> str:
    return text.encode("utf-8", "ignore").decode("utf-8") if _has_surrogate(text) else text


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _text(
    context: _Context, raw: Any, multiline: bool = False, default_max: int | None = None
) -> str | None:
    field = context.field
    limit = field.max_length or default_max or DEFAULT_MAX_LENGTH.get(field.type, 500)
    # Refuse giant posts before normalising them: the work is proportional to size.
    if isinstance(raw, str) and len(raw) > limit * 4 + 1_000:
        raise context.fail("max_length", max=limit)
    try:
        text = clean_text(raw, multiline)
    except ValueError:
        raise _Fail(context.error("invalid", m.render("invalid", context.lang))) from None
    if text is None:
        return None
    if len(text) > limit:
        raise context.fail("max_length", max=limit)
    if field.min_length is not None and len(text) < field.min_length:
        raise context.fail("min_length", min=field.min_length)
    if field.max_words is not None and len(text.split()) > field.max_words:
        raise context.fail("max_words", max=field.max_words)
    if field.pattern is not None and not _pattern_allows(field, field.pattern, text):
        raise context.fail("pattern")
    return text


def _pattern_allows(field: Field, pattern: str, text: str) -> bool:
    allowed = patterns.matches(pattern, text)
    if allowed is None:
        # Only a pattern slower than the check of its definition found can get here. The
        # answer is kept rather than the person stopped on a page they cannot get past.
        log.warning(
            "the pattern of field %s took too long; the answer was kept unchecked", field.name
        )
        return True
    return allowed


def _single_line(context: _Context, raw: Any) -> str | None:
    return _text(context, raw)


def _multi_line(context: _Context, raw: Any) -> str | None:
    return _text(context, raw, multiline=True)


def _hidden(context: _Context, raw: Any) -> str | None:
    if context.field.source == "fixed":
        # A fixed value never comes from the request, so tampering changes nothing.
        return context.field.value
    if raw is None or raw == "":
        raw = context.field.value
    # A prefilled value the user never sees cannot be corrected by them, so a bad
    # one (a mistyped or tampered link) is dropped rather than shown as an error.
    try:
        return _text(context, raw)
    except _Fail:
        return None


# Numbers ------------------------------------------------------------------


def _number(context: _Context, raw: Any) -> int | float | None:
    field = context.field
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise context.fail("number")
    if isinstance(raw, int | float):
        if not math.isfinite(raw):
            raise context.fail("number")
        number: int | float = raw
    elif isinstance(raw, str):
        text = raw.strip().replace(",", "").replace(" ", "")
        if text == "":
            return None
        if len(text) > 30 or NUMBER.match(text) is None:
            raise context.fail("number")
        number = float(text) if "." in text else int(text)
    else:
        raise context.fail("number")
    if isinstance(number, float) and number.is_integer() and abs(number) < 2**53:
        number = int(number)
    if field.integer and not isinstance(number, int):
        raise context.fail("integer")
    low, high = field.minimum, field.maximum
    if (low is not None and number < low) or (high is not None and number > high):
        if low is not None and high is not None:
            raise context.fail("between", min=_show(low), max=_show(high))
        if low is not None:
            raise context.fail("min", min=_show(low))
        raise context.fail("max", max=_show(high))
    return number


def _show(number: float | None) -> str:
    if number is None:
        return ""
    return str(int(number)) if float(number).is_integer() else str(number)


# Email, phone, postcode ---------------------------------------------------


def _email(context: _Context, raw: Any) -> str | None:
    text = _text(context, raw)
    if text is None:
        return None
    if " " in text or EMAIL.match(text) is None:
        raise context.fail("email")
    local, domain = text.rsplit("@", 1)
    if len(local) > 64 or ".." in text:
        raise context.fail("email")
    return f"{local}@{domain.lower()}"


def normalise_phone(raw: str, uk_only: bool = False) -> str | None:
    """Return a phone number in E.164, or None if it is not a real number."""
    if len(raw) > 40:
        return None
    try:
        number = phonenumbers.parse(raw, "GB")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    if uk_only and number.country_code != 44:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _phone(context: _Context, raw: Any) -> str | None:
    try:
        text = clean_text(raw)
    except ValueError:
        text = "?"
    if text is None:
        return None
    code = "phone_uk" if context.field.uk_only else "phone"
    value = normalise_phone(text, context.field.uk_only)
    if value is None:
        raise context.fail(code)
    return value


def normalise_postcode(raw: str) -> str | None:
    """Return a UK postcode as "SW1A 1AA", or None if it is not one."""
    compact = re.sub(r"\s+", "", raw.upper())
    if compact == "GIR0AA":
        return "GIR 0AA"
    match = POSTCODE.match(compact)
    if match is None:
        return None
    return f"{match.group(1)} {match.group(2)}"


def _postcode(context: _Context, raw: Any, part: str | None = None) -> str | None:
    try:
        text = clean_text(raw)
    except ValueError:
        text = "?"
    if text is None:
        return None
    value = normalise_postcode(text[:20])
    if value is None:
        raise _Fail(
            context.error("invalid", m.field_message(context.field, "postcode", context.lang), part)
        )
    return value


# Dates and times -----------------------------------------------------------


def _date(context: _Context, raw: Any) -> str | None:
    parsed = parse_date(context, raw)
    if parsed is None:
        return None
    _check_window(context, parsed)
    return parsed.isoformat()


def parse_date(context: _Context, raw: Any, name: str | None = None) -> dt.date | None:
    """Read a date from {day, month, year} parts or a "YYYY-MM-DD" string."""
    lang = context.lang
    label = name if name is not None else m.error_name(context.field, lang, "date")

    def fail(code: str, part: str | None = None, **params: Any) -> _Fail:
        if name is None:
            message = m.field_message(context.field, code, lang, "date", **params)
        else:
            message = m.render(code, lang, label, **params)
        return _Fail(context.error("invalid", message, part))

    if raw is None:
        return None
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, str):
        text = raw.strip()
        if text == "":
            return None
        match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text)
        if match is None:
            raise fail("date_invalid")
        parts: dict[str, Any] = {
            "year": match.group(1),
            "month": match.group(2),
            "day": match.group(3),
        }
    elif isinstance(raw, Mapping):
        parts = {key: raw.get(key) for key in ("day", "month", "year")}
    else:
        raise fail("date_invalid")
    cleaned: dict[str, str] = {}
    for key, value in parts.items():
        if isinstance(value, bool) or not isinstance(value, str | int | type(None)):
            raise fail("date_invalid", key)
        cleaned[key] = "" if value is None else str(value).strip()[:20]
    missing = [key for key in ("day", "month", "year") if cleaned[key] == ""]
    if len(missing) == 3:
        return None
    if missing:
        raise fail("date_incomplete", missing[0], parts=m.join_date_parts(missing, lang))
    day = _whole(cleaned["day"])
    month = _whole(cleaned["month"]) or MONTH_NAMES.get(cleaned["month"].lower())
    if not re.fullmatch(r"\d{4}", cleaned["year"]):
        if day is not None and month is not None:
            raise _Fail(context.error("invalid", m.render("year_digits", lang), "year"))
        raise fail("date_invalid", "day" if day is None else "month")
    year = int(cleaned["year"])
    if day is None or month is None:
        raise fail("date_invalid", "day" if day is None else "month")
    try:
        return dt.date(year, month, day)
    except ValueError:
        wrong_part = "month" if not 1 <= month <= 12 else "day"
        raise fail("date_invalid", wrong_part) from None


def _whole(text: str) -> int | None:
    return int(text) if re.fullmatch(r"\d{1,2}", text) else None


def _check_window(context: _Context, value: dt.date) -> None:
    field, today = context.field, context.today
    rule = field.must_be
    if rule == "past" and value >= today:
        raise context.fail("past", "date")
    if rule == "today_or_past" and value > today:
        raise context.fail("today_or_past", "date")
    if rule == "future" and value <= today:
        raise context.fail("future", "date")
    if rule == "today_or_future" and value < today:
        raise context.fail("today_or_future", "date")
    if field.max_days_in_past is not None:
        earliest = today - dt.timedelta(days=field.max_days_in_past)
        if value < earliest:
            raise context.fail("too_early", "date", date=m.format_date(earliest, context.lang))
    if field.max_days_in_future is not None:
        latest = today + dt.timedelta(days=field.max_days_in_future)
        if value > latest:
            raise context.fail("too_late", "date", date=m.format_date(latest, context.lang))


def normalise_time(raw: str) -> str | None:
    """Return a time as "HH:MM" from "21:30", "9.30pm", "9pm", "noon" or "midnight"."""
    text = raw.strip().lower()
    if text in ("noon", "midday", "12 noon", "canol dydd", "hanner dydd"):
        return "12:00"
    if text in ("midnight", "12 midnight", "canol nos", "hanner nos"):
        return "00:00"
    match = TIME_24.match(text)
    if match:
        return f"{int(match.group(1)):02d}:{match.group(2)}"
    match = TIME_12.match(text)
    if match:
        hour = int(match.group(1)) % 12 + (12 if match.group(3) == "p" else 0)
        return f"{hour:02d}:{match.group(2) or '00'}"
    return None


def _time(context: _Context, raw: Any) -> str | None:
    try:
        text = clean_text(raw)
    except ValueError:
        text = "?"
    if text is None:
        return None
    value = normalise_time(text[:20])
    if value is None:
        raise context.fail("time", "time")
    return value


# Choices -----------------------------------------------------------------


def _choice(context: _Context, raw: Any) -> str | None:
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return None
    if not isinstance(raw, str) or raw not in context.field.option_values():
        raise _Fail(
            context.error("invalid", m.field_message(context.field, "option_invalid", context.lang))
        )
    return raw


def _checkboxes(context: _Context, raw: Any) -> list[str] | None:
    field = context.field
    if raw is None or raw == "":
        return None
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list | tuple) or len(raw) > len(field.options) * 2 + 5:
        raise _Fail(
            context.error("invalid", m.field_message(field, "option_invalid", context.lang))
        )
    chosen = set()
    for item in raw:
        if isinstance(item, str) and item == "":
            continue
        if not isinstance(item, str) or item not in field.option_values():
            raise _Fail(
                context.error("invalid", m.field_message(field, "option_invalid", context.lang))
            )
        chosen.add(item)
    if not chosen:
        return None
    exclusive = [option for option in field.options if option.exclusive and option.value in chosen]
    if exclusive and len(chosen) > 1:
        raise context.fail("exclusive", "choice", option=exclusive[0].text.get(context.lang))
    # Option order, not click order, so equal answers compare equal.
    return [value for value in field.option_values() if value in chosen]


# Compound fields -----------------------------------------------------------


def _parts(context: _Context, raw: Any, allowed: tuple[str, ...]) -> dict[str, Any] | None:
    if raw is None or raw == "":
        return None
    if not isinstance(raw, Mapping):
        raise _Fail(context.error("invalid", m.render("invalid", context.lang)))
    return {key: raw.get(key) for key in allowed}


def _part_text(
    context: _Context, raw: Any, part: str, limit: int, multiline: bool = False
) -> str | None:
    if isinstance(raw, str) and len(raw) > limit * 4 + 1_000:
        raw = raw[: limit + 1]
    try:
        text = clean_text(raw, multiline)
    except ValueError:
        raise _Fail(context.error("invalid", m.render("invalid", context.lang), part)) from None
    if text is not None and len(text) > limit:
        message = m.render("max_length", context.lang, m.part_name(part, context.lang), max=limit)
        raise _Fail(context.error("max_length", message, part))
    return text


def _address(context: _Context, raw: Any) -> dict[str, str] | None:
    parts = _parts(context, raw, ("line1", "line2", "town", "county", "postcode"))
    if parts is None:
        return None
    errors: list[FieldError] = []
    value: dict[str, str] = {}
    for part in ("line1", "line2", "town", "county"):
        try:
            text = _part_text(context, parts[part], part, ADDRESS_LINE_MAX)
        except _Fail as failure:
            errors.extend(failure.errors)
            continue
        if text is not None:
            value[part] = text
    try:
        postcode = _postcode(context, parts["postcode"], "postcode")
    except _Fail as failure:
        errors.extend(failure.errors)
        postcode = None
    if postcode is not None:
        value["postcode"] = postcode
    if not value and not errors:
        return None
    needed = ["line1", "town"] + (["postcode"] if context.field.postcode_required else [])
    failed = {error.part for error in errors}
    for part in needed:
        if part not in value and part not in failed:
            errors.append(
                context.error(
                    "required",
                    m.render("enter", context.lang, m.part_name(part, context.lang)),
                    part,
                )
            )
    if errors:
        raise _Fail(*errors)
    return value


def _location(context: _Context, raw: Any) -> dict[str, Any] | None:
    parts = _parts(context, raw, ("description", "postcode", "latitude", "longitude"))
    if parts is None:
        return None
    errors: list[FieldError] = []
    value: dict[str, Any] = {}
    try:
        description = _part_text(
            context, parts["description"], "description", DESCRIPTION_MAX, True
        )
        if description is not None:
            value["description"] = description
    except _Fail as failure:
        errors.extend(failure.errors)
    try:
        postcode = _postcode(context, parts["postcode"], "postcode")
        if postcode is not None:
            value["postcode"] = postcode
    except _Fail as failure:
        errors.extend(failure.errors)
    if context.field.map:
        position = _position(parts["latitude"], parts["longitude"])
        if position is False:
            errors.append(context.error("invalid", m.render("map_invalid", context.lang), "map"))
        elif isinstance(position, tuple):
            value["latitude"], value["longitude"] = position
    if errors:
        raise _Fail(*errors)
    if not value:
        return None
    if "description" not in value:
        message = m.render("enter", context.lang, m.part_name("description", context.lang))
        raise _Fail(context.error("required", message, "description"))
    return value


def _position(latitude: Any, longitude: Any) -> tuple[float, float] | None | bool:
    """Return (lat, lng), None when no map position was given, or False when invalid."""
    empty = (None, "")
    if latitude in empty and longitude in empty:
        return None
    try:
        if isinstance(latitude, bool) or isinstance(longitude, bool):
            return False
        lat = float(str(latitude)[:30])
        lng = float(str(longitude)[:30])
    except (TypeError, ValueError):
        return False
    if not (math.isfinite(lat) and math.isfinite(lng) and -90 <= lat <= 90 and -180 <= lng <= 180):
        return False
    return round(lat, 6), round(lng, 6)


def _person(context: _Context, raw: Any) -> dict[str, Any] | None:
    field = context.field
    parts = _parts(context, raw, field.parts)
    if parts is None:
        return None
    lang = context.lang
    errors: list[FieldError] = []
    value: dict[str, Any] = {}
    for part in field.parts:
        try:
            result = _person_part(context, part, parts[part])
        except _Fail as failure:
            errors.extend(failure.errors)
            continue
        if result is not None:
            value[part] = result
    if not value and not errors:
        return None
    failed = {error.part for error in errors}
    for part in field.required_parts:
        if part not in value and part not in failed:
            name = m.part_name("person_description" if part == "description" else part, lang)
            verb = "enter"
            errors.append(context.error("required", m.render(verb, lang, name), part))
    if errors:
        raise _Fail(*errors)
    return value


def _person_part(context: _Context, part: str, raw: Any) -> Any:
    lang = context.lang
    if part in ("first_name", "last_name", "known_as"):
        return _part_text(context, raw, part, NAME_MAX)
    if part == "description":
        if isinstance(raw, str) and len(raw) > DESCRIPTION_MAX * 4 + 1_000:
            raw = raw[: DESCRIPTION_MAX + 1]
        try:
            text = clean_text(raw, multiline=True)
        except ValueError:
            raise _Fail(context.error("invalid", m.render("invalid", lang), part)) from None
        if text is not None and len(text) > DESCRIPTION_MAX:
            name = m.part_name("person_description", lang)
            raise _Fail(
                context.error(
                    "max_length", m.render("max_length", lang, name, max=DESCRIPTION_MAX), part
                )
            )
        return text
    if part == "date_of_birth":
        name = m.part_name("date_of_birth", lang)
        try:
            born = parse_date(context, raw, name=name)
        except _Fail as failure:
            raise _Fail(*(_inside(error, part) for error in failure.errors)) from None
        if born is None:
            return None
        if born > context.today:
            raise _Fail(context.error("invalid", m.render("today_or_past", lang, name), part))
        return born.isoformat()
    if part == "approximate_age":
        return _age(context, raw)
    if part == "phone":
        try:
            text = clean_text(raw)
        except ValueError:
            text = "?"
        if text is None:
            return None
        phone = normalise_phone(text)
        if phone is None:
            raise _Fail(context.error("invalid", m.render("phone", lang), part))
        return phone
    if part == "email":
        try:
            text = clean_text(raw)
        except ValueError:
            text = "?"
        if text is None:
            return None
        if len(text) > 254 or EMAIL.match(text) is None or ".." in text:
            raise _Fail(context.error("invalid", m.render("email", lang), part))
        local, domain = text.rsplit("@", 1)
        return f"{local}@{domain.lower()}"
    if part == "address":
        inner = Field(type="address", name=context.field.name, postcode_required=False)
        result = validate_answer(inner, raw, lang, context.today)
        if result.errors:
            raise _Fail(*(_inside(error, part) for error in result.errors))
        return result.value
    return None


def _inside(error: FieldError, part: str) -> FieldError:
    """Place an error from a nested input under its part: "date_of_birth.day"."""
    inner = f"{part}.{error.part}" if error.part else part
    return FieldError(error.field, error.message, error.code, inner)


def _age(context: _Context, raw: Any) -> int | None:
    lang = context.lang
    name = m.part_name("approximate_age", lang)
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return None
    if isinstance(raw, bool):
        raise _Fail(context.error("invalid", m.render("integer", lang, name), "approximate_age"))
    text = str(raw).strip()[:10] if isinstance(raw, str | int) else ""
    if not re.fullmatch(r"\d{1,3}", text):
        raise _Fail(context.error("invalid", m.render("integer", lang, name), "approximate_age"))
    age = int(text)
    if age > MAX_AGE:
        raise _Fail(
            context.error(
                "invalid", m.render("between", lang, name, min=0, max=MAX_AGE), "approximate_age"
            )
        )
    return age


# Files --------------------------------------------------------------------


def _files(context: _Context, raw: Any) -> list[dict[str, Any]] | None:
    """Check uploaded file records: [{id, name, kind, size}], as the upload step stored them."""
    field = context.field
    if raw is None or raw == "" or raw == []:
        return None
    if isinstance(raw, Mapping):
        raw = [raw]
    if not isinstance(raw, list | tuple):
        raise _Fail(context.error("invalid", m.render("file_invalid", context.lang)))
    if len(raw) > field.max_files:
        raise context.fail("too_many_files", max=field.max_files)
    limit_mb = field.max_size_mb or DEFAULT_FILE_MAX_MB
    accepted = field.accept or ("image", "video", "audio", "document")
    value = []
    for item in raw:
        if not isinstance(item, Mapping):
            raise _Fail(context.error("invalid", m.render("file_invalid", context.lang)))
        file_id, name, kind, size = (item.get(key) for key in ("id", "name", "kind", "size"))
        if not (isinstance(file_id, str) and FILE_ID.match(file_id)):
            raise _Fail(context.error("invalid", m.render("file_invalid", context.lang)))
        if not isinstance(size, int) or isinstance(size, bool) or size <= 0:
            raise _Fail(context.error("invalid", m.render("file_invalid", context.lang)))
        try:
            display_name = clean_text(name) if isinstance(name, str) else None
        except ValueError:
            display_name = None
        shown = (display_name or "file")[:255]
        if kind not in accepted:
            kinds = m.file_kinds(tuple(accepted), context.lang)
            raise _refuse_file(context, "file_type", shown, kinds=kinds)
        if size > limit_mb * 1024 * 1024:
            raise _refuse_file(context, "file_size", shown, size=_show(limit_mb))
        value.append({"id": file_id, "name": shown, "kind": kind, "size": size})
    return value


def _refuse_file(context: _Context, code: str, name: str, **params: Any) -> _Fail:
    """Refuse one file, naming it where the question takes several, so the person knows which."""
    if context.field.max_files > 1:
        template = "file_named_" + code.removeprefix("file_")
        message = m.field_message(context.field, template, context.lang, file_name=name, **params)
    else:
        message = m.field_message(context.field, code, context.lang, **params)
    return _Fail(context.error(code, message))


_VALIDATORS: dict[str, Callable[[_Context, Any], Any]] = {
    "text": _single_line,
    "textarea": _multi_line,
    "number": _number,
    "email": _email,
    "phone": _phone,
    "date": _date,
    "time": _time,
    "radios": _choice,
    "select": _choice,
    "yesno": _choice,
    "checkboxes": _checkboxes,
    "postcode": _postcode,
    "address": _address,
    "location": _location,
    "person": _person,
    "file": _files,
    "hidden": _hidden,
}


# The content types each kind of upload accepts; the upload step checks the
# real type from the file's first bytes, never from the name or the browser.
FILE_KIND_TYPES: dict[str, tuple[str, ...]] = {
    "image": ("image/jpeg", "image/png", "image/gif", "image/webp", "image/heic", "image/heif"),
    "video": ("video/mp4", "video/quicktime", "video/webm", "video/3gpp"),
    "audio": ("audio/mpeg", "audio/mp4", "audio/x-m4a", "audio/wav", "audio/ogg", "audio/aac"),
    "document": (
        "application/pdf",
        "text/plain",
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.oasis.opendocument.text",
        "application/rtf",
    ),
}


def kind_of(content_type: str) -> str | None:
    """Return the upload kind ("image", "video", ...) of a content type, if accepted at all."""
    base = content_type.split(";", 1)[0].strip().lower()
    for kind, types in FILE_KIND_TYPES.items():
        if base in types:
            return kind
    return None
