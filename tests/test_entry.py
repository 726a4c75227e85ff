"""Entering one case by hand: `altar case add`, `altar screening form` and
`altar screening enter` (from a file and through the real $EDITOR)."""

from __future__ import annotations

import json
import re
import stat
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml

from altar.resources import codebooks_dir

REF = "DUD-017"


@pytest.fixture(scope="module")
def yaml_labels() -> dict[str, str]:
    raw = yaml.safe_load((codebooks_dir() / "altar-screening_v1.yaml").read_text(encoding="utf-8"))
    return {i["code"]: " ".join(i["label"].split()) for g in raw["groups"] for i in g["items"]}


@pytest.fixture
def case(altar):
    result = altar(
        "case",
        "add",
        REF,
        "--authority",
        "dudley",
        "--stratum",
        "community",
        "--sex",
        "male",
        "--age",
        "15",
        "--screened-on",
        "2021-06-30",
    )
    assert result.exit_code == 0, result.output
    return REF


@pytest.fixture
def form_text(altar):
    def fetch(ref: str = REF, *extra: str) -> str:
        result = altar("screening", "form", ref, *extra)
        assert result.exit_code == 0, result.output
        return result.stdout

    return fetch


def _fill(text: str, answers: dict[str, str]) -> str:
    """Write answers after the colons of a printed form, as a practitioner would."""
    out = []
    for line in text.splitlines():
        match = re.match(r"^([a-z_]+):\s*(.*)$", line)
        if match and match.group(1) in answers:
            line = f"{match.group(1)}: {answers[match.group(1)]}"
        out.append(line)
    return "\n".join(out) + "\n"


def _status(altar, ref=REF):  # type: ignore[no-untyped-def]
    result = altar("case", "list", "--format", "json")
    assert result.exit_code == 0, result.output
    return {r["case_ref"]: r for r in json.loads(result.stdout)}[ref]


def _answers(query, ref=REF):  # type: ignore[no-untyped-def]
    rows = query(
        "SELECT a.item_code, a.value, a.count FROM answer a JOIN screening s ON s.id = a.screening_id "
        "JOIN cases c ON c.id = s.case_id WHERE c.case_ref = ?",
        (ref,),
    )
    return {code: (value, count) for code, value, count in rows}


# --- altar case add ------------------------------------------------------------------


def test_case_add_stores_the_case(case, query):
    rows = query(
        "SELECT c.case_ref, a.code, c.stratum, c.cohort, c.sex, c.ethnicity, c.age, s.screened_on, s.status "
        "FROM cases c JOIN authority a ON a.id = c.authority_id JOIN screening s ON s.case_id = c.id"
    )
    assert rows == [
        (REF, "dudley", "community", "main", "male", "unknown", 15, "2021-06-30", "in_progress")
    ]
    assert query("SELECT count(*) FROM answer") == [(0,)]
    assert query("SELECT action, entity, case_ref FROM change_log") == [("insert", "case", REF)]


def test_case_add_defaults(altar, query):
    result = altar("case", "add", "COV-1", "--authority", "Coventry", "--stratum", "out_of_court")
    assert result.exit_code == 0, result.output
    rows = query(
        "SELECT c.cohort, c.sex, c.ethnicity, c.age, s.screened_on FROM cases c "
        "JOIN screening s ON s.case_id = c.id"
    )
    assert rows == [("main", "unknown", "unknown", None, date.today().isoformat())]


def test_case_add_shows_in_case_list_as_not_complete(case, altar):
    row = _status(altar)
    assert row["status"] == "not_started"
    assert row["answered"] == 0
    assert row["unknown"] == 0  # nothing answered is not the same as answered "unknown"
    assert row["authority"] == "dudley"


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["--authority", "atlantis", "--stratum", "custody"], "authority"),
        (["--authority", "dudley", "--stratum", "custody", "--age", "9"], "age"),
        (["--authority", "dudley", "--stratum", "custody", "--age", "19"], "age"),
        (["--authority", "dudley", "--stratum", "custody", "--age", "old"], "age"),
        (
            ["--authority", "dudley", "--stratum", "custody", "--screened-on", "2020-13-01"],
            "screened_on",
        ),
        (
            [
                "--authority",
                "dudley",
                "--stratum",
                "custody",
                "--screened-on",
                (date.today() + timedelta(days=2)).isoformat(),
            ],
            "future",
        ),
    ],
    ids=["authority", "age-9", "age-19", "age-text", "bad-date", "future-date"],
)
def test_case_add_rejects_bad_values(altar, query, assert_user_error, args, fragment):
    result = altar("case", "add", "BAD-1", *args)
    assert_user_error(result, fragment)
    assert query("SELECT count(*) FROM cases") == [(0,)]


