"""A person reports anti-social behaviour start to finish, and the journey's rules hold."""

from __future__ import annotations

import copy
import re

from sqlalchemy import select

from forms_app.definitions import FieldError
from forms_app.formkit import ErrorLink, page_form
from forms_app.models import Channel, FormVersion, Outbox, Submission
from forms_app.public.references import ALPHABET
from forms_app.public.submissions import read_sealed
from tests.public.public_helpers import (
    Browser,
    asb_answers,
    inline_errors,
    kitchen_answers,
    reference_on,
)


def test_a_person_can_report_asb_start_to_finish_and_get_a_reference(browser: Browser, store):
    page = browser.walk(asb_answers())

    reference = reference_on(page)
    assert "Report sent" in page.html
    assert re.fullmatch(rf"ASB-[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}", reference)
    submission = store.scalar(select(Submission).where(Submission.reference == reference))
    assert submission is not None
    assert submission.channel == Channel.PUBLIC


def test_a_submission_points_at_its_form_version_and_queues_processing_by_id_only(
    browser: Browser, store
):
    reference = reference_on(browser.walk(asb_answers()))

    submission = store.scalar(select(Submission).where(Submission.reference == reference))
    version = store.get(FormVersion, submission.form_version_id)
    assert version.slug == "asb-report"
    assert "Report anti-social behaviour" in version.source_yaml
    outbox = store.all(select(Outbox))
    assert [(row.kind, row.payload) for row in outbox] == [
        ("process_submission", {"submission_id": submission.id})
    ]


def test_the_stored_answers_are_sealed_not_readable(browser: Browser, store):
    reference = reference_on(browser.walk(asb_answers()))

    submission = store.scalar(select(Submission).where(Submission.reference == reference))
    assert b"Loud music" not in submission.sealed_answers
    assert b"Sam Smith" not in submission.sealed_answers


def test_pages_cannot_be_skipped_by_typing_their_address(browser: Browser):
    browser.answer("", {})

    skipped = browser.get(browser.url("describe"))

    assert skipped.status == 303
    assert skipped.location == browser.url("danger")


def test_a_page_cannot_be_posted_before_the_pages_it_depends_on(browser: Browser, store):
    browser.answer("", {})

    posted = browser.answer("sharing", {"consent_to_share": "yes"})

    assert posted.status == 303
    assert posted.location == browser.url("danger")
    assert browser.get(browser.url("check-your-answers")).location == browser.url("danger")


def test_the_report_cannot_be_sent_without_the_required_pages(browser: Browser, store):
    browser.answer("", {})
    browser.answer("danger", {"in_danger": "no"})

    sent = browser.answer("check-your-answers", {"declaration": "yes"})

    assert sent.status == 303
    assert sent.location == browser.url("your-role")
    assert store.all(select(Submission)) == []


def test_someone_in_danger_is_sent_to_the_call_999_page_and_cannot_send_a_report(
    browser: Browser, store
):
    browser.answer("", {})

    answered = browser.answer("danger", {"in_danger": "yes"})
    exit_page = browser.get(answered.location)

    assert answered.location == browser.url("call-999")
    assert "Call 999 now" in exit_page.html
    assert "<form" not in exit_page.html.split('id="main-content"')[1].split("</main>")[0]
    assert browser.get(browser.url("your-role")).location == browser.url("call-999")
    assert browser.answer("check-your-answers", {"declaration": "yes"}).location == browser.url(
        "call-999"
    )
    assert store.all(select(Submission)) == []


def test_the_back_link_goes_to_the_previous_page_on_the_route(browser: Browser):
    answers = asb_answers()
    browser.walk(answers, stop_at="your-household")

    page = browser.get(browser.url("your-household"))

    assert f'href="{browser.url("targeted")}"' in page.html
    assert "govuk-back-link" in page.html


def test_a_change_link_returns_to_check_your_answers(browser: Browser):
    browser.walk(asb_answers(), stop_at="check-your-answers")
    check = browser.get(browser.url("check-your-answers"))
    assert f'href="{browser.url("how-often")}?change=1"' in check.html

    changed = browser.post(browser.url("how-often") + "?change=1", {"how_often": "weekly"})

    assert changed.location == browser.url("check-your-answers")
    assert "About once a week or more" in browser.get(changed.location).html


