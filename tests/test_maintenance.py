"""altar check, altar backup and altar restore, through the real CLI on real
databases. Damage is done with plain SQL (stdlib sqlite3 has foreign keys
off, as any other tool writing to the file would), never through altar."""

from __future__ import annotations

import json
import sqlite3
import stat
from pathlib import Path

import pytest

from altar.db import migrate, open_existing


def _populate(altar, tmp_path, write_csv, valid_row, n=5):
    rows = [
        valid_row(f"DUD-{i:03}", ace_physical_abuse="yes", bullying="suspected")
        for i in range(1, n + 1)
    ]
    result = altar("import", write_csv(tmp_path / "cases.csv", rows))
    assert result.exit_code == 0, result.output


def _screening_id(query, ref):
    return query(
        "SELECT s.id FROM screening s JOIN cases c ON c.id = s.case_id WHERE c.case_ref = ?", (ref,)
    )[0][0]


def _problems(altar):
    result = altar("check", "--format", "json")
    assert result.exit_code == 1, result.output
    document = json.loads(result.stdout)
    assert document["ok"] is False
    return document["problems"]


# --- altar check ----------------------------------------------------------------


def test_check_passes_on_a_sound_database(altar, tmp_path, write_csv, valid_row):
    _populate(altar, tmp_path, write_csv, valid_row)
    assert (
        altar("case", "add", "DUD-900", "--authority", "dudley", "--stratum", "custody").exit_code
        == 0
    )
    result = altar("check")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("OK: ")
    assert "6 cases" in result.stdout and "6 screenings" in result.stdout
    document = json.loads(altar("check", "--format", "json").stdout)
    assert document["ok"] is True and document["problems"] == []
    assert document["counts"]["answers"] == 5 * 44


