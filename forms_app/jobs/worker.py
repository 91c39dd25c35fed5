"""`saferforms worker`: an RQ worker on every queue, with RQ's scheduler and the outbox relay."""

from __future__ import annotations

import logging
import math
import threading
import time
from typing import Any

from flask import Flask
from redis import Redis
from redis.client import Pipeline
from rq import Queue, SimpleWorker

from forms_app.extensions import db

from .errors import describe
from .queues import ALL_QUEUES
from .relay import relay
from .settings import job_settings

log = logging.getLogger(__name__)
_now = time.monotonic  # replaced in tests


def build_worker(app: Flask, name: str | None = None) -> SimpleWorker:
    """A worker listening to every queue in ALL_QUEUES.

    A SimpleWorker runs jobs in its own process rather than forking one per job: jobs are short
    and database-bound, and a fork would have to rebuild the application and its connection pool
    every time. A job that overruns is still stopped at its timeout.
    """
    settings = job_settings(app.config)
    if not settings.redis_url:
        raise RuntimeError("set REDIS_URL to run workers; without it jobs run in the web process")
    # No socket timeout: the worker blocks on Redis while it waits for jobs.
    connection = Redis.from_url(settings.redis_url)
    queues = [Queue(name, connection=connection) for name in ALL_QUEUES]
    return Worker(queues, connection=connection, name=name)


class Worker(SimpleWorker):
    """RQ's SimpleWorker, with fewer heartbeats and a quick stop.

    Heartbeats: RQ renews the worker's key in Redis (three commands, each a round trip) before
    it waits for a job, after it takes one and after it finishes one, each time for the
    worker's whole time to live (`worker_ttl` + 60 seconds, 480 by default). Under load that is
    nine round trips a job to say what one said a moment before. A renewal for that whole time
    made less than `HEARTBEAT_REPEAT_SECONDS` ago stands in for the next: the key then still has
    more than its time to live less those seconds to run, longer than RQ ever waits for a job
    (`worker_ttl` - 15). Renewals for a shorter time, and those RQ sends in its own pipelines
    with a job's state, are never skipped, and nor is the whole renewal after them.

    Stopping: RQ listens for commands (stop a job, shut down) in a thread that wakes every 60
    seconds. Since redis-py 8, stopping that thread waits for it to wake, so a worker could take
    a minute to exit. The thread is a daemon, and closes its own connection when it wakes.
    """

    HEARTBEAT_REPEAT_SECONDS = 5.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._whole_heartbeat_at = -math.inf

    def heartbeat(self, timeout: int | None = None, pipeline: Pipeline | None = None) -> None:
        whole = self.worker_ttl + 60
        renews_whole = (timeout or whole) >= whole
        if (
            pipeline is None
            and renews_whole
            and _now() - self._whole_heartbeat_at < self.HEARTBEAT_REPEAT_SECONDS
        ):
            return
        super().heartbeat(timeout, pipeline)
        # A renewal in a pipeline may not reach Redis, and a shorter one leaves the key less
        # time than the next wait for a job: after either, the next whole renewal is sent.
        self._whole_heartbeat_at = _now() if pipeline is None and renews_whole else -math.inf

    def unsubscribe(self) -> None:
        thread = self.pubsub_thread
        if thread is None or self.pubsub is None:
            return
        self.pubsub.unsubscribe()
        try:
            thread.stop(timeout=0.2)
        except TypeError:  # redis-py before 8: stop() only asks the thread to end
            thread.stop()
            thread.join(timeout=0.2)


class RelayLoop:
    """Relay due outbox rows every few seconds, in a daemon thread of the worker process."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.settings = job_settings(app.config)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="saferforms-relay", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                with self.app.app_context():
                    while (
                        len(relay(db.engine, self.settings).enqueued) >= self.settings.relay_batch
                    ):
                        pass
            except Exception as error:  # noqa: BLE001 - Redis or the database may be restarting
                log.warning("relay: %s; trying again shortly", describe(error))
            self._stop.wait(self.settings.poll_seconds)


def relay_everything_due(app: Flask) -> int:
    """Relay every due row now; return how many were enqueued."""
    settings = job_settings(app.config)
    total = 0
    with app.app_context():
        while True:
            enqueued = len(relay(db.engine, settings).enqueued)
            total += enqueued
            if enqueued < settings.relay_batch:
                return total


def run_worker(app: Flask, *, burst: bool = False, name: str | None = None) -> None:
    """Work until stopped; or, with `burst`, until nothing is due or queued, then return.

    A burst run relays before each pass itself (its relay thread might not get a turn before
    the queues look empty) and goes round again while jobs keep adding rows.
    The caller loads every job's code first (`registry.load_all`, as `saferforms worker` does),
    so that one that cannot be loaded stops the worker before it takes a job.
    """
    if burst:
        for round_number in range(1000):
            relayed = relay_everything_due(app)
            worker = build_worker(app, name=f"{name}-{round_number}" if name else None)
            worked = worker.work(burst=True, with_scheduler=False, logging_level="INFO")
            if not relayed and not worked:
                return
        return
    worker = build_worker(app, name=name)
    loop = RelayLoop(app)
    loop.start()
    try:
        worker.work(burst=False, with_scheduler=True, logging_level="INFO")
    finally:
        loop.stop()
