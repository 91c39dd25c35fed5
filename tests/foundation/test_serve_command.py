"""`saferforms serve`: links in messages point where the service is served."""

from __future__ import annotations

import pytest

from forms_app.cli import core


class _StopAtOnce:
    def serve_forever(self) -> None:
        raise KeyboardInterrupt


@pytest.fixture
def served(app, monkeypatch):
    """Run `serve` without listening: record the app and the address it would serve."""
    seen: dict[str, object] = {}

    def make_server(host, port, served_app, threaded):
        seen.update(host=host, port=port, base_url=served_app.config["BASE_URL"])
        return _StopAtOnce()

    monkeypatch.setattr("werkzeug.serving.make_server", make_server)
    monkeypatch.setattr(app.extensions["saferforms.jobs"], "start_runner", lambda: None)
    return seen


def _serve(app, *arguments: str):
    return app.test_cli_runner().invoke(core.serve_command, list(arguments))


def test_links_in_messages_point_at_the_port_served(app, served, monkeypatch):
    monkeypatch.delenv("SAFERFORMS_BASE_URL", raising=False)

    result = _serve(app, "--port", "8123")

    assert result.exit_code == 0, result.output
    assert served["base_url"] == "http://127.0.0.1:8123"
    assert "running at http://127.0.0.1:8123/" in result.output


def test_serving_on_every_interface_links_to_this_machine(app, served, monkeypatch):
    monkeypatch.delenv("SAFERFORMS_BASE_URL", raising=False)

    _serve(app, "--host", "0.0.0.0", "--port", "8000")

    assert served["base_url"] == "http://127.0.0.1:8000"


def test_a_configured_base_url_is_kept(app, served, monkeypatch):
    monkeypatch.setenv("SAFERFORMS_BASE_URL", "https://report.example.gov.uk")
    app.config["BASE_URL"] = "https://report.example.gov.uk"

    _serve(app, "--port", "8123")

    assert served["base_url"] == "https://report.example.gov.uk"
