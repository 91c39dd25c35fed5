"""What running one outbox row costs, apart from its job's own work, printed as JSON.

    PYTHONPATH=. .venv/bin/python benchmarks/runner.py [--rows 1500] [--warm-up 50]

Every report a worker processes is three outbox rows (the report, the team's message and the
reporter's acknowledgement), and each row is claimed, locked, run and marked done by
`forms_app.jobs.runner.execute`. This times that bookkeeping alone: it writes `--rows` rows into
a scratch PostgreSQL database (made and dropped by the run), replaces their job with one that
does nothing, and runs them one after another in this process, measuring the CPU time of this
process and of PostgreSQL per row. Run it from two checkouts one after the other to compare
them (it runs the code on its path).

Needs PostgreSQL (BENCH_DATABASE_SERVER, default postgresql+psycopg://postgres@127.0.0.1/postgres).
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
from benchmarks.intake import _postgres_cpu_seconds  # noqa: E402

KIND = "notify_team_new_case"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1500, help="rows timed")
    parser.add_argument("--warm-up", type=int, default=50, help="rows run before timing")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="sf-bench-runner-") as folder:
        env, database, admin = prepare(Path(folder))
        os.environ.update({k: v for k, v in env.items() if k.startswith(("SAFERFORMS_", "DATA"))})
        try:
            import notifications.jobs
            from forms_app import create_app
            from forms_app.extensions import db
            from forms_app.jobs import outbox
            from forms_app.jobs.runner import execute

            # The job itself does nothing: what is left is the runner's own work.
            notifications.jobs.notify_team_new_case = lambda case_id: None  # type: ignore[assignment]
            app = create_app(process="worker")
            with app.app_context():
                ids = [
                    outbox.add(KIND, case_id=f"case-{n}").id
                    for n in range(args.warm_up + args.rows)
                ]
                db.session.commit()
                for row_id in ids[: args.warm_up]:
                    execute(row_id)
                postgres_before = _postgres_cpu_seconds()
                cpu_before, wall_before = time.process_time(), time.perf_counter()
                outcomes = [execute(row_id) for row_id in ids[args.warm_up :]]
                cpu = time.process_time() - cpu_before
                wall = time.perf_counter() - wall_before
                postgres = _postgres_cpu_seconds() - postgres_before
                db.session.remove()
        finally:
            drop(admin, database)

    print(
        json.dumps(
            {
                "benchmark": "outbox runner",
                "code": str(ROOT),
                "rows": args.rows,
                "every_row_done": all(outcome == "done" for outcome in outcomes),
                "python_cpu_ms_a_row": round(cpu / args.rows * 1000, 3),
                "postgres_cpu_ms_a_row": round(postgres / args.rows * 1000, 3),
                "wall_ms_a_row": round(wall / args.rows * 1000, 3),
                "load_average": os.getloadavg(),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
