"""What a worker keeps between reports: team ids and matching parameters, for a short while."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
from sqlalchemy import update

from forms_app import kept
from forms_app.intake import processor
from forms_app.jobs.errors import PermanentJobError
from forms_app.matching.service import save_parameters
from forms_app.models import Team
from tests.intake.intake_support import make_partnership

TEAM = "northdale-council/asb-team"


def _later(monkeypatch, seconds: float) -> None:
    now = time.monotonic() + seconds
    monkeypatch.setattr(kept, "_now", lambda: now)


def test_a_kept_value_is_forgotten_after_its_time(monkeypatch) -> None:
    values: kept.Kept[str] = kept.Kept(60)
    values.put("a", "1")
    _later(monkeypatch, 59)
    assert values.get("a") == "1"
    _later(monkeypatch, 61)
    assert values.get("a") is None


def test_a_renamed_team_is_seen_once_its_id_has_been_kept_its_time(
    app, db_session, monkeypatch
) -> None:
    ids = make_partnership()
    assert processor._team_id(db_session, TEAM) == ids[TEAM]
    db_session.execute(update(Team).where(Team.id == ids[TEAM]).values(slug="renamed"))
    db_session.commit()

    # Within the time a worker keeps the id it read; after it, the name is read again.
    assert processor._team_id(db_session, TEAM) == ids[TEAM]
    _later(monkeypatch, processor.KEPT_SECONDS + 1)
    with pytest.raises(PermanentJobError, match="which does not exist"):
        processor._team_id(db_session, TEAM)


def test_a_team_that_does_not_exist_is_not_kept(app, db_session) -> None:
    with pytest.raises(PermanentJobError):
        processor._team_id(db_session, TEAM)
    ids = make_partnership()
    assert processor._team_id(db_session, TEAM) == ids[TEAM]


def test_parameters_trained_in_this_app_are_used_at_once(app, db_session) -> None:
    before = processor._parameters(db_session)
    trained = type(before)(probabilities=before.probabilities, prior=before.prior / 2)
    save_parameters(db_session, SimpleNamespace(parameters=trained), persons=10)  # type: ignore[arg-type]
    db_session.commit()

    assert processor._parameters(db_session).prior == pytest.approx(before.prior / 2)


def test_parameters_trained_elsewhere_are_used_once_kept_ones_have_had_their_time(
    app, db_session, monkeypatch
) -> None:
    before = processor._parameters(db_session)
    trained = type(before)(probabilities=before.probabilities, prior=before.prior / 2)
    with monkeypatch.context() as elsewhere:
        # Another process (`saferforms dedupe train`) cannot tell this worker to forget.
        elsewhere.setattr("forms_app.matching.service.forget", lambda name: None)
        save_parameters(db_session, SimpleNamespace(parameters=trained), persons=10)  # type: ignore[arg-type]
        db_session.commit()

    assert processor._parameters(db_session).prior == pytest.approx(before.prior)
    _later(monkeypatch, processor.KEPT_SECONDS + 1)
    assert processor._parameters(db_session).prior == pytest.approx(before.prior / 2)
