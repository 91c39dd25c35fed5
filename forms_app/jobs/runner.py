"""Run the job of one outbox row: the same code under an RQ worker and in-process.

The row is the source of truth. A run:
1. claims an attempt in its own short transaction (attempts + 1, and a lease: while
   next_attempt_at is in the future no relay hands the row out again), so a run that is killed
   still counts and a job that kills its worker every time ends FAILED;
2. locks the row, returns early if it is no longer open, calls the job function, and sets the row
   done in the same transaction as the job's effect;
3. on an error, rolls the effect back and records the failure: back to pending with exponential
   backoff, or FAILED once attempts run out or the error is permanent.

Under a worker, rows the job adds (the notifications a report sends) are run next by the same
worker instead of going out through Redis and coming back; see `run_outbox`. Those rows were
claimed in the job's own transaction as they were written (jobs.follow_ups), so step 1 is
already done for them.
"""

from __future__ import annotations

import logging
import random
import threading
from contextvars import ContextVar
from datetime import timedelta
from typing import Any, cast

from flask import Flask, current_app, has_app_context
from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session, scoped_session

from forms_app.extensions import db
from forms_app.models import Outbox, OutboxState, utcnow

from .dispatch import follow_ups_here
from .errors import PermanentJobError, describe
from .follow_ups import release
from .registry import JobSpec, UnknownJobKind, spec_for
from .settings import JobSettings, job_settings

log = logging.getLogger(__name__)
OPEN_STATES = (OutboxState.PENDING, OutboxState.ENQUEUED)

SKIPPED = "skipped"
DONE = "done"
RETRY = "retry"
FAILED = "failed"

_current: ContextVar[str | None] = ContextVar("saferforms_outbox_id", default=None)
_app_lock = threading.Lock()
_job_app: Flask | None = None
# A worker runs at most this many rows added by one job itself; the rest go through Redis.
FOLLOW_UP_LIMIT = 20


def run_outbox(outbox_id: str) -> str:
    """The RQ job: run one outbox row by id (works under `saferforms worker` and `rq worker`).

    Then run the rows it added, and theirs, here. Each is claimed as any run is, so one that a
    relay handed to Redis meanwhile is run once; one that fails here is retried as usual.
    """
    if has_app_context():
        return _with_follow_ups(outbox_id)
    with _app_for_jobs().app_context():
        return _with_follow_ups(outbox_id)


def _with_follow_ups(outbox_id: str) -> str:
    lease = job_settings(current_app.config).run_lease_seconds
    with follow_ups_here(lease) as follow_ups:
        outcome = execute(outbox_id)
        for _ in range(FOLLOW_UP_LIMIT):
            if not follow_ups.ids:
                break
            follow_up, claimed = follow_ups.pop()
            try:
                execute(follow_up, claimed=claimed)
            except Exception as error:  # noqa: BLE001 - the row goes back to the relay
                log.warning("outbox %s left for the relay: %s", follow_up, describe(error))
                if claimed:
                    release([follow_up])
                break
    return outcome


def _app_for_jobs() -> Flask:
    global _job_app
    with _app_lock:
        if _job_app is None:
            from forms_app import create_app

            _job_app = create_app(process="worker")
        return _job_app


def current_outbox_id() -> str | None:
    """The id of the outbox row whose job is running (a reference that carries no data)."""
    return _current.get()


def backoff(settings: JobSettings, attempts: int) -> float:
    """Seconds before the next attempt: doubling from the base, capped, with a little jitter."""
    delay = min(settings.backoff_max_seconds, settings.backoff_seconds * 2 ** max(attempts - 1, 0))
    return delay * random.uniform(0.85, 1.0)


def execute(outbox_id: str, *, require_due: bool = False, claimed: bool = False) -> str:
    """Run the row's job if it is still open; `require_due` also needs its time to have come.

    `claimed` says the row was claimed as it was written (follow_ups.claim_on_insert), so this
    run's attempt is already counted.
    """
    settings = job_settings(current_app.config)
    session = db.session
    try:
        if not claimed and not _claim(session, outbox_id, settings, require_due):
            return SKIPPED
        return _run(session, outbox_id, settings)
    except BaseException:
        session.rollback()
        raise


# The runner's own statements are Core statements on the table: they skip the ORM's bookkeeping,
# which a worker would otherwise pay three times for every report.
_outbox = cast(Table, Outbox.__table__)


def _claim(session: Session, outbox_id: str, settings: JobSettings, require_due: bool) -> bool:
    now = utcnow()
    claim = (
        update(_outbox)
        .where(_outbox.c.id == outbox_id, _outbox.c.state.in_(OPEN_STATES))
        .values(
            attempts=_outbox.c.attempts + 1,
            next_attempt_at=now + timedelta(seconds=settings.run_lease_seconds),
        )
    )
    if require_due:
        claim = claim.where(_outbox.c.next_attempt_at <= now)
    if not _in_transaction(session):
        # One statement that commits itself: one round trip instead of three (BEGIN, the
        # UPDATE, COMMIT). The connection goes back to the pool in its usual mode.
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    claimed = session.execute(claim).rowcount == 1  # type: ignore[attr-defined]
    session.commit()
    return claimed


