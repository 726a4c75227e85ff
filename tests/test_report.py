"""`altar report regional|authority` through the real CLI, on a synthetic
cohort imported into SQLite and PostgreSQL.

The documents are read by structure (BeautifulSoup): table cells, figures,
their alt text. Figures are checked against `altar stats --json` (the
contract the reports must follow) and against counts taken straight from
the imported CSV; the disclosure rule is checked as a property of every
printed count.
"""

from __future__ import annotations

import csv
import json
import os
import re
import stat
from collections import Counter
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from altar.capture.exporter import export_header
from altar.cli import cli
from altar.instrument import current_codebook
from altar.synthetic import synthetic_rows

CLEAN_ENV = {
    "ALTAR_DB": None,
    "ALTAR_USER": None,
    "ALTAR_REGION": None,
    "ALTAR_BASELINES": None,
    "SOURCE_DATE_EPOCH": None,
}
GENERATED_AT = re.compile(r'<time class="generated-at" datetime="[^"]*">[^<]*</time>')
# A printed integer that is not part of a decimal or a percentage.
INTEGER = re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3})*(?![\d.,%])")


def invoke(*args: object, env: dict[str, str | None] | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(
        cli, [str(a) for a in args], env={**CLEAN_ENV, **(env or {})}, prog_name="altar"
    )


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


@pytest.fixture(scope="module")
def cohort(module_db, tmp_path_factory):
    """The demo cohort's CSV (110 synthetic children), imported once per backend."""
    folder = tmp_path_factory.mktemp("report-cohort")
    rows = list(synthetic_rows(current_codebook(), seed=2021))
    path = folder / "cohort.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=export_header(), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    result = invoke("--db", module_db, "import", path)
    assert result.exit_code == 0, result.output
    return module_db, rows


@pytest.fixture(scope="module")
def rendered(cohort, tmp_path_factory):
    """Both documents, HTML only, with the default rule; and the stats documents they must agree with."""
    db, rows = cohort
    out = tmp_path_factory.mktemp("reports")
    regional = invoke("--db", db, "report", "regional", "--format", "html", "--out", out)
    assert regional.exit_code == 0, regional.output
    summaries = invoke("--db", db, "report", "authority", "--all", "--format", "html", "--out", out)
    assert summaries.exit_code == 0, summaries.output
    stats = json.loads(invoke("--db", db, "stats", "--json").stdout)
    return {
        "db": db,
        "rows": rows,
        "out": out,
        "regional": regional,
        "summaries": summaries,
        "stats": stats,
    }


def stats_for(db, *args: str) -> dict:  # type: ignore[no-untyped-def]
    result = invoke("--db", db, "stats", "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def direct_text(td) -> str:  # type: ignore[no-untyped-def]
    """The cell's own text and its unwithheld numbers, without the percentage line."""
    parts = []
    for child in td.children:
        if isinstance(child, str):
            parts.append(child)
        elif "sub" not in child.get("class", []) and "pct" not in child.get("class", []):
            parts.append(child.get_text())
    return " ".join("".join(parts).split())


def printed_counts(page: BeautifulSoup) -> list[tuple[str, object]]:
    """Every integer printed as a count in a table cell (not completeness, not medians)."""
    found = []
    for td in page.select("td.num"):
        if td.find_parent("table", id="table-completeness") or "median" in td.get("class", []):
            continue
        for number in INTEGER.findall(direct_text(td)):
            found.append((number, td))
    return found


def assert_protected(page: BeautifulSoup, threshold: int) -> None:
    """No count from 1 to threshold-1 is printed, and every withheld figure is marked."""
    small = [
        (n, str(td)) for n, td in printed_counts(page) if 1 <= int(n.replace(",", "")) < threshold
    ]
    assert not small, small[:5]
    for element in page.find_all(string=re.compile(r"^\s*c\s*$")):
        parent = element.parent
        if parent.name in ("td", "span"):
            marked = "suppressed" in parent.get("class", []) or "suppressed" in (
                parent.find_parent("td") or {}
            ).get("class", [])
            assert marked, str(parent.find_parent("td") or parent)


def cell_texts(td) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    sub = td.select_one(".sub")
    return direct_text(td), " ".join(sub.get_text().split()) if sub else ""


def pct(p: float) -> str:
    return f"{100 * p:.1f}%"


def ci(low: float, high: float) -> str:
    return f"{100 * low:.1f}\u2013{100 * high:.1f}"


# --- files and the command line ---------------------------------------------------------------------------------


def test_reports_are_written_with_names_that_say_what_they_are(rendered, spec):
    out = rendered["out"]
    assert rendered["regional"].stdout.split() == [str(out / "regional-report.html")]
    expected = sorted(str(out / f"summary-{a}.html") for a in spec.authorities)
    assert sorted(rendered["summaries"].stdout.split()) == expected
    assert "suppressed" in rendered["regional"].stderr


def test_title_page_states_region_dates_instrument_n_generated_at_and_fingerprint(rendered):
    page = soup(rendered["out"] / "regional-report.html")
    facts = {
        dt.get_text(): dd.get_text(" ", strip=True)
        for dt, dd in zip(page.select("dl.facts dt"), page.select("dl.facts dd"))
    }
    dates = sorted(r["screened_on"] for r in rendered["rows"])
    first, last = (f"{int(d[8:])} " for d in (dates[0], dates[-1]))
    assert facts["Region"] == "West Midlands"
    assert facts["Children"] == str(len(rendered["rows"])) == str(rendered["stats"]["n_cases"])
    assert facts["Screenings"].startswith(first) and dates[0][:4] in facts["Screenings"]
    assert (
        facts["Screenings"].split(" to ")[1].startswith(last)
        and dates[-1][:4] in facts["Screenings"]
    )
    assert "altar-screening" in facts["Instrument"] and "version 1" in facts["Instrument"]
    assert facts["Generated"].endswith("UTC")
    assert re.fullmatch(r"[0-9a-f]{4}( [0-9a-f]{4}){3}", facts["Data fingerprint"])
    assert page.select_one("time.generated-at")["datetime"].endswith("Z")


def test_regional_report_has_every_section_in_the_order_a_reader_needs(rendered):
    page = soup(rendered["out"] / "regional-report.html")
    sections = [s["id"] for s in page.select("section.chapter")]
    assert sections == [
        "findings",
        "cohort",
        "aces",
        "wider",
        "attachment",
        "groups",
        "differences",
        "stories",
        "method",
    ]
    contents = [a["href"] for a in page.select("nav.contents a")]
    assert contents == [f"#{s}" for s in sections]
    assert "no case stories yet" in page.select_one("#stories").get_text()


def test_every_chart_has_alt_text_and_an_embedded_image(rendered):
    for path in rendered["out"].glob("*.html"):
        page = soup(path)
        images = page.select("figure.chart img")
        assert images, path.name
        for img in images:
            assert img["src"].startswith("data:image/svg+xml;base64,")
            assert len(img["alt"]) > 40, img["alt"]
        # self-contained: no external resource of any kind
        assert not page.select("link[href], script[src], img[src^=http]")


# --- the figures are the stats document's ------------------------------------------------------------------------


def test_key_numbers_equal_altar_stats_json(rendered, spec):
    doc = rendered["stats"]
    page = soup(rendered["out"] / "regional-report.html")
    everyone = doc["groups"]["all"]
    checked = 0
    for code in spec.groups["ace"]:
        code = code[0]
        row = page.select_one(f"#table-aces tr[data-item={code}]")
        cells = row.select("td")
        columns = [c for c in doc["groups"] if c != "all"] + ["all"]
        for group, td in zip(columns, cells):
            item = doc["groups"][group]["items"][code]
            count, sub = cell_texts(td)
            if "suppressed" in td.get("class", []):
                continue
            assert count == f"{item['yes'] + item['suspected']} of {item['answered']}"
            low, high = item["ci95_known_or_suspected"]
            assert sub == f"{pct(item['pct_known_or_suspected'])} ({ci(low, high)})"
            checked += 1
    assert checked >= 25
    # The headline sentence about abuse carries the document's count.
    first = page.select_one("ol.findings li .finding").get_text()
    assert f"({everyone['summary']['any_abuse_incl_suspected']} of {everyone['n']})" in first
    # ACE score bands: the all-children column is the document's band counts.
    bands = page.select_one("#table-ace-bands")
    for tr in bands.select("tbody tr"):
        band = tr.th.get_text().split()[0]
        total = tr.select("td")[-1]
        if "suppressed" not in total.get("class", []):
            assert direct_text(total) == str(everyone["ace_score_incl_suspected"][band])


def test_strata_differences_carry_the_documents_adjusted_p_values(rendered):
    doc = rendered["stats"]
    page = soup(rendered["out"] / "regional-report.html")
    table = page.select_one("#table-differences-stratum")
    tests = {c["label"]: c for c in doc["comparisons"]}
    for tr in table.select("tbody tr"):
        c = tests[tr.th.get_text(strip=True)]
        shown = tr.select("td")[-2].get_text(strip=True)
        p = c["p_holm"]
        assert shown == ("< 0.001" if p < 0.001 else f"{p:.3f}" if p < 0.1 else f"{p:.2f}")
        assert ("Clear difference" in tr.get_text()) == (p < 0.05)


def test_summary_figures_equal_altar_stats_json_for_the_authority(rendered):
    db = rendered["db"]
    local = stats_for(db, "--authority", "birmingham")["groups"]["all"]
    region = rendered["stats"]["groups"]["all"]
    page = soup(rendered["out"] / "summary-birmingham.html")
    checked = 0
    for tr in page.select("#table-items tbody tr[data-item]"):
        code = tr["data-item"]
        mine, theirs = tr.select("td")
        protective = tr.select_one(".protective-tag") is not None
        for td, figures in ((mine, local), (theirs, region)):
            item = figures["items"][code]
            k = item["yes"] if protective else item["yes"] + item["suspected"]
            if "suppressed" in td.get("class", []):
                continue
            assert direct_text(td) == f"{k} of {item['answered']}"
            checked += 1
    assert checked >= 40
    head = page.select_one("#table-headline tr[data-item=any_abuse] td")
    if "suppressed" not in head.get("class", []):
        assert (
            direct_text(head) == f"{local['summary']['any_abuse_incl_suspected']} of {local['n']}"
        )


# --- disclosure control ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["regional-report", "summary-warwickshire", "summary-dudley", "summary-birmingham"]
)
def test_no_count_from_1_to_5_is_printed_and_every_withheld_figure_is_marked(rendered, name):
    assert_protected(soup(rendered["out"] / f"{name}.html"), 6)


def test_small_cells_are_c_with_secondary_suppression_in_the_cohort_tables(rendered):
    page = soup(rendered["out"] / "regional-report.html")
    strata = ["custody", "community", "out_of_court"]
    seen_small = seen_secondary = 0
    sexes = {"Boys": "male", "Girls": "female", "Not recorded": "unknown"}
    for attribute, labels in (("authority", None), ("sex", sexes)):
        truth = Counter((r[attribute], r["stratum"]) for r in rendered["rows"])
        table = page.select_one(f"#cohort-{attribute}")
        for tr in table.select("tbody tr"):
            label = tr.th.get_text(strip=True)
            value = labels[label] if labels else label.lower().replace(" ", "_")
            cells = tr.select("td")
            counts = [truth[(value, s)] for s in strata]
            for n, td in zip([*counts, sum(counts)], cells):
                if 1 <= n <= 5:
                    assert td.get_text(strip=True) == "c" and "suppressed" in td["class"], (
                        value,
                        n,
                    )
                    seen_small += 1
                elif n == 0:
                    assert direct_text(td) == "0"
                elif "suppressed" in td["class"]:
                    seen_secondary += 1  # withheld so that a total cannot give a small count away
                else:
                    assert direct_text(td) == str(n)
    assert seen_small and seen_secondary


def test_small_authority_summary_withholds_its_small_counts(rendered):
    rows = [r for r in rendered["rows"] if r["authority"] == "warwickshire"]
    assert len(rows) == 6
    page = soup(rendered["out"] / "summary-warwickshire.html")
    by_sex = Counter(r["sex"] for r in rows)
    table = page.select_one("#table-children")
    groups = {
        tb.select_one("tr.group-heading").get_text(strip=True): tb for tb in table.select("tbody")
    }
    for tr in groups["Sex"].select("tr:not(.group-heading)"):
        label = tr.th.get_text(strip=True)
        sex = {"Boys": "male", "Girls": "female", "Not recorded": "unknown", "Other": "other"}[
            label
        ]
        td = tr.select("td")[0]
        if 1 <= by_sex[sex] <= 5:
            assert td.get_text(strip=True) == "c" and "suppressed" in td["class"]
        else:
            assert direct_text(td) == str(by_sex[sex])
    assert page.select(".suppressed")


def test_suppress_below_10_applies_the_ons_threshold(cohort, tmp_path):
    db, rows = cohort
    result = invoke(
        "--db",
        db,
        "report",
        "regional",
        "--format",
        "html",
        "--out",
        tmp_path,
        "--suppress-below",
        "10",
    )
    assert result.exit_code == 0, result.output
    page = soup(tmp_path / "regional-report.html")
    assert_protected(page, 10)
    truth = Counter((r["authority"], r["stratum"]) for r in rows)
    assert any(6 <= n <= 9 for n in truth.values())
    assert "1 to 9" in page.select_one(".title-page .status").get_text()
    summary = invoke(
        "--db",
        db,
        "report",
        "authority",
        "dudley",
        "--format",
        "html",
        "--out",
        tmp_path,
        "--suppress-below",
        "10",
    )
    assert summary.exit_code == 0, summary.output
    assert_protected(soup(tmp_path / "summary-dudley.html"), 10)


def test_no_suppress_stamps_every_page_official_sensitive(cohort, tmp_path):
    db, rows = cohort
    result = invoke(
        "--db",
        db,
        "report",
        "authority",
        "walsall",
        "--format",
        "html",
        "--out",
        tmp_path,
        "--no-suppress",
    )
    assert result.exit_code == 0, result.output
    assert "OFFICIAL-SENSITIVE" in result.stderr
    path = tmp_path / "summary-walsall.html"
    html = path.read_text(encoding="utf-8")
    page = BeautifulSoup(html, "html.parser")
    stamp = "OFFICIAL-SENSITIVE: contains unsuppressed small numbers, not for publication"
    assert page.select_one(".banner.official-sensitive").get_text(strip=True) == stamp
    assert re.search(r"@page\s*{\s*@top-center\s*{\s*content:\s*\"" + re.escape(stamp), html)
    assert not page.select(".suppressed")
    custody = sum(1 for r in rows if r["authority"] == "walsall" and r["stratum"] == "custody")
    assert 1 <= custody <= 5
    stratum = next(tb for tb in page.select("#table-children tbody") if "Stratum" in tb.get_text())
    assert direct_text(stratum.select("tr:not(.group-heading)")[0].select_one("td")) == str(custody)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_no_suppress_and_suppress_below_together_is_a_usage_error(cohort, tmp_path):
    db, _ = cohort
    result = invoke(
        "--db",
        db,
        "report",
        "regional",
        "--no-suppress",
        "--suppress-below",
        "10",
        "--out",
        tmp_path,
    )
    assert result.exit_code == 2
    assert "cannot be used together" in result.stderr


# --- authorities -------------------------------------------------------------------------------------------------


def test_an_authority_can_be_named_by_its_display_name(cohort, tmp_path):
    db, _ = cohort
    result = invoke(
        "--db", db, "report", "authority", "West Mercia", "--format", "html", "--out", tmp_path
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.split() == [str(tmp_path / "summary-west_mercia.html")]
    assert "West Mercia" in soup(tmp_path / "summary-west_mercia.html").select_one("h1").get_text()


def test_authority_needs_a_code_or_all(cohort, tmp_path):
    db, _ = cohort
    assert invoke("--db", db, "report", "authority", "--out", tmp_path).exit_code == 2
    assert (
        invoke("--db", db, "report", "authority", "dudley", "--all", "--out", tmp_path).exit_code
        == 2
    )


def test_unknown_authority_is_a_one_line_error(cohort, tmp_path, assert_user_error):
    db, _ = cohort
    result = invoke("--db", db, "report", "authority", "atlantis", "--out", tmp_path)
    assert_user_error(result, "atlantis", "not a known authority")


def test_authority_with_no_children_has_nothing_to_summarise(
    db, tmp_path, assert_user_error, valid_row, write_csv
):
    rows = [valid_row(f"COV-{i:03d}", authority="coventry") for i in range(3)]
    assert invoke("--db", db, "import", write_csv(tmp_path / "c.csv", rows)).exit_code == 0
    result = invoke("--db", db, "report", "authority", "dudley", "--out", tmp_path)
    assert_user_error(result, "dudley", "no screened children", exit_code=3)


def test_empty_database_has_nothing_to_report(db, tmp_path, assert_user_error):
    assert_user_error(
        invoke("--db", db, "report", "regional", "--out", tmp_path),
        "nothing to report",
        exit_code=3,
    )


# --- safety and reproducibility ----------------------------------------------------------------------------------


def test_an_authority_named_like_a_script_renders_inert(db, tmp_path, valid_row, write_csv):
    name = "<script>alert(1)</script>"
    added = invoke("--db", db, "authority", "add", "xss_test", name)
    assert added.exit_code == 0, added.output
    rows = [
        valid_row(f"XSS-{i:03d}", authority="xss_test", stratum=s, ace_physical_abuse="yes")
        for i, s in enumerate(["custody"] * 7 + ["community"] * 7 + ["out_of_court"] * 7)
    ]
    imported = invoke("--db", db, "import", write_csv(tmp_path / "xss.csv", rows))
    assert imported.exit_code == 0, imported.output
    out = tmp_path / "out"
    for args in (["regional"], ["authority", "xss_test"]):
        result = invoke("--db", db, "report", *args, "--format", "html", "--out", out)
        assert result.exit_code == 0, result.output
    for path in (out / "regional-report.html", out / "summary-xss_test.html"):
        html = path.read_text(encoding="utf-8")
        assert name not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        page = BeautifulSoup(html, "html.parser")
        assert page.find_all("script") == []
        assert name in page.get_text()  # shown to the reader as text


def test_html_is_byte_identical_for_the_same_data_apart_from_generated_at(rendered, tmp_path):
    # The first copy is the module's rendering (stamped now), the second one stamped in 2027.
    names = ("regional-report.html", "summary-coventry.html")
    texts = [[(rendered["out"] / n).read_text(encoding="utf-8") for n in names]]
    for args in (["regional"], ["authority", "coventry"]):
        result = invoke(
            "--db",
            rendered["db"],
            "report",
            *args,
            "--format",
            "html",
            "--out",
            tmp_path,
            env={"SOURCE_DATE_EPOCH": "1800000000"},
        )
        assert result.exit_code == 0, result.output
    texts.append([(tmp_path / n).read_text(encoding="utf-8") for n in names])
    for first, second in zip(*texts):
        assert first != second  # the stamp differs...
        assert GENERATED_AT.sub("", first) == GENERATED_AT.sub("", second)  # ...and nothing else
        assert len(GENERATED_AT.findall(first)) == 1


def test_fingerprint_changes_with_the_data(db, tmp_path, valid_row, write_csv):
    rows = [
        valid_row(f"FP-{i:03d}", stratum=s)
        for i, s in enumerate(["custody", "community", "out_of_court"] * 4)
    ]
    assert invoke("--db", db, "import", write_csv(tmp_path / "a.csv", rows)).exit_code == 0

    def fingerprint() -> str:
        result = invoke(
            "--db", db, "report", "regional", "--format", "html", "--out", tmp_path / "out"
        )
        assert result.exit_code == 0, result.output
        return (
            soup(tmp_path / "out" / "regional-report.html")
            .select_one(".fingerprint")
            .get_text(strip=True)
        )

    before = fingerprint()
    assert fingerprint() == before
    changed = [dict(rows[0], ace_sexual_abuse="suspected")]
    assert (
        invoke("--db", db, "import", write_csv(tmp_path / "b.csv", changed), "--update").exit_code
        == 0
    )
    assert fingerprint() != before


# --- PDF without WeasyPrint ----------------------------------------------------------------------------------------


def test_pdf_without_weasyprint_says_how_to_enable_it(
    cohort, tmp_path, monkeypatch, assert_user_error
):
    import altar.cli.report as command

    monkeypatch.setattr(
        command, "pdf_problem", lambda: "PDF output needs WeasyPrint: pip install 'altar[pdf]'"
    )
    db, _ = cohort
    assert_user_error(
        invoke("--db", db, "report", "regional", "--format", "pdf", "--out", tmp_path),
        "pip install 'altar[pdf]'",
        exit_code=8,
    )
    default = invoke("--db", db, "report", "authority", "solihull", "--out", tmp_path)
    assert default.exit_code == 0, default.output
    assert default.stdout.split() == [str(tmp_path / "summary-solihull.html")]
    assert "pip install 'altar[pdf]'" in default.stderr


def test_report_help_names_both_documents_and_the_options():
    result = invoke("report", "--help")
    assert result.exit_code == 0
    assert "regional" in result.stdout and "authority" in result.stdout
    options = invoke("report", "regional", "--help").stdout
    for option in ("--out", "--format", "--suppress-below", "--no-suppress", "ALTAR_REGION"):
        assert option in options
