"""`saferforms forms check` and `forms list`, run through click's test runner on the group."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from forms_app.cli.forms import forms_group

VALID = """\
slug: sample
title: Sample form
reference_prefix: SMP
channel: public
pages:
  - id: first
    title: First
    fields:
      - {name: colour, type: text, label: Colour}
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "sample.yaml").write_text(VALID, encoding="utf-8")
    return tmp_path


def test_check_passes_valid_files_and_names_them(folder: Path):
    result = CliRunner().invoke(forms_group, ["check", str(folder / "sample.yaml")])
    assert result.exit_code == 0
    assert result.stdout == "1 valid form: sample\n"


def test_check_prints_file_line_messages_and_exits_non_zero(folder: Path):
    bad = folder / "broken.yaml"
    bad.write_text(
        VALID.replace("slug: sample", "slug: broken").replace("type: text", "type: txt"),
        encoding="utf-8",
    )
    result = CliRunner().invoke(forms_group, ["check", str(folder)])
    assert result.exit_code == 1
    assert f"{bad}:9: `txt` is not one of:" in result.stderr
    assert "1 valid form, 1 problem" in result.stderr


def test_check_reports_invalid_yaml_with_its_line(folder: Path):
    bad = folder / "bad.yaml"
    bad.write_text("slug: bad\ntitle: [oops\n", encoding="utf-8")
    result = CliRunner().invoke(forms_group, ["check", str(bad)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{bad}:3: not valid YAML")


def test_check_reports_a_path_that_does_not_exist(tmp_path: Path):
    result = CliRunner().invoke(forms_group, ["check", str(tmp_path / "missing.yaml")])
    assert result.exit_code == 1
    assert "no such file or folder" in result.stderr


def test_check_without_paths_uses_the_forms_folder_from_the_environment(folder: Path):
    result = CliRunner(env={"SAFERFORMS_FORMS_DIR": str(folder)}).invoke(forms_group, ["check"])
    assert result.exit_code == 0
    assert "sample" in result.stdout


def test_check_of_an_empty_folder_fails(tmp_path: Path):
    result = CliRunner(env={"SAFERFORMS_FORMS_DIR": str(tmp_path)}).invoke(forms_group, ["check"])
    assert result.exit_code == 1
    assert "No form definitions found" in result.stderr


def test_list_shows_slug_content_hash_and_title(folder: Path):
    result = CliRunner(env={"SAFERFORMS_FORMS_DIR": str(folder)}).invoke(forms_group, ["list"])
    assert result.exit_code == 0
    digest = hashlib.sha256(VALID.encode()).hexdigest()
    assert result.stdout == f"sample\t{digest[:12]}\tSample form\n"


def test_list_still_lists_valid_forms_but_fails_on_a_bad_one(folder: Path):
    (folder / "zzz.yaml").write_text("slug: [", encoding="utf-8")
    result = CliRunner(env={"SAFERFORMS_FORMS_DIR": str(folder)}).invoke(forms_group, ["list"])
    assert result.exit_code == 1
    assert result.stdout.startswith("sample\t")
    assert "zzz.yaml:1: not valid YAML" in result.stderr
