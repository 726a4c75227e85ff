"""Local authorities: the bodies whose youth justice services take part."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from altar.db.models import Authority, Case
from altar.errors import ValidationError

_CODE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
# SQLite would store a longer name; PostgreSQL enforces the column's length.
NAME_MAX = Authority.__table__.c.name.type.length


@dataclass(frozen=True)
class AuthorityRow:
    code: str
    name: str
    cases: int
    note: str | None


def list_authorities(session: Session) -> list[AuthorityRow]:
    query = (
        select(Authority.code, Authority.name, func.count(Case.id), Authority.note)
        .outerjoin(Case, Case.authority_id == Authority.id)
        .group_by(Authority.id)
        .order_by(Authority.code)
    )
    return [AuthorityRow(*row) for row in session.execute(query)]


def add_authority(session: Session, code: str, name: str, note: str | None = None) -> AuthorityRow:
    code = code.strip()
    name = " ".join(name.split())
    if not _CODE.match(code):
        raise ValidationError(f"authority code {code!r}: use 2-40 lower-case letters, digits and _ (e.g. stoke_on_trent)")
    if not name:
        raise ValidationError("an authority needs a display name")
    if len(name) > NAME_MAX:
        raise ValidationError(f"an authority's display name has at most {NAME_MAX} characters")
    # PostgreSQL refuses NUL in text and SQLite would keep it: refuse it on both.
    if not name.isprintable() or (note is not None and not " ".join(note.splitlines()).isprintable()):
        raise ValidationError("an authority's name and note must not hold control characters (NUL, tab, ...)")
    clash = session.scalars(
        select(Authority.code).where((Authority.code == code) | (func.lower(Authority.name) == name.lower()))
    ).first()
    if clash:
        raise ValidationError(f"authority {clash!r} already exists with that code or name")
    session.add(Authority(code=code, name=name, note=note))
    session.flush()
    return AuthorityRow(code, name, 0, note)
