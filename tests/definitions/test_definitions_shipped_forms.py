"""Every shipped definition validates, and the public ASB form keeps its promises."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from forms_app.definitions import (
    FormDefinition,
    check_file,
    check_submission,
    clean_answers,
    load_file,
    route,
)
from forms_app.definitions.checks import _texts
from forms_app.definitions.model import thaw

ROOT = Path(__file__).resolve().parents[2]
FORMS = ROOT / "form_definitions"
TODAY = dt.date(2025, 6, 30)

# Names and values other code relies on: mostly the harm and vulnerability fields the ASB
# victim risk assessment scores (docs/scoring.md, "ASB victim risk assessment").
AGREED_FIELDS = {
    "asb_category": ("radios", ["personal", "nuisance", "environmental"]),
    "asb_types": (
        "checkboxes",
        [
            "noise",
            "verbal_abuse",
            "threats",
            "harassment",
            "intimidation",
            "violence",
            "vandalism",
            "drugs",
            "drinking",
            "vehicles",
            "litter_dumping",
            "animals",
            "other",
        ],
    ),
    "incident_date": ("date", None),
    "how_often": ("radios", ["once", "few_times", "weekly", "daily"]),
    "still_happening": ("yesno", ["yes", "no"]),
    "reporter_is_victim": ("yesno", ["yes", "no"]),
    "reported_before": ("radios", ["no", "once", "two_or_more", "not_sure"]),
    "impact_health": ("radios", ["none", "some", "significant", "severe"]),
    "fear_level": ("radios", ["not_afraid", "a_little", "very_afraid"]),
    "feel_safe_at_home": ("yesno", ["yes", "no"]),
    "disability_or_illness": ("yesno", ["yes", "no"]),
    "lives_alone": ("yesno", ["yes", "no"]),
    "targeted_identity": (
        "checkboxes",
        ["race", "religion", "sexual_orientation", "disability", "transgender", "other", "none"],
    ),
    "children_affected": ("radios", ["yes", "no", "no_children"]),
    "threats_of_violence": ("yesno", ["yes", "no"]),
    "report_anonymously": ("yesno", ["yes", "no"]),
}
CONTACT_FIELDS = {
    "contact_name",
    "contact_date_of_birth",
    "contact_address",
    "contact_method",
    "contact_email",
    "contact_phone",
    "contact_mobile",
    "safe_contact_times",
    "safe_to_leave_message",
    "safe_contact_notes",
    "consent_to_share",
    "contact_language",
}


@pytest.mark.parametrize("path", sorted(FORMS.glob("*.yaml")), ids=lambda path: path.name)
def test_every_shipped_definition_validates(path: Path):
    _form, problems = check_file(path)
    assert [str(problem) for problem in problems] == []


@pytest.fixture(scope="module")
def asb() -> FormDefinition:
    return load_file(FORMS / "asb-report.yaml")


def test_the_asb_form_is_public_with_the_asb_prefix_in_english_and_welsh(asb):
    assert (asb.slug, asb.channel, asb.reference_prefix, asb.languages) == (
        "asb-report",
        "public",
        "ASB",
        ("en", "cy"),
    )


def test_every_asb_text_is_given_in_english_and_welsh(asb):
    texts = list(_texts(thaw(asb.raw)))
    assert len(texts) > 200
    for path, text in texts:
        assert isinstance(text, dict) and set(text) == {"en", "cy"}, path
        assert text["en"].strip() and text["cy"].strip(), path
        assert (
            text["en"] != text["cy"] or text["en"] in {"Powys", "£"} or _untranslatable(text["en"])
        ), path


def _untranslatable(text: str) -> bool:
    return text.replace(" ", "").isdigit()


@pytest.mark.parametrize("name", sorted(AGREED_FIELDS))
def test_the_asb_form_uses_the_agreed_field_names_and_values(asb, name):
    field_type, values = AGREED_FIELDS[name]
    field = asb.field(name)
    assert field.type == field_type
    if values is not None:
        assert list(field.option_values()) == values


def test_none_of_these_is_exclusive_for_targeted_identity(asb):
    assert asb.field("targeted_identity").option("none").exclusive


def test_the_asb_form_starts_by_telling_people_in_danger_to_call_999(asb):
    first = asb.pages[0]
    warning = first.fields[0]
    assert warning.style == "warning"
    assert "call 999" in warning.text.get("en").lower()
    assert "ffoniwch 999" in warning.text.get("cy").lower()


def test_someone_in_danger_reaches_the_call_999_exit_page_and_cannot_submit(asb):
    pages = route(asb, {"in_danger": "yes"}, TODAY)
    assert [page.id for page in pages] == ["start", "danger", "call-999"]
    assert pages[-1].exit
    assert not check_submission(asb, {"in_danger": "yes"}, today=TODAY).ok


def full_report(**changes) -> dict:
    answers = {
        "in_danger": "no",
        "reporter_is_victim": "yes",
        "asb_category": "personal",
        "asb_types": ["noise", "threats", "other"],
        "asb_types_other": "Banging on the door at night",
        "threats_of_violence": "yes",
        "what_happened": "The people next door shout threats <b>every night</b>.",
        "incident_date": "2025-06-29",
        "incident_time": "23:15",
        "still_happening": "yes",
        "how_often": "daily",
        "incident_location": {"description": "Outside 3 Maple Close", "postcode": "CF10 1EP"},
        "reported_before": "two_or_more",
        "earlier_reports": "Council, May, ref 1234",
        "impact_health": "significant",
        "fear_level": "very_afraid",
        "feel_safe_at_home": "no",
        "targeted_identity": ["race"],
        "disability_or_illness": "yes",
        "lives_alone": "yes",
        "children_affected": "no_children",
        "people-responsible": [
            {
                "responsible_person": {"known_as": "Big Dave", "approximate_age": 40},
                "responsible_relationship": "neighbour",
            }
        ],
        "vehicles_involved": "yes",
        "vehicle_details": "Red van",
        "report_anonymously": "no",
        "contact_name": "Sam Jones",
        "contact_language": "cy",
        "contact_method": "phone",
        "contact_phone": "+447911123456",
        "safe_contact_times": ["evening"],
        "safe_to_leave_message": "no",
        "consent_to_share": "yes",
    }
    answers.update(changes)
    return answers


def test_a_full_victim_report_passes_every_check(asb):
    check = check_submission(asb, full_report(), today=TODAY)
    assert [(p.page_id, p.error.message) for p in check.problems] == []
    assert check.ok
    assert (
        check.answers["what_happened"] == "The people next door shout threats <b>every night</b>."
    )


def test_a_witness_is_not_asked_the_victim_impact_questions(asb):
    pages = [page.id for page in route(asb, full_report(reporter_is_victim="no"), TODAY)]
    assert "who-is-affected" in pages
    assert not {"health", "feeling-safe", "targeted", "your-household"} & set(pages)
    cleaned = clean_answers(asb, full_report(reporter_is_victim="no"), TODAY)
    assert "impact_health" not in cleaned and "lives_alone" not in cleaned


def test_an_anonymous_report_asks_no_contact_details_and_keeps_none(asb):
    answers = full_report(report_anonymously="yes")
    pages = [page.id for page in route(asb, answers, TODAY)]
    assert pages[-1] == "anonymous"
    check = check_submission(asb, answers, today=TODAY)
    assert check.ok
    assert not CONTACT_FIELDS & set(check.answers)


def test_a_named_report_needs_a_way_to_contact_the_reporter(asb):
    answers = full_report(contact_phone=None)
    check = check_submission(asb, answers, today=TODAY)
    assert [(p.page_id, p.error.field) for p in check.problems] == [("contact", "contact_phone")]


def test_earlier_reports_are_asked_about_only_when_there_were_some(asb):
    assert "earlier-reports" not in [
        p.id for p in route(asb, full_report(reported_before="no"), TODAY)
    ]
    assert "earlier-reports" in [
        p.id for p in route(asb, full_report(reported_before="once"), TODAY)
    ]


def test_no_one_responsible_is_allowed(asb):
    check = check_submission(asb, full_report(**{"people-responsible": []}), today=TODAY)
    assert check.ok


def test_the_welsh_form_reads_in_welsh(asb):
    check = check_submission(asb, full_report(incident_date="2099-01-01"), "cy", today=TODAY)
    assert [p.error.message for p in check.problems] == [
        "Rhaid i’r dyddiad y digwyddodd ddiwethaf fod heddiw neu yn y gorffennol"
    ]


def test_the_asb_form_has_a_declaration_and_a_confirmation(asb):
    assert asb.declaration is not None and "true" in asb.declaration.label.get("en")
    assert asb.confirmation is not None and "999" in asb.confirmation.text.get("cy")
