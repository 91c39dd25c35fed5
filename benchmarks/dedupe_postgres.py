"""Speed of duplicate checking against PostgreSQL: match latency at 10k-1M people, import rate.

A scratch database is created on the server (and dropped afterwards), built by the migrations,
and filled with synthetic people exactly as the application stores them: fields encrypted with
AES-256-GCM bound to row and column, blind-index rows truncated per kind. The bulk load uses
COPY; the timed parts use the application's own code (forms_app.matching).
"""

from __future__ import annotations

import csv
import gc
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from benchmarks.cpu import process_cpu_seconds

DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1/test"
CHUNK = 50_000


@contextmanager
def scratch_app(server_url: str | None) -> Iterator[Any]:
    """A Flask app on a new, migrated PostgreSQL database that is dropped afterwards."""
    from flask_migrate import upgrade

    from forms_app import create_app
    from forms_app.extensions import db

    server = sa.make_url(server_url or DEFAULT_SERVER)
    name = f"sf_bench_dedupe_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = server.set(database=name).render_as_string(hide_password=False)
    with tempfile.TemporaryDirectory() as instance:
        app = create_app(
            {
                "SAFERFORMS_ENV": "test",
                "SQLALCHEMY_DATABASE_URI": url,
                "INSTANCE_DIR": Path(instance),
                "RATELIMIT_STORAGE_URI": "memory://",
                "REDIS_URL": None,
                "SERVER_NAME": None,
            },
            process="cli",
        )
        try:
            with app.app_context():
                upgrade(directory=str(Path(__file__).resolve().parent.parent / "migrations"))
                yield app
                db.session.remove()
                db.engine.dispose()
        finally:
            with admin.connect() as connection:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


PERSON_COLUMNS = (
    "id", "created_at", "first_name", "last_name", "date_of_birth", "gender", "email", "phone",
    "description", "source_system", "source_id", "merged_into_id", "merged_at",
)  # fmt: skip
ADDRESS_COLUMNS = ("id", "created_at", "line_1", "line_2", "town", "postcode", "description")


def bulk_load(people: Sequence[Any], households: Sequence[int]) -> dict[str, float]:
    """Write people (and one shared address per household) with COPY; return the timings.

    Each person gets its blind-index rows and its encrypted match profile, as the application
    writes them. Work goes in chunks so a million people fit in memory.
    """
    from dedupe.matcher import AddressMatcher, Matcher
    from dedupe.store import InMemoryAddressStore, InMemoryStore
    from forms_app.extensions import db
    from forms_app.matching.store import tokeniser
    from forms_app.matching.writer import Batch

    tokenise = tokeniser()
    matcher = Matcher(InMemoryStore(), tokenise)
    places = AddressMatcher(InMemoryAddressStore(), tokenise)
    now = datetime.now(UTC)
    address_id = None
    prepare = copy = 0.0
    for start in range(0, len(people), CHUNK):
        began = time.perf_counter()
        batch = Batch()
        chunk = zip(people[start : start + CHUNK], households[start : start + CHUNK], strict=True)
        for record, household in chunk:
            person = matcher.normalise(record)
            if household != -1:
                address_id = batch.add_address(record, places.index_tokens(person.address), now)
            batch.add_person(
                record,
                matcher.index_tokens(person),
                created_at=now,
                address_id=address_id,
                profile=person,
            )
        prepared = time.perf_counter()
        connection = db.engine.raw_connection()
        try:
            cursor = connection.cursor()
            _copy(cursor, "address", ADDRESS_COLUMNS, batch.addresses)
            _copy(cursor, "person", PERSON_COLUMNS, batch.persons)
            _copy(cursor, "person_address", ("id", "created_at", "person_id", "address_id", "kind"),
                  batch.person_addresses)  # fmt: skip
            _copy(cursor, "person_index", ("token", "person_id"), batch.person_index)
            _copy(cursor, "address_index", ("token", "address_id"), batch.address_index)
            _copy(cursor, "match_profile", ("id", "person_id", "address_id", "version", "profile"),
                  batch.profiles)  # fmt: skip
            connection.commit()
        finally:
            connection.close()
        prepare += prepared - began
        copy += time.perf_counter() - prepared
    connection = db.engine.raw_connection()
    try:
        # As autovacuum would leave a settled table: statistics and the visibility map. Only the
        # tables loaded here: statistics that call the empty case tables empty would still be
        # trusted while a run fills them, which autovacuum would have corrected in a minute.
        driver = connection.driver_connection
        driver.autocommit = True  # type: ignore[union-attr]
        try:
            connection.cursor().execute("VACUUM ANALYZE " + ", ".join(LOADED_TABLES))
        finally:
            driver.autocommit = False  # type: ignore[union-attr]
    finally:
        connection.close()
    return {"prepare_seconds": round(prepare, 1), "copy_seconds": round(copy, 1)}


