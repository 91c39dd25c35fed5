"""ASB Case Review (Community Trigger): each condition, and its windows at their edges.

Six months is 182 days: a complaint made 182 days before the assessment counts,
one made 183 days before does not. "Within a month of the incident" is 31 days.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import scoring

TODAY = date(2025, 6, 30)


def ago(days: int) -> str:
    return (TODAY - timedelta(days=days)).isoformat()


def complaint(days: int, *, late_by: int = 0, same=("problem",), **extra: Any) -> dict[str, Any]:
    """An earlier complaint made `days` ago, about an incident `late_by` days before that."""
    return {
        "reported_on": ago(days),
        "incident_date": ago(days + late_by),
        "same": list(same),
    } | extra


def review_reasons(result: scoring.Assessment) -> list[str]:
    return [reason for reason in result.reasons if reason.startswith("ASB Case Review")]


def assess(asb, history, answers=None, **kwargs) -> scoring.Assessment:
    answers = {"incident_date": ago(2)} if answers is None else answers
    return scoring.assess(asb, answers, history, now=TODAY, **kwargs)


# Condition 1: three qualifying complaints about the same problem in six months.


def test_a_third_complaint_about_the_same_problem_in_six_months_meets_the_threshold(asb):
    result = assess(asb, [complaint(20), complaint(182)])
    assert "case_review_threshold" in result.flags
    assert review_reasons(result) == [
        "ASB Case Review threshold met (three complaints): 3 complaints about this problem "
        "in the last 6 months, each made within a month of the incident"
    ]


def test_a_complaint_made_183_days_ago_is_outside_the_six_months(asb):
    result = assess(asb, [complaint(20), complaint(183)])
    assert "case_review_threshold" not in result.flags
    assert review_reasons(result) == []


def test_a_second_complaint_alone_does_not_meet_the_threshold(asb):
    assert "case_review_threshold" not in assess(asb, [complaint(20)]).flags


def test_complaints_about_the_same_victim_count_as_the_same_problem(asb):
    result = assess(asb, [complaint(20, same=["person"]), complaint(40, same=["person"])])
    assert "case_review_threshold" in result.flags


def test_complaints_only_about_the_same_address_do_not_count_towards_three(asb):
    result = assess(asb, [complaint(20, same=["address"]), complaint(40, same=["address"])])
    assert "case_review_threshold" not in result.flags


def test_a_complaint_made_31_days_after_the_incident_qualifies_and_32_does_not(asb):
    assert "case_review_threshold" in assess(asb, [complaint(20), complaint(40, late_by=31)]).flags
    assert (
        "case_review_threshold" not in assess(asb, [complaint(20), complaint(40, late_by=32)]).flags
    )


def test_this_report_does_not_qualify_when_the_incident_was_over_a_month_ago(asb):
    history = [complaint(20), complaint(40)]
    assert "case_review_threshold" in assess(asb, history, {"incident_date": ago(31)}).flags
    assert "case_review_threshold" not in assess(asb, history, {"incident_date": ago(32)}).flags


def test_a_complaint_with_no_incident_date_is_not_ruled_out_as_late(asb):
    history = [complaint(20), {"reported_on": ago(40), "same": ["problem"]}]
    assert "case_review_threshold" in assess(asb, history, {}).flags


def test_complaints_dated_after_the_assessment_are_ignored(asb):
    result = assess(asb, [complaint(20), complaint(-1)])
    assert "case_review_threshold" not in result.flags


def test_one_complaint_found_through_two_links_counts_once(asb):
    history = [
        complaint(20, same=["person"], reference="ASB-AAAA-0001"),
        complaint(20, same=["problem"], reference="ASB-AAAA-0001"),
    ]
    assert "case_review_threshold" not in assess(asb, history).flags


# Condition 2: five complaints from different people about one location in six months.


def neighbour(days: int, who: str, same=("location",)) -> dict[str, Any]:
    return {"reported_on": ago(days), "same": list(same), "reporter": who}


def test_five_people_complaining_about_one_location_in_six_months_meets_the_threshold(asb):
    history = [neighbour(10, "a"), neighbour(50, "b"), neighbour(100, "c"), neighbour(182, "d")]
    result = assess(asb, history, reporter="e")
    assert review_reasons(result) == [
        "ASB Case Review threshold met (five people): complaints from 5 different people "
        "about this location in the last 6 months"
    ]


def test_the_fifth_person_complaining_183_days_ago_is_outside_the_six_months(asb):
    history = [neighbour(10, "a"), neighbour(50, "b"), neighbour(100, "c"), neighbour(183, "d")]
    assert review_reasons(assess(asb, history, reporter="e")) == []


def test_the_same_person_complaining_twice_counts_once(asb):
    history = [neighbour(10, "a"), neighbour(50, "b"), neighbour(100, "c"), neighbour(120, "c")]
    assert review_reasons(assess(asb, history, reporter="e")) == []
    assert review_reasons(assess(asb, history[:3] + [neighbour(120, "d")], reporter="a")) == []


def test_complaints_about_the_same_address_count_as_the_same_location(asb):
    history = [neighbour(10 * n, who, same=["address"]) for n, who in enumerate("abcd", 1)]
    assert "case_review_threshold" in assess(asb, history, reporter="e").flags


# Condition 3: one hate incident.


def test_a_hate_incident_in_this_report_meets_the_threshold(asb):
    result = assess(asb, [], {"targeted_identity": ["religion"]})
    assert review_reasons(result) == [
        "ASB Case Review threshold met (hate incident): a hate incident about this victim "
        "or problem in the last 6 months"
    ]


def test_an_earlier_hate_incident_within_six_months_meets_the_threshold(asb):
    assert "case_review_threshold" in assess(asb, [complaint(182, hate=True)]).flags
    assert "case_review_threshold" not in assess(asb, [complaint(183, hate=True)]).flags


def test_the_reasons_say_which_conditions_were_met(asb):
    history = [complaint(20), complaint(40, hate=True)]
    reasons = review_reasons(assess(asb, history))
    assert [reason.split(":")[0] for reason in reasons] == [
        "ASB Case Review threshold met (three complaints)",
        "ASB Case Review threshold met (hate incident)",
    ]
