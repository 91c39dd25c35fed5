"""What running one outbox row costs, apart from its job's own work, printed as JSON.

    PYTHONPATH=. .venv/bin/python benchmarks/runner.py [--rows 1500] [--warm-up 50]

Every report a worker processes is three outbox rows (the report, the team's message and the
reporter's acknowledgement), and each row is claimed, locked, run and marked done by
`forms_app.jobs.runner.execute`. This times that bookkeeping alone: it writes `--rows` rows into
a scratch PostgreSQL database (made and dropped by the run), replaces their job with one that
does nothing, and runs them one after another in this process, measuring the CPU time of this
process and of PostgreSQL per row. Run it from two checkouts one after the other to compare
them (it runs the code on its path).

With `--through-rq` each row goes the way it goes in production instead: its commit enqueues it
in Redis, and an RQ worker of the kind `saferforms worker` runs (in this process, in burst mode)
takes it off the queue and runs it; Redis's CPU is counted too. That adds RQ's own bookkeeping.

Needs PostgreSQL (BENCH_DATABASE_SERVER, default postgresql+psycopg://postgres@127.0.0.1/postgres),
and for `--through-rq` Redis (BENCH_REDIS_URL, default redis://127.0.0.1:6379/10; that database
is flushed).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.forms import drop, prepare  # noqa: E402
from benchmarks.intake import _cpu_seconds_of, _postgres_cpu_seconds  # noqa: E402

REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/10")

KIND = "notify_team_new_case"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1500, help="rows timed")
    parser.add_argument("--warm-up", type=int, default=50, help="rows run before timing")
    parser.add_argument("--through-rq", action="store_true",
                        help="enqueue each row in Redis and run it with an RQ worker")  # fmt: skip
    args = parser.parse_args()
    if args.through_rq:
        import logging

        import redis

        redis.Redis.from_url(REDIS).flushdb()
        # RQ logs each job (four lines), as it does in a worker, but not over the JSON below:
        # with a handler of our own it adds none writing to standard output.
        sink = logging.StreamHandler(open(os.devnull, "w"))  # noqa: SIM115 - lives with the run
        sink.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
        logging.getLogger("rq.worker").addHandler(sink)

    with tempfile.TemporaryDirectory(prefix="sf-bench-runner-") as folder:
        env, database, admin = prepare(Path(folder))
        os.environ.update({k: v for k, v in env.items() if k.startswith(("SAFERFORMS_", "DATA"))})
        if args.through_rq:
            os.environ.update(REDIS_URL=REDIS, SAFERFORMS_JOBS_MODE="rq")
        try:
            import notifications.jobs
            from forms_app import create_app
            from forms_app.extensions import db
            from forms_app.jobs import outbox
            from forms_app.jobs.runner import execute
            from forms_app.models import Outbox

            # The job itself does nothing: what is left is the runner's own work.
            notifications.jobs.notify_team_new_case = lambda case_id: None  # type: ignore[assignment]
            app = create_app(process="worker")
            with app.app_context():

                def add(count: int) -> list[str]:
                    # With Redis, the commit enqueues the rows (untimed: the web's share).
                    ids = [outbox.add(KIND, case_id=f"case-{n}").id for n in range(count)]
                    db.session.commit()
                    return ids

                def run(ids: list[str]) -> None:
                    if not args.through_rq:
                        for row_id in ids:
                            execute(row_id)
                        return
                    from forms_app.jobs.worker import build_worker

                    build_worker(app).work(burst=True, with_scheduler=False, logging_level="INFO")

                def states(ids: list[str]) -> list[str]:
                    db.session.expire_all()
                    return [
                        str(db.session.get(Outbox, row_id).state.value)  # type: ignore[union-attr]
                        for row_id in ids
                    ]

                run(add(args.warm_up))
                timed = add(args.rows)
                postgres_before = _postgres_cpu_seconds()
                redis_before = _cpu_seconds_of("redis-server")
                cpu_before, wall_before = time.process_time(), time.perf_counter()
                run(timed)
                cpu = time.process_time() - cpu_before
                wall = time.perf_counter() - wall_before
                postgres = _postgres_cpu_seconds() - postgres_before
                redis_cpu = _cpu_seconds_of("redis-server") - redis_before
                outcomes = states(timed)
                db.session.remove()
        finally:
            drop(admin, database)

    print(
        json.dumps(
            {
                "benchmark": "outbox runner" + (" through RQ" if args.through_rq else ""),
                "code": str(ROOT),
                "rows": args.rows,
                "every_row_done": all(outcome == "done" for outcome in outcomes),
                "python_cpu_ms_a_row": round(cpu / args.rows * 1000, 3),
                "postgres_cpu_ms_a_row": round(postgres / args.rows * 1000, 3),
                "redis_cpu_ms_a_row": round(redis_cpu / args.rows * 1000, 3)
                if args.through_rq
                else None,
                "wall_ms_a_row": round(wall / args.rows * 1000, 3),
                "load_average": os.getloadavg(),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
