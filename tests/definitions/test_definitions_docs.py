"""The complete example in docs/form-definitions.md is a valid form."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from forms_app.definitions import check_file, route

DOCS = Path(__file__).resolve().parents[2] / "docs" / "form-definitions.md"


def test_the_complete_example_in_the_docs_validates(tmp_path: Path):
    blocks = re.findall(
        r"```yaml\n(# example: complete\n.*?)```", DOCS.read_text(encoding="utf-8"), re.S
    )
    assert len(blocks) == 1
    path = tmp_path / "noise-report.yaml"
    path.write_text(blocks[0], encoding="utf-8")
    form, problems = check_file(path)
    assert [str(problem) for problem in problems] == []
    assert form is not None
    answers = {"in_danger": "no", "how_often": "daily", "last_time": "2025-06-20"}
    pages = [page.id for page in route(form, answers, dt.date(2025, 6, 30))]
    assert pages == ["start", "noise", "night", "contact"]
