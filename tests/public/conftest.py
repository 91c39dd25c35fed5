"""Fixtures for the public form tests: the shipped forms plus test forms, and a browser-like client."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.public.public_helpers import Browser

ROOT = Path(__file__).resolve().parents[2]
TEST_FORMS = Path(__file__).resolve().parent / "forms"


@pytest.fixture(scope="session")
def forms_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped definitions plus the test forms, in one folder."""
    folder = tmp_path_factory.mktemp("forms")
    for source in [*sorted((ROOT / "form_definitions").glob("*.yaml")), *TEST_FORMS.glob("*.yaml")]:
        shutil.copy(source, folder / source.name)
    return folder


@pytest.fixture
def app_config(forms_dir: Path) -> dict[str, object]:
    return {"FORMS_DIR": forms_dir}


@pytest.fixture
def browser(client: FlaskClient) -> Browser:
    return Browser(client)


@pytest.fixture
def kitchen(client: FlaskClient) -> Browser:
    return Browser(client, "kitchen-sink")


@pytest.fixture
def in_app(app: Any) -> Iterator[Any]:
    with app.app_context():
        yield app
