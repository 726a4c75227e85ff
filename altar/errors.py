"""Every error a user can cause, with the exit status the CLI gives it.

The CLI's root group turns these into one-line ``Error: ...`` messages; a
traceback is shown only with ``--traceback``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class FieldProblem:
    """One thing wrong with what a user typed: ``field`` names the form
    field, file column or option it is about (a web page writes the message
    beside that field), or is None for the input as a whole.

    >>> str(FieldProblem("age", "must be a whole number")), str(FieldProblem(None, "empty"))
    ('age: must be a whole number', 'empty')
    """

    field: str | None
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class AltarError(Exception):
    """Base class: a problem the user can fix, reported without a traceback."""

    exit_code = 1


class ValidationError(AltarError):
    """Input was wrong; nothing was written.

    ``problems`` holds one line per problem (row, column, value, reason) so a
    whole file's mistakes can be listed at once; the CLI prints them.
    ``located`` holds the problems that are about one field, so a form can
    write each beside its field; ``problems`` defaults to them as lines.
    """

    exit_code = 1

    def __init__(
        self,
        message: str,
        problems: Sequence[str | FieldProblem] | None = None,
        *,
        located: Sequence[FieldProblem] = (),
    ):
        super().__init__(message)
        self.located = list(located)
        self.problems = [str(p) for p in (located if problems is None else problems)]


class NotFoundError(AltarError):
    """A case, authority or file that was named does not exist."""

    exit_code = 3


class ConflictError(AltarError):
    """Someone else changed the record while it was being edited."""

    exit_code = 7


class DatabaseError(AltarError):
    """The database cannot be opened or used (bad URL, unreadable file...)."""

    exit_code = 4


class MigrationNeeded(DatabaseError):
    """The database was made by an older or newer altar and needs ``altar db upgrade``."""

    exit_code = 5


class CodebookError(AltarError):
    """A codebook (screening instrument definition) is malformed."""

    exit_code = 6


class RenderError(AltarError):
    """A report could not be rendered (e.g. PDF asked for without WeasyPrint)."""

    exit_code = 8


class AccessDenied(AltarError):
    """The acting user is unknown, disabled, or their role does not allow
    this. A case outside a user's scope is NotFoundError instead, so that
    whether it exists does not leak."""

    exit_code = 9
