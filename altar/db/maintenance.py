"""``altar backup`` and ``altar restore`` for a SQLite file.

A backup is SQLite's online backup API (the same copy ``altar db upgrade``
makes first), so it is consistent while colleagues are writing. A restore
first copies the backup into a private file beside the database and checks
that copy (a SQLite file, ``PRAGMA integrity_check``, a schema revision this
altar knows, and at the current revision every ``altar check``), then backs
the current database up beside itself and renames the checked copy over it:
at every moment the database is either the old one or the whole new one.

PostgreSQL has its own tools (pg_dump, pg_restore), which altar does not
wrap: the refusal names the exact command for the database in use.
"""

from __future__ import annotations

import os
import shlex
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from altar.db import (
    Database,
    backup_sqlite_file,
    copy_sqlite,
    make_engine,
    migrate,
    open_existing,
    resolve_url,
    revision_state,
    sqlite_driver,
    sqlite_path,
)
from altar.db.checks import CheckProblem, run_checks, sqlite_foreign_keys, sqlite_integrity
from altar.errors import DatabaseError, NotFoundError, ValidationError

SQLITE_HEADER = b"SQLite format 3\x00"


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int


def backup(db: str | None, target: Path, *, force: bool = False) -> BackupResult:
    """Copy the database to ``target`` (mode 0600); refuse to replace an
    existing file unless ``force``. Works on a database at any revision."""
    database = open_existing(db)
    try:
        source = _require_sqlite(database, "back up", pg_dump_command(database.url, target))
        target = target.expanduser().absolute()
        if target.resolve() == source.resolve():
            raise ValidationError(f"{target} is the database itself: give the backup another name")
        if target.exists() and not force:
            raise ValidationError(
                f"{target} already exists: choose another name, or pass --force to replace it"
            )
        if not target.parent.is_dir():
            raise NotFoundError(f"folder {target.parent} does not exist")
        with _scratch(target) as scratch:
            raw = database.engine.raw_connection()
            try:
                copy_sqlite(sqlite_driver(raw.driver_connection), scratch)
            finally:
                raw.close()
            _install(scratch, target, replace=force)
        return BackupResult(target, target.stat().st_size)
    finally:
        database.engine.dispose()


@dataclass(frozen=True)
class CopyInfo:
    """What a checked backup holds, for the confirmation and the report."""

    source: Path
    target: Path
    revision: str
    head: str
    cases: int | None

    @property
    def needs_upgrade(self) -> bool:
        return self.revision != self.head


@dataclass(frozen=True)
class RestoreResult:
    copy: CopyInfo
    previous: Path | None  # the database as it was, backed up beside itself


def restore(
    db: str | None, source: Path, *, confirm: Callable[[CopyInfo], bool]
) -> RestoreResult | None:
    """Replace the database with the backup ``source`` once it passes every
    check and ``confirm(info)`` agrees; None if it did not. The database as
    it was is kept beside itself (``<name>.pre-restore.<UTC time>.bak``)."""
    url = resolve_url(db)
    target = sqlite_path(url)
    if target is None:
        raise DatabaseError(
            f"altar restores SQLite files only; for PostgreSQL use pg_restore: "
            f"{pg_restore_command(url, source)}"
        )
    if not target.parent.is_dir():
        raise NotFoundError(f"folder {target.parent} does not exist")
    _require_sqlite_file(source)
    with _scratch(target) as scratch:
        _copy_file(source, scratch)
        info = inspect_copy(scratch, source, target)
        if not confirm(info):
            return None
        previous = _set_aside(db, target) if target.exists() else None
        _install(scratch, target, replace=True)
    return RestoreResult(info, previous)


def inspect_copy(copy: Path, source: Path, target: Path) -> CopyInfo:
    """Check a copy of a backup; ValidationError listing every problem."""
    database = Database(f"sqlite:///{copy}", make_engine(f"sqlite:///{copy}"))
    try:
        current, head = _revision(database, source)
        findings, cases = _copy_findings(database, at_head=current == head)
    finally:
        database.engine.dispose()
    if findings:
        raise ValidationError(
            f"{source} failed its checks ({len(findings)} problem(s)); nothing was restored",
            [f"{f.check}: {f.where}: {f.problem}" for f in findings],
        )
    return CopyInfo(source, target, current, head, cases)


