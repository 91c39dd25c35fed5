"""The relay: hand pending rows, and rows left enqueued past their lease, to Redis.

It runs after each commit that added rows (for those rows) and on a timer in every worker
(for everything due), so rows added while Redis was away are relayed when it returns.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from redis import RedisError
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from forms_app.models import Outbox, OutboxState, utcnow

from .queue import enqueue, redis_for
from .registry import UnknownJobKind
from .settings import JobSettings

log = logging.getLogger(__name__)
OPEN_STATES = (OutboxState.PENDING, OutboxState.ENQUEUED)


@dataclass
class RelayResult:
    enqueued: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)


def relay(engine: Engine, settings: JobSettings, ids: Sequence[str] | None = None) -> RelayResult:
    """Enqueue due rows (all of them, or only `ids`) and mark them enqueued.

    On PostgreSQL the rows are claimed with FOR UPDATE SKIP LOCKED, so relays in several workers
    share the backlog instead of queueing the same rows; elsewhere RQ's unique job ids do that.
    Raises RedisError when Redis is unreachable, after recording what was already enqueued.
    """
    if not settings.redis_url:
        raise RuntimeError("the relay needs REDIS_URL")
    connection = redis_for(settings.redis_url)
    result = RelayResult()
    now = utcnow()
    with Session(engine) as session, session.begin():
        query = (
            select(Outbox.id, Outbox.kind)
            .where(Outbox.state.in_(OPEN_STATES), Outbox.next_attempt_at <= now)
            .order_by(Outbox.next_attempt_at)
            .limit(settings.relay_batch)
        )
        if ids is not None:
            query = query.where(Outbox.id.in_(list(ids)))
        if engine.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        rows = session.execute(query).all()
        failure: RedisError | None = None
        for outbox_id, kind in rows:
            try:
                enqueue(connection, outbox_id, kind, settings)
            except UnknownJobKind:
                result.unknown.append(outbox_id)
            except RedisError as error:
                failure = error
                break
            else:
                result.enqueued.append(outbox_id)
        if result.enqueued:
            session.execute(
                update(Outbox)
                # A job may already have claimed its row (moving next_attempt_at past now) or
                # finished it: leave such rows as the job left them.
                .where(
                    Outbox.id.in_(result.enqueued),
                    Outbox.state.in_(OPEN_STATES),
                    Outbox.next_attempt_at <= now,
                )
                .values(
                    state=OutboxState.ENQUEUED,
                    next_attempt_at=now + timedelta(seconds=settings.queue_lease_seconds),
                )
                .execution_options(synchronize_session=False)
            )
        if result.unknown:
            session.execute(
                update(Outbox)
                .where(Outbox.id.in_(result.unknown))
                .values(
                    state=OutboxState.FAILED, last_error="UnknownJobKind: no job runs this kind"
                )
                .execution_options(synchronize_session=False)
            )
    if failure is not None:
        raise failure
    if result.enqueued:
        log.debug("relayed %d outbox rows", len(result.enqueued))
    return result
