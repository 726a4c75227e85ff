"""The change log: who did what to which child's record, when (UTC), with
which command, and the value before and after. The toolkit only ever
appends to it, and the database refuses anything else (migration 0004's
triggers), save the deletion of a purged case's entries.

Every write path calls :func:`log` inside its own transaction (an import's
one row per new case is written in bulk by ``db.cases.insert_records``), so
a change and its record commit or roll back together.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import overload

from sqlalchemy import select
from sqlalchemy.orm import Session

from altar.access import Permission, User, allowed
from altar.db.models import Case, ChangeLog
from altar.db.scope import case_filter


def log(
    session: Session,
    *,
    actor: str | None,
    command: str,
    action: str,
    entity: str,
    case_ref: str | None,
    field: str | None = None,
    old: str | None = None,
    new: str | None = None,
) -> None:
    """Record one change. ``action`` is insert, update, delete (or purge,
    written only by ``db.lifecycle``); ``entity`` names what changed (case,
    screening, answer, story, chronology_event, pen_picture, story_tag,
    theme, user, ...); ``field`` the column or item, when one changed."""
    session.add(
        ChangeLog(
            actor=actor,
            command=command,
            action=action,
            entity=entity,
            case_ref=case_ref,
            field=field,
            old_value=old,
            new_value=new,
        )
    )


@overload
def utc_text(at: datetime) -> str: ...
@overload
def utc_text(at: datetime | None) -> str | None: ...
def utc_text(at: datetime | None) -> str | None:
    """A stored time (naive UTC, ``models.utcnow``) as ISO 8601 with Z."""
    return None if at is None else at.isoformat(timespec="seconds") + "Z"


@dataclass(frozen=True)
class Entry:
    """One change, as ``altar audit`` shows it; ``at`` is UTC, ISO 8601 with Z."""

    id: int
    at: str | None
    actor: str | None
    command: str
    action: str
    entity: str
    case_ref: str | None
    field: str | None
    old: str | None
    new: str | None


def read(
    session: Session,
    user: User,
    *,
    case_ref: str | None = None,
    actor: str | None = None,
    since: datetime | None = None,
) -> list[Entry]:
    """The entries ``user`` may read, oldest first: a lead or admin every
    entry (deleted and purged cases, user management too); a practitioner
    only those about cases they can see now."""
    query = select(ChangeLog).order_by(ChangeLog.id)
    if not allowed(user, Permission.REGION):
        query = query.join(Case, Case.case_ref == ChangeLog.case_ref).where(case_filter(user))
    if case_ref is not None:
        query = query.where(ChangeLog.case_ref == case_ref)
    if actor is not None:
        query = query.where(ChangeLog.actor == actor)
    if since is not None:
        query = query.where(ChangeLog.at >= since)
    return [
        Entry(
            row.id,
            utc_text(row.at),
            row.actor,
            row.command,
            row.action,
            row.entity,
            row.case_ref,
            row.field,
            row.old_value,
            row.new_value,
        )
        for row in session.scalars(query)
    ]
