"""Who counts (issue 17): a child counts in `altar stats` and every report
once their screening is complete. A case added and never screened, and a
screening in progress, change no figure, no key finding and no date range;
the method section says how many cases were left out and why; counting
screenings in progress is an explicit option, stamped on the document.

Each test compares a database holding the demo's 110 complete screenings
with one holding the same screenings and two unfinished cases, through the
real CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from altar.capture.exporter import export_header
from altar.instrument import current_codebook
from altar.synthetic import synthetic_rows

NEVER_SCREENED, HALF_SCREENED = "NEW-1", "HALF-1"


@pytest.fixture(scope="module")
def cohort_csv(tmp_path_factory) -> Path:
    """The demo cohort's 110 children, every screening complete."""
    path = tmp_path_factory.mktemp("who-counts") / "cohort.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=export_header(), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(synthetic_rows(current_codebook(), seed=2021))
    return path


def _ok(result):  # type: ignore[no-untyped-def]
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def stores(run, fresh_db, cohort_csv, tmp_path):  # type: ignore[no-untyped-def]
    """(complete only, complete plus a case never screened and one half screened)."""
    complete, mixed = fresh_db(), fresh_db()
    for target in (complete, mixed):
        _ok(run(["--db", target, "import", cohort_csv]))
    for ref in (NEVER_SCREENED, HALF_SCREENED):
        _ok(
            run(
                ["--db", mixed, "case", "add", ref, "--authority", "dudley", "--stratum", "custody"]
            )
        )
    form = _ok(run(["--db", mixed, "screening", "form", HALF_SCREENED])).stdout
    filled = re.sub(r"(?m)^ace_physical_abuse:.*$", "ace_physical_abuse: no", form)
    (tmp_path / "form.txt").write_text(filled, encoding="utf-8")
    entered = _ok(
        run(["--db", mixed, "screening", "enter", HALF_SCREENED, "--from", tmp_path / "form.txt"])
    )
    assert "in progress" in entered.stderr
    return complete, mixed


def _stats(run, target, *args):  # type: ignore[no-untyped-def]
    return json.loads(_ok(run(["--db", target, "stats", "--json", *args])).stdout)


def _without_stamp(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if k not in ("included", "left_out")}


@pytest.mark.parametrize("by", ["stratum", "authority"])
def test_unfinished_screenings_change_no_figure(run, stores, by):
    complete, mixed = stores
    alone, with_extra = _stats(run, complete, "--by", by), _stats(run, mixed, "--by", by)
    assert _without_stamp(with_extra) == _without_stamp(alone)
    assert alone["n_cases"] == 110
    assert alone["included"] == with_extra["included"] == "complete"
    assert alone["left_out"] == {"in_progress": 0, "not_started": 0}
    assert with_extra["left_out"] == {"in_progress": 1, "not_started": 1}
    local = _stats(run, mixed, "--authority", "dudley")
    assert local["left_out"] == {"in_progress": 1, "not_started": 1}
    assert _stats(run, mixed, "--authority", "coventry")["left_out"]["not_started"] == 0


def test_include_in_progress_counts_them_and_says_so(run, stores):
    complete, mixed = stores
    doc = _stats(run, mixed, "--include-in-progress")
    assert doc["n_cases"] == 111 and doc["groups"]["custody"]["n"] == (
        _stats(run, complete)["groups"]["custody"]["n"] + 1
    )
    assert doc["included"] == "complete_and_in_progress"
    assert doc["left_out"] == {"not_started": 1}
    text = _ok(run(["--db", mixed, "stats", "--include-in-progress"])).stdout
    assert "1 case whose screening has not started is not counted" in text


def _regional(run, target, out: Path, *args: str) -> BeautifulSoup:
    _ok(run(["--db", target, "report", "regional", "--format", "html", "--out", out, *args]))
    return BeautifulSoup((out / "regional-report.html").read_text(encoding="utf-8"), "html.parser")


def _facts(page: BeautifulSoup) -> dict[str, str]:
    return {
        dt.get_text(): dd.get_text(" ", strip=True)
        for dt, dd in zip(page.select("dl.facts dt"), page.select("dl.facts dd"))
    }


def _method(page: BeautifulSoup) -> str:
    return page.select_one("#method-who-counts").get_text(" ", strip=True)


def test_report_findings_and_dates_ignore_unfinished_screenings(run, stores, tmp_path):
    complete, mixed = stores
    alone, with_extra = (
        _regional(run, complete, tmp_path / "a"),
        _regional(run, mixed, tmp_path / "b"),
    )
    first = [p.select_one("ol.findings li .finding").get_text() for p in (alone, with_extra)]
    assert first[0] == first[1]
    for fact in ("Children", "Screenings"):
        assert _facts(alone)[fact] == _facts(with_extra)[fact]
    assert _facts(alone)["Children"] == "110"
    assert "no case was left out" in _method(alone)
    # Two cases left out is a count the rule hides: the published report gives its band only.
    assert _method(with_extra) == (
        "Only children whose screening is complete are counted: fewer than 6 cases whose "
        "screening is not complete are not counted."
    )
    working = _regional(run, mixed, tmp_path / "w", "--no-suppress")
    assert _method(working) == (
        "Only children whose screening is complete are counted: 2 cases whose screening is not "
        "complete are not counted (1 in progress, 1 not started)."
    )
    _ok(
        run(
            [
                "--db",
                mixed,
                "report",
                "authority",
                "dudley",
                "--format",
                "html",
                "--out",
                tmp_path / "c",
            ]
        )
    )
    summary = BeautifulSoup(
        (tmp_path / "c" / "summary-dudley.html").read_text(encoding="utf-8"), "html.parser"
    )
    assert "fewer than 6 cases whose screening is not complete are not counted" in _method(summary)


def test_report_counts_in_progress_only_when_asked_and_says_so(run, stores, tmp_path):
    _, mixed = stores
    page = _regional(run, mixed, tmp_path, "--include-in-progress")
    assert _facts(page)["Children"] == "111"
    assert _method(page) == (
        "Screenings still in progress are counted with the complete ones, so some answers are not "
        "final: fewer than 6 cases whose screening has not started are not counted."
    )


def test_the_web_reports_count_the_same_children_as_the_cli(web, altar, cohort_csv, tmp_path):
    _ok(altar("--user", "boss", "import", cohort_csv))
    for ref in (NEVER_SCREENED, HALF_SCREENED):
        _ok(
            altar(
                "--user",
                "boss",
                "case",
                "add",
                ref,
                "--authority",
                "dudley",
                "--stratum",
                "custody",
            )
        )
    response = web("lena").post("/lead/reports", {"format": "html"})
    assert response.status_code == 200
    html = zipfile.ZipFile(io.BytesIO(response.data)).read("regional-report.html")
    from_web = BeautifulSoup(html.decode("utf-8"), "html.parser")
    _ok(altar("--user", "boss", "report", "regional", "--format", "html", "--out", tmp_path))
    from_cli = BeautifulSoup(
        (tmp_path / "regional-report.html").read_text(encoding="utf-8"), "html.parser"
    )
    assert _facts(from_web)["Children"] == _facts(from_cli)["Children"] == "110"
    assert _method(from_web) == _method(from_cli)
    assert "fewer than 6 cases whose screening is not complete are not counted" in _method(from_web)
