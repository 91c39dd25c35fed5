"""saferforms import persons FILE.csv --report REPORT.csv"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

# The tables of duplicate checking join the schema wherever the commands are registered.
import forms_app.matching.models  # noqa: F401

# The longest source name a person record keeps (person.source_system).
SOURCE_MAX = 80


@click.group("import")
def import_group() -> None:
    """Import records from another system."""


@import_group.command("persons")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--report",
    "report_path",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Where to write one line per row: source_id, person_id, decision, score.",
)
@click.option(
    "--source",
    default=None,
    help="Name of the system the file comes from (default: the file's name). Rows are "
    "recognised by this and their source_id, so importing a file again changes nothing.",
)
@with_appcontext
def import_persons_command(file: Path, report_path: Path, source: str | None) -> None:
    """Import people from a CSV file, matching each against the people already held.

    Columns: source_id, first_name, last_name, date_of_birth, gender, email, phone,
    address_line_1, address_line_2, town, postcode, created_at, and optionally
    identity_number (an NHS, National Insurance or other number). Dates are YYYY-MM-DD; any
    column but source_id may be empty. Row numbers count the header as row 1.
    """
    from forms_app.extensions import db
    from forms_app.matching.importer import (
        REPORT_COLUMNS,
        ImportFileError,
        ReportLine,
        RowError,
        import_persons,
        read_rows,
    )

    source_system = source or file.name
    if len(source_system) > SOURCE_MAX:
        raise click.ClickException(
            f"The source name is longer than {SOURCE_MAX} characters"
            + ("" if source else " (it is the file's name unless --source gives one)")
            + ": give a shorter one with --source."
        )
    # The input exists (click checked), so a report path that names it, by any route, exists.
    if report_path.exists() and report_path.samefile(file):
        raise click.ClickException(
            "The report would overwrite the file being imported: choose another --report path."
        )
    total = _count_lines(file) - 1
    try:
        report_file = report_path.open("w", encoding="utf-8", newline="")
    except OSError as error:
        raise click.ClickException(
            f"Cannot write the report to {report_path}: {error.strerror or error}."
        ) from None
    show_progress = sys.stderr.isatty()
    with (
        file.open(encoding="utf-8-sig", newline="") as handle,
        report_file,
        click.progressbar(
            length=max(total, 0),
            label="Importing",
            file=sys.stderr if show_progress else None,
            hidden=not show_progress,
        ) as bar,
    ):
        report = csv.writer(report_file)
        report.writerow(REPORT_COLUMNS)

        def on_line(line: ReportLine) -> None:
            report.writerow(line.as_row())

        def on_error(error: RowError) -> None:
            ending = ": skipped." if error.skipped else "."
            click.echo(f"Row {error.row} {error.message}{ending}", err=True)

        try:
            summary = import_persons(
                db.session(),
                read_rows(handle),
                source_system,
                on_line=on_line,
                on_error=on_error,
                on_progress=bar.update,
            )
        except ImportFileError as error:
            raise click.ClickException(str(error)) from None
        except csv.Error as error:
            # csv stops at a value longer than it reads (often a quote left open): rows before
            # it are imported and reported, and importing the mended file again adds only the rest.
            raise click.ClickException(
                f"The file cannot be read past the rows in the report: {error}. Those rows "
                "were imported; mend the file and import it again (rows already imported "
                "are not imported twice)."
            ) from None
    click.echo(
        f"Imported {summary.new + summary.match + summary.possible} rows: {summary.new} new, "
        f"{summary.match} matched, {summary.possible} to review. "
        f"{summary.unchanged} already imported"
        + (
            f" ({summary.changed} with other details, kept as first imported)"
            if summary.changed
            else ""
        )
        + f", {summary.skipped} skipped. "
        f"Report written to {report_path}."
    )


def _count_lines(file: Path) -> int:
    """Lines in the file, for the progress bar; a file that is not UTF-8 is refused here."""
    count = 0
    with file.open("rb") as handle:
        for count, line in enumerate(handle, start=1):  # noqa: B007 - the count is the point
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                raise click.ClickException(
                    f"Line {count} of the file is not UTF-8 text: save the file as UTF-8 "
                    '(in Excel, "CSV UTF-8") and import it again. Nothing was imported.'
                ) from None
    return count


__all__ = ["import_group", "import_persons_command"]
