"""``altar user``: the people who may use this database, and their roles.

Bootstrap: while there are no users, altar runs in single-user mode and
anyone who can open the database may add the first user, who must be an
admin (otherwise no one could manage users afterwards). From then on only
an admin may add, disable, enable or change users, and the last enabled
admin cannot be disabled or demoted. Every change is in the change log
(entity ``user``, no case reference).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from altar.access import Permission, User, parse_user, require
from altar.db.audit import log, utc_text
from altar.db.authorities import resolve_authority
from altar.db.models import Authority, UserAccount, utcnow
from altar.db.scope import resolve_user, users_exist
from altar.errors import AccessDenied, FieldProblem, NotFoundError, ValidationError
from altar.passwords import hash_password, needs_rehash, password_problems, verify_password
from altar.vocab import ROLES


@dataclass(frozen=True)
class UserRow:
    name: str
    role: str
    authority: str | None
    created_at: str
    created_by: str | None
    disabled_at: str | None


def list_users(session: Session, acting: User) -> list[UserRow]:
    """Every user (admin only, once users exist)."""
    _require_admin(session, acting)
    query = (
        select(UserAccount, Authority.code)
        .outerjoin(Authority, Authority.id == UserAccount.authority_id)
        .order_by(UserAccount.name)
    )
    return [
        UserRow(u.name, u.role, code, utc_text(u.created_at), u.created_by, utc_text(u.disabled_at))
        for u, code in session.execute(query)
    ]


def add_user(
    session: Session,
    acting: User,
    name: str,
    role: str,
    authority: str | None,
    *,
    command: str,
    password: str | None = None,
) -> UserRow:
    """Add a user; ``password`` (checked by ``password_problems``) lets them
    sign in to the web, None makes a command-line-only user."""
    first = not users_exist(session)
    if first and role != "admin":
        raise ValidationError(
            f"the first user must be an admin, who can then add the others: "
            f"altar user add {name} --role admin"
        )
    if not first:
        require(acting, Permission.USERS)
    name = _valid_name(name)
    if session.scalar(select(UserAccount.id).where(UserAccount.name == name)) is not None:
        raise ValidationError(f"user {name!r} already exists (see `altar user list`)")
    authority_id, code = _authority_for(session, role, authority)
    account = UserAccount(
        name=name,
        role=role,
        authority_id=authority_id,
        created_by=acting.name,
        password_hash=_new_hash(name, password) if password is not None else None,
    )
    session.add(account)
    session.flush()
    log(
        session,
        actor=acting.name,
        command=command,
        action="insert",
        entity="user",
        case_ref=None,
        field=name,
        new=_role_text(role, code),
    )
    return UserRow(name, role, code, utc_text(account.created_at), acting.name, None)


def set_disabled(
    session: Session, acting: User, name: str, disabled: bool, *, command: str
) -> None:
    """Disable a user (they can no longer run altar here), or enable them again."""
    _require_admin(session, acting)
    account = _account(session, name)
    if disabled and account.role == "admin":
        _keep_an_admin(session, account)
    before = utc_text(account.disabled_at)
    account.disabled_at = utcnow() if disabled else None
    log(
        session,
        actor=acting.name,
        command=command,
        action="update",
        entity="user",
        case_ref=None,
        field=f"{name}.disabled_at",
        old=before,
        new=utc_text(account.disabled_at),
    )


def set_password(
    session: Session, acting: User, name: str, password: str | None, *, command: str
) -> None:
    """Set (None: remove) a user's web password: their own, or anyone's for
    an admin. The change log says that it changed, never the hash."""
    if acting.name != name:
        _require_admin(session, acting)
    account = _account(session, name)
    before = "set" if account.password_hash else None
    account.password_hash = _new_hash(name, password) if password is not None else None
    log(
        session,
        actor=acting.name,
        command=command,
        action="update",
        entity="user",
        case_ref=None,
        field=f"{name}.password",
        old=before,
        new="changed" if password is not None else None,
    )


def change_own_password(
    session: Session, acting: User, current: str, new: str, confirm: str, *, command: str
) -> None:
    """A signed-in user's new web password, as a form gives it: the current
    one (AccessDenied if wrong), the new one and the new one again. Every
    problem with the new one is located at its field (``new_password`` or
    ``confirm_password``) in the ValidationError."""
    name = acting.name
    if name is None:  # no account has no name, so sign_in would refuse it alike
        raise AccessDenied("the user name or password is not right")
    sign_in(session, name, current)
    problems = [FieldProblem("new_password", p) for p in password_problems(name, new)]
    if new == current and not problems:
        problems.append(
            FieldProblem("new_password", "the new password is the same as the current one")
        )
    if not problems and new != confirm:
        problems.append(
            FieldProblem(
                "confirm_password", "the two new passwords differ: type the same one twice"
            )
        )
    if problems:
        raise ValidationError(f"password for {name!r} not changed", located=problems)
    set_password(session, acting, name, new, command=command)


def sign_in(session: Session, name: str, password: str) -> User:
    """The user whose name and web password these are, or AccessDenied with
    one message whatever was wrong (unknown name, wrong password, no web
    password, disabled), so a failed sign-in does not say which names exist."""
    account = session.scalars(select(UserAccount).where(UserAccount.name == name)).one_or_none()
    stored = account.password_hash if account is not None and account.disabled_at is None else None
    # verify_password first, always: it takes as long with no stored hash.
    if not verify_password(stored, password) or account is None or stored is None:
        raise AccessDenied("the user name or password is not right")
    if needs_rehash(stored):
        account.password_hash = hash_password(password)
    return resolve_user(session, name)


def password_stamp(session: Session, name: str) -> str | None:
    """A value that changes whenever ``name``'s password is set or removed
    (a digest of the salted hash, so the cookie holds nothing of the hash):
    a web session remembers it, so a new password signs out old sessions."""
    stored = session.scalar(select(UserAccount.password_hash).where(UserAccount.name == name))
    return hashlib.sha256(stored.encode()).hexdigest()[:16] if stored else None


def _new_hash(name: str, password: str) -> str:
    problems = password_problems(name, password)
    if problems:
        raise ValidationError(f"password for {name!r} not set", problems)
    return hash_password(password)


def set_role(
    session: Session, acting: User, name: str, role: str, authority: str | None, *, command: str
) -> None:
    _require_admin(session, acting)
    account = _account(session, name)
    if account.role == "admin" and role != "admin":
        _keep_an_admin(session, account)
    before = _role_text(account.role, account.authority.code if account.authority else None)
    account.authority_id, code = _authority_for(session, role, authority)
    account.role = role
    log(
        session,
        actor=acting.name,
        command=command,
        action="update",
        entity="user",
        case_ref=None,
        field=f"{name}.role",
        old=before,
        new=_role_text(role, code),
    )


def _require_admin(session: Session, acting: User) -> None:
    if users_exist(session):
        require(acting, Permission.USERS)


def _valid_name(name: str) -> str:
    try:
        valid = parse_user(name)
    except ValueError as exc:
        raise ValidationError(f"user name {name!r}: {exc}") from None
    if valid is None:
        raise ValidationError("a user needs a name")
    return valid


def _authority_for(
    session: Session, role: str, authority: str | None
) -> tuple[int | None, str | None]:
    """(authority id, code): a practitioner must have one, the others none."""
    if role not in ROLES:
        raise ValidationError(f"role {role!r}: choose one of {', '.join(ROLES)}")
    if role != "practitioner":
        if authority:
            raise ValidationError(f"a {role} works across every authority: leave out --authority")
        return None, None
    if not authority:
        raise ValidationError("a practitioner works for one authority: give --authority CODE")
    code = resolve_authority(session, authority)
    return session.scalar(select(Authority.id).where(Authority.code == code)), code


def _account(session: Session, name: str) -> UserAccount:
    account = session.scalars(select(UserAccount).where(UserAccount.name == name)).one_or_none()
    if account is None:
        raise NotFoundError(f"no user {name!r} (see `altar user list`)")
    return account


def _keep_an_admin(session: Session, account: UserAccount) -> None:
    others = session.scalar(
        select(func.count()).where(
            UserAccount.role == "admin",
            UserAccount.disabled_at.is_(None),
            UserAccount.id != account.id,
        )
    )
    if not others:
        raise ValidationError(
            f"{account.name!r} is the last enabled admin: make someone else an admin first"
        )


def _role_text(role: str, authority: str | None) -> str:
    return f"{role} ({authority})" if authority else role