@pytest.mark.parametrize(
    "option, value",
    [("--stratum", "prison"), ("--cohort", "gangs"), ("--sex", "boy"), ("--ethnicity", "x")],
)
def test_case_add_rejects_bad_choices(altar, query, option, value):
    args = {"--authority": "dudley", "--stratum": "custody", option: value}
    result = altar("case", "add", "BAD-1", *[x for pair in args.items() for x in pair])
    assert result.exit_code == 2, result.output
    assert option in result.stderr and value in result.stderr
    assert "Traceback" not in result.output
    assert query("SELECT count(*) FROM cases") == [(0,)]


@pytest.mark.parametrize("ref", ["JS-2008-05-12", "12/05/2008", "=HYPERLINK(1)", "two words"])
def test_case_add_rejects_bad_references(altar, query, assert_user_error, ref):
    result = altar("case", "add", ref, "--authority", "dudley", "--stratum", "custody")
    assert_user_error(result, "case_ref")
    assert query("SELECT count(*) FROM cases") == [(0,)]


def test_case_add_duplicate_is_refused(case, altar, query, assert_user_error):
    result = altar("case", "add", REF, "--authority", "coventry", "--stratum", "custody")
    assert_user_error(result, REF, "already exists")
    assert query("SELECT a.code FROM cases c JOIN authority a ON a.id = c.authority_id") == [
        ("dudley",)
    ]


def test_case_show(case, altar, yaml_labels):
    result = altar("case", "show", REF)
    assert result.exit_code == 0, result.output
    assert REF in result.stdout and "dudley" in result.stdout
    for label in yaml_labels.values():
        assert label in result.stdout
    as_json = json.loads(altar("case", "show", REF, "--json").stdout)
    assert as_json["case_ref"] == REF and as_json["age"] == 15 and as_json["answers"] == {}


# --- altar screening form ----------------------------------------------------------------


def test_form_lists_every_item_code_and_label(case, form_text, spec, yaml_labels):
    text = form_text()
    form_lines = {
        line.split(":")[0] for line in text.splitlines() if not line.startswith("#") and ":" in line
    }
    assert set(spec.items) <= form_lines
    for code in spec.items:
        assert re.search(rf"^{code}:\s*$", text, re.MULTILINE), f"{code} should be unanswered"
        assert yaml_labels[code] in text, yaml_labels[code]
    assert re.search(r"^screened_on: 2021-06-30$", text, re.MULTILINE)


def test_form_for_missing_case_fails_cleanly(altar, assert_user_error):
    assert_user_error(altar("screening", "form", "NOPE-1"), "NOPE-1", exit_code=3)


def test_form_for_one_group_only_shows_that_group(case, form_text, spec):
    text = form_text(REF, "--group", "education")
    answer_lines = {
        line.split(":")[0] for line in text.splitlines() if re.match(r"^[a-z_]+:", line)
    }
    education = {c for c in spec.items if spec.item_group[c] == "education"}
    assert answer_lines - {"screened_on", "screened_by"} == education


def test_form_unknown_group_fails_cleanly(case, altar, assert_user_error):
    assert_user_error(altar("screening", "form", REF, "--group", "astrology"), "astrology")


# --- altar screening enter --from ----------------------------------------------------------


def test_enter_some_answers_saves_them_in_progress(case, altar, form_text, tmp_path, query):
    filled = _fill(
        form_text(),
        {
            "ace_physical_abuse": "yes",
            "bullying": "s",
            "poverty": "N",
            "exclusions_fixed_term_count": "4",
            "secondary_schools_count": "unknown",
            "trusted_adult": "u",
        },
    )
    path = tmp_path / "form.txt"
    path.write_text(filled, encoding="utf-8")
    result = altar("screening", "enter", REF, "--from", path)
    assert result.exit_code == 0, result.output
    assert "in progress" in result.stderr
    assert _answers(query) == {
        "ace_physical_abuse": ("yes", None),
        "bullying": ("suspected", None),
        "poverty": ("no", None),
        "exclusions_fixed_term_count": (None, 4),
        "secondary_schools_count": (None, None),
        "trusted_adult": ("unknown", None),
    }
    row = _status(altar)
    assert row["status"] == "in_progress" and row["answered"] == 6