# (what to damage, which check must name it, a fragment of where)
DAMAGE = {
    "binary_answer_holds_a_count": (
        "UPDATE answer SET value = NULL, count = 3 WHERE item_code = 'bullying' AND screening_id = {sid}",
        "answers",
        "item bullying",
    ),
    "count_answer_holds_a_word": (
        "UPDATE answer SET value = 'yes', count = NULL WHERE item_code = 'secondary_schools_count' AND screening_id = {sid}",
        "answers",
        "item secondary_schools_count",
    ),
    "answer_for_an_item_the_codebook_lacks": (
        "INSERT INTO answer (screening_id, item_code, value) VALUES ({sid}, 'invented_item', 'yes')",
        "answers",
        "item invented_item",
    ),
    "score_disagrees_with_answers": (
        "UPDATE answer SET value = 'yes' WHERE item_code = 'ace_sexual_abuse' AND screening_id = {sid}",
        "scores_and_status",
        "case DUD-002",
    ),
    "complete_screening_missing_an_answer": (
        "DELETE FROM answer WHERE item_code = 'send' AND screening_id = {sid}",
        "scores_and_status",
        "case DUD-002",
    ),
    "month_event_not_on_the_first": (
        "INSERT INTO chronology_event (case_id, occurred_on, date_precision, agency, event_type, recorded_at) "
        "SELECT case_id, '2019-05-17', 'month', 'police', 'arrest', '2021-01-01 00:00:00' FROM screening WHERE id = {sid}",
        "chronology",
        "case DUD-002",
    ),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_check_names_each_kind_of_damage(
    damage, altar, tmp_path, write_csv, valid_row, query, assert_user_error
):
    _populate(altar, tmp_path, write_csv, valid_row)
    sql, check, where = DAMAGE[damage]
    query(sql.format(sid=_screening_id(query, "DUD-002")))
    problems = _problems(altar)
    assert any(p["check"] == check and where in p["where"] for p in problems), problems
    # nothing else in the database is blamed
    assert all("DUD-002" in p["where"] for p in problems if p["check"] != "answers"), problems
    table = altar("check")
    assert table.exit_code == 1 and where in table.stdout and "Traceback" not in table.output


def test_check_finds_a_screening_without_its_case(
    db_path, altar, tmp_path, write_csv, valid_row, query
):
    _populate(altar, tmp_path, write_csv, valid_row)
    sid = _screening_id(query, "DUD-003")
    case_id = query("SELECT case_id FROM screening WHERE id = ?", (sid,))[0][0]
    query("DELETE FROM cases WHERE case_ref = 'DUD-003'")  # sqlite3: foreign keys off
    problems = _problems(altar)
    orphan = {
        "check": "orphans",
        "where": f"screening id={sid}",
        "problem": f"case_id={case_id} is not in cases",
    }
    assert orphan in problems
    assert any(
        p["check"] == "foreign_keys" and p["where"].startswith("screening") for p in problems
    ), problems


def test_check_reports_a_damaged_file_without_a_traceback(
    db_path, altar, tmp_path, write_csv, valid_row
):
    _populate(altar, tmp_path, write_csv, valid_row, n=60)
    with sqlite3.connect(db_path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = bytearray(db_path.read_bytes())
    page = 4096
    for offset in range(
        8 * page, len(data) - page, 7 * page
    ):  # scribble over pages past the schema
        data[offset + 100 : offset + 400] = b"\xa5" * 300
    db_path.write_bytes(bytes(data))
    result = altar("check")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.stdout.split("\n")[2].startswith("integrity  database file")
    assert "altar restore" in result.stderr


# --- altar backup -----------------------------------------------------------------


def test_backup_is_a_consistent_private_copy_while_a_write_is_open(
    db_path, altar, tmp_path, write_csv, valid_row, query, run
):
    _populate(altar, tmp_path, write_csv, valid_row)
    busy = sqlite3.connect(db_path, isolation_level=None)
    try:
        busy.execute("BEGIN IMMEDIATE")  # a colleague's write, not yet committed
        busy.execute("INSERT INTO meta (key, value) VALUES ('uncommitted', 'x')")
        target = tmp_path / "copy.db"
        result = altar("backup", target)
        assert result.exit_code == 0, result.output
    finally:
        busy.execute("ROLLBACK")
        busy.close()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert query("SELECT count(*) FROM cases", db=target) == [(5,)]
    assert query("SELECT count(*) FROM meta WHERE key = 'uncommitted'", db=target) == [(0,)]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("copy.db")] == [
        "copy.db"
    ]  # one file
    assert run(["--db", target, "check"]).exit_code == 0


def test_backup_refuses_to_overwrite_unless_forced(db_path, altar, tmp_path, assert_user_error):
    target = tmp_path / "copy.db"
    target.write_text("precious", encoding="utf-8")
    assert_user_error(altar("backup", target), "already exists", "--force", exit_code=1)
    assert target.read_text(encoding="utf-8") == "precious"
    result = altar("backup", target, "--force")
    assert result.exit_code == 0, result.output
    assert target.read_bytes().startswith(b"SQLite format 3\x00")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_backup_refuses_the_database_itself(db_path, altar, assert_user_error):
    assert_user_error(altar("backup", db_path, "--force"), "the database itself")


def test_backup_of_postgresql_names_the_pg_dump_command_without_the_password(
    run, tmp_path, assert_user_error
):
    target = tmp_path / "altar.dump"
    result = run(
        ["--db", "postgresql://lead:s3cret@db.example.org:5433/westmids", "backup", target]
    )
    assert_user_error(
        result,
        "pg_dump --format=custom --host=db.example.org --port=5433 --username=lead "
        f"--dbname=westmids --file={target}",
        exit_code=4,
    )
    assert "s3cret" not in result.output
    assert not target.exists()


# --- altar restore ----------------------------------------------------------------


def _backup(altar, target):
    result = altar("backup", target)
    assert result.exit_code == 0, result.output
    return target


def test_restore_brings_back_the_backup_and_keeps_the_current_database(
    db_path, altar, tmp_path, write_csv, valid_row, query
):
    _populate(altar, tmp_path, write_csv, valid_row)
    copy = _backup(altar, tmp_path / "copy.db")
    assert (
        altar("case", "add", "DUD-900", "--authority", "dudley", "--stratum", "custody").exit_code
        == 0
    )
    result = altar("restore", copy, "--yes")
    assert result.exit_code == 0, result.output
    assert query("SELECT count(*) FROM cases WHERE case_ref = 'DUD-900'") == [(0,)]
    assert query("SELECT count(*) FROM cases") == [(5,)]
    kept = list(tmp_path.glob("altar.db.pre-restore.*.bak"))
    assert len(kept) == 1 and str(kept[0]) in result.stderr
    assert query("SELECT count(*) FROM cases WHERE case_ref = 'DUD-900'", db=kept[0]) == [(1,)]
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o600
    assert not list(tmp_path.glob(".*partial*"))
    assert altar("check").exit_code == 0
    assert (
        altar("case", "add", "DUD-901", "--authority", "dudley", "--stratum", "custody").exit_code
        == 0
    )


def test_restore_asks_first_and_a_no_changes_nothing(
    db_path, altar, tmp_path, write_csv, valid_row, query
):
    _populate(altar, tmp_path, write_csv, valid_row)
    copy = _backup(altar, tmp_path / "copy.db")
    assert (
        altar("case", "add", "DUD-900", "--authority", "dudley", "--stratum", "custody").exit_code
        == 0
    )
    result = altar("restore", copy, input="n\n")
    assert "Replace" in result.stderr
    assert query("SELECT count(*) FROM cases") == [(6,)]
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("altar.db")) == [
        "cases.csv",
        "copy.db",
    ]


