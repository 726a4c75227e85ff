"""`altar import`: a whole CSV file is checked, then written in one go or not at all."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

# How practitioners and spreadsheets spell each answer, and what it means.
SPELLINGS = {
    "yes": ["yes", "Y", "1", "true", "KNOWN", "Yes", "y", "TRUE", "known"],
    "suspected": ["suspected", "S", "s", "Suspected"],
    "no": ["no", "n", "0", "FALSE", "No", "N", "false"],
    "unknown": ["unknown", "UNKNOWN", "", "Unknown"],
}
SEXES = ["male", "female", "other", "unknown"]
ETHNICITIES = ["white", "mixed", "asian", "black", "other", "unknown"]
# How an authority may be written in a file, and its code.
AUTHORITY_SPELLINGS = {
    "birmingham": "birmingham",
    "Coventry": "coventry",
    "dudley": "dudley",
    "SANDWELL": "sandwell",
    "solihull": "solihull",
    "Walsall": "walsall",
    "wolverhampton": "wolverhampton",
    "warwickshire": "warwickshire",
    "West Mercia": "west_mercia",
    "west_mercia": "west_mercia",
}
COUNT_MAX = {"exclusions_fixed_term_count": 200, "secondary_schools_count": 30}


def _cohort_file(spec, n=200, seed=2024):
    """n rows of mixed spellings, and for each case what should be stored:
    (case fields, {item_code: (value, count)})."""
    rng = random.Random(seed)
    rows, expected_cases, expected_answers = [], {}, {}
    for i in range(n):
        ref = f"IMP-{i:04d}"
        authority = rng.choice(list(AUTHORITY_SPELLINGS))
        age = rng.choice(["", "unknown", *map(str, range(10, 19))])
        screened_on = date(2019, 1, 1) + timedelta(days=rng.randrange(1200))
        row = {
            "case_ref": ref,
            "authority": authority,
            "stratum": rng.choice(spec.strata),
            "cohort": rng.choice(spec.cohorts),
            "sex": rng.choice(SEXES),
            "ethnicity": rng.choice(ETHNICITIES),
            "age": age,
            "screened_on": screened_on.isoformat(),
        }
        expected_cases[ref] = (
            AUTHORITY_SPELLINGS[authority],
            row["stratum"],
            row["cohort"],
            row["sex"],
            row["ethnicity"],
            int(age) if age.isdigit() else None,
            screened_on.isoformat(),
        )
        answers = {}
        for code in spec.items:
            if spec.types[code] == "count":
                choice = rng.random()
                if choice < 0.15:
                    row[code], answers[code] = rng.choice(["", "unknown", "UNKNOWN"]), (None, None)
                else:
                    n_ = rng.choice([0, 1, 2, 7, COUNT_MAX[code]])
                    row[code], answers[code] = str(n_), (None, n_)
            else:
                meaning = rng.choice(list(SPELLINGS))
                row[code], answers[code] = rng.choice(SPELLINGS[meaning]), (meaning, None)
        rows.append(row)
        expected_answers[ref] = answers
    return rows, expected_cases, expected_answers


def _stored_cases(query):
    rows = query(
        "SELECT c.case_ref, a.code, c.stratum, c.cohort, c.sex, c.ethnicity, c.age, s.screened_on "
        "FROM cases c JOIN authority a ON a.id = c.authority_id JOIN screening s ON s.case_id = c.id"
    )
    return {r[0]: tuple(r[1:]) for r in rows}


def _counts(query):
    return {
        t: query(f"SELECT count(*) FROM {t}")[0][0]
        for t in ("cases", "screening", "answer", "screening_score", "change_log")
    }


EMPTY = {"cases": 0, "screening": 0, "answer": 0, "screening_score": 0, "change_log": 0}


def test_import_200_rows_of_mixed_spellings_stores_exactly_what_was_meant(
    altar, tmp_path, spec, write_csv, query, stored_answers
):
    rows, expected_cases, expected_answers = _cohort_file(spec)
    # every spelling the contract promises appears somewhere in the file
    cells = {row[code] for row in rows for code in spec.binary_items}
    assert {s for spellings in SPELLINGS.values() for s in spellings} <= cells
    path = write_csv(tmp_path / "cohort.csv", rows, bom=True, crlf=True, trailing_empty_rows=3)
    path.write_bytes(path.read_bytes() + b"\r\n\r\n")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf") and b"\r\n" in path.read_bytes()

    result = altar("import", path)

    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert _stored_cases(query) == expected_cases
    assert stored_answers() == expected_answers
    assert query("SELECT DISTINCT status FROM screening") == [("complete",)]
    assert query("SELECT count(*) FROM change_log WHERE action = 'insert'") == [(200,)]


def test_one_bad_cell_among_199_good_rows_writes_nothing(altar, tmp_path, spec, write_csv, query):
    rows, _, _ = _cohort_file(spec)
    rows[135]["bullying"] = "maybe"  # spreadsheet row 137: the header is row 1
    path = write_csv(tmp_path / "cohort.csv", rows, bom=True, crlf=True, trailing_empty_rows=2)

    result = altar("import", path)

    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert result.stderr.startswith("Error: ")
    problem_lines = [line for line in result.stderr.splitlines() if "row " in line]
    assert len(problem_lines) == 1, result.stderr
    assert "row 137" in problem_lines[0]
    assert "bullying" in problem_lines[0]
    assert "maybe" in problem_lines[0]
    assert _counts(query) == EMPTY


def test_every_problem_in_a_file_is_listed(
    altar, tmp_path, write_csv, valid_row, query, assert_user_error
):
    rows = [
        valid_row("A-1", age="9"),
        valid_row("A-2"),
        valid_row("A-3", send="perhaps", stratum="jail"),
    ]
    result = altar("import", write_csv(tmp_path / "f.csv", rows))
    assert_user_error(result, "row 2", "age", "row 4", "send", "perhaps", "stratum", "jail")
    assert _counts(query) == EMPTY


# --- header problems -------------------------------------------------------------------


def test_unknown_column_is_named(
    altar, tmp_path, spec, write_csv, valid_row, query, assert_user_error
):
    header = spec.case_columns + spec.items + ["favourite_colour"]
    path = write_csv(tmp_path / "f.csv", [valid_row("A-1", favourite_colour="blue")], header=header)
    assert_user_error(altar("import", path), "favourite_colour")
    assert _counts(query) == EMPTY


def test_missing_item_column_is_named(
    altar, tmp_path, spec, write_csv, valid_row, query, assert_user_error
):
    header = [c for c in spec.case_columns + spec.items if c != "bullying"]
    path = write_csv(tmp_path / "f.csv", [valid_row("A-1")], header=header)
    assert_user_error(altar("import", path), "bullying", "missing")
    assert _counts(query) == EMPTY


def test_missing_case_column_is_named(
    altar, tmp_path, spec, write_csv, valid_row, query, assert_user_error
):
    header = [c for c in spec.case_columns + spec.items if c != "stratum"]
    path = write_csv(tmp_path / "f.csv", [valid_row("A-1")], header=header)
    assert_user_error(altar("import", path), "stratum")
    assert _counts(query) == EMPTY


def test_duplicate_header_is_refused(
    altar, tmp_path, spec, write_csv, valid_row, query, assert_user_error
):
    header = spec.case_columns + spec.items + ["bullying"]
    path = write_csv(tmp_path / "f.csv", [valid_row("A-1")], header=header)
    assert_user_error(altar("import", path), "bullying", "twice")
    assert _counts(query) == EMPTY


def test_row_longer_than_header_is_refused(
    altar, tmp_path, write_csv, valid_row, query, assert_user_error
):
    path = write_csv(tmp_path / "f.csv", [valid_row("A-1")])
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + ",extra\n", encoding="utf-8")
    assert_user_error(altar("import", path), "row 2")
    assert _counts(query) == EMPTY


# --- case references -----------------------------------------------------------------


def test_duplicate_case_ref_in_file_names_both_rows(
    altar, tmp_path, write_csv, valid_row, query, assert_user_error
):
    rows = [valid_row("A-1"), valid_row("A-2"), valid_row("A-1", stratum="custody")]
    result = altar("import", write_csv(tmp_path / "f.csv", rows))
    assert_user_error(result, "A-1", "row 4", "row 2")
    assert _counts(query) == EMPTY


def test_case_already_in_database_is_refused_without_update(
    altar, tmp_path, write_csv, valid_row, query, stored_answers, assert_user_error
):
    assert altar("import", write_csv(tmp_path / "first.csv", [valid_row("A-1")])).exit_code == 0
    before = (_counts(query), stored_answers())
    second = write_csv(
        tmp_path / "second.csv", [valid_row("A-2"), valid_row("A-1", ace_physical_abuse="yes")]
    )
    assert_user_error(altar("import", second), "A-1", "--update")
    assert (_counts(query), stored_answers()) == before


def test_update_amends_and_logs_old_and_new_values(
    altar, tmp_path, write_csv, valid_row, query, stored_answers
):
    assert (
        altar(
            "import", write_csv(tmp_path / "first.csv", [valid_row("A-1"), valid_row("A-2")])
        ).exit_code
        == 0
    )
    amended = [
        valid_row("A-1", ace_physical_abuse="yes", age="16", secondary_schools_count=""),
        valid_row("A-2"),  # unchanged
        valid_row("A-3", bullying="s"),  # new
    ]
    result = altar("import", "--update", write_csv(tmp_path / "second.csv", amended))
    assert result.exit_code == 0, result.output

    answers = stored_answers()
    assert answers["A-1"]["ace_physical_abuse"] == ("yes", None)
    assert answers["A-1"]["secondary_schools_count"] == (None, None)
    assert answers["A-3"]["bullying"] == ("suspected", None)
    assert query("SELECT age FROM cases WHERE case_ref = 'A-1'") == [(16,)]
    log = query(
        "SELECT case_ref, entity, field, old_value, new_value FROM change_log WHERE action = 'update'"
    )
    assert sorted(log) == sorted(
        [
            ("A-1", "case", "age", "15", "16"),
            ("A-1", "answer", "ace_physical_abuse", "no", "yes"),
            ("A-1", "answer", "secondary_schools_count", "0", "unknown"),
        ]
    )


def test_update_with_identical_file_changes_nothing(altar, tmp_path, write_csv, valid_row, query):
    path = write_csv(tmp_path / "f.csv", [valid_row("A-1"), valid_row("A-2")])
    assert altar("import", path).exit_code == 0
    result = altar("import", "--update", path)
    assert result.exit_code == 0, result.output
    assert query("SELECT count(*) FROM change_log WHERE action = 'update'") == [(0,)]


@pytest.mark.parametrize("ref", ["JS-2008-05-12", "AB20080512", "X/12/05/2008", "K.12-5-08"])
def test_case_ref_containing_a_date_is_refused(
    altar, tmp_path, write_csv, valid_row, query, assert_user_error, ref
):
    result = altar("import", write_csv(tmp_path / "f.csv", [valid_row(ref)]))
    assert_user_error(result, "case_ref", ref)
    assert _counts(query) == EMPTY


@pytest.mark.parametrize("ref", ["=cmd()", "has space", "x" * 41])
def test_malformed_case_ref_is_refused(
    altar, tmp_path, write_csv, valid_row, query, assert_user_error, ref
):
    assert_user_error(altar("import", write_csv(tmp_path / "f.csv", [valid_row(ref)])), "case_ref")
    assert _counts(query) == EMPTY


def test_blank_case_ref_is_refused(altar, tmp_path, write_csv, valid_row, query, assert_user_error):
    assert_user_error(altar("import", write_csv(tmp_path / "f.csv", [valid_row("")])), "case_ref")
    assert _counts(query) == EMPTY


# --- dry run ---------------------------------------------------------------------------


def test_dry_run_checks_but_writes_nothing(altar, tmp_path, write_csv, valid_row, query):
    path = write_csv(tmp_path / "f.csv", [valid_row("A-1"), valid_row("A-2")])
    result = altar("import", "--dry-run", path)
    assert result.exit_code == 0, result.output
    assert _counts(query) == EMPTY
    assert altar("import", path).exit_code == 0
    assert _counts(query)["cases"] == 2


def test_dry_run_reports_problems(altar, tmp_path, write_csv, valid_row, query, assert_user_error):
    path = write_csv(tmp_path / "f.csv", [valid_row("A-1", bullying="maybe")])
    assert_user_error(altar("import", "--dry-run", path), "bullying", "maybe")
    assert _counts(query) == EMPTY


def test_dry_run_update_writes_nothing(
    altar, tmp_path, write_csv, valid_row, query, stored_answers
):
    assert altar("import", write_csv(tmp_path / "a.csv", [valid_row("A-1")])).exit_code == 0
    before = (_counts(query), stored_answers())
    changed = write_csv(tmp_path / "b.csv", [valid_row("A-1", ace_sexual_abuse="yes")])
    result = altar("import", "--update", "--dry-run", changed)
    assert result.exit_code == 0, result.output
    assert (_counts(query), stored_answers()) == before


# --- file problems ---------------------------------------------------------------------


def test_non_utf8_file_is_refused_clearly(
    altar, tmp_path, write_csv, valid_row, query, assert_user_error
):
    path = write_csv(
        tmp_path / "excel.csv",
        [valid_row("A-1", screened_by="zoë")],
        encoding="cp1252",
        header=[*valid_row("x").keys(), "screened_by"],
    )
    assert b"\xeb" in path.read_bytes()  # cp1252's e-diaeresis, invalid in UTF-8
    assert_user_error(altar("import", path), "UTF-8")
    assert _counts(query) == EMPTY


def test_non_utf8_error_names_the_row_with_the_bad_byte(
    altar, tmp_path, spec, write_csv, valid_row
):
    rows = [valid_row(f"A-{i}") for i in range(200)]
    rows[148]["screened_by"] = "zoë"  # spreadsheet row 150
    header = [*spec.case_columns, "screened_by", *spec.items]
    path = write_csv(tmp_path / "excel.csv", rows, header=header, encoding="cp1252")
    result = altar("import", path)
    assert result.exit_code != 0
    assert "row 150 " in result.stderr


def test_cr_only_line_endings_import(altar, tmp_path, write_csv, valid_row, query):
    path = write_csv(tmp_path / "mac.csv", [valid_row("A-1"), valid_row("A-2")])
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r"))
    result = altar("import", path)
    assert result.exit_code == 0, result.output
    assert query("SELECT case_ref FROM cases ORDER BY 1") == [("A-1",), ("A-2",)]


def test_quoted_cell_with_line_break_keeps_row_numbers(
    altar, tmp_path, write_csv, valid_row, assert_user_error
):
    rows = [
        valid_row("A-1", bullying="no\nreally"),
        valid_row("A-2"),
        valid_row("A-3", send="maybe"),
    ]
    result = altar("import", write_csv(tmp_path / "f.csv", rows))
    assert_user_error(result, "bullying", "send", "maybe")
    assert "row 2, column bullying" in result.stderr
    # spreadsheet numbering: A-3 is the fourth row, even though A-1 spans two lines
    assert "row 4, column send" in result.stderr


@pytest.mark.parametrize(
    "content",
    [b"", b"\xef\xbb\xbf", b"\r\n\r\n", b",,,\r\n"],
    ids=["zero-bytes", "bom-only", "blank-lines", "commas"],
)
def test_empty_file_is_refused_clearly(altar, tmp_path, query, assert_user_error, content):
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    assert_user_error(altar("import", path), "empty")
    assert _counts(query) == EMPTY


def test_missing_file_is_refused_clearly(altar, tmp_path, assert_user_error):
    assert_user_error(altar("import", tmp_path / "nope.csv"), "nope.csv")


# --- cell values -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "column, value",
    [
        ("exclusions_fixed_term_count", "-1"),
        ("exclusions_fixed_term_count", "abc"),
        ("exclusions_fixed_term_count", "2.5"),
        ("exclusions_fixed_term_count", "201"),
        ("secondary_schools_count", "31"),
        ("secondary_schools_count", "yes"),
        ("ace_physical_abuse", "maybe"),
        ("ace_physical_abuse", "2"),
        ("trusted_adult", "sometimes"),
        ("age", "9"),
        ("age", "19"),
        ("age", "x"),
        ("age", "15.5"),
        ("screened_on", "2020-13-01"),
        ("screened_on", "01/02/2020"),
        ("screened_on", (date.today() + timedelta(days=1)).isoformat()),
        ("screened_on", "1999-12-31"),
        ("screened_on", ""),
        ("stratum", "prison"),
        ("stratum", ""),
        ("cohort", "gangs"),
        ("authority", "atlantis"),
        ("authority", ""),
        ("sex", "boy"),
        ("ethnicity", "martian"),
    ],
)
def test_bad_cell_is_refused_naming_column_and_value(
    altar, tmp_path, write_csv, valid_row, query, assert_user_error, column, value
):
    rows = [valid_row("A-1"), valid_row("A-2", **{column: value})]
    result = altar("import", write_csv(tmp_path / "f.csv", rows))
    assert_user_error(result, "row 3", column)
    if value:
        assert repr(value) in result.stderr
    assert _counts(query) == EMPTY


@pytest.mark.parametrize(
    "column, text, stored",
    [
        ("exclusions_fixed_term_count", "200", (None, 200)),
        ("secondary_schools_count", "30", (None, 30)),
        ("secondary_schools_count", "0", (None, 0)),
        ("secondary_schools_count", " 3 ", (None, 3)),
        ("ace_physical_abuse", " Yes ", ("yes", None)),
    ],
)
def test_boundary_values_are_accepted(
    altar, tmp_path, write_csv, valid_row, stored_answers, column, text, stored
):
    result = altar("import", write_csv(tmp_path / "f.csv", [valid_row("A-1", **{column: text})]))
    assert result.exit_code == 0, result.output
    assert stored_answers()["A-1"][column] == stored


@pytest.mark.parametrize("age, stored", [("10", 10), ("18", 18), ("", None), ("unknown", None)])
def test_age_bounds_and_unknown(altar, tmp_path, write_csv, valid_row, query, age, stored):
    result = altar("import", write_csv(tmp_path / "f.csv", [valid_row("A-1", age=age)]))
    assert result.exit_code == 0, result.output
    assert query("SELECT age FROM cases") == [(stored,)]


def test_authority_by_display_name(altar, tmp_path, write_csv, valid_row, query):
    rows = [
        valid_row("A-1", authority="West Mercia"),
        valid_row("A-2", authority="west mercia"),
        valid_row("A-3", authority="Wolverhampton"),
    ]
    result = altar("import", write_csv(tmp_path / "f.csv", rows))
    assert result.exit_code == 0, result.output
    stored = query(
        "SELECT c.case_ref, a.code FROM cases c JOIN authority a ON a.id = c.authority_id ORDER BY 1"
    )
    assert stored == [("A-1", "west_mercia"), ("A-2", "west_mercia"), ("A-3", "wolverhampton")]


def test_added_authority_can_be_imported(altar, tmp_path, write_csv, valid_row, query):
    assert altar("authority", "add", "stoke_on_trent", "Stoke-on-Trent").exit_code == 0
    result = altar(
        "import", write_csv(tmp_path / "f.csv", [valid_row("S-1", authority="Stoke-on-Trent")])
    )
    assert result.exit_code == 0, result.output
    assert query("SELECT a.code FROM cases c JOIN authority a ON a.id = c.authority_id") == [
        ("stoke_on_trent",)
    ]


def test_import_records_the_user(run, db, tmp_path, write_csv, valid_row, query):
    path = write_csv(tmp_path / "f.csv", [valid_row("A-1")])
    result = run(["--db", db, "--user", "rk_dudley", "import", path])
    assert result.exit_code == 0, result.output
    assert query("SELECT screened_by FROM screening") == [("rk_dudley",)]
    assert query("SELECT actor, command FROM change_log") == [("rk_dudley", "altar import")]


def test_import_without_a_database_is_refused(
    run, tmp_path, write_csv, valid_row, assert_user_error
):
    path = write_csv(tmp_path / "f.csv", [valid_row("A-1")])
    assert_user_error(run(["--db", tmp_path / "missing.db", "import", path]), "altar init")
    assert not (tmp_path / "missing.db").exists()


# --- streaming: large files are checked and written a chunk at a time ------------------


def test_a_case_repeated_far_apart_in_a_long_file_is_caught(
    altar, tmp_path, write_csv, valid_row, query, assert_user_error
):
    """The first and the repeat fall in different chunks of the stream (rows
    are checked 2,000 at a time), so the repeat is found through the
    import's staging table, not a dictionary in memory."""
    rows = [valid_row(f"L-{i:05d}") for i in range(4500)]
    rows[4400] = valid_row("L-00007", ace_physical_abuse="yes")
    result = altar("import", write_csv(tmp_path / "long.csv", rows))
    assert_user_error(result, "1 problem(s)", "row 4402", "L-00007", "same case as row 9")
    assert _counts(query) == EMPTY