def test_enter_every_item_makes_the_screening_complete(
    case, altar, form_text, tmp_path, spec, query
):
    answers = {code: ("3" if spec.types[code] == "count" else "no") for code in spec.items}
    answers["self_harm"] = "suspected"
    path = tmp_path / "form.txt"
    path.write_text(_fill(form_text(), answers), encoding="utf-8")
    result = altar("screening", "enter", REF, "--from", path)
    assert result.exit_code == 0, result.output
    assert "complete" in result.stderr
    row = _status(altar)
    assert row["status"] == "complete"
    assert row["answered"] == 44
    assert query("SELECT status FROM screening") == [("complete",)]
    stored = _answers(query)
    assert len(stored) == 44 and stored["self_harm"] == ("suspected", None)
    assert stored["secondary_schools_count"] == (None, 3)


def test_enter_bad_answer_names_the_item_and_writes_nothing(
    case, altar, form_text, tmp_path, query, assert_user_error
):
    path = tmp_path / "form.txt"
    path.write_text(
        _fill(form_text(), {"ace_physical_abuse": "yes", "bullying": "maybe"}), encoding="utf-8"
    )
    result = altar("screening", "enter", REF, "--from", path)
    assert_user_error(result, "bullying", "maybe")
    assert "ace_physical_abuse" not in result.stderr
    assert _answers(query) == {}
    assert query("SELECT count(*) FROM change_log WHERE action = 'update'") == [(0,)]


@pytest.mark.parametrize(
    "line, fragment",
    [
        ("exclusions_fixed_term_count: -3", "exclusions_fixed_term_count"),
        ("secondary_schools_count: 31", "secondary_schools_count"),
        ("favourite_colour: blue", "favourite_colour"),
    ],
)
def test_enter_other_bad_lines_write_nothing(
    case, altar, form_text, tmp_path, query, assert_user_error, line, fragment
):
    path = tmp_path / "form.txt"
    path.write_text(form_text() + line + "\n", encoding="utf-8")
    assert_user_error(altar("screening", "enter", REF, "--from", path), fragment)
    assert _answers(query) == {}


def test_enter_same_item_twice_is_refused(
    case, altar, form_text, tmp_path, query, assert_user_error
):
    path = tmp_path / "form.txt"
    path.write_text(_fill(form_text(), {"send": "yes"}) + "send: no\n", encoding="utf-8")
    assert_user_error(altar("screening", "enter", REF, "--from", path), "send", "twice")
    assert _answers(query) == {}


def test_amending_an_answer_logs_old_and_new(case, altar, form_text, tmp_path, query):
    path = tmp_path / "form.txt"
    path.write_text(_fill(form_text(), {"ace_physical_abuse": "yes"}), encoding="utf-8")
    assert altar("screening", "enter", REF, "--from", path).exit_code == 0
    amended = form_text()
    assert re.search(
        r"^ace_physical_abuse: yes$", amended, re.MULTILINE
    )  # the form shows what is stored
    path.write_text(_fill(amended, {"ace_physical_abuse": "no"}), encoding="utf-8")
    result = altar("--user", "amender", "screening", "enter", REF, "--from", path)
    assert result.exit_code == 0, result.output
    assert _answers(query)["ace_physical_abuse"] == ("no", None)
    log = query(
        "SELECT actor, old_value, new_value FROM change_log "
        "WHERE entity = 'answer' AND field = 'ace_physical_abuse' ORDER BY id"
    )
    assert [(old, new) for _, old, new in log] == [(None, "yes"), ("yes", "no")]
    assert log[-1][0] == "amender"


