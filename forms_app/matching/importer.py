"""Import people from a legacy system's CSV file, matching each row as it goes.

Every row is checked first; a malformed row is reported by its row number and skipped, never
half-written. Good rows are matched against the people held and the rows imported before them,
written in batches (each batch one transaction), and reported one line each. A row already
imported from the same source (same source_id) is reported again and left as it is, so
importing a file twice changes nothing.
"""

from __future__ import annotations

import csv
import gc
import logging
import multiprocessing
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import BrokenExecutor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import IO

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dedupe.blocking import Tokeniser
from dedupe.records import NormalisedPerson, PersonRecord
from forms_app.audit import record as audit
from forms_app.crypto import crypto
from forms_app.models import Person

from .models import ImportDecision
from .review import root_of
from .service import Prepared, Recorder, prepare
from .store import tokeniser

log = logging.getLogger(__name__)

COLUMNS = (
    "source_id", "first_name", "last_name", "date_of_birth", "gender", "email", "phone",
    "address_line_1", "address_line_2", "town", "postcode", "created_at",
)  # fmt: skip
# Columns a file may have besides those: a number that names one person in the old system
# (an NHS, National Insurance or other number; the scheme is told by its shape).
OPTIONAL_COLUMNS = ("identity_number",)
REPORT_COLUMNS = ("source_id", "person_id", "decision", "score")
BATCH_SIZE = 500
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_FIELD = 500


class ImportFileError(Exception):
    """The file cannot be imported at all (for example, columns are missing)."""


@dataclass(frozen=True)
class RowError:
    """A row that was skipped (or, with `skipped` False, kept as imported before): its row
    number in the file (the header is row 1) and why."""

    row: int
    message: str
    skipped: bool = True


CHANGED_SINCE_IMPORTED = (
    "has the source_id of a row imported before, with other details: "
    "the details imported before are kept"
)


@dataclass(frozen=True)
class ReportLine:
    """One line of the report: the row's source_id, its person, the decision and score."""

    source_id: str
    person_id: str
    decision: str
    score: float

    def as_row(self) -> list[str]:
        return [
            spreadsheet_safe(self.source_id),
            self.person_id,
            self.decision,
            f"{self.score:.4f}",
        ]


# A cell a spreadsheet would read as a formula (OWASP's "CSV injection"): the report is opened
# in one, and source ids come from another system.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """The text with a leading ' if a spreadsheet would otherwise run it as a formula."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


@dataclass(frozen=True)
class _Row:
    number: int
    source_id: str
    record: PersonRecord
    created_at: datetime | None
    # Every value of the row as read, for the keyed hash that notices a changed row.
    content: str = ""


@dataclass
class Summary:
    """What an import did, counted."""

    new: int = 0
    match: int = 0
    possible: int = 0
    unchanged: int = 0
    # Of those already imported, rows whose details differ from the row imported before.
    changed: int = 0
    skipped: int = 0


def read_rows(handle: IO[str]) -> Iterator[_Row | RowError]:
    """Parse and check the rows of a CSV file; yield good rows and errors in file order."""
    reader = csv.reader(handle)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise ImportFileError("The file is empty: it needs a header row.") from None
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ImportFileError(f"The file has no column called {', '.join(missing)}.")
    position = {
        name: header.index(name) for name in (*COLUMNS, *OPTIONAL_COLUMNS) if name in header
    }
    seen: dict[str, int] = {}
    last_line = reader.line_num
    for number, values in enumerate(reader, start=2):
        first_line, last_line = last_line + 1, reader.line_num
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            message = f"has {len(values)} values but the header has {len(header)} columns"
            if last_line > first_line:
                # A quote left open runs on to the next quote, taking the lines between with it.
                message += (
                    f" (it runs over lines {first_line} to {last_line} of the file: a quote may"
                    " be left open, and the rows on those lines were read as part of it)"
                )
            yield RowError(number, message)
            continue
        row = dict.fromkeys(OPTIONAL_COLUMNS, "")
        row.update({name: values[i].strip() for name, i in position.items()})
        problem = _problem(row)
        if problem is None and row["source_id"] in seen:
            problem = f"repeats the source_id of row {seen[row['source_id']]}"
        if problem is not None:
            yield RowError(number, problem)
            continue
        seen[row["source_id"]] = number
        created_at = _created_at(row["created_at"])
        yield _Row(
            number,
            row["source_id"],
            PersonRecord(
                first_name=row["first_name"] or None,
                last_name=row["last_name"] or None,
                date_of_birth=row["date_of_birth"] or None,
                gender=row["gender"] or None,
                email=row["email"] or None,
                phone=row["phone"] or None,
                address_line_1=row["address_line_1"] or None,
                address_line_2=row["address_line_2"] or None,
                town=row["town"] or None,
                postcode=row["postcode"] or None,
                recorded_on=created_at.date() if created_at else None,
                identity_number=row["identity_number"] or None,
            ),
            created_at,
            "\x1f".join(f"{name}={row[name]}" for name in sorted(row)),
        )


