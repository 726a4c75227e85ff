"""altar import, altar export, altar template: screenings in and out as files."""

import sys
from pathlib import Path

import click

from altar.capture.csvio import write_csv
from altar.cli.common import Settings, command_name, pass_settings
from altar.cli.output import note, progress


@click.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--update",
    is_flag=True,
    help="Amend cases already in the database (their old values are kept in the change log).",
)
@click.option(
    "--dry-run", is_flag=True, help="Check the whole file and report problems, but write nothing."
)
@pass_settings
def import_command(settings: Settings, file: Path, update: bool, dry_run: bool) -> None:
    """Import screenings from a CSV file, one row per case.

    The header is case_ref, authority, stratum, cohort, sex, ethnicity, age,
    screened_on, then one column per item code (any order); `altar template
    csv` writes it for you. Answers may be yes/y/1/true/known, suspected/s,
    no/n/0/false or unknown, in any case; an empty cell means unknown, and
    'unanswered' leaves the item not yet answered (as export writes it).

    The whole file is checked first: if any cell is wrong nothing is
    imported, and every problem is listed by row and column.

    \b
    Examples:
      altar import dudley_cases.csv --dry-run
      altar import dudley_cases.csv
      altar import corrections.csv --update
    """
    from altar.capture.importer import import_csv

    database = settings.database()
    with progress(_size(file), f"Importing {file.name}") as update_bar:
        result = import_csv(
            database,
            file,
            user=settings.acting_user,
            update=update,
            dry_run=dry_run,
            command=command_name(),
            progress=update_bar,
        )
    if result.dry_run:
        note(
            f"{file.name}: {result.rows} row(s) checked, no problems found "
            f"({result.added} new, {result.rows - result.added} existing). Nothing was written (--dry-run)."
        )
    else:
        note(
            f"{file.name}: imported {result.rows} row(s): {result.added} new case(s), "
            f"{result.updated} amended, {result.unchanged} unchanged."
        )


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # import_csv reports the missing file


@click.command("export")
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of the screen.",
)
@pass_settings
def export_command(settings: Settings, fmt: str, out: Path | None) -> None:
    """Export every case and screening you can see.

    A practitioner exports their own authority's cases only; deleted cases
    are left out.

    CSV uses the same columns `altar import` reads, so an export imports
    into a fresh database unchanged. Cells that a spreadsheet would run as a
    formula are prefixed with an apostrophe. The export holds no names or
    dates of birth, only pseudonymous case references: still treat it as
    OFFICIAL-SENSITIVE.

    \b
    Examples:
      altar export --out all_screenings.csv
      altar export --format json | jq '.n_cases'
    """
    from altar.capture.exporter import export_csv, export_json

    database = settings.database()
    stream = out.open("w", encoding="utf-8", newline="") if out else sys.stdout
    try:
        with database.reader() as session:
            count = (export_csv if fmt == "csv" else export_json)(
                session, settings.acting_user, stream
            )
    finally:
        if out:
            stream.close()
    note(f"Exported {count} case(s)" + (f" to {out}" if out else "") + ".")


@click.group()
def template() -> None:
    """Blank files to fill in.

    \b
    Example:
      altar template csv --out dudley.csv
    """


@template.command("csv")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of the screen.",
)
def template_csv(out: Path | None) -> None:
    """Write an empty CSV with the header `altar import` expects.

    \b
    Example:
      altar template csv --out dudley_cases.csv
    """
    from altar.capture.exporter import export_header

    stream = out.open("w", encoding="utf-8", newline="") if out else sys.stdout
    try:
        write_csv(stream, export_header(), [])
    finally:
        if out:
            stream.close()
            note(f"Wrote {out}: fill one row per case, then `altar import {out}`.")
