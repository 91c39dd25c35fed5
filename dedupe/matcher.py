"""Match a person (or an address) against the store: tokens, candidates, scores, a decision."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Literal

from dedupe.addresses import Address, normalise_address
from dedupe.blocking import Tokeniser, address_keys, make_tokens, person_keys
from dedupe.compare import (
    DISAGREE,
    FIELD_LEVELS,
    MISSING,
    compare_address_fields,
    compare_people,
    could_be_neighbours,
    given_names_differ,
    months_apart,
    years_apart,
)
from dedupe.contact import DEFAULT_REGION
from dedupe.explain import Explanation, FieldExplanation, status_of
from dedupe.model import Parameters, address_defaults, probability
from dedupe.names import Name, are_different_names, sound_different_from_the_start
from dedupe.records import NormalisedPerson, PersonRecord, normalise_person
from dedupe.store import AddressRecord, AddressStore, CandidateStore, RecordId

Outcome = Literal["match", "possible", "new"]
_RANK: dict[Outcome, int] = {"new": 0, "possible": 1, "match": 2}

# A parent and child with one name are usually a generation apart; a gap this wide is not a
# typing slip, even when the dates differ by one digit (1962 and 1982).
GENERATION_GAP_YEARS = 12
# Brothers and sisters other than twins are born at least this far apart, and twins are not
# given one name: two people of one name born closer than this are one person with a date
# written wrong.
SIBLING_GAP_MONTHS = 6
# First-name levels that a typing slip could give, but so could two different names.
SPELT_ALIKE = frozenset({"close", "similar"})


@dataclass(frozen=True, slots=True)
class Scored:
    """One candidate (a person, or an address) with its score and explanation."""

    id: RecordId
    record_id: RecordId
    outcome: Outcome
    explanation: Explanation

    @property
    def probability(self) -> float:
        """The chance the candidate is the same, as the model sees it."""
        return self.explanation.probability


@dataclass(frozen=True, slots=True)
class Decision:
    """The result of matching one record.

    ``outcome`` is "match" (link to ``id`` automatically), "possible" (a person decides
    between the record and ``id``) or "new". ``score`` is the best candidate's probability,
    ``others`` any further candidates worth a reviewer's look, best first.
    """

    outcome: Outcome
    id: RecordId | None
    score: float
    explanation: Explanation | None
    candidates: int
    others: tuple[Scored, ...] = ()


def household_rules(
    levels: Mapping[str, str], a: NormalisedPerson, b: NormalisedPerson
) -> tuple[Outcome | None, tuple[str, ...]]:
    """Keep apart people who share a household's details but not their own.

    Surname, address and telephone are shared by a family, so they can add up to a high score
    for two different people. The same identity number on both lifts every limit but the
    senior/junior one (see ``_same_identity_number`` for a number one character out). Return
    the best outcome the pair may have (None: no limit) and the reasons, in plain English.
    """
    first, dob = levels.get("first_name"), levels.get("date_of_birth")
    first_differs = (
        first == DISAGREE
        or (first == "exact" and given_names_differ(a.name.first, b.name.first))
        # Spelt alike, but known as different names (Tom and Tim), or sounding different from
        # the first letter (Ella and Bella): twins, not a typing slip.
        or (first in SPELT_ALIKE and _different_names(a.name.first, b.name.first))
    )
    born_apart = dob == DISAGREE
    gender_differs = levels.get("gender") == DISAGREE
    gap = years_apart(a.date_of_birth, b.date_of_birth)
    # A generation apart (however few digits differ), or born at least as far apart as
    # brothers and sisters other than twins: the two rules on dates below.
    generation_apart = dob not in ("exact", MISSING) and gap >= GENERATION_GAP_YEARS
    siblings_apart = born_apart and not _born_months_apart(a, b, below=SIBLING_GAP_MONTHS)
    gen_a, gen_b = a.name.generation, b.name.generation
    if gen_a and gen_b and gen_a != gen_b:
        return "new", ("One is recorded as senior or junior and the other not the same way.",)
    far_apart = generation_apart or siblings_apart
    if _same_identity_number(levels, a, b, born_far_apart=far_apart):
        # Twins, brothers and sisters, parents and children each have a number of their own:
        # one number on both records says one person, whatever else a household shares.
        return None, ()
    if first_differs and (born_apart or gender_differs):
        return "new", (
            "First names are different, and so is the date of birth or gender: "
            "treated as different people in one household.",
        )
    if first_differs:
        return "possible", (
            "First names are different although other details agree: they could be twins "
            "or brothers and sisters, so a person must decide.",
        )
    if generation_apart:
        return "possible", (
            f"Dates of birth are {gap} years apart: they could be a parent and child "
            "with the same name, so a person must decide.",
        )
    if siblings_apart:
        return "possible", (
            "Dates of birth are different: they could be brothers or sisters recorded with "
            "the same name, so a person must decide.",
        )
    return None, ()


def _same_identity_number(
    levels: Mapping[str, str], a: NormalisedPerson, b: NormalisedPerson, *, born_far_apart: bool
) -> bool:
    """Tell whether both records carry one identity number, allowing one slip of typing.

    A number one character out is a slip, unless the two could be neighbours in a run given
    out together (twins' numbers can be): then they are not taken for one. People
    ``born_far_apart`` (a generation, or as far as brothers and sisters who are not twins)
    were not given numbers together: NHS numbers come with the registration of a birth,
    National Insurance numbers at 16. For them a number one character out is always a slip.
    """
    level = levels.get("identity_number")
    if level == "exact":
        return True
    if level != "near":
        return False
    return born_far_apart or not could_be_neighbours(a.identity_number, b.identity_number)


def _different_names(a: Name, b: Name) -> bool:
    return are_different_names(a, b) or sound_different_from_the_start(a, b)


def _born_months_apart(a: NormalisedPerson, b: NormalisedPerson, *, below: int) -> bool:
    months = months_apart(a.date_of_birth, b.date_of_birth)
    return months is not None and months < below


class _Scorer:
    def __init__(self, parameters: Parameters, fields: tuple[str, ...]) -> None:
        self.parameters = parameters
        self.fields = fields
        self.weights = {
            (f, lvl): parameters.weight(f, lvl)
            for f in fields
            for lvl in (*parameters.probabilities[f], MISSING)
        }

    def explain(self, levels: Mapping[str, str], rules: tuple[str, ...] = ()) -> Explanation:
        items = tuple(
            FieldExplanation(f, levels[f], status_of(f, levels[f], w), w)
            for f in self.fields
            for w in (self.weights[f, levels[f]],)
        )
        total = self.parameters.prior_weight + sum(item.weight for item in items)
        return Explanation(items, self.parameters.prior_weight, total, probability(total), rules)

    def total(self, levels: Mapping[str, str]) -> float:
        weights = self.weights
        return self.parameters.prior_weight + sum(weights[f, levels[f]] for f in self.fields)

    def outcome(self, p: float, cap: Outcome | None) -> Outcome:
        outcome: Outcome = "new"
        if p >= self.parameters.match_threshold:
            outcome = "match"
        elif p >= self.parameters.possible_threshold:
            outcome = "possible"
        if cap is not None and _RANK[cap] < _RANK[outcome]:
            return cap
        return outcome


@dataclass(frozen=True, slots=True)
class _Quick:
    # A candidate scored without its explanation, which only the kept ones need; ``record``
    # is the candidate's normalised record, read only to break a tie in score.
    id: RecordId
    record_id: RecordId
    outcome: Outcome
    match_weight: float
    levels: Mapping[str, str]
    rules: tuple[str, ...]
    record: NormalisedPerson | Address

    def explained(self, scorer: _Scorer) -> Scored:
        explanation = scorer.explain(self.levels, self.rules)
        return Scored(self.id, self.record_id, self.outcome, explanation)


def _decide(quick: list[_Quick], considered: int, scorer: _Scorer) -> Decision:
    if not quick:
        return Decision("new", None, 0.0, None, considered)
    # The best record stands for its person; a person's other records add nothing new.
    best_by_id: dict[RecordId, _Quick] = {}
    for item in _best_first(quick):
        best_by_id.setdefault(item.id, item)
    ranked = list(best_by_id.values())
    best = ranked[0].explained(scorer)
    others = tuple(s.explained(scorer) for s in ranked[1:] if s.outcome != "new")
    outcome = best.outcome
    explanation = best.explanation
    # Two existing people who both match the record are probably one person held twice:
    # link to the better one and offer the pair for review rather than drop the link.
    if outcome == "match" and any(s.outcome == "match" for s in others):
        explanation = Explanation(
            explanation.fields,
            explanation.prior_weight,
            explanation.match_weight,
            explanation.probability,
            (
                *explanation.rules,
                "Another existing person matches too: the two may be the same person.",
            ),
        )
    if outcome == "new":
        return Decision("new", None, best.probability, explanation, considered)
    return Decision(outcome, best.id, best.probability, explanation, considered, others)


def _best_first(quick: list[_Quick]) -> list[_Quick]:
    """Order candidates best first, whatever their ids and the order the store gave them in.

    Best is the highest outcome, then the highest match weight. Candidates a decision can name
    (a match or a possible) that are equal on both (in practice, ones with the same level on
    every field) are ordered by how many fields
    agree outright, most first; then by how many of their person's records are among the
    candidates, most first (the person the store knows better, whose history a link keeps
    together); then by what the candidate's record says (its normalised values, read as
    text). Ids are random and a store's order follows them, so neither may decide. Only
    records that say exactly the same, of people with as many records, are left in the
    store's order, and either gives the same outcome and score. Candidates that are "new"
    are named in no decision, so they skip the tie-break, which costs most on an import.
    """
    ranked = sorted(quick, key=_key, reverse=True)
    # Only candidates that could be linked or proposed are ever named in a decision; the
    # rest (most of them, on an import) are left in score order without the tie-break's cost.
    named = sum(1 for item in ranked if item.outcome != "new")
    if any(_key(one) == _key(next_one) for one, next_one in pairwise(ranked[:named])):
        records = Counter(item.id for item in quick)
        ranked[:named] = sorted(
            ranked[:named], key=lambda item: _tie_broken(item, records[item.id])
        )
    return ranked


def _key(item: _Quick) -> tuple[int, float]:
    return _RANK[item.outcome], item.match_weight


def _tie_broken(item: _Quick, records: int) -> tuple[int, float, int, int, str]:
    agreeing = sum(level == FIELD_LEVELS[field][0] for field, level in item.levels.items())
    return -_RANK[item.outcome], -item.match_weight, -agreeing, -records, repr(item.record)


class Matcher:
    """Match people against a store, through blind-index tokens made by ``tokeniser``.

    ``household_rules`` keeps twins, brothers and sisters, and parents and children with one
    name from being linked automatically (see ``household_rules``); turn it off only to
    compare with tools that have no such rule.
    """

    def __init__(
        self,
        store: CandidateStore,
        tokeniser: Tokeniser,
        parameters: Parameters | None = None,
        *,
        region: str = DEFAULT_REGION,
        use_household_rules: bool = True,
    ) -> None:
        self.store = store
        self.tokeniser = tokeniser
        self.parameters = parameters or Parameters()
        self.region = region
        self.use_household_rules = use_household_rules
        self._scorer = _Scorer(self.parameters, tuple(self.parameters.probabilities))

    def normalise(self, record: PersonRecord | NormalisedPerson) -> NormalisedPerson:
        """Normalise a record (records already normalised pass through)."""
        if isinstance(record, NormalisedPerson):
            return record
        return normalise_person(record, region=self.region)

    def index_tokens(self, record: PersonRecord | NormalisedPerson) -> list[bytes]:
        """Return the tokens to store with a record."""
        return make_tokens(person_keys(self.normalise(record)), self.tokeniser)

    def query_tokens(self, record: PersonRecord | NormalisedPerson) -> list[bytes]:
        """Return the tokens to look a record up by, with the variants errors produce."""
        return make_tokens(person_keys(self.normalise(record), expand=True), self.tokeniser)

    def compare(
        self, a: PersonRecord | NormalisedPerson, b: PersonRecord | NormalisedPerson
    ) -> tuple[Outcome, Explanation]:
        """Compare two records directly and say what the matcher would decide about them."""
        one, other = self.normalise(a), self.normalise(b)
        return self._score(one, other)

    def _score(self, a: NormalisedPerson, b: NormalisedPerson) -> tuple[Outcome, Explanation]:
        quick = self._quick(a, b, "", "")
        return quick.outcome, self._scorer.explain(quick.levels, quick.rules)

    def _quick(
        self, a: NormalisedPerson, b: NormalisedPerson, id_: RecordId, record_id: RecordId
    ) -> _Quick:
        levels = compare_people(a, b)
        weight = self._scorer.total(levels)
        outcome = self._scorer.outcome(probability(weight), None)
        rules: tuple[str, ...] = ()
        if self.use_household_rules and outcome != "new":
            cap, reasons = household_rules(levels, a, b)
            if cap is not None and _RANK[cap] < _RANK[outcome]:
                outcome, rules = cap, reasons
        return _Quick(id_, record_id, outcome, weight, levels, rules, b)

    def match(
        self,
        record: PersonRecord | NormalisedPerson,
        *,
        exclude: Collection[RecordId] = (),
        tokens: Sequence[bytes] | None = None,
    ) -> Decision:
        """Find the best existing person for a record and decide: match, possible or new.

        ``exclude`` names persons not to propose (already marked as different people);
        ``tokens`` are the record's lookup tokens if the caller made them already.
        """
        person = self.normalise(record)
        lookup = self.query_tokens(person) if tokens is None else tokens
        quick: list[_Quick] = []
        for candidate in self.store.candidates(lookup):
            if candidate.person_id in exclude:
                continue
            other = self.normalise(candidate.person)
            quick.append(self._quick(person, other, candidate.person_id, candidate.record_id))
        return _decide(quick, len(quick), self._scorer)


class AddressMatcher:
    """Match an address on its own (line, postcode, town) against an address store.

    Two flats in one building, or two numbers in one street, are different addresses.
    """

    def __init__(
        self,
        store: AddressStore,
        tokeniser: Tokeniser,
        parameters: Parameters | None = None,
    ) -> None:
        self.store = store
        self.tokeniser = tokeniser
        self.parameters = parameters or Parameters(probabilities=address_defaults())
        self._scorer = _Scorer(self.parameters, tuple(self.parameters.probabilities))

    @staticmethod
    def normalise(address: AddressRecord | Address) -> Address:
        """Normalise an address (normalised ones pass through)."""
        if isinstance(address, Address):
            return address
        return normalise_address(
            [address.address_line_1, address.address_line_2], address.town, address.postcode
        )

    def index_tokens(self, address: AddressRecord | Address) -> list[bytes]:
        """Return the tokens to store with an address."""
        return make_tokens(address_keys(self.normalise(address)), self.tokeniser)

    def query_tokens(self, address: AddressRecord | Address) -> list[bytes]:
        """Return the tokens to look an address up by."""
        return make_tokens(address_keys(self.normalise(address), expand=True), self.tokeniser)

    def compare(
        self, a: AddressRecord | Address, b: AddressRecord | Address
    ) -> tuple[Outcome, Explanation]:
        """Compare two addresses and say what the matcher would decide."""
        quick = self._quick(self.normalise(a), self.normalise(b), "", "")
        return quick.outcome, self._scorer.explain(quick.levels, quick.rules)

    def _quick(self, a: Address, b: Address, id_: RecordId, record_id: RecordId) -> _Quick:
        levels = compare_address_fields(a, b)
        weight = self._scorer.total(levels)
        cap: Outcome | None = None
        rules: tuple[str, ...] = ()
        if levels["address"] in ("building", "street"):
            cap = "new"
            rules = ("A different flat or house number: a different address.",)
        outcome = self._scorer.outcome(probability(weight), cap)
        return _Quick(id_, record_id, outcome, weight, levels, rules if cap == outcome else (), b)

    def match(
        self, address: AddressRecord | Address, *, tokens: Sequence[bytes] | None = None
    ) -> Decision:
        """Find the best existing address and decide: match, possible or new."""
        query = self.normalise(address)
        lookup = self.query_tokens(query) if tokens is None else tokens
        quick = [
            self._quick(query, self.normalise(c.address), c.address_id, c.address_id)
            for c in self.store.candidates(lookup)
        ]
        return _decide(quick, len(quick), self._scorer)
