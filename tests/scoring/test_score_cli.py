"""`saferforms score FORM ANSWERS.json [--history HISTORY.json] [--as-of DATE]`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from forms_app.cli.score import score_command

ROOT = Path(__file__).resolve().parents[2]
KEYS = {"score", "level", "reasons", "flags", "instrument", "version"}


@pytest.fixture
def write(tmp_path: Path):
    def write(name: str, content: Any) -> str:
        path = tmp_path / name
        text = content if isinstance(content, str) else json.dumps(content)
        path.write_text(text, encoding="utf-8")
        return str(path)

    return write


@pytest.fixture
def forms_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAFERFORMS_FORMS_DIR", str(ROOT / "form_definitions"))


@pytest.fixture
def asb_file(write, asb_form) -> str:
    return write("asb-report.yaml", yaml.safe_dump(asb_form, sort_keys=False))


def run(*args: str):
    return CliRunner().invoke(score_command, list(args))


def test_scoring_a_dash_checklist_by_slug_prints_the_assessment(forms_dir, write, dash_questions):
    answers = write("answers.json", {q: "yes" for q in dash_questions[:14]})
    result = run("dash", answers)
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert set(printed) == KEYS
    assert (printed["score"], printed["level"]) == (14, "high")
    assert printed["instrument"] == "DASH risk identification checklist (police version)"
    assert printed["version"] == "2009-police.1"


def test_the_forms_folder_defaults_to_form_definitions_in_the_working_directory(monkeypatch, write):
    monkeypatch.delenv("SAFERFORMS_FORMS_DIR", raising=False)
    monkeypatch.chdir(ROOT)
    result = run("dash", write("answers.json", {"current_injury": "no"}))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["level"] == "standard"


def test_scoring_the_asb_victim_risk_assessment_from_a_form_file(asb_file, write):
    answers = write("answers.json", {"targeted_identity": ["race"], "lives_alone": "yes"})
    result = run(asb_file, answers)
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert printed["score"] == 6
    assert printed["flags"] == ["hate_incident", "case_review_threshold"]
    assert printed["instrument"] == "ASB victim risk assessment"


def test_history_and_as_of_give_the_same_answer_every_run(asb_file, write):
    answers = write("answers.json", {"incident_date": "2025-06-28"})
    history = write(
        "history.json",
        [
            {"reported_on": "2025-06-01", "incident_date": "2025-05-30", "same": ["problem"]},
            {"reported_on": "2025-01-02", "incident_date": "2025-01-01", "same": ["problem"]},
        ],
    )
    inside = run(asb_file, answers, "--history", history, "--as-of", "2025-07-03")
    outside = run(asb_file, answers, "--history", history, "--as-of", "2025-07-04")
    assert json.loads(inside.stdout)["flags"] == ["case_review_threshold"]
    assert json.loads(outside.stdout)["flags"] == []


def test_a_missing_answers_file_is_an_error(forms_dir, tmp_path):
    result = run("dash", str(tmp_path / "nowhere.json"))
    assert result.exit_code != 0
    assert "does not exist" in result.stderr
    assert result.stdout == ""


def test_bad_json_is_an_error_that_does_not_repeat_the_answers(forms_dir, write):
    result = run("dash", write("answers.json", '{"victim": "Jane Doe",,}'))
    assert result.exit_code != 0
    assert "is not valid JSON" in result.stderr
    assert "Jane" not in result.stderr


def test_unknown_fields_and_options_are_errors(forms_dir, write):
    result = run("dash", write("answers.json", {"injured": "yes", "very_frightened": "maybe"}))
    assert result.exit_code != 0
    assert "answers.injured: there is no such field in the form" in result.stderr
    assert "answers.very_frightened" in result.stderr


def test_history_must_be_a_list_of_valid_entries(forms_dir, write):
    answers = write("answers.json", {})
    not_list = run("dash", answers, "--history", write("h.json", {"reported_on": "2025-01-01"}))
    assert not_list.exit_code != 0 and "JSON list" in not_list.stderr
    bad = run("dash", answers, "--history", write("h2.json", [{"reported_on": "soon"}]))
    assert bad.exit_code != 0 and "history[0].reported_on" in bad.stderr


def test_a_form_without_a_scoring_block_is_an_error(write, asb_form):
    form = {key: value for key, value in asb_form.items() if key != "scoring"}
    result = run(write("plain.yaml", yaml.safe_dump(form)), write("answers.json", {}))
    assert result.exit_code != 0
    assert "has no scoring block" in result.stderr


def test_an_invalid_scoring_block_lists_its_problems(write, asb_form):
    form = dict(
        asb_form,
        scoring=dict(asb_form["scoring"], bands={"standard": {"max": 3}, "high": {"min": 5}}),
    )
    result = run(
        write("broken.yaml", yaml.safe_dump(form, sort_keys=False)), write("answers.json", {})
    )
    assert result.exit_code != 0
    assert "scoring.bands.high.min" in result.stderr


def test_an_unknown_form_slug_is_an_error(forms_dir, write):
    result = run("no-such-form", write("answers.json", {}))
    assert result.exit_code != 0
    assert "there is no form 'no-such-form'" in result.stderr


def test_a_form_file_that_is_not_yaml_is_an_error(write):
    result = run(write("bad.yaml", "slug: [unclosed"), write("answers.json", {}))
    assert result.exit_code != 0
    assert "is not valid YAML" in result.stderr


def test_scoring_the_public_asb_report_form_by_slug(forms_dir, write):
    answers = write(
        "answers.json",
        {"reporter_is_victim": "yes", "threats_of_violence": "yes", "feel_safe_at_home": "no"},
    )
    result = run("asb-report", answers)
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert (printed["score"], printed["level"]) == (6, "high")
    assert printed["instrument"] == "ASB victim risk assessment"
