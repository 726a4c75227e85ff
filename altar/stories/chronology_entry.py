"""Keeping a child's chronology: ``altar chronology add|list|edit|remove|import|chart``
and the chronology pages of ``altar serve``.

Each function runs inside the caller's transaction and records every
change in the change log (entity ``chronology_event``), the event's text
(``2019-03 education exclusion: note``) as the new value of an insert and
the old value of a delete, so a removed event can always be read back; an
edit logs each changed column (``event 12 date``) with its old and new text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from altar.access import User
from altar.capture.csvio import CsvReader
from altar.capture.records import Problem
from altar.capture.values import parse_case_ref
from altar.charts.timeline import TimelineEvent, timeline_chart
from altar.db import audit
from altar.db import chronology as store
from altar.db.cases import case_ids
from altar.db.scope import case_filter, require_case
from altar.errors import NotFoundError, ValidationError
from altar.stories.chronology import (
    AGENCY_LABELS,
    COLUMNS,
    EVENT_TYPE_LABELS,
    Event,
    format_event_date,
    validate_event,
)
from altar.vocab import OFFENCE_TYPES

ENTITY = "chronology_event"
LIST_COLUMNS = ("id", "date", "agency", "event_type", "note", "recorded_by")
_MAX_SHOWN = 1000  # problems listed in full; the rest are counted
_STORED_COLUMNS = (
    "occurred_on",
    "date_precision",
    "agency",
    "event_type",
    "note",
)  # what an edit may change


@dataclass(frozen=True)
class EventListing:
    """One event as ``altar chronology list`` shows it."""

    id: int
    date: str
    agency: str
    event_type: str
    note: str | None
    recorded_by: str | None


def _event(row: store.EventRow) -> Event:
    return Event(row.occurred_on, row.precision, row.agency, row.event_type, row.note)


def _listing(row: store.EventRow) -> EventListing:
    return EventListing(
        row.id,
        format_event_date(row.occurred_on, row.precision),
        row.agency,
        row.event_type,
        row.note,
        row.recorded_by,
    )


def _stored(case_id: int, event: Event, actor: str | None) -> dict:
    return {
        "case_id": case_id,
        "occurred_on": event.occurred_on,
        "date_precision": event.precision,
        "agency": event.agency,
        "event_type": event.event_type,
        "note": event.note,
        "recorded_by": actor,
    }


def _write(
    session: Session, events: list[tuple[str, int, Event]], *, actor: str | None, command: str
) -> list[int]:
    """Store (case_ref, case id, event) triples and log each insert."""
    ids = store.insert_events(
        session, [_stored(case_id, event, actor) for _, case_id, event in events]
    )
    for event_id, (case_ref, _, event) in zip(ids, events):
        audit.log(
            session,
            actor=actor,
            command=command,
            action="insert",
            entity=ENTITY,
            case_ref=case_ref,
            field=f"event {event_id}",
            new=event.describe(),
        )
    return ids


def _validated(fields: Mapping[str, str | None], today: date | None, refusal: str) -> Event:
    event, problems = validate_event(fields, today=today)
    if event is None:
        # Located by column (date, agency, event_type, note): a form shows each beside its field.
        raise ValidationError(f"{refusal}: {len(problems)} problem(s)", located=problems)
    return event


def add_event(
    session: Session,
    user: User,
    case_ref: str,
    fields: Mapping[str, str | None],
    *,
    command: str,
    today: date | None = None,
) -> EventListing:
    """Validate one typed event (date, agency, event_type, note) and add it
    to a case in ``user``'s scope."""
    case, actor = require_case(session, user, case_ref), user.name
    event = _validated(fields, today, f"event not added to {case_ref}")
    (event_id,) = _write(session, [(case.case_ref, case.id, event)], actor=actor, command=command)
    return EventListing(
        event_id, event.shown_date, event.agency, event.event_type, event.note, actor
    )


def get_event(session: Session, user: User, case_ref: str, event_id: int) -> EventListing:
    """One event of a case in ``user``'s scope (NotFoundError for another case's)."""
    return _listing(store.case_event(session, require_case(session, user, case_ref).id, event_id))


def _typed(event: Event) -> dict[str, str | None]:
    """An event as it would be typed: what an edit compares and logs."""
    return {
        "date": event.shown_date,
        "agency": event.agency,
        "event_type": event.event_type,
        "note": event.note,
    }


def edit_event(
    session: Session,
    user: User,
    case_ref: str,
    event_id: int,
    fields: Mapping[str, str | None],
    *,
    command: str,
    today: date | None = None,
) -> EventListing:
    """Change one event of a case in ``user``'s scope. ``fields`` holds the
    typed date, agency, event_type and note; one left out (or None) keeps
    its stored value, an empty note clears it. Checked like
    :func:`add_event`; each changed column is logged with its old and new
    text. The event keeps who first recorded it."""
    case = require_case(session, user, case_ref)
    before = _typed(_event(store.case_event(session, case.id, event_id)))
    typed = {**before, **{k: v for k, v in fields.items() if k in before and v is not None}}
    after = _validated(typed, today, f"event {event_id} of {case_ref} not changed")
    changed = [name for name, value in _typed(after).items() if value != before[name]]
    if changed:
        stored = _stored(case.id, after, None)
        store.update_event(session, case.id, event_id, {k: stored[k] for k in _STORED_COLUMNS})
    for name in changed:
        audit.log(
            session,
            actor=user.name,
            command=command,
            action="update",
            entity=ENTITY,
            case_ref=case.case_ref,
            field=f"event {event_id} {name}",
            old=before[name],
            new=_typed(after)[name],
        )
    return _listing(store.case_event(session, case.id, event_id))


