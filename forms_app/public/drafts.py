"""Drafts: a user's answers between pages, readable only with the key in their cookie.

Each draft is a row holding AES-256-GCM ciphertext of its JSON state. The 256-bit key is random
per draft and lives only in an HttpOnly cookie (with the draft's id), so a stolen database, backup
or log holds no readable answers. The draft id and its form version are bound in as associated
data, so a blob cannot be moved to another row or replayed against another version.

A draft expires DRAFT_RESUME_HOURS after the user's last change (a sliding window); the cookie
lasts as long, so closing the tab and coming back within the window resumes the journey.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import random
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import Request, current_app
from sqlalchemy import (
    Engine,
    Executable,
    bindparam,
    create_engine,
    delete,
    event,
    exists,
    insert,
    select,
    update,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool
from werkzeug.wrappers import Response as ResponseBase

from forms_app.extensions import db
from forms_app.models import new_id, utcnow

from .models import Draft, Upload

COOKIE_PREFIX = "sf_draft_"
KEY_BYTES = 32
NONCE_BYTES = 12
STATE_VERSION = 1
# One draft creation in this many also deletes expired drafts: no scheduler needed.
PURGE_ONE_IN = 200


@dataclass
class OpenDraft:
    """A draft decrypted for the length of one request."""

    id: str
    key: bytes
    form_version_id: str
    expires_at: datetime
    state: dict[str, Any] = field(default_factory=dict)
    is_new: bool = False

    @property
    def answers(self) -> dict[str, Any]:
        answers: dict[str, Any] = self.state.setdefault("answers", {})
        return answers

    @property
    def lang(self) -> str:
        return str(self.state.get("lang") or "en")

    @lang.setter
    def lang(self, value: str) -> None:
        self.state["lang"] = value

    @property
    def uploads(self) -> dict[str, dict[str, Any]]:
        uploads: dict[str, dict[str, Any]] = self.state.setdefault("uploads", {})
        return uploads

    @property
    def finished_repeats(self) -> list[str]:
        """Repeating pages where the user said they had nothing more to add."""
        done: list[str] = self.state.setdefault("finished_repeats", [])
        return done


def cookie_name(slug: str) -> str:
    return COOKIE_PREFIX + slug


def window() -> timedelta:
    return timedelta(hours=float(current_app.config["DRAFT_RESUME_HOURS"]))


def start_draft(form_version_id: str, lang: str) -> OpenDraft:
    """Begin a draft in memory; nothing is stored until the first answer is saved."""
    return OpenDraft(
        id=new_id(),
        key=os.urandom(KEY_BYTES),
        form_version_id=form_version_id,
        expires_at=utcnow() + window(),
        state={"v": STATE_VERSION, "lang": lang, "answers": {}},
        is_new=True,
    )


ENGINE_KEY = "saferforms.draft_engine"


def draft_engine() -> Engine:
    """The connection pool drafts are read and written through, one statement at a time.

    A draft is one row read or written by one statement, so it needs no transaction: in
    autocommit mode a page costs one round trip to the database instead of four (the shared
    pool's liveness ping, BEGIN, the statement, ROLLBACK). On PostgreSQL these connections also
    skip waiting for the WAL flush: a crash can lose the last moment of draft edits, never a
    submission, which is written through the main session and committed synchronously.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    engine: Engine | None = app.extensions.get(ENGINE_KEY)
    if engine is None:
        # No transaction is ever open on these connections, so the pool need not roll one
        # back each time a connection is returned.
        options: dict[str, object] = {"isolation_level": "AUTOCOMMIT", "pool_reset_on_return": None}
        if app.testing:
            # Tests build many short-lived apps: hold no connections between statements.
            options["poolclass"] = NullPool
        engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"], **options)
        if engine.dialect.name == "postgresql":
            event.listen(engine, "connect", _relax_durability)
        app.extensions[ENGINE_KEY] = engine
    return engine


def _relax_durability(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("SET synchronous_commit TO OFF")
    cursor.close()


def _run(statement: Executable, parameters: dict[str, Any] | None = None) -> object:
    """Run one statement; after a lost connection (a database restart) try once more."""
    for attempt in (1, 2):
        try:
            with draft_engine().connect() as connection:
                result = connection.execute(statement, parameters)
                return result.first() if result.returns_rows else result.rowcount
        except DBAPIError as error:
            if attempt == 2 or not error.connection_invalidated:
                raise
    raise AssertionError("unreachable")


# Built once: a page costs one statement, and composing it anew each time showed in profiles.
_WRITE = (
    update(Draft)
    .where(Draft.id == bindparam("draft_id"))
    .values(blob=bindparam("blob"), updated_at=bindparam("now"), expires_at=bindparam("expires"))
)

_DELETE = delete(Draft.__table__).where(Draft.__table__.c.id == bindparam("draft_id"))


def open_draft(request: Request, slug: str) -> OpenDraft | None:
    """Return the draft named by the request's cookie, or None if it is absent, expired or forged."""
    parsed = _parse_cookie(request.cookies.get(cookie_name(slug)))
    if parsed is None:
        return None
    draft_id, key = parsed
    row = _read(draft_id)
    if row is None:
        return None
    blob, form_version_id, expires_at = row
    if expires_at <= utcnow():
        return None
    try:
        state = json.loads(_decrypt(key, bytes(blob), _associated_data(draft_id, form_version_id)))
    except (InvalidTag, ValueError):
        return None
    if not isinstance(state, dict):
        return None
    return OpenDraft(draft_id, key, form_version_id, expires_at, state)


_READ_QMARK = "SELECT blob, form_version_id, expires_at FROM draft WHERE id = ?"
_READ_PYFORMAT = "SELECT blob, form_version_id, expires_at FROM draft WHERE id = %(id)s"


def _read(draft_id: str) -> tuple[bytes, str, datetime] | None:
    """Read one draft row straight through the driver.

    Every page view does this, and SQLAlchemy's statement machinery cost more than the query
    itself; the SQL is fixed, and the id is always passed as a parameter.
    """
    engine = draft_engine()
    qmark = engine.dialect.paramstyle == "qmark"
    sql = _READ_QMARK if qmark else _READ_PYFORMAT
    parameters: Any = (draft_id,) if qmark else {"id": draft_id}
    for attempt in (1, 2):
        connection = engine.raw_connection()
        cursor = None
        try:
            cursor = connection.cursor()
            cursor.execute(sql, parameters)
            row = cursor.fetchone()
            cursor.close()
        except engine.dialect.loaded_dbapi.Error as error:
            if attempt == 1 and engine.dialect.is_disconnect(error, connection, cursor):
                # A lost connection (the database restarted): drop it and try once more.
                connection.invalidate()
                continue
            # As SQLAlchemy would raise it, so the page says the service is unavailable
            # rather than that something went wrong; without the parameters.
            raise DBAPIError.instance(
                sql, None, error, engine.dialect.loaded_dbapi.Error, hide_parameters=True
            ) from None
        finally:
            connection.close()
        if row is None:
            return None
        blob, form_version_id, expires_at = row
        if isinstance(expires_at, str):
            # SQLite keeps timestamps as text; they are always UTC here.
            expires_at = datetime.fromisoformat(expires_at)
        if expires_at.tzinfo is None:
            expires_at = expires_at.replace(tzinfo=UTC)
        return bytes(blob), str(form_version_id), expires_at
    raise AssertionError("unreachable")


def save_draft(draft: OpenDraft) -> None:
    """Encrypt and store the draft, and restart its expiry window."""
    now = utcnow()
    draft.expires_at = now + window()
    blob = _encrypt(
        draft.key,
        json.dumps(draft.state, separators=(",", ":"), ensure_ascii=False).encode(),
        _associated_data(draft.id, draft.form_version_id),
    )
    if draft.is_new:
        _run(
            insert(Draft).values(
                id=draft.id,
                form_version_id=draft.form_version_id,
                blob=blob,
                created_at=now,
                updated_at=now,
                expires_at=draft.expires_at,
            )
        )
        draft.is_new = False
        if random.randrange(PURGE_ONE_IN) == 0:
            purge_expired(now)
    else:
        _run(_WRITE, {"draft_id": draft.id, "blob": blob, "now": now, "expires": draft.expires_at})


def extend_draft(draft: OpenDraft) -> datetime:
    """Keep the draft for another full window without changing it; return the new expiry."""
    draft.expires_at = utcnow() + window()
    _run(update(Draft).where(Draft.id == draft.id).values(expires_at=draft.expires_at))
    return draft.expires_at


def delete_draft(draft: OpenDraft) -> bool:
    """Delete the draft row in the current transaction (the caller commits).

    Return whether it was still there: False means another request (a second click, another
    tab) sent or discarded it first.
    """
    result = db.session.execute(_DELETE, {"draft_id": draft.id})
    return bool(result.rowcount)  # type: ignore[attr-defined]


def purge_expired(now: datetime | None = None) -> int:
    """Delete expired drafts and the unsubmitted uploads that expired with them."""
    now = now or utcnow()
    drafts = _run(delete(Draft).where(Draft.expires_at <= now))
    orphaned = ~exists(select(Draft.id).where(Draft.id == Upload.draft_id))
    # Files are committed just before a new draft's first save: leave young ones alone.
    settled = Upload.created_at < now - timedelta(hours=1)
    _run(delete(Upload).where(Upload.submission_id.is_(None), orphaned, settled))
    return drafts if isinstance(drafts, int) else 0


def attach_cookie(response: ResponseBase, slug: str, draft: OpenDraft) -> None:
    config = current_app.config
    response.set_cookie(
        cookie_name(slug),
        f"{draft.id}.{_b64(draft.key)}",
        max_age=int(window().total_seconds()),
        path=f"/f/{slug}",
        secure=bool(config["SESSION_COOKIE_SECURE"]),
        httponly=True,
        samesite="Lax",
    )


def forget_cookie(response: ResponseBase, slug: str) -> None:
    response.delete_cookie(
        cookie_name(slug),
        path=f"/f/{slug}",
        secure=bool(current_app.config["SESSION_COOKIE_SECURE"]),
        httponly=True,
        samesite="Lax",
    )


def _associated_data(draft_id: str, form_version_id: str) -> bytes:
    return b"\x1f".join((b"saferforms-draft-v1", draft_id.encode(), form_version_id.encode()))


def _encrypt(key: bytes, plaintext: bytes, associated_data: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, associated_data)


def _decrypt(key: bytes, blob: bytes, associated_data: bytes) -> bytes:
    if len(blob) < NONCE_BYTES + 16:
        raise ValueError("draft too short")
    return AESGCM(key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], associated_data)


# A draft id as new_id() writes it, and the key in unpadded URL-safe base64. Anything else (a
# NUL byte, say, which the database driver would refuse) is no draft at all.
_COOKIE = re.compile(
    r"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.([A-Za-z0-9_-]{43})"
)


def _parse_cookie(value: str | None) -> tuple[str, bytes] | None:
    found = _COOKIE.fullmatch(value) if value else None
    if found is None:
        return None
    draft_id, encoded = found.groups()
    try:
        key = base64.urlsafe_b64decode(encoded + "=")
    except (binascii.Error, ValueError):
        return None
    if len(key) != KEY_BYTES:
        return None
    return draft_id, key


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
