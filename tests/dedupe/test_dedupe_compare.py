import pytest

from dedupe.addresses import normalise_address
from dedupe.compare import (
    compare_addresses,
    compare_dates_of_birth,
    compare_emails,
    compare_first_names,
    compare_genders,
    compare_identity_numbers,
    compare_last_names,
    compare_people,
    compare_phones,
    compare_places,
    compare_postcodes,
    compare_towns,
    could_be_neighbours,
    given_names_differ,
    months_apart,
    years_apart,
)
from dedupe.contact import normalise_email, normalise_phone
from dedupe.dates import approximate_date_of_birth, normalise_date_of_birth
from dedupe.identity import normalise_identity_number
from dedupe.names import normalise_first_name, normalise_last_name
from dedupe.postcodes import normalise_postcode
from dedupe.records import PersonRecord, normalise_person


@pytest.mark.parametrize(
    ("a", "b", "level"),
    [("Siân", "SIAN", "exact"), ("Mary Anne", "Mary", "exact"), ("Bill", "William", "nickname"),
     ("Dai", "Dafydd", "nickname"), ("Jonathon", "Jonathan", "close"), ("Sean", "Shaun", "similar"),
     ("J", "John", "initial"), ("Rhys", "Owain", "disagree"), ("", "John", "missing")],
)  # fmt: skip
def test_first_name_levels(a, b, level):
    assert compare_first_names(normalise_first_name(a), normalise_first_name(b)) == level


@pytest.mark.parametrize(
    ("a", "b", "level"),
    [("Lloyd-Jones", "Lloyd Jones", "exact"), ("ap Gwilym", "Gwilym", "exact"),
     ("Thompson", "Thomson", "close"), ("Lloyd-Jones", "Jones", "part"),
     ("Smyth", "Smith", "similar"), ("Evans", "Pritchard", "disagree"), ("Evans", None, "missing")],
)  # fmt: skip
def test_last_name_levels(a, b, level):
    assert compare_last_names(normalise_last_name(a), normalise_last_name(b)) == level


@pytest.mark.parametrize(
    ("a", "b", "level"),
    [("1980-05-12", "12/05/1980", "exact"), ("1980-05-12", "1980-12-05", "near"),
     ("1980-05-12", "1980-05-13", "near"), ("1980-05-12", "1980-05-21", "near"),
     ("1980-05-12", "1981-05-12", "near"), ("1979-05-12", "1980-05-12", "year_slip"),
     ("1980-05-12", "1980", "compatible"), ("1980-05-12", "1980-06", "disagree"),
     ("1980-05-12", "1955-10-30", "disagree"), ("1980-05-12", None, "missing")],
)  # fmt: skip
def test_date_of_birth_levels_forgive_a_swap_a_digit_and_a_year(a, b, level):
    assert compare_dates_of_birth(normalise_date_of_birth(a), normalise_date_of_birth(b)) == level


def test_an_approximate_age_is_compatible_with_a_date_in_its_range_only():
    from datetime import date

    about_40 = approximate_date_of_birth(40, 40, date(2025, 1, 1))
    assert compare_dates_of_birth(about_40, normalise_date_of_birth("1985-03-01")) == "compatible"
    assert compare_dates_of_birth(about_40, normalise_date_of_birth("1960-03-01")) == "disagree"


def test_years_apart_measures_the_gap_between_dates_of_birth():
    father = normalise_date_of_birth("1960-03-04")
    son = normalise_date_of_birth("1988-07-12")
    assert years_apart(father, son) == 28
    assert years_apart(father, father) == 0


def test_months_apart_counts_calendar_months_and_reads_a_swapped_day_and_month():
    def months(a, b):
        return months_apart(normalise_date_of_birth(a), normalise_date_of_birth(b))

    assert months("1980-05-12", "1980-10-01") == 5
    assert months("1979-12-30", "1980-01-02") == 1
    assert months("1980-05-12", "1982-05-12") == 24
    assert months("1980-05-31", "12/31/1980") == 7  # 31 December, written month first
    assert months("1980-05-12", "1980") is None


@pytest.mark.parametrize(
    ("a", "b", "differ"),
    [("Mohammed Imran", "Mohammed Ali", True), ("Mohammed Imran", "Mohammed", False),
     ("Mohammed Imran", "Mohammed I", False), ("Mohammed Imran", "Mohammed A", True),
     ("Mohammed Imran", "Mohammed Imraan", False), ("Mary Anne", "Mary Anne", False)],
)  # fmt: skip
def test_second_given_names_differ_only_when_both_are_known_and_disagree(a, b, differ):
    assert given_names_differ(normalise_first_name(a), normalise_first_name(b)) is differ


