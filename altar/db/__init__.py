"""The one place that opens the database.

``connect()`` resolves ``--db`` / ``ALTAR_DB`` (a path or any SQLAlchemy
URL), sets SQLite's pragmas on every connection, and refuses to work on a
database whose schema is not at the migrations' head. ``setup.initialise()``
creates or upgrades a database (on this module's ``open_for_upgrade()`` and
``upgrade()``) and seeds reference data.

The backend is chosen by the URL alone: a path is a SQLite file, and
``postgresql+psycopg://...`` a PostgreSQL server. Everything SQLite-specific
(pragmas, BEGIN emitted by us, the 0600 file, the file backup before an
upgrade) happens only behind a SQLite check: ``Database.is_sqlite``,
``sqlite_path()`` or the engine's dialect.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.orm import Session

from altar.errors import DatabaseError, MigrationNeeded, NotFoundError

DEFAULT_DB = "altar.db"
BUSY_TIMEOUT_MS = 30_000
# libpq waits forever for a server that drops packets; a practitioner should
# get an error instead of a hung terminal.
PG_CONNECT_TIMEOUT_S = 10
# Marks the connections of Database.transaction(), whose BEGIN takes the write lock.
WRITE_OPTION = "altar_write"
# The newest migration's revision (tests/test_migrations.py holds it to
# Alembic's head): opening a database already there reads its revision with
# one SELECT, and only any other state imports Alembic (a tenth of a second
# of every command's start-up).
HEAD_REVISION = "0005"
PG_BACKUP_ADVICE = (
    "PostgreSQL databases are not backed up by altar: take a pg_dump before every upgrade"
)


@dataclass(frozen=True)
class Database:
    """An open store: the engine plus what it is called, for messages."""

    url: str
    engine: Engine

    @property
    def display(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commits whole on success, rolls back on any error.

        On SQLite it takes the write lock at BEGIN (``BEGIN IMMEDIATE``): a
        transaction that read first and asked for the lock only at its first
        write could find a colleague's write had got in between, and SQLite
        then fails at once with "database is locked" instead of waiting.
        """
        with self._reporting("nothing was saved"):
            engine = self.engine.execution_options(**{WRITE_OPTION: True})
            with Session(engine, expire_on_commit=False) as session, session.begin():
                yield session

    @contextmanager
    def reader(self) -> Iterator[Session]:
        with self._reporting("reading failed"), Session(self.engine) as session:
            yield session

    def erase_freed_space(self) -> None:
        """After a purge: rebuild a SQLite file (VACUUM) and empty its WAL,
        so no deleted row, nor an older copy of one left by an amendment,
        stays readable in free space or in the -wal file. It rewrites the
        whole file, which is why only purge does it. PostgreSQL keeps dead
        rows until VACUUM FULL whatever we do (see README)."""
        if not self.is_sqlite:
            return
        raw = self.engine.raw_connection()
        try:
            # Outside any transaction: the connection is in autocommit mode
            # (isolation_level None, see _configure_sqlite) and VACUUM needs it.
            driver = sqlite_driver(raw.driver_connection)
            driver.execute("VACUUM")
            driver.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            raw.close()

    @contextmanager
    def _reporting(self, outcome: str) -> Iterator[None]:
        # A shared server can go away, or refuse a row a colleague has just
        # written, in the middle of a command: one line, not a traceback.
        try:
            yield
        except SQLAlchemyError as exc:
            raise DatabaseError(f"{self.display}: {outcome}: {_one_line(exc)}") from exc


def resolve_url(db: str | None) -> str:
    """A path becomes a SQLite URL; anything with ``://`` is taken as a URL.

    A plain ``postgresql://`` URL (as libpq and psql write it) gets psycopg 3,
    the driver ``altar[postgresql]`` installs, not SQLAlchemy's default psycopg2.
    """
    target = db or DEFAULT_DB
    for plain in ("postgresql://", "postgres://"):
        if target.startswith(plain):
            return "postgresql+psycopg://" + target[len(plain) :]
    if "://" in target:
        return target
    return f"sqlite:///{Path(target).expanduser().resolve()}"


