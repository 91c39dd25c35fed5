"""The migrations build the schema from empty, tear it down, and agree with the models."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

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


def test_the_reasons_of_risk_assessments_are_encrypted_by_migration_and_survive_both_ways(
    empty_database, tmp_path
) -> None:
    """0007 encrypts reasons written in the clear before it, and its downgrade decrypts them."""
    from forms_app.intake.models import CaseAssessment
    from forms_app.models import Case, Channel, FormVersion, Submission

    judgement = "Raised on professional judgement: Mrs Example's son was seen with a knife"
    reasons = ["14 of the 27 checklist questions answered yes", judgement]
    app = create_app(_test_config(empty_database, tmp_path / "instance"))
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        version = FormVersion(slug="dash", content_hash="0" * 64, title="DASH", source_yaml="x")
        db.session.add(version)
        db.session.flush()
        submission = Submission(
            reference="DASH-7KQ3-MX2P",
            form_version_id=version.id,
            channel=Channel.REFERRAL,
            sealed_answers=b"sealed",
        )
        submission.risk_reasons = reasons
        db.session.add(submission)
        db.session.flush()
        case = Case(reference="DASH-7KQ3-MX2P", case_type="dash", submission_id=submission.id)
        db.session.add(case)
        db.session.flush()
        assessment = CaseAssessment(
            case_id=case.id,
            submission_id=submission.id,
            score=14,
            level="high",
            reasons=reasons,
            flags=[],
            instrument="DASH",
            version="2009",
        )
        db.session.add(assessment)
        db.session.commit()
        submission_id, assessment_id = submission.id, assessment.id

        def raw(table: str, column: str, row_id: str) -> Any:
            with db.engine.connect() as connection:
                value = connection.execute(
                    sa.text(f"SELECT {column} FROM {table} WHERE id = :id"), {"id": row_id}
                ).scalar_one()
            return bytes(value) if isinstance(value, bytes | memoryview) else value

        for table, column, row_id in [
            ("submission", "risk_reasons", submission_id),
            ("case_assessment", "reasons", assessment_id),
        ]:
            assert b"knife" not in raw(table, column, row_id)

        db.session.remove()
        downgrade(directory=MIGRATIONS, revision="0006")
        for table, column, row_id in [
            ("submission", "risk_reasons", submission_id),
            ("case_assessment", "reasons", assessment_id),
        ]:
            stored = raw(table, column, row_id)  # PostgreSQL's driver decodes JSON itself
            assert (stored if isinstance(stored, list) else json.loads(stored)) == reasons

        upgrade(directory=MIGRATIONS)
        assert b"knife" not in raw("submission", "risk_reasons", submission_id)
        assert b"knife" not in raw("case_assessment", "reasons", assessment_id)
        assert db.session.get(Submission, submission_id).risk_reasons == reasons
        assert db.session.get(CaseAssessment, assessment_id).reasons == reasons
        db.session.remove()
        db.engine.dispose()


def test_the_audit_trail_of_an_existing_database_is_tagged_by_migration(
    empty_database, tmp_path
) -> None:
    from forms_app.audit import GENESIS_HASH
    from forms_app.audit.service import verify

    app = create_app(_test_config(empty_database, tmp_path / "instance"))
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision="0007")
        with db.engine.begin() as connection:
            connection.execute(
                sa.text("INSERT INTO audit_head (id, last_id, last_hash) VALUES (1, 0, :h)"),
                {"h": GENESIS_HASH},
            )
        upgrade(directory=MIGRATIONS)
        assert verify().ok
        with db.engine.begin() as connection:
            connection.execute(sa.text("UPDATE audit_head SET tag = NULL"))
        assert not verify().ok
        db.session.remove()
        db.engine.dispose()
