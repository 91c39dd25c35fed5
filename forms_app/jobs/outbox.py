"""Write outbox rows in the caller's transaction: `outbox.add("kind", some_id=...)`."""

from __future__ import annotations

import re

from forms_app.extensions import db
from forms_app.models import Outbox, OutboxState, utcnow

from .follow_ups import claim_on_insert
from .registry import spec_for

# Ids only: a payload sits in Redis and in job listings, so it must never carry personal data.
_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")
SESSION_KEY = "saferforms.outbox_added"


def add(kind: str, **ids: str | int) -> Outbox:
    """Add an outbox row to the current session; it is committed with the caller's change.

    After that commit the job is started: at once where possible, otherwise by the relay.
    """
    spec_for(kind)
    if not ids:
        raise ValueError("an outbox row needs at least one id")
    for name, value in ids.items():
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise TypeError(f"outbox payload {name!r} must be an id (a string or an integer)")
        if isinstance(value, str) and not _SAFE_ID.match(value):
            raise ValueError(f"outbox payload {name!r} does not look like an id")
    row = Outbox(
        kind=kind,
        payload=dict(ids),
        state=OutboxState.PENDING,
        attempts=0,
        next_attempt_at=utcnow(),
    )
    claim_on_insert(row)
    # The session notices the new row when it flushes, and starts its job after the commit.
    db.session.add(row)
    return row


def mark_added(outbox_id: str) -> None:
    """Ask for a nudge after the current transaction commits."""
    db.session.info.setdefault(SESSION_KEY, []).append(outbox_id)
