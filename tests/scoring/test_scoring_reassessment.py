"""Re-assessment: the worker calls assess again with the stored answers and a longer history."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import scoring

TODAY = date(2025, 6, 30)


def report(days_ago: int, reference: str) -> dict[str, object]:
    day = (TODAY - timedelta(days=days_ago)).isoformat()
    return {"reference": reference, "reported_on": day, "incident_date": day, "same": ["person"]}


def test_a_new_report_about_a_known_victim_raises_the_level_on_reassessment(asb):
    answers = {"asb_category": "personal", "how_often": "weekly", "incident_date": "2025-06-20"}
    first = scoring.assess(asb, answers, [report(40, "ASB-0001")], now=TODAY)
    assert (first.level, first.flags) == ("standard", [])

    longer = [report(40, "ASB-0001"), report(5, "ASB-0002")]
    again = scoring.assess(asb, answers, longer, now=TODAY)
    assert again.level == "medium"
    assert again.flags == ["repeat_victim", "case_review_threshold"]
    assert again.score == first.score


def test_a_dash_reassessment_with_a_third_incident_flags_escalation(dash):
    answers = {"current_injury": "yes", "incident_date": "2025-06-29"}
    assert scoring.assess(dash, answers, [report(100, "DASH-1")], now=TODAY).level == "standard"
    result = scoring.assess(dash, answers, [report(100, "DASH-1"), report(3, "DASH-2")], now=TODAY)
    assert (result.level, result.flags) == ("high", ["potential_escalation"])


def test_assessing_as_of_an_earlier_day_ignores_later_reports(asb):
    history = [report(40, "ASB-0001"), report(5, "ASB-0002")]
    earlier = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
    assert scoring.assess(asb, {}, history, now=earlier).flags == []
    assert "repeat_victim" in scoring.assess(asb, {}, history, now=TODAY).flags


def test_an_assessment_round_trips_through_its_stored_form(asb):
    result = scoring.assess(asb, {"targeted_identity": ["race"]}, now=TODAY)
    stored = result.to_dict()
    assert set(stored) == {"score", "level", "reasons", "flags", "instrument", "version"}
    assert scoring.Assessment.from_dict(stored) == result
    assert scoring.Assessment.from_dict(__import__("json").loads(result.to_json())) == result
