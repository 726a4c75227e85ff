"""Every error a user can cause, with the exit status the CLI gives it.

The CLI's root group turns these into one-line ``Error: ...`` messages; a
traceback is shown only with ``--traceback``.
"""


class AltarError(Exception):
    """Base class: a problem the user can fix, reported without a traceback."""

    exit_code = 1


class ValidationError(AltarError):
    """Input was wrong; nothing was written.

    ``problems`` holds one line per problem (row, column, value, reason) so a
    whole file's mistakes can be listed at once.
    """

    exit_code = 1

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.problems = problems or []


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
