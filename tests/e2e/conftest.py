"""A live server and Debian's Chromium, for tests that drive the public form in a real browser."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.conftest import _migrate, _test_config, require_service

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@dataclass
class LiveServer:
    app: Flask
    url: str


def start_live_server(tmp: Path, **config: Any) -> tuple[LiveServer, Any, threading.Thread]:
    from forms_app import create_app

    database = f"sqlite:///{tmp / 'e2e.db'}"
    _migrate(database, tmp / "migrate-instance")
    # Limits high enough for a journey, unless a test asks for its own.
    limits = {"FORM_PAGE_LIMIT": "100000 per minute", "FORM_SUBMIT_LIMIT": "100000 per minute"}
    settings = _test_config(
        database, tmp / "instance", FORMS_DIR=ROOT / "form_definitions", **{**limits, **config}
    )
    app = create_app(settings)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    return LiveServer(app, f"http://127.0.0.1:{server.server_port}"), server, thread


def stop_live_server(live: LiveServer, server: Any, thread: threading.Thread) -> None:
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)
    from forms_app.extensions import db

    with live.app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    live, server, thread = start_live_server(tmp_path_factory.mktemp("live"))
    try:
        yield live
    finally:
        stop_live_server(live, server, thread)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    if not CHROMIUM.exists():
        require_service("Chromium", f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
