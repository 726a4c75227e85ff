"""The schema comes only from Alembic migrations, and they agree with the models,
on SQLite and on PostgreSQL alike."""

from __future__ import annotations

import ast
import csv
import os
import re
import stat

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

import altar.db.models
from altar.db import HEAD_REVISION, backup_sqlite_file, connect, migrate, open_for_upgrade
from altar.resources import migrations_dir

VERSIONS = migrations_dir() / "versions"


def _revision_files():
    return sorted(p for p in VERSIONS.glob("*.py") if not p.name.startswith("__"))


def _stored_revision(query) -> str | None:
    rows = query("SELECT version_num FROM alembic_version")
    return rows[0][0] if rows else None


def _set_version(query, revision: str) -> None:
    query("UPDATE alembic_version SET version_num = ?", (revision,))


def test_init_creates_schema_matching_the_models(empty_db, run):
    # an empty SQLite file, or a PostgreSQL database with no tables
    result = run(["--db", empty_db, "init"])
    assert result.exit_code == 0, result.output
    database = connect(str(empty_db))
    try:
        with database.engine.connect() as conn:
            diff = compare_metadata(
                MigrationContext.configure(conn, opts={"compare_type": True}),
                altar.db.models.Base.metadata,
            )
    finally:
        database.engine.dispose()
    assert diff == []


def test_migrations_have_exactly_one_head():
    heads = ScriptDirectory.from_config(migrate.alembic_config()).get_heads()
    assert len(heads) == 1
    assert migrate.head_revision() == heads[0]
    # connect() trusts this copy to skip Alembic for a database at head.
    assert heads[0] == HEAD_REVISION


def test_init_then_db_current_is_at_head(empty_db, run):
    assert run(["--db", empty_db, "init"]).exit_code == 0
    result = run(["--db", empty_db, "db", "current"])
    assert result.exit_code == 0, result.output
    assert result.stdout.split() == [
        "current:",
        migrate.head_revision(),
        "head:",
        migrate.head_revision(),
    ]


def test_init_leaves_database_at_head(query):
    assert _stored_revision(query) == migrate.head_revision()


def test_upgrade_downgrade_to_base_and_upgrade_again(db):
    database = open_for_upgrade(str(db))
    try:
        with database.engine.begin() as conn:
            migrate.downgrade_to(conn, "base")
        assert set(inspect(database.engine).get_table_names()) <= {"alembic_version"}
        with database.engine.begin() as conn:
            assert migrate.current_revision(conn) is None
            migrate.upgrade_to_head(conn)
        with database.engine.connect() as conn:
            assert migrate.current_revision(conn) == migrate.head_revision()
        tables = set(inspect(database.engine).get_table_names())
    finally:
        database.engine.dispose()
    assert set(altar.db.models.Base.metadata.tables) <= tables


def test_every_revision_upgrades_and_downgrades_one_step_at_a_time(empty_db):
    revisions = [
        r.revision for r in ScriptDirectory.from_config(migrate.alembic_config()).walk_revisions()
    ][::-1]
    database = open_for_upgrade(str(empty_db))

    def step(move, target: str, expected: str | None) -> None:
        with database.engine.begin() as conn:
            move(migrate.alembic_config(conn), target)
        with database.engine.connect() as conn:
            assert migrate.current_revision(conn) == expected, target

    try:
        for revision in revisions:
            step(command.upgrade, revision, revision)
        for before in [None, *revisions[:-1]][::-1]:
            step(command.downgrade, "-1", before)
        assert set(inspect(database.engine).get_table_names()) <= {"alembic_version"}
    finally:
        database.engine.dispose()


def test_altar_init_upgrades_a_database_downgraded_to_base(db, run, query):
    database = open_for_upgrade(str(db))
    with database.engine.begin() as conn:
        migrate.downgrade_to(conn, "base")
    database.engine.dispose()
    result = run(["--db", db, "init"])
    assert result.exit_code == 0, result.output
    assert _stored_revision(query) == migrate.head_revision()


def test_revision_files_are_dated_and_do_not_import_models():
    files = _revision_files()
    assert files, f"no revisions in {VERSIONS}"
    for path in files:
        assert re.match(r"^\d{8}_", path.name), path.name
        assert int(path.name[4:6]) in range(1, 13) and int(path.name[6:8]) in range(1, 32), (
            path.name
        )
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)
                imported.update(f"{node.module}.{alias.name}" for alias in node.names)
        assert not any(
            name == "altar.db.models" or name.startswith("altar.db.models.") for name in imported
        ), path


def test_init_twice_is_idempotent(db, run, query):
    before = query("SELECT code FROM authority ORDER BY code")
    instruments = query("SELECT count(*) FROM instrument_version")
    result = run(["--db", db, "init"])
    assert result.exit_code == 0, result.output
    assert query("SELECT code FROM authority ORDER BY code") == before
    assert query("SELECT count(*) FROM instrument_version") == instruments
    assert len(before) == 9


def test_init_keeps_existing_cases(db, altar, run, query):
    result = altar("case", "add", "DUD-001", "--authority", "dudley", "--stratum", "custody")
    assert result.exit_code == 0, result.output
    result = run(["--db", db, "init"])
    assert result.exit_code == 0, result.output
    assert query("SELECT case_ref FROM cases") == [("DUD-001",)]


def test_db_current_prints_head(altar):
    result = altar("db", "current")
    assert result.exit_code == 0, result.output
    head = migrate.head_revision()
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["current:", head]
    assert lines[1].split() == ["head:", head]


