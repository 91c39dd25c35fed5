"""The pipeline with a real Redis and real `saferforms worker` processes.

Faults proven here: a worker SIGKILLed mid-job, Redis away while rows are added, the same job
delivered twice, a job that always fails. The `app` fixture's database (SQLite file, or the
scratch PostgreSQL database) is shared with the worker processes through DATABASE_URL.
"""

from __future__ import annotations

import threading
import time

import pytest
import redis
from rq import Queue
from rq.job import Job
from sqlalchemy import event, func, select, update

from forms_app.extensions import db
from forms_app.jobs import outbox, queues
from forms_app.jobs import worker as worker_module
from forms_app.jobs.queue import FINISHED_JOB_SECONDS, RUNNER, enqueue, job_id_for
from forms_app.jobs.queues import ALL_QUEUES
from forms_app.jobs.registry import JOBS, JobSpec
from forms_app.jobs.runner import due_ids
from forms_app.jobs.settings import job_settings
from forms_app.jobs.worker import build_worker
from forms_app.models import Outbox, utcnow
from notifications.models import Delivery, InboxItem
from tests.jobs.job_factories import make_case, make_team
from tests.jobs.pipeline_support import (
    SmtpRecorder,
    WorkerProcess,
    flushed_redis,
    free_port,
    outbox_state,
    smtp_server,
    wait_for,
    worker_environment,
)

pytestmark = pytest.mark.redis


@pytest.fixture
def redis_url():
    yield from flushed_redis()


@pytest.fixture
def smtp_port():
    return free_port()


@pytest.fixture
def app_config(redis_url, smtp_port):
    return {
        "REDIS_URL": redis_url,
        "MAIL_TRANSPORT": "smtp",
        "MAIL_SMTP_HOST": "127.0.0.1",
        "MAIL_SMTP_PORT": smtp_port,
    }


@pytest.fixture
def start_worker(app, redis_url, smtp_port, tmp_path):
    started: list[WorkerProcess] = []

    def start(*, burst: bool = False, **env: str) -> WorkerProcess:
        environment = worker_environment(
            app.config,
            redis_url,
            SAFERFORMS_MAIL_TRANSPORT="smtp",
            MAIL_SMTP_HOST="127.0.0.1",
            MAIL_SMTP_PORT=str(smtp_port),
            MAIL_SMTP_TIMEOUT="20",
            **env,
        )
        worker = WorkerProcess(environment, tmp_path / f"worker-{len(started)}.log", burst=burst)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        if worker.process.poll() is None:
            worker.kill()


def _new_case_row(**case_options) -> tuple[str, str]:
    team = make_team()
    case = make_case(team, **case_options)
    row = outbox.add("notify_team_new_case", case_id=case.id)
    db.session.commit()
    return row.id, case.id


def _counts(case_id: str) -> tuple[int, int]:
    db.session.remove()
    inbox = db.session.scalar(select(func.count()).where(InboxItem.case_id == case_id))
    deliveries = db.session.scalar(select(func.count()).select_from(Delivery))
    db.session.remove()
    return inbox, deliveries


def test_the_worker_listens_to_every_queue_and_every_job_has_one(app) -> None:
    constants = {
        value for name, value in vars(queues).items() if name.isupper() and isinstance(value, str)
    }
    with app.app_context():
        worker = build_worker(app)
    assert [queue.name for queue in worker.queues] == list(ALL_QUEUES)
    assert constants == set(ALL_QUEUES)
    assert {spec.queue for spec in JOBS.values()} <= set(ALL_QUEUES)


def test_a_busy_worker_renews_its_key_less_often_but_never_lets_it_lapse(
    app, redis_url, monkeypatch
) -> None:
    """RQ renews a worker's key up to three times a job; one renewal stands for those that
    follow within a few seconds, and never after a renewal that left the key less time."""
    clock = [1000.0]
    monkeypatch.setattr(worker_module, "_now", lambda: clock[0])
    with app.app_context():
        worker = build_worker(app)
    worker.register_birth()
    connection = redis.Redis.from_url(redis_url)
    whole = worker.worker_ttl + 60
    waits_at_most = worker.dequeue_timeout

    def ttl_after_heartbeat(timeout: int | None = None, pipelined: bool = False) -> int:
        connection.expire(worker.key, 5000)  # so a renewal shows
        if pipelined:
            with connection.pipeline() as pipeline:
                worker.heartbeat(timeout, pipeline=pipeline)
                pipeline.execute()
        else:
            worker.heartbeat(timeout)
        return int(connection.ttl(worker.key))

    try:
        assert ttl_after_heartbeat() == whole
        clock[0] += worker.HEARTBEAT_REPEAT_SECONDS - 1
        assert ttl_after_heartbeat() == 5000  # skipped: renewed for the whole time just now
        clock[0] += 1
        assert ttl_after_heartbeat() == whole

        # A job's own renewal, in RQ's pipeline and for the job's time: the next is sent.
        assert ttl_after_heartbeat(240, pipelined=True) == 240
        assert ttl_after_heartbeat() == whole
        # A shorter renewal outside a pipeline: likewise.
        assert ttl_after_heartbeat(90) == 90
        assert ttl_after_heartbeat() == whole

        # A skipped renewal still leaves the key more time than the longest wait for a job.
        clock[0] += worker.HEARTBEAT_REPEAT_SECONDS - 0.1
        connection.expire(worker.key, int(whole - worker.HEARTBEAT_REPEAT_SECONDS))
        worker.heartbeat()
        assert connection.ttl(worker.key) > waits_at_most
    finally:
        worker.register_death()


