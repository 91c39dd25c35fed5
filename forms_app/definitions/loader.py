"""Parse YAML into plain data while remembering the line of every node.

Form authors are not developers, so every problem must point at a line. PyYAML
forgets positions once it builds Python objects; this loader composes the node
tree itself, records each node's start mark against its path in the data, and
only then builds plain dicts, lists and scalars. It never constructs arbitrary
Python objects (it extends SafeLoader) and rejects duplicate keys, which PyYAML
would otherwise resolve silently by keeping the last one.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

Path = tuple[str | int, ...]

# Authors edit these files by hand; anything near this size is a mistake or an
# alias bomb, and must not exhaust memory during start-up.
MAX_NODES = 200_000
MAX_DEPTH = 64


class YamlProblem(Exception):
    """The text is not YAML the form engine accepts."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


@dataclass
class Positions:
    """Where each value (and each mapping key) starts in the source, 1-based."""

    values: dict[Path, int] = field(default_factory=dict)
    keys: dict[Path, int] = field(default_factory=dict)

    def line_for(self, path: Path) -> int:
        """Return the best line for a path: its key, its value, or the nearest parent."""
        current = tuple(path)
        while current:
            if current in self.keys:
                return self.keys[current]
            if current in self.values:
                return self.values[current]
            current = current[:-1]
        return self.values.get((), 1)


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps dates as the text the author wrote.

    Answers and conditions carry dates as "YYYY-MM-DD" strings; PyYAML would
    turn an unquoted 2024-01-31 into a date object and 2024-02-31 into an
    exception.
    """


def _timestamp_as_text(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    return loader.construct_scalar(node) if isinstance(node, yaml.ScalarNode) else None


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)


def parse_yaml(text: str) -> tuple[Any, Positions]:
    """Parse one YAML document, returning the data and the positions of its nodes."""
    loader: _Loader | None = None
    try:
        loader = _Loader(text)
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else 1
        reason = error.problem or error.context or "this is not valid YAML"
        raise YamlProblem(line, f"not valid YAML: {reason}") from None
    except yaml.reader.ReaderError as error:
        # A character YAML does not allow in a file, such as a NUL byte or an escape.
        line = text[: error.position].count("\n") + 1
        raise YamlProblem(
            line, f"not valid YAML: the character {_code_point(error.character)} is not allowed"
        ) from None
    except yaml.YAMLError as error:
        raise YamlProblem(1, f"not valid YAML: {error}") from None
    except RecursionError:
        # PyYAML recurses as it composes nested lists and mappings, before MAX_DEPTH is checked.
        raise YamlProblem(1, "the file is nested too deeply") from None
    finally:
        if loader is not None:
            loader.dispose()
    positions = Positions()
    if node is None:
        return None, positions
    builder = _Builder(loader, positions)
    return builder.build(node, (), 0), positions


def _code_point(character: object) -> str:
    value = character if isinstance(character, int) else ord(str(character)[:1] or "\0")
    return f"U+{value:04X}"


_PLAIN_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")
_MERGE_TAG = "tag:yaml.org,2002:merge"


class _Builder:
    def __init__(self, loader: _Loader, positions: Positions) -> None:
        self.loader = loader
        self.positions = positions
        self.count = 0

    def build(self, node: yaml.Node, path: Path, depth: int) -> Any:
        self.count += 1
        line = node.start_mark.line + 1
        if self.count > MAX_NODES:
            raise YamlProblem(line, "the file is too large or repeats itself through aliases")
        if depth > MAX_DEPTH:
            raise YamlProblem(line, "the file is nested too deeply")
        self.positions.values.setdefault(path, line)
        if isinstance(node, yaml.MappingNode | yaml.SequenceNode) and node.tag not in _PLAIN_TAGS:
            raise YamlProblem(line, f"not valid YAML: the tag {node.tag} is not allowed here")
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            return [
                self.build(item, (*path, index), depth + 1) for index, item in enumerate(node.value)
            ]
        return self._scalar(node, line)

    def _scalar(self, node: yaml.Node, line: int) -> Any:
        try:
            return self.loader.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as error:
            reason = error.problem or "this value cannot be read"
            raise YamlProblem(line, f"not valid YAML: {reason}") from None
        except (ValueError, KeyError, TypeError, OverflowError):
            # A tag the value does not fit (`!!int abc`), or a number too long to read.
            raise YamlProblem(
                line, f"not valid YAML: the value {node.tag} cannot be read"
            ) from None

    def _mapping(self, node: yaml.MappingNode, path: Path, depth: int) -> dict[str, Any]:
        written = sum(1 for key_node, _ in node.value if key_node.tag != _MERGE_TAG)
        try:
            self.loader.flatten_mapping(node)
        except yaml.constructor.ConstructorError as error:
            mark = error.problem_mark
            line = mark.line + 1 if mark is not None else node.start_mark.line + 1
            raise YamlProblem(line, f"not valid YAML: {error.problem}") from None
        # flatten_mapping puts the pairs merged in (`<<: *name`) before those written here, in
        # the order in which assigning them gives YAML's meaning: a key written here replaces
        # a merged one. Only a key written twice here is a mistake.
        merged_pairs = len(node.value) - written
        merged_keys: set[str] = set()
        result: dict[str, Any] = {}
        for index, (key_node, value_node) in enumerate(_pairs(node)):
            key_line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlProblem(key_line, "a key must be a plain word, not a list or mapping")
            key = self._scalar(key_node, key_line)
            if not isinstance(key, str):
                # YAML reads `yes:` or `1:` as a boolean or number; keys here are names.
                key = key_node.value
            if key in result and key not in merged_keys:
                first = self.positions.keys.get((*path, key), key_line)
                raise YamlProblem(
                    key_line, f"`{key}` appears twice in the same mapping (first on line {first})"
                )
            if index < merged_pairs:
                merged_keys.add(key)
            else:
                merged_keys.discard(key)
            self.positions.keys[(*path, key)] = key_line
            result[key] = self.build(value_node, (*path, key), depth + 1)
        return result


def _pairs(node: yaml.MappingNode) -> Iterator[tuple[yaml.Node, yaml.Node]]:
    yield from node.value
