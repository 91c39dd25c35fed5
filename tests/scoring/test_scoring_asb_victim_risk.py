"""The ASB victim risk assessment as shipped: band edges, overrides and flags."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

import scoring

TODAY = date(2025, 6, 30)

# 8 points of harm that raise no flag and no override.
BASE = {
    "asb_category": "personal",
    "how_often": "daily",
    "still_happening": "yes",
    "children_affected": "yes",
}
# 18 points, still no flag and no override.
HEAVY = BASE | {
    "impact_health": "significant",
    "fear_level": "very_afraid",
    "feel_safe_at_home": "no",
}


def run(asb: scoring.Instrument, answers: dict[str, Any], history=()) -> scoring.Assessment:
    return scoring.assess(asb, answers, history, now=TODAY)


@pytest.mark.parametrize(
    ("answers", "score", "level"),
    [
        (BASE | {"fear_level": "a_little"}, 9, "standard"),
        (BASE | {"impact_health": "some"}, 10, "medium"),
        (HEAVY | {"reported_before": "once"}, 19, "medium"),
        (
            HEAVY | {"lives_alone": "no", "disability_or_illness": "no", "reported_before": "no"},
            18,
            "medium",
        ),
    ],
)
def test_scores_either_side_of_the_medium_band_edges(asb, answers, score, level):
    result = run(asb, answers)
    assert (result.score, result.level, result.flags) == (score, level, [])


def test_a_score_of_20_is_high_risk(asb):
    result = run(asb, HEAVY | {"lives_alone": "yes"})
    assert (result.score, result.level) == (20, "high")
    assert "A score of 20 is in the high band (20 or more)" in result.reasons


def test_the_score_is_harm_plus_vulnerability(asb):
    result = run(asb, BASE | {"disability_or_illness": "yes", "lives_alone": "yes"})
    assert result.measures["harm"] == 8
    assert result.measures["vulnerability"] == 5
    assert result.score == 13


def test_each_scored_answer_is_given_as_a_reason_with_its_points(asb):
    result = run(asb, {"feel_safe_at_home": "no", "impact_health": "severe"})
    assert "The victim does not feel safe at home (3 points)" in result.reasons
    assert "Effect on health: “It has seriously harmed my health” (6 points)" in result.reasons


def test_no_answers_score_nothing_and_unanswered_never_means_no(asb):
    assert (run(asb, {}).score, run(asb, {}).level) == (0, "standard")
    # feel_safe_at_home absent must not score as "no" (3 points).
    assert run(asb, {"feel_safe_at_home": None, "lives_alone": "yes"}).score == 2


def test_threats_of_violence_and_not_feeling_safe_at_home_is_high_risk(asb):
    result = run(asb, {"threats_of_violence": "yes", "feel_safe_at_home": "no"})
    assert (result.score, result.level) == (6, "high")
    assert any(reason.endswith("(at least high risk)") for reason in result.reasons)


def test_threats_of_violence_while_feeling_safe_at_home_is_not_raised(asb):
    result = run(asb, {"threats_of_violence": "yes", "feel_safe_at_home": "yes"})
    assert result.level == "standard"


def test_a_severe_effect_on_health_is_at_least_medium_risk(asb):
    assert run(asb, {"impact_health": "severe"}).level == "medium"
    assert run(asb, {"impact_health": "significant"}).level == "standard"


def test_being_targeted_for_race_is_a_hate_incident_and_meets_the_case_review_threshold(asb):
    result = run(asb, {"targeted_identity": ["race"]})
    assert result.flags == ["hate_incident", "case_review_threshold"]
    assert result.level == "medium"
    assert result.score == 4


def test_being_targeted_for_something_else_scores_but_is_not_a_hate_incident(asb):
    result = run(asb, {"targeted_identity": ["other"]})
    assert (result.score, result.flags) == (4, [])
    assert run(asb, {"targeted_identity": ["none"]}).score == 0


def test_a_disabled_victim_is_flagged_as_vulnerable(asb):
    result = run(asb, {"disability_or_illness": "yes"})
    assert result.flags == ["vulnerable_victim"]
    assert "Vulnerable victim: has a disability or long-term illness" in result.reasons


def test_living_alone_and_very_afraid_is_flagged_as_vulnerable(asb):
    assert run(asb, {"lives_alone": "yes", "fear_level": "very_afraid"}).flags == [
        "vulnerable_victim"
    ]
    assert run(asb, {"lives_alone": "yes", "fear_level": "a_little"}).flags == []


def test_reporting_twice_before_flags_a_repeat_victim_at_medium_risk(asb):
    result = run(asb, {"reported_before": "two_or_more"})
    assert (result.flags, result.level, result.score) == (["repeat_victim"], "medium", 3)


def test_a_third_report_about_the_victim_within_91_days_flags_a_repeat_victim(asb, days_ago):
    history = [
        {"reported_on": days_ago(10), "same": ["person"]},
        {"reported_on": days_ago(91), "same": ["person"]},
    ]
    result = run(asb, {}, history)
    assert "repeat_victim" in result.flags
    assert result.level == "medium"
    history[1]["reported_on"] = days_ago(92)
    assert "repeat_victim" not in run(asb, {}, history).flags
