"""Sign-in throttling: rate limits per client address and per account, and the lock-out counter.

The limiter's keys are keyed hashes, never an e-mail address or a client address, because
Flask-Limiter writes its keys into logs and into Redis.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from flask import current_app, g, request
from flask.wrappers import Response
from sqlalchemy import update

from forms_app.crypto import crypto
from forms_app.extensions import db, limiter
from forms_app.models import User

DEFAULT_LOCKOUT_ATTEMPTS = 10
DEFAULT_LOCKOUT_DURATION = timedelta(minutes=15)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _keyed(kind: str, value: str) -> str:
    return crypto().indexer.full(kind, value).hex()[:32]


def address_key() -> str:
    return "login-address:" + _keyed("login-address", request.remote_addr or "unknown")


def account_key() -> str:
    """The account a sign-in attempt is aimed at: from the form, or from the pending session."""
    from .sessions import pending_session

    email = request.form.get("email")
    if email is not None:
        return "login-account:" + _keyed("login-account", normalise_email(email))
    pending = pending_session()
    if pending is not None:
        return "login-account:" + _keyed("login-account", pending.user.email)
    return address_key()


def _address_limit() -> str:
    return str(current_app.config["LOGIN_LIMIT_PER_ADDRESS"])


def _account_limit() -> str:
    return str(current_app.config["LOGIN_LIMIT_PER_ACCOUNT"])


def mark_failed() -> None:
    """Count this request against the sign-in limits (only failures are counted)."""
    g.sign_in_failed = True


def _failed(_: Response) -> bool:
    return bool(g.get("sign_in_failed", False))


View = TypeVar("View", bound=Callable[..., Any])


def limit_sign_in(view: View) -> View:
    """Throttle failed POSTs to `view` per client address and per account."""
    per_address = limiter.limit(
        _address_limit, key_func=address_key, methods=["POST"], deduct_when=_failed
    )
    per_account = limiter.limit(
        _account_limit, key_func=account_key, methods=["POST"], deduct_when=_failed
    )
    return per_address(per_account(view))  # type: ignore[return-value]


def lockout_attempts() -> int:
    return int(current_app.config.get("LOGIN_LOCKOUT_ATTEMPTS", DEFAULT_LOCKOUT_ATTEMPTS))


def lockout_duration() -> timedelta:
    value = current_app.config.get("LOGIN_LOCKOUT_DURATION", DEFAULT_LOCKOUT_DURATION)
    return value if isinstance(value, timedelta) else timedelta(minutes=float(value))


def is_locked(user: User, now: datetime) -> bool:
    return user.locked_until is not None and now < user.locked_until


def register_failure(user: User, now: datetime) -> bool:
    """Count a failed password or code; lock the account when there are too many. True if locked."""
    # An atomic increment, so that parallel guesses cannot each see a low count.
    db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(failed_logins=User.failed_logins + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(user, ["failed_logins"])
    if user.failed_logins >= lockout_attempts():
        user.locked_until = now + lockout_duration()
        user.failed_logins = 0
        return True
    return False


def register_success(user: User, now: datetime) -> None:
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now


__all__ = [
    "address_key",
    "account_key",
    "is_locked",
    "limit_sign_in",
    "mark_failed",
    "normalise_email",
    "register_failure",
    "register_success",
]