def _problem(row: dict[str, str]) -> str | None:
    if not row["source_id"]:
        return "has no source_id"
    if len(row["source_id"]) > 120:
        return "has a source_id longer than 120 characters"
    for name, value in row.items():
        if len(value) > MAX_FIELD:
            return f"has a {name} longer than {MAX_FIELD} characters"
        if "\0" in value:
            return f"has a {name} holding a NUL character, which cannot be stored"
    if row["date_of_birth"]:
        if not _ISO_DATE.match(row["date_of_birth"]):
            return "has a date_of_birth that is not written YYYY-MM-DD"
        try:
            date.fromisoformat(row["date_of_birth"])
        except ValueError:
            return "has a date_of_birth that is not a real date"
    if row["created_at"] and _created_at(row["created_at"]) is None:
        return "has a created_at that is not a date (YYYY-MM-DD) or date and time"
    return None


def _created_at(text: str) -> datetime | None:
    if not text:
        return None
    try:
        if _ISO_DATE.match(text):
            return datetime.combine(date.fromisoformat(text), datetime.min.time(), tzinfo=UTC)
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
        # A time without a zone is read as UTC.
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except (ValueError, OverflowError):  # OverflowError: a zone that moves it past year 1 or 9999
        return None


# One index probe per source_id, whatever the planner's statistics say. With ``IN`` the
# planner, told by statistics gathered before the import that the source has few rows, scans
# every row of the source and filters: the rows this import has written so far, for every
# batch, which cost a third of the server's time. OFFSET 0 keeps the subquery from being
# flattened into that plan.
_PG_ALREADY_IMPORTED = sa.text("""
SELECT p.source_id, p.id, d.decision, d.score, d.row_digest
FROM unnest(CAST(:source_ids AS text[])) AS q(source_id)
CROSS JOIN LATERAL (
    SELECT person.source_id, person.id FROM person
    WHERE person.source_system = :source_system AND person.source_id = q.source_id
    OFFSET 0
) AS p
LEFT JOIN import_decision AS d ON d.person_id = p.id
""")


@dataclass(frozen=True)
class _Held:
    line: ReportLine
    digest: bytes | None


def _already_imported(
    session: Session, source_system: str, source_ids: list[str]
) -> dict[str, _Held]:
    if session.get_bind().dialect.name == "postgresql":
        rows = session.execute(
            _PG_ALREADY_IMPORTED, {"source_ids": source_ids, "source_system": source_system}
        ).all()
    else:
        rows = session.execute(
            sa.select(
                Person.source_id,
                Person.id,
                ImportDecision.decision,
                ImportDecision.score,
                ImportDecision.row_digest,
            )
            .outerjoin(ImportDecision, ImportDecision.person_id == Person.id)
            .where(Person.source_system == source_system, Person.source_id.in_(source_ids))
        ).all()
    return {
        str(source_id): _Held(
            ReportLine(
                str(source_id), root_of(session, person_id), decision or "new", float(score or 0.0)
            ),
            bytes(digest) if digest is not None else None,
        )
        for source_id, person_id, decision, score, digest in rows
    }


