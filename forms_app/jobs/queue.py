"""Redis connections and the one helper through which every job is enqueued."""

from __future__ import annotations

import logging
from typing import Any

from redis import Redis
from rq import Queue, Retry
from rq.exceptions import DuplicateJobError, NoSuchJobError
from rq.job import Job, JobStatus

from .registry import spec_for
from .settings import JobSettings

log = logging.getLogger(__name__)

# The function RQ runs, named by path so that enqueueing imports nothing of the job itself.
RUNNER = "forms_app.jobs.runner.run_outbox"
_WAITING = {JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED}
# A job raises only when the database itself failed (a job's own errors are recorded on its
# row): RQ tries it again after these pauses, which covers a database restart or failover.
# After the last one, the relay re-enqueues the row once its lease has run out.
INFRASTRUCTURE_RETRIES = Retry(max=10, interval=[1, 2, 5, 10, 20, 30, 60, 60, 120, 300])
_connections: dict[str, Redis] = {}
FINISHED_JOB_SECONDS = 60


def job_id_for(outbox_id: str) -> str:
    return f"outbox-{outbox_id}"


def redis_for(url: str) -> Redis:
    """A connection for short commands: a Redis outage costs a caller half a second at most."""
    connection = _connections.get(url)
    if connection is None:
        connection = Redis.from_url(
            url, socket_timeout=2, socket_connect_timeout=0.5, health_check_interval=30
        )
        _connections[url] = connection
    return connection


def enqueue(connection: Redis, outbox_id: str, kind: str, settings: JobSettings) -> str:
    """Put the job for one outbox row on its queue, once.

    The job id is `outbox-<id>` and RQ refuses a second job with that id, so two relays cannot
    queue the same row twice. A job of that id that is no longer waiting (finished, failed, or
    started by a worker that has since died, which is why its row was relayed again) is replaced.
    Returns "enqueued" or "already queued".
    """
    spec = spec_for(kind)
    queue = Queue(spec.queue, connection=connection)
    job_id = job_id_for(outbox_id)
    options: dict[str, Any] = {
        "job_id": job_id,
        "unique": True,
        "job_timeout": settings.job_timeout,
        # The outbox row holds the outcome. A finished job is left to expire after a minute
        # rather than deleted at once, which costs RQ 3 a dozen more commands a job; a retry of
        # the same row within that minute replaces it (below).
        "result_ttl": FINISHED_JOB_SECONDS,
        "failure_ttl": 7 * 24 * 3600,
        "description": f"{kind} {job_id}",
        "retry": INFRASTRUCTURE_RETRIES,
    }
    try:
        queue.enqueue(RUNNER, outbox_id, **options)
        return "enqueued"
    except DuplicateJobError:
        pass
    try:
        existing = Job.fetch(job_id, connection=connection)
        status = existing.get_status(refresh=False)
    except NoSuchJobError:
        existing, status = None, None
    if status in _WAITING:
        return "already queued"
    if existing is not None:
        log.info("replacing job %s left %s", job_id, status)
        existing.delete()
    queue.enqueue(RUNNER, outbox_id, **options)
    return "enqueued"
