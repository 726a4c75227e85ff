"""Who may see and change what: the acting user, their role and its
permissions. Pure rules: the queries that apply them to the store (the case
scope every query takes, the acting user looked up) are ``altar.db.scope``.

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

- ``require_authority(user, code)``: before writing a case of an authority.
- ``require(user, Permission.X)``: before anything role-bound (AccessDenied).
- ``altar.db.scope.case_filter(user)``: a WHERE clause over ``Case`` for the
  cases the user may see (never soft-deleted ones); add it to any query that
  reads cases or anything hanging off them.
- ``altar.db.scope.require_case(session, user, case_ref)``: the ``Case`` or
  NotFoundError.

These are guards against mistakes among colleagues, not security against
someone holding the database file or a server password: see README "Data
protection".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from altar.errors import AccessDenied

_USER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,59}$")


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


def allowed(user: User, permission: Permission) -> bool:
    return permission in GRANTS[user.role]


def require(user: User, permission: Permission) -> None:
    if not allowed(user, permission):
        who = " or ".join(
            f"an {r}" if r == "admin" else f"a {r}" for r, g in GRANTS.items() if permission in g
        )
        raise AccessDenied(f"only {who} may {permission.value} (you are {user.description})")


def may_write(user: User, authority_code: str) -> bool:
    """Whether ``user`` may add or change a case of this authority."""
    return user.role != "practitioner" or authority_code == user.authority


def require_authority(user: User, authority_code: str) -> None:
    if not may_write(user, authority_code):
        raise AccessDenied(authority_refusal(user))


def authority_refusal(user: User) -> str:
    return f"you may add and change only {user.authority}'s cases (you are {user.description})"


def parse_user(text: str) -> str | None:
    """A user name as typed (None when blank), or ValueError saying what one may be.

    >>> parse_user(" pat "), parse_user("")
    ('pat', None)
    """
    name = text.strip()
    if not name:
        return None
    if not _USER.match(name):
        raise ValueError(
            "a practitioner is named by a short user name: up to 60 letters, digits and . _ @ -"
        )
    return name
