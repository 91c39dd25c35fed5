"""Pooled connections are checked only after sitting idle, and a dead one is replaced unseen."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from forms_app.extensions import db
from forms_app.pooling import ping_when_idle


@pytest.fixture
def engine(postgres_server_url):
    engine = sa.create_engine(postgres_server_url, pool_size=1, max_overflow=0)
    ping_when_idle(engine, idle_seconds=0.2)
    pings: list[float] = []
    real_ping = engine.dialect.do_ping

    def counting_ping(dbapi_connection):  # type: ignore[no-untyped-def]
        pings.append(time.monotonic())
        return real_ping(dbapi_connection)

    engine.dialect.do_ping = counting_ping  # type: ignore[method-assign]
    engine.pings = pings  # type: ignore[attr-defined]
    yield engine
    engine.dispose()


def _backend_pid(engine: sa.Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(sa.text("SELECT pg_backend_pid()")).scalar_one())


def _terminate(server_url: str, pid: int) -> None:
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    admin.dispose()


@pytest.mark.postgres
def test_a_connection_in_steady_use_is_not_pinged(engine) -> None:
    for _ in range(20):
        _backend_pid(engine)
    assert engine.pings == []


@pytest.mark.postgres
def test_a_connection_the_server_dropped_while_idle_is_replaced_before_use(
    engine, postgres_server_url
) -> None:
    dead = _backend_pid(engine)
    _terminate(postgres_server_url, dead)
    time.sleep(0.3)

    # The statement runs on a new connection: the caller never sees the dead one.
    assert _backend_pid(engine) != dead
    assert len(engine.pings) == 1


def test_the_application_engine_pings_idle_connections_only(app) -> None:
    with app.app_context():
        pool = db.engine.pool
        assert not pool._pre_ping  # type: ignore[attr-defined]
        assert any(
            listener.__qualname__.startswith("ping_when_idle")
            for listener in pool.dispatch.checkout
        )
