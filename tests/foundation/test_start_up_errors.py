"""A setting that stops start-up is one line on stderr and a non-zero exit, never a traceback:
for the `saferforms` command line and for gunicorn serving wsgi:app, run as real processes."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT

SAFERFORMS = ROOT / ".venv" / "bin" / "saferforms"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
# Not valid base64, so the environment key provider refuses it; it must never be printed.
SECRET_LOOKING_KEY = "k1:do-not-print-this-key-material"


def _environment(tmp_path: Path, **settings: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SAFERFORMS_", "MAIL_", "NOTIFY_"))
        and key not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY"}
    }
    env.update(
        {
            "SAFERFORMS_ENV": "development",
            "SAFERFORMS_INSTANCE": str(tmp_path / "instance"),
            "SAFERFORMS_FORMS_DIR": str(ROOT / "form_definitions"),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'sf.db'}",
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )
    env.update(settings)
    return env


def _bad_key_environment(tmp_path: Path) -> dict[str, str]:
    return _environment(
        tmp_path,
        SAFERFORMS_KEY_PROVIDER="env",
        SAFERFORMS_DATA_KEYS=SECRET_LOOKING_KEY,
        SAFERFORMS_INDEX_KEY="x",
        SAFERFORMS_INTAKE_PUBLIC_KEY="y",
    )


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )


def test_a_bad_key_stops_a_saferforms_command_with_its_message_and_no_traceback(
    tmp_path: Path,
) -> None:
    result = _run([str(SAFERFORMS), "jobs", "failed"], _bad_key_environment(tmp_path))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert (
        "Error: Safer Forms cannot start: SAFERFORMS_DATA_KEYS key 'k1' is not valid base64."
        in result.stderr.splitlines()
    )
    assert "do-not-print-this-key-material" not in result.stdout + result.stderr


def test_a_bad_setting_in_the_saferforms_help_is_one_line_not_a_traceback(
    tmp_path: Path,
) -> None:
    result = _run([str(SAFERFORMS), "--help"], _environment(tmp_path, MAIL_SMTP_PORT="abc"))
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[0] == (
        "Error: Safer Forms cannot start: MAIL_SMTP_PORT='abc' is not valid: "
        "it must be a whole number from 1 to 65535."
    )
    # The commands that need no application are still listed.
    assert "forms" in result.stdout


@pytest.mark.parametrize("preload", [False, True], ids=["in-the-worker", "preloaded"])
def test_gunicorn_stops_on_a_bad_setting_with_its_message_and_no_traceback(
    tmp_path: Path, preload: bool
) -> None:
    # One worker: when two workers fail to load at the same moment, gunicorn 27's arbiter can
    # raise its HaltServer a second time while stopping for the first, and exit 1 with its own
    # traceback after our message (the server still stops, and no worker restarts).
    args = [str(GUNICORN), "--workers", "1", "--bind", "127.0.0.1:0", "--no-control-socket"]
    result = _run(
        [*args, *(["--preload"] if preload else []), "wsgi:app"],
        _environment(tmp_path, MAIL_SMTP_TIMEOUT="soon"),
    )
    # 4 is gunicorn's "the application cannot be loaded": the server stops, no worker restarts.
    assert result.returncode == 4, result.stderr
    assert "Traceback" not in result.stderr
    assert (
        "Safer Forms cannot start: MAIL_SMTP_TIMEOUT='soon' is not valid: "
        "it must be a number of seconds, above 0." in result.stderr.splitlines()
    )


def test_gunicorn_stops_on_a_bad_key_without_printing_it(tmp_path: Path) -> None:
    args = [str(GUNICORN), "--workers", "1", "--bind", "127.0.0.1:0", "--no-control-socket"]
    result = _run([*args, "wsgi:app"], _bad_key_environment(tmp_path))
    assert result.returncode == 4, result.stderr
    assert "Traceback" not in result.stderr
    assert "SAFERFORMS_DATA_KEYS key 'k1' is not valid base64" in result.stderr
    assert "do-not-print-this-key-material" not in result.stdout + result.stderr
