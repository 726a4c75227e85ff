"""Shared fixtures for the altar test suite.

Every test that touches a database gets its own, at head with reference
data: a copy of one made once per session by the real ``altar init``. A test
that asks for ``db`` (or ``altar``, ``query``, ``stored_answers``,
``fresh_db``) runs twice, on a SQLite file and on a throwaway PostgreSQL
server (``test_x[sqlite]``, ``test_x[postgresql]``); one that asks for
``db_path`` is about SQLite files and runs on SQLite only. Expectations are
computed here from the issue's specification (item codes, groups, answer
spellings), never copied from altar's own output; stored values are read
back without altar, with the stdlib ``sqlite3`` module or psycopg.

Whatever costs seconds and does not change is made once per run and shared:
the templates (one with the web users), the `altar demo` folder, altar's
migration scripts as Alembic reads them, the web pages' compiled templates.
Passwords are hashed at argon2's cheapest costs in this process. `make test`
prints the 25 slowest tests; the suite's budget is 8 minutes on 2 cores.
"""

from __future__ import annotations

import csv
import glob
import html
import io
import os
import pwd
import re
import shlex
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from itertools import count
from pathlib import Path

import psycopg
import pytest
from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from argon2 import PasswordHasher
from click.testing import CliRunner, Result
from jinja2.bccache import Bucket, BytecodeCache
from sqlalchemy.engine import make_url

from altar.cli import cli
from altar.resources import migrations_dir

# The instrument as the issue specifies it: group -> [(item code, type)], in
# codebook order.
SPEC_GROUPS: dict[str, list[tuple[str, str]]] = {
    "ace": [
        ("ace_emotional_abuse", "binary"),
        ("ace_physical_abuse", "binary"),
        ("ace_sexual_abuse", "binary"),
        ("ace_emotional_neglect", "binary"),
        ("ace_physical_neglect", "binary"),
        ("ace_domestic_violence", "binary"),
        ("ace_household_substance_misuse", "binary"),
        ("ace_household_mental_illness", "binary"),
        ("ace_parental_separation", "binary"),
        ("ace_household_incarceration", "binary"),
    ],
    "abuse_exploitation": [
        ("criminal_exploitation", "binary"),
        ("sexual_exploitation", "binary"),
        ("community_violence_witnessed", "binary"),
        ("bullying", "binary"),
        ("victim_serious_violence", "binary"),
    ],
    "loss": [
        ("parent_death", "binary"),
        ("other_bereavement", "binary"),
        ("parent_contact_lost", "binary"),
        ("pregnancy_loss", "binary"),
        ("is_parent", "binary"),
    ],
    "migration": [("conflict_migration", "binary"), ("unaccompanied_asylum", "binary")],
    "education": [
        ("excluded_primary", "binary"),
        ("excluded_permanent", "binary"),
        ("not_in_education", "binary"),
        ("send", "binary"),
        ("speech_language_needs", "binary"),
        ("exclusions_fixed_term_count", "count"),
        ("secondary_schools_count", "count"),
    ],
    "health": [
        ("unmet_health_needs", "binary"),
        ("mental_health_needs", "binary"),
        ("substance_misuse", "binary"),
        ("self_harm", "binary"),
        ("parent_physical_illness", "binary"),
        ("neurodivergence", "binary"),
        ("traumatic_brain_injury", "binary"),
    ],
    "social_care": [
        ("poverty", "binary"),
        ("known_to_childrens_services", "binary"),
        ("child_protection_plan", "binary"),
        ("looked_after", "binary"),
        ("unstable_housing", "binary"),
    ],
    "attachment_resilience": [
        ("attachment_difficulties", "binary"),
        ("trusted_adult", "binary"),
        ("positive_activity", "binary"),
    ],
}
SPEC_ITEMS: list[str] = [code for items in SPEC_GROUPS.values() for code, _ in items]
SPEC_TYPES: dict[str, str] = {code: kind for items in SPEC_GROUPS.values() for code, kind in items}
SPEC_ITEM_GROUP: dict[str, str] = {code: g for g, items in SPEC_GROUPS.items() for code, _ in items}
COUNT_ITEMS = [code for code in SPEC_ITEMS if SPEC_TYPES[code] == "count"]
BINARY_ITEMS = [code for code in SPEC_ITEMS if SPEC_TYPES[code] == "binary"]

