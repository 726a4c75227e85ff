"""Scratch space for one import: the case references already read from the
file, in a temporary table rather than in memory, so an import of a million
rows can still say "same case as row 17" in constant memory."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Column, Integer, MetaData, String, Table, select
from sqlalchemy.orm import Session

from altar.db.bulk import insert_rows
from altar.records import CaseRecord

_BATCH = 500  # bound parameters per lookup, under every database's limit


class SeenRefs:
    def __init__(self, session: Session):
        self.session = session
        self.table = Table(
            "altar_import_seen",
            MetaData(),
            Column("case_ref", String(40), primary_key=True),
            Column("row_number", Integer),
            prefixes=["TEMPORARY"],
        )

    def __enter__(self) -> SeenRefs:
        connection = self.session.connection()
        self.table.drop(
            connection, checkfirst=True
        )  # left by an interrupted run on a pooled connection
        self.table.create(connection)
        return self

    def __exit__(self, *exc: object) -> None:
        self.table.drop(self.session.connection(), checkfirst=True)

    def first_rows(self, chunk: Sequence[tuple[int, CaseRecord]]) -> dict[str, int]:
        """The row on which each case of ``chunk`` first appears in the file
        (an earlier chunk or this one); remembers this chunk's cases."""
        refs = sorted({record.case_ref for _, record in chunk})
        first: dict[str, int] = {}
        for start in range(0, len(refs), _BATCH):
            part = refs[start : start + _BATCH]
            query = select(self.table.c.case_ref, self.table.c.row_number).where(
                self.table.c.case_ref.in_(part)
            )
            first.update((ref, row) for ref, row in self.session.execute(query))
        new = []
        for number, record in chunk:
            if record.case_ref not in first:
                first[record.case_ref] = number
                new.append((record.case_ref, number))
        insert_rows(self.session, self.table, ("case_ref", "row_number"), new)
        return first
