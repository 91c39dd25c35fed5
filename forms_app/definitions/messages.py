"""Error messages in English and Welsh, following the GOV.UK Design System patterns.

A field's ``error_name`` (e.g. "date of birth") fills the templates: "Enter
date of birth", "Date of birth must be in the past". In Welsh the name always
follows "Rhowch", "Dewiswch" or "Rhaid i", which all cause soft mutation, so
authors write the Welsh name mutated once ("ddyddiad geni"), and "i" is
contracted before possessives and the article ("i'ch", "i'w", "i'r").
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from .model import Field

TEMPLATES: dict[str, dict[str, str]] = {
    "enter": {"en": "Enter {name}", "cy": "Rhowch {name}"},
    "select": {"en": "Select {name}", "cy": "Dewiswch {name}"},
    "invalid": {"en": "Enter a valid answer", "cy": "Rhowch ateb dilys"},
    "option_invalid": {"en": "Select one of the options", "cy": "Dewiswch un o’r opsiynau"},
    "min_length": {
        "en": "{Name} must be {min} characters or more",
        "cy": "Rhaid i {name} fod yn {min} nod neu fwy",
    },
    "max_length": {
        "en": "{Name} must be {max} characters or less",
        "cy": "Rhaid i {name} fod yn {max} nod neu lai",
    },
    "max_words": {
        "en": "{Name} must be {max} words or less",
        "cy": "Rhaid i {name} fod yn {max} gair neu lai",
    },
    "pattern": {
        "en": "Enter {name} in the correct format",
        "cy": "Rhowch {name} yn y fformat cywir",
    },
    "number": {"en": "{Name} must be a number", "cy": "Rhaid i {name} fod yn rhif"},
    "integer": {"en": "{Name} must be a whole number", "cy": "Rhaid i {name} fod yn rhif cyfan"},
    "min": {"en": "{Name} must be {min} or more", "cy": "Rhaid i {name} fod yn {min} neu fwy"},
    "max": {"en": "{Name} must be {max} or less", "cy": "Rhaid i {name} fod yn {max} neu lai"},
    "between": {
        "en": "{Name} must be between {min} and {max}",
        "cy": "Rhaid i {name} fod rhwng {min} a {max}",
    },
    "email": {
        "en": "Enter an email address in the correct format, like name@example.com",
        "cy": "Rhowch gyfeiriad e-bost yn y fformat cywir, fel enw@enghraifft.com",
    },
    # Examples from Ofcom's numbers for drama that phonenumbers accepts (its 01632 960 and
    # 07700 900 ranges are refused), so the number a message suggests is one the field takes.
    "phone": {
        "en": "Enter a telephone number, like 020 7946 0000 or +44 808 157 0192",
        "cy": "Rhowch rif ffôn, fel 020 7946 0000 neu +44 808 157 0192",
    },
    "phone_uk": {
        "en": "Enter a UK telephone number, like 020 7946 0000 or +44 808 157 0192",
        "cy": "Rhowch rif ffôn yn y DU, fel 020 7946 0000 neu +44 808 157 0192",
    },
    "postcode": {"en": "Enter a full UK postcode", "cy": "Rhowch god post llawn yn y DU"},
    "date_incomplete": {
        "en": "{Name} must include a {parts}",
        "cy": "Rhaid i {name} gynnwys {parts}",
    },
    "date_invalid": {
        "en": "{Name} must be a real date",
        "cy": "Rhaid i {name} fod yn ddyddiad go iawn",
    },
    "year_digits": {"en": "Year must include 4 numbers", "cy": "Rhaid i’r flwyddyn gynnwys 4 rhif"},
    "past": {"en": "{Name} must be in the past", "cy": "Rhaid i {name} fod yn y gorffennol"},
    "today_or_past": {
        "en": "{Name} must be today or in the past",
        "cy": "Rhaid i {name} fod heddiw neu yn y gorffennol",
    },
    "future": {"en": "{Name} must be in the future", "cy": "Rhaid i {name} fod yn y dyfodol"},
    "today_or_future": {
        "en": "{Name} must be today or in the future",
        "cy": "Rhaid i {name} fod heddiw neu yn y dyfodol",
    },
    "too_early": {
        "en": "{Name} must be the same as or after {date}",
        "cy": "Rhaid i {name} fod ar {date} neu ar ôl hynny",
    },
    "too_late": {
        "en": "{Name} must be the same as or before {date}",
        "cy": "Rhaid i {name} fod ar {date} neu cyn hynny",
    },
    "time": {
        "en": "{Name} must be a real time, like 9:30am or 21:30",
        "cy": "Rhaid i {name} fod yn amser go iawn, fel 9:30am neu 21:30",
    },
    "exclusive": {
        "en": "Select {name}, or select ‘{option}’",
        "cy": "Dewiswch {name}, neu dewiswch ‘{option}’",
    },
    "file_type": {
        "en": "The selected file must be {kinds}",
        "cy": "Rhaid i’r ffeil a ddewiswyd fod yn {kinds}",
    },
    "file_size": {
        "en": "The selected file must be smaller than {size}MB",
        "cy": "Rhaid i’r ffeil a ddewiswyd fod yn llai na {size}MB",
    },
    # A question that takes several files names the one refused, as the person chose it.
    "file_named_type": {
        "en": "The file ‘{file_name}’ must be {kinds}",
        "cy": "Rhaid i’r ffeil ‘{file_name}’ fod yn {kinds}",
    },
    "file_named_size": {
        "en": "The file ‘{file_name}’ must be smaller than {size}MB",
        "cy": "Rhaid i’r ffeil ‘{file_name}’ fod yn llai na {size}MB",
    },
    "too_many_files": {
        "en": "You can upload up to {max} files",
        "cy": "Gallwch lanlwytho hyd at {max} ffeil",
    },
    "file_invalid": {
        "en": "The selected file could not be uploaded – try again",
        "cy": "Nid oedd modd lanlwytho’r ffeil a ddewiswyd – rhowch gynnig arall arni",
    },
    "map_invalid": {
        "en": "Choose the place on the map again",
        "cy": "Dewiswch y lle ar y map eto",
    },
    "yesno": {"en": "Select ‘{yes}’ or ‘{no}’", "cy": "Dewiswch ‘{yes}’ neu ‘{no}’"},
    "repeat_min": {"en": "Add at least {min} {item}", "cy": "Ychwanegwch o leiaf {min} {item}"},
    "repeat_min_many": {"en": "Add at least {min}", "cy": "Ychwanegwch o leiaf {min}"},
    "repeat_max": {"en": "You can add up to {max}", "cy": "Gallwch ychwanegu hyd at {max}"},
}
DEFAULT_ITEM = {"en": "item", "cy": "eitem"}

# What to ask for when a field has no error_name and no custom required message.
REQUIRED_DEFAULTS: dict[str, dict[str, str]] = {
    "text": {"en": "Enter an answer", "cy": "Rhowch ateb"},
    "email": {"en": "Enter an email address", "cy": "Rhowch gyfeiriad e-bost"},
    "phone": {"en": "Enter a telephone number", "cy": "Rhowch rif ffôn"},
    "date": {"en": "Enter a date", "cy": "Rhowch ddyddiad"},
    "time": {"en": "Enter a time", "cy": "Rhowch amser"},
    "radios": {"en": "Select an option", "cy": "Dewiswch opsiwn"},
    "checkboxes": {"en": "Select at least one option", "cy": "Dewiswch o leiaf un opsiwn"},
    "postcode": {"en": "Enter a postcode", "cy": "Rhowch god post"},
    "location": {
        "en": "Enter a description of the location",
        "cy": "Rhowch ddisgrifiad o’r lleoliad",
    },
    "person": {
        "en": "Enter at least one detail about the person",
        "cy": "Rhowch o leiaf un manylyn am yr unigolyn",
    },
    "file": {"en": "Select a file", "cy": "Dewiswch ffeil"},
}
REQUIRED_DEFAULTS["textarea"] = REQUIRED_DEFAULTS["text"]
REQUIRED_DEFAULTS["number"] = REQUIRED_DEFAULTS["text"]
REQUIRED_DEFAULTS["hidden"] = REQUIRED_DEFAULTS["text"]
REQUIRED_DEFAULTS["select"] = REQUIRED_DEFAULTS["radios"]
REQUIRED_DEFAULTS["address"] = REQUIRED_DEFAULTS["text"]

# The name a message uses when the field has no error_name.
DEFAULT_NAMES: dict[str, dict[str, str]] = {
    "answer": {"en": "your answer", "cy": "eich ateb"},
    "date": {"en": "the date", "cy": "y dyddiad"},
    "time": {"en": "the time", "cy": "yr amser"},
    "choice": {"en": "an option", "cy": "opsiwn"},
}

# Names of the parts of compound fields, written for the "enter"/"must" templates.
PART_NAMES: dict[str, dict[str, str]] = {
    "line1": {
        "en": "address line 1, typically the building and street",
        "cy": "linell 1 y cyfeiriad, fel arfer yr adeilad a’r stryd",
    },
    "line2": {"en": "address line 2", "cy": "linell 2 y cyfeiriad"},
    "town": {"en": "town or city", "cy": "dref neu ddinas"},
    "county": {"en": "county", "cy": "sir"},
    "postcode": {"en": "postcode", "cy": "god post"},
    "description": {"en": "a description of the location", "cy": "ddisgrifiad o’r lleoliad"},
    "first_name": {"en": "their first name", "cy": "eu henw cyntaf"},
    "last_name": {"en": "their last name", "cy": "eu cyfenw"},
    "known_as": {"en": "the name they are known by", "cy": "yr enw maen nhw’n cael eu galw"},
    "date_of_birth": {"en": "their date of birth", "cy": "eu dyddiad geni"},
    "approximate_age": {"en": "their approximate age", "cy": "eu hoedran bras"},
    "person_description": {"en": "a description of them", "cy": "ddisgrifiad ohonyn nhw"},
    "phone": {"en": "their telephone number", "cy": "eu rhif ffôn"},
    "email": {"en": "their email address", "cy": "eu cyfeiriad e-bost"},
}

DATE_PARTS = {
    "day": {"en": "day", "cy": "diwrnod"},
    "month": {"en": "month", "cy": "mis"},
    "year": {"en": "year", "cy": "blwyddyn"},
}
AND = {"en": "and", "cy": "a"}
OR = {"en": "or", "cy": "neu"}

MONTHS = {
    "en": (
        "January February March April May June July August September October November December"
    ).split(),
    "cy": (
        "Ionawr Chwefror Mawrth Ebrill Mai Mehefin Gorffennaf Awst Medi Hydref Tachwedd Rhagfyr"
    ).split(),
}

# File kinds: (English with article, Welsh after "yn", Welsh plain, Welsh after "neu").
FILE_KIND_NAMES: dict[str, tuple[str, str, str, str]] = {
    "image": ("a photo", "llun", "llun", "lun"),
    "video": ("a video", "fideo", "fideo", "fideo"),
    "audio": ("an audio recording", "recordiad sain", "recordiad sain", "recordiad sain"),
    "document": ("a document", "ddogfen", "dogfen", "ddogfen"),
}

_CONTRACTIONS = [
    (re.compile(r"\bi eich\b"), "i’ch"),
    (re.compile(r"\bi ei\b"), "i’w"),
    (re.compile(r"\bi eu\b"), "i’w"),
    (re.compile(r"\bi yr\b"), "i’r"),
    (re.compile(r"\bi y\b"), "i’r"),
]


def render(
    code: str, lang: str, name: str | None = None, *, file_name: str = "", **params: Any
) -> str:
    """Fill a message template in a language (English when it has no such language)."""
    templates = TEMPLATES[code]
    template = templates.get(lang) or templates["en"]
    name = name or ""
    # A file's name is the person's own text, so it goes in after the Welsh contractions,
    # which are for the template's words and never rewrite what someone typed.
    pieces = [
        piece.format(name=name, Name=_capitalise(name), **params)
        for piece in template.split("{file_name}")
    ]
    if lang == "cy":
        pieces = [_contract(piece) for piece in pieces]
    return _capitalise(file_name.join(pieces))


def field_message(
    field: Field, code: str, lang: str, default_name: str = "answer", **params: Any
) -> str:
    """Return the message for a failed rule, preferring the author's own wording."""
    custom = field.messages.get(_custom_key(code))
    if custom is not None:
        return custom.get(lang)
    return render(code, lang, error_name(field, lang, default_name), **params)


