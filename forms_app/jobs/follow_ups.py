"""Rows a job commits under a worker, which that worker runs next (see dispatch.follow_ups_here).

Rows written there through `outbox.add` are claimed as they are written: the first attempt is
counted and the lease set in the job's own transaction, so the worker runs each one without a
claim transaction of its own, and no relay hands it out meanwhile.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import update

from forms_app.extensions import db
from forms_app.models import Outbox, OutboxState, utcnow

from .errors import describe

log = logging.getLogger(__name__)


@dataclass
class FollowUps:
    """The ids of rows committed under a worker's job, and which of them were claimed on insert."""

    lease: timedelta
    ids: list[str] = field(default_factory=list)
    claimed: set[str] = field(default_factory=set)

    def pop(self) -> tuple[str, bool]:
        """The next row to run, and whether it was claimed as it was written."""
        outbox_id = self.ids.pop(0)
        return outbox_id, outbox_id in self.claimed


_current: ContextVar[FollowUps | None] = ContextVar("saferforms_follow_ups", default=None)


def begin(lease_seconds: float) -> tuple[FollowUps, Token[FollowUps | None]]:
    kept = FollowUps(lease=timedelta(seconds=lease_seconds))
    return kept, _current.set(kept)


def end(token: Token[FollowUps | None]) -> None:
    _current.reset(token)


def current() -> FollowUps | None:
    return _current.get()


def claim_on_insert(row: Outbox) -> None:
    """Under a worker's job, claim a new row in the transaction that writes it."""
    kept = _current.get()
    if kept is None:
        return
    row.attempts = 1
    row.next_attempt_at = utcnow() + kept.lease
    kept.claimed.add(row.id)


def release(ids: Sequence[str]) -> None:
    """Undo the claim of rows written claimed that were not run, so that they are due now."""
    if not ids:
        return
    session = db.session
    try:
        session.rollback()
        session.execute(
            update(Outbox)
            .where(
                Outbox.id.in_(ids),
                Outbox.state.in_((OutboxState.PENDING, OutboxState.ENQUEUED)),
                Outbox.attempts == 1,
            )
            .values(attempts=0, next_attempt_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        session.commit()
    except Exception as error:  # noqa: BLE001 - they run once their lease is over
        session.rollback()
        log.warning("%d follow-up row(s) wait for their lease: %s", len(ids), describe(error))
