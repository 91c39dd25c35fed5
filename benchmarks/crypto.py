"""Field encryption and blind-index throughput, printed as JSON.

    .venv/bin/python benchmarks/crypto.py [--seconds 1.0] [--repeats 5]

A typical field is a surname-sized string (14 bytes) and an address line (30 bytes); the
figures are medians over several timed runs in one process, one core.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from collections.abc import Callable

from forms_app.crypto import BlindIndexer, FieldContext, Keyring


def rate(operation: Callable[[], object], seconds: float) -> float:
    count = 0
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        for _ in range(200):
            operation()
        count += 200
        now = time.perf_counter()
        if now >= deadline:
            return count / (now - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=1.0)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    keyring = Keyring({"bench": os.urandom(32)}, "bench")
    indexer = BlindIndexer(os.urandom(32))
    context = FieldContext("person", "last_name", "0192f0c1-0000-7000-8000-000000000000")
    surname = b"Pritchard-Jones"
    address = b"Flat 3, 27 Heol y Frenhines"
    blob = keyring.encrypt(surname, context)
    address_blob = keyring.encrypt(address, context)

    cases: dict[str, Callable[[], object]] = {
        "encrypt_surname": lambda: keyring.encrypt(surname, context),
        "decrypt_surname": lambda: keyring.decrypt(blob, context),
        "encrypt_address_line": lambda: keyring.encrypt(address, context),
        "decrypt_address_line": lambda: keyring.decrypt(address_blob, context),
        "blind_index_hash": lambda: indexer.full("name", "pritchard jones"),
    }
    results = {}
    for name, operation in cases.items():
        runs = [rate(operation, args.seconds) for _ in range(args.repeats)]
        results[name] = {
            "median_per_second": round(statistics.median(runs)),
            "runs_per_second": [round(r) for r in runs],
        }
    print(
        json.dumps(
            {
                "benchmark": "crypto",
                "python": platform.python_version(),
                "machine": platform.machine(),
                "seconds_per_run": args.seconds,
                "repeats": args.repeats,
                "results": results,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