def sqlite_path(url: str) -> Path | None:
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseError(f"cannot use database URL {url!r}: {exc}") from None
    if (
        parsed.get_backend_name() != "sqlite"
        or not parsed.database
        or parsed.database == ":memory:"
    ):
        return None
    return Path(parsed.database)


def make_engine(url: str) -> Engine:
    try:
        engine = create_engine(url, connect_args=_connect_args(make_url(url)))
    except ImportError as exc:  # the URL names a driver that is not installed
        raise DatabaseError(
            f"cannot use database URL {_hidden(url)}: {exc}{_driver_hint(url)}"
        ) from exc
    except (ArgumentError, NoSuchModuleError, ValueError) as exc:
        raise DatabaseError(f"cannot use database URL {_hidden(url)}: {exc}") from exc
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    return engine


def _connect_args(url: URL) -> dict[str, object]:
    if url.get_backend_name() == "postgresql" and "connect_timeout" not in url.query:
        return {"connect_timeout": PG_CONNECT_TIMEOUT_S}
    return {}


def _driver_hint(url: str) -> str:
    if make_url(url).get_backend_name() == "postgresql":
        return " (install the PostgreSQL driver: pip install 'altar[postgresql]')"
    return ""


def _hidden(url: str) -> str:
    """The URL for a message, without its password."""
    try:
        return repr(make_url(url).render_as_string(hide_password=True))
    except ArgumentError:
        return repr(url)


def _configure_sqlite(engine: Engine) -> None:
    # pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINT;
    # SQLAlchemy's documented fix is to switch it off and emit BEGIN ourselves.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        # 64 MB of page cache (default 2 MB): a large import touches every
        # item's page of the tally index at once.
        cursor.execute("PRAGMA cache_size = -65536")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # A writer waits (busy_timeout) for the lock here, before reading
        # anything; readers take no lock and never wait in WAL mode.
        write = connection.get_execution_options().get(WRITE_OPTION)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def connect(db: str | None = None) -> Database:
    """Open an existing altar database at the head revision.

    Raises NotFoundError for a SQLite file that does not exist (rather than
    silently creating an empty one), MigrationNeeded when the schema is
    behind or ahead of this altar.
    """
    database = open_existing(db)
    state = revision_state(database)
    if state.current is None:
        raise MigrationNeeded(f"{database.display} is not an altar database yet: run `altar init`")
    _refuse_unknown_revision(database, state)
    if state.current != state.head:
        backup = "a backup is made first" if database.is_sqlite else "take a pg_dump first"
        raise MigrationNeeded(
            f"{database.display} is at schema revision {state.current}, this altar needs {state.head}: "
            f"run `altar db upgrade` ({backup})"
        )
    return database


def open_existing(db: str | None) -> Database:
    """Open without the revision check, refusing a SQLite file that is not there."""
    url = resolve_url(db)
    path = sqlite_path(url)
    if path is not None and not path.exists():
        raise NotFoundError(
            f"no altar database at {path}: run `altar init` to create one, or pass --db"
        )
    return Database(url, make_engine(url))


def _refuse_unknown_revision(database: Database, state: RevisionState) -> None:
    if state.current in (None, state.head):
        return
    from altar.db import migrate

    if not migrate.is_known(state.current):
        raise MigrationNeeded(
            f"{database.display} is at schema revision {state.current}, which this altar does not know "
            "(was it made by a newer altar?): install the newer altar rather than upgrading"
        )


@dataclass(frozen=True)
class RevisionState:
    current: str | None
    head: str


def revision_state(database: Database) -> RevisionState:
    if _stored_revisions(database) == [HEAD_REVISION]:
        return RevisionState(HEAD_REVISION, HEAD_REVISION)
    from altar.db import migrate

    try:
        with database.engine.connect() as conn:
            current = migrate.current_revision(conn)
    except SQLAlchemyError as exc:
        raise DatabaseError(f"cannot open {database.display}: {_one_line(exc)}") from exc
    return RevisionState(current, migrate.head_revision())