def _revision(database: Database, source: Path) -> tuple[str, str]:
    """The copy's schema revision and this altar's head, once the copy is known to have one."""
    try:
        state = revision_state(database)
    except DatabaseError as exc:
        raise ValidationError(
            f"{source} cannot be read as a database ({exc}); nothing was restored"
        ) from None
    if state.current is None:
        raise ValidationError(
            f"{source} is not an altar database (it has no schema revision); nothing was restored"
        )
    if not migrate.is_known(state.current):
        raise ValidationError(
            f"{source} is at schema revision {state.current}, which this altar does not know (was it made by a "
            "newer altar?): install that altar to restore it; nothing was restored"
        )
    return state.current, state.head


def _copy_findings(database: Database, *, at_head: bool) -> tuple[list[CheckProblem], int | None]:
    """Every check at the current revision; an older copy's tables differ, so
    SQLite's own checks only (``altar check`` after ``altar db upgrade``)."""
    with database.reader() as session:
        if at_head:
            report = run_checks(session)
            return list(report.findings), report.counts["cases"]
        return [*sqlite_integrity(session), *sqlite_foreign_keys(session)], None


def _set_aside(db: str | None, target: Path) -> Path | None:
    """Back the current database up beside itself, then fold its write-ahead
    log in and remove it, so no stale -wal can be replayed onto the new file."""
    database = open_existing(db)
    try:
        previous = backup_sqlite_file(database, reason="pre-restore")
        with database.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    except (SQLAlchemyError, sqlite3.Error) as exc:
        raise DatabaseError(
            f"cannot back up the current database {target} first ({exc}); nothing was restored. "
            "If it is damaged, move it aside yourself and restore again"
        ) from None
    finally:
        database.engine.dispose()
    for suffix in ("-wal", "-shm"):
        with suppress(FileNotFoundError):
            os.unlink(f"{target}{suffix}")
    return previous


def _copy_file(source: Path, scratch: Path) -> None:
    """Copy the backup with SQLite (read-only), so a backup that is itself
    in use, or has a -wal beside it, is copied as it stands."""
    try:
        conn = sqlite3.connect(f"{source.absolute().as_uri()}?mode=ro", uri=True)
        try:
            copy_sqlite(conn, scratch)
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise ValidationError(
            f"{source} cannot be read as a SQLite database ({exc}); nothing was restored"
        ) from None


@contextmanager
def _scratch(beside: Path) -> Iterator[Path]:
    """A name for a new file in ``beside``'s folder (so renaming it over
    ``beside`` is atomic), removed afterwards unless it was installed."""
    scratch = beside.with_name(f".{beside.name}.{os.getpid()}.partial")
    try:
        yield scratch
    finally:
        for leftover in (scratch, Path(f"{scratch}-wal"), Path(f"{scratch}-shm")):
            with suppress(FileNotFoundError):
                leftover.unlink()


def _install(scratch: Path, target: Path, *, replace: bool) -> None:
    """Put a complete, flushed file at ``target`` in one step: a rename, or
    (not replacing) a hard link, which fails rather than overwrite a file
    that appeared meanwhile."""
    try:
        if replace:
            os.replace(scratch, target)
        else:
            os.link(scratch, target)
    except FileExistsError:
        raise ValidationError(
            f"{target} already exists: choose another name, or pass --force"
        ) from None
    directory = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(directory)  # the rename itself survives a power cut
    finally:
        os.close(directory)


def _require_sqlite(database: Database, action: str, advice: str) -> Path:
    path = sqlite_path(database.url)
    if path is None:
        raise DatabaseError(
            f"altar does not {action} PostgreSQL databases; use PostgreSQL's tools: {advice}"
        )
    return path


def _require_sqlite_file(source: Path) -> None:
    if not source.is_file():
        raise NotFoundError(f"no backup file {source}")
    with source.open("rb") as f:
        if f.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise ValidationError(f"{source} is not a SQLite database; nothing was restored")


def _pg_options(url: str) -> list[str]:
    """libpq options naming the server and database, never the password."""
    parsed = make_url(url)
    pairs = [
        ("host", parsed.host),
        ("port", parsed.port),
        ("username", parsed.username),
        ("dbname", parsed.database),
    ]
    return [f"--{name}={value}" for name, value in pairs if value]


def pg_dump_command(url: str, target: Path) -> str:
    return shlex.join(["pg_dump", "--format=custom", *_pg_options(url), f"--file={target}"])


def pg_restore_command(url: str, source: Path) -> str:
    return shlex.join(
        ["pg_restore", "--clean", "--if-exists", "--no-owner", *_pg_options(url), str(source)]
    )
