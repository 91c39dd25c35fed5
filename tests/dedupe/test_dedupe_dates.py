from datetime import date

import pytest

from dedupe.dates import approximate_date_of_birth, normalise_date_of_birth, parse_age

TODAY = date(2025, 6, 1)


@pytest.mark.parametrize(
    "written",
    ["1980-05-12", "19800512", "12/05/1980", "12-5-80", "12.05.1980", "12 May 1980",
     "12th May 1980", "12 Mai 1980", date(1980, 5, 12), "1980-05-12T00:00:00"],
)  # fmt: skip
def test_every_common_way_of_writing_a_date_of_birth_gives_the_same_date(written):
    dob = normalise_date_of_birth(written, today=TODAY)
    assert (dob.year, dob.month, dob.day) == (1980, 5, 12)
    assert dob.complete and dob.valid


def test_two_digit_years_are_read_as_the_most_recent_past_year():
    assert normalise_date_of_birth("01/02/24", today=TODAY).year == 2024
    assert normalise_date_of_birth("01/02/30", today=TODAY).year == 1930


def test_a_year_alone_or_a_month_and_year_is_a_partial_date():
    year = normalise_date_of_birth("1980")
    month = normalise_date_of_birth("May 1980")
    assert (year.year, year.month, year.day, year.complete) == (1980, None, None, False)
    assert (month.year, month.month, month.day) == (1980, 5, None)
    assert month.text() == "1980-05"


def test_a_date_with_day_and_month_in_the_wrong_order_is_kept_as_written():
    dob = normalise_date_of_birth("1980-13-05")
    assert (dob.month, dob.day) == (13, 5)
    assert not dob.valid


def test_nonsense_and_impossible_dates_are_missing():
    for written in ["unknown", "", None, "31/13/1980", "1700-01-01", "32/01/1980"]:
        assert not normalise_date_of_birth(written)


@pytest.mark.parametrize(
    ("written", "ages"),
    [("35", (35, 35)), ("about 35", (35, 35)), ("c. 40", (40, 40)), ("40?", (40, 40)),
     ("30-35", (30, 35)), ("30 to 35", (30, 35)), ("30s", (30, 39)), ("late 40s", (40, 49)),
     ("aged 12 years", (12, 12)), ("old", None), ("", None), ("40-30", None)],
)  # fmt: skip
def test_approximate_ages_are_read_as_a_range(written, ages):
    assert parse_age(written) == ages


def test_an_approximate_age_becomes_a_range_of_birth_years_with_slack():
    dob = approximate_date_of_birth(35, 35, TODAY)
    assert dob.approximate
    assert dob.earliest_year is not None and dob.latest_year is not None
    assert dob.earliest_year <= 1989 <= dob.latest_year
    assert dob.earliest_year <= 1990 <= dob.latest_year