def test_database_at_unknown_revision_is_refused(altar, query, assert_user_error):
    _set_version(query, "ffffffff0000")
    result = altar("case", "list")
    # Not `altar db upgrade`: no migration leads from an unknown revision.
    assert_user_error(result, "ffffffff0000", "does not know", exit_code=5)


def test_db_current_reports_an_out_of_date_database(altar, query):
    _set_version(query, "ffffffff0000")
    result = altar("db", "current")
    assert result.exit_code != 0
    assert "ffffffff0000" in result.stdout


def test_db_upgrade_of_unknown_revision_fails_cleanly(altar, query, assert_user_error):
    _set_version(query, "ffffffff0000")
    result = altar("db", "upgrade")
    assert_user_error(result, "ffffffff0000")


def test_db_upgrade_at_head_makes_no_backup(backend, altar, tmp_path):
    result = altar("db", "upgrade")
    assert result.exit_code == 0, result.output
    assert list(tmp_path.glob("*.bak")) == []
    # altar cannot back up a server's database: it says so, once
    assert ("pg_dump" in result.stderr) == (backend == "postgresql"), result.stderr


def test_db_upgrade_leaves_a_database_of_unknown_revision_untouched(altar, query, tmp_path):
    # A database from a newer altar must not be "upgraded" (nor backed up and
    # then half-changed) by an older one.
    assert (
        altar("case", "add", "DUD-001", "--authority", "dudley", "--stratum", "custody").exit_code
        == 0
    )
    _set_version(query, "ffffffff0000")
    assert altar("db", "upgrade").exit_code == 5
    assert list(tmp_path.glob("*.bak")) == []
    assert query("SELECT case_ref FROM cases") == [("DUD-001",)]
    assert query("SELECT version_num FROM alembic_version") == [("ffffffff0000",)]


def test_backup_sqlite_file_copies_a_populated_database(db_path, altar, query):
    for ref in ("DUD-001", "DUD-002"):
        assert (
            altar("case", "add", ref, "--authority", "dudley", "--stratum", "custody").exit_code
            == 0
        )
    database = connect(str(db_path))
    try:
        backup = backup_sqlite_file(database, reason="test")
    finally:
        database.engine.dispose()
    assert backup is not None and backup.exists()
    assert backup.parent == db_path.parent and backup.name.endswith(".bak")
    assert query("SELECT case_ref FROM cases ORDER BY case_ref", db=backup) == [
        ("DUD-001",),
        ("DUD-002",),
    ]
    assert query("SELECT count(*) FROM answer", db=backup) == query("SELECT count(*) FROM answer")
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600


def test_connect_sets_sqlite_pragmas(db_path):
    database = connect(str(db_path))
    try:
        with database.engine.connect() as conn:
            journal = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
            foreign_keys = conn.exec_driver_sql("PRAGMA foreign_keys").scalar()
            busy = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
    finally:
        database.engine.dispose()
    assert journal.lower() == "wal"
    assert foreign_keys == 1
    assert busy > 0


def test_foreign_keys_are_enforced(db):
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    database = connect(str(db))
    try:
        with pytest.raises(IntegrityError), database.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO cases (case_ref, authority_id, stratum, cohort, sex, ethnicity, created_at, "
                    "updated_at) VALUES ('X-1', 9999, 'custody', 'main', 'male', 'white', '2021-01-01', '2021-01-01')"
                )
            )
    finally:
        database.engine.dispose()


def test_new_database_file_is_private(tmp_path, init_db):
    old_umask = os.umask(0o022)
    try:
        path = init_db(tmp_path / "new.db")
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_db_upgrade_on_new_path_creates_private_file(tmp_path, run):
    path = tmp_path / "viaupgrade.db"
    old_umask = os.umask(0o022)  # a typical umask: group and others may read new files
    try:
        result = run(["--db", path, "db", "upgrade"])
    finally:
        os.umask(old_umask)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_db_current_on_missing_file_creates_nothing(tmp_path, run):
    path = tmp_path / "typo.db"
    run(["--db", path, "db", "current"])
    assert not path.exists()


def test_0002_keeps_every_answer_and_backfills_the_scores_altar_computes(tmp_path, run, query):
    """Upgrading a populated 0001 database: every answer survives the table
    rebuild, and the scores the migration computes in SQL from the stored
    instrument definition equal those altar's Python scoring writes on
    import (two independent implementations of the codebook's rule)."""
    from altar.instrument import current_codebook
    from altar.synthetic import scaled_rows

    db, data = tmp_path / "altar.db", tmp_path / "cohort.csv"
    rows = list(scaled_rows(current_codebook(), 150, seed=5))
    rows[0] = {
        k: ("" if k in current_codebook().item_codes() else v) for k, v in rows[0].items()
    }  # all unknown
    with data.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    for args in (["init"], ["import", data]):
        assert run(["--db", db, *args]).exit_code == 0
    answers = "SELECT screening_id, item_code, value, count FROM answer ORDER BY 1, 2"
    scores = "SELECT * FROM screening_score ORDER BY 1, 2"
    before_answers, before_scores = query(answers, db=db), query(scores, db=db)
    assert len(before_scores) == 150 * len(current_codebook().scores)
    database = open_for_upgrade(str(db))
    try:
        with database.engine.begin() as conn:
            migrate.downgrade_to(conn, "0001")
        assert "screening_score" not in inspect(database.engine).get_table_names()
    finally:
        database.engine.dispose()
    result = run(["--db", db, "db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert query(answers, db=db) == before_answers
    assert query(scores, db=db) == before_scores
    (table_sql,) = query("SELECT sql FROM sqlite_master WHERE name = 'answer'", db=db)[0]
    assert "WITHOUT ROWID" in table_sql
