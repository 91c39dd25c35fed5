"""The migrations build the schema from empty, tear it down, and agree with the models."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from forms_app import create_app
from forms_app.extensions import db
from tests.conftest import ROOT, _test_config, create_scratch_database, drop_scratch_database

MIGRATIONS = str(ROOT / "migrations")


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    server = request.getfixturevalue("postgres_server_url")
    url, admin = create_scratch_database(server)
    try:
        yield url
    finally:
        drop_scratch_database(admin, url)


def _tables(url: str) -> set[str]:
    engine = sa.create_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_migrations_build_the_whole_schema_from_empty_and_downgrade_removes_it(
    empty_database, tmp_path
) -> None:
    app = create_app(_test_config(empty_database, tmp_path / "instance"))
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        assert _tables(empty_database) == set(db.metadata.tables)
        downgrade(directory=MIGRATIONS, revision="base")
        assert _tables(empty_database) == set()
        upgrade(directory=MIGRATIONS)
        assert _tables(empty_database) == set(db.metadata.tables)
        db.engine.dispose()


def test_the_models_and_the_migrations_agree(empty_database, tmp_path) -> None:
    app = create_app(_test_config(empty_database, tmp_path / "instance"))
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        db.engine.dispose()
    assert differences == [], f"autogenerate would change the schema: {differences}"


def test_migration_files_are_numbered_in_order() -> None:
    names = sorted(p.name for p in (ROOT / "migrations" / "versions").glob("*.py"))
    numbers = [int(name[:4]) for name in names]
    assert numbers == list(range(1, len(names) + 1)), names