def required_message(field: Field, lang: str) -> str:
    """Return what the user must do when a required field is empty."""
    custom = field.messages.get("required")
    if custom is not None:
        return custom.get(lang)
    if field.type == "yesno":
        yes = field.option("yes")
        no = field.option("no")
        return render(
            "yesno",
            lang,
            yes=yes.text.get(lang) if yes else "Yes",
            no=no.text.get(lang) if no else "No",
        )
    if field.error_name is not None:
        verb = "select" if field.type in ("radios", "checkboxes", "select", "file") else "enter"
        return render(verb, lang, field.error_name.get(lang))
    defaults = REQUIRED_DEFAULTS.get(field.type, REQUIRED_DEFAULTS["text"])
    return defaults.get(lang) or defaults["en"]


def error_name(field: Field, lang: str, default: str = "answer") -> str:
    if field.error_name is not None:
        return field.error_name.get(lang)
    names = DEFAULT_NAMES[default]
    return names.get(lang) or names["en"]


def part_name(part: str, lang: str) -> str:
    names = PART_NAMES[part]
    return names.get(lang) or names["en"]


def format_date(value: dt.date, lang: str) -> str:
    months = MONTHS.get(lang, MONTHS["en"])
    return f"{value.day} {months[value.month - 1]} {value.year}"


