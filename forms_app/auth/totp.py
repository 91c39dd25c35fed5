"""Time-based one-time codes (RFC 6238) with pyotp, refusing a code that was already used."""

from __future__ import annotations

import hmac
import re
import time

import pyotp
from sqlalchemy import or_, update

from forms_app.extensions import db
from forms_app.models import User

STEP_SECONDS = 30
# One step either side allows for a phone clock that is a little out.
VALID_WINDOW = 1
_CODE = re.compile(r"^\d{6}$")


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, account_name: str, issuer: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account_name, issuer_name=issuer)


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type into an app."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def clean_code(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "")


def matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step whose code `code` is, within the allowed window, or None."""
    code = clean_code(code)
    if not _CODE.match(code):
        return None
    totp = pyotp.TOTP(secret)
    current = int((time.time() if now is None else now) // STEP_SECONDS)
    found = None
    # Check every step in the window, so the time taken does not depend on which one matched.
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            found = step
    return found


def accept_code(user: User, code: str, now: float | None = None) -> bool:
    """Accept `code` for `user` once: a code whose step is not after the last one used is refused.

    The step is claimed with a conditional UPDATE, so two requests racing with the same code
    cannot both succeed.
    """
    secret = user.totp_secret
    if secret is None:
        return False
    step = matching_step(secret, code, now)
    if step is None:
        return False
    return claim_step(user, step)


def claim_step(user: User, step: int) -> bool:
    result = db.session.execute(
        update(User)
        .where(
            User.id == user.id,
            or_(User.totp_last_step.is_(None), User.totp_last_step < step),
        )
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        return False
    db.session.refresh(user, ["totp_last_step"])
    return True