def test_a_problem_on_the_last_row_of_a_long_file_writes_nothing(
    altar, tmp_path, write_csv, valid_row, query, assert_user_error
):
    rows = [valid_row(f"L-{i:05d}") for i in range(4500)]
    rows[-1]["bullying"] = "perhaps"
    assert_user_error(
        altar("import", write_csv(tmp_path / "long.csv", rows)), "row 4501", "bullying", "perhaps"
    )
    assert _counts(query) == EMPTY


def test_a_case_already_stored_is_refused_with_its_row(
    altar, tmp_path, write_csv, valid_row, assert_user_error
):
    assert altar("import", write_csv(tmp_path / "first.csv", [valid_row("A-1")])).exit_code == 0
    second = write_csv(
        tmp_path / "second.csv", [valid_row("A-2"), valid_row("A-3"), valid_row("A-1")]
    )
    assert_user_error(
        altar("import", second), "row 4, column case_ref: 'A-1': already in the database"
    )


def test_a_file_of_thousands_of_problems_lists_a_thousand_and_counts_the_rest(
    altar, tmp_path, write_csv, valid_row, query, assert_user_error
):
    rows = [valid_row(f"B-{i:05d}", bullying="often") for i in range(1200)]
    result = altar("import", write_csv(tmp_path / "bad.csv", rows))
    assert_user_error(result, "1200 problem(s) found; nothing was imported", "... and 200 more")
    listed = [line for line in result.stderr.splitlines() if "column bullying" in line]
    assert len(listed) == 1000
    assert listed[0].strip().startswith("row 2,") and listed[-1].strip().startswith("row 1001,")
    assert _counts(query) == EMPTY