def _make_sqlite(path: Path, sql: str) -> Path:
    with sqlite3.connect(path) as conn:
        conn.executescript(sql)
    conn.close()
    return path


@pytest.mark.parametrize(
    "kind", ["csv", "foreign_sqlite", "newer_altar", "inconsistent", "missing"]
)
def test_restore_refuses_a_bad_copy_and_changes_nothing(
    kind, db_path, altar, tmp_path, write_csv, valid_row, query, assert_user_error
):
    _populate(altar, tmp_path, write_csv, valid_row)
    copy = tmp_path / "copy.db"
    if kind == "csv":
        copy.write_text("case_ref,authority\n", encoding="utf-8")
        expected = "not a SQLite database"
    elif kind == "foreign_sqlite":
        _make_sqlite(copy, "CREATE TABLE t (x); INSERT INTO t VALUES (1);")
        expected = "not an altar database"
    elif kind == "newer_altar":
        _backup(altar, copy)
        query("UPDATE alembic_version SET version_num = 'ffffffff0000'", db=copy)
        expected = "does not know"
    elif kind == "inconsistent":
        _backup(altar, copy)
        query("UPDATE answer SET value = 'yes' WHERE item_code = 'ace_sexual_abuse'", db=copy)
        expected = "failed its checks"
    else:
        expected = "no backup file"
    before = sorted(p.name for p in tmp_path.iterdir())
    assert (
        altar("case", "add", "DUD-900", "--authority", "dudley", "--stratum", "custody").exit_code
        == 0
    )
    assert_user_error(altar("restore", copy, "--yes"), expected)
    assert query("SELECT count(*) FROM cases") == [(6,)]
    assert (
        sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("altar.db-")) == before
    )


def test_restore_of_an_older_backup_says_to_upgrade(db_path, altar, tmp_path, query):
    assert (
        altar("case", "add", "DUD-001", "--authority", "dudley", "--stratum", "custody").exit_code
        == 0
    )
    copy = _backup(altar, tmp_path / "old.db")
    previous = _previous_revision()
    database = open_existing(str(copy))
    try:
        with database.engine.begin() as conn:
            migrate.downgrade_to(conn, previous)
    finally:
        database.engine.dispose()
    result = altar("restore", copy, "--yes")
    assert result.exit_code == 0, result.output
    assert "altar db upgrade" in result.stderr
    assert altar("case", "list").exit_code == 5  # migration needed, as the message said
    assert altar("db", "upgrade").exit_code == 0
    assert altar("check").exit_code == 0
    assert query("SELECT case_ref FROM cases") == [("DUD-001",)]


def _previous_revision() -> str:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(migrate.alembic_config())
    return script.get_revision(migrate.head_revision()).down_revision  # type: ignore[return-value]


def test_restore_into_postgresql_names_pg_restore(run, tmp_path, assert_user_error):
    copy = tmp_path / "altar.dump"
    copy.write_bytes(b"PGDMP")
    result = run(
        ["--db", "postgresql://lead:s3cret@db.example.org/westmids", "restore", copy, "--yes"]
    )
    assert_user_error(result, "pg_restore", "--dbname=westmids", exit_code=4)
    assert "s3cret" not in result.output
