"""The Fellegi-Sunter model: m and u probabilities per agreement level, weights, EM training.

For each field and level, ``m`` is the chance of seeing that level when two records are the
same person and ``u`` the chance when they are not. A pair's match weight is the sum over
fields of log2(m/u) plus the prior log-odds; a missing value adds nothing.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from dedupe.compare import DISAGREE, FIELD_LEVELS, MISSING

# Probabilities are kept inside (FLOOR, 1 - FLOOR) so that no single field can give an
# infinite weight, whatever the training data held.
FLOOR = 1e-6
FORMAT_VERSION = 1

Levels = Mapping[str, str]
# Person fields added after models were first saved: a saved person model without them loads
# with their defaults.
ADDED_FIELDS = ("identity_number",)


def _defaults() -> dict[str, dict[str, tuple[float, float]]]:
    """Return (m, u) per field and level before any training.

    The m values come from the error rates reported for UK administrative data (a few per cent
    of names and dates mistyped, people moving house and changing numbers); the u values from
    how often unrelated people agree by chance in a population of about a million (a shared
    full date of birth about 1 in 30,000; a shared surname about 1 in 300).
    """
    return {
        "first_name": {
            "exact": (0.86, 0.01),
            "nickname": (0.03, 0.002),
            "close": (0.04, 0.003),
            "similar": (0.025, 0.02),
            "initial": (0.01, 0.02),
            "swapped": (0.005, 0.0001),
            DISAGREE: (0.03, 0.9449),
        },
        "last_name": {
            "exact": (0.87, 0.003),
            "close": (0.04, 0.001),
            "part": (0.02, 0.0005),
            "similar": (0.03, 0.01),
            "swapped": (0.005, 0.0001),
            DISAGREE: (0.035, 0.9854),
        },
        "date_of_birth": {
            "exact": (0.88, 0.00005),
            "near": (0.05, 0.0005),
            "year_slip": (0.02, 0.0005),
            "compatible": (0.02, 0.01),
            DISAGREE: (0.03, 0.98895),
        },
        "gender": {"exact": (0.97, 0.5), DISAGREE: (0.03, 0.5)},
        "email": {
            "exact": (0.6, 0.00001),
            "mailbox": (0.05, 0.00001),
            "similar": (0.05, 0.0001),
            DISAGREE: (0.3, 0.99988),
        },
        "phone": {"exact": (0.6, 0.0001), "near": (0.05, 0.0005), DISAGREE: (0.35, 0.9994)},
        # Where both records carry one, an identity number is nearly always copied right, and
        # two people share one only by a mistake; a number one character out could be a slip
        # or a neighbour in a run of numbers given out together (twins' numbers can be).
        "identity_number": {
            "exact": (0.92, 0.000001),
            "near": (0.03, 0.00002),
            DISAGREE: (0.05, 0.999979),
        },
        "address": {
            "exact": (0.7, 0.0005),
            "close": (0.1, 0.0005),
            "building": (0.02, 0.001),
            "street": (0.05, 0.01),
            DISAGREE: (0.13, 0.988),
        },
        "place": {"exact": (0.6, 0.001), "close": (0.15, 0.002), DISAGREE: (0.25, 0.997)},
        "postcode": {
            "exact": (0.75, 0.001),
            "sector": (0.05, 0.01),
            "district": (0.05, 0.05),
            DISAGREE: (0.15, 0.939),
        },
        "town": {"exact": (0.85, 0.1), "close": (0.05, 0.01), DISAGREE: (0.1, 0.89)},
    }


def address_defaults() -> dict[str, dict[str, tuple[float, float]]]:
    """Return (m, u) for matching addresses on their own: is this the same dwelling?"""
    return {
        "address": {
            "exact": (0.88, 0.00002),
            "close": (0.08, 0.00005),
            "building": (0.01, 0.002),
            "street": (0.01, 0.01),
            DISAGREE: (0.02, 0.9873),
        },
        "place": {"exact": (0.8, 0.001), "close": (0.1, 0.002), DISAGREE: (0.1, 0.997)},
        "postcode": {
            "exact": (0.92, 0.002),
            "sector": (0.03, 0.02),
            "district": (0.02, 0.08),
            DISAGREE: (0.03, 0.898),
        },
        "town": {"exact": (0.9, 0.05), "close": (0.05, 0.01), DISAGREE: (0.05, 0.94)},
    }


@dataclass
class Parameters:
    """Everything a trained model needs, serialisable to JSON.

    ``prior`` is the chance that a candidate pair (one found by a shared blocking token) is a
    match. ``match_threshold`` and ``possible_threshold`` are match probabilities: at or above
    the first a candidate is linked automatically; between the two a person decides.
    """

    probabilities: dict[str, dict[str, tuple[float, float]]] = field(default_factory=_defaults)
    prior: float = 0.0001
    match_threshold: float = 0.99
    possible_threshold: float = 0.5
    trained_on: dict[str, int] = field(default_factory=dict)

    def weight(self, field_name: str, level: str) -> float:
        """Return log2(m/u) for a field's level; 0 when the value is missing."""
        if level == MISSING:
            return 0.0
        m, u = self.probabilities[field_name][level]
        return math.log2(m / u)

    @property
    def prior_weight(self) -> float:
        """The prior as log2 odds."""
        return math.log2(self.prior / (1.0 - self.prior))

    def to_json(self) -> str:
        """Serialise to JSON for storage."""
        return json.dumps(
            {
                "format": FORMAT_VERSION,
                "prior": self.prior,
                "match_threshold": self.match_threshold,
                "possible_threshold": self.possible_threshold,
                "trained_on": self.trained_on,
                "probabilities": {
                    f: {lvl: {"m": m, "u": u} for lvl, (m, u) in levels.items()}
                    for f, levels in self.probabilities.items()
                },
            },
            indent=2,
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> Parameters:
        """Load parameters saved by ``to_json``, checking every field and level is there."""
        data = json.loads(text)
        if data.get("format") != FORMAT_VERSION:
            raise ValueError("Unknown model format")
        probabilities = {
            f: {lvl: (float(v["m"]), float(v["u"])) for lvl, v in levels.items()}
            for f, levels in data["probabilities"].items()
        }
        if not probabilities:
            raise ValueError("The model has no fields")
        for f, levels in probabilities.items():
            if f not in FIELD_LEVELS or set(levels) != set(FIELD_LEVELS[f]):
                raise ValueError(f"Model levels for {f} do not match this version of dedupe")
        # A field added since the model was trained counts at its default weights until the
        # model is trained again.
        defaults = _defaults()
        if "first_name" in probabilities:
            for f in ADDED_FIELDS:
                probabilities.setdefault(f, defaults[f])
        return cls(
            probabilities=probabilities,
            prior=float(data["prior"]),
            match_threshold=float(data["match_threshold"]),
            possible_threshold=float(data["possible_threshold"]),
            trained_on={k: int(v) for k, v in data.get("trained_on", {}).items()},
        )

    def score(self, levels: Levels) -> float:
        """Return the match weight of a comparison: prior log-odds plus field weights."""
        return self.prior_weight + sum(
            self.weight(f, lvl) for f, lvl in levels.items() if f in self.probabilities
        )


def probability(match_weight: float) -> float:
    """Turn a match weight (log2 odds) into a probability."""
    if match_weight > 60:
        return 1.0
    if match_weight < -60:
        return 0.0
    return 1.0 / (1.0 + math.pow(2.0, -match_weight))


@dataclass(frozen=True)
class TrainingResult:
    """What EM did: the parameters found, iterations used, and whether it converged."""

    parameters: Parameters
    iterations: int
    converged: bool
    log_likelihoods: tuple[float, ...]


def _clamp(value: float, floor: float = FLOOR) -> float:
    return min(max(value, floor), 1.0 - floor)


def _normalise(counts: Mapping[str, float], levels: Sequence[str]) -> dict[str, float]:
    # Half a pseudo-count per level keeps unseen levels possible without moving seen ones much.
    total = sum(counts.get(lvl, 0.0) for lvl in levels) + 0.5 * len(levels)
    return {lvl: _clamp((counts.get(lvl, 0.0) + 0.5) / total) for lvl in levels}


def estimate_u(random_pairs: Iterable[Levels], base: Parameters | None = None) -> Parameters:
    """Estimate u from comparisons of random pairs, nearly all of which are different people."""
    base = base or Parameters()
    counts: dict[str, Counter[str]] = {f: Counter() for f in base.probabilities}
    seen = 0
    for pair in random_pairs:
        seen += 1
        for f, lvl in pair.items():
            if lvl != MISSING and f in counts:
                counts[f][lvl] += 1
    probabilities = {}
    for f in base.probabilities:
        if sum(counts[f].values()) == 0:
            probabilities[f] = dict(base.probabilities[f])
            continue
        u = _normalise(counts[f], FIELD_LEVELS[f])
        probabilities[f] = {lvl: (base.probabilities[f][lvl][0], u[lvl]) for lvl in FIELD_LEVELS[f]}
    return Parameters(
        probabilities=probabilities,
        prior=base.prior,
        match_threshold=base.match_threshold,
        possible_threshold=base.possible_threshold,
        trained_on={**base.trained_on, "random_pairs": seen},
    )


def train_em(
    candidate_pairs: Iterable[Levels],
    start: Parameters | None = None,
    *,
    fix_u: bool = True,
    fix_prior: bool = False,
    fixed_fields: Collection[str] = (),
    total_pairs: int | None = None,
    max_iterations: int = 200,
    tolerance: float = 1e-7,
) -> TrainingResult:
    """Estimate m (and u unless ``fix_u``) and the prior by expectation-maximisation.

    ``candidate_pairs`` are comparisons of pairs found by blocking, unlabelled. Start from
    ``start`` (the defaults, or u estimated from random pairs by ``estimate_u``). Fields in
    ``fixed_fields`` keep their m and u (a training session that chose its pairs by those
    fields cannot learn about them); with ``fix_prior`` the prior stays too.

    With ``total_pairs`` (all pairs among the records, not only the candidates) the prior is
    fitted as the chance that two records drawn at random match, taking every pair blocking
    did not find as a non-match. That is the prior a lookup needs, since the candidates it
    scores were chosen out of the whole store. EM stops when no probability moves by more
    than ``tolerance``.
    """
    params = start or Parameters()
    fields_used = tuple(params.probabilities)
    patterns = Counter(tuple(p.get(f, MISSING) for f in fields_used) for p in candidate_pairs)
    total = sum(patterns.values())
    if total == 0:
        return TrainingResult(params, 0, False, ())
    probabilities = {f: dict(params.probabilities[f]) for f in fields_used}
    prior = _clamp(params.prior, 1e-12)
    history: list[float] = []
    converged = False
    iterations = 0
    for iteration in range(1, max_iterations + 1):
        iterations = iteration
        m_counts: dict[str, dict[str, float]] = {f: {} for f in fields_used}
        u_counts: dict[str, dict[str, float]] = {f: {} for f in fields_used}
        expected_matches = 0.0
        log_likelihood = 0.0
        for pattern, count in patterns.items():
            log_m = math.log(prior)
            log_u = math.log(1.0 - prior)
            for f, lvl in zip(fields_used, pattern, strict=True):
                if lvl != MISSING:
                    m, u = probabilities[f][lvl]
                    log_m += math.log(m)
                    log_u += math.log(u)
            top = max(log_m, log_u)
            evidence = top + math.log(math.exp(log_m - top) + math.exp(log_u - top))
            p_match = math.exp(log_m - evidence)
            log_likelihood += count * evidence
            expected_matches += count * p_match
            for f, lvl in zip(fields_used, pattern, strict=True):
                if lvl != MISSING:
                    m_counts[f][lvl] = m_counts[f].get(lvl, 0.0) + count * p_match
                    u_counts[f][lvl] = u_counts[f].get(lvl, 0.0) + count * (1.0 - p_match)
        history.append(log_likelihood)
        new_prior = prior if fix_prior else _clamp(expected_matches / (total_pairs or total), 1e-12)
        change = abs(new_prior - prior)
        updated: dict[str, dict[str, tuple[float, float]]] = {}
        for f in fields_used:
            levels = FIELD_LEVELS[f]
            seen = sum(m_counts[f].values()) + sum(u_counts[f].values())
            if seen == 0 or f in fixed_fields:
                updated[f] = probabilities[f]
                continue
            m_new = _normalise(m_counts[f], levels)
            u_new = _normalise(u_counts[f], levels)
            updated[f] = {}
            for lvl in levels:
                old_m, old_u = probabilities[f][lvl]
                new_u = old_u if fix_u else u_new[lvl]
                change = max(change, abs(m_new[lvl] - old_m), abs(new_u - old_u))
                updated[f][lvl] = (m_new[lvl], new_u)
        probabilities, prior = updated, new_prior
        if change < tolerance:
            converged = True
            break
    trained = Parameters(
        probabilities=probabilities,
        prior=prior,
        match_threshold=params.match_threshold,
        possible_threshold=params.possible_threshold,
        trained_on={**params.trained_on, "candidate_pairs": total},
    )
    return TrainingResult(trained, iterations, converged, tuple(history))