def test_answers_on_pages_no_longer_on_the_route_are_not_sent(browser: Browser, store):
    browser.walk(asb_answers(), stop_at="check-your-answers")

    changed = browser.post(browser.url("your-role") + "?change=1", {"reporter_is_victim": "no"})
    # The route now asks who it is happening to instead of the victim's questions.
    assert changed.location == browser.url("who-is-affected")
    browser.answer("who-is-affected", {"affected_people": "My neighbour"})
    reference = reference_on(
        browser.answer("check-your-answers", {"declaration": "yes"}).follow(browser)
    )

    submission = store.scalar(select(Submission).where(Submission.reference == reference))
    answers = read_sealed(submission.id, submission.sealed_answers)["answers"]
    assert answers["affected_people"] == "My neighbour"
    for hidden in ("impact_health", "fear_level", "feel_safe_at_home", "lives_alone"):
        assert hidden not in answers


def test_check_your_answers_shows_every_answer_with_change_links(browser: Browser):
    browser.walk(asb_answers(), stop_at="check-your-answers")

    check = browser.get(browser.url("check-your-answers"))

    assert "Check your answers before sending your report" in check.html
    for text in ("Loud music and shouting every night.", "SW1A 1AA", "Person 1", "Jo", "Red van"):
        assert text in check.html
    assert check.html.count(">Change<") >= 20


def test_a_revealed_follow_up_is_required_only_when_its_option_is_chosen(kitchen: Browser):
    kitchen.walk(kitchen_answers(), stop_at="radios")

    missing = kitchen.answer("radios", {"a_radio": "red"})
    not_needed = kitchen.answer("radios", {"a_radio": "green", "red_detail": ""})

    assert missing.errors() == ["Enter which red it is"]
    assert missing.error_links() == ["#red_detail"]
    assert not_needed.status == 303


def test_a_conditional_page_appears_only_for_its_answer(kitchen: Browser):
    kitchen.walk(kitchen_answers(), stop_at="radios")

    green = kitchen.answer("radios", {"a_radio": "green"})
    red = kitchen.answer("radios", {"a_radio": "red", "red_detail": "Scarlet"})

    assert green.location == kitchen.url("only-if-green")
    assert red.location == kitchen.url("checkboxes")
    assert kitchen.get(kitchen.url("only-if-green")).status == 303


def test_add_another_needs_at_least_the_minimum(kitchen: Browser):
    kitchen.walk(kitchen_answers(), stop_at="things")

    first = kitchen.get(kitchen.url("things"))
    empty = kitchen.answer("things/1", {"thing_name": ""})

    assert first.location == kitchen.url("things/1")
    assert empty.errors() == ["Enter the name of the thing"]


def test_add_another_stops_at_the_maximum_and_items_can_be_removed(kitchen: Browser):
    kitchen.walk(kitchen_answers(), stop_at="things")
    kitchen.answer("things/1", {"thing_name": "Bicycle"})
    kitchen.answer("things", {"add_another": "yes"})
    kitchen.answer("things/2", {"thing_name": "Scooter"})

    summary = kitchen.get(kitchen.url("things"))
    third = kitchen.get(kitchen.url("things/3"))
    removed = kitchen.answer("things/1/remove", {"remove": "yes"})

    assert "You have added 2 things" in summary.html
    assert "You cannot add more than 2" in summary.html
    assert third.location == kitchen.url("things")
    assert removed.location == kitchen.url("things")
    after = kitchen.get(kitchen.url("things")).html
    assert "Scooter" in after and "Bicycle" not in after


def test_an_error_on_a_full_add_another_page_links_to_the_item_to_change(client):
    people = Browser(client, "full-items")
    people.answer("", {"saw_vehicles": "no"})
    people.answer("people/1", {"person_name": "Jo"})
    people.answer("", {"saw_vehicles": "yes"})

    full = people.answer("people", {})

    assert full.status == 200
    assert "You cannot add more than 1" in full.html
    assert full.errors() == ["Enter their vehicle"]
    assert full.error_links() == ["#item-1-change"]
    assert '<a class="govuk-link" href="/f/full-items/people/1" id="item-1-change">' in full.html
    assert full.inline_errors() == {"item-1-error": "Error: Enter their vehicle"}
    assert 'id="add_another' not in full.html


