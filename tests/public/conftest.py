"""Fixtures for the public form tests: the shipped forms plus test forms, and a browser-like client."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from flask.testing import FlaskClient

from forms_app.extensions import db
from tests.jobs.pipeline_support import free_port, wait_for
from tests.public.public_helpers import Browser

ROOT = Path(__file__).resolve().parents[2]
TEST_FORMS = Path(__file__).resolve().parent / "forms"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"


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


class Store:
    """Read and change the database between requests, each time in a fresh app context.

    (A test that held one app context open would share `g`, and so one CSRF token, between
    every browser in it.)
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    def all(self, statement: Any) -> list[Any]:
        with self.app.app_context():
            rows = list(db.session.scalars(statement).all())
            db.session.expunge_all()
            return rows

    def scalar(self, statement: Any) -> Any:
        with self.app.app_context():
            value = db.session.scalar(statement)
            db.session.expunge_all()
            return value

    def get(self, model: Any, key: Any) -> Any:
        with self.app.app_context():
            value = db.session.get(model, key)
            db.session.expunge_all()
            return value

    def execute(self, statement: Any) -> None:
        with self.app.app_context():
            db.session.execute(statement)
            db.session.commit()

    def rows(self, statement: Any) -> list[Any]:
        with self.app.app_context():
            return list(db.session.execute(statement).all())


@pytest.fixture
def store(app: Any) -> Store:
    return Store(app)


@pytest.fixture
def start_server(app, tmp_path: Path) -> Iterator[Callable[..., str]]:
    """Start `gunicorn wsgi:app` (one worker, and any further options) over the test app's
    database and keys; its output goes to gunicorn-<port>.log in the test's folder."""
    started: list[subprocess.Popen[bytes]] = []

    def start(env: dict[str, str], *options: str) -> str:
        port = free_port()
        log = open(tmp_path / f"gunicorn-{port}.log", "ab")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(
            [
                *(str(GUNICORN), "--workers", "1", "--bind", f"127.0.0.1:{port}"),
                *("--no-control-socket", *options, "wsgi:app"),
            ],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        started.append(process)
        base = f"http://127.0.0.1:{port}"

        def answering() -> bool:
            assert process.poll() is None, (tmp_path / f"gunicorn-{port}.log").read_text()
            try:
                return requests.get(base + "/", timeout=10).status_code == 200
            except requests.RequestException:
                return False

        wait_for(answering, timeout=60, interval=0.2)
        return base

    yield start
    for process in started:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
