"""Append audit events to a hash chain, and verify the chain.

Each event's hash is SHA-256 over the canonical JSON of the row, which includes the previous
event's hash, so changing, removing or reordering a row breaks every link after it. Appends are
serialised through the single AuditHead row (locked FOR UPDATE on PostgreSQL), and each event
takes the id after the head's, so two writers racing can never fork the chain: the loser fails
on the primary key instead.

A plain hash chain can be rebuilt by anyone who can write to the database: change a row, then
rehash it and every row after it. So the head also carries a tag, an HMAC of the last id and
hash under a key derived from the service's index key (held outside the database): a rebuilt,
truncated or extended chain ends somewhere the tag does not vouch for.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask import has_request_context, request
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from forms_app.extensions import db
from forms_app.models import AuditEvent, AuditHead, table_of, utcnow

if TYPE_CHECKING:
    from forms_app.models import User

GENESIS_HASH = "0" * 64
HEAD_ID = 1

# Field names look like identifiers; anything else (a space, an @, a digit first) is refused so
# that a value cannot be smuggled into the trail where a name belongs.
_FIELD_NAME = re.compile(r"^[a-z_][a-z0-9_.]{0,59}$")
_ACTION = re.compile(r"^[a-z_][a-z0-9_.]{0,59}$")


def event_hash(event: AuditEvent) -> str:
    """The SHA-256 of the event's canonical JSON (which includes the previous hash)."""
    canonical = json.dumps(
        event.canonical(), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def head_tag(last_id: int, last_hash: str) -> str:
    """The keyed tag of the chain's end (see the module's docstring)."""
    from forms_app.crypto import crypto

    return crypto().indexer.full("audit-head", f"{last_id}:{last_hash}").hex()


def origin_of(address: str | None) -> str | None:
    """A keyed hash of a client address: it links events from one place without revealing it."""
    if not address:
        return None
    from forms_app.crypto import crypto

    return crypto().indexer.full("audit-origin", address).hex()[:32]


def record(
    action: str,
    *,
    actor: User | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    fields: Iterable[str] = (),
    origin: str | None = None,
    session: Session | None = None,
) -> AuditEvent:
    """Append an audit event to the current transaction; the caller commits.

    `actor` is the signed-in user, or None for the system (outside a request) or the public.
    `fields` are the NAMES of the fields read or changed, never their values. `origin` is the
    client address, which is stored only as a keyed hash; inside a request it defaults to the
    request's address.
    """
    if not _ACTION.match(action):
        raise ValueError("an audit action is a short lower-case name such as 'sign_in.succeeded'")
    names = list(fields)
    for name in names:
        if not isinstance(name, str) or not _FIELD_NAME.match(name):
            # The message deliberately does not quote the offending value.
            raise ValueError("audit fields must be field names, not values")
    if origin is None and has_request_context():
        origin = request.remote_addr
    session = session if session is not None else db.session()
    # Write the caller's pending changes before taking the head's lock, so it is held briefly.
    session.flush()

    last_id, last_hash = _lock_head(session)
    event = AuditEvent(
        id=last_id + 1,
        occurred_at=utcnow(),
        actor_type="user"
        if actor is not None
        else ("public" if has_request_context() else "system"),
        actor_id=actor.id if actor is not None else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        fields=names,
        origin=origin_of(origin),
        prev_hash=last_hash,
    )
    event.hash = event_hash(event)
    # Core statements: every write of the system takes this path, and the ORM's bookkeeping
    # for two rows cost more than hashing them. The event returned is not in the session.
    session.execute(insert(_events).values({c.key: getattr(event, c.key) for c in _events.c}))
    session.execute(
        update(_head)
        .where(_head.c.id == HEAD_ID)
        .values(last_id=event.id, last_hash=event.hash, tag=head_tag(event.id, event.hash))
    )
    return event


_events, _head = table_of(AuditEvent), table_of(AuditHead)


def _lock_head(session: Session) -> tuple[int, str]:
    """Lock the head row (creating it the first time); return the chain's last id and hash."""
    query = select(_head.c.last_id, _head.c.last_hash).where(_head.c.id == HEAD_ID)
    query = query.with_for_update()
    head = session.execute(query).first()
    if head is None:
        try:
            with session.begin_nested():
                session.execute(
                    insert(_head).values(
                        id=HEAD_ID,
                        last_id=0,
                        last_hash=GENESIS_HASH,
                        tag=head_tag(0, GENESIS_HASH),
                    )
                )
        except IntegrityError:
            pass  # another writer created it first; lock theirs
        head = session.execute(query).first()
        assert head is not None
    return int(head.last_id), str(head.last_hash)


@dataclass(frozen=True)
class Problem:
    row_id: int
    message: str


@dataclass(frozen=True)
class VerifyReport:
    checked: int
    problem: Problem | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify(session: Session | None = None, *, batch_size: int = 1000) -> VerifyReport:
    """Walk the chain in id order and report the first row whose hash or link is wrong."""
    session = session if session is not None else db.session()
    previous_id = 0
    previous_hash = GENESIS_HASH
    checked = 0
    # yield_per streams on a server-side cursor; close it even when stopping early.
    rows = session.execute(
        select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=batch_size)
    ).scalars()
    try:
        for event in rows:
            problem = _check(event, previous_id, previous_hash)
            if problem is not None:
                return VerifyReport(checked, problem)
            checked += 1
            previous_id, previous_hash = event.id, event.hash
    finally:
        rows.close()
    head = session.get(AuditHead, HEAD_ID)
    if head is not None and (head.last_id, head.last_hash) != (previous_id, previous_hash):
        if head.last_id > previous_id:
            missing = previous_id + 1
            return VerifyReport(
                checked,
                Problem(missing, f"row {missing} is missing: the trail ends before its last event"),
            )
        return VerifyReport(
            checked,
            Problem(previous_id, f"row {previous_id} does not match the recorded end of the trail"),
        )
    if head is None and checked:
        return VerifyReport(
            checked, Problem(previous_id, "the record of the trail's end is missing")
        )
    if head is not None and head.tag != head_tag(head.last_id, head.last_hash):
        return VerifyReport(
            checked,
            Problem(
                head.last_id,
                "the record of the trail's end does not carry the service's tag: the trail has "
                "been rebuilt, cut short or added to outside Safer Forms",
            ),
        )
    return VerifyReport(checked, None)


def _check(event: AuditEvent, previous_id: int, previous_hash: str) -> Problem | None:
    if event.id != previous_id + 1:
        missing = previous_id + 1
        return Problem(missing, f"row {missing} is missing: the trail jumps to row {event.id}")
    if event.prev_hash != previous_hash:
        return Problem(event.id, f"row {event.id} does not link to row {previous_id}")
    if event_hash(event) != event.hash:
        return Problem(event.id, f"row {event.id} has been changed: its hash does not match")
    return None