def _refuse_a_copy(
    session: Session,
    source_system: str,
    rows: list[_Row],
    digests: Mapping[int, bytes],
    first_row: int,
) -> None:
    """Stop before writing rows that were imported, exactly as they are, from another source:
    the file is a copy of one imported before under another name (the default source is the
    file's name), and importing it would add a second record of every person in it."""
    if not rows:
        return
    row_of = {digests[row.number]: row.number for row in rows}
    # By the digest's index first: almost always nothing is found, and then nothing else is read.
    seen = dict(
        session.execute(
            sa.select(ImportDecision.person_id, ImportDecision.row_digest).where(
                ImportDecision.row_digest.in_(list(row_of))
            )
        ).all()
    )
    if not seen:
        return
    elsewhere = session.execute(
        sa.select(Person.id, Person.source_system).where(
            Person.id.in_(list(seen)), Person.source_system != source_system
        )
    ).all()
    if elsewhere:
        # Name the first such row of the file.
        person_id, other = min(elsewhere, key=lambda found: row_of[bytes(seen[found[0]])])
        raise ImportFileError(
            f"Row {row_of[bytes(seen[person_id])]} is exactly as it was imported before from the source "
            f"'{other}': this file seems to be a copy of that one, or to hold its rows. Nothing "
            f"from row {first_row} on was imported. To have its rows recognised as imported, "
            f"import it with --source '{other}'."
        )


def _digest(row: _Row) -> bytes:
    """A keyed hash of what the row said (128 bits): equal for the same row imported again."""
    return crypto().indexer.full("import-row", row.content)[:16]


def import_persons(
    session: Session,
    rows: Iterable[_Row | RowError],
    source_system: str,
    *,
    on_line: Callable[[ReportLine], None],
    on_error: Callable[[RowError], None],
    on_progress: Callable[[int], None] = lambda _: None,
    batch_size: int = BATCH_SIZE,
) -> Summary:
    """Import checked rows, committing each batch; report every row through the callbacks."""
    with _fewer_collections():
        return _import_persons(
            session, rows, source_system, on_line, on_error, on_progress, batch_size
        )


@contextmanager
def _fewer_collections() -> Iterator[None]:
    # An import makes millions of short-lived objects and few cycles: scanning everything the
    # process already holds every 700 allocations costs more than it frees.
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(50_000, threshold[1], threshold[2])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def _import_persons(
    session: Session,
    rows: Iterable[_Row | RowError],
    source_system: str,
    on_line: Callable[[ReportLine], None],
    on_error: Callable[[RowError], None],
    on_progress: Callable[[int], None],
    batch_size: int,
) -> Summary:
    summary = Summary()
    recorder = Recorder(session)
    with _Preparer(tokeniser()) as preparer:
        segments = _segments(rows, batch_size)
        current = next(segments, None)
        ready = preparer.submit(_good_rows(current or []))
        while current is not None:
            # The next batch is prepared in the other process meanwhile.
            following = next(segments, None)
            ahead = preparer.submit(_good_rows(following)) if following is not None else None
            for item in current:
                if isinstance(item, RowError):
                    summary.skipped += 1
                    on_error(item)
                    on_progress(1)
            chunk = _good_rows(current)
            if chunk:
                prepared = preparer.result(ready)
                _import_chunk(
                    session, recorder, chunk, prepared, source_system, summary, on_line, on_error
                )
                on_progress(len(chunk))
            current, ready = following, ahead or ready
    return summary


def _segments(rows: Iterable[_Row | RowError], batch_size: int) -> Iterator[list[_Row | RowError]]:
    """Cut the rows into batches of ``batch_size`` good rows, each with the errors before it."""
    segment: list[_Row | RowError] = []
    good = 0
    for item in rows:
        segment.append(item)
        if isinstance(item, _Row):
            good += 1
            if good >= batch_size:
                yield segment
                segment, good = [], 0
    if segment:
        yield segment


def _good_rows(segment: Sequence[_Row | RowError]) -> list[_Row]:
    return [item for item in segment if isinstance(item, _Row)]


