"""The audit trail, soft delete and purge (issue 6, "Audit trail").

Every insert, amendment and deletion of a case and its screening is in the
change log with who, when (UTC), what, old and new value and command;
`altar audit` reads it; a deleted case leaves every list, statistic, report
and export; a purge leaves no trace of the child's data anywhere in the
database but one record that a purge happened.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

ADMIN = ("--user", "boss")
MARKER = "Zqx7-marker"  # written into every kind of the child's data, to look for afterwards
SCREENER = "zq_screener"


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _audit(altar, *args: str, user: str = "boss") -> list[dict]:  # type: ignore[no-untyped-def]
    result = altar("--user", user, "audit", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _fill_all(form: str, answer: str = "no") -> str:
    """Answer every item of a printed form (counts 0)."""
    lines = []
    for line in form.splitlines():
        if line.endswith(":") and not line.startswith("#") and line[0].isalpha():
            line += " " + ("0" if line.endswith("_count:") else answer)
        lines.append(line)
    return "\n".join(lines) + "\n"


@pytest.fixture
def far_from_utc(monkeypatch):
    """The local clock 14 hours ahead of UTC, so a local time would show."""
    monkeypatch.setenv("TZ", "Pacific/Kiritimati")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_every_change_to_a_case_is_recorded_with_utc_time_and_command(
    altar, tmp_path, spec, far_from_utc
):
    started = _utcnow().replace(microsecond=0)
    assert (
        altar(
            "--user", "pat", "case", "add", "A-1", "--authority", "dudley", "--stratum", "custody"
        ).exit_code
        == 0
    )
    form = altar("screening", "form", "A-1").stdout
    (tmp_path / "form.txt").write_text(_fill_all(form), encoding="utf-8")
    result = altar("--user", "pat", "screening", "enter", "A-1", "--from", tmp_path / "form.txt")
    assert result.exit_code == 0, result.output
    assert altar("--user", "lena", "case", "delete", "A-1").exit_code == 0
    assert altar("--user", "lena", "case", "undelete", "A-1").exit_code == 0
    finished = _utcnow()

    entries = _audit(altar, "--case", "A-1")
    summary = [
        (e["actor"], e["command"], e["action"], e["entity"], e["field"], e["old"], e["new"])
        for e in entries
    ]
    assert summary[0] == ("pat", "altar case add", "insert", "case", None, None, None)
    answers = [s for s in summary if s[3] == "answer"]
    assert sorted(s[4] for s in answers) == sorted(spec.items)
    assert all(s[:3] == ("pat", "altar screening enter", "update") for s in answers)
    assert (
        "pat",
        "altar screening enter",
        "update",
        "screening",
        "status",
        "in_progress",
        "complete",
    ) in summary
    assert summary[-2] == ("lena", "altar case delete", "delete", "case", None, None, None)
    assert summary[-1][:5] == ("lena", "altar case undelete", "update", "case", "deleted_at")
    for entry in entries:
        assert entry["at"].endswith("Z")
        assert started <= datetime.fromisoformat(entry["at"][:-1]) <= finished


def test_audit_filters_by_user_and_time_and_writes_csv(
    altar, tmp_path, write_csv, valid_row, read_csv
):
    path = write_csv(tmp_path / "f.csv", [valid_row("A-1"), valid_row("A-2")])
    assert altar("--user", "imp", "import", path).exit_code == 0
    assert altar("--user", "other", "case", "delete", "A-2").exit_code == 0
    imported = _audit(altar, "--user", "imp")
    assert [(e["case_ref"], e["action"]) for e in imported] == [
        ("A-1", "insert"),
        ("A-2", "insert"),
    ]
    assert [e["actor"] for e in _audit(altar, "--user", "other")] == ["other"]
    tomorrow = (_utcnow() + timedelta(days=1)).date().isoformat()
    assert _audit(altar, "--since", tomorrow) == []
    assert len(_audit(altar, "--since", "2020-01-01")) == 3
    rows = read_csv(altar("audit", "--format", "csv").stdout)
    assert rows[0] == [
        "at",
        "actor",
        "command",
        "action",
        "entity",
        "case_ref",
        "field",
        "old",
        "new",
    ]
    assert [r[5] for r in rows[1:]] == ["A-1", "A-2", "A-2"]


def test_audit_rejects_a_bad_date(altar):
    result = altar("audit", "--since", "last tuesday")
    assert result.exit_code == 2 and "--since" in result.stderr


# --- soft delete -----------------------------------------------------------------------------------------


@pytest.fixture
def three(altar, tmp_path, write_csv, valid_row):
    rows = [valid_row("A-1"), valid_row("A-2"), valid_row("B-1", authority="walsall")]
    assert altar("import", write_csv(tmp_path / "three.csv", rows)).exit_code == 0
    return altar


def _listed(altar) -> list[str]:  # type: ignore[no-untyped-def]
    return [r["case_ref"] for r in json.loads(altar("case", "list", "--format", "json").stdout)]


def test_a_deleted_case_leaves_lists_statistics_exports_and_reports(
    three, read_csv, tmp_path, assert_user_error
):
    assert three("case", "delete", "A-2").exit_code == 0
    assert _listed(three) == ["A-1", "B-1"]
    assert json.loads(three("stats", "--json").stdout)["n_cases"] == 2
    assert (
        json.loads(three("stats", "--json", "--by", "authority").stdout)["groups"]["dudley"]["n"]
        == 1
    )
    assert [r[0] for r in read_csv(three("export").stdout)[1:]] == ["A-1", "B-1"]
    counts = {
        r["code"]: r["cases"]
        for r in json.loads(three("authority", "list", "--format", "json").stdout)
    }
    assert counts["dudley"] == 1
    assert_user_error(three("case", "show", "A-2"), "A-2", exit_code=3)
    assert_user_error(three("screening", "form", "A-2"), "A-2", exit_code=3)
    # the reports read through the same scope: with every case deleted there is nothing to report
    assert (
        three("case", "delete", "A-1").exit_code == 0
        and three("case", "delete", "B-1").exit_code == 0
    )
    assert_user_error(
        three("report", "regional", "--format", "html", "--out", tmp_path), "no screened children"
    )


def test_undelete_brings_the_case_back_whole(three, stored_answers):
    before = stored_answers()["A-2"]
    assert three("case", "delete", "A-2").exit_code == 0
    assert three("case", "undelete", "A-2").exit_code == 0
    assert _listed(three) == ["A-1", "A-2", "B-1"]
    assert stored_answers()["A-2"] == before
    assert three("case", "undelete", "A-2").exit_code == 3  # not deleted any more


def test_a_deleted_cases_reference_stays_taken(
    three, tmp_path, write_csv, valid_row, query, assert_user_error
):
    assert three("case", "delete", "A-2").exit_code == 0
    assert_user_error(
        three("case", "add", "A-2", "--authority", "dudley", "--stratum", "custody"),
        "already exists",
    )
    assert_user_error(
        three(
            "import", "--update", write_csv(tmp_path / "again.csv", [valid_row("A-2", age="17")])
        ),
        "deleted case",
    )
    assert query("SELECT age FROM cases WHERE case_ref = 'A-2'") == [(15,)]


# --- purge -------------------------------------------------------------------------------------------------


def _add_story_data(query, ref: str) -> None:  # type: ignore[no-untyped-def]
    """The issue-5 tables, filled for one case with plain SQL (their commands live on another branch)."""
    case = f"(SELECT id FROM cases WHERE case_ref = '{ref}')"
    query(
        f"INSERT INTO story_version (case_id, version, template_name, template_version, written_by, written_at) "
        f"VALUES ({case}, 1, 'story', 1, 'pat', CURRENT_TIMESTAMP)"
    )
    version = f"(SELECT id FROM story_version WHERE case_id = {case})"
    query(
        f"INSERT INTO story_section (story_version_id, section_code, position, text) "
        f"VALUES ({version}, 'family', 1, 'At home {MARKER} lived with')"
    )
    query(
        f"INSERT INTO chronology_event (case_id, occurred_on, date_precision, agency, event_type, note, "
        f"recorded_by, recorded_at) VALUES ({case}, '2015-06-01', 'month', 'police', 'arrest', "
        f"'{MARKER} arrested', 'pat', CURRENT_TIMESTAMP)"
    )
    query(
        f"INSERT INTO pen_picture (case_id, title, body, written_by, written_at, updated_at) "
        f"VALUES ({case}, 'A boy', '{MARKER} portrait', 'lena', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
    )
    query("INSERT INTO theme (code, label, created_at) VALUES ('loss', 'Loss', CURRENT_TIMESTAMP)")
    query(
        f"INSERT INTO story_tag (case_id, story_version_id, section_code, theme_code, start_offset, end_offset, "
        f"extract, tagged_at) VALUES ({case}, {version}, 'family', 'loss', 8, 19, '{MARKER}', CURRENT_TIMESTAMP)"
    )


def _tables(query, db) -> list[str]:  # type: ignore[no-untyped-def]
    if isinstance(db, Path):
        return [n for (n,) in query("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return [
        n
        for (n,) in query(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        )
    ]


def _mentions(query, db, needle: str) -> list[tuple]:  # type: ignore[no-untyped-def]
    """Every (table, row) in the whole database with ``needle`` in any column."""
    return [
        (t, row)
        for t in _tables(query, db)
        for row in query(f"SELECT * FROM {t}")
        if any(needle in str(v) for v in row)
    ]


@pytest.fixture
def purgeable(altar, tmp_path, write_csv, valid_row, spec, query):
    """P-1 with a screening by SCREENER, an amendment, a soft delete and
    issue-5 data; K-1 beside it, to be left alone; an admin, boss."""
    header = [*spec.case_columns, "screened_by", *spec.items]
    rows = [valid_row("P-1", screened_by=SCREENER), valid_row("K-1", screened_by="keeper")]
    assert altar("import", write_csv(tmp_path / "a.csv", rows, header=header)).exit_code == 0
    amended = [valid_row("P-1", screened_by=SCREENER, ace_sexual_abuse="yes")]
    assert (
        altar("import", "--update", write_csv(tmp_path / "b.csv", amended, header=header)).exit_code
        == 0
    )
    _add_story_data(query, "P-1")
    assert altar("case", "delete", "P-1").exit_code == 0
    assert altar("user", "add", "boss", "--role", "admin", "--no-password").exit_code == 0
    return altar


def test_purge_leaves_no_trace_of_the_child_but_the_purge_record(
    purgeable, db, query, stored_answers
):
    kept = stored_answers()["K-1"]
    result = purgeable(*ADMIN, "case", "purge", "P-1", "--yes")
    assert result.exit_code == 0, result.output
    assert _mentions(query, db, MARKER) == []
    assert _mentions(query, db, SCREENER) == []
    assert _mentions(query, db, "P-1") == [
        ("change_log", row) for row in query("SELECT * FROM change_log WHERE case_ref = 'P-1'")
    ]
    record = query(
        "SELECT actor, command, action, entity, field, old_value, new_value FROM change_log "
        "WHERE case_ref = 'P-1'"
    )
    assert record == [("boss", "altar case purge", "purge", "case", None, None, None)]
    for table in ("story_version", "story_section", "chronology_event", "pen_picture", "story_tag"):
        assert query(f"SELECT count(*) FROM {table}") == [(0,)], table
    assert query("SELECT c.case_ref FROM screening s JOIN cases c ON c.id = s.case_id") == [
        ("K-1",)
    ]
    assert query(
        "SELECT count(*) FROM screening_score WHERE screening_id NOT IN (SELECT id FROM screening)"
    ) == [(0,)]
    assert stored_answers() == {"K-1": kept}
    assert [e["action"] for e in _audit(purgeable, "--case", "K-1")] == ["insert"]


def test_purge_leaves_no_readable_trace_in_the_sqlite_files(purgeable, db_path):
    assert purgeable(*ADMIN, "case", "purge", "P-1", "--yes").exit_code == 0
    for path in db_path.parent.glob(db_path.name + "*"):
        data = path.read_bytes()
        assert MARKER.encode() not in data and SCREENER.encode() not in data, path


@pytest.mark.parametrize("user", ["lena", "pat"])
def test_only_an_admin_may_purge(purgeable, query, assert_user_error, user):
    assert (
        purgeable(*ADMIN, "user", "add", "lena", "--role", "lead", "--no-password").exit_code == 0
    )
    assert (
        purgeable(
            *ADMIN,
            "user",
            "add",
            "pat",
            "--role",
            "practitioner",
            "--authority",
            "dudley",
            "--no-password",
        ).exit_code
        == 0
    )
    assert_user_error(
        purgeable("--user", user, "case", "purge", "P-1", "--yes"), "only an admin", exit_code=9
    )
    assert query("SELECT count(*) FROM cases WHERE case_ref = 'P-1'") == [(1,)]


def test_purge_asks_first_and_does_nothing_unless_confirmed(purgeable, query):
    result = purgeable(*ADMIN, "case", "purge", "P-1", input="n\n")
    assert result.exit_code != 0
    assert query("SELECT count(*) FROM cases WHERE case_ref = 'P-1'") == [(1,)]
    assert query("SELECT count(*) FROM change_log WHERE action = 'purge'") == [(0,)]


def test_purge_of_no_such_case_fails_cleanly(purgeable, assert_user_error):
    assert_user_error(purgeable(*ADMIN, "case", "purge", "NOPE-1", "--yes"), "NOPE-1", exit_code=3)


# --- the change log is append-only in the database itself -------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE change_log SET new_value = 'forged' WHERE case_ref = 'K-1'",
        "DELETE FROM change_log WHERE case_ref = 'K-1'",
        "DELETE FROM change_log WHERE action = 'purge'",
        "DELETE FROM change_log WHERE case_ref IS NULL",
    ],
)
def test_the_database_refuses_to_rewrite_the_change_log(purgeable, query, statement):
    assert purgeable(*ADMIN, "case", "purge", "P-1", "--yes").exit_code == 0
    before = query("SELECT * FROM change_log ORDER BY id")
    with pytest.raises(Exception, match="append-only"):
        query(statement)
    assert query("SELECT * FROM change_log ORDER BY id") == before
