"""Bad input gets a clear GOV.UK-style message, never a 500, and loses nothing already saved."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from forms_app.models import Submission
from forms_app.public.submissions import read_sealed
from tests.public.public_helpers import (
    PNG,
    Browser,
    asb_answers,
    kitchen_answers,
    reference_on,
    upload,
)


@pytest.fixture
def app_config(forms_dir: Path) -> dict[str, object]:
    # Many posts and reports from one address: the rate limits are tested elsewhere.
    return {
        "FORMS_DIR": forms_dir,
        "FORM_PAGE_LIMIT": "100000 per minute",
        "FORM_SUBMIT_LIMIT": "100000 per hour",
    }


SCRIPT = '<script>alert("x")</script><b onmouseover=alert(1)>bold</b>'


def test_31_february_is_not_a_real_date_and_other_answers_on_the_page_are_kept(browser: Browser):
    browser.walk(asb_answers(), stop_at="when")

    refused = browser.answer(
        "when",
        {
            "incident_date-day": "31",
            "incident_date-month": "2",
            "incident_date-year": "2024",
            "incident_time": "10pm",
            "still_happening": "yes",
        },
    )

    assert refused.status == 200
    assert refused.errors() == ["The date it last happened must be a real date"]
    assert refused.error_links() == ["#incident_date-day"]
    assert 'value="31"' in refused.html and 'value="10pm"' in refused.html
    assert "govuk-input--error" in refused.html
    assert refused.html.startswith("<!DOCTYPE html>")
    assert "<title>Error: " in refused.html


def test_an_error_loses_nothing_already_saved(browser: Browser):
    browser.walk(asb_answers(), stop_at="when")
    browser.answer("when", {"incident_date-day": "31", "incident_date-month": "2"})

    earlier = browser.get(browser.url("describe"))
    page = browser.walk(asb_answers())

    assert "Loud music and shouting every night." in earlier.html
    assert reference_on(page).startswith("ASB-")


def test_a_malformed_phone_number_gets_a_clear_message(browser: Browser):
    browser.walk(asb_answers(), stop_at="contact")

    refused = browser.answer("contact", {"contact_method": "phone", "contact_phone": "0123"})

    assert refused.errors() == ["Enter a telephone number, like 020 7946 0000 or +44 808 157 0192"]
    assert refused.error_links() == ["#contact_phone"]
    assert 'value="0123"' in refused.html


def test_a_number_the_phone_message_suggests_is_accepted(browser: Browser):
    browser.walk(asb_answers(), stop_at="contact")
    refused = browser.answer("contact", {"contact_method": "phone", "contact_phone": "0123"})
    examples = re.findall(r"\+?\d[\d ]*\d", refused.errors()[0])

    sent = [
        browser.answer("contact", {"contact_method": "phone", "contact_phone": example})
        for example in examples
    ]

    assert len(examples) == 2
    assert [visit.status for visit in sent] == [303, 303], examples


def test_a_malformed_postcode_gets_a_clear_message(browser: Browser):
    browser.walk(asb_answers(), stop_at="where")

    refused = browser.answer(
        "where",
        {
            "incident_location-description": "By the shop",
            "incident_location-postcode": "NOT A CODE",
        },
    )

    assert refused.errors() == ["Enter a full UK postcode"]
    assert refused.error_links() == ["#incident_location-postcode"]
    assert "By the shop" in refused.html


def test_a_100_kb_answer_is_refused_with_a_clear_message(browser: Browser):
    browser.walk(asb_answers(), stop_at="describe")

    refused = browser.answer("describe", {"what_happened": "word " * 20_000})

    assert refused.status == 200
    assert refused.errors() == ["Your description must be 5000 characters or less"]


def test_a_100_kb_string_in_a_short_field_is_refused(kitchen: Browser):
    kitchen.walk(kitchen_answers(), stop_at="text")

    refused = kitchen.answer("text", {"a_text": "x" * 100_000})

    assert refused.status == 200
    assert len(refused.errors()) == 1
    assert "100 characters or less" in refused.errors()[0]


def test_html_and_script_in_every_text_field_is_kept_as_text_and_shown_escaped(
    kitchen: Browser, store, app
):
    answers = kitchen_answers()
    answers["text"] = {"a_text": SCRIPT[:100]}
    answers["textarea"] = {"a_textarea": SCRIPT}
    answers["only-if-green"] = {"green_detail": SCRIPT}
    answers["address"] = {
        "an_address-line1": SCRIPT,
        "an_address-line2": SCRIPT,
        "an_address-town": SCRIPT,
        "an_address-postcode": "SW1A 1AA",
    }
    answers["location"] = {"a_location-description": SCRIPT}
    answers["person"] = {
        "a_person-first_name": SCRIPT[:100],
        "a_person-last_name": SCRIPT[:100],
        "a_person-description": SCRIPT,
    }
    answers["things/1"] = {"thing_name": SCRIPT}
    kitchen.walk(answers, stop_at="check-your-answers")

    check = kitchen.get(kitchen.url("check-your-answers")).html
    page = kitchen.get(kitchen.url("textarea")).html
    reference = reference_on(
        kitchen.answer("check-your-answers", {"declaration": "yes"}).follow(kitchen)
    )

    assert "<script>" not in check and "<b onmouseover" not in check
    assert check.count("&lt;script&gt;") >= 9
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page
    submission = store.scalar(select(Submission).where(Submission.reference == reference))
    with app.app_context():
        sent = read_sealed(submission.id, submission.sealed_answers)["answers"]
    assert sent["a_textarea"] == SCRIPT
    assert sent["an_address"]["line1"] == SCRIPT
    assert sent["things"] == [{"thing_name": SCRIPT}]


def test_a_tampered_option_is_refused(kitchen: Browser):
    kitchen.walk(kitchen_answers(), stop_at="postcode")

    radio = kitchen.answer("radios", {"a_radio": "purple"})
    boxes = kitchen.answer("checkboxes", {"some_checkboxes": ["red", "purple"]})
    exclusive = kitchen.answer("checkboxes", {"some_checkboxes": ["red", "none"]})
    select_box = kitchen.answer("select", {"a_select": "<script>"})

    assert radio.status == boxes.status == select_box.status == exclusive.status == 200
    assert radio.errors() == ["Select one of the options"]
    assert boxes.errors() == ["Select one of the options"]
    assert len(exclusive.errors()) == 1
    assert select_box.errors() == ["Select one of the options"]


def test_tampered_hidden_fields_change_nothing(kitchen: Browser, store, app):
    kitchen.get(kitchen.root + "?src=poster")
    kitchen.post(kitchen.root, {"tracking": "<not allowed>", "fixed_value": "tampered"})
    reference = reference_on(kitchen.walk({**kitchen_answers(), "": {}}))

    submission = store.scalar(select(Submission).where(Submission.reference == reference))
    with app.app_context():
        sent = read_sealed(submission.id, submission.sealed_answers)["answers"]
    assert sent["fixed_value"] == "web"
    assert "tracking" not in sent


def test_a_prefilled_value_from_the_link_is_kept(kitchen: Browser, store, app):
    first = kitchen.get(kitchen.root + "?src=poster")
    assert 'name="tracking" value="poster"' in first.html
    again = kitchen.post(kitchen.root + "?src=poster", {"tracking": "poster"}).follow(kitchen)
    back = kitchen.get(kitchen.root)
    reference = reference_on(kitchen.walk({**kitchen_answers(), "": {"tracking": "poster"}}))

    assert again.status == 200
    assert 'name="tracking" value="poster"' in back.html

    submission = store.scalar(select(Submission).where(Submission.reference == reference))
    with app.app_context():
        sent = read_sealed(submission.id, submission.sealed_answers)["answers"]
    assert sent["tracking"] == "poster"


def test_a_tampered_item_number_or_language_is_ignored(kitchen: Browser):
    kitchen.walk(kitchen_answers(), stop_at="things")

    far = kitchen.get(kitchen.url("things/99"))
    zero = kitchen.get(kitchen.url("things/0"))
    odd_language = kitchen.get(kitchen.url("text") + "?lang=xx")

    assert far.status == zero.status == 303
    assert odd_language.status == 200
    assert '<html lang="en"' in odd_language.html


def test_a_garbage_cookie_is_ignored(client):
    client.set_cookie("sf_draft_asb-report", "x" * 150 + "." + "%%%", path="/f/asb-report")

    assert client.get("/f/asb-report").status_code == 200
    assert client.get("/f/asb-report/danger").status_code in (200, 303)


FIELD_PAGES = [
    "stop",
    "text",
    "textarea",
    "number",
    "email",
    "phone",
    "date",
    "time",
    "radios",
    "checkboxes",
    "select",
    "postcode",
    "address",
    "location",
    "person",
    "things/1",
    "files",
    "",
]
NAMES = re.compile(r'name="([^"]+)"')

text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)
value = st.one_of(
    text,
    st.lists(text, max_size=4),
    st.sampled_from(["31", "-1", "1e309", "NaN", "0x10", "٣", "🙂", "\x00", "yes", "none", ""]),
    st.text(max_size=0).map(lambda _s: "y" * 20_000),
)


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_random_values_posted_to_every_field_type_never_cause_a_server_error(
    kitchen: Browser, data
):
    if not kitchen.get(kitchen.url("check-your-answers")).status == 200:
        kitchen.walk(kitchen_answers(), stop_at="check-your-answers")
    path = data.draw(st.sampled_from(FIELD_PAGES))
    page = kitchen.get(kitchen.url(path))
    names = sorted(set(NAMES.findall(page.html)) - {"csrf_token"}) + ["unexpected"]
    posted = data.draw(st.dictionaries(st.sampled_from(names), value, max_size=len(names)))

    response = kitchen.answer(path, posted)

    assert response.status in (200, 303), (path, posted, response.status)


# What a person (or a bot) can post besides the question pages: the report itself (declaration
# and honeypot), removing an item or a file, keeping the answers, and starting again.
OTHER_POSTS = [
    "check-your-answers",
    "things/{number}/remove",
    "files/remove-file/{upload}",
    "keep-alive",
    "start-again",
]
REMOVE_FILE = re.compile(r'/remove-file/([^"]+)"')
next_value = st.one_of(
    value,
    st.sampled_from(
        [
            "//evil.example/",
            "https://evil.example/",
            "/f/kitchen-sink//evil.example",
            "/f/kitchen-sink/\\evil.example",
            "/f/kitchen-sinkx",
            "/f/kitchen-sink/text",
            "/f/kitchen-sink",
        ]
    ),
)
# Anything but a slash, which would make it another address (rightly not found).
garbage_id = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="/"),
    min_size=1,
    max_size=40,
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_random_values_posted_to_check_your_answers_and_every_other_endpoint_never_cause_a_server_error(
    kitchen: Browser, data
):
    check = kitchen.get(kitchen.url("check-your-answers"))
    if check.status != 200:
        kitchen.walk(kitchen_answers(), stop_at="files")
    if check.status != 200 or "street.png" not in check.html:
        upload(kitchen, (PNG, "street.png"))
    path = data.draw(st.sampled_from(OTHER_POSTS))
    if "{number}" in path:
        path = path.format(number=data.draw(st.integers(min_value=0, max_value=3)))
    elif "{upload}" in path:
        stored = REMOVE_FILE.findall(kitchen.get(kitchen.url("files")).html)
        upload_id = data.draw(st.sampled_from(stored) | garbage_id if stored else garbage_id)
        path = path.format(upload=quote(upload_id, safe=""))
    shown = kitchen.get(kitchen.url(path)) if path not in ("keep-alive", "start-again") else None
    names = sorted(set(NAMES.findall(shown.html)) - {"csrf_token"}) if shown else []
    names = sorted({*names, "next", "unexpected"})
    posted = data.draw(
        st.fixed_dictionaries(
            {}, optional={name: next_value if name == "next" else value for name in names}
        )
    )
    accept = data.draw(st.sampled_from(["text/html", "application/json", "*/*"]))

    response = kitchen.answer(path, posted, headers={"Accept": accept})

    allowed = (200, 303, 410) if path == "keep-alive" else (200, 303)
    assert response.status in allowed, (path, posted, response.status)
    if response.location is not None:
        target = urlsplit(response.location)
        assert not target.scheme and not target.netloc, (path, posted, response.location)
        assert target.path == kitchen.root or target.path.startswith(kitchen.root + "/")
