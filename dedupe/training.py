"""Train the model from records alone (no labels): u from random pairs, m by EM on candidates.

EM on every candidate pair at once learns badly: the pairs were chosen because some fields
agree, so those fields look more telling than they are, and the mixture drifts. Training
therefore runs in sessions, as Splink does. Each session takes the candidate pairs that agree
exactly on a few fields and learns m for the other fields only. A last pass fits the prior (the
chance that two records drawn at random are one person) with m and u held.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from dedupe.blocking import Tokeniser, make_tokens, person_keys
from dedupe.compare import compare_people
from dedupe.model import Levels, Parameters, TrainingResult, estimate_u, train_em
from dedupe.records import NormalisedPerson
from dedupe.store import InMemoryIndex

# Each session: the fields that must agree exactly for a pair to take part.
SESSIONS: tuple[tuple[str, ...], ...] = (
    ("first_name", "last_name"),
    ("date_of_birth",),
    ("postcode",),
)
MIN_SESSION_PAIRS = 50


@dataclass(frozen=True)
class Training:
    """The trained parameters and what each step did."""

    parameters: Parameters
    sessions: tuple[TrainingResult, ...]
    prior: TrainingResult

    @property
    def converged(self) -> bool:
        """Whether every EM run converged."""
        return self.prior.converged and all(s.converged for s in self.sessions)

    @property
    def iterations(self) -> int:
        """EM iterations over all runs."""
        return self.prior.iterations + sum(s.iterations for s in self.sessions)


def random_pairs(count: int, size: int, seed: int = 0) -> list[tuple[int, int]]:
    """Draw up to ``count`` distinct pairs of positions from ``size`` records."""
    if size < 2:
        return []
    rng = random.Random(seed)
    wanted = min(count, size * (size - 1) // 2)
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < wanted:
        i, j = rng.randrange(size), rng.randrange(size)
        if i != j:
            pairs.add((min(i, j), max(i, j)))
    return sorted(pairs)


def blocked_pairs(
    people: Sequence[NormalisedPerson], tokeniser: Tokeniser, *, max_bucket: int = 200
) -> set[tuple[int, int]]:
    """Find the pairs of positions that share a blocking token, as a lookup would."""
    index: InMemoryIndex[int] = InMemoryIndex(max_bucket=max_bucket)
    for position, person in enumerate(people):
        index.add(position, make_tokens(person_keys(person), tokeniser))
    pairs: set[tuple[int, int]] = set()
    for position, person in enumerate(people):
        tokens = make_tokens(person_keys(person, expand=True), tokeniser)
        for other in index.candidates(tokens):
            if other != position:
                pairs.add((min(position, other), max(position, other)))
    return pairs


def train_from_comparisons(
    random_comparisons: Iterable[Levels],
    candidate_comparisons: Sequence[Levels],
    total_pairs: int,
    start: Parameters | None = None,
) -> Training:
    """Train from comparisons already made: of random pairs (for u) and candidate pairs.

    ``total_pairs`` is the number of pairs among all the records the candidates came from.
    """
    params = estimate_u(random_comparisons, start or Parameters())
    learned: dict[str, list[Mapping[str, tuple[float, float]]]] = {}
    sessions: list[TrainingResult] = []
    for fixed in SESSIONS:
        chosen = [c for c in candidate_comparisons if all(c.get(f) == "exact" for f in fixed)]
        if len(chosen) < MIN_SESSION_PAIRS:
            continue
        result = train_em(chosen, params, fixed_fields=fixed)
        sessions.append(result)
        for f, levels in result.parameters.probabilities.items():
            if f not in fixed and any(c.get(f, "missing") != "missing" for c in chosen):
                learned.setdefault(f, []).append(levels)
    probabilities = dict(params.probabilities)
    for f, estimates in learned.items():
        probabilities[f] = {
            lvl: (
                sum(e[lvl][0] for e in estimates) / len(estimates),
                params.probabilities[f][lvl][1],
            )
            for lvl in params.probabilities[f]
        }
    combined = Parameters(
        probabilities=probabilities,
        prior=params.prior,
        match_threshold=params.match_threshold,
        possible_threshold=params.possible_threshold,
        trained_on=dict(params.trained_on),
    )
    prior = train_em(
        candidate_comparisons,
        combined,
        fixed_fields=tuple(probabilities),
        total_pairs=total_pairs,
    )
    return Training(prior.parameters, tuple(sessions), prior)


def train(
    people: Sequence[NormalisedPerson],
    candidate_pairs: Iterable[tuple[int, int]],
    *,
    start: Parameters | None = None,
    random_pair_count: int = 100_000,
    seed: int = 0,
) -> Training:
    """Estimate u from random pairs of ``people``, then m in sessions and the prior by EM.

    ``candidate_pairs`` are positions in ``people`` of pairs found by blocking. Thresholds are
    kept from ``start``.
    """
    sample = random_pairs(random_pair_count, len(people), seed)
    random_comparisons = (compare_people(people[i], people[j]) for i, j in sample)
    candidates = [compare_people(people[i], people[j]) for i, j in candidate_pairs]
    total = len(people) * (len(people) - 1) // 2
    return train_from_comparisons(random_comparisons, candidates, total, start)
