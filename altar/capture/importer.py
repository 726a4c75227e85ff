"""``altar import``: check a whole CSV file and write it in one transaction.

The file is streamed: rows are validated and written a chunk at a time
inside one transaction, so memory stays flat however long the file is. Once
any problem is found nothing more is written, the remaining rows are still
checked (so the error lists every problem), and the transaction is rolled
back: the database holds all of the file or none of it.

Case references already seen in the file are kept in a temporary table
(``db.import_staging``), not in memory, to catch a case entered twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from sqlalchemy.orm import Session

from altar.access import User, authority_refusal, may_write
from altar.capture.csvio import CsvReader
from altar.capture.records import EXTRA_COLUMNS, CaseRecord, Problem, validate_row
from altar.db import Database
from altar.db import cases as store
from altar.db.authorities import authority_lookup
from altar.db.import_staging import SeenRefs
from altar.db.scope import case_filter
from altar.errors import ValidationError
from altar.instrument import Codebook, all_codebooks, current_codebook
from altar.vocab import CASE_COLUMNS

CHUNK_ROWS = 2000
MAX_LISTED = 1000  # problems listed in full; beyond this they are counted


@dataclass(frozen=True)
class ImportResult:
    rows: int
    added: int
    updated: int
    unchanged: int
    dry_run: bool


@dataclass
class _Tally:
    rows: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    unlisted: int = 0

    def report(self, found: Iterable[Problem]) -> None:
        for problem in found:
            if len(self.problems) < MAX_LISTED:
                self.problems.append(problem)
            else:
                self.unlisted += 1


def import_csv(
    database: Database,
    path: Path,
    *,
    user: User,
    update: bool = False,
    dry_run: bool = False,
    command: str = "altar import",
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Import ``path`` as ``user``; ``progress(n)`` is called with the bytes read so far.

    A practitioner's file may hold only their own authority's cases: any
    other row is a problem (by row number), and nothing is written."""
    books = all_codebooks()
    tally = _Tally()
    with CsvReader(path) as reader, database.transaction() as session:
        _check_header(reader.header, books)
        lookup = authority_lookup(session)
        # A file that has a screened_by column says who screened each case
        # (blank: not recorded); without one, the importing user did.
        default_user = None if "screened_by" in reader.header else user.name
        rows = _validated(reader, lookup, books, default_user, user, tally)
        with SeenRefs(session) as seen:
            while chunk := list(islice(rows, CHUNK_ROWS)):
                fresh, existing = _sort_out(session, user, seen, chunk, update, tally)
                if not tally.problems and not dry_run:
                    _write(session, user, fresh, existing, tally, command=command)
                if progress:
                    progress(reader.bytes_read)
        if tally.problems:
            listed = tally.problems + ([f"... and {tally.unlisted} more"] if tally.unlisted else [])
            total = len(tally.problems) + tally.unlisted
            raise ValidationError(
                f"{path.name}: {total} problem(s) found; nothing was imported", listed
            )
    return ImportResult(tally.rows, tally.added, tally.updated, tally.unchanged, dry_run)


def _validated(
    reader: CsvReader,
    lookup: dict[str, str],
    books: dict[int, Codebook],
    default_user: str | None,
    user: User,
    tally: _Tally,
) -> Iterator[tuple[int, CaseRecord]]:
    """(row number, record) for every row without a problem in its own cells
    that ``user`` may write."""
    current = max(books)
    for number, row in reader:
        tally.rows += 1
        record, problems = validate_row(
            row,
            authorities=lookup,
            books=books,
            default_version=current,
            default_user=default_user,
            row_number=number,
        )
        if record is not None:
            missing = [
                code for code in books[record.instrument_version].item_codes() if code not in row
            ]
            if missing:
                problems = [
                    Problem(
                        missing[0],
                        f"column missing for instrument v{record.instrument_version}",
                        row=number,
                        value="",
                    )
                ]
            elif not may_write(user, record.authority):
                problems = [
                    Problem(
                        "authority",
                        authority_refusal(user),
                        row=number,
                        value=row.get("authority", ""),
                    )
                ]
        tally.report(problems)
        if record is not None and not problems:
            yield number, record


def _sort_out(
    session: Session,
    user: User,
    seen: SeenRefs,
    chunk: list[tuple[int, CaseRecord]],
    update: bool,
    tally: _Tally,
) -> tuple[list[CaseRecord], list[CaseRecord]]:
    """Split a chunk into new cases and cases already stored, reporting a
    case that appears twice in the file, or is stored and --update is off,
    or whose reference is taken by a case ``user`` cannot change (deleted,
    or, for a practitioner, another authority's: references are unique
    across the region, so saying it is taken is unavoidable)."""
    first = seen.first_rows(chunk)
    repeats = [(n, r) for n, r in chunk if first[r.case_ref] != n]
    tally.report(
        Problem("case_ref", f"same case as row {first[r.case_ref]}", row=n, value=r.case_ref)
        for n, r in repeats
    )
    unique = [(n, r) for n, r in chunk if first[r.case_ref] == n]
    stored = store.existing_refs(session, (r.case_ref for _, r in unique))
    mine = store.existing_refs(session, stored, case_filter(user))
    tally.report(
        Problem(
            "case_ref",
            "this reference is taken by a deleted case or one you cannot see; use another",
            row=n,
            value=r.case_ref,
        )
        for n, r in unique
        if r.case_ref in stored - mine
    )
    if stored and not update:
        tally.report(
            Problem(
                "case_ref",
                "already in the database; use --update to amend it",
                row=n,
                value=r.case_ref,
            )
            for n, r in unique
            if r.case_ref in mine
        )
    fresh = [r for _, r in unique if r.case_ref not in stored]
    tally.added += len(fresh)
    return fresh, [r for _, r in unique if r.case_ref in mine]


def _write(
    session: Session,
    user: User,
    fresh: list[CaseRecord],
    existing: list[CaseRecord],
    tally: _Tally,
    *,
    command: str,
) -> None:
    store.insert_records(session, fresh, actor=user.name, command=command)
    for record in existing:
        if store.update_record(session, user, record, command=command):
            tally.updated += 1
        else:
            tally.unchanged += 1


def _check_header(header: list[str], books: dict[int, Codebook]) -> None:
    known_items = {code for book in books.values() for code in book.item_codes()}
    allowed = set(CASE_COLUMNS) | set(EXTRA_COLUMNS) | known_items
    problems = [
        Problem(name or "(blank)", "not a known column", row=1, value=name)
        for name in header
        if name not in allowed
    ]
    # Without a version column every row follows the current codebook, so
    # all of its items must be there; a blank cell is how to say unknown.
    expected = set(CASE_COLUMNS)
    if "instrument_version" not in header:
        expected |= set(current_codebook().item_codes())
    problems += [
        Problem(
            name, "column is missing (an empty column means unknown for every row)", row=1, value=""
        )
        for name in sorted(expected - set(header))
    ]
    if problems:
        raise ValidationError(
            f"the header row has {len(problems)} problem(s); nothing was imported", problems
        )
