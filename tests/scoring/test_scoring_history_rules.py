"""History rules of every shape: which earlier reports count, and what the reasons say."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

import pytest

import scoring
from tests.scoring.conftest import TODAY


def rule(**changes: Any) -> dict[str, Any]:
    return {
        "flag": "potential_escalation",
        "about": ["person"],
        "within_days": 30,
        "at_least": 2,
        "include_current": False,
        "reason": "{count} reports in {days} days (at least {at_least})",
    } | changes


def with_history(dash_form: dict[str, Any], *rules: dict[str, Any]) -> scoring.Instrument:
    form = copy.deepcopy(dash_form)
    form["scoring"]["history"] = list(rules)
    return scoring.load_instrument(form)


def entry(
    days_ago: int, *same: str, incident_days_ago: int | None = None, reference: str | None = None
) -> scoring.HistoryEntry:
    return scoring.HistoryEntry(
        reported_on=TODAY - timedelta(days=days_ago),
        same=frozenset(same),
        incident_date=None
        if incident_days_ago is None
        else TODAY - timedelta(days=incident_days_ago),
        reference=reference,
    )


def escalation(instrument: scoring.Instrument, history: list[Any]) -> list[str]:
    result = scoring.assess(instrument, {}, history, now=TODAY)
    return [reason for reason in result.reasons if "reports in" in reason]


def test_a_rule_about_two_links_counts_a_report_sharing_either_or_both_once(dash_form):
    instrument = with_history(dash_form, rule(about=["address", "location"]))
    history = [entry(1, "address"), entry(2, "location"), entry(3, "address", "location")]
    history += [entry(4, "person"), entry(5, "problem")]
    assert escalation(instrument, history) == ["3 reports in 30 days (at least 2)"]


@pytest.mark.parametrize("by", ["reported_on", "incident_date"])
def test_the_window_holds_its_first_and_last_day_whatever_the_order_of_the_history(dash_form, by):
    instrument = with_history(dash_form, rule(by=by))
    history = [entry(31, "person"), entry(0, "person"), entry(-1, "person"), entry(30, "person")]
    assert escalation(instrument, history) == ["2 reports in 30 days (at least 2)"]
    assert escalation(instrument, history[::-1]) == ["2 reports in 30 days (at least 2)"]


def test_counting_by_incident_date_uses_the_day_reported_when_there_is_no_incident_date(dash_form):
    instrument = with_history(dash_form, rule(by="incident_date"))
    history = [
        entry(10, "person", incident_days_ago=40),
        entry(10, "person"),
        entry(40, "person", incident_days_ago=20),
    ]
    assert escalation(instrument, history) == ["2 reports in 30 days (at least 2)"]
    by_report = with_history(dash_form, rule())
    assert escalation(by_report, history) == ["2 reports in 30 days (at least 2)"]


def test_the_report_being_assessed_counts_only_when_the_rule_says_so(dash_form):
    history = [entry(3, "person")]
    assert escalation(with_history(dash_form, rule()), history) == []
    counting = with_history(dash_form, rule(include_current=True))
    assert escalation(counting, history) == ["2 reports in 30 days (at least 2)"]
    assert escalation(counting, []) == []


def test_one_report_found_through_two_links_counts_once_in_a_plain_rule(dash_form):
    instrument = with_history(dash_form, rule(about=["person", "address"], at_least=1))
    history = [entry(3, "person", reference="DASH-1"), entry(3, "address", reference="DASH-1")]
    assert escalation(instrument, history) == ["1 reports in 30 days (at least 1)"]


def test_braces_and_percent_signs_that_are_not_placeholders_are_kept_as_written(dash_form):
    reason = "{count} reports in {days} days } { (100% of {at_least}, %s %(days)s)"
    form = copy.deepcopy(dash_form)
    form["scoring"]["bands"]["standard"]["reason"] = "{score} is 50% of {max} {"
    instrument = with_history(form, rule(reason=reason))
    result = scoring.assess(instrument, {}, [entry(1, "person"), entry(2, "person")], now=TODAY)
    assert "2 reports in 30 days } { (100% of 2, %s %(days)s)" in result.reasons
    assert "0 is 50% of 9 {" in result.reasons