def test_group_option_only_changes_that_group(case, altar, form_text, tmp_path, spec, query):
    path = tmp_path / "form.txt"
    path.write_text(
        _fill(form_text(), {"ace_physical_abuse": "yes", "send": "no"}), encoding="utf-8"
    )
    assert altar("screening", "enter", REF, "--from", path).exit_code == 0

    (last_log_id,) = query("SELECT max(id) FROM change_log")[0]
    education = [c for c in spec.items if spec.item_group[c] == "education"]
    answers = {code: ("2" if spec.types[code] == "count" else "yes") for code in education}
    # also try to change an item outside the group: it must be ignored
    text = _fill(form_text(REF, "--group", "education"), answers) + "ace_physical_abuse: no\n"
    path.write_text(text, encoding="utf-8")
    result = altar("screening", "enter", REF, "--group", "education", "--from", path)
    assert result.exit_code == 0, result.output

    stored = _answers(query)
    assert stored["ace_physical_abuse"] == ("yes", None)
    assert set(stored) == {"ace_physical_abuse", *education}
    assert all(stored[c] == ("yes", None) for c in education if spec.types[c] == "binary")
    assert stored["secondary_schools_count"] == (None, 2)
    logged = {f for (f,) in query("SELECT field FROM change_log WHERE id > ?", (last_log_id,))}
    assert logged == set(education)


def test_enter_for_missing_case_fails_cleanly(altar, tmp_path, assert_user_error):
    path = tmp_path / "form.txt"
    path.write_text("ace_physical_abuse: yes\n", encoding="utf-8")
    assert_user_error(altar("screening", "enter", "NOPE-1", "--from", path), "NOPE-1", exit_code=3)


# --- the real $EDITOR ---------------------------------------------------------------------


