"""Local authorities: the bodies whose youth justice services take part."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from altar.access import Permission, User, require
from altar.db.models import Authority, Case, max_length
from altar.db.scope import authority_filter, case_filter
from altar.errors import FieldProblem, ValidationError

_CODE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
# SQLite would store a longer name; PostgreSQL enforces the column's length.
NAME_MAX = max_length(Authority.__table__.c.name)


@dataclass(frozen=True)
class AuthorityRow:
    code: str
    name: str
    cases: int
    note: str | None


def authority_lookup(session: Session) -> dict[str, str]:
    """Map each authority code and lower-cased display name to its code."""
    lookup: dict[str, str] = {}
    for code, name in session.execute(select(Authority.code, Authority.name)):
        lookup[code] = code
        lookup[name.lower()] = code
    return lookup


UNKNOWN_AUTHORITY = (
    "not a known authority (see `altar authority list`, or add it with `altar authority add`)"
)


def parse_authority(text: str, known: dict[str, str]) -> str:
    """Accept an authority's code or display name, in any case; ValueError
    otherwise. ``known`` is ``authority_lookup``'s map, read once for a file.

    >>> parse_authority("West Mercia", {"west_mercia": "west_mercia", "west mercia": "west_mercia"})
    'west_mercia'
    """
    key = text.strip().lower()
    code = known.get(key) or known.get(re.sub(r"[\s-]+", "_", key))
    if code is None:
        raise ValueError(UNKNOWN_AUTHORITY)
    return code


def resolve_authority(session: Session, text: str) -> str:
    """The code of the authority ``text`` names (its code or display name,
    in any case): the one way a command or page turns a typed authority into
    a code. ValidationError, located at the ``authority`` field, otherwise."""
    try:
        return parse_authority(text, authority_lookup(session))
    except ValueError as exc:
        raise ValidationError(
            f"authority {text!r}: {exc}", located=[FieldProblem("authority", str(exc))]
        ) from None


def authority_names(session: Session) -> dict[str, str]:
    """{code: display name} of every authority."""
    return dict(session.execute(select(Authority.code, Authority.name)).all())


def list_authorities(session: Session, user: User) -> list[AuthorityRow]:
    """The authorities ``user`` works in (a practitioner: their own) with
    how many cases each has that they can see (deleted cases not counted)."""
    query = (
        select(Authority.code, Authority.name, func.count(Case.id), Authority.note)
        .outerjoin(Case, and_(Case.authority_id == Authority.id, case_filter(user)))
        .where(authority_filter(user))
        .group_by(Authority.id)
        .order_by(Authority.code)
    )
    return [AuthorityRow(*row) for row in session.execute(query)]


def add_authority(
    session: Session, user: User, code: str, name: str, note: str | None = None
) -> AuthorityRow:
    require(user, Permission.AUTHORITIES)
    code = code.strip()
    name = " ".join(name.split())
    if not _CODE.match(code):
        raise ValidationError(
            f"authority code {code!r}: use 2-40 lower-case letters, digits and _ (e.g. stoke_on_trent)"
        )
    if not name:
        raise ValidationError("an authority needs a display name")
    if len(name) > NAME_MAX:
        raise ValidationError(f"an authority's display name has at most {NAME_MAX} characters")
    # PostgreSQL refuses NUL in text and SQLite would keep it: refuse it on both.
    if not name.isprintable() or (
        note is not None and not " ".join(note.splitlines()).isprintable()
    ):
        raise ValidationError(
            "an authority's name and note must not hold control characters (NUL, tab, ...)"
        )
    clash = session.scalars(
        select(Authority.code).where(
            (Authority.code == code) | (func.lower(Authority.name) == name.lower())
        )
    ).first()
    if clash:
        raise ValidationError(f"authority {clash!r} already exists with that code or name")
    session.add(Authority(code=code, name=name, note=note))
    session.flush()
    return AuthorityRow(code, name, 0, note)
