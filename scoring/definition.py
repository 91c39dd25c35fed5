"""Parse and check the `scoring` block of a form definition."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from scoring.answers import AnswerChecker
from scoring.conditions import FLAGS, ConditionCompiler, Node, describe
from scoring.errors import Problem, ScoringDefinitionError
from scoring.form import MULTIPLE_CHOICE, TEXT, FormFields, read_fields
from scoring.history import LINKS
from scoring.levels import LEVELS, RANK
from scoring.rules import (
    PLACEHOLDER,
    AnswerFlagRule,
    Band,
    CountTerm,
    FlagRule,
    HistoryRule,
    Measure,
    OptionTerm,
    Override,
    SumTerm,
    Term,
    WhenTerm,
)

TOP_KEYS = (
    "instrument",
    "version",
    "source",
    "notes",
    "score",
    "measures",
    "bands",
    "overrides",
    "flags",
    "history",
    "judgement",
    "incident_date_field",
)
HISTORY_KEYS = (
    "flag",
    "about",
    "within_days",
    "at_least",
    "by",
    "include_current",
    "distinct_reporters",
    "reported_within_days",
    "hate_only",
    "level",
    "reason",
)


@dataclass(frozen=True)
class Judging:
    """Fields of the form through which a practitioner records judgement."""

    level_field: str
    reason_field: str


class Step(NamedTuple):
    """One measure to add up, or one flag's rules to run, in the order assess takes them."""

    name: str
    # A measure's terms, or None for a flag.
    terms: tuple[Term, ...] | None
    # Whether a measure's terms are given as reasons (it makes up the score).
    explained: bool
    rules: tuple[FlagRule, ...]


class Instrument:
    """A checked, compiled scoring block, ready to assess answers."""

    def __init__(
        self,
        *,
        name: str,
        version: str,
        slug: str | None,
        score: str,
        order: tuple[Node, ...],
        measures: dict[str, Measure],
        explained: frozenset[str],
        flag_rules: dict[str, tuple[FlagRule, ...]],
        bands: tuple[Band, ...],
        overrides: tuple[Override, ...],
        judging: Judging | None,
        incident_date_field: str | None,
        check_answers: AnswerChecker,
    ) -> None:
        self.name = name
        self.version = version
        self.slug = slug
        self.score = score
        self.order = order
        self.measures = measures
        # Measures whose points make up the score: only their terms are given as reasons.
        self.explained = explained
        self.flag_rules = flag_rules
        self.bands = bands
        self.overrides = overrides
        self.judging = judging
        self.incident_date_field = incident_date_field
        self.check_answers = check_answers
        self.band_limits = tuple((band.min, band.max, band) for band in bands)
        # The order with each step's terms or rules looked up once, not on every assessment.
        self.steps = tuple(
            Step(node, measures[node].terms, node in explained, ())
            if kind == "measure"
            else Step(node, None, False, flag_rules.get(node, ()))
            for kind, node in order
        )

        # The longest look back of any history rule: no earlier report can count once it is
        # further back than this (None: the instrument reads no history at all).
        self.history_days: int | None = max(
            (
                max(rule.within_days, rule.reported_within_days or 0)
                for rules in flag_rules.values()
                for rule in rules
                if isinstance(rule, HistoryRule)
            ),
            default=None,
        )

    def __repr__(self) -> str:
        return f"Instrument({self.name!r}, version={self.version!r})"


def check_form(form: Mapping[str, Any]) -> list[Problem]:
    """Return every problem in the form's scoring block; none if it has no block."""
    if not isinstance(form, Mapping):
        return [Problem("", "a form definition must be a mapping")]
    if form.get("scoring") is None:
        return []
    parser = _Parser(form)
    parser.parse(form["scoring"])
    return parser.problems