def _in_transaction(session: Session | scoped_session[Any]) -> bool:
    real = session() if isinstance(session, scoped_session) else session
    return real.in_transaction()


def _lock(session: Session, outbox_id: str) -> tuple[str, str, dict[str, Any], int] | None:
    """Lock the row until the end of the transaction, so a second delivery waits, then skips.

    Returns its state, kind, payload and attempts.
    """
    query = select(_outbox.c.state, _outbox.c.kind, _outbox.c.payload, _outbox.c.attempts).where(
        _outbox.c.id == outbox_id
    )
    if session.get_bind().dialect.name == "sqlite":
        # SQLite has no row locks: a write as the first statement takes the database's write
        # lock, which serialises two runs of the same row just as well.
        session.execute(
            update(_outbox).where(_outbox.c.id == outbox_id).values(attempts=_outbox.c.attempts)
        )
    else:
        query = query.with_for_update()
    row = session.execute(query).first()
    return None if row is None else (row.state, row.kind, dict(row.payload), row.attempts)


def _run(session: Session, outbox_id: str, settings: JobSettings) -> str:
    row = _lock(session, outbox_id)
    if row is None or row[0] not in OPEN_STATES:
        session.rollback()
        return SKIPPED
    _, kind, payload, attempts = row
    spec: JobSpec | None = None
    try:
        spec = spec_for(kind)
        if attempts > settings.max_attempts:
            # Every earlier attempt ended without recording anything: the job kills its runner.
            raise PermanentJobError(f"stopped after {attempts - 1} attempts that did not finish")
        token = _current.set(outbox_id)
        try:
            spec.function()(**payload)
        finally:
            _current.reset(token)
        session.execute(
            update(_outbox)
            .where(_outbox.c.id == outbox_id)
            .values(state=OutboxState.DONE, done_at=utcnow(), last_error=None)
        )
        session.commit()
    except Exception as error:  # noqa: BLE001 - every failure is recorded on the row
        session.rollback()
        return _record_failure(session, outbox_id, spec, payload, attempts, error, settings)
    log.info("outbox %s (%s) done after %d attempt(s)", outbox_id, kind, attempts)
    return DONE


def _record_failure(
    session: Session,
    outbox_id: str,
    spec: JobSpec | None,
    payload: dict[str, Any],
    attempts: int,
    error: Exception,
    settings: JobSettings,
) -> str:
    message = describe(error)
    final = isinstance(error, (PermanentJobError, UnknownJobKind)) or (
        attempts >= settings.max_attempts
    )
    mark = (
        update(Outbox)
        .where(Outbox.id == outbox_id, Outbox.state.in_(OPEN_STATES))
        .values(
            state=OutboxState.FAILED if final else OutboxState.PENDING,
            last_error=message,
            next_attempt_at=utcnow() + timedelta(seconds=backoff(settings, attempts)),
        )
        .execution_options(synchronize_session=False)
    )
    session.execute(mark)
    if final and spec is not None and spec.on_failure:
        try:
            hook = spec.failure_hook()
            assert hook is not None
            hook(**payload, error=message)
        except Exception as hook_error:  # noqa: BLE001 - the row must end FAILED regardless
            log.error("outbox %s: failure hook raised %s", outbox_id, describe(hook_error))
            session.rollback()
            session.execute(mark)
    session.commit()
    kind = spec.kind if spec else "?"
    if final:
        log.error(
            "outbox %s (%s) FAILED after %d attempt(s): %s", outbox_id, kind, attempts, message
        )
        return FAILED
    log.warning(
        "outbox %s (%s) attempt %d of %d failed, will retry: %s",
        outbox_id,
        kind,
        attempts,
        settings.max_attempts,
        message,
    )
    return RETRY


def due_ids(session: Session, limit: int = 100) -> list[str]:
    """Rows whose time has come: pending and due, or enqueued past their lease."""
    return list(
        session.scalars(
            select(Outbox.id)
            .where(Outbox.state.in_(OPEN_STATES), Outbox.next_attempt_at <= utcnow())
            .order_by(Outbox.next_attempt_at)
            .limit(limit)
        )
    )


def run_due(limit: int = 100) -> dict[str, int]:
    """Run every due row in this process, oldest first (the in-process mode and tests)."""
    counts: dict[str, int] = {}
    session = db.session
    for _ in range(limit):
        ids = due_ids(session, limit=20)
        session.rollback()
        if not ids:
            break
        for outbox_id in ids:
            outcome = execute(outbox_id, require_due=True)
            counts[outcome] = counts.get(outcome, 0) + 1
    return counts
