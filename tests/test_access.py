"""Users, roles and authority scope (issue 6, "Users and scope").

Three stored cases: DUD-1 and DUD-2 of Dudley, COV-1 of Coventry. Users:
boss (admin), lena (lead), pat (practitioner, Dudley). Pat must never see
or change COV-1 through any command, and must be told "not found" in the
same words as for a case that does not exist.
"""

from __future__ import annotations

import getpass
import json
import os
import sqlite3
import stat

import pytest

ADMIN, LEAD, PAT = ("--user", "boss"), ("--user", "lena"), ("--user", "pat")
NOT_PERMITTED = 9
NOT_FOUND = 3


@pytest.fixture
def region(altar, add_users, tmp_path, write_csv, valid_row):
    """The three cases, imported in single-user mode, then the three users."""
    rows = [valid_row("DUD-1"), valid_row("DUD-2"), valid_row("COV-1", authority="coventry")]
    assert altar("import", write_csv(tmp_path / "cases.csv", rows)).exit_code == 0
    add_users()
    return altar


def _answers(query, ref):  # type: ignore[no-untyped-def]
    return query(
        "SELECT a.item_code, a.value, a.count FROM answer a JOIN screening s ON s.id = a.screening_id "
        "JOIN cases c ON c.id = s.case_id WHERE c.case_ref = ? ORDER BY a.item_code",
        (ref,),
    )


def _refs(result) -> set[str]:  # type: ignore[no-untyped-def]
    assert result.exit_code == 0, result.output
    return {row["case_ref"] for row in json.loads(result.stdout)}


# --- single-user mode and who is working ---------------------------------------------------------------


def test_without_users_anyone_may_do_anything(altar, tmp_path, write_csv, valid_row, query):
    assert altar("import", write_csv(tmp_path / "f.csv", [valid_row("A-1")])).exit_code == 0
    for args in (
        ("--user", "anyone", "stats", "--json"),
        ("case", "delete", "A-1"),
        ("case", "undelete", "A-1"),
        ("user", "list"),
        ("audit",),
    ):
        result = altar(*args)
        assert result.exit_code == 0, (args, result.output)
    assert query("SELECT count(*) FROM users") == [(0,)]


def test_the_first_user_must_be_an_admin(altar, query, assert_user_error):
    result = altar(
        "user", "add", "pat", "--role", "practitioner", "--authority", "dudley", "--no-password"
    )
    assert_user_error(result, "first user must be an admin")
    assert query("SELECT count(*) FROM users") == [(0,)]


def test_once_users_exist_an_unknown_user_is_refused(region, assert_user_error):
    assert_user_error(
        region("--user", "mallory", "case", "list"),
        "'mallory' is not a user",
        exit_code=NOT_PERMITTED,
    )
    assert_user_error(region("--user", "mallory", "case", "list"), "altar user add")


def test_a_disabled_user_is_refused_and_can_be_enabled_again(region, assert_user_error):
    assert region(*ADMIN, "user", "disable", "pat").exit_code == 0
    assert_user_error(region(*PAT, "case", "list"), "'pat' is disabled", exit_code=NOT_PERMITTED)
    assert region(*ADMIN, "user", "enable", "pat").exit_code == 0
    assert region(*PAT, "case", "list").exit_code == 0


def test_without_user_option_the_login_name_is_the_user(region):
    login = getpass.getuser()
    assert region("case", "list").exit_code == NOT_PERMITTED
    assert region(*ADMIN, "user", "add", login, "--role", "lead", "--no-password").exit_code == 0
    assert _refs(region("case", "list", "--format", "json")) == {"DUD-1", "DUD-2", "COV-1"}
    assert _refs(region("case", "list", "--format", "json", env={"ALTAR_USER": "pat"})) == {
        "DUD-1",
        "DUD-2",
    }


# --- a practitioner sees and changes only their own authority's cases ---------------------------------


