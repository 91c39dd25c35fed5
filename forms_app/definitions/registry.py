"""Load form definitions from files: every problem as `file:line: what is wrong`."""

from __future__ import annotations

import functools
import hashlib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import scoring

from .build import build_form
from .checks import schema_problems, semantic_problems
from .loader import Positions, YamlProblem, parse_yaml
from .model import FormDefinition
from .routing import routing_problems

SUFFIX = ".yaml"
MAX_FILE_BYTES = 1_000_000
FORMS_DIR_VARIABLE = "SAFERFORMS_FORMS_DIR"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a definition file."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class DefinitionError(ValueError):
    """One or more definitions are invalid; ``problems`` lists every one."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(problems)
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        lines = "\n".join(str(problem) for problem in self.problems)
        super().__init__(f"{count} {noun} in form definitions:\n{lines}")


def forms_dir() -> Path:
    """Return the folder of form definitions: $SAFERFORMS_FORMS_DIR, else ./form_definitions."""
    return Path(os.environ.get(FORMS_DIR_VARIABLE) or "form_definitions")


def content_hash(source: bytes) -> str:
    """Return the version identity of a definition: the sha256 of its file's bytes."""
    return hashlib.sha256(source).hexdigest()


def check_source(
    source: bytes, filename: str, expected_slug: str | None = None
) -> tuple[FormDefinition | None, list[Problem]]:
    """Check one definition's bytes; return the form (when valid) and every problem found."""
    # Forms are immutable and a check costs a fifth of a second, so each distinct file is
    # checked once per process: app start-up, workers opening a version, and tests.
    form, problems = _check_source_once(source, filename, expected_slug)
    return form, list(problems)


@functools.lru_cache(maxsize=128)
def _check_source_once(
    source: bytes, filename: str, expected_slug: str | None
) -> tuple[FormDefinition | None, tuple[Problem, ...]]:
    form, problems = _check_source(source, filename, expected_slug)
    return form, tuple(problems)


def _check_source(
    source: bytes, filename: str, expected_slug: str | None = None
) -> tuple[FormDefinition | None, list[Problem]]:

    def problem(line: int, message: str) -> Problem:
        return Problem(filename, line, message)

    if len(source) > MAX_FILE_BYTES:
        return None, [problem(1, f"the file is larger than {MAX_FILE_BYTES / 1_000_000:g} MB")]
    try:
        text = source.decode("utf-8")
    except UnicodeDecodeError as error:
        line = source[: error.start].count(b"\n") + 1
        return None, [problem(line, "the file is not UTF-8 text")]
    try:
        data, positions = parse_yaml(text)
    except YamlProblem as error:
        return None, [problem(error.line, error.message)]
    if not isinstance(data, dict):
        return None, [
            problem(1, "a form definition is a mapping of keys such as slug, title and pages")
        ]
    try:
        return _check_data(data, positions, filename, text, source, expected_slug)
    except (
        TypeError,
        ValueError,
        KeyError,
        AttributeError,
        OverflowError,
        RecursionError,
    ) as error:
        # A shape no check foresaw (a number where a list of names belongs, a chain of
        # measures thousands deep): still a message for the author, never a traceback.
        if isinstance(error, RecursionError):
            hint = "look for something nested or chained thousands deep"
        else:
            hint = "look for a value of the wrong kind, such as a number or list where a name is expected"
        return None, [
            problem(1, f"the definition could not be checked: {hint} ({type(error).__name__})")
        ]


def _check_data(
    data: dict[str, Any],
    positions: Positions,
    filename: str,
    text: str,
    source: bytes,
    expected_slug: str | None,
) -> tuple[FormDefinition | None, list[Problem]]:
    def problem(line: int, message: str) -> Problem:
        return Problem(filename, line, message)

    found = [problem(positions.line_for(path), message) for path, message in schema_problems(data)]
    if found:
        return None, found
    found = [
        problem(positions.line_for(path), message)
        for path, message in semantic_problems(data, expected_slug)
    ]
    found += _scoring_problems(data, positions, filename)
    found += [
        problem(positions.line_for(path), message) for path, message in routing_problems(data)
    ]
    if found:
        return None, sorted(found)
    form = build_form(data, filename, text, content_hash(source))
    return form, []


def _scoring_problems(data: dict[str, Any], positions: Positions, filename: str) -> list[Problem]:
    # scoring/ owns the meaning of the scoring block; we only place its findings on lines.
    return [
        Problem(filename, positions.line_for(parse_path(item.path)), f"{item.message}")
        for item in scoring.check_form(data)
    ]


_PATH_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def parse_path(dotted: str) -> tuple[str | int, ...]:
    """Turn "scoring.points[3].field" into ("scoring", "points", 3, "field")."""
    parts: list[str | int] = []
    for name, index in _PATH_PART.findall(dotted):
        parts.append(int(index) if index else name)
    return tuple(parts)


def check_file(path: str | os.PathLike[str]) -> tuple[FormDefinition | None, list[Problem]]:
    """Check one definition file (its slug must match its name)."""
    file = Path(path)
    shown = str(path)
    if file.suffix != SUFFIX:
        return None, [Problem(shown, 1, f"form definitions are files ending in {SUFFIX}")]
    try:
        source = file.read_bytes()
    except OSError as error:
        return None, [Problem(shown, 1, f"cannot read the file: {error.strerror or error}")]
    return check_source(source, shown, expected_slug=file.stem)


def load_file(path: str | os.PathLike[str]) -> FormDefinition:
    """Load one definition file, or raise DefinitionError."""
    form, problems = check_file(path)
    if form is None:
        raise DefinitionError(problems)
    return form


def definition_files(folder: str | os.PathLike[str]) -> list[Path]:
    """Return the definition files of a folder, sorted; a .yml file is a mistake to report."""
    root = Path(folder)
    return sorted(p for p in root.iterdir() if p.is_file() and p.suffix in (SUFFIX, ".yml"))


def check_paths(
    paths: Iterable[str | os.PathLike[str]],
) -> tuple[dict[str, FormDefinition], list[Problem]]:
    """Check files and folders of definitions; return the valid forms and every problem."""
    forms: dict[str, FormDefinition] = {}
    problems: list[Problem] = []
    for path in paths:
        target = Path(path)
        if target.is_dir():
            files = definition_files(target)
        elif target.exists():
            files = [target]
        else:
            problems.append(Problem(str(path), 1, "no such file or folder"))
            continue
        for file in files:
            form, found = check_file(file)
            problems.extend(found)
            if form is not None:
                forms[form.slug] = form
    return forms, problems


def load_all(folder: str | os.PathLike[str] | None = None) -> dict[str, FormDefinition]:
    """Load every definition in a folder; raise one DefinitionError listing every problem."""
    root = Path(folder) if folder is not None else forms_dir()
    if not root.is_dir():
        raise DefinitionError([Problem(str(root), 1, "the form definitions folder does not exist")])
    forms, problems = check_paths([root])
    if problems:
        raise DefinitionError(problems)
    return forms


def load_text(
    text: str, filename: str = "<text>", expected_slug: str | None = None
) -> FormDefinition:
    """Load a definition from text (tests, previews), or raise DefinitionError."""
    form, problems = check_source(text.encode("utf-8"), filename, expected_slug)
    if form is None:
        raise DefinitionError(problems)
    return form