def test_a_worker_whose_job_code_cannot_be_loaded_refuses_to_start(app, runner, monkeypatch):
    """A job kind added with a wrong import path stops the worker as it starts, naming the job,
    rather than failing each report that reaches it."""
    broken = JobSpec("tell_the_mayor", "notifications.nowhere:tell_the_mayor", queues.NOTIFICATIONS)
    monkeypatch.setitem(JOBS, broken.kind, broken)

    result = runner.invoke(args=["worker", "--burst"])

    assert result.exit_code != 0
    assert "The worker cannot start" in result.output
    assert "'tell_the_mayor'" in result.output and "notifications.nowhere" in result.output
    assert "Worker listening" not in result.output


def test_a_commit_hands_its_row_to_redis_at_once_with_only_its_id(app, db_session, redis_url):
    row_id, _case_id = _new_case_row()

    assert outbox_state(app.config["SQLALCHEMY_DATABASE_URI"], row_id) == "enqueued"
    connection = redis.Redis.from_url(redis_url)
    job = Job.fetch(job_id_for(row_id), connection=connection)
    assert job.origin == queues.NOTIFICATIONS
    assert job.func_name == RUNNER
    assert job.args == (row_id,) and job.kwargs == {}
    assert Queue(queues.NOTIFICATIONS, connection=connection).job_ids == [job_id_for(row_id)]


