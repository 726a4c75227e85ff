"""The command line as a whole: help, version, errors, --db / ALTAR_DB,
and data on stdout with messages on stderr."""

from __future__ import annotations

import importlib.metadata
import json
import os
import subprocess
import sys

import click
import pytest

from altar.cli import cli


def _walk(command: click.Command, path: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    yield path, command
    if isinstance(command, click.Group):
        ctx = click.Context(command)  # the root group loads its commands on request
        for name in command.list_commands(ctx):
            yield from _walk(command.get_command(ctx, name), (*path, name))


ALL_COMMANDS = list(_walk(cli))
LEAF_PATHS = [path for path, cmd in ALL_COMMANDS if not isinstance(cmd, click.Group)]


def _id(path: tuple[str, ...]) -> str:
    return " ".join(path) or "altar"


def test_command_tree_has_the_expected_commands():
    top = set(cli.list_commands(click.Context(cli)))
    assert {
        "init",
        "db",
        "authority",
        "instrument",
        "case",
        "screening",
        "import",
        "export",
        "template",
        "demo",
    } <= top
    assert len(LEAF_PATHS) >= 17


@pytest.mark.parametrize("path", [p for p, _ in ALL_COMMANDS], ids=_id)
def test_every_help_exits_zero_with_usage(run, path):
    result = run([*path, "--help"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Usage: altar")


@pytest.mark.parametrize("path", [p for p, _ in ALL_COMMANDS], ids=_id)
def test_every_help_has_an_example(run, path):
    result = run([*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example" in result.stdout


def test_short_help_option(run):
    result = run(["-h"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.stdout


def test_version_via_python_m_altar():
    proc = subprocess.run(
        [sys.executable, "-m", "altar", "--version"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert importlib.metadata.version("altar") in proc.stdout
    assert "altar" in proc.stdout


def _one_line_error(result) -> None:  # type: ignore[no-untyped-def]
    assert result.stderr.startswith("Error: ")
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_missing_case_is_a_one_line_error(altar, assert_user_error):
    result = altar("case", "show", "NOPE-1")
    assert_user_error(result, "NOPE-1")
    _one_line_error(result)
    assert result.stdout == ""


@pytest.mark.parametrize(
    "args",
    [["case", "list"], ["export"], ["authority", "list"], ["screening", "form", "X-1"]],
    ids=_id,
)
def test_missing_database_file_is_a_one_line_error(run, tmp_path, assert_user_error, args):
    missing = tmp_path / "nowhere.db"
    result = run(["--db", missing, *args])
    assert_user_error(result, "altar init")
    _one_line_error(result)
    assert not missing.exists()


@pytest.mark.parametrize("url", ["bogus://x", "postgresql+nosuchdriver://u@h/db"])
def test_bad_db_url_is_a_one_line_error(run, url, assert_user_error):
    result = run(["--db", url, "case", "list"])
    assert_user_error(result)
    _one_line_error(result)


# Nothing listens on port 1, a privileged port.
UNREACHABLE = "postgresql+psycopg://altar@127.0.0.1:1/altar"


@pytest.mark.parametrize(
    "args",
    [["init"], ["db", "current"], ["db", "upgrade"], ["case", "list"], ["export"], ["stats"]],
    ids=_id,
)
def test_unreachable_postgresql_server_is_a_one_line_error(run, assert_user_error, args):
    result = run(["--db", UNREACHABLE, *args])
    assert_user_error(result, "127.0.0.1:1", exit_code=4)
    _one_line_error(result)


def test_missing_postgresql_database_is_a_one_line_error(postgres, run, assert_user_error):
    result = run(["--db", postgres.url("no_such_database"), "case", "list"])
    assert_user_error(result, "no_such_database", "does not exist", exit_code=4)
    _one_line_error(result)


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+nosuchdriver://altar:s3cret@127.0.0.1:1/altar",
        "postgresql+psycopg://altar:s3cret@127.0.0.1:1/altar",
    ],
)
def test_password_in_a_url_is_never_shown(run, url):
    result = run(["--db", url, "case", "list"])
    assert result.exit_code == 4
    assert "s3cret" not in result.output


def test_plain_postgresql_url_uses_psycopg_not_psycopg2(run):
    # libpq and psql write postgresql://; SQLAlchemy would read it as psycopg2
    result = run(["--db", "postgresql://altar@127.0.0.1:1/altar", "case", "list"])
    assert result.exit_code == 4
    assert "postgresql+psycopg://altar@127.0.0.1:1/altar" in result.stderr
    assert "psycopg2" not in result.stderr


def test_unparseable_db_url_is_a_one_line_error(run, assert_user_error):
    result = run(["--db", "://nonsense", "case", "list"])
    assert_user_error(result)
    _one_line_error(result)


def test_a_file_that_is_not_a_database_is_refused(run, tmp_path, assert_user_error):
    junk = tmp_path / "notes.db"
    junk.write_text("this is not SQLite\n" * 100)
    result = run(["--db", junk, "case", "list"])
    assert_user_error(result, "not a database", exit_code=4)
    assert junk.read_text() == "this is not SQLite\n" * 100


def test_a_file_that_is_not_a_database_gives_a_one_line_error(run, tmp_path):
    junk = tmp_path / "notes.db"
    junk.write_text("this is not SQLite\n" * 100)
    result = run(["--db", junk, "case", "list"])
    assert result.exit_code != 0
    _one_line_error(result)


def test_errors_have_no_traceback_end_to_end(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "altar", "--db", str(tmp_path / "none.db"), "case", "list"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode != 0
    assert proc.stderr.startswith("Error: ")
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""


def test_traceback_flag_shows_the_traceback(run, tmp_path):
    result = run(["--traceback", "--db", tmp_path / "none.db", "case", "list"])
    assert result.exit_code != 0
    assert not isinstance(result.exception, SystemExit)


def test_altar_db_env_var_is_honoured(run, db, query):
    result = run(
        ["case", "add", "ENV-1", "--authority", "dudley", "--stratum", "custody"],
        env={"ALTAR_DB": str(db)},
    )
    assert result.exit_code == 0, result.output
    assert query("SELECT case_ref FROM cases") == [("ENV-1",)]
    listing = run(["case", "list", "--format", "json"], env={"ALTAR_DB": str(db)})
    assert listing.exit_code == 0, listing.output
    assert [r["case_ref"] for r in json.loads(listing.stdout)] == ["ENV-1"]


def test_db_option_wins_over_env_var(run, db, fresh_db):
    other = fresh_db()
    result = run(
        ["--db", db, "case", "add", "OPT-1", "--authority", "dudley", "--stratum", "custody"],
        env={"ALTAR_DB": str(other)},
    )
    assert result.exit_code == 0, result.output
    listing = run(["case", "list", "--json"], env={"ALTAR_DB": str(other)})
    assert json.loads(listing.stdout) == []


def test_default_database_is_altar_db_in_the_working_directory(run, tmp_path):
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = run(["init"])
    finally:
        os.chdir(cwd)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "altar.db").exists()


def test_user_option_is_recorded_in_the_change_log(altar, query):
    result = altar(
        "--user",
        "practitioner7",
        "case",
        "add",
        "U-1",
        "--authority",
        "dudley",
        "--stratum",
        "custody",
    )
    assert result.exit_code == 0, result.output
    assert query("SELECT actor FROM change_log WHERE case_ref = 'U-1'") == [("practitioner7",)]


def test_user_name_longer_than_the_column_is_refused(altar, query):
    # SQLite would store it; PostgreSQL enforces the length: both refuse it alike.
    result = altar(
        "--user", "u" * 61, "case", "add", "U-2", "--authority", "dudley", "--stratum", "custody"
    )
    assert result.exit_code == 2, result.output
    assert "--user" in result.stderr and "Traceback" not in result.output
    assert query("SELECT count(*) FROM cases") == [(0,)]


def test_data_to_stdout_and_messages_to_stderr(altar):
    assert (
        altar("case", "add", "OUT-1", "--authority", "dudley", "--stratum", "custody").exit_code
        == 0
    )
    result = altar("case", "list", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["case_ref"] for r in rows] == ["OUT-1"]
    table = altar("case", "list")
    assert table.exit_code == 0, table.output
    assert "OUT-1" in table.stdout
    assert "1 case(s)" in table.stderr and "1 case(s)" not in table.stdout


def test_case_list_csv_parses(altar, read_csv):
    assert (
        altar("case", "add", "CSV-1", "--authority", "coventry", "--stratum", "community").exit_code
        == 0
    )
    result = altar("case", "list", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = read_csv(result.stdout)
    assert rows[0][0] == "case_ref"
    assert rows[1][:3] == ["CSV-1", "coventry", "community"]
    assert len(rows) == 2


def test_init_messages_go_to_stderr(run, tmp_path):
    result = run(["--db", tmp_path / "a.db", "init"])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "created" in result.stderr


def test_unknown_command_is_a_usage_error(run):
    result = run(["frobnicate"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