CASE_COLUMNS = [
    "case_ref",
    "authority",
    "stratum",
    "cohort",
    "sex",
    "ethnicity",
    "age",
    "screened_on",
]
AUTHORITY_CODES = [
    "birmingham",
    "coventry",
    "dudley",
    "sandwell",
    "solihull",
    "walsall",
    "wolverhampton",
    "warwickshire",
    "west_mercia",
]
STRATA = ["custody", "community", "out_of_court"]
COHORTS = ["main", "gang_lens"]


class Spec:
    """The issue's specification, handed to tests as a fixture (test modules
    cannot import conftest under --import-mode=importlib)."""

    groups = SPEC_GROUPS
    items = SPEC_ITEMS
    types = SPEC_TYPES
    item_group = SPEC_ITEM_GROUP
    count_items = COUNT_ITEMS
    binary_items = BINARY_ITEMS
    case_columns = CASE_COLUMNS
    authorities = AUTHORITY_CODES
    strata = STRATA
    cohorts = COHORTS


@pytest.fixture(scope="session")
def spec() -> type[Spec]:
    return Spec


def pytest_configure(config: pytest.Config) -> None:
    # Tests' temporary folders (SQLite files among them) in memory: every
    # commit and close of a SQLite file on a disk waits for fsync, which took
    # a fifth of a SQLite test's time. pytest's usual retention still applies.
    # --basetemp, or PYTEST_DEBUG_TEMPROOT set beforehand, takes precedence.
    memory = _memory_folder()
    if memory and not os.environ.get("PYTEST_DEBUG_TEMPROOT"):
        os.environ["PYTEST_DEBUG_TEMPROOT"] = memory


# --- password hashing ----------------------------------------------------------

# argon2id at the library's recommended costs takes about 0.1-0.2 s a hash
# or check here, and about 400 tests add four web users and sign in: that was
# minutes of the suite. In this process the hasher costs the least argon2-cffi
# allows (its documented advice for tests); hash and salt lengths stay the
# library's own. Production costs are checked where altar runs as its own
# process (test_web_auth.py), which this patch does not reach.
CHEAP_ARGON2 = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashes() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("altar.passwords._HASHER", CHEAP_ARGON2)
        yield


# --- Alembic's view of altar's migrations, read once -------------------------------

# Every altar command checks the database's revision against the migration
# scripts, and Alembic reads and compiles every script each time: a third of
# a short command's time here, thousands of times a run. A real altar reads
# them once per process anyway; in this process they are read once too, the
# scripts being the same all run long.
_SCRIPT_DIRECTORIES: dict[str, ScriptDirectory] = {}


@pytest.fixture(scope="session", autouse=True)
def _migrations_read_once() -> Iterator[None]:
    read = ScriptDirectory.from_config  # bound to the class

    def from_config(config: AlembicConfig) -> ScriptDirectory:
        location = config.get_main_option("script_location")
        if location != str(migrations_dir()):
            return read(config)
        if location not in _SCRIPT_DIRECTORIES:
            _SCRIPT_DIRECTORIES[location] = read(config)
        return _SCRIPT_DIRECTORIES[location]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ScriptDirectory, "from_config", from_config)
        yield


# --- running the CLI -------------------------------------------------------

# Variables from the developer's shell must not leak into a test.
_CLEAN_ENV = {"ALTAR_DB": None, "ALTAR_USER": None, "VISUAL": None, "EDITOR": None}


def _invoke(
    args: Sequence[object], *, env: dict[str, str | None] | None = None, input: str | None = None
) -> Result:
    return CliRunner().invoke(
        cli,
        [str(a) for a in args],
        env={**_CLEAN_ENV, **(env or {})},
        input=input,
        prog_name="altar",
    )


def _init(target: Path | str) -> Path | str:
    result = _invoke(["--db", target, "init"])
    assert result.exit_code == 0, result.output
    return target


@pytest.fixture
def run() -> Callable[..., Result]:
    """run(args, env=None, input=None): invoke the real CLI through CliRunner."""
    return _invoke


@pytest.fixture
def init_db() -> Callable[[Path | str], Path | str]:
    """init_db(path or URL): run `altar init` on it and return it."""
    return _init


# --- the database under test: a SQLite file or a PostgreSQL database ----------------

