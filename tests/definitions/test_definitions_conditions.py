"""Conditions are data evaluated over answers: every operator, nesting, and dates at the edges."""

from __future__ import annotations

import datetime as dt

import pytest

from forms_app.definitions import evaluate, parse_condition

TODAY = dt.date(2025, 6, 30)


def holds(condition: dict, answers: dict) -> bool:
    return evaluate(parse_condition(condition), answers, TODAY)


def test_no_condition_always_holds():
    assert evaluate(None, {}, TODAY) is True


@pytest.mark.parametrize(
    ("answer", "expected"),
    [("yes", True), ("no", False), (None, False), ("YES", False)],
)
def test_equals_matches_the_exact_answer(answer, expected):
    assert (
        holds({"field": "still_happening", "equals": "yes"}, {"still_happening": answer})
        is expected
    )


def test_an_unanswered_question_is_never_equal_or_unequal_to_anything():
    assert holds({"field": "still_happening", "not_equals": "yes"}, {}) is False
    assert (
        holds({"field": "still_happening", "not_equals": "yes"}, {"still_happening": "no"}) is True
    )


def test_not_turns_an_unanswered_comparison_into_true():
    assert holds({"not": {"field": "still_happening", "equals": "yes"}}, {}) is True


def test_equals_compares_numbers_by_value_not_text():
    assert holds({"field": "age", "equals": 30}, {"age": 30.0}) is True
    assert holds({"field": "age", "equals": 30}, {"age": "30"}) is False


def test_in_matches_any_listed_value():
    condition = {"field": "reported_before", "in": ["once", "two_or_more"]}
    assert holds(condition, {"reported_before": "once"}) is True
    assert holds(condition, {"reported_before": "no"}) is False


def test_in_on_checkboxes_matches_when_any_choice_is_listed():
    condition = {"field": "targeted_identity", "in": ["race", "religion"]}
    assert holds(condition, {"targeted_identity": ["disability", "religion"]}) is True
    assert holds(condition, {"targeted_identity": ["none"]}) is False


def test_contains_on_checkboxes_and_on_text():
    assert (
        holds({"field": "asb_types", "contains": "noise"}, {"asb_types": ["noise", "drugs"]})
        is True
    )
    assert holds({"field": "asb_types", "contains": "noise"}, {"asb_types": ["drugs"]}) is False
    assert holds({"field": "notes", "contains": "Knife"}, {"notes": "he had a knife"}) is True


@pytest.mark.parametrize(
    ("answer", "expected"), [(10, False), (11, True), (10.5, True), ("11", False)]
)
def test_greater_than_is_strict(answer, expected):
    assert holds({"field": "count", "greater_than": 10}, {"count": answer}) is expected


@pytest.mark.parametrize(("answer", "expected"), [(3, True), (4, False)])
def test_less_than_is_strict(answer, expected):
    assert holds({"field": "count", "less_than": 4}, {"count": answer}) is expected


def test_a_boolean_is_not_a_number():
    assert holds({"field": "count", "greater_than": 0}, {"count": True}) is False


@pytest.mark.parametrize(
    ("answer", "expected"),
    [("2025-06-29", True), ("2025-06-30", False), ("2025-07-01", False)],
)
def test_before_today_excludes_today(answer, expected):
    assert holds({"field": "when", "before": "today"}, {"when": answer}) is expected


@pytest.mark.parametrize(
    ("answer", "expected"),
    [("2025-01-01", False), ("2025-01-02", True)],
)
def test_after_a_fixed_date_excludes_that_date(answer, expected):
    assert holds({"field": "when", "after": "2025-01-01"}, {"when": answer}) is expected


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("2025-06-30", True),
        ("2025-06-23", True),  # exactly 7 days ago
        ("2025-06-22", False),  # 8 days ago
        ("2025-07-07", True),  # 7 days ahead
        ("2025-07-08", False),
    ],
)
def test_within_days_counts_whole_days_either_side_of_today(answer, expected):
    assert holds({"field": "when", "within_days": 7}, {"when": answer}) is expected


def test_a_date_comparison_with_an_unreadable_date_is_false():
    assert holds({"field": "when", "before": "today"}, {"when": "last Tuesday"}) is False


def test_today_is_the_uk_date_when_not_given():
    condition = parse_condition({"field": "when", "within_days": 0})
    from forms_app.definitions import uk_today

    assert evaluate(condition, {"when": uk_today().isoformat()}) is True


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({}, False),
        ({"name": ""}, False),
        ({"name": "  "}, False),
        ({"name": "Sam"}, True),
        ({"pets": []}, False),
    ],
)
def test_answered_true_means_a_real_answer_was_given(answers, expected):
    key = "pets" if "pets" in answers else "name"
    assert holds({"field": key, "answered": True}, answers) is expected
    assert holds({"field": key, "answered": False}, answers) is (not expected)


def test_all_any_and_not_nest():
    condition = {
        "all": [
            {"field": "reporter_is_victim", "equals": "yes"},
            {
                "any": [
                    {"field": "how_often", "equals": "daily"},
                    {"not": {"field": "fear_level", "equals": "not_afraid"}},
                ]
            },
        ]
    }
    assert (
        holds(
            condition, {"reporter_is_victim": "yes", "how_often": "once", "fear_level": "a_little"}
        )
        is True
    )
    assert (
        holds(
            condition,
            {"reporter_is_victim": "yes", "how_often": "once", "fear_level": "not_afraid"},
        )
        is False
    )
    assert holds(condition, {"reporter_is_victim": "no", "how_often": "daily"}) is False


def test_conditions_never_evaluate_code():
    # A value that looks like code is only ever compared as text.
    condition = {"field": "name", "equals": "__import__('os').system('true')"}
    assert holds(condition, {"name": "Sam"}) is False


def test_a_comparison_with_a_value_of_the_wrong_type_is_false_not_an_error():
    assert holds({"field": "count", "greater_than": "ten"}, {"count": 11}) is False
    assert holds({"field": "when", "within_days": "seven"}, {"when": "2025-06-30"}) is False
