"""Submissions are sealed to the intake key: the web process cannot open them, the processor can."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from forms_app import create_app
from forms_app.crypto import KeyConfigurationError, crypto
from forms_app.extensions import db
from forms_app.models import Submission
from forms_app.public import submissions as submissions_module
from forms_app.public.submissions import read_sealed
from tests.conftest import _test_config
from tests.public.public_helpers import Browser, asb_answers, reference_on


def _send_report(browser: Browser, app) -> Submission:
    reference = reference_on(browser.walk(asb_answers()))
    with app.app_context():
        submission = db.session.scalar(select(Submission).where(Submission.reference == reference))
        db.session.expunge(submission)
    return submission


def _other_process(app, **overrides):
    config = _test_config(
        app.config["SQLALCHEMY_DATABASE_URI"],
        Path(app.config["INSTANCE_DIR"]),
        FORMS_DIR=app.config["FORMS_DIR"],
        **overrides,
    )
    return config


def test_a_web_process_with_separate_workers_cannot_open_a_submission(browser: Browser, app):
    submission = _send_report(browser, app)
    config = _other_process(app, REDIS_URL="redis://127.0.0.1:6379/15")

    web = create_app(config, process="web")

    with web.app_context():
        assert crypto().intake_private is None
        with pytest.raises(KeyConfigurationError):
            read_sealed(submission.id, submission.sealed_answers)
        db.engine.dispose()


def test_the_processor_key_opens_the_submission(browser: Browser, app):
    submission = _send_report(browser, app)
    config = _other_process(app, REDIS_URL="redis://127.0.0.1:6379/15")

    worker = create_app(config, process="worker")

    with worker.app_context():
        payload = read_sealed(submission.id, submission.sealed_answers)
        db.engine.dispose()
    assert payload["form"] == "asb-report"
    assert payload["form_version_id"] == submission.form_version_id
    assert payload["answers"]["what_happened"] == "Loud music and shouting every night."
    assert payload["answers"]["contact_phone"] == "+447911123456"
    assert payload["answers"]["people-responsible"][0]["responsible_person"]["first_name"] == "Jo"


def test_a_sealed_submission_cannot_be_moved_to_another_row(browser: Browser, app):
    submission = _send_report(browser, app)

    with app.app_context(), pytest.raises(Exception, match="could not be opened"):
        read_sealed("01900000-0000-7000-8000-000000000000", submission.sealed_answers)


def test_a_clashing_reference_is_retried_with_a_new_one(browser: Browser, app, monkeypatch):
    first = _send_report(browser, app)
    offered = iter([first.reference, "ASB-2222-3333"])
    monkeypatch.setattr(submissions_module, "new_reference", lambda _prefix: next(offered))

    second = _send_report(Browser(app.test_client()), app)

    assert second.reference == "ASB-2222-3333"
    with app.app_context():
        assert len(db.session.scalars(select(Submission)).all()) == 2
        db.session.remove()
