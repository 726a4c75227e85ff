"""``altar import``: validate a whole CSV file, then write it in one transaction.

Nothing is written unless every row is right; the error lists every problem
as row, column, value and reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from altar.capture.csvio import CsvReader
from altar.capture.records import CASE_COLUMNS, EXTRA_COLUMNS, CaseRecord, Problem, validate_row
from altar.db import Database
from altar.db import cases as store
from altar.errors import ValidationError
from altar.instrument import Codebook, all_codebooks, current_codebook


@dataclass(frozen=True)
class ImportResult:
    rows: int
    added: int
    updated: int
    unchanged: int
    dry_run: bool
    warnings: tuple[str, ...] = field(default=())


def import_csv(
    database: Database, path: Path, *, update: bool = False, dry_run: bool = False,
    actor: str | None = None, command: str = "altar import",
) -> ImportResult:  # fmt: skip
    books = all_codebooks()
    with CsvReader(path) as reader, database.transaction() as session:
        _check_header(reader.header, books)
        lookup = store.authority_lookup(session)
        # A file that has a screened_by column says who screened each case
        # (blank: not recorded); without one, the importing user did.
        default_user = None if "screened_by" in reader.header else actor
        records, problems = _validate_rows(reader, lookup, books, default_user)
        existing = store.existing_refs(session, (r.case_ref for r in records))
        if existing and not update:
            problems += [
                Problem(None, "case_ref", ref, "already in the database; use --update to amend it")
                for ref in sorted(existing)
            ]
        if problems:
            raise ValidationError(f"{path.name}: {len(problems)} problem(s) found; nothing was imported", problems)
        new = [r for r in records if r.case_ref not in existing]
        changed = 0
        if not dry_run:
            store.insert_records(session, new, actor=actor, command=command)
            changed = sum(
                bool(store.update_record(session, r, actor=actor, command=command))
                for r in records
                if r.case_ref in existing
            )
    return ImportResult(len(records), len(new), changed, len(existing) - changed, dry_run)


def _check_header(header: list[str], books: dict[int, Codebook]) -> None:
    known_items = {code for book in books.values() for code in book.item_codes()}
    allowed = set(CASE_COLUMNS) | set(EXTRA_COLUMNS) | known_items
    problems = [Problem(1, name or "(blank)", name, "not a known column") for name in header if name not in allowed]
    # Without a version column every row follows the current codebook, so
    # all of its items must be there; a blank cell is how to say unknown.
    expected = set(CASE_COLUMNS)
    if "instrument_version" not in header:
        expected |= set(current_codebook().item_codes())
    problems += [
        Problem(1, name, "", "column is missing (an empty column means unknown for every row)")
        for name in sorted(expected - set(header))
    ]
    if problems:
        raise ValidationError(f"the header row has {len(problems)} problem(s); nothing was imported", problems)


def _validate_rows(
    reader: CsvReader, lookup: dict[str, str], books: dict[int, Codebook], actor: str | None
) -> tuple[list[CaseRecord], list[Problem]]:
    records: list[CaseRecord] = []
    problems: list[Problem] = []
    first_row: dict[str, int] = {}
    current = max(books)
    for number, row in reader:
        record, row_problems = validate_row(
            row, authorities=lookup, books=books, default_version=current, default_user=actor, row_number=number
        )
        problems += row_problems
        if record is None:
            continue
        missing = [code for code in books[record.instrument_version].item_codes() if code not in row]
        if missing:
            problems.append(Problem(number, missing[0], "", f"column missing for instrument v{record.instrument_version}"))
        elif record.case_ref in first_row:
            problems.append(Problem(number, "case_ref", record.case_ref, f"same case as row {first_row[record.case_ref]}"))
        else:
            first_row[record.case_ref] = number
            records.append(record)
    return records, problems
