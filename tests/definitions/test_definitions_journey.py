"""The route through a form: hidden pages are skipped, stale answers dropped, skipping refused."""

from __future__ import annotations

import datetime as dt

import pytest

from forms_app.definitions import (
    FormDefinition,
    can_show_page,
    check_submission,
    clean_answers,
    first_unfinished_page,
    load_text,
    next_page,
    previous_page,
    route,
    validate_page,
)

TODAY = dt.date(2025, 6, 30)

JOURNEY = """\
slug: journey
title: Journey
reference_prefix: JRN
channel: public
pages:
  - id: danger
    title: Danger
    fields:
      - {name: in_danger, type: yesno, label: "In danger?", required: true}
  - id: call-999
    title: Call 999
    exit: true
    condition: {field: in_danger, equals: "yes"}
    fields:
      - {type: content, style: warning, text: Call 999 now}
  - id: victim
    title: Victim
    fields:
      - name: is_victim
        type: yesno
        label: Is it you?
        required: true
        reveal:
          "no":
            - {name: who, type: text, label: "Who is it happening to?", required: true}
  - id: impact
    title: Impact
    condition: {field: is_victim, equals: "yes"}
    fields:
      - {name: afraid, type: yesno, label: "Are you afraid?", required: true}
      - name: fear_detail
        type: textarea
        label: Tell us more
        condition: {field: is_victim, equals: "yes"}
  - id: when
    title: When
    fields:
      - {name: when, type: date, label: When, required: true, must_be: today_or_past}
  - id: recent
    title: Recent
    condition: {all: [{field: when, within_days: 7}, {not: {field: afraid, equals: "no"}}]}
    fields:
      - {name: still, type: yesno, label: "Still happening?"}
  - id: people
    title: People
    repeat: {min: 1, max: 2, item_label: person}
    fields:
      - {name: person_name, type: text, label: Name, required: true}
"""


@pytest.fixture(scope="module")
def form() -> FormDefinition:
    return load_text(JOURNEY, expected_slug="journey")


def ids(pages) -> list[str]:
    return [page.id for page in pages]


COMPLETE = {
    "in_danger": "no",
    "is_victim": "yes",
    "afraid": "yes",
    "when": "2025-06-29",
    "still": "yes",
    "people": [{"person_name": "Sam"}],
}


def test_a_new_user_sees_every_page_whose_condition_cannot_yet_be_met_skipped(form):
    assert ids(route(form, {}, TODAY)) == ["danger", "victim", "when", "people"]


def test_someone_in_danger_is_sent_to_the_exit_page_and_the_route_ends_there(form):
    assert ids(route(form, {"in_danger": "yes", "is_victim": "yes"}, TODAY)) == [
        "danger",
        "call-999",
    ]


def test_a_victim_is_asked_about_impact(form):
    answers = {"in_danger": "no", "is_victim": "yes", "when": "2025-06-01"}
    assert ids(route(form, answers, TODAY)) == ["danger", "victim", "impact", "when", "people"]


def test_a_recent_incident_adds_a_page_through_a_nested_condition(form):
    assert ids(route(form, COMPLETE, TODAY)) == [
        "danger",
        "victim",
        "impact",
        "when",
        "recent",
        "people",
    ]
    not_afraid = {**COMPLETE, "afraid": "no"}
    assert "recent" not in ids(route(form, not_afraid, TODAY))


def test_stale_answers_from_a_page_no_longer_on_the_route_do_not_count(form):
    # They said they were the victim and afraid, then changed to "not me".
    changed = {**COMPLETE, "is_victim": "no", "who": "My neighbour"}
    pages = ids(route(form, changed, TODAY))
    assert "impact" not in pages
    # "recent" no longer sees the stale `afraid: yes`; with nothing to contradict it, it still shows.
    assert "recent" in pages
    cleaned = clean_answers(form, changed, TODAY)
    assert "afraid" not in cleaned
    assert cleaned["who"] == "My neighbour"


def test_an_unrevealed_follow_up_is_dropped(form):
    cleaned = clean_answers(form, {**COMPLETE, "who": "left over"}, TODAY)
    assert "who" not in cleaned


def test_unknown_answers_are_dropped(form):
    assert "admin" not in clean_answers(form, {**COMPLETE, "admin": True}, TODAY)


