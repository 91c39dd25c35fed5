"""check_form and load_instrument: every problem in a scoring block, with its path."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

import scoring

ROOT = Path(__file__).resolve().parents[2]


def with_scoring(form: dict[str, Any], **changes: Any) -> dict[str, Any]:
    changed = copy.deepcopy(form)
    changed["scoring"].update(changes)
    return changed


def problems(form: dict[str, Any]) -> dict[str, str]:
    return {problem.path: problem.message for problem in scoring.check_form(form)}


def small(measures: dict[str, Any], **rest: Any) -> dict[str, Any]:
    block = {
        "instrument": "Test",
        "version": "1",
        "measures": measures,
        "bands": {"standard": {"max": 2}, "high": {"min": 3}},
    }
    return block | rest


@pytest.mark.parametrize("path", sorted(p.name for p in (ROOT / "form_definitions").glob("*.yaml")))
def test_every_shipped_form_has_a_valid_scoring_block_or_none(path):
    form = yaml.safe_load((ROOT / "form_definitions" / path).read_text(encoding="utf-8"))
    assert scoring.check_form(form) == []


def test_the_shipped_asb_block_is_valid_against_the_agreed_field_names(asb_form):
    assert scoring.check_form(asb_form) == []


def test_a_form_without_a_scoring_block_is_valid_but_cannot_be_loaded(asb_form):
    form = {key: value for key, value in asb_form.items() if key != "scoring"}
    assert scoring.check_form(form) == []
    with pytest.raises(scoring.ScoringDefinitionError) as caught:
        scoring.load_instrument(form)
    assert caught.value.problems == [scoring.Problem("scoring", "the form has no scoring block")]


def test_a_field_that_does_not_exist_is_reported_with_its_path(asb_form):
    form = copy.deepcopy(asb_form)
    form["scoring"]["measures"]["harm"][2]["when"]["field"] = "still_hapening"
    found = problems(form)
    assert found == {
        "scoring.measures.harm[2].when.field": "there is no field called 'still_hapening' in "
        "the form's pages"
    }
    with pytest.raises(scoring.ScoringDefinitionError) as caught:
        scoring.load_instrument(form)
    assert "scoring.measures.harm[2].when.field" in str(caught.value)


def test_an_option_that_does_not_exist_is_reported(asb_form):
    form = copy.deepcopy(asb_form)
    form["scoring"]["measures"]["harm"][3]["points"]["extreme"] = 8
    form["scoring"]["flags"][3]["when"]["equals"] = "three_times"
    found = problems(form)
    assert set(found) == {
        "scoring.measures.harm[3].points.extreme",
        "scoring.flags[3].when.equals",
    }
    assert (
        "not an option of field 'impact_health'" in found["scoring.measures.harm[3].points.extreme"]
    )
    assert "two_or_more" in found["scoring.flags[3].when.equals"]


def test_options_are_read_from_inline_options_too(asb_form):
    form = copy.deepcopy(asb_form)
    field = next(
        field
        for page in form["pages"]
        for field in page.get("fields", [])
        if field.get("name") == "reported_before"
    )
    del field["list"]
    field["options"] = [{"value": "no", "text": "No"}, {"value": "often", "text": "Often"}]
    assert "scoring.measures.vulnerability[3].points.once" in problems(form)


def test_an_unquoted_yes_read_by_yaml_as_true_gets_a_hint(asb_form):
    form = copy.deepcopy(asb_form)
    form["scoring"]["measures"]["harm"][2]["when"]["equals"] = True
    message = problems(form)["scoring.measures.harm[2].when.equals"]
    assert 'write "yes" or "no" in quotes' in message


def test_a_field_on_a_repeating_page_cannot_be_scored(asb_form):
    form = copy.deepcopy(asb_form)
    form["scoring"]["overrides"][1]["when"] = {"field": "responsible_lives_at", "answered": True}
    message = problems(form)["scoring.overrides[1].when.field"]
    assert "repeating page 'people-responsible'" in message


def test_operators_must_suit_the_field(asb_form):
    form = copy.deepcopy(asb_form)
    form["scoring"]["overrides"] = [
        {"when": {"field": "asb_types", "equals": "noise"}, "level": "high", "reason": "x"},
        {"when": {"field": "fear_level", "greater_than": 2}, "level": "high", "reason": "x"},
        {"when": {"field": "incident_date", "within_days": -1}, "level": "high", "reason": "x"},
        {"when": {"field": "fear_level", "matches": "a"}, "level": "high", "reason": "x"},
    ]
    found = problems(form)
    assert "use 'contains' or 'in'" in found["scoring.overrides[0].when.equals"]
    assert "not a number field" in found["scoring.overrides[1].when.greater_than"]
    assert "0 or more" in found["scoring.overrides[2].when.within_days"]
    assert "unknown: matches" in found["scoring.overrides[3].when"]


def test_flags_come_from_the_agreed_list(asb_form):
    form = copy.deepcopy(asb_form)
    form["scoring"]["flags"][0]["flag"] = "vulnerable"
    assert "unknown flag 'vulnerable'" in problems(form)["scoring.flags[0].flag"]


def test_a_flag_that_no_rule_sets_cannot_be_used(asb_form):
    form = copy.deepcopy(asb_form)
    form["scoring"]["overrides"][1]["when"] = {"flag": "potential_escalation"}
    form["scoring"]["flags"][0]["when"] = {"not": {"flag": "potential_escalation"}}
    found = problems(form)
    message = "refers to the flag potential_escalation, which no rule in this block sets"
    assert found == {"scoring.overrides[1]": message, "scoring.flags[0]": message}


def test_measures_that_sum_each_other_are_reported_as_a_cycle(asb_form):
    form = copy.deepcopy(asb_form)
    form["scoring"]["measures"]["harm"].append({"sum": ["total"]})
    messages = [problem.message for problem in scoring.check_form(form)]
    assert messages == [
        "these rules depend on each other in a circle: measure harm → measure total → measure harm"
    ]


def test_flags_and_measures_that_depend_on_each_other_are_reported_as_a_cycle(asb_form):
    form = copy.deepcopy(asb_form)
    form["scoring"]["measures"]["vulnerability"].append(
        {"when": {"flag": "vulnerable_victim"}, "points": 2, "reason": "Vulnerable ({points})"}
    )
    form["scoring"]["flags"][0]["when"] = {"measure": "vulnerability", "at_least": 5}
    found = scoring.check_form(form)
    assert len(found) == 1
    assert "in a circle" in found[0].message
    assert "flag vulnerable_victim" in found[0].message
    assert "measure vulnerability" in found[0].message


def test_a_flag_that_depends_on_itself_is_a_cycle(asb_form):
    form = copy.deepcopy(asb_form)
    form["scoring"]["flags"][2]["when"] = {"any": [{"flag": "hate_incident"}]}
    assert "flag hate_incident → flag hate_incident" in scoring.check_form(form)[0].message


@pytest.mark.parametrize(
    ("bands", "path", "words"),
    [
        (
            {"standard": {"max": 9}, "medium": {"min": 9, "max": 13}, "high": {"min": 14}},
            "scoring.bands.medium.min",
            "medium starts at 9 but standard runs to 9: the bands overlap",
        ),
        (
            {"standard": {"max": 9}, "medium": {"min": 11, "max": 13}, "high": {"min": 14}},
            "scoring.bands.medium.min",
            "standard ends at 9 and medium starts at 11: a score of 10 would have no level",
        ),
        (
            {"standard": {"max": 9}, "medium": {"min": 10, "max": 13}, "high": {"min": 20}},
            "scoring.bands.high.min",
            "scores 14 to 19 would have no level",
        ),
        (
            {"standard": {"max": 9}, "high": {"min": 14}, "medium": {"min": 10, "max": 13}},
            "scoring.bands.medium",
            "bands must go from the lowest level up: medium is listed after high",
        ),
        (
            {"standard": {"max": 9}, "medium": {"min": 13, "max": 10}, "high": {"min": 11}},
            "scoring.bands.medium.min",
            "13 is above the band's max, 10",
        ),
        (
            {"standard": {"min": 0, "max": 9}, "high": {"min": 10}},
            "scoring.bands.standard.min",
            "the lowest band must have no min",
        ),
        (
            {"standard": {"max": 9}, "high": {"min": 10, "max": 27}},
            "scoring.bands.high.max",
            "the highest band must have no max",
        ),
        (
            {"standard": {"max": 9}, "severe": {"min": 10}},
            "scoring.bands.severe",
            "'severe' is not a level",
        ),
    ],
)
def test_impossible_band_layouts_are_reported(dash_form, bands, path, words):
    found = problems(with_scoring(dash_form, bands=bands))
    assert path in found, found
    assert words in found[path]


def test_unknown_keys_and_missing_reasons_are_reported(asb_form):
    form = copy.deepcopy(asb_form)
    form["scoring"]["treshold"] = 3
    del form["scoring"]["flags"][0]["reason"]
    found = problems(form)
    assert "unknown key" in found["scoring.treshold"]
    assert "is required" in found["scoring.flags[0].reason"]


def test_a_version_must_be_text_so_1_10_is_not_read_as_1_1(dash_form):
    found = problems(with_scoring(dash_form, version=1.10))
    assert "in quotes" in found["scoring.version"]


def test_unknown_placeholders_in_reasons_are_reported(asb_form):
    form = copy.deepcopy(asb_form)
    form["scoring"]["history"][0]["reason"] = "Seen {count} times in {weeks} weeks"
    assert "unknown placeholder {weeks}" in problems(form)["scoring.history[0].reason"]


def test_unknown_placeholders_in_term_and_band_reasons_are_reported_too(asb_form):
    form = copy.deepcopy(asb_form)
    form["scoring"]["measures"]["harm"][2]["reason"] = "Still happening for {weeks} weeks"
    form["scoring"]["bands"]["medium"] = {"min": 10, "max": 19, "reason": "{band} risk"}
    found = problems(form)
    assert "unknown placeholder {weeks}" in found["scoring.measures.harm[2].reason"]
    assert "unknown placeholder {band}" in found["scoring.bands.medium.reason"]


def test_history_rules_are_checked(asb_form):
    form = copy.deepcopy(asb_form)
    form["scoring"]["history"][0].update(about=["street"], within_days="91", by="incident")
    found = problems(form)
    assert set(found) == {
        "scoring.history[0].about",
        "scoring.history[0].within_days",
        "scoring.history[0].by",
    }


def test_the_judgement_fields_must_hold_a_level_and_a_reason(dash_form):
    judgement = {"level_field": "threats_to_kill", "reason_field": "incident_date"}
    found = problems(with_scoring(dash_form, judgement=judgement))
    assert "options are levels" in found["scoring.judgement.level_field"]
    assert "must be a text field" in found["scoring.judgement.reason_field"]


def test_a_score_measure_is_needed_when_there_are_several(asb_form):
    form = copy.deepcopy(asb_form)
    del form["scoring"]["score"]
    assert "several measures" in problems(form)["scoring.score"]


def test_a_small_block_with_every_kind_of_term_loads(asb_form):
    form = {key: value for key, value in asb_form.items() if key != "scoring"}
    form["scoring"] = small(
        {
            "a": [
                {
                    "count": ["still_happening", "lives_alone"],
                    "equals": "yes",
                    "reason": "{count} of {of}",
                }
            ],
            "b": [
                {
                    "field": "asb_types",
                    "points": {"noise": 1, "violence": 2},
                    "reason": "{option}: {points}",
                }
            ],
            "both": [{"sum": ["a", "b"]}],
        },
        score="both",
    )
    instrument = scoring.load_instrument(form)
    result = scoring.assess(
        instrument, {"lives_alone": "yes", "asb_types": ["noise", "violence", "drugs"]}
    )
    assert (result.score, result.level) == (4, "high")
    assert result.reasons[:2] == ["1 of 2", "Noise, Violence or physical attacks: 3 points"]


def test_the_asb_report_form_carries_the_shipped_asb_block(asb_block):
    form = yaml.safe_load(
        (ROOT / "form_definitions" / "asb-report.yaml").read_text(encoding="utf-8")
    )
    assert form["scoring"] == asb_block["scoring"]
    assert scoring.load_instrument(form).name == "ASB victim risk assessment"