Db = Path | str  # a SQLite file, or a PostgreSQL URL
BACKENDS = ("sqlite", "postgresql")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # `backend` is a parameter, not a fixture: every test that reaches a
    # database through `db` runs on both backends, except one that asks for
    # `db_path`, which is about SQLite files, and one marked postgresql_only
    # (concurrent sessions on a server).
    if "backend" in metafunc.fixturenames:
        backends = list(BACKENDS)
        if "db_path" in metafunc.fixturenames:
            backends = ["sqlite"]
        elif metafunc.definition.get_closest_marker("postgresql_only"):
            backends = ["postgresql"]
        metafunc.parametrize("backend", backends, scope="module")


class _Databases:
    """Test databases on one backend, each a copy of a template that the
    real `altar init` made once per session: a file copy for SQLite, CREATE
    DATABASE ... TEMPLATE for PostgreSQL (whose server starts only when a
    PostgreSQL test first needs it). A test that asks for ``web_users`` gets
    a copy of a second template, which also holds those users."""

    def __init__(self, backend: str, request: pytest.FixtureRequest):
        self.request = request
        self.server: PostgresCluster | None = (
            request.getfixturevalue("postgres") if backend == "postgresql" else None
        )
        self.made: list[Db] = []

    def copy_into(self, folder: Path, *, with_web_users: bool = False) -> Db:
        """A copy named altar.db, altar-2.db, ... in folder (SQLite)."""
        name = f"altar-{len(self.made) + 1}.db" if self.made else "altar.db"
        return self.copy(folder / name, with_web_users=with_web_users)

    def copy(self, path: Path, *, with_web_users: bool = False) -> Db:
        if self.server:
            template = (
                self.request.getfixturevalue("postgres_web_template")
                if with_web_users
                else PG_TEMPLATE
            )
            return self._keep(self.server.create_database(template=template))
        template = self.request.getfixturevalue(
            "sqlite_web_template" if with_web_users else "sqlite_template"
        )
        return self._keep(Path(shutil.copy2(template, path)))

    def empty(self, path: Path) -> Db:
        if self.server:
            return self._keep(self.server.create_database())
        path.touch()
        return self._keep(path)

    def drop_all(self) -> None:
        if self.server:
            self.server.retire(self.made)  # type: ignore[arg-type]  # all URLs

    def _keep(self, target: Db) -> Db:
        self.made.append(target)
        return target


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    return Path(_init(tmp_path_factory.mktemp("template") / "altar.db"))


