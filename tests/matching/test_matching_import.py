"""saferforms import persons: report, original dates kept, idempotent, malformed rows skipped."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from forms_app.models import AuditEvent, MatchReview, Person, PersonAddress, PersonIndex

HEADER = (
    "source_id,first_name,last_name,date_of_birth,gender,email,phone,"
    "address_line_1,address_line_2,town,postcode,created_at"
)


def _write(tmp_path: Path, *lines: str, name: str = "legacy.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def _report(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _import(runner, source: Path, report: Path, *options: str):
    return runner.invoke(args=["import", "persons", str(source), "--report", str(report), *options])


ROWS = [
    "A1,Siân,Lloyd-Jones,1980-05-12,female,sian@example.org,07700 900123,12 Heol y Bont,,Bangor,LL57 1AA,2019-03-01",
    "A2,Sian,Lloyd Jones,1980-05-12,,,,12 Heol y Bont,,Bangor,ll571aa,2020-06-30",
    "A3,Dafydd,ap Gwilym,1962-04-02,male,,,3 Stryd Fawr,,Caernarfon,LL55 1AB,",
    "A4,Owain,Lloyd-Jones,1980-05-12,male,,,12 Heol y Bont,,Bangor,LL57 1AA,2021-01-01",
]


def test_every_row_gets_a_report_line_with_person_decision_and_score(runner, tmp_path, db_session):
    report = tmp_path / "report.csv"
    result = _import(runner, _write(tmp_path, *ROWS), report)
    assert result.exit_code == 0, result.output
    lines = _report(report)
    assert [line["source_id"] for line in lines] == ["A1", "A2", "A3", "A4"]
    decisions = {line["source_id"]: line["decision"] for line in lines}
    assert decisions == {"A1": "new", "A2": "match", "A3": "new", "A4": "possible"}
    by_id = {line["source_id"]: line for line in lines}
    assert by_id["A2"]["person_id"] == by_id["A1"]["person_id"]
    assert by_id["A4"]["person_id"] != by_id["A1"]["person_id"]
    assert float(by_id["A2"]["score"]) > 0.99
    assert "Imported 4 rows: 2 new, 1 matched, 1 to review" in result.output


def test_a_matched_row_is_kept_as_a_record_of_the_person_it_matched(runner, tmp_path, db_session):
    _import(runner, _write(tmp_path, *ROWS[:2]), tmp_path / "r.csv")
    people = {p.source_id: p for p in db_session.scalars(sa.select(Person))}
    assert people["A2"].merged_into_id == people["A1"].id
    assert people["A2"].last_name == "Lloyd Jones"
    assert db_session.scalar(sa.select(sa.func.count()).select_from(PersonAddress)) == 2


def test_original_created_at_is_kept(runner, tmp_path, db_session):
    _import(runner, _write(tmp_path, *ROWS), tmp_path / "r.csv")
    people = {p.source_id: p for p in db_session.scalars(sa.select(Person))}
    assert people["A1"].created_at == datetime(2019, 3, 1, tzinfo=UTC)
    assert people["A3"].created_at.date() >= datetime.now(UTC).date()


def test_a_possible_match_waits_in_the_review_queue(runner, tmp_path, db_session):
    _import(runner, _write(tmp_path, *ROWS), tmp_path / "r.csv")
    reviews = list(db_session.scalars(sa.select(MatchReview)))
    assert len(reviews) == 1
    people = {p.id: p.source_id for p in db_session.scalars(sa.select(Person))}
    assert (people[reviews[0].person_id], people[reviews[0].candidate_id]) == ("A4", "A1")
    assert reviews[0].status == "pending"
    assert "fields" in reviews[0].explanation
    assert "Owain" not in str(reviews[0].explanation)


def test_importing_the_same_file_again_changes_nothing(runner, tmp_path, db_session):
    source = _write(tmp_path, *ROWS)
    _import(runner, source, tmp_path / "first.csv")

    def snapshot():
        db_session.expire_all()
        return {
            table: db_session.scalar(sa.select(sa.func.count()).select_from(table))
            for table in (Person, PersonIndex, PersonAddress, MatchReview)
        }

    before = snapshot()
    result = _import(runner, source, tmp_path / "second.csv")
    assert result.exit_code == 0, result.output
    assert snapshot() == before
    assert _report(tmp_path / "second.csv") == _report(tmp_path / "first.csv")
    assert "0 new, 0 matched, 0 to review. 4 already imported" in result.output


def test_a_row_imported_again_with_other_details_is_named_and_the_first_import_kept(
    runner, tmp_path, db_session
):
    _import(runner, _write(tmp_path, *ROWS), tmp_path / "first.csv")
    corrected = ROWS[2].replace("3 Stryd Fawr", "5 Stryd Fawr")
    source = _write(tmp_path, ROWS[0], ROWS[1], corrected, ROWS[3], name="corrected.csv")

    result = _import(runner, source, tmp_path / "second.csv", "--source", "legacy.csv")

    assert result.exit_code == 0, result.output
    assert (
        "Row 4 has the source_id of a row imported before, with other details: "
        "the details imported before are kept." in result.output
    )
    assert "Row 2 " not in result.output and "Row 3 " not in result.output
    assert "4 already imported (1 with other details, kept as first imported)" in result.output
    assert "Stryd Fawr" not in result.output  # the row's details are never printed
    assert _report(tmp_path / "second.csv") == _report(tmp_path / "first.csv")
    db_session.expire_all()
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Person)) == 4


def test_a_copy_of_a_file_imported_before_under_another_name_is_refused(
    runner, tmp_path, db_session
):
    _import(runner, _write(tmp_path, *ROWS), tmp_path / "first.csv")
    copy = _write(tmp_path, *ROWS, name="legacy (copy).csv")

    result = _import(runner, copy, tmp_path / "second.csv")

    assert result.exit_code != 0
    assert "Row 2 is exactly as it was imported before from the source 'legacy.csv'" in (
        result.output
    )
    assert "import it with --source 'legacy.csv'" in result.output
    db_session.expire_all()
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Person)) == 4

    again = _import(runner, copy, tmp_path / "third.csv", "--source", "legacy.csv")
    assert again.exit_code == 0, again.output
    assert "4 already imported" in again.output


def test_a_source_id_with_commas_and_quotes_is_recognised_when_imported_again(
    runner, tmp_path, db_session
):
    source = _write(
        tmp_path,
        '"B,1",Siân,Lloyd-Jones,1980-05-12,,,,,,,,',
        '"B""2{x}",Dafydd,ap Gwilym,1962-04-02,,,,,,,,',
    )
    _import(runner, source, tmp_path / "first.csv")

    result = _import(runner, source, tmp_path / "second.csv")

    assert result.exit_code == 0, result.output
    assert "2 already imported" in result.output
    assert _report(tmp_path / "second.csv") == _report(tmp_path / "first.csv")


def test_a_quote_left_open_names_the_lines_it_swallowed(runner, tmp_path, db_session):
    open_quote = ROWS[1].replace("12 Heol y Bont", '"12 Heol y Bont', 1)
    source = _write(tmp_path, ROWS[0], open_quote, ROWS[2], ROWS[3], '"Q1",x,y,,,,,,,,,')

    result = _import(runner, source, tmp_path / "report.csv")

    assert result.exit_code == 0, result.output
    assert (
        "Row 3 has 19 values but the header has 12 columns (it runs over lines 3 to 6 of the "
        "file: a quote may be left open, and the rows on those lines were read as part of it): "
        "skipped." in result.output
    )
    assert [line["source_id"] for line in _report(tmp_path / "report.csv")] == ["A1"]


def test_a_malformed_row_is_reported_by_row_number_and_skipped_whole(runner, tmp_path, db_session):
    source = _write(
        tmp_path,
        ROWS[0],
        "B2,Ann,Lee,12/05/1980,,,,,,,,",
        "B3,Ann,Lee,1980-02-30,,,,,,,,",
        ",No,Id,,,,,,,,,",
        "B5,Too,Few",
        "B6,Ann,Lee,1980-02-03,,,,,,,,yesterday",
        ROWS[0],
        ROWS[2],
    )
    report = tmp_path / "r.csv"
    result = _import(runner, source, report)
    assert result.exit_code == 0
    errors = result.stderr if hasattr(result, "stderr") else result.output
    for number in (3, 4, 5, 6, 7, 8):
        assert f"Row {number} " in errors
    assert "Row 3 has a date_of_birth that is not written YYYY-MM-DD: skipped." in errors
    assert "Row 8 repeats the source_id of row 2: skipped." in errors
    assert [line["source_id"] for line in _report(report)] == ["A1", "A3"]
    sources = set(db_session.scalars(sa.select(Person.source_id)))
    assert sources == {"A1", "A3"}
    assert "6 skipped" in result.output


def test_a_file_without_the_columns_is_refused_before_anything_is_written(
    runner, tmp_path, db_session
):
    path = tmp_path / "bad.csv"
    path.write_text("id,name\n1,Ann\n", encoding="utf-8")
    result = _import(runner, path, tmp_path / "r.csv")
    assert result.exit_code != 0
    assert "no column called source_id" in result.output
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Person)) == 0


def test_the_import_is_audited_without_personal_data(runner, tmp_path, db_session):
    _import(runner, _write(tmp_path, *ROWS), tmp_path / "r.csv")
    events = list(db_session.scalars(sa.select(AuditEvent)))
    assert [e.action for e in events] == ["persons.imported"]
    assert "Lloyd" not in repr([e.canonical() for e in events])


def test_rows_in_a_second_file_match_people_from_the_first(runner, tmp_path, db_session):
    _import(runner, _write(tmp_path, *ROWS[:1], name="old.csv"), tmp_path / "r1.csv")
    second = _write(
        tmp_path,
        "X9,Sian,Lloyd-Jones,1980-05-12,,,,12 Heol y Bont,,Bangor,LL57 1AA,",
        name="other-system.csv",
    )
    _import(runner, second, tmp_path / "r2.csv")
    first_id = _report(tmp_path / "r1.csv")[0]["person_id"]
    line = _report(tmp_path / "r2.csv")[0]
    assert (line["decision"], line["person_id"]) == ("match", first_id)


def test_an_identity_number_column_links_rows_a_household_rule_would_hold_apart(
    runner, tmp_path, db_session
):
    path = tmp_path / "with-numbers.csv"
    path.write_text(
        "\n".join(
            [
                HEADER + ",identity_number",
                "N1,Rhys,Jones,2008-03-14,,,,12 Heol y Bont,,Bangor,LL57 1AA,,QQ 12 34 56 C",
                # The same number: one person whose first name was recorded wrongly.
                "N2,Owain,Jones,2008-03-14,,,,12 Heol y Bont,,Bangor,LL57 1AA,,qq123456c",
                # A number of their own: a twin, for a person to decide.
                "N3,Carys,Jones,2008-03-14,,,,12 Heol y Bont,,Bangor,LL57 1AA,,QQ123457C",
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    report = tmp_path / "report.csv"
    result = _import(runner, path, report)
    assert result.exit_code == 0, result.output
    lines = {line["source_id"]: line for line in _report(report)}
    assert [lines[s]["decision"] for s in ("N1", "N2", "N3")] == ["new", "match", "possible"]
    assert lines["N2"]["person_id"] == lines["N1"]["person_id"]
    assert lines["N3"]["person_id"] != lines["N1"]["person_id"]
    people = {p.source_id: p for p in db_session.scalars(sa.select(Person))}
    assert people["N1"].identity_number == "QQ 12 34 56 C"
    raw = db_session.execute(
        sa.text("SELECT identity_number FROM person WHERE id = :id"), {"id": people["N1"].id}
    ).scalar_one()
    assert b"QQ" not in bytes(raw) and b"123456" not in bytes(raw)


def _import_in_batches(db_session, source: Path, batch_size: int):
    from forms_app.matching.importer import import_persons, read_rows

    lines, errors = [], []
    with source.open(encoding="utf-8", newline="") as handle:
        summary = import_persons(
            db_session,
            read_rows(handle),
            "legacy.csv",
            on_line=lines.append,
            on_error=errors.append,
            batch_size=batch_size,
        )
    return summary, lines, errors


def test_batches_prepared_in_a_second_process_are_decided_as_in_one_batch(tmp_path, db_session):
    # One row a batch: every batch after the first is normalised and tokenised in the worker
    # process, and each row must still meet the rows committed before it.
    summary, lines, errors = _import_in_batches(db_session, _write(tmp_path, *ROWS), 1)

    assert errors == []
    decisions = {line.source_id: line.decision for line in lines}
    assert decisions == {"A1": "new", "A2": "match", "A3": "new", "A4": "possible"}
    by_id = {line.source_id: line for line in lines}
    assert by_id["A2"].person_id == by_id["A1"].person_id
    assert (summary.new, summary.match, summary.possible) == (2, 1, 1)


def test_a_row_that_cannot_be_prepared_is_skipped_and_its_batch_kept(
    tmp_path, db_session, monkeypatch
):
    import dedupe.matcher

    normalise = dedupe.matcher.normalise_person

    def failing(record, **kwargs):
        if record.first_name == "Dafydd":
            raise ValueError("cannot normalise")
        return normalise(record, **kwargs)

    # Patched before the worker process is forked, so it fails there and here alike.
    monkeypatch.setattr(dedupe.matcher, "normalise_person", failing)

    summary, lines, errors = _import_in_batches(db_session, _write(tmp_path, *ROWS), 2)

    assert [(e.row, e.message) for e in errors] == [(4, "could not be saved")]
    assert [line.source_id for line in lines] == ["A1", "A2", "A4"]
    assert summary.skipped == 1
    stored = set(db_session.scalars(sa.select(Person.source_id)))
    assert stored == {"A1", "A2", "A4"}


def test_an_import_goes_on_when_its_worker_process_stops(tmp_path, db_session, monkeypatch):
    import os

    from forms_app.matching import importer

    here, prepare = os.getpid(), importer.prepare

    def dies_in_the_worker(*args):
        if os.getpid() != here:
            os._exit(1)
        return prepare(*args)

    # Patched before the worker process is forked: it dies on its first batch.
    monkeypatch.setattr(importer, "prepare", dies_in_the_worker)

    summary, lines, errors = _import_in_batches(db_session, _write(tmp_path, *ROWS), 1)

    assert errors == []
    decisions = {line.source_id: line.decision for line in lines}
    assert decisions == {"A1": "new", "A2": "match", "A3": "new", "A4": "possible"}
    assert (summary.new, summary.match, summary.possible) == (2, 1, 1)


# Found by feeding the import hostile files: each ended in a traceback, or worse.


def test_the_report_is_never_written_over_the_file_being_imported(runner, tmp_path, db_session):
    source = _write(tmp_path, *ROWS)
    before = source.read_bytes()
    link = tmp_path / "link.csv"
    link.symlink_to(source)

    for report in (source, link):
        result = _import(runner, source, report)
        assert result.exit_code != 0
        assert "would overwrite the file being imported" in result.output
    assert source.read_bytes() == before
    assert db_session.scalars(sa.select(Person)).all() == []


def test_a_file_that_is_not_utf8_is_refused_naming_the_line(runner, tmp_path, db_session):
    source = tmp_path / "latin1.csv"
    source.write_bytes(
        (HEADER + "\n").encode() + "L1,José,Muñoz,1980-01-01,,,,,,,,\n".encode("latin-1")
    )

    result = _import(runner, source, tmp_path / "r.csv")

    assert result.exit_code != 0
    assert "Line 2 of the file is not UTF-8 text" in result.output
    assert "Traceback" not in result.output
    assert db_session.scalars(sa.select(Person)).all() == []


def test_a_report_that_cannot_be_written_is_refused_before_anything_is_imported(
    runner, tmp_path, db_session
):
    result = _import(runner, _write(tmp_path, *ROWS), tmp_path / "no-such-folder" / "r.csv")

    assert result.exit_code != 0
    assert "Cannot write the report" in result.output
    assert db_session.scalars(sa.select(Person)).all() == []


def test_a_source_name_too_long_to_keep_is_refused_before_anything_is_imported(
    runner, tmp_path, db_session
):
    source = _write(tmp_path, *ROWS, name="x" * 90 + ".csv")

    result = _import(runner, source, tmp_path / "r.csv")

    assert result.exit_code != 0
    assert "longer than 80 characters" in result.output and "--source" in result.output
    assert db_session.scalars(sa.select(Person)).all() == []


def test_a_value_too_long_for_csv_stops_the_import_with_a_message(runner, tmp_path, db_session):
    source = _write(tmp_path, ROWS[0], "BIG," + "A" * 200_000 + ",Smith,1980-01-01,,,,,,,,")

    result = _import(runner, source, tmp_path / "r.csv")

    assert result.exit_code != 0
    assert "cannot be read past the rows in the report" in result.output
    assert "Traceback" not in result.output


def test_nul_characters_and_dates_out_of_range_skip_their_row_only(runner, tmp_path, db_session):
    source = _write(
        tmp_path,
        ROWS[0],
        "N\0UL,Ann,Smith,1980-01-01,,,,,,,,",
        "LATE,Ann,Smith,1980-01-01,,,,,,,,9999-12-31T23:00:00-05:00",
        ROWS[2],
    )
    report = tmp_path / "r.csv"

    result = _import(runner, source, report)

    assert result.exit_code == 0, result.output
    assert "Row 3 has a source_id holding a NUL character" in result.output
    assert "Row 4 has a created_at that is not a date" in result.output
    assert [line["source_id"] for line in _report(report)] == ["A1", "A3"]


def test_a_source_id_a_spreadsheet_would_run_is_reported_as_text(runner, tmp_path, db_session):
    source = _write(
        tmp_path,
        '"=HYPERLINK(""http://evil.example"",""x"")",Ann,Smith,1980-01-01,,,,,,,,',
        "@SUM(1+1),Bob,Jones,1970-02-02,,,,,,,,",
        "-2+3,Cat,Brown,1990-03-03,,,,,,,,",
    )
    report = tmp_path / "r.csv"

    result = _import(runner, source, report)

    assert result.exit_code == 0, result.output
    assert [line["source_id"] for line in _report(report)] == [
        '\'=HYPERLINK("http://evil.example","x")',
        "'@SUM(1+1)",
        "'-2+3",
    ]
