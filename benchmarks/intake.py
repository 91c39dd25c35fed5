"""Intake under load: gunicorn, PostgreSQL, Redis and two workers, with 100,000 people held.

    .venv/bin/python benchmarks/intake.py [--seconds 10] [--clients 8] [--persons 100000]

Printed as JSON:

- accepted per second, and the p50/p95 time to accept a complete public ASB report (the final
  "send" of the form, which seals and stores it and relays its job to Redis);
- processed per second by two `saferforms worker` processes (unseal, score with history, match
  every person and the place against the people held, open a case, route it, notify);
- p50/p95 time from a report's arrival to "processed";
- a count check: every accepted report was stored once and processed once, into one case report;
- CPU milliseconds per report spent by the web, the job workers and PostgreSQL, which a busy
  machine disturbs far less than the rates do; and, for the whole budget, by Redis and by the
  sending clients, which share the same cores. Their sum bounds what the machine can process:
  no arrangement of the work processes more than (cores / CPU a report) reports a second.

Each client first fills in the 27-page form up to "check your answers" for as many reports as it
will send (untimed: benchmarks/forms.py measures the pages), then, during the timed window, sends
them as fast as they are accepted. Reporters are synthetic people, so some match people held.

Needs PostgreSQL (BENCH_DATABASE_SERVER, default postgresql+psycopg://postgres@127.0.0.1/postgres)
and Redis (BENCH_REDIS_URL, default redis://127.0.0.1:6379/10; that database is flushed).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.cpu import process_cpu_seconds  # noqa: E402
from benchmarks.forms import (  # noqa: E402
    CSRF,
    Client,
    asb_journey,
    drop,
    free_port,
    prepare,
    worker_cpu_seconds,
)

REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/10")
HOST = "127.0.0.1"
WEB_WORKERS = 2
WEB_THREADS = 4
JOB_WORKERS = 2
REFERENCE = re.compile(r'class="sf-reference">([^<]+)<')


def start_web(
    env: dict[str, str], worker_class: str = "gthread", workers: int = WEB_WORKERS
) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    threads = ["--threads", str(WEB_THREADS)] if worker_class == "gthread" else []
    process = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "--workers",
            str(workers),
            "--worker-class",
            worker_class,
            *threads,
            "--bind",
            f"{HOST}:{port}",
            "--log-level",
            "warning",
            "wsgi:app",
        ],  # fmt: skip
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    deadline = time.time() + 120
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            status, _, _ = Client(port).request("GET", "/healthz")
            if status == 200:
                time.sleep(2)
                return process, port
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError("gunicorn did not start")


def start_workers(env: dict[str, str], log_dir: Path) -> list[subprocess.Popen[bytes]]:
    workers = []
    for number in range(JOB_WORKERS):
        log = open(log_dir / f"worker-{number}.log", "wb")  # noqa: SIM115 - lives with the process
        workers.append(
            subprocess.Popen(
                [str(ROOT / ".venv" / "bin" / "saferforms"), "worker", "--name", f"bench-{number}"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
    return workers


def _cpu_seconds_of(command: str) -> float:
    """CPU time of every process of one command on this machine (the benchmark is its only user)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == command:
                    total += process_cpu_seconds(entry.name)
            except OSError:
                continue
    return total


def _postgres_cpu_seconds() -> float:
    """CPU time of every PostgreSQL process on this machine."""
    return _cpu_seconds_of("postgres")


def cpu_snapshot(
    web: subprocess.Popen[bytes], workers: list[subprocess.Popen[bytes]]
) -> dict[str, float]:
    """CPU seconds used so far by gunicorn's workers, the job workers and PostgreSQL."""
    return {
        "web": worker_cpu_seconds(web),
        "job_workers": sum(process_cpu_seconds(worker.pid) for worker in workers),
        "postgres": _postgres_cpu_seconds(),
        "redis": _cpu_seconds_of("redis-server"),
    }


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _journey_for(person: dict[str, str]) -> list[tuple[str, list[tuple[str, str]]]]:
    steps = []
    for path, fields in asb_journey():
        if path == "about-you":
            fields = [("contact_name", person["name"]), ("contact_language", "en")]
        elif path == "contact":
            fields = [("contact_method", "email"), ("contact_email", person["email"])]
        steps.append((path, fields))
    return steps


