"""`altar penpicture` through the real CLI on SQLite and PostgreSQL, and the
approved pen-pictures in the reports (read by structure with BeautifulSoup):
approved ones appear, drafts never, and no case reference ever does."""

from __future__ import annotations

import re
import stat
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

REF = "DUD-017"
TEXT = "A boy of fifteen, excluded from primary school.\nHe looked after his younger sister.\n\nHe liked football."


@pytest.fixture
def case(altar):
    for ref, authority, stratum in (
        (REF, "dudley", "custody"),
        ("COV-002", "coventry", "community"),
    ):
        result = altar("case", "add", ref, "--authority", authority, "--stratum", stratum)
        assert result.exit_code == 0, result.output
    return REF


def write(tmp_path, text: str, name: str = "picture.txt"):  # type: ignore[no-untyped-def]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def add(altar, tmp_path, ref: str = REF, title: str = "Excluded at eleven", text: str = TEXT):  # type: ignore[no-untyped-def]
    return altar("penpicture", "add", ref, "--title", title, "--from-file", write(tmp_path, text))


def stored(query) -> list[tuple]:  # type: ignore[no-untyped-def]
    return query(
        "SELECT p.id, c.case_ref, p.title, p.body, p.approved_by FROM pen_picture p "
        "JOIN cases c ON c.id = p.case_id ORDER BY p.id"
    )


def log(query, action: str | None = None) -> list[tuple]:  # type: ignore[no-untyped-def]
    rows = query(
        "SELECT action, case_ref, field, old_value, new_value, command FROM change_log "
        "WHERE entity = 'pen_picture' ORDER BY id"
    )
    return [r for r in rows if action is None or r[0] == action]


def editor(tmp_path, body: str):  # type: ignore[no-untyped-def]
    script = tmp_path / "fake_editor.py"
    script.write_text(
        f"#!{sys.executable}\nimport sys\npath = sys.argv[1]\n{body}", encoding="utf-8"
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script)


# --- writing -------------------------------------------------------------------------------------------------------


def test_add_from_file_stores_a_draft_without_comment_lines(case, altar, tmp_path, query):
    result = add(
        altar, tmp_path, title="  Excluded   at eleven ", text=f"# a note to self\n{TEXT}\n\n\n"
    )
    assert result.exit_code == 0, result.output
    assert "not yet approved" in result.stderr
    assert stored(query) == [(1, REF, "Excluded at eleven", TEXT, None)]
    (entry,) = log(query)
    assert entry[:3] == ("insert", REF, "#1") and entry[5] == "altar penpicture add"
    assert TEXT in entry[4]


def test_add_in_the_editor_shows_the_guidance_and_strips_it(case, altar, tmp_path, query):
    seen = tmp_path / "seen.txt"
    script = editor(
        tmp_path,
        f"text = open(path).read()\nopen({str(seen)!r}, 'w').write(text)\n"
        "open(path, 'a').write('A girl of fourteen.\\n')\n",
    )
    result = altar("penpicture", "add", REF, "--title", "T", env={"EDITOR": script})
    assert result.exit_code == 0, result.output
    guidance = seen.read_text()
    assert all(line.startswith("#") for line in guidance.splitlines() if line)
    assert "no names" in guidance.lower() and "case references" in guidance and REF in guidance
    assert stored(query) == [(1, REF, "T", "A girl of fourteen.", None)]


def test_typed_text_that_cannot_be_saved_is_kept(case, altar, tmp_path, query, assert_user_error):
    script = editor(tmp_path, "open(path, 'a').write('He told me: I am DUD-017.\\n')\n")
    result = altar("penpicture", "add", REF, "--title", "Who I am", env={"EDITOR": script})
    assert_user_error(result, "this child's case reference", "kept in")
    kept = Path(re.search(r"kept in (\S+):", result.stderr).group(1))
    assert "He told me: I am DUD-017." in kept.read_text(encoding="utf-8")
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert f"altar penpicture add {REF} --title 'Who I am' --from-file {kept}" in result.stderr
    kept.unlink()
    assert stored(query) == []


def test_editor_left_empty_saves_nothing(case, altar, tmp_path, query):
    result = altar(
        "penpicture", "add", REF, "--title", "T", env={"EDITOR": editor(tmp_path, "pass\n")}
    )
    assert result.exit_code == 0, result.output
    assert "no pen-picture saved" in result.stderr
    assert stored(query) == [] and log(query) == []