def list_events(session: Session, user: User, case_ref: str) -> list[EventListing]:
    """A case's events, earliest first; a month-precision date shows as YYYY-MM."""
    return [
        _listing(row)
        for row in store.case_events(session, require_case(session, user, case_ref).id)
    ]


def remove_event(
    session: Session, user: User, case_ref: str, event_id: int, *, command: str
) -> EventListing:
    """Delete one event of a case; the change log keeps what it said."""
    case = require_case(session, user, case_ref)
    removed = store.delete_event(session, case.id, event_id)
    audit.log(
        session,
        actor=user.name,
        command=command,
        action="delete",
        entity=ENTITY,
        case_ref=case.case_ref,
        field=f"event {event_id}",
        old=_event(removed).describe(),
    )
    return _listing(removed)


@dataclass(frozen=True)
class ImportResult:
    events: int
    cases: int


def import_events(
    session: Session,
    user: User,
    path: Path,
    *,
    case_ref: str | None = None,
    command: str,
    today: date | None = None,
) -> ImportResult:
    """Import a CSV of events (columns case_ref, date, agency, event_type,
    note; without case_ref when ``case_ref`` names the one case they are
    for). Every row is checked before anything is written; any problem
    raises ValidationError listing them all by row, and nothing is stored.
    A case outside ``user``'s scope is reported as unknown."""
    if case_ref:
        require_case(session, user, case_ref)  # one clear error, not one per row
    with CsvReader(path) as reader:
        _check_header(reader.header, path, case_ref)
        rows = [
            (number, {**row, "case_ref": case_ref} if case_ref else row) for number, row in reader
        ]
    known = case_ids(session, (row["case_ref"].strip() for _, row in rows), case_filter(user))
    events, problems = [], []
    for number, row in rows:
        event, found = validate_event(row, row_number=number, today=today)
        ref = row["case_ref"].strip()
        if ref not in known:
            found.insert(0, Problem("case_ref", _unknown_case(ref), row=number, value=ref))
        problems += found
        if event is not None and not found:
            events.append((ref, known[ref], event))
    if problems:
        shown = [str(p) for p in problems[:_MAX_SHOWN]]
        more = [f"... and {len(problems) - _MAX_SHOWN} more"] if len(problems) > _MAX_SHOWN else []
        raise ValidationError(
            f"{path.name}: {len(problems)} problem(s); nothing was imported", shown + more
        )
    _write(session, events, actor=user.name, command=command)
    return ImportResult(len(events), len({ref for ref, _, _ in events}))


def _check_header(header: list[str], path: Path, case_ref: str | None) -> None:
    expected = [c for c in COLUMNS if not (case_ref and c == "case_ref")]
    problems = [f"column {c!r} is missing" for c in expected if c not in header and c != "note"]
    if case_ref and "case_ref" in header:
        problems.append(
            f"the file has a case_ref column and --case {case_ref} was given: use one or the other"
        )
    problems += [
        f"column {c!r} is not one of {', '.join(expected)}" for c in header if c not in COLUMNS
    ]
    if problems:
        raise ValidationError(
            f"{path.name}: the header is not right; nothing was imported", problems
        )


def _unknown_case(ref: str) -> str:
    if not ref:
        return "a case reference is required"
    try:
        parse_case_ref(ref)
    except ValueError as exc:
        return str(exc)
    return "no such case in this database (add it first with `altar case add` or `altar import`)"


def template_header(case_ref: str | None = None) -> list[str]:
    """The header of a blank import file (without case_ref for a file about one case)."""
    return [c for c in COLUMNS if not (case_ref and c == "case_ref")]


def case_timeline(session: Session, user: User, case_ref: str, fmt: str) -> bytes:
    """A case's chronology drawn as a timeline (PNG or SVG bytes), for the
    working case file: agencies in lanes, in the vocabulary's order."""
    case = require_case(session, user, case_ref)
    rows = store.case_events(session, case.id)
    if not rows:
        raise NotFoundError(
            f"{case.case_ref} has no chronology events to chart (add them with `altar chronology add`)"
        )
    present = {row.agency for row in rows}
    lanes = [(code, label) for code, label in AGENCY_LABELS.items() if code in present]
    events = [
        TimelineEvent(
            r.occurred_on,
            r.precision,
            r.agency,
            EVENT_TYPE_LABELS[r.event_type],
            r.event_type in OFFENCE_TYPES,
        )
        for r in rows
    ]
    return timeline_chart(f"Chronology: {case.case_ref}", lanes, events, fmt=fmt)