def test_gender_levels():
    assert compare_genders("f", "f") == "exact"
    assert compare_genders("f", "m") == "disagree"
    assert compare_genders("", "m") == "missing"


def test_email_levels():
    def level(a, b):
        return compare_emails(normalise_email(a), normalise_email(b))

    assert level("jo@example.org", "JO@example.org") == "exact"
    assert level("jo.bloggs@gmail.com", "jobloggs+x@googlemail.com") == "mailbox"
    assert level("jobloggs@example.org", "jobloggz@example.org") == "similar"
    assert level("jobloggs@example.org", "someone@example.org") == "disagree"


def test_phone_levels():
    def level(a, b):
        return compare_phones(normalise_phone(a), normalise_phone(b))

    assert level("07700 900123", "+447700900123") == "exact"
    assert level("07700 900123", "07700 900132") == "near"
    assert level("07700 900123", "029 2087 2087") == "disagree"
    assert level("07700 900123", "") == "missing"


def test_address_levels_tell_one_dwelling_from_its_neighbours():
    def level(a, b):
        return compare_addresses(normalise_address(a), normalise_address(b))

    assert level(["Flat 3, 12 High St"], ["flat 3", "12 high street"]) == "exact"
    assert level(["12 High St"], ["12 Hihg Street"]) == "close"
    assert level(["Flat 3, 12 High St"], ["Flat 4, 12 High St"]) == "building"
    assert level(["12 High St"], ["40 High St"]) == "street"
    assert level(["12 High St"], ["12 Station Road"]) == "disagree"
    assert level(["12 High St"], []) == "missing"


def test_place_levels_compare_building_and_locality():
    def level(a, b):
        return compare_places(normalise_address(a), normalise_address(b))

    assert level(["The Old Rectory", "Church Lane"], ["the old rectory"]) == "exact"
    assert level(["Riverside House", "Quay St"], ["Riverside Hse", "Quay St"]) == "exact"
    assert level(["Riverside House"], ["Rivrsyde Hous"]) == "close"
    assert level(["Riverside House"], ["Tŷ Gwyn"]) == "disagree"


def test_postcode_levels_step_down_through_sector_and_district():
    def level(a, b):
        return compare_postcodes(normalise_postcode(a), normalise_postcode(b))

    assert level("CF10 3NQ", "cf103nq") == "exact"
    assert level("CF10 3NQ", "CF10 3AT") == "sector"
    assert level("CF10 3NQ", "CF10 1AA") == "district"
    assert level("CF10 3NQ", "LL55 4UL") == "disagree"
    assert level("4223", "4232") == "sector"
    assert level("4223", "9999") == "disagree"


def test_town_levels():
    assert compare_towns("cardiff", "cardiff") == "exact"
    assert compare_towns("caerdydd", "caerdyd") == "close"
    assert compare_towns("cardiff", "swansea") == "disagree"


def test_first_and_last_names_the_other_way_round_are_noticed():
    a = normalise_person(PersonRecord(first_name="Thomas", last_name="Adam"))
    b = normalise_person(PersonRecord(first_name="Adam", last_name="Thomas"))
    levels = compare_people(a, b)
    assert levels["first_name"] == levels["last_name"] == "swapped"


def test_a_double_barrelled_surname_typed_as_the_first_name_is_noticed_as_swapped():
    a = normalise_person(PersonRecord(first_name="Slack-Smith", last_name="Katelyn"))
    b = normalise_person(PersonRecord(first_name="Katelyn", last_name="Slack-Smith"))
    levels = compare_people(a, b)
    assert levels["first_name"] == levels["last_name"] == "swapped"


@pytest.mark.parametrize(
    ("a", "b", "level"),
    [
        ("QQ123456C", "QQ 12 34 56 C", "exact"),
        ("QQ123456C", "QQ123465C", "near"),
        ("QQ123456C", "QQ128456C", "near"),
        ("QQ123456C", "AB987654D", "disagree"),
        ("943 476 5919", "943 476 5918", "near"),
        ("5551234", "555123", "disagree"),
        ("", "QQ123456C", "missing"),
    ],
)
def test_identity_number_levels_forgive_one_slip(a, b, level):
    one, other = normalise_identity_number(a), normalise_identity_number(b)
    assert compare_identity_numbers(one, other) == level


@pytest.mark.parametrize(
    ("a", "b", "neighbours"),
    [
        ("QQ123456C", "QQ123457C", True),
        ("QQ123456C", "QQ123465C", True),
        ("QQ123456C", "QQ128456C", False),
        ("QQ123456C", "QR123456C", False),
        ("9434765919", "9434765927", True),
        ("ABCD", "ABCE", False),
    ],
)
def test_identity_numbers_close_in_value_could_be_neighbours_in_a_run(a, b, neighbours):
    assert could_be_neighbours(a, b) is neighbours
