"""Who may see and change what: the acting user, their role, and the scope
every query about cases takes.

Roles mirror REDCap's Data Access Groups:

- ``practitioner``: one authority's cases only, to add, amend, see, delete
  and export. Another authority's case is *not found*, never *forbidden*,
  so its existence does not leak. No region-wide statistics or reports.
- ``lead``: every authority; statistics, reports, exports, undelete,
  pen-pictures (writing and approving), themes' codebook and summaries,
  removing identifying-detail terms, authorities.
- ``admin``: what a lead may, plus user management, purge, backup/restore.

With no users defined, altar runs in single-user mode: whoever runs it may
do everything, as before users existed. Once one exists, every command that
opens the database must be run by a known, enabled user (``--user``,
``ALTAR_USER``, else the login name).

The API every command uses (see ARCHITECTURE.md):

- ``case_filter(user)``: a WHERE clause over ``Case`` for the cases the
  user may see (never soft-deleted ones); add it to any query that reads
  cases or anything hanging off them.
- ``require_case(session, user, case_ref)``: the ``Case`` or NotFoundError.
- ``require_authority(user, code)``: before writing a case of an authority.
- ``require(user, Permission.X)``: before anything role-bound (AccessDenied).

These are guards against mistakes among colleagues, not security against
someone holding the database file or a server password: see README "Data
protection".
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from sqlalchemy import ColumnElement, and_, exists, select, true
from sqlalchemy.orm import Session

from altar.db.models import Authority, Case, UserAccount
from altar.errors import AccessDenied, NotFoundError


class Permission(Enum):
    """What a role may do beyond its own authority's cases; the value is how
    an error message names it."""

    REGION = "see the whole region's statistics and reports"
    AUTHORITIES = "add authorities"
    UNDELETE = "undelete cases"
    APPROVE = "approve pen-pictures"
    # Removing a watched name weakens the identifying-detail check for every
    # story in the region, so it is the lead's; adding one only strengthens it.
    TERMS = "remove names or school names from the identifying-detail list"
    USERS = "manage users"
    PURGE = "purge a case"
    BACKUP = "back up or restore the database"


_LEAD = frozenset(
    {
        Permission.REGION,
        Permission.AUTHORITIES,
        Permission.UNDELETE,
        Permission.APPROVE,
        Permission.TERMS,
    }
)
GRANTS: dict[str, frozenset[Permission]] = {
    "practitioner": frozenset(),
    "lead": _LEAD,
    "admin": _LEAD | {Permission.USERS, Permission.PURGE, Permission.BACKUP},
}


@dataclass(frozen=True)
class User:
    """The person running a command. ``name`` is what the change log
    records; ``authority``/``authority_id`` are set for a practitioner only.
    ``registered`` is False in single-user mode (no users defined), where
    the user may do everything."""

    name: str | None
    role: str
    authority: str | None = None
    authority_id: int | None = None
    registered: bool = True

    @property
    def description(self) -> str:
        if not self.registered:
            return "single-user mode"
        where = f" for {self.authority}" if self.authority else ""
        return f"{self.name!r}, {'an' if self.role == 'admin' else 'a'} {self.role}{where}"


def single_user(name: str | None) -> User:
    return User(name, "admin", registered=False)


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


def allowed(user: User, permission: Permission) -> bool:
    return permission in GRANTS[user.role]


def require(user: User, permission: Permission) -> None:
    if not allowed(user, permission):
        who = " or ".join(
            f"an {r}" if r == "admin" else f"a {r}" for r, g in GRANTS.items() if permission in g
        )
        raise AccessDenied(f"only {who} may {permission.value} (you are {user.description})")


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


def may_write(user: User, authority_code: str) -> bool:
    """Whether ``user`` may add or change a case of this authority."""
    return user.role != "practitioner" or authority_code == user.authority


def require_authority(user: User, authority_code: str) -> None:
    if not may_write(user, authority_code):
        raise AccessDenied(authority_refusal(user))


def authority_refusal(user: User) -> str:
    return f"you may add and change only {user.authority}'s cases (you are {user.description})"
