"""`altar export` and `altar template csv`: the import's own column contract,
so that export then import into a fresh database loses nothing."""

from __future__ import annotations

import csv
import io
import json

import pytest

from altar.capture.csvio import write_csv as altar_write_csv

EXTRA_COLUMNS = {"screened_by", "instrument_version"}


def _mixed_rows(valid_row, spec):
    """Cases that use every kind of answer, including unknown counts and suspected."""
    return [
        valid_row(
            "RT-001",
            ace_physical_abuse="suspected",
            bullying="S",
            exclusions_fixed_term_count="",
            secondary_schools_count="unknown",
            age="unknown",
            sex="female",
            ethnicity="mixed",
        ),
        valid_row(
            "RT-002",
            authority="West Mercia",
            stratum="custody",
            cohort="gang_lens",
            **dict.fromkeys(spec.binary_items, "yes"),
            exclusions_fixed_term_count="200",
            secondary_schools_count="30",
        ),
        valid_row(
            "RT-003",
            stratum="out_of_court",
            **dict.fromkeys(spec.binary_items, "unknown"),
            exclusions_fixed_term_count="0",
            secondary_schools_count="",
            age="10",
        ),
        valid_row(
            "RT-004",
            trusted_adult="no",
            positive_activity="y",
            send="s",
            age="18",
            sex="unknown",
            screened_on="2020-02-29",
        ),
    ]


@pytest.fixture
def populated(altar, tmp_path, write_csv, valid_row, spec):
    path = write_csv(tmp_path / "in.csv", _mixed_rows(valid_row, spec))
    result = altar("import", path)
    assert result.exit_code == 0, result.output
    return path


def test_export_import_export_is_lossless(
    populated, altar, run, tmp_path, fresh_db, stored_answers, query
):
    first = altar("export", "--format", "csv")
    assert first.exit_code == 0, first.output
    exported = tmp_path / "export1.csv"
    exported.write_text(first.stdout, encoding="utf-8")

    fresh = fresh_db()
    imported = run(["--db", fresh, "import", exported])
    assert imported.exit_code == 0, imported.output
    second = run(["--db", fresh, "export", "--format", "csv"])
    assert second.exit_code == 0, second.output

    assert second.stdout == first.stdout
    assert stored_answers(db=fresh) == stored_answers()
    case_sql = "SELECT case_ref, stratum, cohort, sex, ethnicity, age FROM cases ORDER BY case_ref"
    assert query(case_sql, db=fresh) == query(case_sql)


def test_export_keeps_unknown_counts_and_suspected_answers(populated, altar, read_csv):
    result = altar("export")
    assert result.exit_code == 0, result.output
    rows = read_csv(result.stdout)
    header, data = rows[0], {r[0]: dict(zip(rows[0], r)) for r in rows[1:]}
    assert len(data) == 4 and header[0] == "case_ref"
    first = data["RT-001"]
    assert first["ace_physical_abuse"] == "suspected"
    assert first["bullying"] == "suspected"
    # an unknown count is written so that it reads back as unknown, never as 0
    assert first["exclusions_fixed_term_count"] in ("", "unknown")
    assert first["secondary_schools_count"] in ("", "unknown")
    assert data["RT-003"]["exclusions_fixed_term_count"] == "0"
    assert data["RT-002"]["authority"] == "west_mercia"
    assert data["RT-002"]["exclusions_fixed_term_count"] == "200"


