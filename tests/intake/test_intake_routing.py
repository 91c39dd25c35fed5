"""The routing block: checked with the definition, and read the same way by the worker."""

from __future__ import annotations

from pathlib import Path

import pytest

from forms_app.definitions import check_source, load_file
from forms_app.definitions.routing import Named, Routing, district_of

ROOT = Path(__file__).resolve().parents[2]
ASB = ROOT / "form_definitions" / "asb-report.yaml"


def _with_routing(block: str) -> bytes:
    text = ASB.read_text()
    start = text.index("routing:\n")
    end = text.index("# ASB victim risk assessment and ASB Case Review")
    return (text[:start] + block + "\n" + text[end:]).encode()


def _problems(block: str) -> list[str]:
    form, problems = check_source(_with_routing(block), "asb-report.yaml", "asb-report")
    assert form is None
    return [f"{p.line}: {p.message}" for p in problems]


def test_the_shipped_asb_form_has_a_valid_routing_block() -> None:
    routing = Routing.parse(load_file(ASB).routing, "asb-report")
    assert routing.default_team == "northdale-council/asb-team"
    assert [person.role for person in routing.people] == ["reporter", "victim", "perpetrator"]


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ("routing:\n  rules: []\n", "routing needs default_team"),
        ("routing:\n  default_team: asb-team\n", "a team is written organisation-slug/team-slug"),
        (
            "routing:\n  default_team: a/b\n  postcode_field: nowhere\n",
            "'nowhere' is not a field of this form",
        ),
        (
            "routing:\n  default_team: a/b\n  postcode_field: asb_category\n",
            "asb_category must be a field of type location or address or postcode",
        ),
        (
            "routing:\n  default_team: a/b\n  rules:\n    - team: c/d\n      area: east\n",
            "there is no area 'east' in routing.areas",
        ),
        (
            "routing:\n  default_team: a/b\n  rules:\n    - team: c/d\n      risk_level: severe\n",
            "'severe' is not a risk level",
        ),
        (
            "routing:\n  default_team: a/b\n  rules:\n    - team: c/d\n",
            "a rule needs at least one of",
        ),
        (
            "routing:\n  default_team: a/b\n  rules:\n    - team: c/d\n"
            "      when: {field: asb_category, resembles: x}\n",
            "a condition is field plus one of",
        ),
        (
            "routing:\n  default_team: a/b\n  people:\n    - role: victim\n      same_as: reporter\n",
            "same_as names a role given earlier in people",
        ),
        (
            "routing:\n  default_team: a/b\n  people:\n    - role: perpetrator\n"
            "      page: about-you\n      person: contact_name\n",
            "'about-you' is not a repeating page of this form",
        ),
        (
            "routing:\n  default_team: a/b\n  people:\n    - role: reporter\n"
            "      email: responsible_person\n",
            "responsible_person is on a repeating page",
        ),
        ("routing:\n  default_team: a/b\n  teams: x\n", "routing has no setting 'teams'"),
        (
            "routing:\n  default_team: a/b\n  areas: {east: [Northdale]}\n",
            "'Northdale' is not a postcode district",
        ),
        (
            "routing:\n  default_team: a/b\n  rules:\n    - team: c/d\n"
            "      when: {field: asb_category, equals: noisy}\n",
            "`noisy` is not an option of `asb_category`",
        ),
        (
            "routing:\n  default_team: a/b\n  rules:\n    - team: c/d\n"
            "      when: {field: asb_category, greater_than: 3}\n",
            "`greater_than` cannot test a radios field",
        ),
        (
            "routing:\n  default_team: a/b\n  hate_incident: {field: still_happening, equals: maybe}\n",
            "`maybe` is not an option of `still_happening` (yes, no)",
        ),
        (
            "routing:\n  default_team: a/b\n  hate_incident: {field: incident_date, equals: banana}\n",
            "`banana` is not a date",
        ),
        (
            "routing:\n  default_team: a/b\n  rules:\n    - team: c/d\n"
            "      when: {field: incident_date, after: 2025-02-30}\n",
            "`2025-02-30` is not a real date",
        ),
    ],
)
def test_a_routing_mistake_is_reported_on_its_line(block, message) -> None:
    problems = _problems(block)
    assert any(message in problem for problem in problems), problems
    assert all(int(problem.split(":")[0]) > 700 for problem in problems)


def _routing(block: str) -> Routing:
    form, problems = check_source(_with_routing(block), "asb-report.yaml", "asb-report")
    assert form is not None, problems
    return Routing.parse(form.routing, form.slug)


