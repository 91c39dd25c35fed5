"""Bad answers and history are reported, never ignored; messages hold no answers."""

from __future__ import annotations

from datetime import date

import pytest

import scoring

TODAY = date(2025, 6, 30)


def answer_problems(instrument, answers) -> dict[str, str]:
    with pytest.raises(scoring.AnswerError) as caught:
        scoring.assess(instrument, answers, now=TODAY)
    return {problem.path: problem.message for problem in caught.value.problems}


def test_an_unknown_field_is_reported(asb):
    found = answer_problems(asb, {"fear_levle": "very_afraid"})
    assert found == {"answers.fear_levle": "there is no such field in the form"}


def test_an_unknown_option_is_reported_with_the_options_but_not_the_answer(asb):
    with pytest.raises(scoring.AnswerError) as caught:
        scoring.assess(asb, {"fear_level": "Terrified of Mr Smith"}, now=TODAY)
    message = str(caught.value)
    assert "answers.fear_level" in message
    assert "not_afraid, a_little, very_afraid" in message
    assert "Smith" not in message


def test_every_bad_answer_is_listed_at_once(asb):
    found = answer_problems(
        asb,
        {
            "targeted_identity": ["race", "height"],
            "still_happening": True,
            "incident_date": "30/06/2025",
            "asb_types": "noise",
            "where": "the park",
        },
    )
    assert set(found) == {
        "answers.targeted_identity",
        "answers.still_happening",
        "answers.incident_date",
        "answers.asb_types",
        "answers.where",
    }


def test_answers_on_a_repeating_page_are_checked_by_field(asb):
    found = answer_problems(
        asb, {"people-responsible": [{"responsible_lives_at": "Number 6"}, {"shoe_size": 9}]}
    )
    assert found == {
        "answers.people-responsible[1].shoe_size": "there is no such field on this page"
    }
    assert scoring.assess(
        asb, {"people-responsible": [{"responsible_lives_at": "Number 6"}]}, now=TODAY
    )


def test_fields_revealed_by_an_option_are_known_fields(asb):
    answers = {"asb_types": ["other"], "asb_types_other": "Fireworks at night"}
    assert scoring.assess(asb, answers, now=TODAY).score == 0
    found = answer_problems(asb, {"asb_types_other": ["a list"]})
    assert found == {"answers.asb_types_other": "must be text"}


def test_null_answers_are_not_answered(asb):
    result = scoring.assess(asb, {"fear_level": None, "lives_alone": None}, now=TODAY)
    assert result.score == 0


def test_answers_must_be_an_object(asb):
    with pytest.raises(scoring.AnswerError):
        scoring.assess(asb, ["fear_level"], now=TODAY)  # type: ignore[arg-type]


def test_bad_history_entries_are_reported_with_their_position(asb):
    history = [
        {"reported_on": "2025-06-01", "same": ["person"]},
        {"reported_on": "yesterday", "same": ["street"], "colour": "red"},
        {"same": []},
    ]
    with pytest.raises(scoring.HistoryError) as caught:
        scoring.assess(asb, {}, history, now=TODAY)
    paths = {problem.path for problem in caught.value.problems}
    assert paths == {
        "history[1].reported_on",
        "history[1].same",
        "history[1].colour",
        "history[2].reported_on",
        "history[2].same",
    }


def test_history_times_are_read_as_uk_days(asb):
    # The repeat victim window is 91 days: 31 March 2025 is day 91 before 30 June, 30 March day 92.
    recent = {"reported_on": "2025-06-01", "same": ["person"]}

    def flags(reported_on: str) -> list[str]:
        entry = {"reported_on": reported_on, "same": ["person"]}
        return scoring.assess(asb, {}, [recent, entry], now=date(2025, 6, 30)).flags

    # 23:30 UTC on 30 March is 00:30 on 31 March in London, as clocks went forward that day.
    assert "repeat_victim" in flags("2025-03-30T23:30:00+00:00")
    assert "repeat_victim" not in flags("2025-03-30T22:30:00+00:00")
    assert "repeat_victim" in flags("2025-03-31")
    assert "repeat_victim" not in flags("2025-03-30")


def test_history_entries_can_be_given_as_objects(asb):
    entry = scoring.HistoryEntry(reported_on=date(2025, 6, 1), same=frozenset({"person"}))
    result = scoring.assess(asb, {}, [entry, entry], now=TODAY)
    assert "repeat_victim" in result.flags


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"reporter": 5}, "history[1].reporter"),
        ({"reference": ["ASB-1"]}, "history[1].reference"),
        ({"hate": "yes"}, "history[1].hate"),
        ({"colour": "red"}, "history[1].colour"),
        ({"same": ["person", "street"]}, "history[1].same"),
        ({"incident_date": "2025-02-30"}, "history[1].incident_date"),
    ],
)
def test_one_bad_value_among_good_history_entries_is_reported(asb, change, path):
    good = {"reported_on": "2025-06-01", "same": ["person"], "reporter": "a", "reference": "R"}
    history = [good, {**good, "reference": "S"} | change, {**good, "reference": "T"}]
    with pytest.raises(scoring.HistoryError) as caught:
        scoring.assess(asb, {}, history, now=TODAY)
    assert [problem.path for problem in caught.value.problems] == [path]


@pytest.mark.parametrize("value", [["very_afraid"], {"level": "very_afraid"}, 3, True])
def test_a_single_choice_answered_with_something_other_than_text_is_reported(asb, value):
    found = answer_problems(asb, {"fear_level": value})
    assert found == {
        "answers.fear_level": "must be one option value, as text (not_afraid, a_little, very_afraid)"
    }
