"""``altar export``: every case and screening in the import's own column
contract, so that export then import into a fresh database is lossless."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO

from sqlalchemy.orm import Session

from altar.access import User
from altar.capture.csvio import write_csv
from altar.capture.records import EXTRA_COLUMNS, CaseRecord, case_fields, record_to_row
from altar.db import cases as store
from altar.instrument import all_codebooks, current_codebook
from altar.vocab import CASE_COLUMNS


def export_header() -> list[str]:
    """Case columns, then the current codebook's items, then items only older
    versions had (so an older screening's answers are never dropped)."""
    items = list(current_codebook().item_codes())
    for book in all_codebooks().values():
        items += [code for code in book.item_codes() if code not in items]
    return [*CASE_COLUMNS, *EXTRA_COLUMNS, *items]


def export_csv(session: Session, user: User, stream: IO[str]) -> int:
    """The cases ``user`` may see (a practitioner: their authority's), as
    CSV; returns how many."""
    books = all_codebooks()
    count = 0

    def rows() -> Iterator[dict[str, str]]:
        nonlocal count
        for record in store.iter_records(session, user):
            count += 1
            yield record_to_row(record, books[record.instrument_version])

    write_csv(stream, export_header(), rows())
    return count


def export_json(session: Session, user: User, stream: IO[str]) -> int:
    """One JSON document: the instrument versions and a list of cases, each
    with typed answers (an absent item was never answered; a count of null
    is unknown)."""
    books = all_codebooks()
    records = [case_document(r) for r in store.iter_records(session, user)]
    document = {
        "instruments": [{"name": b.name, "version": b.version} for b in books.values()],
        "n_cases": len(records),
        "cases": records,
    }
    json.dump(document, stream, indent=2)
    stream.write("\n")
    return len(records)


def case_document(record: CaseRecord) -> dict:
    return {**case_fields(record), "answers": record.answers}