def join_date_parts(parts: list[str], lang: str) -> str:
    words = [DATE_PARTS[part].get(lang) or DATE_PARTS[part]["en"] for part in parts]
    conjunction = AND.get(lang, AND["en"])
    if len(words) == 1:
        return words[0]
    return f"{', '.join(words[:-1])} {conjunction} {words[-1]}"


def file_kinds(kinds: tuple[str, ...], lang: str) -> str:
    """Name the accepted kinds of file: "a photo, video or document"."""
    if lang == "cy":
        words = []
        for index, kind in enumerate(kinds):
            _en, after_yn, plain, after_neu = FILE_KIND_NAMES[kind]
            if index == 0:
                words.append(after_yn)
            elif index == len(kinds) - 1:
                words.append(after_neu)
            else:
                words.append(plain)
        conjunction = "neu"
    else:
        words = [FILE_KIND_NAMES[kind][0] for kind in kinds]
        words = [words[0]] + [word.split(" ", 1)[1] for word in words[1:]]
        conjunction = "or"
    if len(words) == 1:
        return words[0]
    return f"{', '.join(words[:-1])} {conjunction} {words[-1]}"


def _custom_key(code: str) -> str:
    # Several internal codes share one key authors can override.
    return {
        "option_invalid": "invalid",
        "email": "invalid",
        "phone": "invalid",
        "phone_uk": "invalid",
        "postcode": "invalid",
        "number": "invalid",
        "time": "invalid",
        "date_invalid": "invalid",
        "date_incomplete": "invalid",
        "year_digits": "invalid",
        "today_or_past": "past",
        "today_or_future": "future",
        "between": "min",
        "file_invalid": "invalid",
        "file_named_type": "file_type",
        "file_named_size": "file_size",
    }.get(code, code)


def _contract(text: str) -> str:
    for pattern, replacement in _CONTRACTIONS:
        text = pattern.sub(replacement, text)
    return text


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text
