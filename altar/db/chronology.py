"""Reading and writing chronology events (``chronology_event``).

Functions take an open Session inside the caller's transaction. Rows go in
and come out as plain values; judging what was typed is
``stories.chronology``'s job.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from altar.db.cases import CHUNK
from altar.db.models import Case, ChronologyEvent, Screening
from altar.db.tallies import Scope
from altar.errors import NotFoundError

_E = ChronologyEvent


@dataclass(frozen=True)
class EventRow:
    """A stored event."""

    id: int
    occurred_on: date
    precision: str
    agency: str
    event_type: str
    note: str | None
    recorded_by: str | None
    recorded_at: datetime


_COLUMNS = (_E.id, _E.occurred_on, _E.date_precision, _E.agency, _E.event_type, _E.note, _E.recorded_by,
            _E.recorded_at)  # fmt: skip


def case_ids(session: Session, refs: Iterable[str]) -> dict[str, int]:
    """{case_ref: case id} for the references that exist."""
    found: dict[str, int] = {}
    batch = sorted(set(refs))
    for start in range(0, len(batch), CHUNK):
        chunk = batch[start : start + CHUNK]
        found.update(session.execute(select(Case.case_ref, Case.id).where(Case.case_ref.in_(chunk))).all())
    return found


def insert_events(session: Session, rows: Sequence[dict]) -> list[int]:
    """Insert events (dicts of case_id, occurred_on, date_precision, agency,
    event_type, note, recorded_by); return their new ids in the same order."""
    ids: list[int] = []
    for start in range(0, len(rows), CHUNK):
        statement = insert(_E.__table__).returning(_E.id, sort_by_parameter_order=True)
        ids += session.scalars(statement, list(rows[start : start + CHUNK])).all()
    return ids


def case_events(session: Session, case_id: int) -> list[EventRow]:
    """A case's events, earliest first (ties in the order they were recorded)."""
    query = select(*_COLUMNS).where(_E.case_id == case_id).order_by(_E.occurred_on, _E.id)
    return [EventRow(*row) for row in session.execute(query)]


def delete_event(session: Session, case_id: int, event_id: int) -> EventRow:
    """Delete one of a case's events and return it as it was."""
    row = session.execute(select(*_COLUMNS).where(_E.case_id == case_id, _E.id == event_id)).first()
    if row is None:
        raise NotFoundError(f"no chronology event {event_id} for this case (see `altar chronology list`)")
    session.execute(delete(_E).where(_E.id == event_id))
    return EventRow(*row)


def scoped_events(session: Session, scope: Scope) -> Iterator[tuple]:
    """Every event of the children a statistics scope covers, in one query,
    as (group number, case id, age, screened_on, occurred_on, precision,
    agency, event_type), a child's events together and earliest first (the
    order of the index on case and date, so no sort of the events).
    Children with no events yield nothing."""
    query = (
        select(scope.table.c.k, Screening.case_id, Case.age, Screening.screened_on, _E.occurred_on,
               _E.date_precision, _E.agency, _E.event_type)
        .select_from(scope.table)
        .join(Screening, Screening.id == scope.table.c.screening_id)
        .join(Case, Case.id == Screening.case_id)
        .join(_E, _E.case_id == Screening.case_id)
        .order_by(_E.case_id, _E.occurred_on)
    )  # fmt: skip
    yield from session.execute(query.execution_options(yield_per=5000))
