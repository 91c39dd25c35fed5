"""Helpers for the form definition tests: small forms written as YAML text."""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from forms_app.definitions import FormDefinition, check_file

ROOT = Path(__file__).resolve().parents[2]
FORMS_DIR = ROOT / "form_definitions"
TODAY = dt.date(2025, 6, 30)

# A valid English-only form; tests add pages under it. Line numbers matter: page 2
# written straight after this starts on line 15.
BASE = """\
slug: sample
title: Sample form
reference_prefix: SMP
channel: public
pages:
  - id: first
    title: First
    fields:
      - name: colour
        type: radios
        label: Favourite colour
        options:
          - {value: red, text: Red}
          - {value: blue, text: Blue}
"""


def yaml_text(extra: str = "", base: str = BASE, indent: int = 2) -> str:
    """Add YAML to a base text; by default indented to continue its list of pages."""
    return base + textwrap.indent(textwrap.dedent(extra), " " * indent)


@pytest.fixture
def base() -> str:
    """The valid sample form's YAML text."""
    return BASE


@pytest.fixture
def extend() -> Callable[..., str]:
    """Return a function adding (dedented) YAML to the sample form, or to another base text."""
    return yaml_text


@pytest.fixture
def check(tmp_path: Path) -> Callable[..., list[tuple[int, str]]]:
    """Check YAML text as a file named sample.yaml; return (line, message) pairs."""

    def run(text: str, name: str = "sample.yaml") -> list[tuple[int, str]]:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        _form, problems = check_file(path)
        for problem in problems:
            assert problem.file == str(path)
        return [(problem.line, problem.message) for problem in problems]

    return run


@pytest.fixture
def report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., list[str]]:
    """Check text or bytes as ./sample.yaml; return the problems as the author reads them."""
    monkeypatch.chdir(tmp_path)

    def run(source: str | bytes, name: str = "sample.yaml") -> list[str]:
        data = source.encode("utf-8") if isinstance(source, str) else source
        (tmp_path / name).write_bytes(data)
        _form, problems = check_file(name)
        return [str(problem) for problem in problems]

    return run


@pytest.fixture
def load(tmp_path: Path) -> Callable[[str], FormDefinition]:
    """Load YAML text as a valid form, failing the test with its problems otherwise."""

    def run(text: str) -> FormDefinition:
        path = tmp_path / "sample.yaml"
        path.write_text(text, encoding="utf-8")
        form, problems = check_file(path)
        assert problems == []
        assert form is not None
        return form

    return run
