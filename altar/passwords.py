"""Web sign-in passwords: argon2id hashes (argon2-cffi) and the rules a new
password must meet.

Only ``altar user add``/``altar user passwd`` set a password, from a hidden
prompt, never from the command line (it would stay in the shell history
and the process list). The rules follow the NCSC's advice: length rather
than character classes, and nothing guessable from the user's own name.
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
MAX_LENGTH = 200  # argon2 takes any length; a cap stops a megabyte "password" costing a hash

_HASHER = PasswordHasher()  # argon2id with the library's current recommended costs


def password_problems(name: str, password: str) -> list[str]:
    """Why ``password`` will not do for user ``name`` (empty: it will)."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(
            f"a password needs at least {MIN_LENGTH} characters (three random words are easy to "
            "remember and hard to guess)"
        )
    if len(password) > MAX_LENGTH:
        problems.append(f"a password may have at most {MAX_LENGTH} characters")
    if name.casefold() in password.casefold():
        problems.append("a password must not contain the user's name")
    if password != password.strip():
        problems.append("a password must not start or end with a space")
    return problems


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """Whether ``password`` matches the stored hash. With no stored hash a
    dummy one is checked anyway, so an unknown user takes as long to refuse
    as a wrong password (the timing does not tell which names exist)."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        return _HASHER.verify(stored or _dummy_hash(), password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """After a sign-in: whether the hash was made with older, weaker costs."""
    return _HASHER.check_needs_rehash(stored)


@cache
def _dummy_hash() -> str:
    return _HASHER.hash("not anyone's password")