def load_instrument(form: Mapping[str, Any]) -> Instrument:
    """Parse the scoring block of a form; raise ScoringDefinitionError if invalid."""
    if not isinstance(form, Mapping):
        raise ScoringDefinitionError([Problem("", "a form definition must be a mapping")])
    if form.get("scoring") is None:
        raise ScoringDefinitionError([Problem("scoring", "the form has no scoring block")])
    parser = _Parser(form)
    instrument = parser.parse(form["scoring"])
    if parser.problems or instrument is None:
        raise ScoringDefinitionError(parser.problems)
    return instrument


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class _Parser:
    def __init__(self, form: Mapping[str, Any]) -> None:
        self.form = form
        self.fields: FormFields = read_fields(form)
        self.problems: list[Problem] = []
        self.deps: dict[Node, set[Node]] = {}
        self.node_paths: dict[Node, str] = {}
        self.term_count = 0
        # Overrides are applied after every measure and flag, so they are not graph nodes.
        self.override_deps: list[tuple[str, set[Node]]] = []

    def problem(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    def unknown_keys(self, raw: Mapping[str, Any], allowed: tuple[str, ...], path: str) -> None:
        for key in raw:
            if key not in allowed:
                self.problem(f"{path}.{key}", f"unknown key; expected one of: {', '.join(allowed)}")

    def text(self, raw: Mapping[str, Any], key: str, path: str, allowed: set[str]) -> str:
        """Read a required reason or name, checking any {placeholders}."""
        value = raw.get(key)
        if not isinstance(value, str) or not value.strip():
            self.problem(f"{path}.{key}", "is required: plain English text")
            return ""
        for name in PLACEHOLDER.findall(value):
            if name not in allowed:
                known = ", ".join("{" + item + "}" for item in sorted(allowed)) or "none"
                self.problem(
                    f"{path}.{key}", f"unknown placeholder {{{name}}}; this text can use: {known}"
                )
        return value

    def level(self, value: Any, path: str) -> str | None:
        if value not in LEVELS:
            self.problem(path, f"{describe(value)} is not a level; levels are: {', '.join(LEVELS)}")
            return None
        return str(value)

    def parse(self, block: Any) -> Instrument | None:
        path = "scoring"
        if not isinstance(block, Mapping):
            self.problem(path, "must be a mapping")
            return None
        self.unknown_keys(block, TOP_KEYS, path)
        name = self.text(block, "instrument", path, set())
        version = block.get("version")
        if not isinstance(version, str) or not version.strip():
            hint = ' (write it in quotes, such as "1.0")' if version is not None else ""
            self.problem(f"{path}.version", f"is required: the instrument's version{hint}")
        for key in ("source", "notes"):
            if key in block and not isinstance(block[key], str):
                self.problem(f"{path}.{key}", "must be text")

        raw_measures = block.get("measures")
        names: list[str] = []
        if not isinstance(raw_measures, Mapping) or not raw_measures:
            self.problem(f"{path}.measures", "is required: one or more named measures")
            raw_measures = {}
        else:
            names = [str(key) for key in raw_measures]
        self.conditions = ConditionCompiler(self.fields, names, self.problems)

        measures = {
            str(key): self.measure(str(key), value, f"{path}.measures.{key}")
            for key, value in raw_measures.items()
        }
        score = self.score_measure(block, names)
        bands = self.bands(block.get("bands"), f"{path}.bands")
        overrides = self.overrides(block.get("overrides"), f"{path}.overrides")
        incident = self.incident_field(block.get("incident_date_field"))
        rules: list[FlagRule] = []
        rules += self.flag_rules(block.get("flags"), f"{path}.flags")
        rules += self.history_rules(block.get("history"), f"{path}.history")
        judging = self.judging(block.get("judgement"), f"{path}.judgement")

        flag_rules: dict[str, list[FlagRule]] = {}
        for index, rule in enumerate(rules):
            rule.index = index
            flag_rules.setdefault(rule.code, []).append(rule)
        self.check_flags_are_set(set(flag_rules))
        order = self.order()
        if self.problems or score is None:
            return None
        return Instrument(
            name=name,
            version=str(version),
            slug=self.form.get("slug") if isinstance(self.form.get("slug"), str) else None,
            score=score,
            order=order,
            measures=measures,
            explained=self.contributing(score, measures),
            flag_rules={code: tuple(items) for code, items in flag_rules.items()},
            bands=bands,
            overrides=overrides,
            judging=judging,
            incident_date_field=incident,
            check_answers=AnswerChecker(self.fields),
        )

    # Measures ---------------------------------------------------------------

    def measure(self, name: str, raw: Any, path: str) -> Measure:
        node = ("measure", name)
        self.deps[node] = set()
        self.node_paths[node] = path
        if not name.isidentifier() or not name.islower():
            self.problem(path, "a measure's name must be lower case letters, digits and _")
        if not isinstance(raw, list) or not raw:
            self.problem(path, "must be a list of one or more terms")
            return Measure(name, path, ())
        terms = [self.term(node, item, f"{path}[{i}]") for i, item in enumerate(raw)]
        kept = tuple(term for term in terms if term is not None)
        for term in kept:
            self.term_count += 1
            term.order = self.term_count
        return Measure(name, path, kept)

    def term(self, node: Node, raw: Any, path: str) -> Term | None:
        if not isinstance(raw, Mapping):
            self.problem(path, "a term must be a mapping: when, field, count or sum")
            return None
        kinds = [key for key in ("when", "field", "count", "sum") if key in raw]
        if len(kinds) != 1:
            self.problem(path, "a term needs exactly one of: when, field, count, sum")
            return None
        kind = kinds[0]
        if kind == "sum":
            return self.sum_term(node, raw, path)
        if kind == "count":
            return self.count_term(raw, path)
        if kind == "field":
            return self.option_term(raw, path)
        self.unknown_keys(raw, ("when", "points", "reason"), path)
        predicate, deps = self.conditions.compile(raw["when"], f"{path}.when")
        self.deps[node] |= deps
        points = raw.get("points")
        if not isinstance(points, int) or isinstance(points, bool):
            self.problem(f"{path}.points", "is required: a whole number of points")
            points = 0
        reason = self.text(raw, "reason", path, {"points"})
        return WhenTerm(path, predicate, points, reason)

    def sum_term(self, node: Node, raw: Mapping[str, Any], path: str) -> Term | None:
        self.unknown_keys(raw, ("sum",), path)
        items = raw["sum"]
        if not isinstance(items, list) or not items:
            self.problem(f"{path}.sum", "must list one or more measures")
            return None
        known = set(self.conditions.measures)
        for i, item in enumerate(items):
            if item not in known:
                self.problem(f"{path}.sum[{i}]", f"there is no measure called {describe(item)}")
            else:
                self.deps[node].add(("measure", str(item)))
        return SumTerm(path, tuple(str(item) for item in items))

    def count_term(self, raw: Mapping[str, Any], path: str) -> Term | None:
        self.unknown_keys(raw, ("count", "equals", "points", "reason"), path)
        names = raw["count"]
        value = raw.get("equals")
        if not isinstance(names, list) or not names:
            self.problem(f"{path}.count", "must list one or more fields")
            names = []
        if "equals" not in raw:
            self.problem(f"{path}.equals", "is required: the answer to count")
        seen: set[str] = set()
        for i, item in enumerate(names):
            info = self.conditions.field(item, f"{path}.count[{i}]")
            if item in seen:
                self.problem(f"{path}.count[{i}]", f"{item!r} is counted twice")
            seen.add(str(item))
            if info is None or "equals" not in raw:
                continue
            if info.options is None or info.type in MULTIPLE_CHOICE:
                self.problem(f"{path}.count[{i}]", f"{item!r} is not a single-choice field")
            else:
                self.conditions.option(info, value, f"{path}.equals")
        each = raw.get("points", 1)
        if not _is_int(each):
            self.problem(f"{path}.points", "must be a whole number of points for each answer")
            each = 1
        reason = self.text(raw, "reason", path, {"count", "of", "unanswered", "points"})
        return CountTerm(path, tuple(str(name) for name in names), str(value), each, reason)

    def option_term(self, raw: Mapping[str, Any], path: str) -> Term | None:
        self.unknown_keys(raw, ("field", "points", "reason"), path)
        info = self.conditions.field(raw["field"], f"{path}.field")
        points = raw.get("points")
        reason = self.text(raw, "reason", path, {"option", "points"})
        if not isinstance(points, Mapping) or not points:
            self.problem(f"{path}.points", "must map options to points, such as {some: 2}")
            return None
        if info is None:
            return None
        if info.options is None:
            self.problem(f"{path}.field", f"{info.name!r} has no options to give points to")
            return None
        table: dict[str, int] = {}
        for option, value in points.items():
            where = f"{path}.points.{option}"
            if self.conditions.option(info, option, where) and not _is_int(value):
                self.problem(where, "must be a whole number of points")
            elif isinstance(option, str) and _is_int(value):
                table[option] = value
        multiple = info.type in MULTIPLE_CHOICE
        return OptionTerm(path, info.name, table, dict(info.options), multiple, reason)

    def score_measure(self, block: Mapping[str, Any], names: list[str]) -> str | None:
        score = block.get("score")
        if score is None:
            if len(names) == 1:
                return names[0]
            if names:
                self.problem("scoring.score", "is required when there are several measures")
            return None
        if score not in names:
            self.problem("scoring.score", f"there is no measure called {describe(score)}")
            return None
        return str(score)

    def contributing(self, score: str, measures: Mapping[str, Measure]) -> frozenset[str]:
        found: set[str] = set()
        todo = [score]
        while todo:
            name = todo.pop()
            if name in found:
                continue
            found.add(name)
            for term in measures[name].terms:
                if isinstance(term, SumTerm):
                    todo.extend(term.measures)
        return frozenset(found)

    # Bands and levels ----------------------------------------------------------

    def bands(self, raw: Any, path: str) -> tuple[Band, ...]:
        if not isinstance(raw, Mapping) or not raw:
            self.problem(path, "is required: a band for each level, such as standard: {max: 9}")
            return ()
        bands: list[Band] = []
        for level, spec in raw.items():
            where = f"{path}.{level}"
            if level not in LEVELS:
                self.problem(
                    where, f"{describe(level)} is not a level; levels are: {', '.join(LEVELS)}"
                )
                continue
            if not isinstance(spec, Mapping):
                self.problem(where, "must be a mapping with min, max and reason")
                continue
            self.unknown_keys(spec, ("min", "max", "reason"), where)
            bounds: list[int | None] = []
            for key in ("min", "max"):
                value = spec.get(key)
                if value is not None and not _is_int(value):
                    self.problem(f"{where}.{key}", "must be a whole number")
                    value = None
                bounds.append(value)
            reason = None
            if "reason" in spec:
                reason = self.text(spec, "reason", where, {"score", "level", "min", "max"})
            bands.append(Band(str(level), where, bounds[0], bounds[1], reason))
        self.check_layout(bands, path)
        return tuple(bands)

    def check_layout(self, bands: list[Band], path: str) -> None:
        """Report bands out of order, overlapping, or leaving a score with no level."""
        for before, after in zip(bands, bands[1:], strict=False):
            if RANK[after.level] <= RANK[before.level]:
                self.problem(
                    after.path,
                    f"bands must go from the lowest level up: {after.level} is listed after "
                    f"{before.level}",
                )
                return
        upside_down = [
            band
            for band in bands
            if band.min is not None and band.max is not None and band.min > band.max
        ]
        for band in upside_down:
            self.problem(f"{band.path}.min", f"{band.min} is above the band's max, {band.max}")
        if not bands or upside_down:
            return
        if bands[0].min is not None:
            self.problem(
                f"{bands[0].path}.min",
                f"the lowest band must have no min: a score below {bands[0].min} would have "
                "no level",
            )
        if bands[-1].max is not None:
            self.problem(
                f"{bands[-1].path}.max",
                f"the highest band must have no max: a score above {bands[-1].max} would "
                "have no level",
            )
        for before, after in zip(bands, bands[1:], strict=False):
            if before.max is None:
                self.problem(f"{before.path}.max", f"is required: where {before.level} ends")
                continue
            if after.min is None:
                self.problem(f"{after.path}.min", f"is required: where {after.level} starts")
                continue
            if after.min <= before.max:
                self.problem(
                    f"{after.path}.min",
                    f"{after.level} starts at {after.min} but {before.level} runs to "
                    f"{before.max}: the bands overlap",
                )
            elif after.min > before.max + 1:
                gap = (
                    f"a score of {before.max + 1}"
                    if after.min == before.max + 2
                    else f"scores {before.max + 1} to {after.min - 1}"
                )
                self.problem(
                    f"{after.path}.min",
                    f"{before.level} ends at {before.max} and {after.level} starts at "
                    f"{after.min}: {gap} would have no level",
                )

    def overrides(self, raw: Any, path: str) -> tuple[Override, ...]:
        found: list[Override] = []
        for where, item in self.items(raw, path):
            self.unknown_keys(item, ("when", "level", "reason"), where)
            predicate, deps = self.conditions.compile(item.get("when"), f"{where}.when")
            self.override_deps.append((where, deps))
            level = self.level(item.get("level"), f"{where}.level")
            reason = self.text(item, "reason", where, set())
            if level is not None:
                found.append(Override(where, predicate, level, reason))
        return tuple(found)

    def items(self, raw: Any, path: str) -> list[tuple[str, Mapping[str, Any]]]:
        if raw is None:
            return []
        if not isinstance(raw, list):
            self.problem(path, "must be a list")
            return []
        found = []
        for i, item in enumerate(raw):
            if isinstance(item, Mapping):
                found.append((f"{path}[{i}]", item))
            else:
                self.problem(f"{path}[{i}]", "must be a mapping")
        return found

    # Flags ---------------------------------------------------------------------

    def flag_code(self, item: Mapping[str, Any], where: str) -> str | None:
        code = item.get("flag")
        if code not in FLAGS:
            self.problem(
                f"{where}.flag",
                f"unknown flag {describe(code)}; flags are: {', '.join(sorted(FLAGS))}",
            )
            return None
        node = ("flag", str(code))
        self.deps.setdefault(node, set())
        self.node_paths.setdefault(node, where)
        return str(code)

    def optional_level(self, item: Mapping[str, Any], where: str) -> str | None:
        return self.level(item["level"], f"{where}.level") if "level" in item else None

    def flag_rules(self, raw: Any, path: str) -> list[FlagRule]:
        found: list[FlagRule] = []
        for where, item in self.items(raw, path):
            self.unknown_keys(item, ("flag", "when", "level", "reason"), where)
            code = self.flag_code(item, where)
            predicate, deps = self.conditions.compile(item.get("when"), f"{where}.when")
            level = self.optional_level(item, where)
            reason = self.text(item, "reason", where, set())
            if code is not None:
                self.deps[("flag", code)] |= deps
                found.append(AnswerFlagRule(where, code, predicate, level, reason))
        return found

    def history_rules(self, raw: Any, path: str) -> list[FlagRule]:
        found: list[FlagRule] = []
        for where, item in self.items(raw, path):
            self.unknown_keys(item, HISTORY_KEYS, where)
            code = self.flag_code(item, where)
            about = item.get("about")
            if (
                not isinstance(about, list)
                or not about
                or not all(isinstance(link, str) and link in LINKS for link in about)
            ):
                self.problem(
                    f"{where}.about", "must list one or more of: person, address, location, problem"
                )
                about = []
            numbers: dict[str, int | None] = {}
            for key, smallest, required in (
                ("within_days", 0, True),
                ("at_least", 1, True),
                ("reported_within_days", 0, False),
            ):
                value = item.get(key)
                if value is None and not required:
                    numbers[key] = None
                elif not isinstance(value, int) or isinstance(value, bool) or value < smallest:
                    self.problem(f"{where}.{key}", f"must be a whole number, {smallest} or more")
                    numbers[key] = smallest
                else:
                    numbers[key] = value
            switches: dict[str, bool] = {}
            for key, default in (
                ("include_current", True),
                ("distinct_reporters", False),
                ("hate_only", False),
            ):
                value = item.get(key, default)
                if not isinstance(value, bool):
                    self.problem(f"{where}.{key}", "must be true or false")
                    value = default
                switches[key] = value
            by = item.get("by", "reported_on")
            if by not in ("reported_on", "incident_date"):
                self.problem(f"{where}.by", "must be reported_on or incident_date")
            level = self.optional_level(item, where)
            reason = self.text(item, "reason", where, {"count", "at_least", "days"})
            if code is None:
                continue
            if switches["hate_only"]:
                # The report being assessed counts only once hate_incident is known.
                self.deps[("flag", code)].add(("flag", "hate_incident"))
            found.append(
                HistoryRule(
                    path=where,
                    code=code,
                    level=level,
                    reason=reason,
                    about=frozenset(about),
                    within_days=numbers["within_days"] or 0,
                    at_least=numbers["at_least"] or 1,
                    by_incident=by == "incident_date",
                    include_current=switches["include_current"],
                    distinct_reporters=switches["distinct_reporters"],
                    reported_within_days=numbers["reported_within_days"],
                    hate_only=switches["hate_only"],
                )
            )
        return found

    def check_flags_are_set(self, set_by_rules: set[str]) -> None:
        users = [(self.node_paths[node], deps) for node, deps in self.deps.items()]
        for path, deps in users + self.override_deps:
            for kind, code in sorted(deps):
                if kind == "flag" and code not in set_by_rules:
                    self.problem(
                        path, f"refers to the flag {code}, which no rule in this block sets"
                    )

    def incident_field(self, raw: Any) -> str | None:
        if raw is None:
            return None
        info = self.conditions.field(raw, "scoring.incident_date_field")
        if info is not None and info.type != "date":
            self.problem("scoring.incident_date_field", f"{info.name!r} is not a date field")
            return None
        return info.name if info is not None else None

    def judging(self, raw: Any, path: str) -> Judging | None:
        if raw is None:
            return None
        if not isinstance(raw, Mapping):
            self.problem(path, "must be a mapping with level_field and reason_field")
            return None
        self.unknown_keys(raw, ("level_field", "reason_field"), path)
        level = self.conditions.field(raw.get("level_field"), f"{path}.level_field")
        reason = self.conditions.field(raw.get("reason_field"), f"{path}.reason_field")
        if level is not None and (
            level.options is None
            or level.type in MULTIPLE_CHOICE
            or not set(level.options) <= set(LEVELS)
        ):
            self.problem(
                f"{path}.level_field",
                f"{level.name!r} must be a single-choice field whose options are levels "
                f"({', '.join(LEVELS)})",
            )
            level = None
        if reason is not None and reason.type not in TEXT:
            self.problem(f"{path}.reason_field", f"{reason.name!r} must be a text field")
            reason = None
        if level is None or reason is None:
            return None
        return Judging(level.name, reason.name)

    # Order and cycles ------------------------------------------------------------

    def order(self) -> tuple[Node, ...]:
        """Order measures and flags so each comes after what it uses; report cycles."""
        done: list[Node] = []
        state: dict[Node, int] = {}
        stack: list[Node] = []
        reported: set[frozenset[Node]] = set()

        def visit(node: Node) -> None:
            if state.get(node) == 2:
                return
            if state.get(node) == 1:
                cycle = stack[stack.index(node) :] + [node]
                key = frozenset(cycle)
                if key not in reported:
                    reported.add(key)
                    chain = " → ".join(f"{kind} {name}" for kind, name in cycle)
                    self.problem(
                        self.node_paths.get(node, "scoring"),
                        f"these rules depend on each other in a circle: {chain}",
                    )
                return
            state[node] = 1
            stack.append(node)
            for dep in sorted(self.deps.get(node, ())):
                visit(dep)
            stack.pop()
            state[node] = 2
            done.append(node)

        for node in self.deps:
            visit(node)
        return tuple(done)