def test_next_and_previous_follow_the_route(form):
    answers = {"in_danger": "no", "is_victim": "no", "who": "x"}
    assert next_page(form, None, answers, TODAY).id == "danger"
    assert next_page(form, "victim", answers, TODAY).id == "when"
    assert previous_page(form, "when", answers, TODAY).id == "victim"
    assert previous_page(form, "danger", answers, TODAY) is None
    assert next_page(form, "people", answers, TODAY) is None
    assert next_page(form, "impact", answers, TODAY) is None


def test_a_page_cannot_be_opened_before_the_pages_before_it_are_answered(form):
    assert can_show_page(form, "danger", {}, today=TODAY)
    assert not can_show_page(form, "when", {}, today=TODAY)
    assert can_show_page(
        form, "when", {"in_danger": "no", "is_victim": "no", "who": "x"}, today=TODAY
    )


def test_a_page_off_the_route_cannot_be_opened(form):
    assert not can_show_page(
        form, "impact", {"in_danger": "no", "is_victim": "no", "who": "x"}, today=TODAY
    )


def test_validate_page_checks_revealed_follow_ups_only_when_revealed(form):
    page = form.page("victim")
    result = validate_page(form, page, {"is_victim": "no", "who": ""}, {}, today=TODAY)
    assert [error.message for error in result.errors] == ["Enter an answer"]
    result = validate_page(form, page, {"is_victim": "yes", "who": "ignored"}, {}, today=TODAY)
    assert result.ok
    assert result.values == {"is_victim": "yes"}


def test_validate_page_skips_fields_whose_condition_does_not_hold(form):
    page = form.page("impact")
    result = validate_page(
        form, page, {"afraid": "yes", "fear_detail": "x"}, {"is_victim": "no"}, today=TODAY
    )
    assert result.values == {"afraid": "yes"}


def test_a_complete_submission_passes_with_normalised_answers(form):
    check = check_submission(form, COMPLETE, today=TODAY)
    assert check.ok
    assert check.answers == COMPLETE


def test_a_submission_missing_a_required_page_names_that_page(form):
    answers = {key: value for key, value in COMPLETE.items() if key != "when"}
    check = check_submission(form, answers, today=TODAY)
    assert not check.ok
    assert check.first_page_id == "when"
    assert first_unfinished_page(form, answers, today=TODAY).id == "when"


def test_a_submission_on_an_exit_route_cannot_be_sent(form):
    check = check_submission(form, {**COMPLETE, "in_danger": "yes"}, today=TODAY)
    assert not check.ok
    assert check.exit_page is not None and check.exit_page.id == "call-999"


def test_a_tampered_stored_answer_is_caught_again_at_submission(form):
    check = check_submission(form, {**COMPLETE, "when": "2099-01-01"}, today=TODAY)
    assert [(p.page_id, p.error.message) for p in check.problems] == [
        ("when", "The date must be today or in the past")
    ]


def test_a_repeating_page_needs_its_minimum_number_of_items(form):
    check = check_submission(form, {**COMPLETE, "people": []}, today=TODAY)
    assert [(p.page_id, p.error.message) for p in check.problems] == [
        ("people", "Add at least 1 person")
    ]


def test_a_repeating_page_refuses_more_than_its_maximum(form):
    people = [{"person_name": name} for name in ("A", "B", "C")]
    check = check_submission(form, {**COMPLETE, "people": people}, today=TODAY)
    assert [(p.page_id, p.error.message) for p in check.problems] == [
        ("people", "You can add up to 2")
    ]
    assert len(check.answers["people"]) == 2


def test_each_repeated_item_is_validated_with_its_index(form):
    people = [{"person_name": "A"}, {"person_name": "x" * 600}]
    check = check_submission(form, {**COMPLETE, "people": people}, today=TODAY)
    [problem] = check.problems
    assert (problem.page_id, problem.item, problem.error.field) == ("people", 1, "person_name")


def test_a_repeating_page_answer_that_is_not_a_list_is_treated_as_unanswered(form):
    check = check_submission(form, {**COMPLETE, "people": "<script>"}, today=TODAY)
    assert [p.error.code for p in check.problems] == ["repeat_min"]