def _stored_revisions(database: Database) -> list[str] | None:
    """The revisions in ``alembic_version``, or None when it cannot be read
    (no such table, no server): Alembic then looks, and says what is wrong."""
    try:
        with database.engine.connect() as conn:
            return list(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
    except SQLAlchemyError:
        return None


def _one_line(exc: SQLAlchemyError) -> str:
    # SQLAlchemy appends a "Background on this error" link on a second line.
    return str(getattr(exc, "orig", None) or exc).splitlines()[0]


def open_for_upgrade(db: str | None) -> Database:
    """Open without the revision check, creating a new SQLite file (readable
    by its owner only) if there is none."""
    url = resolve_url(db)
    path = sqlite_path(url)
    if path is not None and not path.parent.is_dir():
        raise NotFoundError(f"folder {path.parent} does not exist")
    if path is not None and not path.exists():
        _create_private_file(path)
    return Database(url, make_engine(url))


def _create_private_file(path: Path) -> None:
    # Special-category data about children: only the owner may read the file.
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)


def upgrade(database: Database) -> tuple[str | None, str, Path | None]:
    """Bring the schema to head; back up a SQLite file that already has data first.

    Returns (revision before, revision after, backup path or None).
    """
    state = revision_state(database)
    _refuse_unknown_revision(database, state)
    backup = None
    if state.current is not None and state.current != state.head:
        backup = backup_sqlite_file(database, reason=f"pre-upgrade-{state.current}")
    elif state.current is None and _has_foreign_tables(database):
        raise DatabaseError(
            f"{database.display} holds tables that are not altar's: refusing to touch it"
        )
    from altar.db import migrate

    try:
        with database.engine.begin() as conn:
            migrate.upgrade_to_head(conn)
    except SQLAlchemyError as exc:
        raise DatabaseError(
            f"upgrade of {database.display} failed and was rolled back: {_one_line(exc)}"
        ) from exc
    return state.current, state.head, backup


def _has_foreign_tables(database: Database) -> bool:
    # Alembic's own bookkeeping table survives a downgrade to base.
    return bool(set(inspect(database.engine).get_table_names()) - {"alembic_version"})


def backup_sqlite_file(database: Database, reason: str) -> Path | None:
    """Copy a SQLite file beside itself with a UTC timestamp, using SQLite's
    online backup so a database in use is copied consistently."""
    path = sqlite_path(database.url)
    if path is None:
        return None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.{reason}.{stamp}.bak")
    for n in range(2, 100):  # two in the same second keep both
        if not target.exists():
            break
        target = path.with_name(f"{path.name}.{reason}.{stamp}-{n}.bak")
    raw = database.engine.raw_connection()
    try:
        copy_sqlite(sqlite_driver(raw.driver_connection), target)
    finally:
        raw.close()
    shutil.copymode(path, target)
    return target


def sqlite_driver(driver_connection: object) -> sqlite3.Connection:
    """A raw connection's driver connection, typed: pysqlite's, for a SQLite engine."""
    if not isinstance(driver_connection, sqlite3.Connection):
        raise TypeError(f"not a SQLite connection: {driver_connection!r}")
    return driver_connection


def copy_sqlite(source: sqlite3.Connection, target: Path) -> None:
    """Copy an open SQLite database into ``target``, a new file readable by
    its owner only, with the online backup API (consistent even while others
    write), and flush it to disk before returning."""
    _create_private_file(target)
    dest = sqlite3.connect(target)
    try:
        source.backup(dest)
        # The copy takes the source's WAL mode; a backup should be one
        # self-contained file that opens without -wal and -shm companions.
        dest.execute("PRAGMA journal_mode = DELETE")
    finally:
        dest.close()
    with open(target, "rb+") as written:
        os.fsync(written.fileno())
