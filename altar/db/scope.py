"""The store's side of ``altar.access``: the acting user looked up, and the
scope every query about cases takes.

- ``case_filter(user)``: a WHERE clause over ``Case`` for the cases the user
  may see (never soft-deleted ones); add it to any query that reads cases or
  anything hanging off them.
- ``authority_filter(user)``: the same over ``Authority``.
- ``require_case(session, user, case_ref)``: the ``Case`` or NotFoundError.
- ``resolve_user(session, name)``: who is running the command.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, select, true
from sqlalchemy.orm import Session

from altar.access import User, single_user
from altar.db.models import Authority, Case, UserAccount
from altar.errors import AccessDenied, NotFoundError


def users_exist(session: Session) -> bool:
    return bool(session.scalar(select(exists().select_from(UserAccount))))


def resolve_user(session: Session, name: str | None) -> User:
    """The acting user named by --user / ALTAR_USER / the login name.

    Single-user mode while no users exist; after that an unknown or
    disabled name is refused (AccessDenied)."""
    if not users_exist(session):
        return single_user(name)
    if name is None:
        raise AccessDenied(
            "this database has users: say who you are with --user NAME (or ALTAR_USER)"
        )
    row = session.execute(
        select(UserAccount, Authority.code)
        .outerjoin(Authority, Authority.id == UserAccount.authority_id)
        .where(UserAccount.name == name)
    ).one_or_none()
    if row is None:
        raise AccessDenied(
            f"{name!r} is not a user of this database: give --user NAME, or ask an admin "
            "to add you with `altar user add`"
        )
    account, code = row
    if account.disabled_at is not None:
        raise AccessDenied(
            f"user {name!r} is disabled (an admin can re-enable it with `altar user enable`)"
        )
    return User(account.name, account.role, code, account.authority_id)


def case_filter(user: User, *, deleted: bool = False) -> ColumnElement[bool]:
    """The cases ``user`` may see: live ones (``deleted``: soft-deleted
    ones instead), of the practitioner's own authority."""
    state = Case.deleted_at.is_not(None) if deleted else Case.deleted_at.is_(None)
    if user.role == "practitioner":
        return and_(state, Case.authority_id == user.authority_id)
    return state


def authority_filter(user: User) -> ColumnElement[bool]:
    """The authorities ``user`` works in: a practitioner's own, else all."""
    return Authority.id == user.authority_id if user.role == "practitioner" else true()


def require_case(session: Session, user: User, case_ref: str, *, deleted: bool = False) -> Case:
    """The case, if ``user`` may see it; otherwise NotFoundError, worded the
    same whether it is another authority's or does not exist."""
    query = select(Case).where(Case.case_ref == case_ref, case_filter(user, deleted=deleted))
    case = session.scalars(query).one_or_none()
    if case is None:
        kind = "deleted case" if deleted else "case"
        raise NotFoundError(f"no {kind} {case_ref!r} in this database (see `altar case list`)")
    return case
