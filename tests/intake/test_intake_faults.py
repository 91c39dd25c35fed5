"""Intake under faults, with real Redis and real worker processes.

Proven here on SQLite and PostgreSQL: a worker SIGKILLed mid-job; Redis away while people
submit; two reports about one new person on two workers at once; the same job delivered twice;
a corrupt seal among good reports. (A PostgreSQL restart: test_intake_postgres_restart.py.)
"""

from __future__ import annotations

import time

import pytest
import redis
import sqlalchemy as sa
from rq import Queue
from rq.registry import StartedJobRegistry

from forms_app.extensions import db
from forms_app.jobs import queues
from forms_app.jobs.queue import RUNNER
from tests.intake.intake_support import make_partnership, submit, victim_report
from tests.intake.intake_workers import (
    INTAKE_REDIS_DB,
    counts,
    person,
    real_answers,
    seal_report,
    start_workers,
)
from tests.jobs.pipeline_support import flushed_redis, free_port, wait_for

pytestmark = pytest.mark.redis


@pytest.fixture
def redis_url():
    yield from flushed_redis(INTAKE_REDIS_DB)


@pytest.fixture
def app_config(redis_url):
    return {"REDIS_URL": redis_url}


@pytest.fixture
def workers(app, redis_url, tmp_path):
    started = []
    yield start_workers(app, redis_url, tmp_path, started)
    for worker in started:
        if worker.process.poll() is None:
            worker.kill()


@pytest.fixture
def answers(app):
    with app.app_context():
        make_partnership()
        db.session.remove()
    return real_answers(app)


def _url(app) -> str:
    return app.config["SQLALCHEMY_DATABASE_URI"]


def test_a_worker_killed_mid_job_leaves_every_report_processed_exactly_once(
    app, answers, redis_url, workers
) -> None:
    values, version = answers
    with app.app_context():
        for index in range(25):
            seal_report(values, version, **person(index))
        db.session.remove()
    started = StartedJobRegistry(queues.INTAKE, connection=redis.Redis.from_url(redis_url))

    first = workers()
    # A worker starting on a machine busy with other work can take most of a minute.
    wait_for(lambda: counts(_url(app))["processed"] >= 2 and started.get_job_ids(), 180, 0.01)
    first.kill()
    interrupted = counts(_url(app))
    assert interrupted["processed"] < 25, "the worker finished before it could be killed"

    second = workers()
    wait_for(lambda: (c := counts(_url(app)))["processed"] == 25 and c["open_rows"] == 0, 120)
    time.sleep(1)
    second.stop()

    final = counts(_url(app))
    assert final["cases"] == 25 and final["reports"] == 25
    assert final["duplicate_reports"] == 0
    assert final["audited"] == 25
    assert final["inbox"] == 25
    assert final["open_rows"] == 0 and final["failed_rows"] == 0


def test_reports_made_while_redis_is_down_are_accepted_and_processed_once_it_returns(
    app, answers, redis_url, workers
) -> None:
    from forms_app import create_app

    offline = create_app(
        {**app.config, "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"}, process="web"
    )
    client = offline.test_client()
    references = [
        submit(
            client,
            victim_report(
                name=person(index)["contact_name"],
                dob=(1960 + index, 1 + index, 3 + index),
                email=person(index)["contact_email"],
                category={"asb_category": ("personal", "nuisance", "environmental")[index]},
            ),
        )
        for index in range(3)
    ]
    assert client.get("/healthz").get_json()["pipeline"]["outbox_backlog"] == 3
    with offline.app_context():
        db.engine.dispose()
    assert counts(_url(app))["processed"] == 0

    worker = workers()
    wait_for(lambda: (c := counts(_url(app)))["processed"] == 3 and c["open_rows"] == 0, 60)
    worker.stop()

    final = counts(_url(app))
    assert final["cases"] == 3 and final["duplicate_reports"] == 0 and final["open_rows"] == 0
    engine = sa.create_engine(_url(app))
    with engine.connect() as connection:
        shown = set(connection.execute(sa.text("SELECT reference FROM cases")).scalars())
    engine.dispose()
    assert shown == set(references)


def test_two_reports_about_one_new_person_on_two_workers_make_one_person(
    app, answers, workers
) -> None:
    values, version = answers
    with app.app_context():
        for index in range(6):
            for category in ("personal", "nuisance"):
                seal_report(values, version, **person(index), asb_category=category)
        db.session.remove()

    pair = [workers(burst=True), workers(burst=True)]
    for worker in pair:
        assert worker.wait(120) == 0, worker.output()

    assert counts(_url(app))["processed"] == 12
    engine = sa.create_engine(_url(app))
    with engine.connect() as connection:
        victims = connection.execute(
            sa.text("SELECT count(DISTINCT person_id) FROM case_party WHERE role = 'victim'")
        ).scalar()
        reviews = connection.execute(sa.text("SELECT count(*) FROM match_review")).scalar()
    engine.dispose()
    # Six people, each named twice: six victims, or a review queued for each pair kept apart.
    assert victims == 6 or (victims <= 12 and reviews >= victims - 6)


def test_the_same_job_delivered_twice_makes_one_case_and_a_corrupt_seal_fails_alone(
    app, answers, redis_url, workers
) -> None:
    values, version = answers
    with app.app_context():
        good = seal_report(values, version, **person(1))
        broken = seal_report(values, version, **person(2))
        db.session.execute(
            sa.text("UPDATE submission SET sealed_answers = :junk WHERE id = :id"),
            {"junk": b"\x01" * 90, "id": broken},
        )
        db.session.commit()
        from forms_app.models import Outbox

        [row] = [
            r.id
            for r in db.session.scalars(sa.select(Outbox))
            if r.payload["submission_id"] == good
        ]
        db.session.remove()
    intake = Queue(queues.INTAKE, connection=redis.Redis.from_url(redis_url))
    for copy in range(3):
        intake.enqueue(RUNNER, row, job_id=f"again-{copy}-{row}")

    pair = [workers(burst=True), workers(burst=True)]
    for worker in pair:
        assert worker.wait(120) == 0, worker.output()
    # Notifications were queued by the jobs; a last burst sends them.
    assert workers(burst=True).wait(60) == 0

    final = counts(_url(app))
    assert final["processed"] == 1 and final["cases"] == 1 and final["reports"] == 1
    assert final["inbox"] == 1, [w.output()[-3000:] for w in pair]
    assert final["failed"] == 1 and final["failed_rows"] == 1
    mails = list((app.config["INSTANCE_DIR"] / "outbox").glob("*.eml"))
    assert sum("team_new_case" in mail.name for mail in mails) == 1
    assert sum("reporter_acknowledgement" in mail.name for mail in mails) == 1
