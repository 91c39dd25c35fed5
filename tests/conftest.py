"""Fixtures shared by the whole suite.

Database tests run against SQLite always and against PostgreSQL when TEST_DATABASE_URL is set.
Locally a missing server skips those tests with the reason; in CI (CI=true) it is a failure.
The schema is built by running the migrations, never by create_all().
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() == "true"


def require_service(name: str, reason: str) -> None:
    """Skip locally, fail in CI, when a server a test needs is not there."""
    message = f"{name} is not available: {reason}"
    if IN_CI:
        pytest.fail(message + " (CI must run every test against real services)")
    pytest.skip(message)


def _postgres_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        require_service(
            "PostgreSQL", "set TEST_DATABASE_URL, e.g. postgresql+psycopg://postgres@127.0.0.1/test"
        )
    assert url is not None
    return url


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    url = _postgres_url()
    try:
        engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        engine.dispose()
    except sa.exc.OperationalError as error:
        require_service(
            "PostgreSQL", f"cannot connect to TEST_DATABASE_URL ({type(error).__name__})"
        )
    return url


def create_scratch_database(server_url: str) -> tuple[str, sa.Engine]:
    """A new empty PostgreSQL database on the test server; returns its URL and an admin engine."""
    name = f"sf_test_{uuid.uuid4().hex[:12]}"
    # pool_pre_ping: a test may restart the server, and dropping the database must still work.
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT", pool_pre_ping=True)
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    return sa.make_url(server_url).set(database=name).render_as_string(hide_password=False), admin


def drop_scratch_database(admin: sa.Engine, url: str) -> None:
    name = sa.make_url(url).database
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A migrated, empty database: SQLite, and PostgreSQL where a server is available."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'test.db'}"
        _migrate(url, tmp_path_factory.mktemp("migrate-instance"))
        yield url
        return
    server = request.getfixturevalue("postgres_server_url")
    url, admin = create_scratch_database(server)
    try:
        _migrate(url, tmp_path_factory.mktemp("migrate-instance"))
        yield url
    finally:
        drop_scratch_database(admin, url)


def _migrate(url: str, instance: Path) -> None:
    from flask_migrate import upgrade

    from forms_app import create_app

    app = create_app(_test_config(url, instance))
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        from forms_app.extensions import db

        db.engine.dispose()


def _test_config(url: str, instance: Path, **extra: object) -> dict[str, object]:
    return {
        "SAFERFORMS_ENV": "test",
        "SQLALCHEMY_DATABASE_URI": url,
        "INSTANCE_DIR": instance,
        "FORMS_DIR": ROOT / "form_definitions",
        "RATELIMIT_STORAGE_URI": "memory://",
        "REDIS_URL": None,
        "SERVER_NAME": None,
        **extra,
    }


def _empty_tables(app: Flask) -> None:
    from forms_app.extensions import db

    with app.app_context():
        db.session.remove()
        tables = [t for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                names = ", ".join(f'"{t.name}"' for t in tables)
                # The audit trail refuses DELETE; TRUNCATE is how tests start afresh.
                connection.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for table in tables:
                    connection.execute(table.delete())
        db.engine.dispose()


@pytest.fixture
def app_config() -> dict[str, object]:
    """Extra configuration for the `app` fixture; override in a test module."""
    return {}


@pytest.fixture
def app(database_url: str, tmp_path: Path, app_config: dict[str, object]) -> Iterator[Flask]:
    from forms_app import create_app

    app = create_app(_test_config(database_url, tmp_path / "instance", **app_config))
    try:
        yield app
    finally:
        _empty_tables(app)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):  # type: ignore[no-untyped-def]
    return app.test_cli_runner()


@pytest.fixture
def db_session(app: Flask):  # type: ignore[no-untyped-def]
    from forms_app.extensions import db

    with app.app_context():
        yield db.session