def _ready(port: int, person: dict[str, str]) -> dict[str, Any]:
    """Fill in the form up to the last step; return what is needed to send it."""
    client = Client(port)
    root = "/f/asb-report"
    _, _, page = client.request("GET", root)
    token = CSRF.search(page)
    assert token is not None
    url = root
    steps = _journey_for(person)
    for _path, fields in steps[:-1]:
        status, location, _ = client.request(
            "POST", url, urlencode([("csrf_token", token.group(1)), *fields])
        )
        assert status == 303, (url, status)
        url = location
    last_path, last_fields = steps[-1]
    assert url == f"{root}/{last_path}", url
    body = urlencode([("csrf_token", token.group(1)), *last_fields])
    return {"url": url, "cookies": dict(client.cookies), "body": body}


def _prepare_client(port: int, people: list[dict[str, str]], queue: Any) -> None:
    queue.put([_ready(port, person) for person in people])


def _send_client(port: int, drafts: list[dict[str, Any]], start_at: float, deadline: float,
                 queue: Any) -> None:  # fmt: skip
    while time.time() < start_at:
        time.sleep(0.001)
    # The client's own CPU from here on: it shares the machine's cores with the service.
    cpu_started = time.process_time()
    sent: list[tuple[float, int, str]] = []
    pending_pages: list[tuple[Client, str]] = []
    for draft in drafts:
        if time.time() >= deadline:
            break
        client = Client(port)
        client.cookies = dict(draft["cookies"])
        began = time.perf_counter()
        status, location, _ = client.request("POST", draft["url"], draft["body"])
        elapsed = time.perf_counter() - began
        sent.append((elapsed, status, location))
        if status == 303:
            pending_pages.append((client, location))
    references = []
    for client, location in pending_pages:  # outside the timed window
        status, _, page = client.request("GET", location)
        found = REFERENCE.search(page)
        if status == 200 and found:
            references.append(found.group(1))
    queue.put((sent, references, time.process_time() - cpu_started))


def _people(count: int) -> list[dict[str, str]]:
    from benchmarks.dedupe_synthetic import Population

    population = Population(seed=7)
    people = []
    for index, household in enumerate(population.households()):
        record = household[0]
        name = f"{record.first_name or 'Alex'} {record.last_name or 'Smith'}"
        people.append({"name": name, "email": f"reporter{index}@example.net"})
        if len(people) >= count:
            return people
    return people


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def load_people(env: dict[str, str], persons: int) -> dict[str, Any]:
    """Create the partnership's teams and hold `persons` people, as the application stores them."""
    from benchmarks.dedupe_postgres import _households, bulk_load
    from benchmarks.dedupe_synthetic import Population
    from forms_app import create_app
    from forms_app.extensions import db
    from forms_app.models import Organisation, Team

    app = create_app(
        {
            "SAFERFORMS_ENV": "development",
            "SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"],
            "INSTANCE_DIR": Path(env["SAFERFORMS_INSTANCE"]),
            "RATELIMIT_STORAGE_URI": "memory://",
            "REDIS_URL": None,
        },
        process="cli",
    )
    with app.app_context():
        teams = {
            "northdale-council": ["asb-team", "community-safety-hub"],
            "northdale-homes": ["tenancy-enforcement"],
        }
        for org_slug, slugs in teams.items():
            organisation = db.session.query(Organisation).filter_by(slug=org_slug).first()
            if organisation is None:
                organisation = Organisation(name=org_slug, slug=org_slug)
                db.session.add(organisation)
                db.session.flush()
            for slug in slugs:
                if (
                    db.session.query(Team)
                    .filter_by(organisation_id=organisation.id, slug=slug)
                    .first()
                ):
                    continue
                db.session.add(
                    Team(
                        organisation_id=organisation.id,
                        name=slug,
                        slug=slug,
                        notify_email=f"{slug}@{org_slug}.example",
                    )  # fmt: skip
                )
        db.session.commit()
        started = time.perf_counter()
        people, marks = _households(Population(seed=42), persons)
        timings = bulk_load(people, marks)
        db.session.remove()
        db.engine.dispose()
    return {"persons": len(people), "load_seconds": round(time.perf_counter() - started, 1),
            **timings}  # fmt: skip


