"""Answers are validated and normalised per field type, with GOV.UK-style messages."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from forms_app.definitions import Field, FormDefinition, Text, load_file, validate_answer

TODAY = dt.date(2025, 6, 30)
EVERY_FIELD = Path(__file__).parent / "data" / "every-field.yaml"


@pytest.fixture(scope="module")
def form() -> FormDefinition:
    return load_file(EVERY_FIELD)


def answer(form: FormDefinition, name: str, raw, lang: str = "en"):
    return validate_answer(form.field(name), raw, lang, TODAY)


def messages(result) -> list[str]:
    return [error.message for error in result.errors]


# Text ------------------------------------------------------------------------


def test_text_is_trimmed_and_kept(form):
    assert answer(form, "full_name", "  Sam   Jones ").value == "Sam Jones"


def test_html_and_script_are_kept_as_text_not_removed(form):
    hostile = "<script>alert('x')</script><b onmouseover=alert(1)>hi</b>"
    assert answer(form, "plain_text", hostile).value == hostile


def test_a_required_empty_text_asks_for_it_by_name(form):
    assert messages(answer(form, "full_name", "   ")) == ["Enter your full name"]


def test_an_optional_empty_text_is_absent_not_empty(form):
    result = answer(form, "plain_text", "")
    assert result.ok and result.value is None


def test_a_100kb_string_is_refused_by_the_default_maximum_length(form):
    result = answer(form, "plain_text", "x" * 100_000)
    assert messages(result) == ["Your answer must be 500 characters or less"]


def test_a_100kb_string_is_refused_by_a_textarea_too(form):
    assert messages(answer(form, "long_story", "word " * 20_000)) == [
        "Your answer must be 5000 characters or less"
    ]


def test_the_maximum_length_names_the_field(form):
    assert messages(answer(form, "full_name", "a" * 101)) == [
        "Your full name must be 100 characters or less"
    ]


def test_a_custom_pattern_message_is_used(form):
    assert messages(answer(form, "code", "abc12")) == [
        "Enter the code as 3 letters then 2 numbers, like ABC12"
    ]
    assert answer(form, "code", "ABC12").value == "ABC12"


def test_a_hostile_answer_does_not_hold_the_request_on_a_nested_pattern():
    """`(a+)+b` passes the definition check; with Python's own `re`, a run of letters with no
    b would take far longer than any request may. The answer is refused in good time."""
    code = Field(type="text", name="code", label=Text({"en": "Code"}), pattern="(a+)+b")
    result = validate_answer(code, "a" * 480 + "!", "en", TODAY)
    assert not result.ok
    assert validate_answer(code, "aaab", "en", TODAY).value == "aaab"


def test_an_answer_a_pattern_cannot_judge_in_time_is_kept_and_logged_without_it(
    monkeypatch, caplog
):
    from forms_app.definitions import patterns

    monkeypatch.setattr(patterns, "MATCH_SECONDS", 0.01)
    slow = Field(type="text", name="code", label=Text({"en": "Code"}), pattern="(a|aa)+")
    hostile = "a" * 60 + "!"

    result = validate_answer(slow, hostile, "en", TODAY)

    assert result.ok and result.value == hostile
    assert "pattern of field code took too long" in caplog.text
    assert hostile not in caplog.text


def test_a_word_limit_counts_words(form):
    assert answer(form, "story", "one two three four five").ok
    assert messages(answer(form, "story", "one two three four five six")) == [
        "Your story must be 5 words or less"
    ]


def test_a_textarea_keeps_line_breaks_but_drops_control_characters(form):
    assert answer(form, "story", "line one\r\nline\x00 two\x07").value == "line one\nline two"


def test_a_single_line_text_joins_lines(form):
    assert answer(form, "plain_text", "a\nb\tc").value == "a b c"


def test_lone_surrogates_are_dropped_so_the_answer_can_be_stored(form):
    value = answer(form, "plain_text", "ok\ud800done").value
    assert value == "okdone"
    value.encode("utf-8")


def test_text_that_is_not_a_string_is_refused(form):
    assert messages(answer(form, "plain_text", {"x": 1})) == ["Enter a valid answer"]


# Numbers ---------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "value"), [("7", 7), (" 1,0 ", 10), (12, 12), ("20.0", 20)])
def test_whole_numbers_are_read(form, raw, value):
    assert answer(form, "count", raw).value == value


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("seven", "The number of people must be a number"),
        ("1e3", "The number of people must be a number"),
        ("NaN", "The number of people must be a number"),
        ("2.5", "The number of people must be a whole number"),
        ("0", "The number of people must be between 1 and 20"),
        ("21", "The number of people must be between 1 and 20"),
        ("9" * 5000, "The number of people must be a number"),
        (True, "The number of people must be a number"),
        (float("inf"), "The number of people must be a number"),
    ],
)
def test_bad_numbers_are_refused(form, raw, message):
    assert messages(answer(form, "count", raw)) == [message]


def test_decimals_are_allowed_unless_a_whole_number_is_required(form):
    assert answer(form, "amount", "12.50").value == 12.5
    assert messages(answer(form, "amount", "-1")) == ["Your answer must be 0 or more"]


# Email, phone, postcode --------------------------------------------------------


def test_an_email_keeps_its_local_part_and_lowercases_its_domain(form):
    assert answer(form, "email", " Sam.Jones@Example.ORG ").value == "Sam.Jones@example.org"


@pytest.mark.parametrize(
    "raw",
    ["sam", "sam@", "sam@example", "sam @example.com", "sam@@example.com", "a..b@example.com"],
)
def test_malformed_emails_are_refused(form, raw):
    assert messages(answer(form, "email", raw)) == [
        "Enter an email address in the correct format, like name@example.com"
    ]


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("07911 123456", "+447911123456"),
        ("+44 7911 123 456", "+447911123456"),
        ("(029) 2018 0000", "+442920180000"),
        ("0044 20 7946 0958", "+442079460958"),
        ("+1 202 555 0143", "+12025550143"),
    ],
)
def test_phone_numbers_are_stored_in_e164(form, raw, value):
    assert answer(form, "phone", raw).value == value


@pytest.mark.parametrize(
    "raw",
    ["12345", "07911 12345", "07700 900982", "phone me", "+44 7700 900 982 999 999", "0" * 500],
)
def test_malformed_phone_numbers_are_refused(form, raw):
    assert messages(answer(form, "phone", raw)) == [
        "Enter a telephone number, like 020 7946 0000 or +44 808 157 0192"
    ]


def test_a_uk_only_phone_refuses_other_countries(form):
    assert messages(answer(form, "uk_phone", "+1 202 555 0143")) == [
        "Enter a UK telephone number, like 020 7946 0000 or +44 808 157 0192"
    ]


@pytest.mark.parametrize("lang", ["en", "cy"])
@pytest.mark.parametrize("name", ["phone", "uk_phone"])
def test_every_example_a_phone_message_gives_is_a_number_the_question_accepts(form, name, lang):
    (message,) = messages(answer(form, name, "phone me", lang))
    examples = re.findall(r"\+?\d[\d ]*\d", message)

    assert len(examples) == 2
    for example in examples:
        assert answer(form, name, example, lang).ok, example


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("sw1a1aa", "SW1A 1AA"),
        (" cf10 1ep ", "CF10 1EP"),
        ("M1 1AE", "M1 1AE"),
        ("w1a 0ax", "W1A 0AX"),
        ("gir0aa", "GIR 0AA"),
    ],
)
def test_postcodes_are_normalised(form, raw, value):
    assert answer(form, "postcode", raw).value == value


@pytest.mark.parametrize("raw", ["SW1A", "12345", "SW1A 1AAA", "<script>", "Q1 1AA", "SW1A 1AI"])
def test_malformed_postcodes_are_refused(form, raw):
    assert messages(answer(form, "postcode", raw)) == ["Enter a full UK postcode"]


# Dates and times ----------------------------------------------------------------


def test_a_date_from_day_month_year_becomes_iso(form):
    assert (
        answer(form, "any_date", {"day": "3", "month": "2", "year": "2024"}).value == "2024-02-03"
    )


def test_a_month_may_be_written_as_a_name(form):
    assert (
        answer(form, "any_date", {"day": "3", "month": "Feb", "year": "2024"}).value == "2024-02-03"
    )
    assert (
        answer(form, "any_date", {"day": "3", "month": "Chwefror", "year": "2024"}).value
        == "2024-02-03"
    )


def test_31_february_is_not_a_real_date(form):
    result = answer(form, "birth_date", {"day": "31", "month": "2", "year": "1990"})
    assert messages(result) == ["Date of birth must be a real date"]
    assert result.errors[0].part == "day"


def test_29_february_is_real_only_in_a_leap_year(form):
    assert answer(form, "any_date", {"day": "29", "month": "2", "year": "2024"}).ok
    assert not answer(form, "any_date", {"day": "29", "month": "2", "year": "2023"}).ok


def test_a_missing_date_part_is_named(form):
    result = answer(form, "birth_date", {"day": "3", "month": "", "year": "1990"})
    assert messages(result) == ["Date of birth must include a month"]
    assert result.errors[0].part == "month"
    both = answer(form, "birth_date", {"day": "", "month": "4", "year": ""})
    assert messages(both) == ["Date of birth must include a day and year"]


def test_a_two_digit_year_is_refused(form):
    assert messages(answer(form, "birth_date", {"day": "3", "month": "4", "year": "90"})) == [
        "Year must include 4 numbers"
    ]


def test_an_empty_required_date_asks_for_it(form):
    assert messages(answer(form, "birth_date", {"day": "", "month": "", "year": ""})) == [
        "Enter date of birth"
    ]


def test_a_date_of_birth_must_be_in_the_past(form):
    assert messages(answer(form, "birth_date", "2025-06-30")) == [
        "Date of birth must be in the past"
    ]
    assert answer(form, "birth_date", "2025-06-29").ok


def test_today_or_past_allows_today_but_not_tomorrow(form):
    assert answer(form, "incident_date", "2025-06-30").ok
    assert messages(answer(form, "incident_date", "2025-07-01")) == [
        "The date must be today or in the past"
    ]


def test_a_window_in_the_past_gives_the_earliest_date(form):
    assert answer(form, "incident_date", "2024-06-30").ok
    assert messages(answer(form, "incident_date", "2024-06-29")) == [
        "The date must be the same as or after 30 June 2024"
    ]


def test_a_future_window_gives_the_latest_date(form):
    assert messages(answer(form, "appointment", "2025-06-30")) == ["The date must be in the future"]
    assert answer(form, "appointment", "2025-07-30").ok
    assert messages(answer(form, "appointment", "2025-07-31")) == [
        "The date must be the same as or before 30 July 2025"
    ]


@pytest.mark.parametrize(
    "raw", ["30/06/2025", "yesterday", ["2025"], {"day": ["1"], "month": "1", "year": "2000"}]
)
def test_unreadable_dates_are_refused(form, raw):
    assert not answer(form, "any_date", raw).ok


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("21:30", "21:30"),
        ("9:30pm", "21:30"),
        ("9pm", "21:00"),
        ("12am", "00:00"),
        ("12.15 p.m.", "12:15"),
        ("noon", "12:00"),
        ("7.05", "07:05"),
    ],
)
def test_times_are_normalised(form, raw, value):
    assert answer(form, "at_time", raw).value == value


@pytest.mark.parametrize("raw", ["25:00", "9:75", "13pm", "soon"])
def test_unreal_times_are_refused(form, raw):
    assert messages(answer(form, "at_time", raw)) == [
        "The time must be a real time, like 9:30am or 21:30"
    ]


# Choices --------------------------------------------------------------------------


def test_a_radio_answer_must_be_one_of_the_options(form):
    assert answer(form, "colour", "red").value == "red"
    assert messages(answer(form, "colour", "purple")) == ["Select one of the options"]
    assert messages(answer(form, "colour", ["red"])) == ["Select one of the options"]


def test_a_required_radio_without_an_error_name_asks_to_select_an_option(form):
    assert messages(answer(form, "colour", None)) == ["Select an option"]


def test_yesno_is_yes_or_no_only(form):
    assert answer(form, "agree", "no").value == "no"
    assert messages(answer(form, "agree", "maybe")) == ["Select one of the options"]
    assert messages(answer(form, "agree", "")) == ["Select ‘Yes’ or ‘No’"]


def test_checkboxes_come_back_in_option_order_without_repeats(form):
    assert answer(form, "pets", ["dog", "cat", "dog"]).value == ["cat", "dog"]


def test_a_single_checkbox_may_be_posted_as_a_string(form):
    assert answer(form, "pets", "dog").value == ["dog"]


def test_an_exclusive_option_cannot_be_combined(form):
    assert messages(answer(form, "pets", ["cat", "none"])) == [
        "Select your pets, or select ‘None of these’"
    ]
    assert answer(form, "pets", ["none"]).value == ["none"]


def test_an_unknown_checkbox_value_is_refused(form):
    assert messages(answer(form, "pets", ["cat", "<script>"])) == ["Select one of the options"]


def test_select_works_like_radios(form):
    assert answer(form, "county", "powys").value == "powys"
    assert not answer(form, "county", "kent").ok


# Compound fields -------------------------------------------------------------------


def test_an_address_is_tidied_and_its_postcode_normalised(form):
    raw = {"line1": " 1 High Street ", "line2": "", "town": "Cardiff", "postcode": "cf10 1ep"}
    assert answer(form, "home", raw).value == {
        "line1": "1 High Street",
        "town": "Cardiff",
        "postcode": "CF10 1EP",
    }


def test_a_partly_filled_address_names_each_missing_part(form):
    result = answer(form, "home", {"line1": "1 High Street", "town": "", "postcode": ""})
    assert [(e.part, e.message) for e in result.errors] == [
        ("town", "Enter town or city"),
        ("postcode", "Enter postcode"),
    ]


def test_an_empty_optional_address_is_absent(form):
    assert answer(form, "home", {"line1": "", "town": "", "postcode": ""}).value is None


def test_a_location_keeps_a_map_position_when_given(form):
    raw = {
        "description": "Outside the shop",
        "postcode": "",
        "latitude": "51.4816",
        "longitude": "-3.1791",
    }
    assert answer(form, "place", raw).value == {
        "description": "Outside the shop",
        "latitude": 51.4816,
        "longitude": -3.1791,
    }


def test_a_tampered_map_position_is_refused(form):
    raw = {"description": "Outside the shop", "latitude": "91", "longitude": "0"}
    result = answer(form, "place", raw)
    assert messages(result) == ["Choose the place on the map again"]


def test_a_location_needs_a_description(form):
    result = answer(form, "place", {"description": "", "postcode": "CF10 1EP"})
    assert messages(result) == ["Enter a description of the location"]


def test_a_person_keeps_only_the_parts_given(form):
    raw = {
        "first_name": "Sam",
        "last_name": "Jones",
        "approximate_age": "30",
        "phone": "07911 123456",
        "nickname": "x",
    }
    assert answer(form, "someone", raw).value == {
        "first_name": "Sam",
        "last_name": "Jones",
        "approximate_age": 30,
        "phone": "+447911123456",
    }


def test_a_person_reports_every_bad_part(form):
    raw = {
        "last_name": "",
        "date_of_birth": {"day": "31", "month": "2", "year": "1990"},
        "approximate_age": "200",
        "email": "x",
    }
    result = answer(form, "someone", raw)
    assert [(e.part, e.message) for e in result.errors] == [
        ("date_of_birth.day", "Their date of birth must be a real date"),
        ("approximate_age", "Their approximate age must be between 0 and 120"),
        ("email", "Enter an email address in the correct format, like name@example.com"),
        ("last_name", "Enter their last name"),
    ]


def test_a_person_address_is_an_address(form):
    raw = {"last_name": "Jones", "address": {"line1": "1 High St", "town": "Bala"}}
    assert answer(form, "someone", raw).value == {
        "last_name": "Jones",
        "address": {"line1": "1 High St", "town": "Bala"},
    }


def test_uploaded_files_are_checked_for_kind_size_and_count(form):
    good = {"id": "abc123", "name": "photo.jpg", "kind": "image", "size": 1000}
    assert answer(form, "photos", [good]).value == [good]
    assert messages(answer(form, "photos", [{**good, "kind": "video"}])) == [
        "The file ‘photo.jpg’ must be a photo or document"
    ]
    assert messages(answer(form, "photos", [{**good, "size": 6 * 1024 * 1024}])) == [
        "The file ‘photo.jpg’ must be smaller than 5MB"
    ]
    assert messages(answer(form, "photos", [good, good, good])) == ["You can upload up to 2 files"]
    assert messages(answer(form, "photos", [{**good, "id": "../../etc/passwd"}])) == [
        "The selected file could not be uploaded – try again"
    ]


def file_question(max_files: int, **settings) -> Field:
    return Field(
        type="file",
        name="evidence",
        accept=("image",),
        max_size_mb=2,
        max_files=max_files,
        **settings,
    )


def test_a_question_that_takes_one_file_refuses_it_without_naming_it():
    video = {"id": "abc123", "name": "clip.mp4", "kind": "video", "size": 1000}
    huge = {"id": "abc123", "name": "big.png", "kind": "image", "size": 3 * 1024 * 1024}

    assert messages(validate_answer(file_question(1), [video])) == [
        "The selected file must be a photo"
    ]
    assert messages(validate_answer(file_question(1), [huge], "cy")) == [
        "Rhaid i’r ffeil a ddewiswyd fod yn llai na 2MB"
    ]


def test_a_question_that_takes_several_files_names_the_refused_one_by_its_cleaned_name():
    video = {"id": "abc123", "name": "  clip\x07  one.mp4 ", "kind": "video", "size": 1000}
    huge = {"id": "abc123", "name": "big.png", "kind": "image", "size": 3 * 1024 * 1024}

    refused = validate_answer(file_question(3), [video])
    assert messages(refused) == ["The file ‘clip one.mp4’ must be a photo"]
    assert [error.code for error in refused.errors] == ["file_type"]
    refused = validate_answer(file_question(3), [huge], "cy")
    assert messages(refused) == ["Rhaid i’r ffeil ‘big.png’ fod yn llai na 2MB"]
    assert [error.code for error in refused.errors] == ["file_size"]


def test_welsh_contractions_never_rewrite_a_refused_file_name():
    video = {"id": "abc123", "name": "Llythyr i eich cymydog i y cyngor.mp4", "kind": "video"}

    refused = validate_answer(file_question(3), [{**video, "size": 10}], "cy")

    assert messages(refused) == [
        "Rhaid i’r ffeil ‘Llythyr i eich cymydog i y cyngor.mp4’ fod yn llun"
    ]


def test_an_authors_own_file_messages_win_over_the_named_ones():
    own = {
        "file_type": Text.of({"en": "Choose a photo", "cy": "Dewiswch lun"}),
        "file_size": Text.of("Choose a smaller photo"),
    }
    question = file_question(3, messages=own)
    video = {"id": "abc123", "name": "clip.mp4", "kind": "video", "size": 1000}
    huge = {"id": "abc123", "name": "big.png", "kind": "image", "size": 3 * 1024 * 1024}

    assert messages(validate_answer(question, [video])) == ["Choose a photo"]
    assert messages(validate_answer(question, [video], "cy")) == ["Dewiswch lun"]
    assert messages(validate_answer(question, [huge])) == ["Choose a smaller photo"]


def test_a_fixed_hidden_value_cannot_be_tampered_with(form):
    assert answer(form, "channel_code", "evil").value == "web"


def test_a_bad_prefilled_hidden_value_is_dropped(form):
    assert answer(form, "campaign", "posters").value == "posters"
    result = answer(form, "campaign", "<script>")
    assert result.ok and result.value is None


def test_a_content_block_has_no_answer(form):
    content = form.page("hidden").fields[-1]
    assert validate_answer(content, "anything").value is None


# Welsh ------------------------------------------------------------------------------


def test_messages_are_given_in_welsh(form):
    assert messages(answer(form, "full_name", "", "cy")) == ["Rhowch eich enw llawn"]
    assert messages(answer(form, "full_name", "a" * 101, "cy")) == [
        "Rhaid i’ch enw llawn fod yn 100 nod neu lai"
    ]
    assert messages(answer(form, "birth_date", "2030-01-01", "cy")) == [
        "Rhaid i ddyddiad geni fod yn y gorffennol"
    ]
    assert messages(answer(form, "incident_date", "2024-01-01", "cy")) == [
        "Rhaid i’r dyddiad fod ar 30 Mehefin 2024 neu ar ôl hynny"
    ]
    assert messages(answer(form, "agree", None, "cy")) == ["Dewiswch ‘Ie’ neu ‘Na’"]
    assert messages(answer(form, "phone", "123", "cy")) == [
        "Rhowch rif ffôn, fel 020 7946 0000 neu +44 808 157 0192"
    ]


def test_custom_messages_are_given_in_welsh(form):
    assert messages(answer(form, "code", "abc12", "cy")) == [
        "Rhowch y cod fel 3 llythyren ac yna 2 rif, fel ABC12"
    ]


def test_welsh_file_kinds_are_mutated_after_yn_and_neu(form):
    good = {"id": "abc123", "name": "a.mp4", "kind": "video", "size": 10}
    assert messages(answer(form, "photos", [good], "cy")) == [
        "Rhaid i’r ffeil ‘a.mp4’ fod yn llun neu ddogfen"
    ]
