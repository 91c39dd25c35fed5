"""Definition fields become WTForms fields that render GOV.UK Frontend macros."""

from __future__ import annotations

from pathlib import Path

import pytest
from werkzeug.datastructures import MultiDict

from forms_app import create_app
from forms_app.definitions import FIELD_TYPES, FieldError, load_text, validate_page
from forms_app.formkit import HANDLERS, page_form
from tests.conftest import _test_config

FORM = """\
slug: widgets
title: "Widgets"
reference_prefix: WID
channel: public
lists:
  colours:
    - {value: red, text: "Red", hint: "Like a postbox"}
    - {value: blue, text: "Blue"}
    - {value: none, text: "None of these", exclusive: true}
pages:
  - id: single
    title: "What is your name?"
    fields:
      - {name: full_name, type: text, label: "What is your name?", hint: "As on your bill", autocomplete: name}
  - id: several
    title: "About the incident"
    fields:
      - type: content
        style: warning
        text: "Take care <b>now</b>"
      - {name: when, type: date, label: "When was it?", required: true}
      - {name: phone, type: phone, label: "Phone"}
      - {name: story, type: textarea, label: "What happened?", max_words: 50}
      - {name: notes, type: textarea, label: "Notes"}
      - name: colour
        type: radios
        list: colours
        label: "Colour"
        reveal:
          red:
            - {name: red_detail, type: text, label: "Which red?"}
      - {name: colours, type: checkboxes, list: colours, label: "Colours"}
      - {name: pick, type: select, list: colours, label: "Pick"}
      - {name: place, type: location, label: "Where?", map: true}
      - {name: home, type: address, label: "Home"}
      - name: who
        type: person
        label: "Who?"
        parts: [first_name, date_of_birth, address, phone]
      - {name: count, type: number, label: "How many?", integer: true}
      - {name: email, type: email, label: "Email"}
      - {name: at, type: time, label: "Time"}
      - {name: code, type: postcode, label: "Postcode"}
      - {name: agree, type: yesno, label: "Agree?"}
      - {name: proof, type: file, label: "Proof", accept: [image], max_files: 2}
      - {name: secret, type: hidden, value: "x"}
      - {name: from_link, type: hidden, source: query, query_param: src}
"""


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory):
    root = Path(__file__).resolve().parents[2]
    config = _test_config(
        "sqlite://", tmp_path_factory.mktemp("instance"), FORMS_DIR=root / "form_definitions"
    )
    return create_app(config)


@pytest.fixture
def form():
    return load_text(FORM, "widgets.yaml", expected_slug="widgets")


def render(app, page, **kwargs) -> tuple[object, str]:
    with app.test_request_context():
        bound = page_form(page, kwargs.pop("lang", "en"), **kwargs)
        errors = kwargs.get("errors")
        if errors:
            bound.apply_errors(errors)
        return bound, "".join(str(field()) for field in bound.top)


def test_every_field_type_has_a_handler():
    assert set(HANDLERS) == set(FIELD_TYPES)


def test_a_single_question_is_the_page_heading_with_its_hint_and_autocomplete(app, form):
    bound, html = render(app, form.page("single"))

    assert bound.heading_field is bound["full_name"]
    assert '<h1 class="govuk-label-wrapper">' in html
    assert 'class="govuk-label govuk-label--l" for="full_name"' in html
    assert 'id="full_name-hint"' in html and "As on your bill" in html
    assert 'autocomplete="name"' in html


def test_several_questions_each_get_a_label_and_the_page_keeps_its_own_heading(app, form):
    bound, html = render(app, form.page("several"))

    assert bound.heading_field is None
    assert "<h1" not in html
    assert 'class="govuk-fieldset__legend govuk-fieldset__legend--m"' in html


def test_content_is_plain_text_shown_escaped(app, form):
    _bound, html = render(app, form.page("several"))

    assert "govuk-warning-text" in html
    assert "Take care &lt;b&gt;now&lt;/b&gt;" in html


def test_a_revealed_follow_up_is_rendered_inside_its_option(app, form):
    _bound, html = render(app, form.page("several"))

    conditional = html.split('id="conditional-colour"')[1].split("</div>")[0]
    assert 'name="red_detail"' in conditional
    assert 'data-aria-controls="conditional-colour"' in html
    assert "Like a postbox" in html


def test_an_exclusive_option_has_a_divider_and_clears_the_others(app, form):
    _bound, html = render(app, form.page("several"))

    checkboxes = html.split('name="colours"')[0].rsplit('<div class="govuk-form-group', 1)[1] + html
    assert '<div class="govuk-checkboxes__divider">or</div>' in checkboxes
    assert 'data-behaviour="exclusive"' in html


def test_a_select_starts_with_an_empty_choice(app, form):
    _bound, html = render(app, form.page("several"))

    select = html.split('<select class="govuk-select" id="pick" name="pick"')[1].split("</select>")[
        0
    ]
    assert '<option value="" selected>Select an option</option>' in select
    assert '<option value="red">Red</option>' in select