@pytest.fixture(scope="session")
def sqlite_web_template(sqlite_template, tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("web-template") / "altar.db"
    return Path(_add_web_users(Path(shutil.copy2(sqlite_template, target))))


@pytest.fixture(scope="session")
def postgres_web_template(postgres) -> str:
    _add_web_users(postgres.create_database(PG_WEB_TEMPLATE, template=PG_TEMPLATE))
    return PG_WEB_TEMPLATE


@pytest.fixture
def databases(backend, request) -> Iterator[_Databases]:
    made = _Databases(backend, request)
    yield made
    made.drop_all()


@pytest.fixture
def fresh_db(databases, tmp_path) -> Callable[[], Db]:
    """fresh_db(): another database at head with reference data, on this test's backend."""

    def make() -> Db:
        return databases.copy_into(tmp_path)

    return make


@pytest.fixture
def empty_db(databases, tmp_path) -> Db:
    """A database with no tables at all (an empty file, or a new PostgreSQL database)."""
    return databases.empty(tmp_path / "empty.db")


@pytest.fixture(scope="module")
def module_db(backend, request, tmp_path_factory) -> Iterator[Db]:
    """One database for a whole module on its backend, for a costly set-up (say a 400-case import)."""
    made = _Databases(backend, request)
    yield made.copy(tmp_path_factory.mktemp("module") / "altar.db")
    made.drop_all()


@pytest.fixture
def db(databases, tmp_path, request) -> Db:
    """This test's database: a Path to a SQLite file, or a PostgreSQL URL."""
    return databases.copy_into(tmp_path, with_web_users="web_users" in request.fixturenames)


@pytest.fixture
def db_path(db) -> Path:
    """This test's database as a SQLite file (tests that ask for it run on SQLite only)."""
    assert isinstance(db, Path)
    return db


@pytest.fixture
def altar(db) -> Callable[..., Result]:
    """altar(*args, env=None, input=None): the CLI against this test's database."""

    def invoke(
        *args: object, env: dict[str, str | None] | None = None, input: str | None = None
    ) -> Result:
        return _invoke(["--db", db, *args], env=env, input=input)

    return invoke


def _query(target: Db, sql: str, params: Sequence[object] = ()) -> list[tuple]:
    """Run plain SQL (``?`` placeholders) without altar; commit; return the rows.

    Dates come back as ISO text, as SQLite stores them, so one expectation
    serves both backends.
    """
    if isinstance(target, Path):
        conn = sqlite3.connect(target)
        try:
            rows = conn.execute(sql, tuple(params)).fetchall()
            conn.commit()
            return rows
        finally:
            conn.close()
    with psycopg.connect(_conninfo(target), autocommit=True) as conn:
        # psycopg's placeholder is %s, so a literal % must be doubled.
        cursor = (
            conn.execute(sql.replace("%", "%%").replace("?", "%s"), tuple(params))
            if params
            else conn.execute(sql)
        )
        rows = cursor.fetchall() if cursor.description else []
    return [tuple(v.isoformat() if type(v) is date else v for v in row) for row in rows]


def _conninfo(url: str) -> str:
    """libpq's form of an altar URL (no +psycopg)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture
def query(db) -> Callable[..., list[tuple]]:
    """query(sql, params=(), db=None): rows from plain SQL with ? placeholders, on this test's database or db."""
    this_test = db

    def fetch(sql: str, params: Sequence[object] = (), db: Db | None = None) -> list[tuple]:
        return _query(db or this_test, sql, params)

    return fetch


# --- PostgreSQL: one throwaway server for the whole session -------------------------

PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"  # Debian's layout, one folder per major version
PG_TEMPLATE = "altar_template"
PG_WEB_TEMPLATE = "altar_web_template"  # with the WEB_USERS
PG_SETTINGS = """
listen_addresses = '127.0.0.1'
port = {port}
unix_socket_directories = '{folder}'
# A throwaway server: durability buys nothing and costs seconds.
fsync = off
synchronous_commit = off
full_page_writes = off
wal_level = minimal
max_wal_senders = 0
wal_init_zero = off
# An autovacuum worker connected to the template or a test's database makes
# CREATE or DROP DATABASE wait (in 100 ms steps) until it leaves.
autovacuum = off
"""


def _postgres_bindir() -> Path | None:
    """The newest server's bin folder, else the folder of a pg_ctl on PATH."""
    folders = [Path(p) for p in glob.glob(PG_BIN_GLOB) if (Path(p) / "pg_ctl").exists()]
    if folders:
        return max(folders, key=lambda p: [int(n) for n in re.findall(r"\d+", p.parent.name)])
    pg_ctl = shutil.which("pg_ctl")
    return Path(pg_ctl).resolve().parent if pg_ctl else None


def _postgres_unavailable(reason: str) -> None:
    """Skip the PostgreSQL tests, unless CI said they must run (it sets ALTAR_REQUIRE_POSTGRES=1)."""
    if os.environ.get("ALTAR_REQUIRE_POSTGRES") == "1":
        pytest.fail(
            f"{reason}, and ALTAR_REQUIRE_POSTGRES=1 requires the PostgreSQL tests", pytrace=False
        )
    pytest.skip(
        f"PostgreSQL tests skipped: {reason} (set ALTAR_REQUIRE_POSTGRES=1 to make this an error)"
    )


def _memory_folder() -> str | None:
    """/dev/shm when it has room (the server then never waits on a disk), else the usual temporary folder."""
    try:
        free = os.statvfs("/dev/shm")
    except OSError:
        return None
    return (
        "/dev/shm"
        if free.f_bavail * free.f_frsize > 1 << 30 and os.access("/dev/shm", os.W_OK)
        else None
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PostgresCluster:
    """initdb, pg_ctl start and stop on a temporary folder. The server refuses
    to run as root, so as root it runs as the `postgres` user."""

    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.folder = Path(tempfile.mkdtemp(prefix="altar-pg-", dir=_memory_folder()))
        self.port = _free_port()
        self._names = count(1)
        self._admin: psycopg.Connection | None = None
        self._finished: list[str] = []
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(self.folder, owner.pw_uid, owner.pw_gid)

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def start(self) -> None:
        self._server(
            "initdb",
            "-D",
            self.data,
            "--auth=trust",
            "--username=postgres",
            "--encoding=UTF8",
            "--no-locale",
            "--no-sync",
        )
        with (self.data / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write(PG_SETTINGS.format(port=self.port, folder=self.folder))
        self._server(
            "pg_ctl", "-D", self.data, "-l", self.folder / "server.log", "-w", "-t", "60", "start"
        )
        self._admin = psycopg.connect(_conninfo(self.url("postgres")), autocommit=True)

    def stop(self) -> None:
        if self._admin is not None:
            self._admin.close()
        if (self.data / "postmaster.pid").exists():
            self._server("pg_ctl", "-D", self.data, "-m", "immediate", "stop", check=False)
        shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, name: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def create_database(self, name: str | None = None, template: str | None = None) -> str:
        name = name or f"altar_test_{next(self._names)}"
        sql = f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")
        if self._admin.info.server_version >= 150000:
            # Copying the files is several times faster than PostgreSQL 15's
            # default (WAL_LOG) for a small database on a server without fsync.
            sql += " STRATEGY FILE_COPY"
        self._admin.execute(sql)
        return self.url(name)

    def retire(self, urls: list[str]) -> None:
        """Drop the databases of the test before last. A connection that a
        test has just closed takes its server process a moment to leave, and
        DROP DATABASE would wait for it in 100 ms steps; by the end of the
        next test it has long gone."""
        for url in self._finished:
            self._admin.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
        self._finished = urls

    def _server(self, program: str, *args: object, check: bool = True) -> None:
        command = [str(self.bindir / program), *map(str, args)]
        if os.geteuid() == 0:
            command = (
                ["runuser", "-u", "postgres", "--", *command]
                if shutil.which("runuser")
                else ["su", "-s", "/bin/sh", "postgres", "-c", shlex.join(command)]
            )
        # cwd: the postgres user may not be allowed into the checkout.
        done = subprocess.run(command, cwd=self.folder, capture_output=True, text=True, timeout=120)
        if check and done.returncode != 0:
            log = self.folder / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(
                f"{program} failed ({done.returncode}):\n{done.stdout}{done.stderr}{tail}"
            )


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    """A running server with a template database that `altar init` made."""
    bindir = _postgres_bindir()
    if bindir is None:
        _postgres_unavailable(f"no PostgreSQL server binaries in {PG_BIN_GLOB} or on PATH")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            _postgres_unavailable(
                "running as root, and there is no `postgres` user to run the server as"
            )
    cluster = PostgresCluster(bindir)
    try:
        cluster.start()
        _init(cluster.create_database(PG_TEMPLATE))
        yield cluster
    finally:
        cluster.stop()


def _assert_user_error(result: Result, *fragments: str, exit_code: int | None = None) -> None:
    """A mistake the user can fix: non-zero exit, 'Error: ...' on stderr, no traceback."""
    assert result.exit_code != 0, result.output
    if exit_code is not None:
        assert result.exit_code == exit_code, result.output
    # An uncaught exception would be here instead of SystemExit.
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    assert result.stderr.startswith("Error: "), result.output
    for fragment in fragments:
        assert fragment in result.stderr, f"{fragment!r} not in: {result.stderr}"


@pytest.fixture(scope="session")
def assert_user_error() -> Callable[..., None]:
    return _assert_user_error


# --- users ----------------------------------------------------------------------


@pytest.fixture
def add_users(altar) -> Callable[[], None]:
    """add_users(): the three users of the access tests, added by the admin
    (after which every command needs --user): boss (admin), lena (lead)
    and pat (practitioner, Dudley). Call it once the single-user setup is done."""

    def add() -> None:
        for args in (
            ("boss", "--role", "admin"),
            ("lena", "--role", "lead"),
            ("pat", "--role", "practitioner", "--authority", "dudley"),
        ):
            result = altar("--user", "boss", "user", "add", *args, "--no-password")
            assert result.exit_code == 0, result.output

    return add


# --- CSV files ---------------------------------------------------------------


def _valid_row(case_ref: str, **overrides: str) -> dict[str, str]:
    """A complete, valid import row: every item answered 'no', counts 0."""
    row = {
        "case_ref": case_ref,
        "authority": "dudley",
        "stratum": "community",
        "cohort": "main",
        "sex": "male",
        "ethnicity": "white",
        "age": "15",
        "screened_on": "2021-03-04",
    }
    row.update({code: ("0" if SPEC_TYPES[code] == "count" else "no") for code in SPEC_ITEMS})
    row.update(overrides)
    return row


@pytest.fixture(scope="session")
def valid_row() -> Callable[..., dict[str, str]]:
    return _valid_row


def _write_csv(
    path: Path,
    rows: Iterable[dict[str, str]],
    *,
    header: Sequence[str] | None = None,
    bom: bool = False,
    crlf: bool = False,
    trailing_empty_rows: int = 0,
    encoding: str = "utf-8",
) -> Path:
    header = list(header or (CASE_COLUMNS + SPEC_ITEMS))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n" if crlf else "\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(column, "") for column in header])
    for _ in range(trailing_empty_rows):
        writer.writerow([""] * len(header))
    data = buffer.getvalue().encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


@pytest.fixture(scope="session")
def write_csv() -> Callable[..., Path]:
    """write_csv(path, rows, header=None, bom=False, crlf=False, trailing_empty_rows=0, encoding='utf-8')."""
    return _write_csv


def _read_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


@pytest.fixture(scope="session")
def read_csv() -> Callable[[str], list[list[str]]]:
    return _read_csv


@pytest.fixture
def stored_answers(query) -> Callable[..., dict[str, dict[str, tuple]]]:
    """stored_answers(db=None): {case_ref: {item_code: (value, count)}} straight from the database."""

    def read(db: Db | None = None) -> dict[str, dict[str, tuple]]:
        out: dict[str, dict[str, tuple]] = {}
        rows = query(
            "SELECT c.case_ref, a.item_code, a.value, a.count FROM answer a "
            "JOIN screening s ON s.id = a.screening_id JOIN cases c ON c.id = s.case_id",
            db=db,
        )
        for ref, code, value, n in rows:
            out.setdefault(ref, {})[code] = (value, n)
        return out

    return read


# --- the web front end -------------------------------------------------------------

WEB_PASSWORD = "correct horse battery staple"
WEB_USERS = (
    ("boss", "admin", None),
    ("lena", "lead", None),
    ("pat", "practitioner", "dudley"),
    ("walt", "practitioner", "walsall"),
)


CSRF_FIELD = re.compile(
    r'<input\b(?=[^>]*\bname="csrf_token")[^>]*\bvalue="(?P<value>[^"]*)"[^>]*>'
)


class WebClient:
    """Flask's test client for one person, with the CSRF token every form
    post needs taken from the page, as a browser would."""

    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        self.app, self.client = app, app.test_client()

    def get(self, path: str, **kwargs):  # type: ignore[no-untyped-def]
        return self.client.get(path, **kwargs)

    def post(self, path: str, data: dict | list | None = None, *, csrf: bool = True, **kwargs):  # type: ignore[no-untyped-def]
        """POST form data; ``data`` may be a list of pairs (repeated names).
        ``csrf=False`` leaves out the token, as a forged post would."""
        pairs = list(data.items()) if isinstance(data, dict) else list(data or [])
        if csrf:
            pairs.append(("csrf_token", self.csrf_token()))
        from werkzeug.datastructures import MultiDict

        return self.client.post(path, data=MultiDict(pairs), **kwargs)

    def csrf_token(self) -> str:
        page = self.client.get("/sign-in" if not self.signed_in else "/cases")
        # The field's tag alone, not the whole page through BeautifulSoup:
        # that took a tenth of a web test's time, for every post.
        field = CSRF_FIELD.search(page.get_data(as_text=True))
        assert field is not None, "no CSRF token on the page"
        return html.unescape(field["value"])

    @property
    def signed_in(self) -> bool:
        with self.client.session_transaction() as session:
            return "user" in session

    def sign_in(self, name: str, password: str = WEB_PASSWORD):  # type: ignore[no-untyped-def]
        return self.post("/sign-in", {"name": name, "password": password})


def _add_web_users(target: Db) -> Db:
    for name, role, authority in WEB_USERS:
        args = [
            "--db",
            target,
            *(["--user", "boss"] if name != "boss" else []),
            "user",
            "add",
            name,
            "--role",
            role,
            *(["--authority", authority] if authority else []),
        ]
        result = _invoke(args, input=f"{WEB_PASSWORD}\n" * 2)
        assert result.exit_code == 0, result.output
    return target


@pytest.fixture
def web_users(db) -> None:
    """boss (admin), lena (lead), pat (practitioner, Dudley) and walt
    (practitioner, Walsall), each with the web password WEB_PASSWORD, added
    through the real `altar user add` prompt: once per run and backend, into
    the template that this test's database is copied from (see ``db``)."""


class _MemoryBytecodeCache(BytecodeCache):
    """Compiled Jinja templates kept for the whole run. Each test's app has
    its own Jinja environment, which compiled every page template again (a
    third of a web test's time); Jinja checks each template's source against
    the code it keeps."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


_COMPILED_TEMPLATES = _MemoryBytecodeCache()


@pytest.fixture
def web_app(db, web_users):  # type: ignore[no-untyped-def]
    """The web application on this test's database (both backends)."""
    from altar.db import connect
    from altar.web import create_app

    database = connect(str(db))
    app = create_app(database)
    app.config["TESTING"] = True
    app.jinja_env.bytecode_cache = _COMPILED_TEMPLATES
    yield app
    database.engine.dispose()


@pytest.fixture
def web(web_app) -> Callable[[str | None], WebClient]:
    """web(name=None): a browser-like client, signed in as ``name`` (one of
    WEB_USERS) or signed out."""

    def client(name: str | None = None) -> WebClient:
        c = WebClient(web_app)
        if name is not None:
            response = c.sign_in(name)
            assert response.status_code == 302, response.get_data(as_text=True)
        return c

    return client


# --- the web front end in a real browser ------------------------------------------

CHROMIUM = os.environ.get("ALTAR_CHROMIUM", "/usr/bin/chromium")


class LiveServer:
    """`altar serve` running in its own process (waitress, as in production)."""

    def __init__(self, db: Db) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        altar_exe = Path(sys.executable).parent / "altar"
        env = {**os.environ, "ALTAR_DB": "", "ALTAR_USER": ""}
        self.process = subprocess.Popen(
            [str(altar_exe), "--db", str(db), "serve", "--port", str(self.port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self._wait()

    def _wait(self) -> None:
        import time

        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"altar serve exited: {self.process.stderr.read().decode()}")  # type: ignore[union-attr]
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.1)
        raise RuntimeError("altar serve did not start listening within 20 s")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def live_server(db, web_users) -> Iterator[LiveServer]:
    """`altar serve` on this test's database, with the WEB_USERS."""
    server = LiveServer(db)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def chromium():  # type: ignore[no-untyped-def]
    """Debian's Chromium driven by Playwright (launched by its path: no
    browser download). Skips when missing, unless ALTAR_REQUIRE_BROWSER=1."""
    reason = None
    if not Path(CHROMIUM).exists():
        reason = f"Chromium not found at {CHROMIUM} (Debian: apt-get install chromium)"
    else:
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            reason = "Playwright for Python is not installed"
    if reason:
        if os.environ.get("ALTAR_REQUIRE_BROWSER") == "1":
            pytest.fail(
                f"{reason}, and ALTAR_REQUIRE_BROWSER=1 requires the browser tests", pytrace=False
            )
        pytest.skip(f"{reason} (set ALTAR_REQUIRE_BROWSER=1 to make this an error)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def browser_page(chromium, live_server):  # type: ignore[no-untyped-def]
    """browser_page(name=None): a new browser context (its own cookies) on
    the live server, signed in as ``name`` through the sign-in form."""
    contexts = []

    def open_page(name: str | None = None):  # type: ignore[no-untyped-def]
        context = chromium.new_context(
            base_url=live_server.url, viewport={"width": 1100, "height": 900}
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        if name is not None:
            page.goto("/sign-in")
            page.get_by_label("User name").fill(name)
            page.get_by_label("Password").fill(WEB_PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url("**/cases*")
        return page

    yield open_page
    for context in contexts:
        context.close()


# --- the demo release: `altar demo` once per session -----------------------------------


@pytest.fixture(scope="session")
def demo_release(tmp_path_factory) -> tuple[Path, Result]:
    """`altar demo DIR` (the SYNTHETIC database, the regional report and the
    nine summaries, HTML and, where WeasyPrint works, PDF), built once for the
    whole run: it takes a minute and several test modules read it. Read it
    only; a test that writes works on a copy. Returns the folder and the run's
    Result."""
    directory = tmp_path_factory.mktemp("demo-release") / "demo"
    result = _invoke(["demo", directory], env={"SOURCE_DATE_EPOCH": None})
    assert result.exit_code == 0, result.output
    return directory, result
