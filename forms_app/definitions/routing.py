"""The `routing` block: who a submission is about, and which team owns the case it becomes.

Pure data handling, like the rest of this package: it parses and checks the block and answers
questions about a set of answers (who the people are, which rule routes them). The intake worker
does the rest (matching, writing, notifying). docs/form-definitions.md describes the block.

    routing:
      case_type: asb                           # optional; default: the form's slug
      default_team: northdale-council/asb-team # organisation slug / team slug
      postcode_field: incident_location        # optional: the answer whose postcode routes
      areas:                                   # optional: named lists of postcode districts
        estates: [ND7, ND8]                    #   or sectors ("ND8 1")
      rules:                                   # optional: the first rule that holds wins
        - team: northdale-homes/tenancy-enforcement
          area: estates                        # any of: area, postcode_district, risk_level,
          risk_level: [medium, high]           #   when (a condition on the answers);
          when: {field: asb_category, equals: personal}   # all that are given must hold
      related_reports:                         # optional: add to an open case instead
        within_days: 28                        #   same victim, within this many days,
        same_answer: asb_category              #   and the same answer to this question
      hate_incident: {field: targeted_identity, answered: true}   # optional condition
      location: incident_location              # optional: a location or address field
      people:                                  # who the report names, in roles
        - role: reporter
          unless: {field: report_anonymously, equals: "yes"}
          name: contact_name                   # a full-name text field, or
          # first_name: …  last_name: …        #   separate fields
          date_of_birth: contact_date_of_birth
          email: contact_email
          phone: [contact_phone, contact_mobile]   # the first one answered
          address: contact_address
        - role: victim
          when: {field: reporter_is_victim, equals: "yes"}
          same_as: reporter
        - role: perpetrator
          page: people-responsible             # a repeating page: one person per item
          person: responsible_person           # a `person` field on that page
        - role: subject
          person: subject                      # a `person` field on an ordinary page
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .checks import comparison_problems, option_values
from .conditions import OPERATORS, Condition, evaluate, parse_condition

Path = tuple[str | int, ...]
Found = tuple[Path, str]

ROLES = ("reporter", "victim", "perpetrator", "witness", "subject")
LEVELS = ("standard", "medium", "high")
TEAM = re.compile(r"^[a-z0-9][a-z0-9-]*/[a-z0-9][a-z0-9-]*$")
DISTRICT = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]?( [0-9])?$")
PERSON_KEYS = ("name", "first_name", "last_name", "date_of_birth", "email", "phone", "address")
TOP_KEYS = (
    "case_type",
    "default_team",
    "postcode_field",
    "areas",
    "rules",
    "related_reports",
    "hate_incident",
    "location",
    "people",
)
RULE_KEYS = ("team", "area", "postcode_district", "risk_level", "when")


@dataclass(frozen=True)
class PersonSource:
    role: str
    when: Condition | None = None
    unless: Condition | None = None
    same_as: str | None = None
    page: str | None = None
    person: str | None = None
    fields: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Rule:
    team: str
    areas: tuple[str, ...] = ()
    districts: tuple[str, ...] = ()
    risk_levels: tuple[str, ...] = ()
    when: Condition | None = None


@dataclass(frozen=True)
class Named:
    """A person as the answers give them: plain parts, any of which may be missing."""

    role: str
    first_name: str | None = None
    last_name: str | None = None
    date_of_birth: str | None = None
    email: str | None = None
    phone: str | None = None
    address: Mapping[str, str] | None = None
    age: str | None = None
    description: str | None = None
    same_as: str | None = None  # the role of an earlier entry this one is the same person as

    @property
    def identifiable(self) -> bool:
        """Whether anything names the person (a description alone does not)."""
        return any((self.first_name, self.last_name, self.date_of_birth, self.email, self.phone))

    @property
    def matchable(self) -> bool:
        """Whether there is enough to look for the person among the people held: a contact
        detail, a full name, or one name with a date of birth or an address. A first name
        alone ("Jo") cannot tell one Jo the partnership knows from another, so it is kept as
        given without a search."""
        names = bool(self.first_name) + bool(self.last_name)
        located = bool(self.date_of_birth or self.address)
        return bool(self.email or self.phone) or names == 2 or bool(names and located)


@dataclass(frozen=True)
class Routing:
    case_type: str
    default_team: str
    postcode_field: str | None
    areas: Mapping[str, tuple[str, ...]]
    rules: tuple[Rule, ...]
    related_within_days: int | None
    related_same_answer: str | None
    hate_incident: Condition | None
    location: str | None
    people: tuple[PersonSource, ...]

    @classmethod
    def parse(cls, block: Mapping[str, Any], slug: str) -> Routing:
        """Build the routing of a checked block."""
        related = block.get("related_reports") or {}
        return cls(
            case_type=str(block.get("case_type") or slug),
            default_team=str(block["default_team"]),
            postcode_field=block.get("postcode_field"),
            areas={name: tuple(_strings(v)) for name, v in (block.get("areas") or {}).items()},
            rules=tuple(
                Rule(
                    team=rule["team"],
                    areas=tuple(_strings(rule.get("area"))),
                    districts=tuple(d.upper() for d in _strings(rule.get("postcode_district"))),
                    risk_levels=tuple(_strings(rule.get("risk_level"))),
                    when=parse_condition(rule["when"]) if "when" in rule else None,
                )
                for rule in block.get("rules") or ()
            ),
            related_within_days=related.get("within_days"),
            related_same_answer=related.get("same_answer"),
            hate_incident=(
                parse_condition(block["hate_incident"]) if "hate_incident" in block else None
            ),
            location=block.get("location"),
            people=tuple(_person_source(item) for item in block.get("people") or ()),
        )

    def named_people(self, answers: Mapping[str, Any]) -> list[Named]:
        """Everyone the answers name, in the order of the block (a role may repeat)."""
        found: list[Named] = []
        roles_present: set[str] = set()
        for source in self.people:
            if source.when is not None and not evaluate(source.when, answers):
                continue
            if source.unless is not None and evaluate(source.unless, answers):
                continue
            if source.same_as is not None:
                if source.same_as in roles_present:
                    found.append(Named(role=source.role, same_as=source.same_as))
                    roles_present.add(source.role)
                continue
            if source.page is None and source.person is not None:
                named = _from_person_field(source.role, answers.get(source.person))
                if named is not None:
                    found.append(named)
                    roles_present.add(source.role)
                continue
            if source.page is not None and source.person is not None:
                for item in answers.get(source.page) or ():
                    if isinstance(item, Mapping):
                        named = _from_person_field(source.role, item.get(source.person))
                        if named is not None:
                            found.append(named)
                            roles_present.add(source.role)
                continue
            named = _from_fields(source.role, source.fields, answers)
            if named is not None:
                found.append(named)
                roles_present.add(source.role)
        return found

    def postcode(self, answers: Mapping[str, Any]) -> str | None:
        return _postcode_of(answers.get(self.postcode_field)) if self.postcode_field else None

    def team_for(self, answers: Mapping[str, Any], risk_level: str) -> str:
        """The team of the first rule that holds, or the default team."""
        postcode = self.postcode(answers)
        for rule in self.rules:
            if rule.risk_levels and risk_level not in rule.risk_levels:
                continue
            if rule.districts and not _in_districts(postcode, rule.districts):
                continue
            if rule.areas and not any(
                _in_districts(postcode, self.areas.get(area, ())) for area in rule.areas
            ):
                continue
            if rule.when is not None and not evaluate(rule.when, answers):
                continue
            return rule.team
        return self.default_team

    def problem(self, answers: Mapping[str, Any]) -> str | None:
        """The answer that says which problem this is (compared for related reports)."""
        if not self.related_same_answer:
            return None
        value = answers.get(self.related_same_answer)
        if isinstance(value, list):
            return ",".join(sorted(str(v) for v in value)) or None
        return str(value) if value not in (None, "") else None

    def is_hate_incident(self, answers: Mapping[str, Any]) -> bool:
        return self.hate_incident is not None and evaluate(self.hate_incident, answers)

    def place(self, answers: Mapping[str, Any]) -> Mapping[str, str] | None:
        """The location the report is about, as its parts (line1, town, postcode, description)."""
        if not self.location:
            return None
        value = answers.get(self.location)
        if not isinstance(value, Mapping):
            return None
        parts = {k: str(v).strip() for k, v in value.items() if isinstance(v, str) and v.strip()}
        return parts or None


def district_of(postcode: str | None) -> str | None:
    """The outward code of a UK postcode ("SW1A 1AA" gives "SW1A")."""
    if not postcode:
        return None
    compact = re.sub(r"\s+", "", postcode.upper())
    if len(compact) < 5:
        return compact or None
    return compact[:-3]


def _in_districts(postcode: str | None, districts: Sequence[str]) -> bool:
    if not postcode:
        return False
    compact = re.sub(r"\s+", "", postcode.upper())
    outward = district_of(postcode)
    sector = f"{outward} {compact[-3]}" if outward and len(compact) >= 5 else None
    return any(d == outward or d == sector for d in districts)


def _strings(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(item) for item in value]


def _person_source(item: Mapping[str, Any]) -> PersonSource:
    return PersonSource(
        role=item["role"],
        when=parse_condition(item["when"]) if "when" in item else None,
        unless=parse_condition(item["unless"]) if "unless" in item else None,
        same_as=item.get("same_as"),
        page=item.get("page"),
        person=item.get("person"),
        fields={key: tuple(_strings(item[key])) for key in PERSON_KEYS if key in item},
    )


def _text(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _first(answers: Mapping[str, Any], names: Sequence[str]) -> Any:
    for name in names:
        value = answers.get(name)
        if value not in (None, "", [], {}):
            return value
    return None


def _split_name(full: str) -> tuple[str | None, str | None]:
    parts = full.split()
    if len(parts) == 1:
        return parts[0], None
    return " ".join(parts[:-1]), parts[-1]


def _from_fields(
    role: str, fields: Mapping[str, tuple[str, ...]], answers: Mapping[str, Any]
) -> Named | None:
    first = _text(_first(answers, fields.get("first_name", ())))
    last = _text(_first(answers, fields.get("last_name", ())))
    full = _text(_first(answers, fields.get("name", ())))
    if full and not (first or last):
        first, last = _split_name(full)
    address = _first(answers, fields.get("address", ()))
    named = Named(
        role=role,
        first_name=first,
        last_name=last,
        date_of_birth=_text(_first(answers, fields.get("date_of_birth", ()))),
        email=_text(_first(answers, fields.get("email", ()))),
        phone=_text(_first(answers, fields.get("phone", ()))),
        address=_address_parts(address),
    )
    return named if named.identifiable else None


def _from_person_field(role: str, value: Any) -> Named | None:
    if not isinstance(value, Mapping):
        return None
    first, last = _text(value.get("first_name")), _text(value.get("last_name"))
    full = _text(value.get("name") or value.get("full_name"))
    if full and not (first or last):
        first, last = _split_name(full)
    known_as = _text(value.get("known_as"))
    description = "\n".join(
        text
        for text in (_text(value.get("description")), known_as and f"Known as {known_as}")
        if text
    )
    named = Named(
        role=role,
        first_name=first or known_as,
        last_name=last,
        date_of_birth=_text(value.get("date_of_birth")),
        email=_text(value.get("email")),
        phone=_text(value.get("phone")),
        age=_text(str(value["approximate_age"])) if value.get("approximate_age") else None,
        description=description or None,
    )
    return named if (named.identifiable or named.description) else None


def _address_parts(value: Any) -> Mapping[str, str] | None:
    if not isinstance(value, Mapping):
        return None
    parts = {k: str(v).strip() for k, v in value.items() if isinstance(v, str) and v.strip()}
    return parts or None


def _postcode_of(value: Any) -> str | None:
    if isinstance(value, Mapping):
        return _text(value.get("postcode"))
    return _text(value)


# --- checking ------------------------------------------------------------------------------


def routing_problems(data: Mapping[str, Any]) -> list[Found]:
    """Every problem of a definition's routing block (none when it has no block)."""
    block = data.get("routing")
    if block is None:
        return []
    return list(_Checker(data, block).run())