@pytest.mark.parametrize(
    "title, text, fragments",
    [
        ("x" * 121, TEXT, ["title", "121 characters", "at most 120"]),
        ("", TEXT, ["title", "needs a title"]),
        ("T", "word " * 400 + "x", ["body", "2,001 characters", "at most 2,000"]),
        ("T", "# only a comment\n", ["holds no text"]),
        ("T", "As dud-017 told his worker.", ["body", "'DUD-017'", "this child's case reference"]),
        ("Like COV-002", TEXT, ["title", "'COV-002'", "another child"]),
    ],
)
def test_bad_pen_pictures_are_refused_and_nothing_is_written(
    case, altar, tmp_path, query, assert_user_error, title, text, fragments
):
    assert_user_error(add(altar, tmp_path, title=title, text=text), *fragments, exit_code=1)
    assert stored(query) == [] and log(query) == []


def test_a_longer_reference_containing_a_case_ref_is_not_that_case_ref(
    case, altar, tmp_path, query
):
    text = "Seen under DUD-0170 and XCOV-002 elsewhere."
    result = add(
        altar, tmp_path, text=text + " " * (2000 - len(text) - 1) + "."
    )  # 2,000 characters: the most
    assert result.exit_code == 0, result.output
    assert len(stored(query)[0][3]) == 2000


def test_unknown_case_is_not_found(case, altar, tmp_path, assert_user_error):
    assert_user_error(add(altar, tmp_path, ref="NOPE-1"), "NOPE-1", exit_code=3)
    # checked before the editor opens (this one would fail), so nobody writes for nothing
    assert_user_error(
        altar("penpicture", "add", "NOPE-1", "--title", "T", env={"EDITOR": "false"}),
        "NOPE-1",
        exit_code=3,
    )
    assert_user_error(altar("penpicture", "approve", 9), "no pen-picture 9", exit_code=3)


# --- approval ------------------------------------------------------------------------------------------------------


def test_approve_then_edit_withdraws_approval_and_keeps_the_old_text(case, altar, tmp_path, query):
    assert add(altar, tmp_path).exit_code == 0
    result = altar("penpicture", "approve", 1, env={"ALTAR_USER": "lead"})
    assert result.exit_code == 0, result.output
    assert "approved" in result.stderr and "dudley" in result.stderr
    assert stored(query)[0][4] == "lead"
    script = editor(
        tmp_path,
        "text = open(path).read()\nopen(path, 'w').write(text.replace('football', 'boxing'))\n",
    )
    result = altar("penpicture", "edit", 1, env={"EDITOR": script})
    assert result.exit_code == 0, result.output
    assert "approval is withdrawn" in result.stderr
    assert stored(query) == [
        (1, REF, "Excluded at eleven", TEXT.replace("football", "boxing"), None)
    ]
    updates = log(query, "update")
    assert [u[2] for u in updates] == ["#1 approved", "#1 body", "#1 approved"]
    assert (
        updates[1][3] == TEXT
        and updates[2][3].startswith("approved by lead")
        and updates[2][4] is None
    )


def test_editing_only_the_title_does_not_open_the_editor(case, altar, tmp_path, query):
    assert add(altar, tmp_path).exit_code == 0
    result = altar(
        "penpicture", "edit", 1, "--title", "Out of school at eleven", env={"EDITOR": "false"}
    )
    assert result.exit_code == 0, result.output
    assert stored(query)[0][2] == "Out of school at eleven"
    assert "withdrawn" not in result.stderr  # it was never approved


def test_an_unchanged_edit_keeps_approval(case, altar, tmp_path, query):
    assert add(altar, tmp_path).exit_code == 0
    assert altar("penpicture", "approve", 1, env={"ALTAR_USER": "lead"}).exit_code == 0
    result = altar("penpicture", "edit", 1, "--from-file", write(tmp_path, TEXT, "same.txt"))
    assert result.exit_code == 0, result.output
    assert "No change" in result.stderr and stored(query)[0][4] == "lead"


def test_withdraw_and_approve_twice(case, altar, tmp_path, query):
    assert add(altar, tmp_path).exit_code == 0
    assert "was not approved" in altar("penpicture", "withdraw", 1).stderr
    assert altar("penpicture", "approve", 1).exit_code == 0
    assert "already approved" in altar("penpicture", "approve", 1).stderr
    assert "withdrawn" in altar("penpicture", "withdraw", 1).stderr
    assert stored(query)[0][4] is None
    assert [u[2] for u in log(query, "update")] == ["#1 approved", "#1 approved"]


