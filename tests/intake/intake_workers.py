"""Real answers, sealed submissions and worker processes for the intake fault tests."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask

from forms_app.crypto import crypto
from forms_app.extensions import db
from forms_app.models import Channel, Outbox, Submission, new_id
from tests.intake.intake_support import make_partnership, submit, victim_report
from tests.jobs.pipeline_support import WorkerProcess, worker_environment

INTAKE_REDIS_DB = 12


def real_answers(app: Flask) -> tuple[dict[str, Any], str]:
    """Answers exactly as the public form stores them, and their form version id.

    A report is made through the form by a process that holds the intake key (as a worker
    does), opened, and then removed again, so tests can seal as many variants as they need.
    """
    from forms_app import create_app

    config = {
        key: app.config[key] for key in ("SQLALCHEMY_DATABASE_URI", "INSTANCE_DIR", "FORMS_DIR")
    }
    opener = create_app(
        {
            "SAFERFORMS_ENV": "test",
            "REDIS_URL": None,
            "RATELIMIT_STORAGE_URI": "memory://",
            **config,
        },
        process="worker",
    )
    with opener.app_context():
        reference = submit(opener.test_client(), victim_report())
        submission = db.session.scalar(
            sa.select(Submission).where(Submission.reference == reference)
        )
        payload = json.loads(crypto().unseal_submission(submission.id, submission.sealed_answers))
        version_id = submission.form_version_id
        db.session.execute(sa.delete(Outbox))
        db.session.delete(submission)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return payload["answers"], version_id


SURNAMES = [
    "Abbott",
    "Baptiste",
    "Chowdhury",
    "Dimitriou",
    "Eriksen",
    "Fairweather",
    "Gallagher",
    "Hussain",
    "Ikeda",
    "Jablonski",
    "Kowalczyk",
    "Lindqvist",
    "Mbeki",
    "Nakamura",
    "Okafor",
    "Petrakis",
    "Quinlan",
    "Rasmussen",
    "Szymanski",
    "Thorsen",
    "Umarov",
    "Vasquez",
    "Whitfield",
    "Xiong",
    "Yilmaz",
    "Zeller",
]
FIRST_NAMES = ["Ada", "Bram", "Cleo", "Dev", "Esme", "Finn", "Gita", "Hal", "Ines", "Jude"]


def person(index: int) -> dict[str, Any]:
    """A distinct person's contact answers: name, birth date, address and e-mail."""
    surname = SURNAMES[index % len(SURNAMES)]
    return {
        "contact_name": f"{FIRST_NAMES[index % len(FIRST_NAMES)]} {surname}",
        "contact_date_of_birth": f"{1950 + index}-{1 + index % 12:02d}-{1 + index % 27:02d}",
        "contact_address": {
            "line1": f"{index + 1} {surname} Street",
            "town": "Northdale",
            "postcode": "ND1 4EL",
        },
        "contact_email": f"{surname.lower()}{index}@home.example",
    }


def seal_report(
    answers: dict[str, Any],
    version_id: str,
    *,
    name: str | None = None,
    email: str | None = None,
    **changes: Any,
) -> str:
    """Store a sealed submission and its outbox row in one commit, as the form does."""
    values = copy.deepcopy(answers)
    if name:
        values["contact_name"] = name
    if email:
        values["contact_email"] = email
    values.update(changes)
    submission_id = new_id()
    payload = {
        "format": "saferforms-submission-v1",
        "form": "asb-report",
        "form_version_id": version_id,
        "language": "en",
        "submitted_at": "2026-03-05T21:41:07+00:00",
        "answers": values,
        "uploads": {},
    }
    db.session.add(
        Submission(
            id=submission_id,
            reference=f"ASB-{submission_id[-8:-4].upper()}-{submission_id[-4:].upper()}",
            form_version_id=version_id,
            channel=Channel.PUBLIC,
            sealed_answers=crypto().seal_submission(submission_id, json.dumps(payload).encode()),
        )
    )
    db.session.add(Outbox(kind="process_submission", payload={"submission_id": submission_id}))
    db.session.commit()
    return submission_id


def start_workers(app: Flask, redis_url: str, log_dir: Path, started: list[WorkerProcess]):  # type: ignore[no-untyped-def]
    def start(*, burst: bool = False, **env: str) -> WorkerProcess:
        environment = worker_environment(
            app.config,
            redis_url,
            SAFERFORMS_JOBS_TIMEOUT="8",
            SAFERFORMS_JOBS_BACKOFF_SECONDS="0.5",
            # A worker killed after taking a job but before claiming its row leaves the row
            # enqueued: a short lease lets the next worker's relay pick it up within the test.
            SAFERFORMS_JOBS_QUEUE_LEASE_SECONDS="3",
            **env,
        )
        worker = WorkerProcess(environment, log_dir / f"worker-{len(started)}.log", burst=burst)
        started.append(worker)
        return worker

    return start


def counts(database_url: str) -> dict[str, int]:
    """What the database holds, read through a fresh connection."""
    engine = sa.create_engine(database_url)
    queries = {
        "processed": "SELECT count(*) FROM submission WHERE status = 'processed'",
        "failed": "SELECT count(*) FROM submission WHERE status = 'failed'",
        "cases": "SELECT count(*) FROM cases",
        "reports": "SELECT count(*) FROM case_report",
        "duplicate_reports": "SELECT count(*) FROM (SELECT submission_id FROM case_report"
        " GROUP BY submission_id HAVING count(*) > 1) d",
        "inbox": "SELECT count(*) FROM inbox_item",
        "audited": "SELECT count(*) FROM audit_event WHERE action IN ('case.created', 'case.report_added')",
        "open_rows": "SELECT count(*) FROM outbox WHERE state IN ('pending', 'enqueued')",
        "failed_rows": "SELECT count(*) FROM outbox WHERE state = 'failed'",
    }
    try:
        with engine.connect() as connection:
            return {
                name: connection.execute(sa.text(sql)).scalar() for name, sql in queries.items()
            }
    finally:
        engine.dispose()


__all__ = ["make_partnership"]
