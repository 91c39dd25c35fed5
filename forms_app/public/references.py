"""Human references for submissions, e.g. ASB-7KQ3-MX2P.

The alphabet leaves out 0, 1, I and O, which are easily mistaken for each other, so a reference read out over the phone or copied
from a screen is unambiguous. Eight characters from 32 give 40 bits: collisions are rare, and the
database's unique constraint catches the ones that happen (the caller retries).
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
GROUPS = 2
GROUP_LENGTH = 4
PATTERN = re.compile(r"^[A-Z]{2,6}-[" + ALPHABET + r"]{4}-[" + ALPHABET + r"]{4}$")


def new_reference(prefix: str) -> str:
    """Return a fresh random reference with the form's prefix."""
    groups = ("".join(secrets.choice(ALPHABET) for _ in range(GROUP_LENGTH)) for _ in range(GROUPS))
    return "-".join((prefix, *groups))


def is_reference(text: str) -> bool:
    return PATTERN.match(text) is not None
