"""The end of a case's life: soft delete, undelete, and purge (the lawful
erasure of a child's data).

A deleted case keeps all its data but leaves every list, statistic, report
and export (``db.scope.case_filter`` and ``tallies`` leave it out); the lead
can undelete it. A purge removes the case and, by ON DELETE CASCADE, its
screening, answers, scores, stories, chronology, pen-pictures and tags; its
change-log entries are deleted explicitly (the log has no foreign key),
leaving one entry that a purge happened: who, when, with which command, and the case reference.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from altar.access import Permission, User, require
from altar.db import Database
from altar.db.audit import log, utc_text
from altar.db.models import Case, ChangeLog, utcnow
from altar.db.scope import require_case
from altar.errors import NotFoundError


def delete_case(session: Session, user: User, case_ref: str, *, command: str) -> None:
    """Soft-delete a case ``user`` may see (a practitioner: their own authority's)."""
    case = require_case(session, user, case_ref)
    case.deleted_at, case.deleted_by = utcnow(), user.name
    log(
        session, actor=user.name, command=command, action="delete", entity="case", case_ref=case_ref
    )


def undelete_case(session: Session, user: User, case_ref: str, *, command: str) -> None:
    """Bring a soft-deleted case back (lead or admin)."""
    require(user, Permission.UNDELETE)
    case = require_case(session, user, case_ref, deleted=True)
    log(
        session,
        actor=user.name,
        command=command,
        action="update",
        entity="case",
        case_ref=case_ref,
        field="deleted_at",
        old=utc_text(case.deleted_at),
        new=None,
    )
    case.deleted_at = case.deleted_by = None


@dataclass(frozen=True)
class PurgeResult:
    case_ref: str
    log_entries_removed: int


def purge_case(database: Database, user: User, case_ref: str, *, command: str) -> PurgeResult:
    """Erase a case, live or deleted, and everything about it (admin only).

    The purge record is written first: the change log's trigger lets a
    case's entries be deleted only once a newer purge record names it. On
    SQLite the file is then rebuilt and its WAL emptied, so the child's
    data is not left readable in free space (``Database.erase_freed_space``).
    """
    require(user, Permission.PURGE)
    with database.transaction() as session:
        case_id = session.scalar(select(Case.id).where(Case.case_ref == case_ref))
        if case_id is None:
            raise NotFoundError(f"no case {case_ref!r} in this database (see `altar case list`)")
        log(
            session,
            actor=user.name,
            command=command,
            action="purge",
            entity="case",
            case_ref=case_ref,
        )
        session.flush()
        history = (ChangeLog.case_ref == case_ref) & (ChangeLog.action != "purge")
        removed = session.scalar(select(func.count()).where(history))
        session.execute(delete(ChangeLog).where(history))
        session.execute(delete(Case).where(Case.id == case_id))  # the rest by ON DELETE CASCADE
    database.erase_freed_space()
    return PurgeResult(case_ref, removed or 0)
