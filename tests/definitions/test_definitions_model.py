"""The in-memory form is immutable, its text localised, and answers display as plain text."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from forms_app.definitions import Text, display_answer, load_file

FORM = load_file(Path(__file__).parent / "data" / "every-field.yaml")


def test_text_falls_back_to_english_for_a_missing_language():
    text = Text.of({"en": "Hello", "cy": "Helo"})
    assert (text.get("cy"), text.get("en"), text.get("fr"), str(text)) == (
        "Helo",
        "Hello",
        "Hello",
        "Hello",
    )
    assert Text.of("Only English").get("cy") == "Only English"


def test_content_text_splits_into_paragraphs_and_bulleted_lists():
    text = Text.of("First line\ncontinues.\n\nIncludes:\n- noise\n- graffiti\n\nLast.")
    assert text.blocks() == [
        ("p", "First line continues."),
        ("p", "Includes:"),
        ("ul", ["noise", "graffiti"]),
        ("p", "Last."),
    ]


def test_the_model_cannot_be_changed():
    with pytest.raises(dataclasses.FrozenInstanceError):
        FORM.slug = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        FORM.raw["slug"] = "other"  # type: ignore[index]
    with pytest.raises(TypeError):
        FORM.field("colour").reveal["red"] = ()  # type: ignore[index]


def test_as_dict_gives_a_fresh_mutable_copy():
    copy = FORM.as_dict()
    copy["slug"] = "changed"
    copy["pages"][0]["id"] = "changed"
    assert FORM.slug == "every-field"
    assert FORM.as_dict()["pages"][0]["id"] == "texts"


def test_fields_and_pages_are_found_by_name_including_follow_ups():
    assert FORM.field("other_colour").type == "text"
    assert FORM.page_of("other_colour").id == "choices"
    with pytest.raises(KeyError):
        FORM.field("nothing")


def test_the_content_hash_is_the_sha256_of_the_file():
    import hashlib

    path = Path(__file__).parent / "data" / "every-field.yaml"
    assert FORM.content_hash == hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    ("name", "value", "lang", "lines"),
    [
        ("colour", "other", "cy", ["Arall"]),
        ("pets", ["cat", "dog"], "en", ["Cat", "Dog"]),
        ("agree", "yes", "cy", ["Ie"]),
        ("birth_date", "1990-02-03", "cy", ["3 Chwefror 1990"]),
        ("amount", 12.5, "en", ["£12.5"]),
        (
            "home",
            {"line1": "1 High St", "town": "Bala", "postcode": "LL23 7AA"},
            "en",
            ["1 High St", "Bala", "LL23 7AA"],
        ),
        (
            "someone",
            {"last_name": "Jones", "approximate_age": 40},
            "en",
            ["Last name: Jones", "Approximate age: 40"],
        ),
        (
            "photos",
            [{"id": "a1", "name": "door.jpg", "kind": "image", "size": 3}],
            "en",
            ["door.jpg"],
        ),
        ("story", "line one\nline two <b>", "en", ["line one", "line two <b>"]),
        ("plain_text", None, "en", []),
    ],
)
def test_answers_display_as_lines_of_plain_text(name, value, lang, lines):
    assert display_answer(FORM.field(name), value, lang) == lines