class _Checker:
    def __init__(self, data: Mapping[str, Any], block: Any) -> None:
        self.block = block
        self.fields: dict[str, Mapping[str, Any]] = {}
        self.page_of: dict[str, Mapping[str, Any]] = {}
        self.pages: dict[str, Mapping[str, Any]] = {}
        lists = data.get("lists")
        self.lists: Mapping[str, Any] = lists if isinstance(lists, Mapping) else {}
        for page in data.get("pages") or ():
            if not isinstance(page, Mapping):
                continue
            self.pages[str(page.get("id"))] = page
            for item in _all_fields(page.get("fields") or ()):
                if isinstance(item.get("name"), str):
                    self.fields[item["name"]] = item
                    self.page_of[item["name"]] = page

    def run(self) -> Iterator[Found]:
        root: Path = ("routing",)
        block = self.block
        if not isinstance(block, Mapping):
            yield root, "routing is a mapping with at least default_team"
            return
        for key in block:
            if key not in TOP_KEYS:
                yield root + (key,), f"routing has no setting {key!r}; use {', '.join(TOP_KEYS)}"
        if "default_team" not in block:
            yield root, "routing needs default_team (organisation-slug/team-slug)"
        else:
            yield from self._team(block["default_team"], root + ("default_team",))
        if "case_type" in block and not _is_name(block["case_type"]):
            yield root + ("case_type",), "case_type is a short lower-case name such as asb"
        for key in ("postcode_field", "location"):
            if key in block:
                yield from self._field_ref(
                    block[key], root + (key,), types=("location", "address", "postcode")
                )
        areas = block.get("areas") or {}
        if not isinstance(areas, Mapping):
            yield root + ("areas",), "areas maps a name to a list of postcode districts"
            areas = {}
        for name, districts in areas.items():
            for index, district in enumerate(_strings(districts)):
                if not DISTRICT.match(district):
                    yield (
                        root + ("areas", name, index),
                        f"{district!r} is not a postcode district (ND7) or sector (ND7 1)",
                    )
        rules = block.get("rules") or []
        if not isinstance(rules, list):
            yield root + ("rules",), "rules is a list"
            rules = []
        for index, rule in enumerate(rules):
            yield from self._rule(rule, root + ("rules", index), areas)
        if "related_reports" in block:
            yield from self._related(block["related_reports"], root + ("related_reports",))
        if "hate_incident" in block:
            yield from self._condition(block["hate_incident"], root + ("hate_incident",))
        people = block.get("people") or []
        if not isinstance(people, list):
            yield root + ("people",), "people is a list"
            people = []
        seen: list[str] = []
        for index, item in enumerate(people):
            yield from self._person(item, root + ("people", index), seen)

    def _team(self, value: Any, path: Path) -> Iterator[Found]:
        if not isinstance(value, str) or not TEAM.match(value):
            yield (
                path,
                "a team is written organisation-slug/team-slug, e.g. northdale-council/asb-team",
            )

    def _field_ref(
        self, name: Any, path: Path, *, types: Sequence[str] | None = None, page: str | None = None
    ) -> Iterator[Found]:
        if not isinstance(name, str) or name not in self.fields:
            yield path, f"{name!r} is not a field of this form"
            return
        if types is not None and self.fields[name].get("type") not in types:
            yield path, f"{name} must be a field of type {' or '.join(types)}"
        owner = self.page_of[name]
        if page is None and owner.get("repeat"):
            yield path, f"{name} is on a repeating page; name that page with `page:`"
        if page is not None and owner.get("id") != page:
            yield path, f"{name} is not on the page {page}"

    def _rule(self, rule: Any, path: Path, areas: Mapping[str, Any]) -> Iterator[Found]:
        if not isinstance(rule, Mapping):
            yield path, "a rule is a mapping with team and what must hold"
            return
        for key in rule:
            if key not in RULE_KEYS:
                yield path + (key,), f"a rule has no setting {key!r}; use {', '.join(RULE_KEYS)}"
        if "team" not in rule:
            yield path, "a rule needs a team"
        else:
            yield from self._team(rule["team"], path + ("team",))
        if not any(key in rule for key in RULE_KEYS[1:]):
            yield path, "a rule needs at least one of area, postcode_district, risk_level, when"
        if ("area" in rule or "postcode_district" in rule) and not self.block.get("postcode_field"):
            yield path, "rules on postcodes need routing.postcode_field"
        for area in _strings(rule.get("area")):
            if area not in areas:
                yield path + ("area",), f"there is no area {area!r} in routing.areas"
        for district in _strings(rule.get("postcode_district")):
            if not DISTRICT.match(district.upper()):
                yield path + ("postcode_district",), f"{district!r} is not a postcode district"
        for level in _strings(rule.get("risk_level")):
            if level not in LEVELS:
                yield path + ("risk_level",), f"{level!r} is not a risk level ({', '.join(LEVELS)})"
        if "when" in rule:
            yield from self._condition(rule["when"], path + ("when",))

    def _related(self, value: Any, path: Path) -> Iterator[Found]:
        if not isinstance(value, Mapping) or not isinstance(value.get("within_days"), int):
            yield path, "related_reports needs within_days (a whole number of days)"
            return
        if value["within_days"] < 1:
            yield path + ("within_days",), "within_days must be at least 1"
        for key in value:
            if key not in ("within_days", "same_answer"):
                yield path + (key,), f"related_reports has no setting {key!r}"
        if "same_answer" in value:
            yield from self._field_ref(value["same_answer"], path + ("same_answer",))

    def _person(self, item: Any, path: Path, seen: list[str]) -> Iterator[Found]:
        if not isinstance(item, Mapping):
            yield path, "each entry of people is a mapping with a role"
            return
        role = item.get("role")
        if role not in ROLES:
            yield path + ("role",), f"role must be one of {', '.join(ROLES)}"
        allowed = ("role", "when", "unless", "same_as", "page", "person", *PERSON_KEYS)
        for key in item:
            if key not in allowed:
                yield path + (key,), f"a person has no setting {key!r}"
        for key in ("when", "unless"):
            if key in item:
                yield from self._condition(item[key], path + (key,))
        if "same_as" in item:
            if item["same_as"] not in seen:
                yield path + ("same_as",), "same_as names a role given earlier in people"
        elif "person" in item and "page" not in item:
            yield from self._field_ref(item["person"], path + ("person",), types=("person",))
        elif "page" in item or "person" in item:
            page = item.get("page")
            if page not in self.pages or not self.pages[page].get("repeat"):
                yield path + ("page",), f"{page!r} is not a repeating page of this form"
            else:
                yield from self._field_ref(
                    item.get("person"), path + ("person",), types=("person",), page=page
                )
        else:
            given = [key for key in PERSON_KEYS if key in item]
            if not given:
                yield path, "a person needs fields (name, email …), page and person, or same_as"
            for key in given:
                for index, name in enumerate(_strings(item[key])):
                    types = ("address",) if key == "address" else None
                    yield from self._field_ref(name, path + (key, index), types=types)
        if isinstance(role, str):
            seen.append(role)

    def _condition(self, value: Any, path: Path) -> Iterator[Found]:
        if not isinstance(value, Mapping):
            yield path, "a condition is a mapping such as {field: F, equals: V}"
            return
        for key in ("all", "any"):
            if key in value:
                items = value[key]
                if not isinstance(items, list) or not items:
                    yield path + (key,), f"{key} is a list of conditions"
                    return
                for index, item in enumerate(items):
                    yield from self._condition(item, path + (key, index))
                return
        if "not" in value:
            yield from self._condition(value["not"], path + ("not",))
            return
        operators = [key for key in value if key != "field"]
        if "field" not in value or len(operators) != 1 or operators[0] not in OPERATORS:
            yield path, f"a condition is field plus one of {', '.join(OPERATORS)}"
            return
        name, operator = value["field"], operators[0]
        problems = list(self._field_ref(name, path + ("field",)))
        yield from problems
        if not problems and operator != "answered":
            asked = self.fields[name]
            yield from comparison_problems(
                name, asked, operator, value[operator], option_values(asked, self.lists), path
            )


def _all_fields(fields: Any) -> Iterator[Mapping[str, Any]]:
    for item in fields:
        if not isinstance(item, Mapping):
            continue
        yield item
        reveal = item.get("reveal")
        if isinstance(reveal, Mapping):
            for nested in reveal.values():
                yield from _all_fields(nested or ())
        options = item.get("options")
        if isinstance(options, list):
            for option in options:
                if isinstance(option, Mapping) and isinstance(option.get("reveal"), list):
                    yield from _all_fields(option["reveal"])


def _is_name(value: Any) -> bool:
    return isinstance(value, str) and bool(re.match(r"^[a-z][a-z0-9_-]{0,59}$", value))
