"""The YAML examples in docs/form-definitions.md are valid definitions.

A block is checked when its first line marks it:

- `# example: complete` (or `# example: form`): a whole form, checked as it stands;
- `# example: pages`: a list of pages, checked as the later pages of a minimal form;
- `# example: fields`: a list of fields, checked as the fields of one later page of it.

Fragments are wrapped in a form in both languages when they carry Welsh (`cy:`) text.
"""

from __future__ import annotations

import datetime as dt
import re
import textwrap
from pathlib import Path

import pytest
import yaml

from forms_app.definitions import check_file, route

DOCS = Path(__file__).resolve().parents[2] / "docs" / "form-definitions.md"
TEXT = DOCS.read_text(encoding="utf-8")
BLOCK = re.compile(r"^```yaml\n(.*?)^```", re.S | re.M)
MARK = re.compile(r"# example: (complete|form|pages|fields)\n")

# A form needs a question, so the wrapper asks one before the example's pages.
ENGLISH_FORM = """\
slug: example
title: Example
reference_prefix: EX
channel: public
pages:
  - id: first
    title: First
    fields:
      - {name: first_question, type: text, label: First question}
"""
WELSH_FORM = """\
slug: example
title: {en: Example, cy: Enghraifft}
reference_prefix: EX
channel: public
languages: [en, cy]
pages:
  - id: first
    title: {en: First, cy: Cyntaf}
    fields:
      - {name: first_question, type: text, label: {en: First question, cy: Cwestiwn cyntaf}}
"""
PAGE = """\
- id: example-page
  title: {title}
  fields:
"""


def _blocks() -> list[tuple[int, str]]:
    """Return every YAML block of the docs with the line its text starts on."""
    return [
        (TEXT.count("\n", 0, match.start(1)) + 1, match.group(1)) for match in BLOCK.finditer(TEXT)
    ]


def _marked() -> list[tuple[int, str, str]]:
    return [
        (line, mark.group(1), block)
        for line, block in _blocks()
        if (mark := MARK.match(block)) is not None
    ]


def _as_form(kind: str, block: str) -> tuple[str, str]:
    """Return (slug, definition text) for a marked block."""
    if kind in ("complete", "form"):
        slug = re.search(r"^slug: (\S+)", block, re.M)
        assert slug is not None, "a whole-form example needs a slug"
        return slug.group(1), block
    welsh = re.search(r"\bcy:", block) is not None
    form = WELSH_FORM if welsh else ENGLISH_FORM
    if kind == "pages":
        return "example", form + textwrap.indent(block, "  ")
    title = "{en: Example page, cy: Tudalen enghraifft}" if welsh else "Example page"
    page = PAGE.format(title=title) + textwrap.indent(block, "    ")
    return "example", form + textwrap.indent(page, "  ")


@pytest.mark.parametrize(
    ("line", "kind", "block"), _marked(), ids=[f"line {line}" for line, _, _ in _marked()]
)
def test_every_marked_example_in_the_docs_validates(tmp_path: Path, line, kind, block):
    slug, text = _as_form(kind, block)
    path = tmp_path / f"{slug}.yaml"
    path.write_text(text, encoding="utf-8")
    _form, problems = check_file(path)
    assert [problem.message for problem in problems] == [], (
        f"the `{kind}` example at docs/form-definitions.md:{line} is not valid"
    )


def test_every_whole_form_in_the_docs_is_marked_for_checking():
    unmarked = []
    for line, block in _blocks():
        try:
            data = yaml.safe_load(block)
        except yaml.YAMLError:
            continue
        if isinstance(data, dict) and {"slug", "pages"} <= data.keys() and not MARK.match(block):
            unmarked.append(line)
    assert unmarked == []


def test_the_conditions_section_has_a_checked_example_of_every_test():
    conditions = TEXT[TEXT.index("\n## Conditions\n") : TEXT.index("\n## Declaration")]
    checked = "".join(block for line, kind, block in _marked() if conditions.find(block) != -1)
    for test in (
        "not_equals:",
        "contains:",
        "greater_than:",
        "less_than:",
        "before:",
        "after:",
        "answered: true",
        "answered: false",
    ):
        assert test in checked, f"no checked example under Conditions uses `{test}`"


def test_the_complete_example_in_the_docs_validates(tmp_path: Path):
    blocks = [block for _line, kind, block in _marked() if kind == "complete"]
    assert len(blocks) == 1
    path = tmp_path / "noise-report.yaml"
    path.write_text(blocks[0], encoding="utf-8")
    form, problems = check_file(path)
    assert [str(problem) for problem in problems] == []
    assert form is not None
    answers = {"in_danger": "no", "how_often": "daily", "last_time": "2025-06-20"}
    pages = [page.id for page in route(form, answers, dt.date(2025, 6, 30))]
    assert pages == ["start", "noise", "night", "contact"]