LOADED_TABLES = (
    "address", "person", "person_address", "person_index", "address_index", "match_profile"
)  # fmt: skip


def _copy(cursor: Any, table: str, columns: Sequence[str], rows: list[dict[str, object]]) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row.get(c) for c in columns])


def _households(population: Any, count: int) -> tuple[list[Any], list[int]]:
    people: list[Any] = []
    marks: list[int] = []
    for household in population.households():
        for index, person in enumerate(household):
            people.append(person)
            marks.append(-1 if index else len(marks))
        if len(people) >= count:
            break
    return people[:count], marks[:count]


class _TimedStore:
    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.seconds = 0.0

    def candidates(self, tokens: Sequence[bytes]) -> Any:
        started = time.perf_counter()
        found = self.inner.candidates(tokens)
        self.seconds += time.perf_counter() - started
        return found


def _percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[int(share * (len(ordered) - 1))]


def _server_times(session: Any, matcher: Any, queries: Sequence[Any]) -> list[float]:
    """Execution time the server reports for the candidate lookup (EXPLAIN ANALYZE)."""
    from forms_app.matching.store import _PG_PROFILES, MAX_BUCKET, _params

    times = []
    for query in queries:
        tokens = matcher.query_tokens(query)
        plan = session.execute(
            sa.text("EXPLAIN (ANALYZE, FORMAT JSON) " + _PG_PROFILES.text),
            _params(tokens, MAX_BUCKET),
        ).scalar_one()
        times.append(float(plan[0]["Execution Time"]))
    return times


def speed(sizes: list[int], queries: int, server_url: str | None) -> dict[str, Any]:
    """Median and p95 time to match one returning person, at each size, on one database."""
    from benchmarks.dedupe_synthetic import Population
    from forms_app.extensions import db
    from forms_app.matching.service import person_matcher

    results: dict[str, Any] = {}
    population = Population(seed=42)
    held: list[Any] = []
    with scratch_app(server_url):
        for size in sorted(sizes):
            people, marks = _households(population, size - len(held))
            load = bulk_load(people, marks)
            held.extend(people)
            session = db.session()
            matcher = person_matcher(session)
            timed = _TimedStore(matcher.store)
            matcher.store = timed
            rng = population.rng
            wall: list[float] = []
            cpu: list[float] = []
            store_ms: list[float] = []
            counts: list[int] = []
            linked = 0
            for _ in range(queries):
                original = held[rng.randrange(len(held))]
                query = population.returning(original)
                timed.seconds = 0.0
                started, started_cpu = time.perf_counter(), time.thread_time()
                decision = matcher.match(query)
                wall.append((time.perf_counter() - started) * 1000)
                cpu.append((time.thread_time() - started_cpu) * 1000)
                store_ms.append(timed.seconds * 1000)
                counts.append(decision.candidates)
                linked += decision.outcome == "match"
            server = _server_times(session, matcher, [population.returning(p) for p in held[:50]])
            session.rollback()
            results[str(size)] = {
                "server_execution_median_ms": round(statistics.median(server), 3),
                "median_ms": round(statistics.median(wall), 3),
                "p95_ms": round(_percentile(wall, 0.95), 3),
                "p99_ms": round(_percentile(wall, 0.99), 3),
                "client_cpu_median_ms": round(statistics.median(cpu), 3),
                "client_cpu_p95_ms": round(_percentile(cpu, 0.95), 3),
                "fetch_and_decrypt_median_ms": round(statistics.median(store_ms), 3),
                "fetch_and_decrypt_p95_ms": round(_percentile(store_ms, 0.95), 3),
                "mean_candidates": round(statistics.mean(counts), 1),
                "p95_candidates": _percentile(counts, 0.95),
                "returning_people_matched": round(linked / queries, 4),
                "load": load,
            }
        results["target"] = {"p95_ms_at_1m": 10.0}
    return results