RULES = """routing:
  default_team: council/asb
  postcode_field: incident_location
  areas: {estates: [ND7, "ND8 1"]}
  rules:
    - team: council/hub
      risk_level: high
    - team: homes/tenancy
      area: estates
    - team: council/environment
      when: {field: asb_category, equals: environmental}
    - team: council/central
      postcode_district: [SW1A]
"""


@pytest.mark.parametrize(
    ("postcode", "category", "level", "team"),
    [
        ("ND7 2XY", "personal", "high", "council/hub"),
        ("ND7 2XY", "personal", "medium", "homes/tenancy"),
        ("ND8 1AB", "personal", "standard", "homes/tenancy"),
        ("ND8 2AB", "personal", "standard", "council/asb"),
        ("ND1 1AA", "environmental", "standard", "council/environment"),
        ("SW1A 1AA", "nuisance", "medium", "council/central"),
        (None, "nuisance", "medium", "council/asb"),
    ],
)
def test_the_first_rule_that_holds_chooses_the_team(postcode, category, level, team) -> None:
    routing = _routing(RULES)
    answers = {"asb_category": category}
    if postcode:
        answers["incident_location"] = {"description": "By the shops", "postcode": postcode}
    assert routing.team_for(answers, level) == team


def test_people_are_read_from_the_answers_in_their_roles() -> None:
    routing = Routing.parse(load_file(ASB).routing, "asb-report")
    answers = {
        "report_anonymously": "no",
        "reporter_is_victim": "yes",
        "contact_name": "Mary Anne Quinlan",
        "contact_mobile": "+447911123456",
        "contact_address": {"line1": "4 Elm Road", "town": "Northdale", "postcode": "ND1 4EL"},
        "people-responsible": [
            {"responsible_person": {"first_name": "Jo", "approximate_age": 30}},
            {"responsible_person": {"description": "Tall, red coat"}},
        ],
    }
    named = routing.named_people(answers)
    assert [(n.role, n.first_name, n.last_name, n.same_as) for n in named] == [
        ("reporter", "Mary Anne", "Quinlan", None),
        ("victim", None, None, "reporter"),
        ("perpetrator", "Jo", None, None),
        ("perpetrator", None, None, None),
    ]
    assert named[0].phone == "+447911123456" and named[0].address["postcode"] == "ND1 4EL"
    assert named[2].age == "30" and named[3].description == "Tall, red coat"
    assert not named[3].identifiable
    anonymous = routing.named_people({**answers, "report_anonymously": "yes"})
    assert [n.role for n in anonymous] == ["perpetrator", "perpetrator"]


def test_a_postcode_district_is_the_outward_code() -> None:
    assert district_of("sw1a 1aa") == "SW1A"
    assert district_of("ND7 2XY") == "ND7"
    assert district_of(None) is None


def test_a_person_field_on_an_ordinary_page_names_one_person() -> None:
    block = """routing:
  default_team: a/b
  people:
    - role: victim
      name: contact_name
    - role: perpetrator
      person: responsible_person
"""
    assert any("is on a repeating page" in p for p in _problems(block))
    text = ASB.read_text().replace(
        "      - name: contact_date_of_birth\n",
        "      - name: other_person\n        type: person\n        label: {en: Someone, cy: Rhywun}\n"
        "      - name: contact_date_of_birth\n",
        1,
    )
    start, end = text.index("routing:\n"), text.index("# ASB victim risk assessment and ASB")
    block = "routing:\n  default_team: a/b\n  people:\n    - role: subject\n      person: other_person\n"
    form, problems = check_source(
        (text[:start] + block + "\n" + text[end:]).encode(), "asb-report.yaml", "asb-report"
    )
    assert form is not None, problems
    routing = Routing.parse(form.routing, form.slug)
    [named] = routing.named_people({"other_person": {"first_name": "Lee", "last_name": "Ray"}})
    assert (named.role, named.first_name, named.last_name) == ("subject", "Lee", "Ray")


@pytest.mark.parametrize(
    ("fields", "matchable"),
    [
        ({"first_name": "Jo"}, False),
        ({"last_name": "Smith"}, False),
        ({"first_name": "Jo", "last_name": "Smith"}, True),
        ({"first_name": "Jo", "date_of_birth": "1990-01-02"}, True),
        ({"first_name": "Mary", "address": {"line1": "4 Elm Road", "postcode": "ND1 4EL"}}, True),
        ({"first_name": "Jo", "phone": "+447700900123"}, True),
        ({"email": "jo@example.net"}, True),
        ({"description": "Tall, red coat"}, False),
    ],
)
def test_only_a_person_described_well_enough_is_searched_for_among_those_held(fields, matchable):
    assert Named(role="perpetrator", **fields).matchable is matchable
