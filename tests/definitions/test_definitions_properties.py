"""Random input to every field type's validator gives a value or validation errors, never a crash."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forms_app.definitions import (
    FIELD_TYPES,
    AnswerResult,
    evaluate,
    load_file,
    parse_condition,
    validate_answer,
)

TODAY = dt.date(2025, 6, 30)
FORM = load_file(Path(__file__).parent / "data" / "every-field.yaml")
FIELDS = sorted((field for field in FORM.fields()), key=lambda field: field.name or "")

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(),
    st.text(alphabet="0123456789 +-().,:/apmAPM", max_size=30),
    st.sampled_from(
        ["", "yes", "no", "red", "cat", "none", "2025-02-31", "31", "<script>", "\x00", "\ud800"]
    ),
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(
            st.sampled_from(
                [
                    "day",
                    "month",
                    "year",
                    "line1",
                    "town",
                    "postcode",
                    "description",
                    "latitude",
                    "longitude",
                    "first_name",
                    "last_name",
                    "date_of_birth",
                    "approximate_age",
                    "phone",
                    "email",
                    "address",
                    "id",
                    "name",
                    "kind",
                    "size",
                ]
            ),
            children,
            max_size=6,
        ),
    ),
    max_leaves=12,
)


def test_the_sample_form_has_every_field_type():
    types = {field.type for field in FIELDS} | {f.type for page in FORM.pages for f in page.fields}
    assert types == set(FIELD_TYPES)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(field=st.sampled_from(FIELDS), raw=values, lang=st.sampled_from(["en", "cy", "fr"]))
def test_any_value_gives_an_answer_or_errors(field, raw, lang):
    result = validate_answer(field, raw, lang, TODAY)
    assert isinstance(result, AnswerResult)
    if result.errors:
        assert result.value is None
        assert all(error.message and error.field == field.name for error in result.errors)


@settings(max_examples=200, deadline=None)
@given(field=st.sampled_from(FIELDS), raw=values)
def test_a_normalised_answer_validates_to_itself(field, raw):
    # Drafts store normalised answers and submission re-validates them: that must be stable.
    first = validate_answer(field, raw, "en", TODAY)
    if first.ok and first.value is not None:
        again = validate_answer(field, first.value, "en", TODAY)
        assert again.ok
        assert again.value == first.value


@settings(max_examples=100, deadline=None)
@given(field=st.sampled_from(FIELDS), text=st.text(min_size=1, max_size=200))
def test_every_stored_text_can_be_encoded(field, text):
    result = validate_answer(field, text, "en", TODAY)
    if isinstance(result.value, str):
        result.value.encode("utf-8")


conditions = st.recursive(
    st.builds(
        lambda field, op, value: {"field": field, op: value},
        st.sampled_from(["colour", "pets", "count", "any_date", "full_name"]),
        st.sampled_from(
            [
                "equals",
                "not_equals",
                "in",
                "contains",
                "greater_than",
                "less_than",
                "before",
                "after",
            ]
        ),
        st.one_of(st.integers(), st.text(max_size=5)),
    )
    | st.builds(
        lambda field, days: {"field": field, "within_days": days},
        st.just("any_date"),
        st.integers(0, 1000),
    )
    | st.builds(
        lambda field, value: {"field": field, "answered": value}, st.just("colour"), st.booleans()
    ),
    lambda children: st.one_of(
        st.builds(lambda items: {"all": items}, st.lists(children, min_size=1, max_size=3)),
        st.builds(lambda items: {"any": items}, st.lists(children, min_size=1, max_size=3)),
        st.builds(lambda item: {"not": item}, children),
    ),
    max_leaves=8,
)


@settings(max_examples=200, deadline=None)
@given(
    condition=conditions,
    answers=st.dictionaries(
        st.sampled_from(["colour", "pets", "count", "any_date", "full_name"]), values, max_size=5
    ),
)
def test_conditions_evaluate_to_a_boolean_for_any_answers(condition, answers):
    assert evaluate(parse_condition(condition), answers, TODAY) in (True, False)