def test_a_limited_text_area_is_a_character_count(app, form):
    _bound, html = render(app, form.page("several"))

    assert 'data-module="govuk-character-count"' in html
    assert 'data-maxwords="50"' in html
    assert 'name="notes"' in html


def test_compound_parts_are_named_under_their_question(app, form):
    _bound, html = render(app, form.page("several"))

    for name in (
        "when-day",
        "when-month",
        "when-year",
        "place-description",
        "place-postcode",
        "place-latitude",
        "home-line1",
        "home-postcode",
        "who-first_name",
        "who-date_of_birth-day",
        "who-address-line1",
        "who-phone",
    ):
        assert f'name="{name}"' in html, name
    assert 'data-module="sf-position" hidden' in html


def test_a_fixed_hidden_value_is_never_sent_to_the_browser(app, form):
    _bound, html = render(app, form.page("several"), answers={"from_link": "poster"})

    assert 'name="secret"' not in html
    assert '<input type="hidden" name="from_link" value="poster">' in html


def test_stored_answers_fill_the_inputs_back_in(app, form):
    answers = {
        "when": "2024-03-07",
        "phone": "+447911123456",
        "colour": "red",
        "red_detail": "Scarlet",
        "colours": ["blue"],
        "who": {"first_name": "Pat", "date_of_birth": "1990-01-02", "address": {"line1": "1 Road"}},
        "proof": [{"id": "abc", "name": "street.png", "kind": "image", "size": 2048}],
    }

    _bound, html = render(app, form.page("several"), answers=answers)

    assert 'id="when-day" name="when-day" type="text" value="7"' in html
    assert 'value="07911 123456"' in html
    assert 'value="red" checked' in html
    assert 'value="Scarlet"' in html
    assert 'value="blue" checked' in html
    assert 'name="who-date_of_birth-year" type="text" value="1990"' in html
    assert 'value="1 Road"' in html
    assert "street.png" in html


def test_posted_inputs_are_read_back_as_the_answer_validator_expects(app, form):
    posted = MultiDict(
        [
            ("when-day", "7"),
            ("when-month", "3"),
            ("when-year", "2024"),
            ("colour", "red"),
            ("red_detail", "Scarlet"),
            ("colours", "red"),
            ("colours", "blue"),
            ("who-first_name", "Pat"),
            ("who-date_of_birth-day", "2"),
            ("who-date_of_birth-month", "1"),
            ("who-date_of_birth-year", "1990"),
            ("who-address-line1", "1 Road"),
            ("who-address-town", "Northdale"),
            ("home-line1", "2 Street"),
            ("home-town", "Northdale"),
            ("home-postcode", "sw1a1aa"),
        ]
    )

    bound, _html = render(app, form.page("several"), formdata=posted)
    result = validate_page(form, form.page("several"), bound.raw_answers(), {})

    assert result.ok, result.errors
    assert result.values["when"] == "2024-03-07"
    assert result.values["colours"] == ["red", "blue"]
    assert result.values["red_detail"] == "Scarlet"
    assert result.values["who"] == {
        "first_name": "Pat",
        "date_of_birth": "1990-01-02",
        "address": {"line1": "1 Road", "town": "Northdale"},
    }
    assert result.values["home"] == {
        "line1": "2 Street",
        "town": "Northdale",
        "postcode": "SW1A 1AA",
    }


def test_errors_show_beside_their_input_and_link_to_the_part_that_is_wrong(app, form):
    errors = [
        FieldError("when", "When was it must be a real date", "invalid", "month"),
        FieldError("home", "Enter town or city", "required", "town"),
        FieldError("who", "Enter a real date of birth", "invalid", "year"),
        FieldError("colour", "Select colour", "required"),
    ]

    with app.test_request_context():
        bound = page_form(form.page("several"), "en")
        links = bound.apply_errors(errors)
        html = "".join(str(field()) for field in bound.top)

    assert [link.href for link in links] == [
        "#when-month",
        "#colour",
        "#home-town",
        "#who-date_of_birth-year",
    ]
    assert (
        'class="govuk-input govuk-date-input__input govuk-input--width-2 govuk-input--error" id="when-month"'
        in html
    )
    assert 'class="govuk-input govuk-date-input__input govuk-input--width-2" id="when-day"' in html
    assert '<span class="govuk-visually-hidden">Error:</span> Enter town or city' in html
    assert "govuk-form-group--error" in html


def test_welsh_words_are_used_for_a_welsh_page(app):
    single = load_text(
        'slug: w\ntitle: {en: "W", cy: "W"}\nreference_prefix: WW\nchannel: public\n'
        "languages: [en, cy]\npages:\n  - id: p\n    title: {en: P, cy: P}\n    fields:\n"
        "      - {name: d, type: date, label: {en: When, cy: Pryd}}\n",
        "w.yaml",
    )

    _bound, html = render(app, single.page("p"), lang="cy")

    assert "Pryd" in html
    assert "Diwrnod" in html and "Mis" in html and "Blwyddyn" in html
