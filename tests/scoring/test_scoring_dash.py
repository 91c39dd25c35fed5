"""The DASH risk identification checklist (police version) as shipped."""

from __future__ import annotations

import copy
from datetime import date, timedelta
from typing import Any

import pytest

import scoring

TODAY = date(2025, 6, 30)


def yes_to(questions: list[str], count: int, *, rest: str | None = "no") -> dict[str, Any]:
    """Answer yes to `count` questions that trigger no override, and `rest` to the others."""
    safe = [q for q in questions if q not in ("threats_to_kill", "strangulation")]
    answers: dict[str, Any] = {q: rest for q in questions} if rest else {}
    for question in safe[:count]:
        answers[question] = "yes"
    return answers


def test_the_checklist_has_the_27_questions_of_the_police_version(dash_questions):
    assert len(dash_questions) == 27
    assert len(set(dash_questions)) == 27


def test_every_question_is_counted(dash, dash_questions):
    every = {q: "yes" for q in dash_questions}
    assert scoring.assess(dash, every, now=TODAY).score == 27


def test_thirteen_yes_answers_is_medium_risk(dash, dash_questions):
    result = scoring.assess(dash, yes_to(dash_questions, 13), now=TODAY)
    assert (result.score, result.level) == (13, "medium")
    assert "13 of the 27 checklist questions answered yes (0 not answered)" in result.reasons


def test_fourteen_yes_answers_is_visible_high_risk_for_marac(dash, dash_questions):
    result = scoring.assess(dash, yes_to(dash_questions, 14), now=TODAY)
    assert (result.score, result.level) == (14, "high")
    assert any("Refer the case to Marac" in reason for reason in result.reasons)


def test_ten_yes_answers_is_medium_and_nine_is_standard(dash, dash_questions):
    assert scoring.assess(dash, yes_to(dash_questions, 10), now=TODAY).level == "medium"
    assert scoring.assess(dash, yes_to(dash_questions, 9), now=TODAY).level == "standard"


def test_no_yes_answers_is_standard_risk(dash, dash_questions):
    result = scoring.assess(dash, yes_to(dash_questions, 0), now=TODAY)
    assert (result.score, result.level, result.flags) == (0, "standard", [])


def test_not_known_and_unanswered_questions_are_not_counted_as_yes(dash, dash_questions):
    not_known = yes_to(dash_questions, 12, rest="not_known")
    unanswered = yes_to(dash_questions, 12, rest=None)
    assert scoring.assess(dash, not_known, now=TODAY).score == 12
    assert scoring.assess(dash, unanswered, now=TODAY).score == 12


def test_the_thresholds_can_be_changed_in_the_definition(dash_form, dash_questions):
    form = copy.deepcopy(dash_form)
    form["scoring"]["bands"] = {
        "standard": {"max": 7},
        "medium": {"min": 8, "max": 11},
        "high": {"min": 12},
    }
    local = scoring.load_instrument(form)
    assert scoring.assess(local, yes_to(dash_questions, 11), now=TODAY).level == "medium"
    assert scoring.assess(local, yes_to(dash_questions, 12), now=TODAY).level == "high"


@pytest.mark.parametrize("question", ["threats_to_kill", "strangulation"])
def test_threats_to_kill_or_strangulation_make_the_risk_high_whatever_the_count(
    dash, dash_questions, question
):
    answers = yes_to(dash_questions, 0)
    answers[question] = "yes"
    result = scoring.assess(dash, answers, now=TODAY)
    assert (result.score, result.level) == (1, "high")


def _earlier_incidents(*days_ago: int) -> list[dict[str, Any]]:
    return [
        {
            "reference": f"DASH-{n}",
            "reported_on": (TODAY - timedelta(days=n)).isoformat(),
            "incident_date": (TODAY - timedelta(days=n)).isoformat(),
            "same": ["person"],
        }
        for n in days_ago
    ]


def test_a_third_incident_within_twelve_months_flags_potential_escalation(dash, dash_questions):
    result = scoring.assess(dash, yes_to(dash_questions, 3), _earlier_incidents(30, 365), now=TODAY)
    assert result.flags == ["potential_escalation"]
    assert result.level == "high"
    assert any("3 incidents involving this victim" in reason for reason in result.reasons)


def test_an_incident_366_days_ago_is_outside_the_twelve_month_window(dash, dash_questions):
    result = scoring.assess(dash, yes_to(dash_questions, 3), _earlier_incidents(30, 366), now=TODAY)
    assert result.flags == []
    assert result.level == "standard"


def test_two_incidents_in_twelve_months_are_not_potential_escalation(dash, dash_questions):
    result = scoring.assess(dash, yes_to(dash_questions, 3), _earlier_incidents(30), now=TODAY)
    assert "potential_escalation" not in result.flags


def test_the_referrer_knowing_of_three_incidents_flags_potential_escalation(dash, dash_questions):
    answers = yes_to(dash_questions, 2) | {"incidents_last_12_months": 3}
    assert scoring.assess(dash, answers, now=TODAY).flags == ["potential_escalation"]
    answers["incidents_last_12_months"] = 2
    assert scoring.assess(dash, answers, now=TODAY).flags == []


def test_judgement_recorded_on_the_form_raises_the_level_with_its_reason(dash, dash_questions):
    answers = yes_to(dash_questions, 4) | {
        "judgement_raise": "yes",
        "judgement_level": "high",
        "judgement_reason": "Recent separation and escalating control",
    }
    result = scoring.assess(dash, answers, now=TODAY)
    assert result.level == "high"
    assert result.score == 4
    assert (
        "Raised to high by professional judgement: Recent separation and escalating control"
        in result.reasons
    )


def test_judgement_on_the_form_without_a_reason_is_refused(dash, dash_questions):
    answers = yes_to(dash_questions, 4) | {"judgement_raise": "yes", "judgement_level": "high"}
    with pytest.raises(scoring.AnswerError) as caught:
        scoring.assess(dash, answers, now=TODAY)
    assert caught.value.problems[0].path == "answers.judgement_reason"


def test_the_result_names_the_instrument_and_its_version(dash, dash_questions):
    result = scoring.assess(dash, yes_to(dash_questions, 1), now=TODAY)
    assert result.instrument == "DASH risk identification checklist (police version)"
    assert result.version == "2009-police.1"


def test_the_reasons_say_how_many_questions_were_not_answered(dash, dash_questions):
    """A checklist with few yes answers and most questions unanswered is incomplete, and the
    officer reading the reasons must see that it is not a considered standard risk."""
    answers = yes_to(dash_questions, 3, rest=None) | {dash_questions[-1]: "no"}
    result = scoring.assess(dash, answers, now=TODAY)
    assert result.level == "standard"
    assert "3 of the 27 checklist questions answered yes (23 not answered)" in result.reasons
