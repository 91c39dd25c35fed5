"""`saferforms forms list` shows the definitions and the versions recorded in the database."""

from __future__ import annotations

from click.testing import CliRunner

from forms_app.cli.forms import forms_group
from forms_app.definitions import load_all
from forms_app.extensions import db
from forms_app.models import FormVersion
from tests.conftest import ROOT


def test_forms_list_shows_recorded_versions_and_marks_the_current_one(app, monkeypatch) -> None:
    current = load_all(ROOT / "form_definitions")["asb-report"]
    with app.app_context():
        db.session.add_all(
            [
                FormVersion(
                    slug="asb-report",
                    content_hash=current.content_hash,
                    title="Report",
                    source_yaml="x",
                ),
                FormVersion(
                    slug="asb-report", content_hash="0" * 64, title="Report", source_yaml="y"
                ),
            ]
        )
        db.session.commit()
    monkeypatch.setenv("DATABASE_URL", app.config["SQLALCHEMY_DATABASE_URI"])
    monkeypatch.setenv("SAFERFORMS_INSTANCE", str(app.config["INSTANCE_DIR"]))
    monkeypatch.setenv("SAFERFORMS_FORMS_DIR", str(ROOT / "form_definitions"))

    result = CliRunner().invoke(forms_group, ["list"])

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert f"asb-report\t{current.content_hash[:12]}\tReport anti-social behaviour" in lines
    recorded = [line for line in lines if line.startswith("asb-report\t") and "submissions" in line]
    assert len(recorded) == 2
    assert any(
        line.endswith("0 submissions (current)") and current.content_hash[:12] in line
        for line in recorded
    )
    assert any(
        line.startswith("asb-report\t000000000000") and "(current)" not in line for line in recorded
    )


def test_forms_list_still_lists_files_when_the_database_cannot_be_read(
    tmp_path, monkeypatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    monkeypatch.setenv("SAFERFORMS_INSTANCE", str(tmp_path))
    monkeypatch.setenv("SAFERFORMS_FORMS_DIR", str(ROOT / "form_definitions"))
    result = CliRunner().invoke(forms_group, ["list"])
    assert result.exit_code == 0
    assert "asb-report\t" in result.output
    assert "the database cannot be read" in result.output