def _children_cpu_seconds() -> float:
    times = os.times()
    return times.children_user + times.children_system


def import_throughput(held: int, rows: int, server_url: str | None) -> dict[str, Any]:
    """Rows per second through `saferforms import persons` with ``held`` people already held."""
    from benchmarks.dedupe_synthetic import Population
    from forms_app.extensions import db
    from forms_app.matching.importer import import_persons, read_rows

    population = Population(seed=7)
    with scratch_app(server_url), tempfile.TemporaryDirectory() as folder:
        people, marks = _households(population, held)
        load = bulk_load(people, marks)
        rng = population.rng
        path = Path(folder) / "legacy.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(
                ["source_id", "first_name", "last_name", "date_of_birth", "gender", "email",
                 "phone", "address_line_1", "address_line_2", "town", "postcode", "created_at"]
            )  # fmt: skip
            fresh = population.people(rows)
            for index in range(rows):
                # Half the rows are people already held, written differently; half are new.
                if index % 2:
                    person = population.returning(people[rng.randrange(len(people))])
                else:
                    person = fresh[index]
                writer.writerow(
                    [f"L{index}", person.first_name or "", person.last_name or "",
                     person.date_of_birth or "", person.gender or "", person.email or "",
                     person.phone or "", person.address_line_1 or "", person.address_line_2 or "",
                     person.town or "", person.postcode or "", "2015-06-01"]
                )  # fmt: skip
        counts: dict[str, int] = {}
        # The import command's process does not hold the generated population.
        del people, marks
        gc.collect()
        session = db.session()
        backend = session.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
        session.commit()
        with path.open(encoding="utf-8", newline="") as handle:
            server_before = process_cpu_seconds(backend)
            started, started_cpu = time.perf_counter(), time.process_time()
            # The import prepares batches in a worker process; its CPU counts once it is reaped.
            started_workers = _children_cpu_seconds()
            summary = import_persons(
                session,
                read_rows(handle),
                "legacy",
                on_line=lambda line: counts.__setitem__(
                    line.decision, counts.get(line.decision, 0) + 1
                ),
                on_error=lambda error: None,
            )
            elapsed = time.perf_counter() - started
            main_cpu = time.process_time() - started_cpu
            worker_cpu = _children_cpu_seconds() - started_workers
            client_cpu = main_cpu + worker_cpu
            server_cpu = process_cpu_seconds(backend) - server_before
        return {
            "client_cpu_seconds": round(client_cpu, 2),
            "client_main_process_cpu_seconds": round(main_cpu, 2),
            "client_worker_process_cpu_seconds": round(worker_cpu, 2),
            "server_cpu_seconds": round(server_cpu, 2),
            "client_cpu_ms_a_row": round(client_cpu * 1000 / rows, 3),
            "server_cpu_ms_a_row": round(server_cpu * 1000 / rows, 3),
            # What one uncontended core would allow if nothing overlapped: every CPU second of
            # client and server added up.
            "rows_per_second_by_cpu_time": round(rows / (client_cpu + server_cpu), 1),
            "held_before": held,
            "rows": rows,
            "seconds": round(elapsed, 2),
            "rows_per_second": round(rows / elapsed, 1),
            "decisions": counts,
            "skipped": summary.skipped,
            "load": load,
            "target_rows_per_second": 1000,
        }