def test_the_row_is_written_enqueued_so_the_commit_needs_no_second_transaction(
    app, db_session, redis_url
) -> None:
    team = make_team()
    case = make_case(team)
    row = outbox.add("notify_team_new_case", case_id=case.id)
    statements: list[str] = []
    committed = threading.Event()

    def after_the_commit(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if committed.is_set():
            statements.append(statement)

    def mark_committed(_conn) -> None:  # type: ignore[no-untyped-def]
        committed.set()

    # The connection's commit comes before the session's after_commit hooks, which relay.
    event.listen(db.engine, "commit", mark_committed)
    event.listen(db.engine, "before_cursor_execute", after_the_commit)
    try:
        db.session.commit()
    finally:
        event.remove(db.engine, "before_cursor_execute", after_the_commit)
        event.remove(db.engine, "commit", mark_committed)

    # Written enqueued, with the queue's lease, and on its queue: no relay transaction after.
    assert statements == []
    assert outbox_state(app.config["SQLALCHEMY_DATABASE_URI"], row.id) == "enqueued"
    connection = redis.Redis.from_url(redis_url)
    assert Queue(queues.NOTIFICATIONS, connection=connection).job_ids == [job_id_for(row.id)]
    with app.app_context():
        assert row.id not in due_ids(db.session)
        db.session.remove()


def test_the_same_job_delivered_twice_to_two_workers_has_one_effect(
    app, db_session, redis_url, smtp_port, start_worker
) -> None:
    row_id, case_id = _new_case_row()
    connection = redis.Redis.from_url(redis_url)
    notifications = Queue(queues.NOTIFICATIONS, connection=connection)
    # Redelivery as RQ can do it (at least once): the same row's job, several more times.
    for copy in range(3):
        notifications.enqueue(RUNNER, row_id, job_id=f"redelivery-{copy}-{row_id}")

    with smtp_server(port=smtp_port) as (recorder, _):
        workers = [start_worker(burst=True), start_worker(burst=True)]
        for worker in workers:
            assert worker.wait(60) == 0, worker.output()

    assert outbox_state(app.config["SQLALCHEMY_DATABASE_URI"], row_id) == "done"
    assert len(recorder.messages) == 1
    assert _counts(case_id) == (1, 1)


def test_a_worker_killed_mid_job_is_followed_by_exactly_one_completion(
    app, db_session, smtp_port, start_worker
) -> None:
    # A mail server that holds the first sender at RCPT: the job is mid-send when it is killed.
    recorder = SmtpRecorder(gate=threading.Event())
    with smtp_server(recorder, port=smtp_port):
        first = start_worker(SAFERFORMS_JOBS_TIMEOUT="3")
        row_id, case_id = _new_case_row()
        assert recorder.rcpt_seen.wait(30), first.output()
        first.kill()
        recorder.gate.set()
        assert recorder.messages == []
        assert _counts(case_id) == (0, 0)

        second = start_worker(SAFERFORMS_JOBS_TIMEOUT="3")
        wait_for(lambda: outbox_state(app.config["SQLALCHEMY_DATABASE_URI"], row_id) == "done", 60)
        time.sleep(1)  # a duplicate, if there were one, would arrive now
        second.stop()

    assert recorder.connections >= 2
    assert len(recorder.messages) == 1
    assert _counts(case_id) == (1, 1)


def test_a_job_taken_by_a_worker_that_died_before_claiming_its_row_runs_once_the_lease_ends(
    app, db_session, redis_url, smtp_port, start_worker
) -> None:
    row_id, case_id = _new_case_row()
    # A worker takes the job from Redis and dies before the job claims its row: the job is left
    # "started" in RQ, and the row "enqueued" under the relay's lease.
    with app.app_context():
        dead = build_worker(app)
    taken = dead.dequeue_job_and_maintain_ttl(timeout=5)
    assert taken is not None
    job, _queue = taken
    dead.prepare_job_execution(job)
    assert job.get_status() == "started"
    assert outbox_state(app.config["SQLALCHEMY_DATABASE_URI"], row_id) == "enqueued"

    with smtp_server(port=smtp_port) as (recorder, _):
        worker = start_worker(SAFERFORMS_JOBS_QUEUE_LEASE_SECONDS="1")
        time.sleep(2)
        # Still under the lease the app gave it (120 s): nothing has run the report.
        assert recorder.messages == []
        db_session.execute(
            update(Outbox).where(Outbox.id == row_id).values(next_attempt_at=utcnow())
        )
        db_session.commit()
        wait_for(lambda: outbox_state(app.config["SQLALCHEMY_DATABASE_URI"], row_id) == "done", 30)
        time.sleep(1)  # a duplicate, if there were one, would arrive now
        worker.stop()

    assert len(recorder.messages) == 1
    assert _counts(case_id) == (1, 1)


def test_rows_added_while_redis_is_down_are_kept_and_relayed_when_it_returns(
    app, db_session, smtp_port, start_worker
) -> None:
    dead_redis = f"redis://127.0.0.1:{free_port()}/0"
    from forms_app import create_app

    offline = create_app(
        {**app.config, "REDIS_URL": dead_redis, "RATELIMIT_STORAGE_URI": "memory://"}
    )
    with offline.app_context():
        started = time.monotonic()
        row_id, case_id = _new_case_row()
        assert time.monotonic() - started < 2  # the commit does not wait on Redis
        health = offline.test_client().get("/healthz")
        db.session.remove()
        db.engine.dispose()
    assert health.status_code == 200
    assert health.get_json()["status"] == "degraded"
    assert health.get_json()["pipeline"]["outbox_backlog"] == 1
    assert outbox_state(app.config["SQLALCHEMY_DATABASE_URI"], row_id) == "pending"
    with app.app_context():
        assert row_id in due_ids(db.session)  # for the relay at once, not after a lease
        db.session.remove()

    with smtp_server(port=smtp_port) as (recorder, _):
        worker = start_worker()
        wait_for(lambda: outbox_state(app.config["SQLALCHEMY_DATABASE_URI"], row_id) == "done", 60)
        worker.stop()

    assert len(recorder.messages) == 1
    assert _counts(case_id) == (1, 1)


def test_a_finished_job_is_kept_a_minute_and_a_retry_of_its_row_replaces_it(
    app, db_session, redis_url
) -> None:
    row_id, _case_id = _new_case_row()  # no mail server: the run is recorded as failed
    with app.app_context():
        build_worker(app).work(burst=True, with_scheduler=False)
    connection = redis.Redis.from_url(redis_url)
    finished = Job.fetch(job_id_for(row_id), connection=connection)
    assert finished.get_status() == "finished"
    assert 0 < connection.ttl(finished.key) <= FINISHED_JOB_SECONDS

    with app.app_context():
        outcome = enqueue(connection, row_id, "notify_team_new_case", job_settings(app.config))

    assert outcome == "enqueued"
    assert Job.fetch(job_id_for(row_id), connection=connection).get_status() == "queued"
    assert Queue(queues.NOTIFICATIONS, connection=connection).job_ids == [job_id_for(row_id)]


def test_a_job_that_always_fails_ends_failed_is_listed_and_runs_again_on_retry(
    app, db_session, runner, smtp_port, start_worker
) -> None:
    worker = start_worker(SAFERFORMS_JOBS_MAX_ATTEMPTS="2", SAFERFORMS_JOBS_BACKOFF_SECONDS="0.2")
    row_id, case_id = _new_case_row()  # the mail server is not there yet
    wait_for(lambda: outbox_state(app.config["SQLALCHEMY_DATABASE_URI"], row_id) == "failed", 60)

    listing = runner.invoke(args=["jobs", "failed"])
    assert row_id in listing.output
    assert "notify_team_new_case" in listing.output
    assert "attempts: 2" in listing.output
    assert "could not reach the mail server (ConnectionRefusedError)" in listing.output

    with smtp_server(port=smtp_port) as (recorder, _):
        retried = runner.invoke(args=["jobs", "retry", row_id])
        assert retried.exit_code == 0, retried.output
        wait_for(lambda: outbox_state(app.config["SQLALCHEMY_DATABASE_URI"], row_id) == "done", 60)
        worker.stop()

    assert len(recorder.messages) == 1
    assert _counts(case_id) == (1, 1)
    assert runner.invoke(args=["jobs", "failed"]).output.strip() == "No failed jobs."
