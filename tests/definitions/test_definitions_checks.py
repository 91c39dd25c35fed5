"""A definition with a mistake is refused with the file, the line and what is wrong."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from forms_app.definitions import (
    RESERVED_PAGE_IDS,
    DefinitionError,
    check_file,
    load_all,
    load_text,
)
from forms_app.definitions.registry import MAX_FILE_BYTES
from tests.definitions.conftest import BASE, yaml_text


def test_the_sample_form_is_valid(check, extend):
    assert check(extend()) == []


def test_text_that_is_not_yaml_is_refused_with_its_line(check, extend):
    text = extend(
        """\
          - id: second
            title: [unclosed
        """
    )
    problems = check(text)
    assert len(problems) == 1
    line, message = problems[0]
    assert message.startswith("not valid YAML")
    assert line in (16, 17)


def test_a_problem_reads_file_colon_line_colon_message(tmp_path: Path, base):
    path = tmp_path / "sample.yaml"
    path.write_text(base.replace("channel: public", "channel: carrier-pigeon"), encoding="utf-8")
    _form, problems = check_file(path)
    assert [str(p) for p in problems] == [
        f"{path}:4: `carrier-pigeon` is not one of: public, referral, portal"
    ]


def test_a_key_written_twice_is_refused_rather_than_silently_overwritten(check, base):
    text = base.replace("title: Sample form\n", "title: Sample form\ntitle: Other\n")
    assert check(text) == [(3, "`title` appears twice in the same mapping (first on line 2)")]


# The sample form with its question named by an anchor, and merged into a second page's.
MERGED = yaml_text(
    """\
    - id: second
      title: Second
      fields:
        - <<: *colour
          name: colour_two
          label: Another colour
    """,
    base=BASE.replace("      - name: colour\n", "      - &colour\n        name: colour\n"),
)


def test_a_key_written_over_a_merged_one_replaces_it_as_yaml_says(check, tmp_path):
    assert check(MERGED) == []
    path = tmp_path / "sample.yaml"
    path.write_text(MERGED, encoding="utf-8")
    form, _problems = check_file(path)
    assert form is not None
    assert form.field("colour_two").label.get("en") == "Another colour"
    assert [option.value for option in form.field("colour_two").options] == ["red", "blue"]


def test_a_key_written_twice_beside_a_merge_is_still_refused(check):
    text = MERGED.replace(
        "        label: Another colour\n", "        label: Another colour\n        label: Again\n"
    )
    assert check(text) == [(22, "`label` appears twice in the same mapping (first on line 21)")]


def test_python_tags_are_refused_so_no_code_can_run(check, base):
    text = base.replace("title: Sample form", "title: !!python/object/apply:os.system [id]")
    [(line, message)] = check(text)
    assert line == 2
    assert "not valid YAML" in message


def test_an_alias_bomb_is_refused_without_exhausting_memory(check):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for index, name in enumerate("bcdefgh"):
        previous = "abcdefgh"[index]
        bomb += f"{name}: &{name} [*{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}]\n"
    [(_line, message)] = check(bomb)
    assert "too large" in message


def test_an_empty_file_is_refused(check):
    assert check("") == [
        (1, "a form definition is a mapping of keys such as slug, title and pages")
    ]


def test_a_missing_required_key_names_it(check, base):
    text = base.replace("reference_prefix: SMP\n", "")
    assert check(text) == [(1, "`reference_prefix` is missing")]


def test_an_unknown_key_is_named_with_a_suggestion(check, base):
    text = base.replace("      - name: colour\n", "      - name: colour\n        lable: Colour\n")
    assert check(text) == [(10, "unknown key `lable` (did you mean `label`?)")]


def test_a_setting_of_another_field_type_is_named_as_not_applying(check, base):
    text = base.replace(
        "        label: Favourite colour\n",
        "        label: Favourite colour\n        max_words: 5\n",
    )
    assert check(text) == [(12, "`max_words` does not apply to a radios field")]


def test_an_unknown_field_type_is_refused(check, base):
    text = base.replace("type: radios", "type: slider")
    [(line, message)] = check(text)
    assert line == 10
    assert message.startswith("`slider` is not one of: text, textarea")


def test_a_bad_reference_prefix_is_explained(check, base):
    text = base.replace("reference_prefix: SMP", "reference_prefix: smp1")
    assert check(text) == [(3, "a reference prefix is 2 to 6 capital letters, like ASB")]


@pytest.mark.parametrize(
    ("line", "written"),
    [
        (3, 'reference_prefix: "SMP\\n"'),
        (1, 'slug: "sample\\n"'),
        (9, 'name: "colour\\n"'),
    ],
)
def test_a_value_with_a_line_break_after_it_is_refused(check, base, line, written):
    """Python's `$` matches before a final line break; a pattern must match the whole value."""
    key = written.split(":")[0]
    original = {"reference_prefix": "reference_prefix: SMP", "slug": "slug: sample"}.get(
        key, "name: colour"
    )
    problems = check(base.replace(original, written, 1))
    assert problems and all(found_line == line for found_line, _message in problems), problems


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf"])
def test_a_number_that_is_not_finite_is_refused(check, extend, value):
    text = extend(
        f"""\
        - id: second
          title: Second
          fields:
            - name: age
              type: number
              label: Age
              min: {value}
        """
    )
    [(line, message)] = check(text)
    assert line == 21
    assert message.startswith("must be a number")


def test_the_slug_must_match_the_file_name(check, extend):
    assert check(extend(), name="other.yaml") == [
        (1, "the slug `sample` must match the file name `other.yaml`")
    ]


def test_a_file_not_ending_in_yaml_is_refused(check, extend):
    [(_line, message)] = check(extend(), name="sample.yml")
    assert message == "form definitions are files ending in .yaml"


def test_a_duplicate_page_id_is_refused(check, extend):
    text = extend(
        """\
          - id: first
            title: Again
            fields:
              - {name: other, type: text, label: Other}
        """
    )
    assert check(text) == [(15, "page id `first` is used twice (first by page 1)")]


@pytest.mark.parametrize(
    "page_id", ["check-your-answers", "confirmation", "keep-alive", "start-again"]
)
def test_a_page_id_taken_by_the_forms_own_pages_is_refused(report, extend, page_id):
    text = extend(
        f"""\
          - id: {page_id}
            title: Second
            fields:
              - {{name: other, type: text, label: Other}}
        """
    )
    assert report(text) == [
        f"sample.yaml:15: page id `{page_id}` is the address of the form's own page "
        f"/f/sample/{page_id}, so this page could never be opened: choose another id"
    ]


def test_every_fixed_address_under_a_form_is_refused_as_a_page_id():
    # A fixed route added to the public site without adding it here would silently hide
    # any page of that id.
    from flask import Flask

    from forms_app.public.routes import bp

    app = Flask(__name__)
    app.register_blueprint(bp)
    fixed = {
        rule.rule.removeprefix("/f/<slug>/")
        for rule in app.url_map.iter_rules()
        if re.fullmatch(r"/f/<slug>/[^/<>]+", rule.rule)
    }
    assert fixed == RESERVED_PAGE_IDS


def test_a_duplicate_field_name_is_refused_even_on_another_page(check, extend):
    text = extend(
        """\
          - id: second
            title: Second
            fields:
              - {name: colour, type: text, label: Colour again}
        """
    )
    assert check(text) == [(18, "field name `colour` is used twice (first on page `first`)")]


def test_a_revealed_field_name_must_be_unique_too(check, extend):
    text = extend(
        """\
          - id: second
            title: Second
            fields:
              - name: size
                type: yesno
                label: Big?
                reveal:
                  "yes":
                    - {name: colour, type: text, label: Which colour}
        """
    )
    assert check(text) == [(23, "field name `colour` is used twice (first on page `first`)")]


def test_a_condition_naming_a_missing_field_is_refused_with_a_suggestion(check, extend):
    text = extend(
        """\
          - id: second
            title: Second
            condition: {field: colur, equals: red}
            fields:
              - {name: other, type: text, label: Other}
        """
    )
    assert check(text) == [
        (
            17,
            "the condition refers to `colur`, which is not a field of this form (did you mean `colour`?)",
        )
    ]


def test_a_condition_naming_an_unknown_option_is_refused(check, extend):
    text = extend(
        """\
          - id: second
            title: Second
            condition: {field: colour, equals: green}
            fields:
              - {name: other, type: text, label: Other}
        """
    )
    assert check(text) == [(17, "`green` is not an option of `colour` (red, blue)")]


def test_an_unknown_option_inside_a_nested_condition_is_found(check, extend):
    text = extend(
        """\
          - id: second
            title: Second
            condition:
              any:
                - {field: colour, equals: red}
                - not:
                    field: colour
                    in: [blue, purple]
            fields:
              - {name: other, type: text, label: Other}
        """
    )
    assert check(text) == [(22, "`purple` is not an option of `colour` (red, blue)")]


def test_a_condition_cannot_look_forward_to_a_later_page(check, extend):
    text = extend(
        """\
          - id: second
            title: Second
            condition: {field: later, answered: true}
            fields:
              - {name: other, type: text, label: Other}
          - id: third
            title: Third
            fields:
              - {name: later, type: text, label: Later}
        """
    )
    assert check(text) == [
        (17, "the condition refers to `later`, which is not asked before this page")
    ]


def test_an_operator_must_suit_the_field_type(check, extend):
    text = extend(
        """\
          - id: second
            title: Second
            condition: {field: colour, before: today}
            fields:
              - {name: other, type: text, label: Other}
        """
    )
    assert check(text) == [(17, "`before` cannot test a radios field")]


def test_equals_on_checkboxes_points_to_contains(check, extend):
    text = extend(
        """\
          - id: second
            title: Second
            fields:
              - name: pets
                type: checkboxes
                label: Pets
                options:
                  - {value: cat, text: Cat}
          - id: third
            title: Third
            condition: {field: pets, equals: cat}
            fields:
              - {name: other, type: text, label: Other}
        """
    )
    assert check(text) == [
        (25, "`equals` cannot test a checkboxes field (use `contains` for checkboxes)")
    ]


def test_a_condition_needs_exactly_one_test(check, extend):
    text = extend(
        """\
          - id: second
            title: Second
            condition: {field: colour, equals: red, not_equals: blue}
            fields:
              - {name: other, type: text, label: Other}
        """
    )
    [(line, message)] = check(text)
    assert line == 17
    assert message.startswith("a condition names one `field` and one test")


def test_an_unquoted_yes_gets_a_hint_about_yaml_booleans(check, extend):
    text = extend(
        """\
          - id: second
            title: Second
            fields:
              - {name: ok, type: yesno, label: Agreed}
          - id: third
            title: Third
            condition: {field: ok, equals: yes}
            fields:
              - {name: other, type: text, label: Other}
        """
    )
    [(line, message)] = check(text)
    assert line == 21
    assert 'write "yes" in quotes' in message


def test_a_date_in_a_condition_must_be_real(check, extend):
    text = extend(
        """\
          - id: second
            title: Second
            fields:
              - {name: when, type: date, label: When}
          - id: third
            title: Third
            condition: {field: when, before: 2025-02-30}
            fields:
              - {name: other, type: text, label: Other}
        """
    )
    assert check(text) == [(21, "`2025-02-30` is not a real date")]


@pytest.mark.parametrize(
    ("test", "message"),
    [
        (
            "equals: banana",
            "`banana` is not a date: `when` is compared with a date such as 2025-06-30",
        ),
        ('not_equals: "30 June"', "`30 June` is not a date"),
        ('in: ["2025-06-30", "2025-02-30"]', "`2025-02-30` is not a date"),
    ],
)
def test_a_date_compared_for_equality_must_be_a_real_date(check, extend, test, message):
    text = extend(
        f"""\
          - id: second
            title: Second
            fields:
              - {{name: when, type: date, label: When}}
          - id: third
            title: Third
            condition: {{field: when, {test}}}
            fields:
              - {{name: other, type: text, label: Other}}
        """
    )
    [(line, found)] = check(text)
    assert line == 21
    assert found.startswith(message)


def test_a_date_written_in_quotes_is_a_date_a_condition_can_equal(check, extend):
    text = extend(
        """\
          - id: second
            title: Second
            fields:
              - {name: when, type: date, label: When}
          - id: third
            title: Third
            condition: {field: when, equals: "2025-06-30"}
            fields:
              - {name: other, type: text, label: Other}
        """
    )
    assert check(text) == []


def test_a_list_that_does_not_exist_is_refused(check, extend):
    text = extend(
        """\
          - id: second
            title: Second
            fields:
              - {name: often, type: radios, label: How often, list: frequency}
        """
    )
    assert check(text) == [(18, "there is no list `frequency`")]


def test_a_choice_field_needs_a_list_or_options(check, extend):
    text = extend(
        """\
          - id: second
            title: Second
            fields:
              - {name: often, type: radios, label: How often}
        """
    )
    assert check(text) == [
        (18, "a radios field needs either `list` or `options`, not both or neither")
    ]


def test_an_option_value_used_twice_is_refused(check, base):
    text = base.replace("{value: blue, text: Blue}", "{value: red, text: Crimson}")
    assert check(text) == [(14, "option value `red` is used twice")]


def test_a_reveal_for_an_option_that_does_not_exist_is_refused(check, base):
    text = (
        base
        + "        reveal:\n          green:\n            - {name: shade, type: text, label: Shade}\n"
    )
    assert check(text) == [(16, "`green` is not an option of `colour`")]


def test_a_revealed_question_cannot_be_an_upload(check, base):
    text = (
        base
        + "        reveal:\n          red:\n            - {name: photo, type: file, label: Photo}\n"
    )
    assert check(text) == [(17, "a file field cannot be revealed by an option")]


def test_repeat_min_above_max_is_refused(check, extend):
    text = extend(
        """\
          - id: people
            title: People
            repeat: {min: 3, max: 2}
            fields:
              - {name: person_name, type: text, label: Name}
        """
    )
    assert check(text) == [(17, "repeat min (3) is more than max (2)")]


def test_a_condition_cannot_use_a_field_from_a_repeating_page(check, extend):
    text = extend(
        """\
          - id: people
            title: People
            repeat: {min: 0, max: 2}
            fields:
              - {name: person_name, type: text, label: Name}
          - id: third
            title: Third
            condition: {field: person_name, answered: true}
            fields:
              - {name: other, type: text, label: Other}
        """
    )
    [(line, message)] = check(text)
    assert line == 22
    assert "repeating page" in message


def test_an_exit_page_needs_a_condition_and_asks_no_questions(check, extend):
    text = extend(
        """\
          - id: stop
            title: Stop
            exit: true
            fields:
              - {name: other, type: text, label: Other}
        """
    )
    assert check(text) == [
        (17, "an exit page ends the form: it can show content but ask no questions"),
        (17, "an exit page needs a condition, or nobody could finish the form"),
    ]


def test_a_missing_welsh_translation_is_refused(check, base, extend):
    text = extend(
        """\
          - id: second
            title: {en: Second, cy: Ail}
            fields:
              - name: other
                type: text
                label: {en: Other, cy: Arall}
                hint: {en: "Only in English"}
        """,
        base=base.replace("channel: public\n", "channel: public\nlanguages: [en, cy]\n")
        .replace("title: Sample form", "title: {en: Sample form, cy: Ffurflen sampl}")
        .replace("title: First", "title: {en: First, cy: Cyntaf}")
        .replace("label: Favourite colour", "label: {en: Favourite colour, cy: Hoff liw}")
        .replace("text: Red}", "text: {en: Red, cy: Coch}}")
        .replace("text: Blue}", "text: {en: Blue, cy: Glas}}"),
    )
    assert check(text) == [(22, "the Welsh (cy) text is missing")]


def test_a_plain_string_in_a_bilingual_form_asks_for_every_language(check, base):
    text = base.replace("channel: public\n", "channel: public\nlanguages: [en, cy]\n")
    problems = check(text)
    assert (
        2,
        "give this text in every language of the form (en, cy), like {en: …, cy: …}",
    ) in problems
    assert len(problems) == 5  # title, page title, label and two options


def test_welsh_text_in_an_english_only_form_is_refused(check, base):
    text = base.replace("title: Sample form", "title: {en: Sample form, cy: Ffurflen sampl}")
    assert check(text) == [(2, "`cy` text is given but the form's languages are en")]


def test_a_page_in_an_undeclared_section_is_refused(check, base):
    text = base.replace("    title: First\n", "    title: First\n    section: intro\n")
    assert check(text) == [(8, "there is no section `intro`")]


def test_a_bad_pattern_is_refused(check, extend):
    text = extend(
        """\
          - id: second
            title: Second
            fields:
              - {name: code, type: text, label: Code, pattern: "[A-Z"}
        """
    )
    [(line, message)] = check(text)
    assert line == 18
    assert message.startswith("the pattern is not a valid regular expression")


@pytest.mark.parametrize("pattern", ["(a|aa)+", "^(\\\\d|\\\\d\\\\d)+$"])
def test_a_pattern_that_can_take_too_long_is_refused(check, extend, pattern):
    text = extend(
        f"""\
          - id: second
            title: Second
            fields:
              - {{name: code, type: text, label: Code, pattern: "{pattern}"}}
        """
    )
    [(line, message)] = check(text)
    assert line == 18
    assert message.startswith("the pattern can take too long to check some answers")


def test_an_unknown_autocomplete_value_is_refused(check, extend):
    text = extend(
        """\
          - id: second
            title: Second
            fields:
              - {name: full_name, type: text, label: Name, autocomplete: fullname}
        """
    )
    assert check(text) == [(18, "`fullname` is not an autocomplete value browsers know")]


def test_required_parts_must_be_asked(check, extend):
    text = extend(
        """\
          - id: second
            title: Second
            fields:
              - name: someone
                type: person
                label: Someone
                parts: [first_name]
                required_parts: [last_name]
        """
    )
    assert check(text) == [(22, "`last_name` is required but not one of the parts asked")]


def test_a_details_block_needs_a_summary(check, extend):
    text = extend(
        """\
          - id: second
            title: Second
            fields:
              - {type: content, style: details, text: More}
        """
    )
    assert check(text) == [
        (18, "a details block needs a `summary` (the line the user clicks to open it)")
    ]


def test_a_field_name_cannot_shadow_a_repeating_page(check, extend):
    text = extend(
        """\
          - id: people
            title: People
            repeat: {min: 0, max: 2}
            fields:
              - {name: person_name, type: text, label: Name}
          - id: third
            title: Third
            fields:
              - {name: people, type: text, label: Clash}
        """
    )
    assert check(text) == [
        (
            23,
            "field name `people` is also a repeating page's id, where that page's answers are kept",
        )
    ]


def test_every_problem_in_a_file_is_reported_at_once(check, extend):
    text = extend(
        """\
          - id: second
            title: Second
            condition: {field: nothing, answered: true}
            fields:
              - {name: colour, type: text, label: Clash}
        """
    )
    assert [line for line, _ in check(text)] == [17, 19]


def test_scoring_problems_are_placed_on_the_lines_of_the_scoring_block(check, extend):
    text = extend(
        """\
        scoring:
          instrument: "Test"
          version: "1"
          score: total
          measures:
            total:
              - field: no_such_field
                points: {red: 1}
        """,
        indent=0,
    )
    problems = check(text)
    assert problems, "scoring.check_form must report the unknown field"
    assert all(line >= 15 for line, _ in problems)
    assert any(line == 21 and "no_such_field" in message for line, message in problems)


def test_load_all_raises_one_error_listing_every_bad_file(tmp_path: Path, base):
    (tmp_path / "sample.yaml").write_text(
        base.replace("channel: public", "channel: nowhere"), encoding="utf-8"
    )
    (tmp_path / "broken.yaml").write_text("slug: [", encoding="utf-8")
    with pytest.raises(DefinitionError) as raised:
        load_all(tmp_path)
    files = [Path(problem.file).name for problem in raised.value.problems]
    assert files == ["broken.yaml", "sample.yaml"]
    assert "2 problems in form definitions" in str(raised.value)


def test_load_all_returns_forms_by_slug_with_their_content_hash(tmp_path: Path, base):
    import hashlib

    (tmp_path / "sample.yaml").write_text(base, encoding="utf-8")
    forms = load_all(tmp_path)
    assert list(forms) == ["sample"]
    assert forms["sample"].content_hash == hashlib.sha256(base.encode()).hexdigest()
    assert forms["sample"].source_text == base


def test_load_all_reports_a_missing_folder(tmp_path: Path):
    with pytest.raises(DefinitionError, match="does not exist"):
        load_all(tmp_path / "nowhere")


def test_load_text_refuses_an_invalid_definition(base):
    with pytest.raises(DefinitionError, match="<text>:1: `reference_prefix` is missing"):
        load_text(base.replace("reference_prefix: SMP\n", ""))


# Rules on the file itself ----------------------------------------------------


def test_a_file_that_is_not_utf8_is_refused_at_the_line_of_the_bad_byte(report, base):
    source = base.replace("label: Favourite colour", "label: Hoff liw’r cwsmer").encode("cp1252")
    assert report(source) == ["sample.yaml:11: the file is not UTF-8 text"]


def test_a_file_larger_than_the_limit_is_refused(report, base):
    at_limit = base + "#" * (MAX_FILE_BYTES - len(base))
    assert report(at_limit) == []
    assert report(at_limit + "#") == ["sample.yaml:1: the file is larger than 1 MB"]


# Rules on fields ---------------------------------------------------------------


@pytest.mark.parametrize(
    "options",
    [
        '[{value: "yes", text: "Yes"}, {value: maybe, text: Maybe}]',
        '[{value: "yes", text: "Yes"}]',
        '[{value: "yes", text: "Yes"}, {value: "no", text: "No"}, {value: not_sure, text: "Not sure"}]',
        '[{value: "true", text: "Yes"}, {value: "false", text: "No"}]',
    ],
    ids=["yes and maybe", "only yes", "a third option", "true and false"],
)
def test_yesno_options_must_be_exactly_yes_and_no(report, extend, options):
    text = extend(
        f"""\
          - id: second
            title: Second
            fields:
              - name: safe
                type: yesno
                label: Are you safe?
                options: {options}
        """
    )
    assert report(text) == [
        "sample.yaml:21: a yesno field's options are exactly `yes` and `no`"
        " (give them only to change their text)"
    ]


@pytest.mark.parametrize(
    ("field_type", "expected"),
    [
        ("radios", ["sample.yaml:14: only checkboxes can have an exclusive option"]),
        ("select", ["sample.yaml:14: only checkboxes can have an exclusive option"]),
        ("checkboxes", []),
    ],
)
def test_only_checkboxes_can_have_an_exclusive_option(report, base, field_type, expected):
    text = base.replace("type: radios", f"type: {field_type}").replace(
        "{value: blue, text: Blue}", "{value: blue, text: Blue, exclusive: true}"
    )
    assert report(text) == expected


def test_a_revealed_question_cannot_reveal_more_questions(report, extend):
    text = extend(
        """\
          - id: second
            title: Second
            fields:
              - name: seen
                type: yesno
                label: Did you see it?
                reveal:
                  "yes":
                    - name: how_seen
                      type: radios
                      label: How?
                      options: [{value: window, text: From a window}]
                      reveal:
                        window:
                          - {name: which_window, type: text, label: "Which window?"}
        """
    )
    assert report(text) == ["sample.yaml:27: a revealed question cannot reveal more questions"]


def test_a_revealed_question_takes_no_condition(report, extend):
    text = extend(
        """\
          - id: second
            title: Second
            fields:
              - name: seen
                type: yesno
                label: Did you see it?
                reveal:
                  "yes":
                    - name: when_seen
                      type: text
                      label: When?
                      condition: {field: colour, equals: red}
        """
    )
    assert report(text) == [
        "sample.yaml:26: a revealed question is shown by its option, so it takes no condition"
    ]


def test_a_fixed_hidden_field_needs_a_value(report, extend):
    text = extend(
        """\
          - id: second
            title: Second
            fields:
              - {name: came_from, type: hidden, source: fixed}
        """
    )
    assert report(text) == ["sample.yaml:18: a fixed hidden field needs a `value`"]


@pytest.mark.parametrize(
    ("must_be", "window", "message"),
    [
        ("past", "max_days_in_future", "a date in the past cannot have a window in the future"),
        (
            "today_or_past",
            "max_days_in_future",
            "a date in the past cannot have a window in the future",
        ),
        ("future", "max_days_in_past", "a date in the future cannot have a window in the past"),
        (
            "today_or_future",
            "max_days_in_past",
            "a date in the future cannot have a window in the past",
        ),
    ],
)
def test_a_date_window_on_the_wrong_side_of_today_is_refused(
    report, extend, must_be, window, message
):
    text = extend(
        f"""\
          - id: second
            title: Second
            fields:
              - name: when
                type: date
                label: When?
                must_be: {must_be}
                {window}: 30
        """
    )
    assert report(text) == [f"sample.yaml:22: {message}"]


@pytest.mark.parametrize(
    ("field_type", "low", "high", "message"),
    [
        ("text", "min_length", "max_length", "min_length is more than max_length"),
        ("textarea", "min_length", "max_length", "min_length is more than max_length"),
        ("number", "min", "max", "min is more than max"),
    ],
)
def test_a_lower_limit_above_the_upper_limit_is_refused(
    report, extend, field_type, low, high, message
):
    text = extend(
        f"""\
          - id: second
            title: Second
            fields:
              - name: amount
                type: {field_type}
                label: Amount
                {low}: 10
                {high}: 5
        """
    )
    assert report(text) == [f"sample.yaml:21: {message}"]


@pytest.mark.parametrize("style", ["", "style: text, ", "style: inset, ", "style: warning, "])
def test_only_a_details_block_has_a_summary(report, extend, style):
    text = extend(
        f"""\
          - id: second
            title: Second
            fields:
              - {{type: content, {style}summary: Read more, text: More}}
        """
    )
    assert report(text) == ["sample.yaml:18: only a details block has a summary"]


# Rules on pages, sections and the whole form -----------------------------------


def test_an_exit_page_cannot_repeat(report, extend):
    text = extend(
        """\
          - id: stop
            title: Stop
            exit: true
            condition: {field: colour, equals: red}
            repeat: {min: 0, max: 2}
            fields:
              - {type: content, text: Stop here}
        """
    )
    assert report(text) == ["sample.yaml:17: an exit page cannot repeat"]


def test_a_section_defined_twice_is_refused(report, base):
    text = base.replace(
        "pages:\n",
        "sections:\n  - {id: intro, title: Intro}\n  - {id: intro, title: Again}\npages:\n",
    )
    assert report(text) == ["sample.yaml:7: section `intro` is defined twice"]


def test_a_form_that_asks_no_questions_is_refused(report, base):
    text = base[: base.index("      - name: colour")] + (
        "      - {type: content, text: Nothing to ask}\n"
    )
    assert report(text) == ["sample.yaml:5: the form asks no questions"]


# Found by fuzzing the loader: each raised an exception that reached the author as a
# traceback (and at start-up stopped the service without naming the file).
@pytest.mark.parametrize(
    ("change", "line", "expected"),
    [
        (("title: Sample form", "title: Sample\0form"), 2, "not valid YAML: the character U+0000"),
        (
            ("title: Sample form", "title: Sample\x1bform"),
            2,
            "not valid YAML: the character U+001B",
        ),
        (("title: Sample form", "title: !!int abc"), 2, "not valid YAML: the value"),
        (("title: Sample form", "title: !!bool abc"), 2, "not valid YAML: the value"),
        (("title: Sample form", "title: !!float abc"), 2, "not valid YAML: the value"),
        (("title: Sample form", "!foo title: x"), 2, "not valid YAML"),
        (("title: Sample form", "title: 1" + "0" * 4300), 2, "not valid YAML: the value"),
        (
            ("title: Sample form", "title: " + "[" * 600 + "]" * 600),
            1,
            "the file is nested too deeply",
        ),
    ],
)
def test_yaml_that_python_cannot_read_is_refused_with_its_line(check, base, change, line, expected):
    [(found_line, message)] = check(base.replace(*change))
    assert found_line == line
    assert message.startswith(expected)


@pytest.mark.parametrize(
    "block",
    [
        "routing: {default_team: a/b, areas: {x: 5}}",
        "routing: {default_team: a/b, people: [{role: victim, name: 5}]}",
        "routing: {default_team: a/b, people: [{role: victim, page: [x], person: y}]}",
        "scoring: {flags: [{flag: [x]}]}",
        "scoring: {measures: {m: [{sum: [[m]]}]}}",
        "scoring:\n  measures:\n"
        + "".join(f"    m{n}: [{{sum: [m{n + 1}]}}]\n" for n in range(1500))
        + "    m1500: [{count: [x]}]",
    ],
)
def test_a_block_of_an_unforeseen_shape_gets_a_message_not_a_traceback(check, base, block):
    problems = check(base + block + "\n")

    assert problems, "an invalid block must be refused"
    assert all(message for _line, message in problems)


@pytest.mark.parametrize("pattern", ["a{4294967295}", "(" * 1000 + "a" + ")" * 1000])
def test_a_pattern_too_large_to_compile_is_refused_on_its_line(check, extend, pattern):
    text = extend(
        f"""\
          - id: second
            title: Second
            fields:
              - {{name: code, type: text, label: Code, pattern: '{pattern}'}}
        """
    )
    [(_line, message)] = check(text)
    assert message == "the pattern is too large or nested too deeply"


@pytest.mark.parametrize("window", ["max_days_in_past", "max_days_in_future"])
def test_a_window_of_days_beyond_two_hundred_years_is_refused(check, extend, window):
    """A million days back is before year 1: every date answered would have been an error."""
    text = extend(
        f"""\
          - id: second
            title: Second
            fields:
              - {{name: when, type: date, label: When, {window}: 1000000}}
        """
    )
    [(_line, message)] = check(text)
    assert "73000" in message
