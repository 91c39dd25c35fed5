"""Normalise telephone numbers (E.164 through phonenumbers) and e-mail addresses."""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers

from dedupe.text import clean

DEFAULT_REGION = "GB"


@dataclass(frozen=True, slots=True)
class Phone:
    """A telephone number: ``e164`` when it parses (``+447700900123``), else its digits."""

    e164: str
    digits: str

    def __bool__(self) -> bool:
        return bool(self.digits)

    @property
    def key(self) -> str:
        """The form used for exact comparison and blocking."""
        return self.e164 or self.digits


MISSING_PHONE = Phone("", "")


def normalise_phone(value: object, region: str = DEFAULT_REGION) -> Phone:
    """Normalise a telephone number to E.164, reading national numbers as ``region``.

    Numbers that parse but are not allocated (Ofcom's drama ranges, for example) are still
    normalised, because a made-up number typed twice is still evidence of one person.
    """
    raw = clean(value)
    digits = re.sub(r"\D", "", raw)
    if len(digits) < 6:
        return MISSING_PHONE
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return Phone("", digits)
    if not phonenumbers.is_possible_number(number):
        return Phone("", digits)
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return Phone(e164, e164.lstrip("+"))


@dataclass(frozen=True, slots=True)
class Email:
    """An e-mail address in lower case, with the mailbox it delivers to.

    ``mailbox`` drops a "+tag" and, for Gmail, the dots Gmail ignores, so that
    "Jo.Bloggs+council@googlemail.com" and "jobloggs@gmail.com" share a mailbox.
    """

    address: str
    local: str
    domain: str
    mailbox: str

    def __bool__(self) -> bool:
        return bool(self.address)


MISSING_EMAIL = Email("", "", "", "")
_GMAIL = frozenset({"gmail.com", "googlemail.com"})
_SHAPE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalise_email(value: object) -> Email:
    """Normalise an e-mail address; text that is not one gives an empty result."""
    address = clean(value).strip("<>").lower()
    address = address.removeprefix("mailto:")
    if not _SHAPE.match(address):
        return MISSING_EMAIL
    local, domain = address.rsplit("@", 1)
    domain = domain.rstrip(".")
    box = local.split("+", 1)[0] or local
    if domain in _GMAIL:
        domain = "gmail.com"
        box = box.replace(".", "")
    return Email(f"{local}@{domain}", local, domain, f"{box}@{domain}")
