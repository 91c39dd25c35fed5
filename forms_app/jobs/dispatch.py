"""Start jobs after a commit: relay to Redis at once, or wake the in-process runner.

`init_app` wires this into an application. Nothing here may make a request fail: the rows are
already committed, so at worst they wait for the relay's or the runner's next round.

Inside `follow_ups_here` (a worker running a job) rows a job commits are not relayed: they are
kept for the same worker to run next, which spares each of them a trip through Redis. Rows added
there through `outbox.add` are claimed as they are written (see `claim_on_insert`), which spares
each of them the claim's own transaction too.

Elsewhere, with Redis, new rows are marked `enqueued` in the transaction that writes them and put
on their queue straight after its commit, so a request pays no second transaction for the relay.
Rows Redis does not take are put back to `pending`, due, for the workers' relay.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import timedelta

from flask import Flask, current_app, has_app_context
from redis import RedisError
from sqlalchemy import event, update
from sqlalchemy.orm import Session

from forms_app.extensions import db
from forms_app.models import Outbox, OutboxState, utcnow

from . import follow_ups
from .errors import describe
from .follow_ups import FollowUps
from .outbox import SESSION_KEY
from .queue import enqueue, redis_for
from .relay import relay
from .settings import job_settings

log = logging.getLogger(__name__)
EXTENSION = "saferforms.jobs"
# After Redis fails, requests stop trying it for this long; the worker's relay catches up.
REDIS_PAUSE_SECONDS = 5.0
# Rows of the current transaction marked enqueued as they were written: id -> kind.
MARKED_KEY = "saferforms.outbox_marked"


class Dispatcher:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self.settings = job_settings(app.config)
        self._redis_paused_until = 0.0
        self._runner: InProcessRunner | None = None
        self._lock = threading.Lock()

    def mark_enqueued(self, session: Session, row: Outbox) -> None:
        """With Redis (and Redis not just found away), write a new row as already enqueued.

        Its job is enqueued straight after the commit (`after_commit`); until the queue lease
        runs out no relay hands the row out again, as if the relay had enqueued it.
        """
        if self.settings.mode != "rq" or time.monotonic() < self._redis_paused_until:
            return
        if row.state not in (None, OutboxState.PENDING) or row.attempts:
            return
        row.state = OutboxState.ENQUEUED
        row.next_attempt_at = utcnow() + timedelta(seconds=self.settings.queue_lease_seconds)
        session.info.setdefault(MARKED_KEY, {})[row.id] = row.kind

    def after_commit(self, ids: Sequence[str], marked: Mapping[str, str] | None = None) -> None:
        kept = follow_ups.current()
        if kept is not None:
            kept.ids.extend(ids)
            return
        if self.settings.mode == "rq":
            marked = marked or {}
            self._enqueue_marked([i for i in ids if i in marked], marked)
            self._relay_now([i for i in ids if i not in marked])
        elif self.settings.mode == "thread":
            runner = self._runner
            if runner is not None and runner.alive:
                runner.wake()

    def _enqueue_marked(self, ids: Sequence[str], kinds: Mapping[str, str]) -> None:
        """Enqueue rows committed as enqueued; put back to pending any that Redis did not take."""
        left = list(ids)
        if not left:
            return
        try:
            assert self.settings.redis_url is not None
            connection = redis_for(self.settings.redis_url)
            while left:
                enqueue(connection, left[0], kinds[left[0]], self.settings)
                left.pop(0)
        except RedisError as error:
            self._redis_paused_until = time.monotonic() + REDIS_PAUSE_SECONDS
            log.warning(
                "Redis unavailable (%s): %d job(s) left for the relay", describe(error), len(left)
            )
            self._put_back(left)
        except Exception as error:  # noqa: BLE001 - the commit stands; the relay retries later
            log.warning("could not enqueue after commit (%s)", describe(error))
            self._put_back(left)

    def _put_back(self, ids: Sequence[str]) -> None:
        """Rows that were committed as enqueued but never reached Redis: due now, for the relay."""
        try:
            with Session(db.engine) as session, session.begin():
                session.execute(
                    update(Outbox)
                    .where(
                        Outbox.id.in_(list(ids)),
                        Outbox.state == OutboxState.ENQUEUED,
                        Outbox.attempts == 0,
                    )
                    .values(state=OutboxState.PENDING, next_attempt_at=utcnow())
                    .execution_options(synchronize_session=False)
                )
        except Exception as error:  # noqa: BLE001 - the relay takes them once the lease is over
            log.warning(
                "%d job(s) wait for the queue lease before the relay (%s)",
                len(ids),
                describe(error),
            )

    def _relay_now(self, ids: Sequence[str]) -> None:
        if not ids or time.monotonic() < self._redis_paused_until:
            return
        try:
            relay(db.engine, self.settings, ids)
        except RedisError as error:
            self._redis_paused_until = time.monotonic() + REDIS_PAUSE_SECONDS
            log.warning(
                "Redis unavailable (%s): %d job(s) left for the relay", describe(error), len(ids)
            )
        except Exception as error:  # noqa: BLE001 - the commit stands; the relay retries later
            log.warning("could not relay after commit (%s)", describe(error))

    def start_runner(self) -> None:
        """Start the in-process runner thread in this process (once; again after a fork)."""
        if self.settings.mode != "thread":
            return
        with self._lock:
            if self._runner is None or not self._runner.alive:
                self._runner = InProcessRunner(self.app, self.settings.poll_seconds)
                self._runner.start()

    def stop_runner(self) -> None:
        if self._runner is not None:
            self._runner.stop()


class InProcessRunner:
    """Without Redis, a daemon thread runs due outbox rows: woken after commits, else polling."""

    def __init__(self, app: Flask, poll_seconds: float) -> None:
        self.app = app
        self.poll_seconds = poll_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._pid = os.getpid()
        self._thread = threading.Thread(target=self._loop, name="saferforms-jobs", daemon=True)

    @property
    def alive(self) -> bool:
        # A forked child (gunicorn) inherits the object but not the thread.
        return self._pid == os.getpid() and self._thread.is_alive() and not self._stop.is_set()

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 10) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _loop(self) -> None:
        from .runner import run_due

        while not self._stop.is_set():
            try:
                with self.app.app_context():
                    run_due()
                    db.session.remove()
            except Exception as error:  # noqa: BLE001 - keep polling; the rows wait safely
                log.warning("in-process jobs: %s", describe(error))
            self._wake.wait(self.poll_seconds)
            self._wake.clear()


@contextmanager
def follow_ups_here(lease_seconds: float) -> Iterator[FollowUps]:
    """Keep the ids of rows committed within the block, for the caller to run itself.

    The rows are committed, so nothing is lost if the caller dies before it runs them: the relay
    finds them on its next round, or once their lease runs out (`lease_seconds`, the run lease)
    if they were claimed as they were written. Ids the caller has not taken off the list when the
    block ends are released from that claim and relayed then, as they would have been at their
    commit.
    """
    kept, token = follow_ups.begin(lease_seconds)
    try:
        yield kept
    finally:
        follow_ups.end(token)
        left = list(dict.fromkeys(kept.ids))
        if left:
            follow_ups.release(sorted(kept.claimed.intersection(left)))
            dispatcher = current_app.extensions.get(EXTENSION) if has_app_context() else None
            if dispatcher is not None:
                dispatcher.after_commit(left)


def _after_commit(session: Session) -> None:
    ids = list(dict.fromkeys(session.info.pop(SESSION_KEY, None) or ()))
    marked = session.info.pop(MARKED_KEY, None)
    if not ids or not has_app_context():
        return
    dispatcher = current_app.extensions.get(EXTENSION)
    if dispatcher is not None:
        dispatcher.after_commit(ids, marked)


def _before_flush(session: Session, _context: object, _instances: object) -> None:
    if not has_app_context() or follow_ups.current() is not None:
        return
    dispatcher = current_app.extensions.get(EXTENSION)
    if dispatcher is None:
        return
    for obj in session.new:
        if isinstance(obj, Outbox):
            dispatcher.mark_enqueued(session, obj)


def _after_flush(session: Session, _context: object) -> None:
    # Rows added directly (not through outbox.add) are noticed too.
    new = [obj.id for obj in session.new if isinstance(obj, Outbox)]
    if new:
        session.info.setdefault(SESSION_KEY, []).extend(new)


def _after_rollback(session: Session) -> None:
    session.info.pop(SESSION_KEY, None)
    session.info.pop(MARKED_KEY, None)


_listening = False


def init_app(app: Flask) -> Dispatcher:
    """Attach the dispatcher; in-process mode starts its runner with the first request."""
    global _listening
    if not _listening:
        event.listen(Session, "before_flush", _before_flush)
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)
        _listening = True
    dispatcher = Dispatcher(app)
    app.extensions[EXTENSION] = dispatcher
    if dispatcher.settings.mode == "thread":

        @app.before_request
        def _start_jobs_runner() -> None:
            runner = dispatcher._runner
            if runner is None or not runner.alive:
                dispatcher.start_runner()

    return dispatcher
