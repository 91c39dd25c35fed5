import json
import math
import random

import pytest

from dedupe.compare import FIELD_LEVELS, MISSING
from dedupe.model import Parameters, address_defaults, estimate_u, probability, train_em


def test_weights_are_log2_of_m_over_u_and_missing_adds_nothing():
    params = Parameters()
    m, u = params.probabilities["date_of_birth"]["exact"]
    assert params.weight("date_of_birth", "exact") == pytest.approx(math.log2(m / u))
    assert params.weight("date_of_birth", MISSING) == 0.0


def test_agreement_weighs_for_a_match_and_disagreement_against_before_any_training():
    params = Parameters()
    for field, levels in FIELD_LEVELS.items():
        assert params.weight(field, levels[0]) > 0
        assert params.weight(field, "disagree") < 0


def test_probability_turns_log_odds_into_a_chance():
    assert probability(0) == 0.5
    assert probability(10) == pytest.approx(1024 / 1025)
    assert probability(-1000) == 0.0
    assert probability(1000) == 1.0


def test_parameters_survive_a_json_round_trip():
    params = Parameters(prior=0.002, match_threshold=0.995, possible_threshold=0.4)
    params.probabilities["first_name"]["exact"] = (0.9, 0.004)
    loaded = Parameters.from_json(params.to_json())
    assert loaded == params


def test_json_from_another_version_is_refused():
    text = Parameters().to_json().replace('"nickname"', '"pet_name"')
    with pytest.raises(ValueError, match="first_name"):
        Parameters.from_json(text)
    with pytest.raises(ValueError, match="format"):
        Parameters.from_json('{"format": 99}')


def test_a_model_saved_before_identity_numbers_loads_with_their_default_weights():
    saved = Parameters()
    saved.probabilities["first_name"]["exact"] = (0.9, 0.004)
    data = json.loads(saved.to_json())
    del data["probabilities"]["identity_number"]
    loaded = Parameters.from_json(json.dumps(data))
    assert loaded.probabilities["first_name"]["exact"] == (0.9, 0.004)
    assert loaded.probabilities["identity_number"] == Parameters().probabilities["identity_number"]
    assert loaded.weight("identity_number", "exact") > 15


def test_an_address_model_gets_no_person_fields_when_loaded():
    saved = Parameters(probabilities=address_defaults())
    loaded = Parameters.from_json(saved.to_json())
    assert set(loaded.probabilities) == set(address_defaults())


def _simulate(rng, n, prior, m, u):
    fields = list(m)
    pairs = []
    for _ in range(n):
        table = m if rng.random() < prior else u
        pairs.append(
            {f: rng.choices(list(table[f]), weights=list(table[f].values()))[0] for f in fields}
        )
    return pairs


def test_em_recovers_m_u_and_the_share_of_matches_from_unlabelled_pairs():
    rng = random.Random(7)
    m = {
        "first_name": {"exact": 0.85, "close": 0.1, "disagree": 0.05},
        "last_name": {"exact": 0.9, "close": 0.05, "disagree": 0.05},
        "date_of_birth": {"exact": 0.9, "near": 0.05, "disagree": 0.05},
        "postcode": {"exact": 0.8, "sector": 0.1, "disagree": 0.1},
    }
    u = {
        "first_name": {"exact": 0.05, "close": 0.05, "disagree": 0.9},
        "last_name": {"exact": 0.02, "close": 0.03, "disagree": 0.95},
        "date_of_birth": {"exact": 0.01, "near": 0.02, "disagree": 0.97},
        "postcode": {"exact": 0.05, "sector": 0.15, "disagree": 0.8},
    }
    pairs = _simulate(rng, 40_000, 0.3, m, u)
    start = Parameters()
    start.probabilities = {
        f: {lvl: (1 / len(FIELD_LEVELS[f]), 1 / len(FIELD_LEVELS[f])) for lvl in FIELD_LEVELS[f]}
        for f in m
    }
    for f in m:  # a start that leans the right way, as the defaults do
        start.probabilities[f]["exact"] = (0.6, 0.1)
        start.probabilities[f]["disagree"] = (0.1, 0.6)
    start.prior = 0.1
    result = train_em(pairs, start, fix_u=False)
    assert result.converged
    assert result.parameters.prior == pytest.approx(0.3, abs=0.02)
    for f in m:
        assert result.parameters.probabilities[f]["exact"][0] == pytest.approx(
            m[f]["exact"], abs=0.03
        )
        assert result.parameters.probabilities[f]["exact"][1] == pytest.approx(
            u[f]["exact"], abs=0.03
        )
    history = result.log_likelihoods
    assert all(b >= a - 1e-6 for a, b in zip(history, history[1:], strict=False))


def test_u_is_the_share_of_each_level_among_random_pairs():
    pairs = [{"gender": "exact"}] * 60 + [{"gender": "disagree"}] * 40
    params = estimate_u(pairs)
    assert params.probabilities["gender"]["exact"][1] == pytest.approx(0.6, abs=0.01)
    assert params.trained_on["random_pairs"] == 100
