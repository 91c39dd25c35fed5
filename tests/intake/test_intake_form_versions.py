"""A worker reads each submission with the form version it was made with."""

from __future__ import annotations

import shutil
from pathlib import Path

from forms_app import create_app
from forms_app.extensions import db
from forms_app.intake.forms import definition_for
from forms_app.public.catalogue import catalogue
from tests.conftest import _empty_tables, _test_config
from tests.public.test_public_drafts import CHANGING_V1, CHANGING_V2

ROOT = Path(__file__).resolve().parents[2]


def test_the_current_version_is_the_one_loaded_at_start_up_and_an_older_one_is_read_back(
    database_url: str, tmp_path: Path
) -> None:
    folder = tmp_path / "forms"
    shutil.copytree(ROOT / "form_definitions", folder)
    (folder / "changing.yaml").write_text(CHANGING_V1)
    config = _test_config(database_url, tmp_path / "instance", FORMS_DIR=folder)
    before = create_app(config)
    with before.app_context():
        old_id = catalogue().version_id(catalogue().forms["changing"])
        db.session.commit()
        db.engine.dispose()

    (folder / "changing.yaml").write_text(CHANGING_V2)
    worker = create_app(config, process="worker")
    try:
        with worker.app_context():
            loaded = catalogue().forms["changing"]
            new_id = catalogue().version_id(loaded)
            db.session.commit()
            # A worker started today meets today's version: the definition it already holds.
            assert definition_for(new_id) is loaded
            older = definition_for(old_id)
            assert older is not loaded and older.content_hash != loaded.content_hash
            assert [page.id for page in older.pages] == ["name", "colour"]
            assert definition_for(old_id) is older  # read once
            db.session.remove()
    finally:
        _empty_tables(worker)
