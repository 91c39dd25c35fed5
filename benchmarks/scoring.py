"""Benchmark: DASH assessments per second with a 50-entry history, on one core.

Prints JSON. Run: .venv/bin/python benchmarks/scoring.py [--runs 7] [--seconds 1.0]

The same answers and the same 50 earlier reports are assessed in two input forms:

- `assessments_per_second` (the headline, and what `meets_target` is judged on): the
  history as a list of `scoring.HistoryEntry`, which is what the intake worker passes
  (forms_app/intake/processor.py `_history` builds them from database rows);
- `assessments_per_second_history_as_json_objects`: the history as JSON-style dicts,
  read and checked on every call, as the `score` command and other callers of the
  documented JSON shape do.

`now` is a fixed date in both; the worker passes the submission's time, which adds a
conversion to the UK day.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import scoring  # noqa: E402

TARGET = 20_000
TODAY = date(2025, 6, 30)


def dash_answers(form: dict[str, Any]) -> dict[str, Any]:
    """A completed checklist: a realistic mix of yes, no and not known."""
    questions = [
        field["name"]
        for page in form["pages"]
        for field in page["fields"]
        if field.get("list") == "yes_no_not_known"
    ]
    cycle = ["yes", "no", "yes", "not_known", "no", "yes"]
    answers: dict[str, Any] = {q: cycle[i % len(cycle)] for i, q in enumerate(questions)}
    answers |= {
        "victim": {"first_name": "A", "last_name": "B"},
        "incident_date": "2025-06-29",
        "incidents_last_12_months": 2,
        "judgement_raise": "no",
    }
    return answers


def history(size: int) -> list[dict[str, Any]]:
    """Earlier reports spread over two years, linked in assorted ways."""
    links = [["person"], ["address"], ["person", "address"], ["location"]]
    return [
        {
            "reference": f"DASH-{n:04d}",
            "reported_on": (TODAY - timedelta(days=15 * n + 3)).isoformat(),
            "incident_date": (TODAY - timedelta(days=15 * n + 4)).isoformat(),
            "same": links[n % len(links)],
            "reporter": f"r{n % 7}",
        }
        for n in range(size)
    ]


def rate(run: Any, seconds: float) -> float:
    """Assessments per second of this process's CPU time, over at least `seconds`.

    CPU time rather than wall time: the target is per core, and the machines this
    runs on are shared, so wall time would count other people's work too.
    """
    count, started = 0, time.process_time()
    while True:
        for _ in range(500):
            run()
        count += 500
        elapsed = time.process_time() - started
        if elapsed >= seconds:
            return count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--seconds", type=float, default=1.0, help="length of each run")
    parser.add_argument("--history", type=int, default=50)
    args = parser.parse_args()

    pinned = None
    if hasattr(os, "sched_setaffinity"):
        # One core, as the target is stated per core.
        pinned = sorted(os.sched_getaffinity(0))[0]
        os.sched_setaffinity(0, {pinned})

    load_at_start = os.getloadavg()
    form = yaml.safe_load((ROOT / "form_definitions" / "dash.yaml").read_text(encoding="utf-8"))
    instrument = scoring.load_instrument(form)
    answers = dash_answers(form)
    as_json = history(args.history)
    as_entries = scoring.history.parse_history(as_json)  # what the worker builds from rows

    result = scoring.assess(instrument, answers, as_entries, now=TODAY)
    assert result == scoring.assess(instrument, answers, as_json, now=TODAY)
    cases = {
        "history_as_entries": lambda: scoring.assess(instrument, answers, as_entries, now=TODAY),
        "history_as_json_objects": lambda: scoring.assess(instrument, answers, as_json, now=TODAY),
    }
    rates: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(args.runs):
        for name, case in cases.items():
            rates[name].append(rate(case, args.seconds))
    medians = {name: round(statistics.median(values)) for name, values in rates.items()}
    print(
        json.dumps(
            {
                "benchmark": "scoring.assess",
                "instrument": f"{instrument.name} {instrument.version}",
                "history_entries": args.history,
                "runs": args.runs,
                "seconds_per_run": args.seconds,
                "clock": "process CPU time",
                "cpu": pinned,
                "python": platform.python_version(),
                "result": {"score": result.score, "level": result.level, "flags": result.flags},
                "assessments_per_second": medians["history_as_entries"],
                "assessments_per_second_input": "history as HistoryEntry objects, as the "
                "intake worker passes it",
                "assessments_per_second_history_as_json_objects": medians[
                    "history_as_json_objects"
                ],
                "all_runs": {
                    name: [round(value) for value in values] for name, values in rates.items()
                },
                "target": TARGET,
                "meets_target": medians["history_as_entries"] >= TARGET,
                "history_as_json_objects_meets_target": medians["history_as_json_objects"]
                >= TARGET,
                # 1, 5 and 15 minute load averages of the machine, at the start and the end:
                # the clock is this process's CPU time, but a busy machine still slows it.
                "load_average": {
                    "start": [round(load, 2) for load in load_at_start],
                    "end": [round(load, 2) for load in os.getloadavg()],
                },
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
