"""The documents `altar demo` renders, as a reader gets them: opened in
headless Chromium (every chart must load), and as PDF (pages rendered to PNG
with poppler's pdftoppm, text read with pdftotext). No case reference may
appear in either.

Chromium (Debian's `chromium`), poppler-utils and WeasyPrint are optional
here: a test that needs one skips, naming what is missing, unless CI sets
ALTAR_REQUIRE_BROWSER=1 or ALTAR_REQUIRE_PDF=1, which turn the skip into a
failure (`.ci/run` installs them and sets both).
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from altar.cli import cli

CHROMIUM = os.environ.get("ALTAR_CHROMIUM", "/usr/bin/chromium")


def _unavailable(reason: str, variable: str) -> None:
    if os.environ.get(variable) == "1":
        pytest.fail(f"{reason}, and {variable}=1 requires this test", pytrace=False)
    pytest.skip(f"{reason} (set {variable}=1 to make this an error)")


def _need_pdf_tools() -> None:
    from altar.report import pdf_problem

    problem = pdf_problem()
    if problem:
        _unavailable(f"WeasyPrint is not usable: {problem}", "ALTAR_REQUIRE_PDF")
    for tool in ("pdftoppm", "pdftotext", "pdfinfo"):
        if shutil.which(tool) is None:
            _unavailable(
                f"{tool} not found (Debian: apt-get install poppler-utils)", "ALTAR_REQUIRE_PDF"
            )


@pytest.fixture(scope="module")
def demo(demo_release):
    """The session's demo (conftest), read only."""
    directory, result = demo_release
    with sqlite3.connect(directory / "altar.db") as conn:
        refs = [r for (r,) in conn.execute("SELECT case_ref FROM cases")]
        authorities = [
            c
            for (c,) in conn.execute(
                "SELECT DISTINCT a.code FROM cases c JOIN authority a ON a.id = c.authority_id"
            )
        ]
    return directory, result, refs, authorities


def test_demo_renders_the_regional_report_and_nine_summaries(demo, spec):
    directory, result, _, authorities = demo
    reports = directory / "reports"
    expected = ["regional-report"] + [f"summary-{a}" for a in sorted(authorities)]
    assert sorted(authorities) == sorted(spec.authorities)
    for name in expected:
        assert (reports / f"{name}.html").is_file()
        assert str(reports / f"{name}.html") in result.stdout
    from altar.report import pdf_problem

    if pdf_problem() is None:
        for name in expected:
            assert (reports / f"{name}.pdf").read_bytes()[:5] == b"%PDF-"
            assert str(reports / f"{name}.pdf") in result.stdout
    else:
        assert "pip install 'altar[pdf]'" in result.stderr


def test_demo_reports_say_their_data_are_synthetic(demo):
    reports = demo[0] / "reports"
    for path in reports.glob("*.html"):
        page = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        assert "SYNTHETIC DATA" in page.select_one(".banner.synthetic").get_text()


def test_no_case_reference_appears_in_any_report(demo):
    directory, _, refs, _ = demo
    assert len(refs) > 100
    pattern = re.compile("|".join(re.escape(r) for r in refs))
    htmls = list((directory / "reports").glob("*.html"))
    assert len(htmls) == 10
    for path in htmls:
        text = path.read_text(encoding="utf-8")
        assert not pattern.search(text), path.name
        assert "SYN-" not in text
    pdfs = list((directory / "reports").glob("*.pdf"))
    if not pdfs:
        _need_pdf_tools()
    for path in pdfs:
        if shutil.which("pdftotext") is None:
            _need_pdf_tools()
        text = subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert not pattern.search(text), path.name


def test_pdf_pages_render_and_carry_the_documents_text(demo, tmp_path):
    _need_pdf_tools()
    reports = demo[0] / "reports"
    for name, title in (
        ("regional-report", "Regional report: West Midlands"),
        ("summary-dudley", "Summary of local findings: Dudley"),
    ):
        pdf = reports / f"{name}.pdf"
        info = subprocess.run(
            ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True
        ).stdout
        pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
        assert pages >= 8, info
        assert "A4" in info or "595" in info
        text = subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert title.split(":")[0] in text and "Data fingerprint" in text
        assert f"Page 2 of {pages}" in text  # page numbers from the @page rules
        assert "SYNTHETIC DATA" in text
        # The first three pages (title, contents, findings) as images.
        prefix = tmp_path / name
        subprocess.run(
            ["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "3", str(pdf), str(prefix)],
            check=True,
        )
        images = sorted(tmp_path.glob(f"{name}-*.png"))
        assert len(images) == 3
        assert all(
            p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and p.stat().st_size > 3000 for p in images
        )


def _chromium() -> Path:
    if not Path(CHROMIUM).exists():
        _unavailable(
            f"headless Chromium not found at {CHROMIUM} (Debian: apt-get install chromium)",
            "ALTAR_REQUIRE_BROWSER",
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _unavailable(
            "Playwright for Python is not installed (pip install playwright; no browser download "
            "needed)",
            "ALTAR_REQUIRE_BROWSER",
        )
    return Path(CHROMIUM)


def test_every_chart_loads_in_headless_chromium(demo):
    chromium = _chromium()
    from playwright.sync_api import sync_playwright

    reports = demo[0] / "reports"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=["--no-sandbox"])
        try:
            page = browser.new_page()
            for name in ("regional-report", "summary-dudley", "summary-warwickshire"):
                page.goto((reports / f"{name}.html").as_uri())
                page.wait_for_load_state("load")
                images = page.evaluate(
                    "() => Array.from(document.images).map(i => ({complete: i.complete, width: i.naturalWidth,"
                    " alt: i.alt}))"
                )
                figures = page.evaluate("() => document.querySelectorAll('figure.chart').length")
                assert images and len(images) == figures, name
                broken = [i["alt"][:60] for i in images if not (i["complete"] and i["width"] > 0)]
                assert not broken, (name, broken)
                assert all(i["alt"] for i in images)
                # Nothing the page asked for came from outside the file.
                assert (
                    page.evaluate(
                        "() => performance.getEntriesByType('resource')"
                        ".filter(r => !r.name.startsWith('data:')).length"
                    )
                    == 0
                )
        finally:
            browser.close()


def test_an_unsuppressed_pdf_is_stamped_official_sensitive_on_every_page(demo, tmp_path):
    _need_pdf_tools()
    result = CliRunner().invoke(
        cli,
        [
            "--db",
            str(demo[0] / "altar.db"),
            "report",
            "authority",
            "walsall",
            "--no-suppress",
            "--format",
            "pdf",
            "--out",
            str(tmp_path),
        ],
        env={"ALTAR_DB": None},
        prog_name="altar",
    )
    assert result.exit_code == 0, result.output
    pdf = tmp_path / "summary-walsall.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    stamped = [
        page
        for page in text.split("\f")[:pages]
        if "OFFICIAL-SENSITIVE: contains unsuppressed" in page
    ]
    assert len(stamped) == pages
