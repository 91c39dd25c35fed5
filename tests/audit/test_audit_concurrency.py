"""Appends from several writers at once still make one unbroken chain."""

from __future__ import annotations

import threading

import sqlalchemy as sa

from forms_app import audit
from forms_app.extensions import db
from forms_app.models import AuditEvent

WRITERS = 4
EVENTS_EACH = 10


def test_parallel_writers_never_fork_the_chain(app):
    retries = []
    errors = []

    def write(number):
        with app.app_context():
            written = 0
            while written < EVENTS_EACH:
                try:
                    audit.record("case.read", object_type="case", object_id=f"case-{number}")
                    db.session.commit()
                    written += 1
                except (sa.exc.OperationalError, sa.exc.IntegrityError):
                    # SQLite has no row locks: a writer that loses the race retries.
                    db.session.rollback()
                    retries.append(number)
                except Exception as error:  # noqa: BLE001 - reported below
                    errors.append(error)
                    return
            db.session.remove()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    with app.app_context():
        report = audit.verify()
        ids = db.session.scalars(sa.select(AuditEvent.id).order_by(AuditEvent.id)).all()
        dialect = db.engine.dialect.name
    assert report.ok, report.problem
    assert report.checked == WRITERS * EVENTS_EACH
    assert ids == list(range(1, WRITERS * EVENTS_EACH + 1))
    if dialect == "postgresql":
        # The head row's lock queues writers: nobody has to retry.
        assert retries == []
