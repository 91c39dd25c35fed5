"""A worker runs the rows its job adds (a report's notifications) itself, not through Redis.

The job is run as RQ runs it (`run_outbox`), in this process, against a real Redis: what the
report's processing adds must be done by the time the job returns, with nothing queued, and
whatever the worker does not run must still reach Redis or wait, due, for the relay.
"""

from __future__ import annotations

import pytest
import redis
from rq import Queue
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from forms_app import create_app
from forms_app.extensions import db
from forms_app.jobs import queues, runner
from forms_app.jobs.runner import due_ids, run_outbox
from forms_app.models import Outbox, OutboxState
from tests.conftest import _test_config
from tests.intake.intake_support import make_partnership, submit, victim_report
from tests.jobs.pipeline_support import flushed_redis

pytestmark = pytest.mark.redis

NOTIFICATIONS = ("notify_team_new_case", "acknowledge_reporter")


@pytest.fixture
def redis_url():
    yield from flushed_redis()


@pytest.fixture
def app_config(redis_url):
    return {"REDIS_URL": redis_url}


@pytest.fixture
def worker(app, database_url, tmp_path, redis_url):
    """A worker's application on the same database and keys: it holds the intake private key."""
    worker = create_app(
        _test_config(database_url, tmp_path / "instance", REDIS_URL=redis_url), process="worker"
    )
    yield worker
    with worker.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def processing_row(app, client) -> str:
    """A report sent through the public form: the id of its process_submission row."""
    with app.app_context():
        make_partnership()
        db.session.remove()
    submit(client, victim_report())
    with app.app_context():
        row_id = db.session.scalar(select(Outbox.id).where(Outbox.kind == "process_submission"))
        db.session.remove()
    return row_id


def _attempts(app) -> dict[str, int]:
    with app.app_context():
        rows = db.session.execute(select(Outbox.kind, Outbox.attempts)).all()
        db.session.remove()
    return dict(rows)


def _states(app) -> dict[str, OutboxState]:
    with app.app_context():
        rows = db.session.execute(select(Outbox.kind, Outbox.state)).all()
        db.session.remove()
    return dict(rows)


def _queued(redis_url: str) -> int:
    connection = redis.Redis.from_url(redis_url)
    try:
        return Queue(queues.NOTIFICATIONS, connection=connection).count
    finally:
        connection.close()


def _mail_to(app) -> list[str]:
    folder = app.config["OUTBOX_DIR"]
    return sorted(
        line.removeprefix("To: ")
        for path in folder.glob("*.eml")
        for line in path.read_text().splitlines()
        if line.startswith("To: ")
    )


def test_the_reports_notifications_are_sent_by_the_same_run_with_nothing_queued(
    app, worker, processing_row, redis_url
) -> None:
    with worker.app_context():
        assert run_outbox(processing_row) == "done"

    states = _states(app)
    assert states == {
        "process_submission": OutboxState.DONE,
        "notify_team_new_case": OutboxState.DONE,
        "acknowledge_reporter": OutboxState.DONE,
    }
    assert _mail_to(worker) == ["asb-team@northdale-council.example", "sam.smith@home.example"]
    assert _queued(redis_url) == 0
    # Claimed as they were written, each message counts the one attempt it took.
    assert _attempts(app) == {kind: 1 for kind in states}


def test_while_the_worker_runs_them_no_relay_can_hand_its_rows_out(
    app, worker, processing_row, monkeypatch
) -> None:
    real_execute = runner.execute
    seen: dict[str, tuple[bool, int]] = {}

    def look_from_another_process_first(outbox_id: str, **options: bool) -> str:
        if outbox_id != processing_row:
            with app.app_context():
                row = db.session.get(Outbox, outbox_id)
                assert row is not None
                seen[row.kind] = (outbox_id in due_ids(db.session), row.attempts)
                db.session.remove()
        return real_execute(outbox_id, **options)

    monkeypatch.setattr(runner, "execute", look_from_another_process_first)
    with worker.app_context():
        assert run_outbox(processing_row) == "done"

    # Committed with the report, already claimed: not due, one attempt counted.
    assert seen == {kind: (False, 1) for kind in NOTIFICATIONS}
    assert set(_states(app).values()) == {OutboxState.DONE}


def test_rows_past_the_limit_go_to_redis_as_they_would_have(
    app, worker, processing_row, redis_url, monkeypatch
) -> None:
    monkeypatch.setattr(runner, "FOLLOW_UP_LIMIT", 1)
    with worker.app_context():
        assert run_outbox(processing_row) == "done"

    states = _states(app)
    assert {states[kind] for kind in NOTIFICATIONS} == {OutboxState.ENQUEUED, OutboxState.DONE}
    assert len(_mail_to(worker)) == 1
    assert _queued(redis_url) == 1
    # The one not run here was released from its claim: its attempts are its own.
    [left] = [kind for kind in NOTIFICATIONS if states[kind] is OutboxState.ENQUEUED]
    assert _attempts(app)[left] == 0


def test_a_notification_the_database_refuses_waits_due_for_the_relay(
    app, worker, processing_row, redis_url, monkeypatch
) -> None:
    real_execute = runner.execute
    refused: list[str] = []

    def database_away_after_the_first_job(outbox_id: str, **options: bool) -> str:
        if outbox_id == processing_row:
            return real_execute(outbox_id, **options)
        refused.append(outbox_id)
        raise OperationalError("SELECT 1", {}, Exception("the database went away"))

    monkeypatch.setattr(runner, "execute", database_away_after_the_first_job)
    with worker.app_context():
        # The report itself is done: the failure of what follows is not its failure.
        assert run_outbox(processing_row) == "done"

    [first] = refused
    states = _states(app)
    assert states["process_submission"] is OutboxState.DONE
    assert _mail_to(worker) == []
    with app.app_context():
        first_kind = db.session.get(Outbox, first).kind
        # The refused row was not run and is due at once; the one after it went to Redis.
        assert first in due_ids(db.session)
        db.session.remove()
    assert states[first_kind] is OutboxState.PENDING
    assert _attempts(app)[first_kind] == 0
    [other] = [kind for kind in NOTIFICATIONS if kind != first_kind]
    assert states[other] is OutboxState.ENQUEUED
    assert _queued(redis_url) == 1