def test_practitioner_lists_and_exports_only_their_authority(region, read_csv):
    assert _refs(region(*PAT, "case", "list", "--format", "json")) == {"DUD-1", "DUD-2"}
    assert (
        _refs(region(*PAT, "case", "list", "--authority", "coventry", "--format", "json")) == set()
    )
    assert _refs(region(*LEAD, "case", "list", "--authority", "Coventry", "--format", "json")) == {
        "COV-1"
    }
    exported = region(*PAT, "export", "--format", "csv")
    assert exported.exit_code == 0, exported.output
    assert sorted(row[0] for row in read_csv(exported.stdout)[1:]) == ["DUD-1", "DUD-2"]
    everything = json.loads(region(*LEAD, "export", "--format", "json").stdout)
    assert sorted(c["case_ref"] for c in everything["cases"]) == ["COV-1", "DUD-1", "DUD-2"]


@pytest.mark.parametrize(
    "command",
    [
        ("case", "show"),
        ("case", "show", "--json"),
        ("screening", "form"),
        ("case", "delete"),
    ],
)
def test_another_authoritys_case_is_not_found_in_the_same_words_as_no_case(
    region, assert_user_error, query, command
):
    hidden, missing = region(*PAT, *command, "COV-1"), region(*PAT, *command, "NOPE-9")
    assert_user_error(hidden, "COV-1", exit_code=NOT_FOUND)
    assert hidden.stderr.replace("COV-1", "X") == missing.stderr.replace("NOPE-9", "X")
    assert query("SELECT deleted_at FROM cases WHERE case_ref = 'COV-1'") == [(None,)]


def test_practitioner_cannot_amend_another_authoritys_screening(
    region, tmp_path, query, assert_user_error
):
    before = _answers(query, "COV-1")
    form = tmp_path / "form.txt"
    form.write_text("ace_physical_abuse: yes\n", encoding="utf-8")
    assert_user_error(
        region(*PAT, "screening", "enter", "COV-1", "--from", form), "COV-1", exit_code=NOT_FOUND
    )
    assert _answers(query, "COV-1") == before


def test_practitioner_amends_their_own_case(region, tmp_path, query):
    form = region(*PAT, "screening", "form", "DUD-1").stdout.replace(
        "ace_physical_abuse: no", "ace_physical_abuse: yes"
    )
    (tmp_path / "form.txt").write_text(form, encoding="utf-8")
    result = region(*PAT, "screening", "enter", "DUD-1", "--from", tmp_path / "form.txt")
    assert result.exit_code == 0, result.output
    assert ("ace_physical_abuse", "yes", None) in _answers(query, "DUD-1")
    assert query("SELECT actor FROM change_log WHERE field = 'ace_physical_abuse'") == [("pat",)]


def test_practitioner_cannot_add_a_case_of_another_authority(region, query, assert_user_error):
    result = region(*PAT, "case", "add", "COV-2", "--authority", "coventry", "--stratum", "custody")
    assert_user_error(result, "only dudley's cases", exit_code=NOT_PERMITTED)
    assert query("SELECT count(*) FROM cases WHERE case_ref = 'COV-2'") == [(0,)]
    assert (
        region(
            *PAT, "case", "add", "DUD-3", "--authority", "dudley", "--stratum", "custody"
        ).exit_code
        == 0
    )


def test_practitioner_import_of_another_authoritys_rows_is_refused_by_row(
    region, tmp_path, write_csv, valid_row, query, assert_user_error
):
    rows = [
        valid_row("DUD-3"),
        valid_row("COV-2", authority="coventry"),
        valid_row("DUD-4"),
        valid_row("COV-3", authority="Coventry"),
    ]
    result = region(*PAT, "import", write_csv(tmp_path / "mixed.csv", rows))
    assert_user_error(result, "2 problem(s)", "nothing was imported")
    assert "row 3" in result.stderr and "row 5" in result.stderr, result.stderr
    assert "row 2" not in result.stderr and "row 4" not in result.stderr
    assert query("SELECT count(*) FROM cases") == [(3,)]


