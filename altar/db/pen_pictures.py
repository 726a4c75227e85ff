"""Pen-pictures in the store: short anonymised portraits drawn from the case
stories, each linked to its case and published only once approved.

Functions take an open Session inside the caller's transaction; validation
and the change log are the caller's (``altar.stories.pen_pictures``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Row, Select, select
from sqlalchemy.orm import Session

from altar.access import User
from altar.db.models import Authority, Case, PenPicture
from altar.db.scope import case_filter
from altar.errors import NotFoundError


@dataclass(frozen=True)
class PenPictureRow:
    """A pen-picture with its case, for the researcher's own listings."""

    id: int
    case_ref: str
    authority: str
    stratum: str
    title: str
    body: str
    written_by: str | None
    written_at: datetime
    approved_by: str | None
    approved_at: datetime | None
    status: str  # approved or draft


@dataclass(frozen=True)
class PublishedPenPicture:
    """An approved pen-picture as a report may use it: no case reference,
    only what decides where it appears (authority) and how it is introduced
    (stratum)."""

    authority: str
    stratum: str
    title: str
    body: str


# What _rows selects: PenPictureRow's fields but the status, which follows from approved_at.
_Selected = tuple[int, str, str, str, str, str, str | None, datetime, str | None, datetime | None]


def _rows(user: User) -> Select[*_Selected]:
    """Pen-pictures of the cases ``user`` may see (never a deleted case's)."""
    return (
        select(
            PenPicture.id,
            Case.case_ref,
            Authority.code,
            Case.stratum,
            PenPicture.title,
            PenPicture.body,
            PenPicture.written_by,
            PenPicture.written_at,
            PenPicture.approved_by,
            PenPicture.approved_at,
        )
        .join(Case, Case.id == PenPicture.case_id)
        .join(Authority, Authority.id == Case.authority_id)
        .where(case_filter(user))
    )


def _not_found(picture_id: int) -> NotFoundError:
    return NotFoundError(f"no pen-picture {picture_id} (see `altar penpicture list`)")


def get(session: Session, user: User, picture_id: int) -> PenPicture:
    """The stored pen-picture, to change it, if ``user`` may see its case."""
    query = (
        select(PenPicture)
        .join(Case, Case.id == PenPicture.case_id)
        .where(PenPicture.id == picture_id, case_filter(user))
    )
    picture = session.scalars(query).one_or_none()
    if picture is None:
        raise _not_found(picture_id)
    return picture


def _row(values: Row[*_Selected]) -> PenPictureRow:
    return PenPictureRow(*values, status="draft" if values[-1] is None else "approved")


def get_row(session: Session, user: User, picture_id: int) -> PenPictureRow:
    row = session.execute(_rows(user).where(PenPicture.id == picture_id)).one_or_none()
    if row is None:
        raise _not_found(picture_id)
    return _row(row)


def list_rows(
    session: Session, user: User, *, approved: bool | None = None, authority: str | None = None
) -> list[PenPictureRow]:
    """Pen-pictures ``user`` may see in id order (the order they were
    written); ``approved`` True or False keeps only approved or only draft ones."""
    query = _rows(user).order_by(PenPicture.id)
    if approved is not None:
        query = query.where(
            PenPicture.approved_at.is_not(None) if approved else PenPicture.approved_at.is_(None)
        )
    if authority:
        query = query.where(Authority.code == authority)
    return [_row(row) for row in session.execute(query)]


def published(session: Session) -> list[PublishedPenPicture]:
    """Approved pen-pictures of live cases only (a deleted case leaves the
    reports), in the order they were approved (then id), so a report lists
    them the same way every time it is rendered."""
    query = (
        select(Authority.code, Case.stratum, PenPicture.title, PenPicture.body)
        .join(Case, Case.id == PenPicture.case_id)
        .join(Authority, Authority.id == Case.authority_id)
        .where(PenPicture.approved_at.is_not(None), Case.deleted_at.is_(None))
        .order_by(PenPicture.approved_at, PenPicture.id)
    )
    return [PublishedPenPicture(*row) for row in session.execute(query)]


def case_refs(session: Session) -> Iterator[str]:
    """Every stored case reference, for the check that a pen-picture names none."""
    return iter(session.scalars(select(Case.case_ref)))