def test_export_json_parses_with_n_cases_and_answers(populated, altar, spec):
    result = altar("export", "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["n_cases"] == 4
    cases = {c["case_ref"]: c for c in document["cases"]}
    assert set(cases) == {"RT-001", "RT-002", "RT-003", "RT-004"}
    for case in cases.values():
        assert set(case["answers"]) == set(spec.items)
    assert cases["RT-001"]["answers"]["ace_physical_abuse"] == "suspected"
    assert cases["RT-001"]["answers"]["exclusions_fixed_term_count"] is None
    assert cases["RT-002"]["answers"]["secondary_schools_count"] == 30
    assert cases["RT-001"]["age"] is None
    assert cases["RT-004"]["screened_on"] == "2020-02-29"


def test_export_of_empty_database(altar, read_csv):
    csv_result = altar("export")
    assert csv_result.exit_code == 0, csv_result.output
    assert len(read_csv(csv_result.stdout)) == 1  # the header only
    json_result = altar("export", "--format", "json")
    assert json.loads(json_result.stdout)["n_cases"] == 0


def test_export_out_writes_file_and_nothing_on_stdout(populated, altar, tmp_path):
    out = tmp_path / "all.csv"
    result = altar("export", "--out", out)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert str(out) in result.stderr
    on_screen = altar("export").stdout
    assert out.read_text(encoding="utf-8") == on_screen


def test_export_json_out(populated, altar, tmp_path):
    out = tmp_path / "all.json"
    result = altar("export", "--format", "json", "--out", out)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert json.loads(out.read_text(encoding="utf-8"))["n_cases"] == 4


def test_in_progress_screening_round_trips(altar, run, tmp_path, fresh_db, stored_answers):
    assert (
        altar(
            "case",
            "add",
            "IP-1",
            "--authority",
            "dudley",
            "--stratum",
            "custody",
            "--screened-on",
            "2021-05-05",
        ).exit_code
        == 0
    )
    form = tmp_path / "form.txt"
    form.write_text("screened_on: 2021-05-05\nace_physical_abuse: yes\n", encoding="utf-8")
    assert altar("screening", "enter", "IP-1", "--from", form).exit_code == 0
    first = altar("export").stdout
    exported = tmp_path / "e.csv"
    exported.write_text(first, encoding="utf-8")
    fresh = fresh_db()
    assert run(["--db", fresh, "import", exported]).exit_code == 0
    assert stored_answers(db=fresh) == stored_answers()
    assert run(["--db", fresh, "export"]).stdout == first


@pytest.mark.parametrize("dangerous", ['=HYPERLINK("x")', "+1+1", "-2+3", "@SUM(A1)", "\tTAB"])
def test_write_csv_neutralises_formulas(dangerous):
    stream = io.StringIO()
    altar_write_csv(stream, ["a", "b"], [{"a": dangerous, "b": "plain"}])
    rows = list(csv.reader(io.StringIO(stream.getvalue())))
    assert rows[1] == ["'" + dangerous, "plain"]


@pytest.mark.parametrize("cell", ["\r=1", "line\rbreak"])
def test_write_csv_cell_with_carriage_return_reads_back_as_one_cell(cell):
    stream = io.StringIO()
    altar_write_csv(stream, ["a", "b"], [{"a": cell, "b": "plain"}])
    rows = list(csv.reader(io.StringIO(stream.getvalue(), newline="")))
    assert len(rows) == 2
    assert rows[1][1] == "plain"
    assert rows[1][0].lstrip("'") == cell


def test_write_csv_leaves_safe_cells_alone():
    stream = io.StringIO()
    values = {"a": "yes", "b": "A=B", "c": "", "d": "1,2"}
    altar_write_csv(stream, list(values), [values])
    assert list(csv.reader(io.StringIO(stream.getvalue())))[1] == list(values.values())


def test_template_csv_is_exactly_the_header(run, spec, read_csv):
    result = run(["template", "csv"])
    assert result.exit_code == 0, result.output
    rows = read_csv(result.stdout)
    assert len(rows) == 1
    header = rows[0]
    assert len(header) == len(set(header))
    assert header[:8] == spec.case_columns
    non_items = [h for h in header if h not in spec.items]
    assert set(non_items[8:]) <= EXTRA_COLUMNS
    # case columns first, then every item code in codebook order
    assert header == non_items + spec.items


def test_export_header_matches_template(populated, altar, run, read_csv):
    template_header = read_csv(run(["template", "csv"]).stdout)[0]
    assert read_csv(altar("export").stdout)[0] == template_header


def test_empty_template_imports_zero_rows(run, altar, tmp_path, query):
    out = tmp_path / "blank.csv"
    result = run(["template", "csv", "--out", out])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    imported = altar("import", out)
    assert imported.exit_code == 0, imported.output
    assert query("SELECT count(*) FROM cases") == [(0,)]


def test_filled_template_imports(
    run, altar, tmp_path, read_csv, valid_row, write_csv, stored_answers
):
    header = read_csv(run(["template", "csv"]).stdout)[0]
    row = valid_row("TPL-1", screened_by="jd", instrument_version="1", self_harm="suspected")
    result = altar("import", write_csv(tmp_path / "filled.csv", [row], header=header))
    assert result.exit_code == 0, result.output
    assert stored_answers()["TPL-1"]["self_harm"] == ("suspected", None)
