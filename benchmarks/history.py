"""What reading a report's history costs a worker once a surge has filled it, printed as JSON.

    PYTHONPATH=. .venv/bin/python benchmarks/history.py [--earlier 600] [--calls 200] [--rounds 5]

When an incident brings a surge of reports about one place, each report is assessed with every
earlier report about that place in the instrument's window, so the cost of reading them grows
with the surge. This writes `--earlier` reports about one place into a scratch PostgreSQL
database (made and dropped by the run) and times the intake processor's history read for a new
report about the place, in CPU time of this process, `--rounds` times. Run it from two
checkouts one after the other to compare them (it reads the processor of the code on its path).

Needs PostgreSQL (BENCH_DATABASE_SERVER, default postgresql+psycopg://postgres@127.0.0.1/postgres).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SERVER = os.environ.get("BENCH_DATABASE_SERVER", "postgresql+psycopg://postgres@127.0.0.1/postgres")


def _earlier_reports(url: str, place: str, count: int, now: datetime) -> None:
    """Write `count` reports about `place` over the last ten days, each by its own reporter.

    Only `case_report` is read, so the rows it points at (cases, submissions, people) are left
    out, with PostgreSQL's foreign-key triggers off for this one connection.
    """
    engine = sa.create_engine(url)
    rows = [
        {
            "id": str(uuid.uuid4()),
            "case_id": str(uuid.uuid4()),
            "submission_id": str(uuid.uuid4()),
            "kind": "original",
            "victim_id": str(uuid.uuid4()),
            "reporter_id": str(uuid.uuid4()),
            "location_id": place,
            "problem": "asb",
            "hate": index % 7 == 0,
            "incident_date": (now - timedelta(days=index % 10 + 1)).date(),
            "reported_at": now - timedelta(minutes=index * 20 + 5),
            "created_at": now,
        }
        for index in range(count)
    ]
    columns = ", ".join(rows[0])
    values = ", ".join(f":{name}" for name in rows[0])
    with engine.begin() as connection:
        connection.execute(sa.text("SET session_replication_role = replica"))
        connection.execute(sa.text(f"INSERT INTO case_report ({columns}) VALUES ({values})"), rows)
    engine.dispose()


def measure(url: str, args: argparse.Namespace) -> dict[str, object]:
    from forms_app import create_app
    from forms_app.definitions import load_file
    from forms_app.extensions import db
    from forms_app.intake.processor import _history
    from scoring import load_instrument

    now = datetime.now(UTC)
    place = str(uuid.uuid4())
    _earlier_reports(url, place, args.earlier, now)
    form = load_file(ROOT / "form_definitions" / "asb-report.yaml")
    instrument = load_instrument(form.as_dict())
    with tempfile.TemporaryDirectory() as instance:
        app = create_app(
            {
                "SAFERFORMS_ENV": "test",
                "SQLALCHEMY_DATABASE_URI": url,
                "INSTANCE_DIR": Path(instance),
                "REDIS_URL": None,
            }
        )
        with app.app_context():
            session = db.session

            def read() -> int:
                entries = _history(
                    session,
                    instrument,
                    now,
                    victim_id=str(uuid.uuid4()),
                    home_address_id=None,
                    location_id=place,
                    case_id=None,
                )
                session.rollback()
                return len(entries)

            found = read()
            rounds = []
            for _ in range(args.rounds):
                began = time.process_time()
                for _ in range(args.calls):
                    read()
                rounds.append((time.process_time() - began) / args.calls * 1000)
            db.engine.dispose()
    return {
        "earlier_reports_read": found,
        "cpu_ms_per_read_median": round(statistics.median(rounds), 3),
        "cpu_ms_per_read_rounds": [round(value, 3) for value in rounds],
        "cpu_us_per_earlier_report": round(statistics.median(rounds) * 1000 / max(found, 1), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--earlier", type=int, default=600, help="earlier reports about the place")
    parser.add_argument("--calls", type=int, default=200, help="history reads a round")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    from tests.conftest import _migrate, create_scratch_database, drop_scratch_database

    url, admin = create_scratch_database(SERVER)
    try:
        with tempfile.TemporaryDirectory() as instance:
            _migrate(url, Path(instance))
        result = measure(url, args)
    finally:
        drop_scratch_database(admin, url)
    print(
        json.dumps(
            {
                "benchmark": "history read in a surge",
                "code": str(ROOT),
                "load_average": list(os.getloadavg()),
                **vars(args),
                **result,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