def test_approval_checks_again_for_case_refs_added_since(
    case, altar, tmp_path, query, assert_user_error
):
    assert add(altar, tmp_path, text="He called himself Ace-9 online.").exit_code == 0
    assert (
        altar("case", "add", "ACE-9", "--authority", "dudley", "--stratum", "custody").exit_code
        == 0
    )
    assert_user_error(altar("penpicture", "approve", 1), "'ACE-9'", "another child")
    assert stored(query)[0][4] is None


# --- reading -------------------------------------------------------------------------------------------------------


def test_list_filters_and_formats(case, altar, tmp_path, read_csv):
    for ref, title in ((REF, "First"), ("COV-002", "Second"), (REF, "Third")):
        assert add(altar, tmp_path, ref=ref, title=title).exit_code == 0
    assert altar("penpicture", "approve", 2).exit_code == 0

    def titles(*args: str) -> list[str]:
        result = altar("penpicture", "list", "--format", "csv", *args)
        assert result.exit_code == 0, result.output
        rows = read_csv(result.stdout)
        return [dict(zip(rows[0], r))["title"] for r in rows[1:]]

    assert titles() == ["First", "Second", "Third"]
    assert titles("--approved") == ["Second"]
    assert titles("--unapproved") == ["First", "Third"]
    assert titles("--authority", "Dudley") == ["First", "Third"]
    table = altar("penpicture", "list")
    assert table.stdout.splitlines()[0].split()[:5] == [
        "id",
        "case_ref",
        "authority",
        "stratum",
        "status",
    ]
    assert "3 pen-picture(s)" in table.stderr


def test_show_prints_the_whole_text(case, altar, tmp_path):
    assert add(altar, tmp_path).exit_code == 0
    result = altar("penpicture", "show", 1)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Pen-picture 1: Excluded at eleven\n")
    assert (
        REF in result.stdout
        and "draft" in result.stdout
        and result.stdout.rstrip().endswith("He liked football.")
    )


# --- in the reports ------------------------------------------------------------------------------------------------

SCRIPT = "<script>alert('x')</script>"


@pytest.fixture
def cohort(altar, tmp_path, write_csv, valid_row):
    """Eight children in custody in Dudley, three out of court in Coventry."""
    rows = [valid_row(f"DUD-{i:03}", stratum="custody") for i in range(8)]
    rows += [
        valid_row(f"COV-{i:03}", authority="coventry", stratum="out_of_court") for i in range(3)
    ]
    result = altar("import", write_csv(tmp_path / "cohort.csv", rows))
    assert result.exit_code == 0, result.output
    return [r["case_ref"] for r in rows]


def test_reports_show_approved_pen_pictures_only_and_never_a_case_ref(cohort, altar, tmp_path):
    pictures = [
        ("COV-001", "Coventry approved", "Out of court at twelve."),
        ("DUD-003", "Dudley approved", f"He wrote {SCRIPT} in his diary.\n\nA second paragraph."),
        ("DUD-004", "Dudley draft", "Never to be published."),
    ]
    for ref, title, text in pictures:
        assert add(altar, tmp_path, ref=ref, title=title, text=text).exit_code == 0
    for picture_id in (1, 2):  # approval order: Coventry first
        assert altar("penpicture", "approve", picture_id).exit_code == 0
    out = tmp_path / "reports"
    for args in (("regional",), ("authority", "--all")):
        result = altar("report", *args, "--format", "html", "--out", out)
        assert result.exit_code == 0, result.output

    def stories(name: str) -> list:  # type: ignore[type-arg]
        html = (out / f"{name}.html").read_text(encoding="utf-8")
        assert not [ref for ref in cohort if ref in html], name
        assert "Dudley draft" not in html and "Never to be published" not in html
        return BeautifulSoup(html, "html.parser").select("#stories article.pen-picture")

    regional = stories("regional-report")
    assert [a.h3.get_text() for a in regional] == ["Coventry approved", "Dudley approved"]
    # Three children out of court is under the threshold of 6: that stratum is not named.
    assert [
        a.select_one(".stratum").get_text() if a.select_one(".stratum") else "" for a in regional
    ] == ["", "Custody"]
    dudley = regional[1]
    assert not dudley.select("script")
    assert SCRIPT in dudley.get_text()
    assert [p.get_text() for p in dudley.select("p:not(.stratum)")] == [
        f"He wrote {SCRIPT} in his diary.",
        "A second paragraph.",
    ]
    summary = stories("summary-dudley")
    assert [a.h3.get_text() for a in summary] == ["Dudley approved"] and not summary[0].select(
        ".stratum"
    )
    assert [a.h3.get_text() for a in stories("summary-coventry")] == ["Coventry approved"]