def test_practitioner_import_update_cannot_touch_or_take_over_another_authoritys_case(
    region, tmp_path, write_csv, valid_row, query, assert_user_error
):
    before = query("SELECT authority_id, age FROM cases WHERE case_ref = 'COV-1'")
    # as their own authority (taking the case over), and as the case's own
    for row in (valid_row("COV-1", age="17"), valid_row("COV-1", authority="coventry", age="17")):
        result = region(*PAT, "import", "--update", write_csv(tmp_path / "cov.csv", [row]))
        assert_user_error(result, "nothing was imported")
    # nor move their own case to another authority
    result = region(
        *PAT,
        "import",
        "--update",
        write_csv(tmp_path / "move.csv", [valid_row("DUD-1", authority="coventry")]),
    )
    assert_user_error(result, "row 2", "only dudley's cases")
    assert query("SELECT authority_id, age FROM cases WHERE case_ref = 'COV-1'") == before
    assert query("SELECT count(*) FROM change_log WHERE action = 'update'") == [(0,)]


@pytest.mark.parametrize(
    "command",
    [
        ("stats",),
        ("stats", "--authority", "dudley", "--json"),
        ("report", "regional", "--format", "html"),
        ("report", "authority", "dudley", "--format", "html"),
        ("authority", "add", "stoke", "Stoke"),
        ("case", "undelete", "DUD-1"),
        ("case", "purge", "DUD-1", "--yes"),
        ("user", "list"),
        ("user", "add", "eve", "--role", "admin", "--no-password"),
    ],
)
def test_practitioner_is_refused_region_wide_and_admin_commands(
    region, tmp_path, assert_user_error, query, command
):
    result = region(*PAT, *command, *(("--out", tmp_path) if command[0] == "report" else ()))
    assert_user_error(result, "(you are 'pat', a practitioner for dudley)", exit_code=NOT_PERMITTED)
    assert not list(tmp_path.glob("*.html"))
    assert query("SELECT count(*) FROM cases") == [(3,)]
    assert query("SELECT count(*) FROM users") == [(3,)]


def test_practitioner_sees_only_their_authority_in_the_authority_list(region):
    result = region(*PAT, "authority", "list", "--format", "json")
    assert result.exit_code == 0, result.output
    assert [(r["code"], r["cases"]) for r in json.loads(result.stdout)] == [("dudley", 2)]
    everyone = {
        r["code"]: r["cases"]
        for r in json.loads(region(*LEAD, "authority", "list", "--format", "json").stdout)
    }
    assert everyone["dudley"] == 2 and everyone["coventry"] == 1 and everyone["walsall"] == 0


def test_practitioner_audit_shows_only_their_authoritys_cases(region):
    result = region(*PAT, "audit", "--format", "json")
    assert result.exit_code == 0, result.output
    assert {e["case_ref"] for e in json.loads(result.stdout)} == {"DUD-1", "DUD-2"}
    assert json.loads(region(*PAT, "audit", "--case", "COV-1", "--format", "json").stdout) == []
    lead = {e["case_ref"] for e in json.loads(region(*LEAD, "audit", "--format", "json").stdout)}
    assert lead == {"DUD-1", "DUD-2", "COV-1", None}  # None: the users added


# --- leads and admins ------------------------------------------------------------------------------------