def _editor(tmp_path, body: str):  # type: ignore[no-untyped-def]
    script = tmp_path / "fake_editor.py"
    script.write_text(
        f"#!{sys.executable}\nimport sys\npath = sys.argv[1]\n{body}", encoding="utf-8"
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


ANSWER_PHYSICAL_ABUSE = """\
with open(path, encoding="utf-8") as f:
    lines = f.read().splitlines()
lines = ["ace_physical_abuse: yes" if line.strip() == "ace_physical_abuse:" else line for line in lines]
with open(path, "w", encoding="utf-8") as f:
    f.write("\\n".join(lines) + "\\n")
"""


def test_editor_answer_is_stored(case, altar, tmp_path, query):
    script = _editor(tmp_path, ANSWER_PHYSICAL_ABUSE)
    result = altar("screening", "enter", REF, env={"EDITOR": str(script)})
    assert result.exit_code == 0, result.output
    assert _answers(query) == {"ace_physical_abuse": ("yes", None)}
    assert "in progress" in result.stderr


def test_visual_wins_over_editor(case, altar, tmp_path, query):
    script = _editor(tmp_path, ANSWER_PHYSICAL_ABUSE)
    result = altar("screening", "enter", REF, env={"VISUAL": str(script), "EDITOR": "false"})
    assert result.exit_code == 0, result.output
    assert _answers(query) == {"ace_physical_abuse": ("yes", None)}


def test_editor_that_changes_nothing_stores_nothing(case, altar, tmp_path, query):
    script = _editor(tmp_path, "pass\n")
    result = altar("screening", "enter", REF, env={"EDITOR": str(script)})
    assert result.exit_code == 0, result.output
    assert "No changes" in result.stderr
    assert _answers(query) == {}
    assert query("SELECT count(*) FROM change_log WHERE action = 'update'") == [(0,)]


def test_editor_form_emptied_cancels(case, altar, tmp_path, query):
    script = _editor(tmp_path, "open(path, 'w').write('# all gone\\n')\n")
    result = altar("screening", "enter", REF, env={"EDITOR": str(script)})
    assert result.exit_code == 0, result.output
    assert "No changes" in result.stderr
    assert _answers(query) == {}


def test_editor_bad_answer_without_terminal_writes_nothing(
    case, altar, tmp_path, query, assert_user_error
):
    script = _editor(
        tmp_path,
        ANSWER_PHYSICAL_ABUSE.replace("ace_physical_abuse: yes", "ace_physical_abuse: maybe"),
    )
    result = altar("screening", "enter", REF, env={"EDITOR": str(script)})
    assert_user_error(result, "ace_physical_abuse", "maybe")
    assert _answers(query) == {}


def test_editor_save_survives_another_write_while_editing(case, altar, tmp_path, db, query):
    # Another process writes while the form is open: it must not wait on a
    # lock that altar holds (SQLite would make it wait 30 s, then fail).
    body = (
        "import subprocess\n"
        f"subprocess.run([{sys.executable!r}, '-m', 'altar', '--db', {str(db)!r}, 'authority', 'add', "
        "'colleague', 'Added meanwhile'], check=True, capture_output=True, timeout=20)\n"
    ) + ANSWER_PHYSICAL_ABUSE
    script = _editor(tmp_path, body)
    result = altar("screening", "enter", REF, env={"EDITOR": str(script)})
    assert query("SELECT name FROM authority WHERE code = 'colleague'") == [("Added meanwhile",)]
    assert result.exit_code == 0, result.output
    assert _answers(query) == {"ace_physical_abuse": ("yes", None)}


def test_a_colleagues_change_while_editing_is_not_overwritten_and_the_form_is_kept(
    case, altar, tmp_path, db, query
):
    # While our editor is open, a colleague answers bullying for the same case.
    colleague = tmp_path / "colleague.txt"
    colleague.write_text("bullying: suspected\n", encoding="utf-8")
    body = (
        "import subprocess\n"
        f"subprocess.run([{sys.executable!r}, '-m', 'altar', '--db', {str(db)!r}, 'screening', 'enter', "
        f"{REF!r}, '--from', {str(colleague)!r}], check=True, capture_output=True)\n"
    ) + ANSWER_PHYSICAL_ABUSE
    result = altar("screening", "enter", REF, env={"EDITOR": str(_editor(tmp_path, body))})
    assert result.exit_code == 7, result.output
    assert "changed by someone else" in result.stderr and "Traceback" not in result.output
    assert _answers(query) == {"bullying": ("suspected", None)}
    kept = Path(result.stderr.split("kept in ")[1].split(":")[0])
    assert "ace_physical_abuse: yes" in kept.read_text(encoding="utf-8")
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    # Applying the kept form afterwards works and keeps the colleague's answer.
    again = altar("screening", "enter", REF, "--from", kept)
    assert again.exit_code == 0, again.output
    assert _answers(query) == {"bullying": ("suspected", None), "ace_physical_abuse": ("yes", None)}
    kept.unlink()


def test_blank_keeps_a_stored_answer_and_unanswered_withdraws_it(case, altar, tmp_path, query):
    first = tmp_path / "first.txt"
    first.write_text("bullying: yes\nace_physical_abuse: no\n", encoding="utf-8")
    assert altar("screening", "enter", REF, "--from", first).exit_code == 0
    second = tmp_path / "second.txt"
    second.write_text("bullying:\nace_physical_abuse: unanswered\n", encoding="utf-8")
    result = altar("screening", "enter", REF, "--from", second)
    assert result.exit_code == 0, result.output
    assert _answers(query) == {"bullying": ("yes", None)}
    logged = query(
        "SELECT field, old_value, new_value FROM change_log WHERE field = 'ace_physical_abuse' "
        "ORDER BY id"
    )
    assert logged[-1] == ("ace_physical_abuse", "no", None)


@pytest.mark.postgresql_only
def test_a_colleagues_save_in_flight_on_a_server_is_waited_for_not_overwritten(
    case, altar, db, tmp_path, query
):
    # A colleague's save of the same case has locked it and changed bullying
    # from no to yes, but not yet committed. Ours must wait for it, then see
    # the conflict, rather than overwrite their answer unseen.
    import subprocess
    import time

    import psycopg

    form = tmp_path / "form.txt"
    form.write_text("bullying: no\n", encoding="utf-8")
    assert altar("screening", "enter", REF, "--from", form).exit_code == 0
    colleague = psycopg.connect(db.replace("postgresql+psycopg://", "postgresql://"))
    colleague.execute("SELECT id FROM cases WHERE case_ref = %s FOR UPDATE", (REF,))
    colleague.execute("UPDATE answer SET value = 'yes' WHERE item_code = 'bullying'")
    form.write_text("bullying: suspected\n", encoding="utf-8")
    ours = subprocess.Popen(
        [sys.executable, "-m", "altar", "--db", db, "screening", "enter", REF, "--from", form],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    waiting = "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
    deadline = time.monotonic() + 30
    while query(waiting) != [(1,)] and ours.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    colleague.commit()
    colleague.close()
    _, stderr = ours.communicate(timeout=60)
    assert ours.returncode == 7, stderr
    assert "changed by someone else" in stderr
    assert _answers(query) == {"bullying": ("yes", None)}
    Path(stderr.split("kept in ")[1].split(":")[0]).unlink()