def results_from_database(
    url: str, references: list[str], timeout: float, window_end: float
) -> dict[str, Any]:
    """What the workers did; `window_end` (epoch seconds) splits the run into the sending window,
    when the workers share the machine with gunicorn and the clients, and the catching up after.
    """
    from datetime import UTC, datetime

    import sqlalchemy as sa

    engine = sa.create_engine(url)
    deadline = time.time() + timeout
    wanted = set(references)
    with engine.connect() as connection:
        while True:
            processed = connection.execute(
                sa.text("SELECT count(*) FROM submission WHERE status = 'processed'")
            ).scalar()
            if processed >= len(wanted) or time.time() > deadline:
                break
            time.sleep(0.5)
        # The last reports' messages are still being sent when the last report is processed:
        # wait for them before counting what was left open.
        while (
            time.time() < deadline
            and connection.execute(
                sa.text("SELECT count(*) FROM outbox WHERE state IN ('pending', 'enqueued')")
            ).scalar()
        ):
            time.sleep(0.2)
        rows = connection.execute(
            sa.text(
                "SELECT s.reference, s.status, s.received_at, s.processed_at,"
                " (SELECT count(*) FROM case_report r WHERE r.submission_id = s.id)"
                " FROM submission s"
            )
        ).all()
        open_rows = connection.execute(
            sa.text("SELECT count(*) FROM outbox WHERE state IN ('pending', 'enqueued')")
        ).scalar()
        failed_rows = connection.execute(
            sa.text("SELECT count(*) FROM outbox WHERE state = 'failed'")
        ).scalar()
        cases = connection.execute(sa.text("SELECT count(*) FROM cases")).scalar()
        matched = connection.execute(
            sa.text("SELECT count(*) FROM person WHERE merged_into_id IS NOT NULL")
        ).scalar()
    engine.dispose()
    stored = {row[0]: row for row in rows}
    ours = [stored[ref] for ref in wanted if ref in stored]
    done = [row for row in ours if row[1] == "processed"]
    latencies = [(row[3] - row[2]).total_seconds() for row in done]
    first = min((row[2] for row in done), default=None)
    last = max((row[3] for row in done), default=None)
    span = (last - first).total_seconds() if first and last else 0.0
    end = datetime.fromtimestamp(window_end, UTC)
    if first is not None and first.tzinfo is None:
        end = end.replace(tzinfo=None)
    after = [row for row in done if row[3] > end]
    after_span = (last - end).total_seconds() if after and last else 0.0
    return {
        "processed": len(done),
        "processed_per_second": round(len(done) / span, 1) if span else None,
        # Processed once the sending stopped, per second: what two workers do with the machine.
        "processed_during_window": len(done) - len(after),
        "processed_per_second_after_window": round(len(after) / after_span, 1)
        if after_span
        else None,
        "submit_to_processed_p50_ms": round(_percentile(latencies, 0.50) * 1000, 1)
        if latencies
        else None,
        "submit_to_processed_p95_ms": round(_percentile(latencies, 0.95) * 1000, 1)
        if latencies
        else None,
        "count_check": {
            "accepted": len(wanted),
            "stored": len(ours),
            "submissions_in_database": len(rows),
            "processed": len(done),
            "processed_exactly_once": sum(1 for row in done if row[4] == 1),
            "cases": cases,
            "outbox_left_open": open_rows,
            "outbox_failed": failed_rows,
            "every_accepted_processed_once": len(done) == len(wanted) == len(rows)
            and all(row[4] == 1 for row in done),
        },
        "person_records_merged_into_people_held": matched,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="the timed sending window")
    parser.add_argument("--clients", type=int, default=8, help="concurrent sending clients")
    parser.add_argument("--persons", type=int, default=100_000, help="people held beforehand")
    parser.add_argument("--web-class", choices=("gthread", "sync"), default="gthread",
                        help="gunicorn's worker class for the web")  # fmt: skip
    parser.add_argument("--web-workers", type=int, default=WEB_WORKERS,
                        help="gunicorn worker processes for the web")  # fmt: skip
    parser.add_argument("--rate-cap", type=float, default=160.0,
                        help="reports prepared per second of window (more than can be accepted)")  # fmt: skip
    args = parser.parse_args()

    import redis

    connection = redis.Redis.from_url(REDIS)
    connection.flushdb()
    workdir = Path(tempfile.mkdtemp(prefix="sf-bench-intake-"))
    env, name, admin = prepare(workdir)
    env.pop("SAFERFORMS_JOBS_MODE", None)
    env["REDIS_URL"] = REDIS
    env["RATELIMIT_STORAGE_URI"] = "memory://"
    env["SAFERFORMS_MAIL_TRANSPORT"] = "file"
    web = None
    workers: list[subprocess.Popen[bytes]] = []
    try:
        held = load_people(env, args.persons)
        web, port = start_web(env, args.web_class, args.web_workers)
        workers = start_workers(env, workdir)

        total = int(args.seconds * args.rate_cap)
        people = _people(total)
        per_client = [people[i :: args.clients] for i in range(args.clients)]
        context = multiprocessing.get_context("spawn")
        queue = context.Queue()
        began = time.time()
        preparers = [
            context.Process(target=_prepare_client, args=(port, chunk, queue))
            for chunk in per_client
        ]
        for process in preparers:
            process.start()
        drafts = [queue.get(timeout=3600) for _ in preparers]
        for process in preparers:
            process.join()
        prepared_in = time.time() - began

        cpu_before = cpu_snapshot(web, workers)
        start_at = time.time() + 1
        deadline = start_at + args.seconds
        senders = [
            context.Process(target=_send_client, args=(port, chunk, start_at, deadline, queue))
            for chunk in drafts
        ]
        for process in senders:
            process.start()
        outcomes = [queue.get(timeout=args.seconds + 600) for _ in senders]
        for process in senders:
            process.join()
        sent = [item for outcome in outcomes for item in outcome[0]]
        references = [ref for outcome in outcomes for ref in outcome[1]]
        accepted = [item for item in sent if item[1] == 303]
        window = max(0.001, min(args.seconds, time.time() - start_at))
        accept_times = [item[0] for item in accepted]
        processing = results_from_database(
            env["DATABASE_URL"], references, timeout=600, window_end=deadline
        )
        cpu_after = cpu_snapshot(web, workers)
        # CPU per report, which other load on the machine disturbs far less than the rates: the
        # web's covers the send and the confirmation page, the workers' everything after.
        cpu_per_report = {
            f"{part}_ms": round((cpu_after[part] - cpu_before[part]) / len(accepted) * 1000, 2)
            for part in cpu_before
        } if accepted else None  # fmt: skip
        cpu_budget = None
        if cpu_per_report:
            clients_seconds = sum(outcome[2] for outcome in outcomes)
            cpu_per_report["sending_clients_ms"] = round(clients_seconds / len(accepted) * 1000, 2)
            total_ms = sum(cpu_per_report.values())
            cpus = os.cpu_count() or 1
            # Every report costs this much CPU somewhere on the machine, so no arrangement of
            # the work can process more than this many a second on its cores.
            cpu_budget = {
                "cpu_ms_a_report_in_all": round(total_ms, 2),
                "most_reports_a_second_the_cores_allow": round(cpus * 1000 / total_ms, 1),
            }
        result = {
            "benchmark": "intake",
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
            "setup": {
                "web": f"gunicorn {args.web_workers} {args.web_class} workers"
                + (f" x {WEB_THREADS} threads" if args.web_class == "gthread" else ""),
                "job_workers": JOB_WORKERS,
                "database": "PostgreSQL",
                "people_held": held,
                "reports_prepared": len(people),
                "prepared_in_seconds": round(prepared_in, 1),
            },
            "window_seconds": round(window, 2),
            "sent": len(sent),
            "accepted": len(accepted),
            "refused_or_failed": len(sent) - len(accepted),
            "accepted_per_second": round(len(accepted) / args.seconds, 1),
            "accept_p50_ms": round(statistics.median(accept_times) * 1000, 1)
            if accept_times
            else None,
            "accept_p95_ms": round(_percentile(accept_times, 0.95) * 1000, 1)
            if accept_times
            else None,
            **processing,
            "cpu_per_report": cpu_per_report,
            "cpu_budget": cpu_budget,
            "targets": {
                "accepted_per_second": 100,
                "accept_p95_ms": 200,
                "processed_per_second": 50,
            },
        }
        print(json.dumps(result, indent=2))
    finally:
        for worker in workers:
            stop(worker)
        if web is not None:
            stop(web)
        drop(admin, name)
        connection.flushdb()


if __name__ == "__main__":
    main()
