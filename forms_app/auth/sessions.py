"""Server-side staff sessions.

The cookie carries a random 256-bit token; the database keeps only its SHA-256, so a copy of the
session table cannot be replayed as cookies. A session is either "pending" (the password is
right, the second factor is still to come; it lasts minutes) or complete. Every check is made
against the database on each request, so revoking a row signs its holder out at once.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app, g, request
from sqlalchemy import select, update
from werkzeug.wrappers import Response

from forms_app.extensions import db
from forms_app.models import StaffSession, User, utcnow

COOKIE_NAME = "sf_staff"
DEFAULT_PENDING_TIMEOUT = timedelta(minutes=5)
# last_seen_at is written at most this often, so that reading pages does not write on every hit.
LAST_SEEN_GRANULARITY = timedelta(seconds=30)


def cookie_name() -> str:
    return str(current_app.config.get("STAFF_SESSION_COOKIE_NAME", COOKIE_NAME))


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def start_session(user: User, *, complete: bool, now: datetime | None = None) -> str:
    """Create a session for `user` and return the token for the cookie (never stored)."""
    now = now or utcnow()
    lifetime = (
        current_app.config["STAFF_ABSOLUTE_TIMEOUT"]
        if complete
        else current_app.config.get("STAFF_PENDING_TIMEOUT", DEFAULT_PENDING_TIMEOUT)
    )
    token = secrets.token_urlsafe(32)
    db.session.add(
        StaffSession(
            token_hash=hash_token(token),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + lifetime,
            second_factor_done=complete,
        )
    )
    return token


def presented_token() -> str | None:
    token = request.cookies.get(cookie_name())
    # A well-formed token is 43 URL-safe characters; anything else is not worth a query.
    if not token or len(token) > 100:
        return None
    return token


def revoke(staff_session: StaffSession, now: datetime | None = None) -> None:
    if staff_session.revoked_at is None:
        staff_session.revoked_at = now or utcnow()


def revoke_presented(now: datetime | None = None) -> StaffSession | None:
    """Revoke whatever session the request's cookie names, live or not."""
    token = presented_token()
    if token is None:
        return None
    row = db.session.get(StaffSession, hash_token(token))
    if row is not None:
        revoke(row, now)
    return row


def revoke_all_for(user: User, now: datetime | None = None) -> int:
    """End every session of `user` at once; returns how many were live."""
    result = db.session.execute(
        update(StaffSession)
        .where(StaffSession.user_id == user.id, StaffSession.revoked_at.is_(None))
        .values(revoked_at=now or utcnow())
        .execution_options(synchronize_session="fetch")
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def expiry_reason(row: StaffSession, now: datetime) -> str | None:
    """Why `row` can no longer be used ("idle", "absolute", "revoked", "disabled"), or None."""
    if row.revoked_at is not None:
        return "revoked"
    if not row.user.is_active:
        return "disabled"
    if now >= row.expires_at:
        return "absolute"
    if (
        row.second_factor_done
        and now >= row.last_seen_at + current_app.config["STAFF_IDLE_TIMEOUT"]
    ):
        return "idle"
    return None


def _load(*, complete: bool) -> StaffSession | None:
    token = presented_token()
    if token is None:
        return None
    row = db.session.scalar(
        select(StaffSession).where(StaffSession.token_hash == hash_token(token))
    )
    if row is None or row.second_factor_done != complete:
        return None
    now = utcnow()
    reason = expiry_reason(row, now)
    if reason is not None:
        if reason in {"idle", "absolute"}:
            g.staff_session_ended = reason
            revoke(row, now)
            db.session.commit()
        return None
    if complete and now - row.last_seen_at >= LAST_SEEN_GRANULARITY:
        row.last_seen_at = now
        db.session.commit()
    return row


def current_session() -> StaffSession | None:
    """The request's complete (signed-in) staff session, or None."""
    if "staff_session" not in g:
        g.staff_session = _load(complete=True)
    return g.staff_session  # type: ignore[no-any-return]


def current_user() -> User | None:
    """The signed-in member of staff, or None. Pending (password-only) sessions do not count."""
    row = current_session()
    return row.user if row is not None else None


def pending_session() -> StaffSession | None:
    """The request's pending session: password checked, second factor still to come."""
    if "staff_pending_session" not in g:
        g.staff_pending_session = _load(complete=False)
    return g.staff_pending_session  # type: ignore[no-any-return]


def set_cookie(response: Response, token: str) -> Response:
    response.set_cookie(
        cookie_name(),
        token,
        httponly=True,
        samesite="Lax",
        secure=bool(current_app.config["SESSION_COOKIE_SECURE"]),
        path="/",
    )
    return response


def clear_cookie(response: Response) -> Response:
    response.delete_cookie(
        cookie_name(),
        httponly=True,
        samesite="Lax",
        secure=bool(current_app.config["SESSION_COOKIE_SECURE"]),
        path="/",
    )
    return response
