"""Every definition is checked at start-up; each distinct content is recorded once as a version."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from forms_app import ConfigError, create_app
from forms_app.extensions import db
from forms_app.models import FormVersion
from tests.conftest import _test_config


def test_a_bad_definition_stops_start_up_with_its_file_line_and_reason(tmp_path: Path, forms_dir):
    folder = tmp_path / "forms"
    shutil.copytree(forms_dir, folder)
    (folder / "broken.yaml").write_text(
        "slug: broken\ntitle: Broken\nreference_prefix: BRK\nchannel: public\npages:\n"
        "  - id: one\n    title: One\n    fields:\n"
        "      - {name: a, type: text, label: A}\n"
        "    condition: {field: no_such_field, equals: x}\n"
    )

    with pytest.raises(ConfigError) as raised:
        create_app(_test_config("sqlite://", tmp_path / "instance", FORMS_DIR=folder))

    message = str(raised.value)
    assert "broken.yaml:10:" in message
    assert "no_such_field" in message


def test_a_definition_that_is_not_yaml_stops_start_up(tmp_path: Path):
    folder = tmp_path / "forms"
    folder.mkdir()
    (folder / "bad.yaml").write_text("slug: bad\ntitle: [unclosed\n")

    with pytest.raises(ConfigError, match=r"bad\.yaml:\d+: not valid YAML"):
        create_app(_test_config("sqlite://", tmp_path / "instance", FORMS_DIR=folder))


def test_the_web_process_starts_before_the_database_exists(tmp_path: Path, forms_dir):
    url = f"sqlite:///{tmp_path / 'not-yet-created.db'}"

    app = create_app(_test_config(url, tmp_path / "instance", FORMS_DIR=forms_dir))

    assert "asb-report" in app.extensions["saferforms.forms"].forms
    assert not (tmp_path / "not-yet-created.db").exists()


def test_each_distinct_content_is_recorded_once(app, forms_dir):
    sync = app.extensions["saferforms.sync_forms"]

    with app.app_context():
        first = sync()
        second = sync()
        rows = db.session.scalars(select(FormVersion).where(FormVersion.slug == "asb-report")).all()
        source = (forms_dir / "asb-report.yaml").read_text()

    assert "Form asb-report: recorded a new version" in " ".join(first)
    assert "Form asb-report: version already recorded" in " ".join(second)
    assert len(rows) == 1
    assert rows[0].source_yaml == source


def test_saferforms_init_records_the_form_versions(runner):
    result = runner.invoke(args=["init"])

    assert result.exit_code == 0, result.output
    assert "Form asb-report:" in result.output
    assert "Form kitchen-sink:" in result.output
