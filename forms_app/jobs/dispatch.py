"""Start jobs after a commit: relay to Redis at once, or wake the in-process runner.

`init_app` wires this into an application. Nothing here may make a request fail: the rows are
already committed, so at worst they wait for the relay's or the runner's next round.

Inside `follow_ups_here` (a worker running a job) rows a job commits are not relayed: they are
kept for the same worker to run next, which spares each of them a trip through Redis. Rows added
there through `outbox.add` are claimed as they are written (see `claim_on_insert`), which spares
each of them the claim's own transaction too.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from flask import Flask, current_app, has_app_context
from redis import RedisError
from sqlalchemy import event
from sqlalchemy.orm import Session

from forms_app.extensions import db
from forms_app.models import Outbox

from . import follow_ups
from .errors import describe
from .follow_ups import FollowUps
from .outbox import SESSION_KEY
from .relay import relay
from .settings import job_settings

log = logging.getLogger(__name__)
EXTENSION = "saferforms.jobs"
# After Redis fails, requests stop trying it for this long; the worker's relay catches up.
REDIS_PAUSE_SECONDS = 5.0


class Dispatcher:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self.settings = job_settings(app.config)
        self._redis_paused_until = 0.0
        self._runner: InProcessRunner | None = None
        self._lock = threading.Lock()

    def after_commit(self, ids: Sequence[str]) -> None:
        kept = follow_ups.current()
        if kept is not None:
            kept.ids.extend(ids)
            return
        if self.settings.mode == "rq":
            self._relay_now(ids)
        elif self.settings.mode == "thread":
            runner = self._runner
            if runner is not None and runner.alive:
                runner.wake()

    def _relay_now(self, ids: Sequence[str]) -> None:
        if time.monotonic() < self._redis_paused_until:
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
    if not ids or not has_app_context():
        return
    dispatcher = current_app.extensions.get(EXTENSION)
    if dispatcher is not None:
        dispatcher.after_commit(ids)


def _after_flush(session: Session, _context: object) -> None:
    # Rows added directly (not through outbox.add) are noticed too.
    new = [obj.id for obj in session.new if isinstance(obj, Outbox)]
    if new:
        session.info.setdefault(SESSION_KEY, []).extend(new)


def _after_rollback(session: Session) -> None:
    session.info.pop(SESSION_KEY, None)


_listening = False


def init_app(app: Flask) -> Dispatcher:
    """Attach the dispatcher; in-process mode starts its runner with the first request."""
    global _listening
    if not _listening:
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
