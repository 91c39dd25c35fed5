"""Professional judgement raises a level with a written reason and never lowers it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import scoring

TODAY = date(2025, 6, 30)
RANK = {level: rank for rank, level in enumerate(scoring.LEVELS)}


def scored_fields(block: Any) -> set[str]:
    """The names of the fields a scoring block refers to ("field", and "count" lists)."""
    found: set[str] = set()
    if isinstance(block, dict):
        for key, value in block.items():
            if key == "field" and isinstance(value, str):
                found.add(value)
            elif key == "count" and isinstance(value, list):
                found.update(item for item in value if isinstance(item, str))
            else:
                found |= scored_fields(value)
    elif isinstance(block, list):
        for item in block:
            found |= scored_fields(item)
    return found


def answer_strategy(form: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Any mix of answered and unanswered questions the form scores, with valid answers."""
    lists = {name: [item["value"] for item in items] for name, items in form["lists"].items()}
    scored = scored_fields(form["scoring"])
    optional: dict[str, st.SearchStrategy[Any]] = {}
    for page in form["pages"]:
        if page.get("repeat"):
            continue
        for field in page.get("fields", []):
            kind, name = field["type"], field.get("name")
            if name not in scored:
                continue
            if kind in ("radios", "select", "checkboxes") and "list" not in field:
                lists[name] = [item["value"] for item in field["options"]]
                field = dict(field, list=name)
            if kind == "yesno":
                optional[name] = st.sampled_from(["yes", "no"])
            elif kind in ("radios", "select"):
                optional[name] = st.sampled_from(lists[field["list"]])
            elif kind == "checkboxes":
                optional[name] = st.lists(st.sampled_from(lists[field["list"]]), unique=True)
            elif kind == "number":
                optional[name] = st.integers(min_value=0, max_value=20)
            elif kind == "date":
                optional[name] = st.integers(0, 400).map(
                    lambda n: (TODAY - timedelta(n)).isoformat()
                )
    # Judgement recorded on the form is tested separately: leave its fields out here.
    for name in ("judgement_raise", "judgement_level", "judgement_reason"):
        optional.pop(name, None)
    return st.fixed_dictionaries({}, optional=optional)


history_strategy = st.lists(
    st.fixed_dictionaries(
        {
            "reported_on": st.integers(-5, 400).map(lambda n: (TODAY - timedelta(n)).isoformat()),
            "same": st.lists(
                st.sampled_from(["person", "address", "location", "problem"]),
                min_size=1,
                unique=True,
            ),
        },
        optional={
            "incident_date": st.integers(0, 500).map(lambda n: (TODAY - timedelta(n)).isoformat()),
            "reporter": st.sampled_from(["a", "b", "c", "d", "e", "f"]),
            "hate": st.booleans(),
        },
    ),
    max_size=12,
)
judgement_strategy = st.builds(
    scoring.Judgement,
    level=st.sampled_from(scoring.LEVELS),
    reason=st.text(min_size=1, max_size=40).filter(str.strip),
)


def check_raises_never_lowers(instrument, answers, history, judgement) -> None:
    before = scoring.assess(instrument, answers, history, now=TODAY)
    after = scoring.assess(instrument, answers, history, judgement=judgement, now=TODAY)
    assert RANK[after.level] == max(RANK[before.level], RANK[judgement.level])
    assert RANK[after.level] >= RANK[before.level]
    assert (after.score, after.flags) == (before.score, before.flags)
    assert after.reasons[:-1] == before.reasons
    assert "professional judgement" in after.reasons[-1].lower()
    assert judgement.reason.strip() in after.reasons[-1]


@settings(max_examples=150, deadline=None)
@given(data=st.data(), history=history_strategy, judgement=judgement_strategy)
def test_judgement_raises_the_asb_level_and_never_lowers_it(
    asb, asb_form, data, history, judgement
):
    answers = data.draw(answer_strategy(asb_form))
    check_raises_never_lowers(asb, answers, history, judgement)


@settings(max_examples=150, deadline=None)
@given(data=st.data(), history=history_strategy, judgement=judgement_strategy)
def test_judgement_raises_the_dash_level_and_never_lowers_it(
    dash, dash_form, data, history, judgement
):
    answers = data.draw(answer_strategy(dash_form))
    check_raises_never_lowers(dash, answers, history, judgement)


@settings(max_examples=100, deadline=None)
@given(data=st.data(), level=st.sampled_from(["medium", "high"]))
def test_judgement_on_the_dash_form_never_lowers_the_level(dash, dash_form, data, level):
    answers = data.draw(answer_strategy(dash_form))
    before = scoring.assess(dash, answers, now=TODAY)
    judged = answers | {
        "judgement_raise": "yes",
        "judgement_level": level,
        "judgement_reason": "Concerns written down by the officer",
    }
    after = scoring.assess(dash, judged, now=TODAY)
    assert RANK[after.level] == max(RANK[before.level], RANK[level])


def test_a_lower_judgement_is_recorded_but_does_not_lower_the_level(asb):
    answers = {"threats_of_violence": "yes", "feel_safe_at_home": "no"}
    result = scoring.assess(
        asb,
        answers,
        judgement=scoring.Judgement("standard", "Perpetrator has moved away"),
        now=TODAY,
    )
    assert result.level == "high"
    assert result.reasons[-1] == (
        "Professional judgement of standard recorded: Perpetrator has moved away. The level "
        "stays high: judgement can raise a level but never lower it"
    )


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_judgement_needs_a_written_reason(reason):
    with pytest.raises(ValueError, match="needs a written reason"):
        scoring.Judgement("high", reason)


def test_a_judgement_needs_a_real_level_and_the_error_does_not_repeat_the_reason():
    with pytest.raises(ValueError) as caught:
        scoring.Judgement("critical", "Mrs Jones is terrified")
    assert "Jones" not in str(caught.value)