def test_an_empty_item_is_refused_with_its_message_at_the_first_question(client):
    witnesses = Browser(client, "optional-items")
    witnesses.answer("witnesses", {"add_another": "yes"})

    empty = witnesses.answer("witnesses/1", {})

    assert empty.status == 200
    assert empty.errors() == ["Enter at least one answer, or go back"]
    assert empty.error_links() == ["#witness-first_name"]
    assert re.search(r'<input\s[^>]*id="witness-first_name"', empty.html)
    assert empty.inline_errors() == {
        "witness-error": "Error: Enter at least one answer, or go back"
    }
    assert '<fieldset class="govuk-fieldset" aria-describedby="witness-error">' in empty.html
    assert "You have added" not in witnesses.get(witnesses.url("witnesses")).html


def test_an_error_about_no_question_on_the_page_is_shown_at_its_first_question(app):
    page = app.extensions["saferforms.forms"].forms["kitchen-sink"].page("date")

    with app.test_request_context():
        form = page_form(page, "en")
        links = form.apply_errors([FieldError("not_on_this_page", "Check the dates", "order")])
        html = form["a_date"]()

    assert links == [ErrorLink("Check the dates", "#a_date-day")]
    assert inline_errors(html) == {"a_date-error": "Error: Check the dates"}
    assert re.search(r'<input\s[^>]*id="a_date-day"', html)


def test_the_declaration_must_be_accepted(browser: Browser, store):
    browser.walk(asb_answers(), stop_at="check-your-answers")

    refused = browser.answer("check-your-answers", {})

    assert refused.status == 200
    assert refused.errors() == ["Confirm that you agree with the declaration"]
    assert refused.error_links() == ["#declaration"]
    assert store.all(select(Submission)) == []


def test_every_field_type_can_be_answered_and_sent(kitchen: Browser, store):
    page = kitchen.walk(kitchen_answers())

    assert reference_on(page).startswith("KS-")


def test_a_post_without_the_csrf_token_is_refused(client):
    response = client.post("/f/asb-report/danger", data={"in_danger": "no"})

    assert response.status_code == 400


def test_a_referral_form_is_not_served_as_a_public_form(client):
    assert client.get("/f/dash").status_code == 404
    assert client.get("/f/no-such-form").status_code == 404


def test_progress_kept_from_another_day_is_worked_out_again(browser: Browser, app):
    from forms_app.public.drafts import open_draft, save_draft

    browser.walk(asb_answers(), stop_at="category")
    cookie = browser.client.get_cookie("sf_draft_asb-report", path="/f/asb-report")
    with app.test_request_context(headers={"Cookie": f"sf_draft_asb-report={cookie.value}"}):
        from flask import request

        draft = open_draft(request, "asb-report")
        everything = [
            page.id for page in app.extensions["saferforms.forms"].forms["asb-report"].pages
        ]
        draft.state["progress"] = {"day": "2000-01-01", "route": everything, "blocked": None}
        save_draft(draft)

    skipped = browser.get(browser.url("sharing"))

    assert skipped.location == browser.url("category")


def test_the_start_page_lists_the_public_forms_only(client):
    html = client.get("/").get_data(as_text=True)

    assert 'href="/f/asb-report"' in html
    assert 'href="/f/kitchen-sink"' in html
    assert "/f/dash" not in html


def test_a_report_sent_twice_at_the_same_moment_is_stored_once(
    browser: Browser, store, monkeypatch
):
    """A double click: both requests opened the draft before either stored it. The one that
    deletes the draft first stores the report; the other stores nothing and shows the
    confirmation rather than an error."""
    from forms_app.public import routes

    real_store = routes.store_submission
    first: dict[str, str] = {}

    def other_click_wins(form, version_id, draft, answers):  # type: ignore[no-untyped-def]
        if not first:
            first["reference"] = real_store(
                form, version_id, copy.deepcopy(draft), answers
            ).reference
        return real_store(form, version_id, draft, answers)

    monkeypatch.setattr(routes, "store_submission", other_click_wins)
    browser.walk(asb_answers(), stop_at="check-your-answers")
    sent = browser.post(browser.url("check-your-answers"), {"declaration": "yes"})

    assert sent.status == 303
    assert sent.location is not None and sent.location.endswith("/confirmation")
    submissions = store.all(select(Submission))
    assert [s.reference for s in submissions] == [first["reference"]]
    assert [row.kind for row in store.all(select(Outbox))] == ["process_submission"]
