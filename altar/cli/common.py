"""What every command shares: the global settings and how to open the store."""

from __future__ import annotations

import getpass
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:  # the store is imported when a command opens it, not by --help
    from altar.access import Permission, User
    from altar.db import Database


@dataclass(frozen=True)
class Settings:
    db: str | None
    user: str | None
    traceback: bool
    # The acting user, once database() has looked them up.
    _resolved: dict[str, User] = field(default_factory=dict, compare=False, repr=False)

    @property
    def actor(self) -> str | None:
        """Who is working: recorded with every change they make."""
        from altar.access import parse_user

        if self.user:
            return self.user
        try:
            # Held to the --user rules: a login name the database would refuse
            # (PostgreSQL enforces the column's length) is left unrecorded.
            return parse_user(getpass.getuser())
        except Exception:  # no login name on some containers, or an unusable one
            return None

    def database(self, needs: Permission | None = None) -> Database:
        """Open the store and look up who is working (``acting_user``):
        once users exist, an unknown or disabled user gets no further.
        ``needs``: the permission the command requires, checked here."""
        from altar.access import require
        from altar.db import connect
        from altar.db.scope import resolve_user

        database = closed_after_command(connect(self.db))
        with database.reader() as session:
            user = resolve_user(session, self.actor)
        if needs is not None:
            require(user, needs)
        self._resolved["user"] = user
        return database

    @property
    def acting_user(self) -> User:
        """Who is working, with their role and scope (after ``database()``)."""
        return self._resolved["user"]


pass_settings = click.make_pass_decorator(Settings)


class UserName(click.ParamType):
    """--user: the same rule as a file's screened_by column, so every
    database (SQLite does not enforce column lengths; PostgreSQL does) takes it."""

    name = "name"

    def convert(
        self, value: str, param: click.Parameter | None, ctx: click.Context | None
    ) -> str | None:
        from altar.access import parse_user

        try:
            return parse_user(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


def closed_after_command(database: Database) -> Database:
    """Close the database's connections when the command ends, not whenever
    the garbage collector gets to them: a server counts open connections,
    and cannot drop or copy a database while one is open."""
    click.get_current_context().call_on_close(database.engine.dispose)
    return database


def write_as_user(settings: Settings, change: Callable[..., Any], *args: object, done: str) -> Any:
    """Run one library write, ``change(session, user, *args, command=...)``,
    as the acting user in one transaction; then say ``done`` on stderr."""
    with settings.database().transaction() as session:
        result = change(session, settings.acting_user, *args, command=command_name())
    click.echo(done, err=True)
    return result


def command_name() -> str:
    """The command being run, as recorded in the change log (e.g. 'altar import')."""
    return click.get_current_context().command_path


def keep_typed_text(stem: str, text: str, suffix: str = ".txt") -> Path:
    """Save typed work that could not be stored, readable by its owner only,
    in the temporary folder as STEM-YYYYmmdd-HHMMSS.SUFFIX."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    path = Path(tempfile.gettempdir()) / f"{stem.replace('/', '_')}-{stamp}{suffix}"
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def baseline_dir_option(help: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--baseline-dir`` (repeatable, ``ALTAR_BASELINES``): extra general-population
    baseline folders, the same option wherever baselines are read."""
    return click.option(
        "--baseline-dir",
        "baseline_dirs",
        multiple=True,
        envvar="ALTAR_BASELINES",
        show_envvar=True,
        type=click.Path(exists=True, file_okay=False, path_type=Path),
        help=help,
    )


def include_in_progress_option(where: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--include-in-progress``: count screenings still in progress too;
    ``where`` names what says so (the document, the method section)."""
    return click.option(
        "--include-in-progress",
        is_flag=True,
        help=f"Count screenings still in progress too ({where} says so); by default only "
        "complete screenings count.",
    )
