"""The web's CPU for sending one report, in one process: the final "send" and its confirmation.

    .venv/bin/python benchmarks/send.py [--reports 200] [--profile FILE]

Fills in the ASB form up to "check your answers" for each report through Flask's test client
(untimed), then sends them one after another and fetches each confirmation page, as
benchmarks/intake.py's clients do, and prints the process's CPU milliseconds per report as JSON.
The application is configured as the intake benchmark's web process: PostgreSQL, jobs relayed to
Redis (BENCH_REDIS_URL's database, flushed; no worker runs them), in-memory rate limits, no intake
private key. Without gunicorn and HTTP it measures the application's own share of the web's work,
and it is quick enough to run before and after a change, alternately, several times.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.forms import CSRF, drop, prepare  # noqa: E402
from benchmarks.intake import REFERENCE, _journey_for, _people  # noqa: E402

REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")


def _ready(app: Any, person: dict[str, str]) -> tuple[Any, str, str]:
    """A client with a draft filled in up to the last step (as benchmarks/intake.py's clients
    fill it in), the step's URL and its body."""
    from urllib.parse import urlencode

    client = app.test_client()
    root = "/f/asb-report"
    page = client.get(root).get_data(as_text=True)
    token = CSRF.search(page)
    assert token is not None
    url = root
    steps = _journey_for(person)
    for _path, fields in steps[:-1]:
        response = client.post(
            url,
            data=urlencode([("csrf_token", token.group(1)), *fields]),
            content_type="application/x-www-form-urlencoded",
        )
        assert response.status_code == 303, (url, response.status_code)
        url = response.headers["Location"]
    body = urlencode([("csrf_token", token.group(1)), *steps[-1][1]])
    return client, url, body


def _send(client: Any, url: str, body: str) -> None:
    response = client.post(url, data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 303, response.status_code
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert REFERENCE.search(page) is not None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reports", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds; the median is shown")
    parser.add_argument("--profile", help="write a cProfile of the timed sends to this file")
    args = parser.parse_args()

    import redis

    connection = redis.Redis.from_url(REDIS)
    connection.flushdb()
    workdir = Path(tempfile.mkdtemp(prefix="sf-bench-send-"))
    env, name, admin = prepare(workdir)
    try:
        env.pop("SAFERFORMS_JOBS_MODE", None)
        env["REDIS_URL"] = REDIS
        env["RATELIMIT_STORAGE_URI"] = "memory://"
        os.environ.clear()
        os.environ.update(env)
        from forms_app import create_app

        app = create_app()
        per_round = args.reports // args.rounds
        drafts = [_ready(app, person) for person in _people(per_round * args.rounds + 1)]
        _send(*drafts.pop())  # warm up
        profiler = cProfile.Profile() if args.profile else None
        rounds = []
        for number in range(args.rounds):
            batch = drafts[number * per_round : (number + 1) * per_round]
            began = time.process_time()
            if profiler is not None:
                profiler.enable()
            for draft in batch:
                _send(*draft)
            if profiler is not None:
                profiler.disable()
            rounds.append((time.process_time() - began) / len(batch) * 1000)
        if profiler is not None:
            profiler.dump_stats(args.profile)
        print(
            json.dumps(
                {
                    "benchmark": "send",
                    "reports": per_round * args.rounds,
                    "cpu_ms_per_report": round(statistics.median(rounds), 2),
                    "rounds_cpu_ms": [round(value, 2) for value in rounds],
                }
            )
        )
    finally:
        drop(admin, name)
        connection.flushdb()


if __name__ == "__main__":
    main()
