"""Duplicate-checking benchmarks: accuracy on FEBRL beside Splink, and speed. Prints JSON.

    .venv/bin/python benchmarks/dedupe.py --section accuracy
    .venv/bin/python benchmarks/dedupe.py --section speed --sizes 10000,100000,1000000
    .venv/bin/python benchmarks/dedupe.py --section import

Needs the bench extra (recordlinkage, splink, faker). The speed and import sections need
PostgreSQL: DATABASE_URL, or postgresql+psycopg://postgres@127.0.0.1/test by default.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

# Run as a script this file would shadow the dedupe package; put the project first instead.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))


# A blind-index tag shared by more people than this is skipped at lookup: it says little and
# would cost a lot to decrypt. The SQL store applies the same limit.
MAX_BUCKET = 50


def _splink(name: str, *, identity: bool) -> dict[str, Any]:
    try:
        from benchmarks.dedupe_splink import run
    except ImportError as error:  # the bench extra is not installed
        return {"error": f"Splink could not be imported: {error}"}
    try:
        return run(name, identity=identity)
    except Exception as error:  # noqa: BLE001 - report any failure of the other tool
        return {"error": f"Splink failed: {type(error).__name__}: {error}"}


def _splink_f1(splink: dict[str, Any]) -> dict[str, Any]:
    return {
        "splink_pairwise": splink.get("pairwise_p_ge_0_5", {}).get("f1"),
        "splink_clustered": splink.get("clustered_p_ge_0_5", {}).get("f1"),
    }


def accuracy(
    database_url: str | None, through_import: bool, with_splink: bool = True
) -> dict[str, Any]:
    """FEBRL4 (A then B) and FEBRL3 (one file) through the import path, beside Splink.

    Each set is run twice: with FEBRL's soc_sec_id as the identity number (as an old system's
    NHS or National Insurance numbers would be imported), and without it.
    """
    from benchmarks.dedupe_febrl import evaluate, via_import

    out: dict[str, Any] = {}
    for name, target in (("febrl4", 0.998), ("febrl3", 0.99)):
        ours = evaluate(name)
        without = evaluate(name, identity=False, brief=True)
        if through_import:
            try:
                ours["saferforms_import_postgresql_trained"] = via_import(
                    name, database_url, train_first=True
                )
            except Exception as error:  # noqa: BLE001 - report, do not lose the other figures
                ours["saferforms_import_postgresql_trained"] = {
                    "error": f"{type(error).__name__}: {error}"
                }
        skipped = {"skipped": "--no-splink"}
        splink = _splink(name, identity=True) if with_splink else skipped
        splink_without = _splink(name, identity=False) if with_splink else skipped
        headline = ours["trained"]["household_rules_off"]["f1"]
        default = ours["trained"]["household_rules_on"]["f1"]
        imported = ours.get("saferforms_import_postgresql_trained", {}).get("f1")
        out[name] = {
            "target_f1": target,
            "safer_forms": ours,
            "safer_forms_without_identity_numbers": without,
            "splink": splink,
            "splink_without_identity_numbers": splink_without,
            "side_by_side_f1": {
                "safer_forms_trained_rules_off_auto": headline,
                "safer_forms_trained_rules_on_auto": default,
                "safer_forms_trained_rules_on_after_review": ours["trained"][
                    "household_rules_on_after_review"
                ]["f1"],
                "safer_forms_import_command_postgresql_trained": imported,
                **_splink_f1(splink),
            },
            "side_by_side_f1_without_identity_numbers": {
                "safer_forms_trained_rules_off_auto": without["trained"]["household_rules_off"][
                    "f1"
                ],
                "safer_forms_trained_rules_on_auto": without["trained"]["household_rules_on"]["f1"],
                **_splink_f1(splink_without),
            },
            "target_met_rules_off": headline >= target,
            # The default has the household rules on; the import runs with the default.
            "target_met_default_auto": default >= target,
            "target_met_default_import": imported is not None and imported >= target,
        }
    return out


def speed_in_memory(sizes: list[int], queries: int) -> dict[str, Any]:
    """Time dedupe alone (no database) matching returning people against a synthetic store."""
    import secrets

    from benchmarks.dedupe_febrl import hmac_tokeniser
    from benchmarks.dedupe_synthetic import Population
    from dedupe.matcher import Matcher
    from dedupe.store import CandidateRecord, InMemoryStore

    tokeniser = hmac_tokeniser(secrets.token_bytes(32))
    results: dict[str, Any] = {}
    for size in sizes:
        population = Population(seed=size)
        people = population.people(size)
        store = InMemoryStore(max_bucket=MAX_BUCKET)
        matcher = Matcher(store, tokeniser)
        for index, record in enumerate(people):
            person = matcher.normalise(record)
            store.add(CandidateRecord(index, index, person), matcher.index_tokens(person))
        # The store lives in this process only for the benchmark; keep the garbage collector
        # from walking it between lookups, as a database-backed worker would not hold it.
        gc.collect()
        gc.freeze()
        rng = population.rng
        sample = [rng.randrange(size) for _ in range(queries)]
        timings: list[float] = []
        cpu: list[float] = []
        found = 0
        counts: list[int] = []
        for index in sample:
            query = population.returning(people[index])
            started, started_cpu = time.perf_counter(), time.thread_time()
            decision = matcher.match(query)
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.thread_time() - started_cpu) * 1000)
            counts.append(decision.candidates)
            found += decision.outcome == "match" and decision.id == index
        results[str(size)] = {
            **_latency(timings),
            "cpu": _latency(cpu),
            "mean_candidates": round(statistics.mean(counts), 1),
            "p95_candidates": sorted(counts)[int(0.95 * (len(counts) - 1))],
            "max_candidates": max(counts),
            "returning_people_linked": round(found / queries, 4),
        }
        del store, matcher, people
        gc.unfreeze()
        gc.collect()
    return results


def _latency(timings_ms: list[float]) -> dict[str, float]:
    ordered = sorted(timings_ms)
    return {
        "median_ms": round(statistics.median(ordered), 3),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 3),
        "p99_ms": round(ordered[int(0.99 * (len(ordered) - 1))], 3),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--section", choices=["accuracy", "speed", "import", "all"], default="all")
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--stores", default="memory,postgresql", help="speed: which stores to time")
    parser.add_argument(
        "--no-import-path",
        action="store_true",
        help="accuracy: skip feeding FEBRL through `saferforms import persons` on PostgreSQL",
    )
    parser.add_argument(
        "--no-splink",
        action="store_true",
        help="accuracy: skip Splink (slow) while iterating; record runs with it",
    )
    parser.add_argument("--held", type=int, default=100_000, help="persons held before import")
    parser.add_argument("--rows", type=int, default=10_000, help="rows to import")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    report: dict[str, Any] = {
        "benchmark": "dedupe",
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }
    if args.section in ("accuracy", "all"):
        report["accuracy"] = accuracy(
            args.database_url, not args.no_import_path, not args.no_splink
        )
    if args.section in ("speed", "all"):
        stores = args.stores.split(",")
        report["speed"] = {}
        if "memory" in stores:
            report["speed"]["dedupe_in_memory"] = speed_in_memory(sizes, args.queries)
        if "postgresql" in stores:
            try:
                from benchmarks.dedupe_postgres import speed
            except ImportError as error:
                report["speed"]["postgresql"] = {"error": f"not available: {error}"}
            else:
                report["speed"]["postgresql"] = speed(sizes, args.queries, args.database_url)
    if args.section in ("import", "all"):
        try:
            from benchmarks.dedupe_postgres import import_throughput
        except ImportError as error:
            report["import"] = {"error": f"not available: {error}"}
        else:
            report["import"] = import_throughput(args.held, args.rows, args.database_url)
    report["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    json.dump(report, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
