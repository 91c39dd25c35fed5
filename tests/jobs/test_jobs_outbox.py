"""The outbox and its runner without Redis: what tests, the CLI and the in-process mode share."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from forms_app.extensions import db
from forms_app.jobs import outbox, run_due
from forms_app.jobs.registry import UnknownJobKind
from forms_app.jobs.runner import execute
from forms_app.models import Outbox, OutboxState, utcnow
from notifications.models import Delivery, InboxItem
from tests.jobs.job_factories import make_case, make_team
from tests.jobs.pipeline_support import free_port, smtp_server, wait_for


@pytest.fixture
def app_config(tmp_path):
    return {"JOBS_MAX_ATTEMPTS": 3, "JOBS_BACKOFF_SECONDS": 0.05, "JOBS_BACKOFF_MAX_SECONDS": 0.2}


def _new_case_row(**case_options):
    team = make_team()
    case = make_case(team, **case_options)
    row = outbox.add("notify_team_new_case", case_id=case.id)
    db.session.commit()
    return row.id, case.id


def _inbox_count(case_id):
    return db.session.scalar(select(func.count()).where(InboxItem.case_id == case_id))


def _mail_files(app):
    folder = app.config["OUTBOX_DIR"]
    return sorted(folder.glob("*.eml")) if folder.exists() else []


def test_an_outbox_payload_must_be_ids_never_personal_details(db_session) -> None:
    with pytest.raises(ValueError, match="does not look like an id"):
        outbox.add("notify_team_new_case", case_id="Mary Quinlan, 4 Elm Road")
    with pytest.raises(TypeError):
        outbox.add("notify_team_new_case", case_id={"name": "Mary"})
    with pytest.raises(UnknownJobKind):
        outbox.add("send_everyone_everything", case_id="abc")


def test_a_row_added_in_a_transaction_that_rolls_back_leaves_nothing_to_do(db_session) -> None:
    outbox.add("notify_team_new_case", case_id="0190f0a0-0000-7000-8000-000000000001")
    db_session.rollback()
    assert db_session.scalar(select(func.count()).select_from(Outbox)) == 0


def test_a_committed_row_runs_once_and_ends_done_with_its_message_and_inbox_item(
    app, db_session
) -> None:
    row_id, case_id = _new_case_row(risk_level="high")

    assert run_due() == {"done": 1}

    row = db_session.get(Outbox, row_id)
    assert row.state is OutboxState.DONE and row.done_at is not None and row.attempts == 1
    item = db_session.scalar(select(InboxItem).where(InboxItem.case_id == case_id))
    assert item.urgent is True and item.read_at is None
    [mail] = _mail_files(app)
    text = mail.read_text()
    assert "Subject: Urgent: New case" in text
    assert "Mary" not in text and "Quinlan" not in text


def test_running_the_same_row_again_changes_nothing(app, db_session) -> None:
    row_id, case_id = _new_case_row()

    assert execute(row_id) == "done"
    assert execute(row_id) == "skipped"
    assert run_due() == {}

    assert _inbox_count(case_id) == 1
    assert len(_mail_files(app)) == 1
    assert db_session.scalar(select(func.count()).select_from(Delivery)) == 1


def test_a_job_that_keeps_failing_backs_off_then_ends_failed_with_a_safe_error(
    app, db_session
) -> None:
    app.config.update(MAIL_TRANSPORT="smtp", MAIL_SMTP_HOST="127.0.0.1", MAIL_SMTP_PORT=free_port())
    row_id, case_id = _new_case_row()

    waits = []
    for _ in range(3):
        wait_for(
            lambda: (
                db_session.scalar(select(Outbox.next_attempt_at).where(Outbox.id == row_id))
                <= utcnow()
            ),
            5,
            0.01,
        )
        run_due()
        db_session.expire_all()
        row = db_session.get(Outbox, row_id)
        waits.append((row.next_attempt_at - utcnow()).total_seconds())

    row = db_session.get(Outbox, row_id)
    assert row.state is OutboxState.FAILED
    assert row.attempts == 3
    assert row.last_error == (
        "RetryableJobError: could not reach the mail server (ConnectionRefusedError)"
    )
    assert "council.example" not in row.last_error
    assert waits[0] < waits[1]  # the wait doubles between attempts
    # Nothing half-done is left behind: the inbox item rolled back with each failed attempt.
    assert _inbox_count(case_id) == 0


def test_a_permanent_error_fails_the_row_at_once(db_session) -> None:
    case = make_case(None)
    row = outbox.add("notify_team_new_case", case_id=case.id)
    db_session.commit()

    assert run_due() == {"failed": 1}

    db_session.expire_all()
    failed = db_session.get(Outbox, row.id)
    assert failed.state is OutboxState.FAILED and failed.attempts == 1
    assert failed.last_error == "PermanentJobError: the case has no owning team"


def test_a_job_that_kills_its_runner_every_time_ends_failed_instead_of_looping(
    db_session,
) -> None:
    row_id, case_id = _new_case_row()
    # Three attempts began and none recorded an outcome, as when each one killed its worker.
    db_session.execute(
        update(Outbox)
        .where(Outbox.id == row_id)
        .values(
            state=OutboxState.ENQUEUED, attempts=3, next_attempt_at=utcnow() - timedelta(seconds=1)
        )
    )
    db_session.commit()

    assert run_due() == {"failed": 1}

    db_session.expire_all()
    row = db_session.get(Outbox, row_id)
    assert row.state is OutboxState.FAILED
    assert "stopped after 3 attempts that did not finish" in row.last_error
    assert _inbox_count(case_id) == 0


def test_a_run_counts_its_attempt_at_once_and_holds_its_row_until_it_ends(
    app, db_session, monkeypatch, database_url
) -> None:
    """The attempt is committed before the job starts (a run that dies still counts), and the
    job runs inside a transaction that holds the row (on SQLite, the database), so a second
    delivery waits for it."""
    import sqlalchemy as sa

    import notifications.jobs

    row_id, _ = _new_case_row()
    seen: dict[str, object] = {}
    sqlite = database_url.startswith("sqlite")
    other = sa.create_engine(database_url, connect_args={"timeout": 0} if sqlite else {})

    def probing_job(case_id: str) -> None:
        with other.connect() as connection:
            seen["attempts"] = connection.execute(
                sa.text("SELECT attempts FROM outbox WHERE id = :id"), {"id": row_id}
            ).scalar_one()
            try:
                if sqlite:
                    connection.exec_driver_sql("BEGIN IMMEDIATE")
                else:
                    connection.execute(
                        sa.text("SELECT id FROM outbox WHERE id = :id FOR UPDATE NOWAIT"),
                        {"id": row_id},
                    )
                seen["locked"] = False
            except sa.exc.OperationalError:
                seen["locked"] = True
            connection.rollback()

    monkeypatch.setattr(notifications.jobs, "notify_team_new_case", probing_job)
    try:
        assert execute(row_id) == "done"
    finally:
        other.dispose()

    assert seen == {"attempts": 1, "locked": True}


def test_jobs_failed_lists_the_error_and_jobs_retry_runs_the_job_again(
    app, db_session, runner
) -> None:
    app.config.update(MAIL_TRANSPORT="smtp", MAIL_SMTP_HOST="127.0.0.1", MAIL_SMTP_PORT=free_port())
    row_id, case_id = _new_case_row()
    for _ in range(3):
        wait_for(
            lambda: (
                db_session.scalar(select(Outbox.next_attempt_at).where(Outbox.id == row_id))
                <= utcnow()
            ),
            5,
            0.01,
        )
        run_due()
    db_session.expire_all()
    assert db_session.get(Outbox, row_id).state is OutboxState.FAILED

    listing = runner.invoke(args=["jobs", "failed"])
    assert listing.exit_code == 0, listing.output
    assert row_id in listing.output
    assert f"case_id={case_id}" in listing.output
    assert "could not reach the mail server (ConnectionRefusedError)" in listing.output
    assert "1 failed job(s)" in listing.output

    with smtp_server(port=app.config["MAIL_SMTP_PORT"]) as (recorder, _port):
        retried = runner.invoke(args=["jobs", "retry", row_id])
        assert retried.exit_code == 0, retried.output
        assert run_due() == {"done": 1}
        assert len(recorder.messages) == 1

    db_session.expire_all()
    assert db_session.get(Outbox, row_id).state is OutboxState.DONE
    assert runner.invoke(args=["jobs", "failed"]).output.strip() == "No failed jobs."
    again = runner.invoke(args=["jobs", "retry", row_id])
    assert again.exit_code != 0 and "no failed job has the id" in again.output


class TestInProcessMode:
    @pytest.fixture
    def app_config(self):
        # A long poll: a row done within a second or two was started by the nudge after commit.
        return {"JOBS_MODE": "thread", "JOBS_POLL_SECONDS": 30}

    def test_a_commit_wakes_the_web_process_runner_which_runs_the_job(self, app, client) -> None:
        assert client.get("/healthz").status_code == 200  # the first request starts the runner
        with app.app_context():
            row_id, case_id = _new_case_row()

        def done():
            with app.app_context():
                state = db.session.scalar(select(Outbox.state).where(Outbox.id == row_id))
                db.session.remove()
                return state is OutboxState.DONE

        started = time.monotonic()
        wait_for(done, timeout=10)
        assert time.monotonic() - started < 5
        app.extensions["saferforms.jobs"].stop_runner()
        with app.app_context():
            assert _inbox_count(case_id) == 1
            db.session.remove()


def test_health_reports_the_backlog_and_the_age_of_the_oldest_unprocessed_submission(
    client, db_session
) -> None:
    from tests.jobs.job_factories import make_submission

    submission = make_submission()
    submission.received_at = utcnow() - timedelta(minutes=5)
    outbox.add("process_submission", submission_id=submission.id)
    db_session.commit()

    body = client.get("/healthz").get_json()

    assert body["pipeline"]["outbox_backlog"] == 1
    assert body["pipeline"]["outbox_failed"] == 0
    assert 299 <= body["pipeline"]["oldest_unprocessed_submission_seconds"] <= 320