class _Preparer:
    """Normalise and tokenise batches (``service.prepare``) in a second process.

    What a row needs before matching depends on the row alone, so it is worked out for batch
    n+1 while batch n is matched and written, on the other core; nothing there touches the
    database, so a failed batch has nothing to undo there. The first batch is prepared here, and
    the process is only started once a second batch shows the import needs it.
    """

    def __init__(self, tokenise: Tokeniser) -> None:
        self.tokenise = tokenise
        self.pool: ProcessPoolExecutor | None = None
        self.submitted = 0

    def __enter__(self) -> _Preparer:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def submit(self, chunk: list[_Row]) -> Future[list[Prepared | None]]:
        records = [row.record for row in chunk]
        self.submitted += 1
        if self.submitted == 1:
            return self._here(records)
        if self.pool is None:
            # Forked, so the worker has the blind-index key without it being sent anywhere.
            self.pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_start_worker,
                initargs=(self.tokenise,),
            )
        try:
            return self.pool.submit(_prepare_in_worker, records)
        except BrokenExecutor:
            return self._here(records)

    def result(self, ready: Future[list[Prepared | None]]) -> list[Prepared | None] | None:
        """The rows prepared, or None (the Recorder prepares them) if the worker has stopped."""
        try:
            return ready.result()
        except BrokenExecutor:
            # Killed, or out of memory: the import goes on without it.
            log.warning("The import's worker process stopped; rows are prepared in this one.")
            return None

    def _here(self, records: list[PersonRecord]) -> Future[list[Prepared | None]]:
        done: Future[list[Prepared | None]] = Future()
        done.set_result(prepare(records, self.tokenise))
        return done


_worker_tokeniser: Tokeniser | None = None


def _start_worker(tokenise: Tokeniser) -> None:
    global _worker_tokeniser
    _worker_tokeniser = tokenise


def _prepare_in_worker(records: list[PersonRecord]) -> list[Prepared | None]:
    assert _worker_tokeniser is not None
    return prepare(records, _worker_tokeniser)


def _import_chunk(
    session: Session,
    recorder: Recorder,
    chunk: list[_Row],
    prepared: list[Prepared | None] | None,
    source_system: str,
    summary: Summary,
    on_line: Callable[[ReportLine], None],
    on_error: Callable[[RowError], None],
) -> None:
    held = _already_imported(session, source_system, [r.source_id for r in chunk])
    fresh = [row for row in chunk if row.source_id not in held]
    digests = {row.number: _digest(row) for row in chunk}
    _refuse_a_copy(session, source_system, fresh, digests, chunk[0].number)
    lines: list[ReportLine] = []
    try:
        ready = None
        if prepared is not None:
            by_number = dict(zip((row.number for row in chunk), prepared, strict=True))
            ready = [by_number[row.number] for row in fresh]
        normalised = dict(
            zip(
                (row.number for row in fresh),
                recorder.prefetch([row.record for row in fresh], ready),
                strict=True,
            )
        )
        for row in chunk:
            kept = held.get(row.source_id)
            lines.append(
                kept.line
                if kept is not None
                else _record(
                    recorder, row, source_system, normalised[row.number], digests[row.number]
                )
            )
        recorder.flush()
        audit(
            "persons.imported",
            object_type="person",
            fields=["source_system", "source_id"],
            session=session,
        )
        session.commit()
    except Exception as error:  # noqa: BLE001 - replay the batch row by row to isolate it
        session.rollback()
        recorder.discard()
        if len(chunk) == 1:
            # The type only: a database message could quote the row's values.
            log.warning("An import row could not be saved: %s", type(error).__name__)
            summary.skipped += 1
            on_error(RowError(chunk[0].number, "could not be saved"))
            return
        for row, ready in zip(chunk, prepared or [None] * len(chunk), strict=True):
            _import_chunk(
                session, recorder, [row], [ready], source_system, summary, on_line, on_error
            )
        return
    for row, line in zip(chunk, lines, strict=True):
        kept = held.get(row.source_id)
        if kept is not None:
            summary.unchanged += 1
            if kept.digest is not None and kept.digest != digests[row.number]:
                summary.changed += 1
                on_error(RowError(row.number, CHANGED_SINCE_IMPORTED, skipped=False))
        else:
            setattr(summary, line.decision, getattr(summary, line.decision) + 1)
        on_line(line)


def _record(
    recorder: Recorder,
    row: _Row,
    source_system: str,
    normalised: NormalisedPerson,
    digest: bytes,
) -> ReportLine:
    recorded = recorder.record(
        row.record,
        normalised=normalised,
        created_at=row.created_at,
        source_system=source_system,
        source_id=row.source_id,
        keep_decision=True,
        row_digest=digest,
    )
    decision = recorded.decision
    person_id = recorded.person_id if decision.outcome == "match" else recorded.record_id
    return ReportLine(row.source_id, person_id, decision.outcome, round(decision.score, 6))
