"""The audit trail: a hash chain that `saferforms audit verify` checks."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from forms_app import audit
from forms_app.audit import GENESIS_HASH
from forms_app.extensions import db
from forms_app.models import AuditEvent


def _record_three(app):
    with app.app_context():
        audit.record("user.created", object_type="user", object_id="u-1", fields=["email"])
        audit.record("sign_in.failed")
        audit.record("user.disabled", object_type="user", object_id="u-1", fields=["is_active"])
        db.session.commit()


@contextmanager
def _tampering(app):
    """A connection that may change audit rows: PostgreSQL's append-only trigger is lifted."""
    with app.app_context():
        with db.engine.begin() as connection:
            postgres = connection.dialect.name == "postgresql"
            if postgres:
                connection.execute(
                    sa.text("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only")
                )
            try:
                yield connection
            finally:
                if postgres:
                    connection.execute(
                        sa.text("ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only")
                    )


def test_an_untouched_trail_verifies(app, runner):
    _record_three(app)

    result = runner.invoke(args=["audit", "verify"])

    assert result.exit_code == 0, result.output
    assert "intact: 3 events checked" in result.output


def test_an_empty_trail_verifies(runner):
    result = runner.invoke(args=["audit", "verify"])

    assert result.exit_code == 0
    assert "0 events checked" in result.output


def test_each_event_carries_the_hash_of_the_one_before(app):
    _record_three(app)
    with app.app_context():
        events = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)).all()

    assert [e.id for e in events] == [1, 2, 3]
    assert events[0].prev_hash == GENESIS_HASH
    assert events[1].prev_hash == events[0].hash
    assert events[2].prev_hash == events[1].hash
    assert len({e.hash for e in events}) == 3


def test_verify_names_a_row_whose_contents_were_changed(app, runner):
    _record_three(app)
    with _tampering(app) as connection:
        connection.execute(
            sa.text("UPDATE audit_event SET action = 'sign_in.succeeded' WHERE id = 2")
        )

    result = runner.invoke(args=["audit", "verify"])

    assert result.exit_code == 1
    assert "row 2 has been changed" in result.output


def test_verify_names_the_next_row_when_a_changed_row_was_rehashed(app, runner):
    _record_three(app)
    with app.app_context():
        event = db.session.get(AuditEvent, 2)
        event.actor_id = "someone-else"
        forged = audit.event_hash(event)
        db.session.rollback()
    with _tampering(app) as connection:
        connection.execute(
            sa.text("UPDATE audit_event SET actor_id = 'someone-else', hash = :h WHERE id = 2"),
            {"h": forged},
        )

    result = runner.invoke(args=["audit", "verify"])

    assert result.exit_code == 1
    assert "row 3 does not link to row 2" in result.output


def test_verify_notices_a_chain_rebuilt_by_someone_who_can_write_to_the_database(app, runner):
    """Change row 2, then rehash rows 2 and 3 and the head, as a plain hash chain allows: only
    the head's keyed tag, which needs a key the database does not hold, gives it away."""
    _record_three(app)
    with app.app_context():
        events = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)).all()
        events[1].actor_id = "someone-else"
        rebuilt, previous = [], events[0].hash
        for event in events[1:]:
            event.prev_hash = previous
            previous = audit.event_hash(event)
            rebuilt.append((event.id, event.prev_hash, previous))
        db.session.rollback()
    with _tampering(app) as connection:
        connection.execute(sa.text("UPDATE audit_event SET actor_id = 'someone-else' WHERE id = 2"))
        for row_id, prev_hash, new_hash in rebuilt:
            connection.execute(
                sa.text("UPDATE audit_event SET prev_hash = :p, hash = :h WHERE id = :id"),
                {"p": prev_hash, "h": new_hash, "id": row_id},
            )
        connection.execute(sa.text("UPDATE audit_head SET last_hash = :h"), {"h": previous})

    result = runner.invoke(args=["audit", "verify"])

    assert result.exit_code == 1
    assert "does not carry the service's tag" in result.output


def test_verify_names_a_deleted_row(app, runner):
    _record_three(app)
    with _tampering(app) as connection:
        connection.execute(sa.text("DELETE FROM audit_event WHERE id = 2"))

    result = runner.invoke(args=["audit", "verify"])

    assert result.exit_code == 1
    assert "row 2 is missing" in result.output


def test_verify_notices_when_the_latest_rows_are_deleted(app, runner):
    _record_three(app)
    with _tampering(app) as connection:
        connection.execute(sa.text("DELETE FROM audit_event WHERE id = 3"))

    result = runner.invoke(args=["audit", "verify"])

    assert result.exit_code == 1
    assert "row 3 is missing" in result.output


def test_an_event_rolled_back_with_its_transaction_leaves_the_chain_whole(app, runner):
    with app.app_context():
        audit.record("sign_in.failed")
        db.session.rollback()
        audit.record("sign_in.failed")
        db.session.commit()

    result = runner.invoke(args=["audit", "verify"])

    assert result.exit_code == 0, result.output
    assert "intact: 1 event checked" in result.output


def test_a_field_value_is_refused_where_a_field_name_belongs(app):
    with app.app_context():
        with pytest.raises(ValueError) as error:
            audit.record("person.updated", fields=["first_name", "jo.bloggs@example.com"])

    assert "example.com" not in str(error.value)


def test_the_client_address_is_stored_only_as_a_keyed_hash(app):
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "203.0.113.9"}):
        audit.record("sign_in.failed")
        audit.record("sign_in.failed")
        db.session.commit()
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "198.51.100.4"}):
        audit.record("sign_in.failed")
        db.session.commit()
    with app.app_context():
        first, second, other = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id))

        assert first.origin == second.origin
        assert first.origin != other.origin
        assert "203.0.113" not in first.origin
        assert len(first.origin) == 32
        assert first.actor_type == "public"


def test_an_audit_row_cannot_be_changed_unnoticed(app, runner):
    _record_three(app)
    with app.app_context():
        dialect = db.engine.dialect.name
        if dialect == "postgresql":
            # PostgreSQL refuses outright: migration 0001's trigger makes the table append-only.
            for statement in (
                "UPDATE audit_event SET action = 'x' WHERE id = 1",
                "DELETE FROM audit_event WHERE id = 1",
            ):
                with pytest.raises(sa.exc.DBAPIError, match="append-only"):
                    with db.engine.begin() as connection:
                        connection.execute(sa.text(statement))
            assert db.session.get(AuditEvent, 1).action == "user.created"
        else:
            # SQLite has no such trigger; the chain is what catches the change.
            with db.engine.begin() as connection:
                connection.execute(sa.text("UPDATE audit_event SET action = 'x' WHERE id = 1"))

    result = runner.invoke(args=["audit", "verify"])

    if dialect == "postgresql":
        assert result.exit_code == 0, result.output
    else:
        assert result.exit_code == 1
        assert "row 1 has been changed" in result.output