def test_lead_sees_every_authority_and_the_statistics(region):
    assert _refs(region(*LEAD, "case", "list", "--format", "json")) == {"DUD-1", "DUD-2", "COV-1"}
    result = region(*LEAD, "stats", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["n_cases"] == 3


def test_only_an_admin_manages_users(region, query, assert_user_error):
    assert_user_error(
        region(*LEAD, "user", "add", "eve", "--role", "lead", "--no-password"),
        "only an admin",
        exit_code=NOT_PERMITTED,
    )
    assert region(*ADMIN, "user", "role", "pat", "lead").exit_code == 0
    assert query("SELECT role, authority_id FROM users WHERE name = 'pat'") == [("lead", None)]
    listed = json.loads(region(*ADMIN, "user", "list", "--format", "json").stdout)
    assert [(u["name"], u["role"], u["authority"]) for u in listed] == [
        ("boss", "admin", None),
        ("lena", "lead", None),
        ("pat", "lead", None),
    ]


def test_the_last_admin_cannot_be_disabled_or_demoted(region, query, assert_user_error):
    assert_user_error(region(*ADMIN, "user", "disable", "boss"), "last enabled admin")
    assert_user_error(region(*ADMIN, "user", "role", "boss", "lead"), "last enabled admin")
    assert region(*ADMIN, "user", "role", "lena", "admin").exit_code == 0
    assert region(*ADMIN, "user", "disable", "boss").exit_code == 0
    assert query("SELECT name FROM users WHERE role = 'admin' AND disabled_at IS NULL") == [
        ("lena",)
    ]


@pytest.mark.parametrize(
    "args, message",
    [
        (("x1", "--role", "practitioner"), "give --authority"),
        (("x1", "--role", "lead", "--authority", "dudley"), "leave out --authority"),
        (("x1", "--role", "practitioner", "--authority", "atlantis"), "not a known authority"),
        (("pat", "--role", "lead"), "already exists"),
        (("bad name", "--role", "lead"), "user name"),
    ],
)
def test_bad_user_definitions_are_refused(region, query, assert_user_error, args, message):
    assert_user_error(region(*ADMIN, "user", "add", *args, "--no-password"), message)
    assert query("SELECT count(*) FROM users") == [(3,)]


# --- the SQLite file ---------------------------------------------------------------------------------------


def test_database_file_and_its_wal_and_shm_are_private(
    db_path, altar, tmp_path, write_csv, valid_row
):
    assert altar("import", write_csv(tmp_path / "f.csv", [valid_row("A-1")])).exit_code == 0
    # While a connection writes, SQLite keeps the -wal and -shm files beside the database.
    conn = sqlite3.connect(db_path)
    try:
        conn.execute("INSERT INTO meta (key, value) VALUES ('probe', 'x')")
        conn.commit()
        companions = [db_path.with_name(db_path.name + suffix) for suffix in ("-wal", "-shm")]
        assert all(p.exists() for p in companions)
        for path in (db_path, *companions):
            assert stat.S_IMODE(os.stat(path).st_mode) & 0o077 == 0, path
    finally:
        conn.close()


# --- chronologies and backups follow the same scope ---------------------------------------------------------------


def test_practitioner_chronology_reaches_only_their_authority(region, tmp_path, query):
    event = ("--date", "2019-03", "--agency", "education", "--type", "exclusion")
    assert region(*PAT, "chronology", "add", "DUD-1", *event).exit_code == 0
    for args in (
        ("add", "COV-1", *event),
        ("list", "COV-1"),
        ("remove", "COV-1", "1"),
        ("chart", "COV-1", "--out", str(tmp_path / "t.png")),
    ):
        result = region(*PAT, "chronology", *args)
        assert result.exit_code == NOT_FOUND, (args, result.output)
        assert "no case 'COV-1'" in result.stderr
    # A file naming another authority's child is refused by row, and nothing of it is written.
    file = tmp_path / "events.csv"
    file.write_text(
        "case_ref,date,agency,event_type,note\nDUD-2,2018-01,police,arrest,\n"
        "COV-1,2018-02,police,arrest,\n",
        encoding="utf-8",
    )
    result = region(*PAT, "chronology", "import", str(file))
    assert result.exit_code == 1 and "row 3" in result.stderr and "COV-1" in result.stderr, (
        result.output
    )
    assert query("SELECT c.case_ref FROM chronology_event e JOIN cases c ON c.id = e.case_id") == [
        ("DUD-1",)
    ]
    assert region(*LEAD, "chronology", "add", "COV-1", *event).exit_code == 0


def test_only_an_admin_backs_up(region, tmp_path, db_path):
    result = region(*LEAD, "backup", str(tmp_path / "copy.db"))
    assert result.exit_code == NOT_PERMITTED and "back up or restore" in result.stderr, (
        result.output
    )
    assert not (tmp_path / "copy.db").exists()
    assert region(*ADMIN, "backup", str(tmp_path / "copy.db")).exit_code == 0


def test_case_list_names_an_unknown_authority_instead_of_listing_nothing(region):
    result = region(*LEAD, "case", "list", "--authority", "Narnia")
    assert result.exit_code == 1, result.output
    assert "authority 'Narnia': not a known authority" in result.stderr
