"""altar chronology add|list|remove|import|template|chart and the
chronology section of altar stats, through the real CLI on both backends.
Stored rows are read back with plain SQL, never through altar."""

from __future__ import annotations

import json
import stat
from datetime import date, timedelta

import pytest

from altar.vocab import AGENCIES, EVENT_TYPES


@pytest.fixture
def cases(altar):
    """Two cases: DUD-1 (custody, 15 at screening on 2021-03-04) and DUD-2 (community, age unknown)."""
    for ref, stratum, age in (("DUD-1", "custody", "15"), ("DUD-2", "community", "unknown")):
        result = altar(
            "case",
            "add",
            ref,
            "--authority",
            "dudley",
            "--stratum",
            stratum,
            "--age",
            age,
            "--screened-on",
            "2021-03-04",
        )
        assert result.exit_code == 0, result.output
    return altar


def add(altar, ref, when, agency, kind, *extra):
    result = altar(
        "--user",
        "res1",
        "chronology",
        "add",
        ref,
        "--date",
        when,
        "--agency",
        agency,
        "--type",
        kind,
        *extra,
    )
    assert result.exit_code == 0, result.output
    return result


def listed(altar, ref):
    result = altar("chronology", "list", ref, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def events_in_db(query):
    return query(
        "SELECT c.case_ref, e.occurred_on, e.date_precision, e.agency, e.event_type, e.note, e.recorded_by "
        "FROM chronology_event e JOIN cases c ON c.id = e.case_id ORDER BY c.case_ref, e.occurred_on"
    )


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


# --- add and list ---------------------------------------------------------------------------------------------


def test_add_and_list_in_date_order(cases, query):
    add(cases, "DUD-1", "2019-06-20", "courts", "court_outcome", "--note", "referral order")
    add(cases, "DUD-1", "2010-03", "children's social care", "Referral")
    add(cases, "DUD-1", "2019-03-04", "Police", "arrest")
    assert events_in_db(query) == [
        ("DUD-1", "2010-03-01", "month", "social_care", "referral", None, "res1"),
        ("DUD-1", "2019-03-04", "day", "police", "arrest", None, "res1"),
        ("DUD-1", "2019-06-20", "day", "courts", "court_outcome", "referral order", "res1"),
    ]
    rows = listed(cases, "DUD-1")
    assert [(r["date"], r["agency"], r["event_type"], r["note"]) for r in rows] == [
        ("2010-03", "social_care", "referral", None),
        ("2019-03-04", "police", "arrest", None),
        ("2019-06-20", "courts", "court_outcome", "referral order"),
    ]
    table = cases("chronology", "list", "DUD-1")
    assert table.exit_code == 0 and "2010-03 " in table.stdout and "2010-03-01" not in table.stdout
    assert "3 event(s)" in table.stderr
    assert listed(cases, "DUD-2") == []


def test_every_add_is_in_the_change_log(cases, query):
    add(cases, "DUD-1", "2016-09", "education", "exclusion", "--note", "fixed term")
    (event_id,) = [r["id"] for r in listed(cases, "DUD-1")]
    log = query(
        "SELECT actor, command, action, entity, case_ref, field, old_value, new_value FROM change_log "
        "WHERE entity = 'chronology_event'"
    )
    assert log == [
        (
            "res1",
            "altar chronology add",
            "insert",
            "chronology_event",
            "DUD-1",
            f"event {event_id}",
            None,
            "2016-09 education exclusion: fixed term",
        )
    ]


def test_bad_input_lists_every_problem_and_writes_nothing(cases, query, assert_user_error):
    result = cases(
        "chronology",
        "add",
        "DUD-1",
        "--date",
        "2099-01",
        "--agency",
        "fire service",
        "--type",
        "nap",
        "--note",
        "x" * 501,
    )
    assert_user_error(
        result,
        "4 problem(s)",
        "in the future",
        "agency must be one of",
        "event type must be one of",
        "keep it to 500",
        exit_code=1,
    )
    assert_user_error(
        cases(
            "chronology",
            "add",
            "DUD-1",
            "--date",
            "1989-12",
            "--agency",
            "police",
            "--type",
            "arrest",
        ),
        "before 1990",
    )
    assert_user_error(
        cases(
            "chronology",
            "add",
            "NOPE",
            "--date",
            "2019-01",
            "--agency",
            "police",
            "--type",
            "arrest",
        ),
        "NOPE",
        exit_code=3,
    )
    assert events_in_db(query) == []
    assert query("SELECT count(*) FROM change_log WHERE entity = 'chronology_event'") == [(0,)]


def test_list_as_csv_neutralises_formulas(cases, read_csv):
    add(cases, "DUD-1", "2019-03", "health", "assessment", "--note", '=HYPERLINK("http://x")')
    result = cases("chronology", "list", "DUD-1", "--csv")
    assert result.exit_code == 0, result.output
    header, row = read_csv(result.stdout)
    assert header == ["id", "date", "agency", "event_type", "note", "recorded_by"]
    assert row[1:5] == ["2019-03", "health", "assessment", '\'=HYPERLINK("http://x")']


def test_unknown_case_to_list(altar, assert_user_error):
    assert_user_error(altar("chronology", "list", "NOPE"), "NOPE", exit_code=3)


# --- remove ---------------------------------------------------------------------------------------------------


def test_remove_keeps_the_old_values_in_the_change_log(cases, query, assert_user_error):
    add(cases, "DUD-1", "2016-09", "education", "exclusion", "--note", "fixed term")
    add(cases, "DUD-1", "2019-03-04", "police", "arrest")
    add(cases, "DUD-2", "2018-01", "housing", "referral")
    exclusion = listed(cases, "DUD-1")[0]["id"]
    other_case = listed(cases, "DUD-2")[0]["id"]
    assert_user_error(
        cases("chronology", "remove", "DUD-1", other_case), str(other_case), exit_code=3
    )
    result = cases("--user", "res2", "chronology", "remove", "DUD-1", exclusion)
    assert result.exit_code == 0, result.output
    assert [r["event_type"] for r in listed(cases, "DUD-1")] == ["arrest"]
    assert len(listed(cases, "DUD-2")) == 1
    log = query(
        "SELECT actor, action, case_ref, field, old_value, new_value FROM change_log "
        "WHERE entity = 'chronology_event' AND action = 'delete'"
    )
    assert log == [
        (
            "res2",
            "delete",
            "DUD-1",
            f"event {exclusion}",
            "2016-09 education exclusion: fixed term",
            None,
        )
    ]
    assert_user_error(cases("chronology", "remove", "DUD-1", exclusion), exit_code=3)


# --- edit -----------------------------------------------------------------------------------------------------


def edit_log(query):
    return query(
        "SELECT actor, command, action, case_ref, field, old_value, new_value FROM change_log "
        "WHERE entity = 'chronology_event' AND action = 'update' ORDER BY id"
    )


def test_edit_changes_only_the_options_given_and_logs_each_old_value(cases, query):
    add(cases, "DUD-1", "2016-09", "education", "exclusion", "--note", "fixed term")
    (event_id,) = [r["id"] for r in listed(cases, "DUD-1")]
    result = cases(
        "--user",
        "res2",
        "chronology",
        "edit",
        "DUD-1",
        event_id,
        "--date",
        "2016-09-12",
        "--type",
        "school move",
    )
    assert result.exit_code == 0, result.output
    assert f"Event {event_id} of DUD-1 is now: 2016-09-12 education school_move" in result.stderr
    assert events_in_db(query) == [
        ("DUD-1", "2016-09-12", "day", "education", "school_move", "fixed term", "res1")
    ]
    assert edit_log(query) == [
        (
            "res2",
            "altar chronology edit",
            "update",
            "DUD-1",
            f"event {event_id} date",
            "2016-09",
            "2016-09-12",
        ),
        (
            "res2",
            "altar chronology edit",
            "update",
            "DUD-1",
            f"event {event_id} event_type",
            "exclusion",
            "school_move",
        ),
    ]
    result = cases("--user", "res2", "chronology", "edit", "DUD-1", event_id, "--note", "")
    assert result.exit_code == 0, result.output
    assert events_in_db(query)[0][5] is None
    assert edit_log(query)[-1][4:] == (f"event {event_id} note", "fixed term", None)


def test_edit_refuses_bad_values_and_another_cases_event_writing_nothing(
    cases, query, assert_user_error
):
    add(cases, "DUD-1", "2016-09", "education", "exclusion")
    add(cases, "DUD-2", "2018-01", "housing", "referral")
    mine, other = listed(cases, "DUD-1")[0]["id"], listed(cases, "DUD-2")[0]["id"]
    before = events_in_db(query)
    refused = cases("chronology", "edit", "DUD-1", mine, "--date", "2099-01", "--agency", "fire")
    assert_user_error(
        refused,
        f"event {mine} of DUD-1 not changed: 2 problem(s)",
        "in the future",
        "agency must be one of",
    )
    assert_user_error(
        cases("chronology", "edit", "DUD-1", mine, "--type", ""), "event type is required"
    )
    assert_user_error(
        cases("chronology", "edit", "DUD-1", other, "--note", "moved"), str(other), exit_code=3
    )
    assert_user_error(
        cases("chronology", "edit", "NOPE", mine, "--note", "moved"), "NOPE", exit_code=3
    )
    assert events_in_db(query) == before
    assert edit_log(query) == []


def test_edit_event_in_the_library_is_scoped_to_the_users_authority(cases, db, add_users):
    """edit_event itself (as the web calls it): another authority's case is
    not found, and an unchanged event logs nothing."""
    from altar.db import connect
    from altar.db.scope import resolve_user
    from altar.errors import NotFoundError, ValidationError
    from altar.stories.chronology_entry import edit_event

    add(cases, "DUD-1", "2016-09", "education", "exclusion")
    (event_id,) = [r["id"] for r in listed(cases, "DUD-1")]
    add_users()
    walt = cases(
        "--user",
        "boss",
        "user",
        "add",
        "walt",
        "--role",
        "practitioner",
        "--authority",
        "walsall",
        "--no-password",
    )
    assert walt.exit_code == 0, walt.output
    database = connect(str(db))
    try:
        with database.transaction() as session:
            dudley, walsall = resolve_user(session, "pat"), resolve_user(session, "walt")
            with pytest.raises(NotFoundError):
                edit_event(session, walsall, "DUD-1", event_id, {"note": "x"}, command="test")
            with pytest.raises(ValidationError) as refused:
                edit_event(
                    session,
                    dudley,
                    "DUD-1",
                    event_id,
                    {"date": "2016-13", "note": "a\nb"},
                    command="test",
                )
            assert [(p.column, p.value) for p in refused.value.located] == [
                ("date", "2016-13"),
                ("note", "a\nb"),
            ]
            same = edit_event(
                session,
                dudley,
                "DUD-1",
                event_id,
                {"date": "2016-09", "agency": "Education"},
                command="test",
            )
            assert (same.date, same.agency, same.event_type, same.recorded_by) == (
                "2016-09",
                "education",
                "exclusion",
                "res1",
            )
    finally:
        database.engine.dispose()
    assert cases("--user", "boss", "audit", "--format", "csv").stdout.count("update") == 0


# --- import ---------------------------------------------------------------------------------------------------


def test_import_a_file_for_many_cases(cases, query, tmp_path):
    path = write(
        tmp_path / "chronologies.csv",
        "case_ref,date,agency,event_type,note\n"
        "DUD-1,2010-03,children's social care,referral,neighbour\n"
        "DUD-1,2019-03-04,police,arrest,\n"
        "\n"
        "DUD-2,2018-01,Housing,Referral,\n",
    )
    result = cases("--user", "res1", "chronology", "import", path)
    assert result.exit_code == 0, result.output
    assert "3 event(s) for 2 case(s)" in result.stderr
    assert events_in_db(query) == [
        ("DUD-1", "2010-03-01", "month", "social_care", "referral", "neighbour", "res1"),
        ("DUD-1", "2019-03-04", "day", "police", "arrest", None, "res1"),
        ("DUD-2", "2018-01-01", "month", "housing", "referral", None, "res1"),
    ]
    logged = query(
        "SELECT case_ref, command, new_value FROM change_log WHERE entity = 'chronology_event' "
        "ORDER BY id"
    )
    assert logged == [
        ("DUD-1", "altar chronology import", "2010-03 social_care referral: neighbour"),
        ("DUD-1", "altar chronology import", "2019-03-04 police arrest"),
        ("DUD-2", "altar chronology import", "2018-01 housing referral"),
    ]


def test_import_for_one_case_without_a_case_ref_column(cases, query, tmp_path, assert_user_error):
    path = write(
        tmp_path / "dud1.csv",
        "date,agency,event_type\n2016-09,education,exclusion\n2017-01-10,education,school_move\n",
    )
    result = cases("chronology", "import", path, "--case", "DUD-1")
    assert result.exit_code == 0, result.output
    assert [r[0] for r in events_in_db(query)] == ["DUD-1", "DUD-1"]
    assert_user_error(cases("chronology", "import", path), "'case_ref' is missing")
    assert_user_error(cases("chronology", "import", path, "--case", "NOPE"), "NOPE", exit_code=3)
    both = write(
        tmp_path / "both.csv",
        "case_ref,date,agency,event_type\nDUD-1,2016-09,education,exclusion\n",
    )
    assert_user_error(
        cases("chronology", "import", both, "--case", "DUD-1"), "use one or the other"
    )


def test_import_checks_every_row_first_and_writes_nothing_on_any_problem(
    cases, query, tmp_path, assert_user_error
):
    path = write(
        tmp_path / "bad.csv",
        "case_ref,date,agency,event_type,note\n"
        "DUD-1,2010-03,social_care,referral,\n"  # row 2: fine
        "DUD-9,2011-04,education,exclusion,\n"  # row 3: no such case
        "DUD-1,2011-13,education,exclusion,\n"  # row 4: no 13th month
        "DUD-2,2012-01,fire,arrest,\n"  # row 5: unknown agency
        "DUD-2,2012-01,police,nap,\n"  # row 6: unknown type
        'DUD-2,2012-01-05,police,arrest,"two\nlines"\n'  # row 7: note on two lines
        "DUD-1,2013-01,police,arrest,\n",
    )
    result = cases("chronology", "import", path)
    assert_user_error(result, "bad.csv: 5 problem(s); nothing was imported")
    for fragment in (
        "row 3, column case_ref: 'DUD-9'",
        "row 4, column date",
        "row 5, column agency",
        "row 6, column event_type",
        "row 7, column note",
    ):
        assert fragment in result.stderr, result.stderr
    assert "row 2" not in result.stderr and "row 8" not in result.stderr
    assert events_in_db(query) == []
    assert query("SELECT count(*) FROM change_log WHERE entity = 'chronology_event'") == [(0,)]


@pytest.mark.parametrize(
    ("header", "fragment"),
    [
        ("case_ref,date,agency,agency,event_type", "'agency' appears twice"),
        ("case_ref,date,event_type", "'agency' is missing"),
        ("case_ref,date,agency,type", "'event_type' is missing"),
        ("case_ref,date,agency,event_type,colour", "'colour' is not one of"),
    ],
)
def test_import_header_problems(cases, query, tmp_path, assert_user_error, header, fragment):
    path = write(tmp_path / "h.csv", header + "\nDUD-1,2019-01,police,arrest,x\n")
    assert_user_error(cases("chronology", "import", path), fragment)
    assert events_in_db(query) == []


def test_import_a_missing_file(altar, tmp_path, assert_user_error):
    assert_user_error(
        altar("chronology", "import", tmp_path / "nothing.csv"), "no file", exit_code=3
    )


def test_template_then_import(cases, query, tmp_path, read_csv):
    result = cases("chronology", "template")
    assert result.exit_code == 0 and read_csv(result.stdout) == [
        ["case_ref", "date", "agency", "event_type", "note"]
    ]
    one = cases("chronology", "template", "--case", "DUD-1")
    assert read_csv(one.stdout) == [["date", "agency", "event_type", "note"]]
    path = tmp_path / "filled.csv"
    path.write_text(
        result.stdout + "DUD-2,2020-02,voluntary sector,assessment,mentoring\r\n", encoding="utf-8"
    )
    assert cases("--user", "res3", "chronology", "import", path).exit_code == 0
    assert events_in_db(query) == [
        ("DUD-2", "2020-02-01", "month", "voluntary", "assessment", "mentoring", "res3")
    ]


# --- the timeline chart ---------------------------------------------------------------------------------------


def test_chart_png_and_svg_are_written_private_and_deterministic(
    cases, tmp_path, assert_user_error
):
    add(cases, "DUD-1", "2010-03", "social_care", "referral")
    add(cases, "DUD-1", "2016-09", "education", "exclusion")
    add(cases, "DUD-1", "2019-03-04", "police", "arrest")
    first, second, svg = tmp_path / "a.png", tmp_path / "b.png", tmp_path / "t.svg"
    for out in (first, second, svg):
        result = cases("chronology", "chart", "DUD-1", "--out", out)
        assert result.exit_code == 0, result.output
        assert "not for publication" in result.stderr
        assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert first.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert first.read_bytes() == second.read_bytes()
    text = svg.read_text(encoding="utf-8")
    for shown in (
        "Working case file: not for publication",
        "Chronology: DUD-1",
        "Children's social care",
        "Education",
        "Police",
        "Exclusion",
        "Arrest",
    ):
        assert shown.replace("'", "&#39;") in text or shown in text, shown
    assert "Courts" not in text  # only the agencies in this chronology get a lane
    assert_user_error(
        cases("chronology", "chart", "DUD-2", "--out", tmp_path / "e.png"),
        "no chronology events",
        exit_code=3,
    )
    bad = cases("chronology", "chart", "DUD-1", "--out", tmp_path / "t.pdf")
    assert bad.exit_code == 2 and ".png or .svg" in bad.stderr
    assert not (tmp_path / "e.png").exists() and not (tmp_path / "t.pdf").exists()


# --- altar stats ----------------------------------------------------------------------------------------------


def stats(altar, *args):
    result = altar("stats", "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_stats_carry_the_chronology_measures(cases, tmp_path, valid_row, write_csv):
    # A third child (custody) with no chronology: missing, never zero.
    assert (
        cases(
            "case", "add", "DUD-3", "--authority", "dudley", "--stratum", "custody", "--age", "16"
        ).exit_code
        == 0
    )
    # Statistics count a child once their screening is complete: complete all three.
    screened = [
        valid_row("DUD-1", stratum="custody", age="15"),
        valid_row("DUD-2", stratum="community", age=""),
        valid_row("DUD-3", stratum="custody", age="16"),
    ]
    completed = cases("import", "--update", write_csv(tmp_path / "screened.csv", screened))
    assert completed.exit_code == 0, completed.output
    path = write(
        tmp_path / "c.csv",
        "case_ref,date,agency,event_type\n"
        "DUD-1,2010-03,social_care,referral\n"
        "DUD-1,2016-09,education,exclusion\n"
        "DUD-1,2017-01-10,education,school_move\n"
        "DUD-1,2019-03-04,police,arrest\n"
        "DUD-2,2015-06,social_care,referral\n"
        "DUD-2,2018-02-01,police,caution\n",
    )
    assert cases("chronology", "import", path).exit_code == 0
    doc = stats(cases)
    section = doc["chronology"]
    assert list(section["groups"]) == ["custody", "community", "out_of_court", "all"]
    custody, community, everyone = (section["groups"][g] for g in ("custody", "community", "all"))
    assert (
        custody["n"],
        custody["n_with_chronology"],
        everyone["n"],
        everyone["n_with_chronology"],
    ) == (2, 1, 3, 2)
    # DUD-1: 15 at screening on 2021-03-04; first social care 2010-03: 11 years before, so about 4.
    age = custody["measures"]["age_first_social_care"]
    assert (age["n"], age["missing"], age["median"]) == (1, 1, pytest.approx(4.0))
    # DUD-2's age is unknown: no age, but its other measures count.
    assert community["measures"]["age_first_social_care"] == {
        "n": 0,
        "missing": 1,
        "median": None,
        "q1": None,
        "q3": None,
        "mean": None,
        "min": None,
        "max": None,
    }
    agencies = everyone["measures"]["agencies"]
    assert (
        agencies["n"],
        agencies["missing"],
        agencies["min"],
        agencies["max"],
        agencies["median"],
    ) == (2, 1, 2, 3, 2.5)
    years = everyone["measures"]["years_contact_to_offence"]
    # DUD-1: 2010-03-01 to 2019-03-04 = 108 months; DUD-2: 2015-06-01 to 2018-02-01 = 32 months.
    assert years["n"] == 2 and sorted([years["min"], years["max"]]) == pytest.approx([32 / 12, 9.0])
    exclusions = everyone["measures"]["exclusions_before_offence"]
    assert (exclusions["n"], exclusions["missing"], exclusions["min"], exclusions["max"]) == (
        2,
        1,
        0,
        1,
    )
    # Filters apply to the section too.
    only = stats(cases, "--stratum", "community")["chronology"]["groups"]
    assert list(only) == ["community", "all"] and only["all"]["n_with_chronology"] == 1
    text = cases("stats")
    assert text.exit_code == 0 and "Chronologies: median [quartiles]" in text.stdout
    assert "1 of 2" in text.stdout and "2 of 3" in text.stdout


def test_stats_document_keeps_its_keys_and_adds_chronology(altar):
    doc = stats(altar, "--by", "sex")
    # The published keys, as before; chronology is one more.
    assert set(doc) == {
        "instrument",
        "n_cases",
        "by",
        "filters",
        "groups",
        "comparisons",
        "trends",
        "baseline",
        "notes",
        "chronology",
        "included",
        "left_out",
    }
    assert set(doc["groups"]["all"]) == {
        "n",
        "items",
        "counts",
        "summary",
        "ace_score",
        "ace_score_incl_suspected",
        "abuse_types",
        "abuse_types_incl_suspected",
    }
    assert doc["chronology"]["groups"]["all"] == {
        "n": 0,
        "n_with_chronology": 0,
        "measures": {
            code: {
                "n": 0,
                "missing": 0,
                "median": None,
                "q1": None,
                "q3": None,
                "mean": None,
                "min": None,
                "max": None,
            }
            for code in doc["chronology"]["measures"]
        },
    }
    text = altar("stats")
    assert "No child in this selection has a chronology" in text.stdout


def test_vocabularies_in_help_match_the_schema(altar):
    # The group's help is where a practitioner reads the codes; every one must be there.
    text = altar("chronology", "--help").stdout
    words = text.replace(",", " ").replace(".", " ").split()
    assert [a for a in AGENCIES if a not in words] == [] and [
        t for t in EVENT_TYPES if t not in words
    ] == []


def test_stats_from_the_database_agree_with_the_pure_measures(
    altar, tmp_path, valid_row, write_csv
):
    """The database reduces every child's chronology in one query
    (db.chronology.scoped_facts); the definition is the pure
    stories.measures.child_measures, tested by hand. Random chronologies,
    dense in a few years so same-day and same-month ties are common, must
    give the same figures both ways."""
    import random

    from altar.stats.describe import describe
    from altar.stories.chronology import Event
    from altar.stories.measures import MEASURES, child_measures

    rng = random.Random(5)
    children, rows, screened = {}, [], []
    for i in range(40):
        ref, stratum, age = (
            f"R-{i}",
            rng.choice(["custody", "community", "out_of_court"]),
            rng.choice([None, 14, 17]),
        )
        # A complete screening, since statistics count only those.
        screened.append(valid_row(ref, stratum=stratum, age="" if age is None else str(age)))
        events = []
        for _ in range(rng.choice([0, 1, 4, 10, 16])):
            kind = rng.choice(
                ["exclusion", "school_move", "arrest", "caution", "referral", "offence"]
            )
            # Offending later than the rest, so that events before the first offence are common.
            when = date(2017, 1, 1) + timedelta(
                days=rng.randrange(200 if kind in ("arrest", "caution", "offence") else 0, 500, 4)
            )
            month = rng.random() < 0.5
            event = Event(
                when.replace(day=1) if month else when,
                "month" if month else "day",
                rng.choice(AGENCIES),
                kind,
            )
            events.append(event)
            rows.append(f"{ref},{event.shown_date},{event.agency},{event.event_type}")
        children[ref] = (stratum, child_measures(events, age, date(2021, 3, 4)), bool(events))
    imported = altar("import", write_csv(tmp_path / "screened.csv", screened))
    assert imported.exit_code == 0, imported.output
    path = write(
        tmp_path / "random.csv", "case_ref,date,agency,event_type\n" + "\n".join(rows) + "\n"
    )
    assert altar("chronology", "import", path).exit_code == 0
    groups = stats(altar)["chronology"]["groups"]
    for group in ("custody", "community", "out_of_court", "all"):
        members = [(m, has) for stratum, m, has in children.values() if group in (stratum, "all")]
        assert groups[group]["n_with_chronology"] == sum(has for _, has in members)
        for code in MEASURES:
            values = [v for m, _ in members if (v := getattr(m, code)) is not None]
            expected = describe(values, missing=len(members) - len(values)).to_dict()
            assert groups[group]["measures"][code] == pytest.approx(expected), (group, code)