def test_withdrawn_pen_picture_leaves_the_report(cohort, altar, tmp_path):
    assert (
        add(altar, tmp_path, ref="DUD-001", title="Gone again", text="A short portrait.").exit_code
        == 0
    )
    for command in ("approve", "withdraw"):
        assert altar("penpicture", command, 1).exit_code == 0
    result = altar("report", "regional", "--format", "html", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    page = BeautifulSoup(
        (tmp_path / "regional-report.html").read_text(encoding="utf-8"), "html.parser"
    )
    assert "Gone again" not in page.get_text()
    assert "no case stories yet" in page.select_one("#stories").get_text()


def test_a_deleted_cases_approved_pen_picture_leaves_the_reports(
    cohort, altar, tmp_path, assert_user_error
):
    assert (
        add(
            altar, tmp_path, ref="DUD-001", title="Deleted since", text="A short portrait."
        ).exit_code
        == 0
    )
    assert altar("penpicture", "approve", 1).exit_code == 0
    assert altar("case", "delete", "DUD-001").exit_code == 0
    out = tmp_path / "reports"
    for args in (("regional",), ("authority", "dudley")):
        result = altar("report", *args, "--format", "html", "--out", out)
        assert result.exit_code == 0, result.output
    for name in ("regional-report", "summary-dudley"):
        assert "Deleted since" not in (out / f"{name}.html").read_text(encoding="utf-8"), name
    assert "0 pen-picture(s)" in altar("penpicture", "list").stderr
    assert_user_error(altar("penpicture", "show", 1), "no pen-picture 1", exit_code=3)
    assert_user_error(altar("penpicture", "approve", 1), "no pen-picture 1", exit_code=3)


# --- the identifying-detail check: published text has no --force ---------------------------------------------------


def test_identifying_details_are_refused_and_nothing_is_written(
    case, altar, tmp_path, query, assert_user_error
):
    result = add(
        altar, tmp_path, title="Kai at home", text="He lived near B12 9QT.\n\nHe liked football."
    )
    assert_user_error(
        result,
        "section title, line 1: name 'Kai'",
        "section body, line 1: postcode 'B12 9QT'",
        "nothing was saved",
    )
    assert stored(query) == [] and log(query) == []


def test_approval_checks_again_for_names_watched_since(
    case, altar, tmp_path, query, assert_user_error
):
    assert add(altar, tmp_path, text="Mr Okafor, his youth worker, stood by him.").exit_code == 0
    assert altar("story", "terms", "add", "--kind", "name", "Okafor").exit_code == 0
    assert_user_error(altar("penpicture", "approve", 1), "not approved", "name 'Okafor'")
    assert stored(query)[0][4] is None


# --- who may write and approve them ----------------------------------------------------------------------------------

PAT, LENA = (
    ("--user", "pat"),
    ("--user", "lena"),
)  # a practitioner of Dudley and a lead (conftest add_users)


def test_pen_pictures_are_the_lead_researchers(
    case, altar, add_users, tmp_path, query, assert_user_error
):
    assert add(altar, tmp_path).exit_code == 0  # single-user mode may do anything
    add_users()
    before = stored(query), log(query)
    text = write(tmp_path, "A girl of fourteen.")
    for args in (
        ("add", REF, "--title", "T", "--from-file", text),
        ("edit", "1", "--title", "New"),
        ("list",),
        ("show", "1"),
    ):
        assert_user_error(
            altar(*PAT, "penpicture", *args), "only a lead or an admin", "'pat'", exit_code=9
        )
    for command in ("approve", "withdraw"):
        result = altar(*PAT, "penpicture", command, "1")
        assert_user_error(result, "only a lead or an admin may approve pen-pictures", exit_code=9)
    assert (stored(query), log(query)) == before
    approved = altar(*LENA, "penpicture", "approve", "1")
    assert approved.exit_code == 0, approved.output
    assert stored(query)[0][4] == "lena"
    other = altar(*LENA, "penpicture", "add", "COV-002", "--title", "T", "--from-file", text)
    assert other.exit_code == 0, other.output
    assert query("SELECT written_by FROM pen_picture WHERE id = 2") == [("lena",)]
