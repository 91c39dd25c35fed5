"""Fixtures for the scoring tests: the shipped instruments, loaded from their YAML."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

import scoring

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2025, 6, 30)


def _yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def dash_form() -> dict[str, Any]:
    return _yaml(ROOT / "form_definitions" / "dash.yaml")


@pytest.fixture(scope="session")
def dash(dash_form: dict[str, Any]) -> scoring.Instrument:
    return scoring.load_instrument(dash_form)


@pytest.fixture(scope="session")
def dash_questions(dash_form: dict[str, Any]) -> list[str]:
    """The checklist questions: every field answered yes / no / not known."""
    return [
        field["name"]
        for page in dash_form["pages"]
        for field in page["fields"]
        if field.get("list") == "yes_no_not_known"
    ]


@pytest.fixture(scope="session")
def asb_block() -> dict[str, Any]:
    return _yaml(ROOT / "scoring" / "instruments" / "asb-victim-risk.yaml")


@pytest.fixture(scope="session")
def asb_form() -> dict[str, Any]:
    """The shipped public ASB form, with its scoring block."""
    return _yaml(ROOT / "form_definitions" / "asb-report.yaml")


@pytest.fixture(scope="session")
def asb(asb_form: dict[str, Any]) -> scoring.Instrument:
    return scoring.load_instrument(asb_form)


@pytest.fixture
def days_ago() -> Callable[[int], str]:
    """Return the ISO date `n` days before TODAY."""
    return lambda n: (TODAY - timedelta(days=n)).isoformat()
