"""The lead researcher's pages (/lead...): completeness, pen-picture approval
and the reports download, through Flask's test client on real databases
(both backends), with a small synthetic cohort imported through the CLI.

Expected figures are counted here from the CSV the test imported (or read
with plain SQL), never from the code under test.
"""

from __future__ import annotations

import csv
import io
import os
import random
import re
import zipfile
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from altar.access import User
from altar.capture.exporter import export_header
from altar.completeness import completeness
from altar.db import connect
from altar.errors import AccessDenied, ValidationError
from altar.instrument import current_codebook
from altar.report import ReportOptions, archive
from altar.synthetic import synthetic_rows

PLAN = {"main": {"dudley": 9, "walsall": 7, "coventry": 4}}
DELETED = "SYN-COV-M004"  # imported, then deleted: counted nowhere
SCRIPT = "<script>alert('x')</script>"


def page(response) -> BeautifulSoup:  # type: ignore[no-untyped-def]
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def text(response) -> str:  # type: ignore[no-untyped-def]
    return page(response).get_text(" ", strip=True)


def _rows() -> list[dict[str, str]]:
    """The synthetic rows, some screenings left part-done (``unanswered``)
    and one not started at all, so every progress state occurs."""
    book, rng = current_codebook(), random.Random(7)
    rows = list(synthetic_rows(book, plan=PLAN, seed=11))
    codes = [item.code for item in book.items]
    for row in rows[1::3]:
        for code in rng.sample(codes, 5):
            row[code] = "unanswered"
    for code in codes:
        rows[4][code] = "unanswered"
    return rows


@pytest.fixture
def cohort(altar, tmp_path) -> list[dict[str, str]]:
    """The cohort imported through `altar import`; returns the live rows."""
    rows = _rows()
    path = tmp_path / "cohort.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=export_header(), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    result = altar("--user", "boss", "import", path)
    assert result.exit_code == 0, result.output
    result = altar("--user", "boss", "case", "delete", DELETED)
    assert result.exit_code == 0, result.output
    return [r for r in rows if r["case_ref"] != DELETED]


def _progress(row: dict[str, str]) -> str:
    cells = [row[item.code] for item in current_codebook().items]
    if all(c == "unanswered" for c in cells):
        return "not_started"
    return "in_progress" if "unanswered" in cells else "complete"


def _expected_items(rows: list[dict[str, str]]) -> dict[str, tuple[int, int]]:
    """{code: (unknown, not answered)}: in the import's contract a blank
    cell or the word unknown is unknown; ``unanswered`` is not answered."""
    return {
        item.code: (
            sum(r[item.code] in ("", "unknown") for r in rows),
            sum(r[item.code] == "unanswered" for r in rows),
        )
        for item in current_codebook().items
    }


def _number(cell) -> int:  # type: ignore[no-untyped-def]
    return int(cell.get_text(strip=True))


def _progress_table(response) -> dict[tuple[str, str], tuple[int, ...]]:  # type: ignore[no-untyped-def]
    table = page(response).find("caption", string=lambda s: s and "by how far" in s).parent
    out = {}
    for tr in table.tbody.find_all("tr"):
        authority, stratum = tr.th.get_text(strip=True), tr.td.get_text(strip=True)
        out[(authority, stratum)] = tuple(_number(td) for td in tr.find_all("td")[1:])
    return out


def _items_table(response) -> dict[str, tuple[int, int]]:  # type: ignore[no-untyped-def]
    table = page(response).find("table", class_="lead-items")
    out = {}
    for tr in table.find_all("tr"):
        cells = tr.find_all("td")
        if cells:
            out[tr.th.code.get_text(strip=True)] = (_number(cells[0]), _number(cells[1]))
    return out


NAMES = {"dudley": "Dudley", "walsall": "Walsall", "coventry": "Coventry"}
STRATA = {
    "custody": "Custody",
    "community": "Community sentence",
    "out_of_court": "Out-of-court disposal",
}


def _expected_progress(rows: list[dict[str, str]]) -> dict[tuple[str, str], tuple[int, ...]]:
    counts = Counter((r["authority"], r["stratum"], _progress(r)) for r in rows)
    pairs = {(a, s) for a, s, _ in counts}
    out = {}
    for a, s in pairs:
        numbers = [counts[(a, s, p)] for p in ("complete", "in_progress", "not_started")]
        out[(NAMES[a], STRATA[s])] = (*numbers, sum(numbers))
    return out


# --- the completeness page ------------------------------------------------------------


def test_completeness_counts_screenings_by_authority_and_stratum(web, cohort):
    response = web("lena").get("/lead")
    assert response.status_code == 200
    assert "Working figures: not for publication" in text(response)
    assert _progress_table(response) == _expected_progress(cohort)
    statuses = Counter(_progress(r) for r in cohort)
    assert statuses["not_started"] == 1 and statuses["in_progress"] and statuses["complete"]
    total = page(response).find("tfoot").find_all("td")
    assert [_number(td) for td in total] == [
        statuses["complete"],
        statuses["in_progress"],
        statuses["not_started"],
        len(cohort),
    ]


def test_completeness_counts_unknowns_and_unanswered_per_item(web, cohort):
    response = web("boss").get("/lead")
    items = _items_table(response)
    assert items == _expected_items(cohort)
    assert sum(unknown for unknown, _ in items.values()) > 0
    label = current_codebook().items[0].label
    assert label in text(response)


def test_completeness_filters_by_authority_and_stratum(web, cohort):
    response = web("lena").get("/lead?authority=Walsall&stratum=community")
    assert response.status_code == 200
    chosen = [r for r in cohort if r["authority"] == "walsall" and r["stratum"] == "community"]
    assert chosen, "the synthetic plan should give Walsall community cases"
    assert _progress_table(response) == _expected_progress(chosen)
    assert _items_table(response) == _expected_items(chosen)
    assert f"Of the {len(chosen)} screenings started in Walsall, community sentence" in text(
        response
    )


def test_completeness_agrees_with_plain_sql(web, cohort, query):
    """The unknown count of every item, straight from the answer table."""
    rows = query(
        "SELECT a.item_code, COUNT(*) FROM answer a JOIN screening s ON s.id = a.screening_id "
        "JOIN cases c ON c.id = s.case_id WHERE c.deleted_at IS NULL "
        "AND (a.value = 'unknown' OR (a.value IS NULL AND a.count IS NULL)) GROUP BY a.item_code"
    )
    items = _items_table(web("lena").get("/lead"))
    assert {code: n for code, (n, _) in items.items() if n} == dict(rows)


def test_a_bad_filter_is_named_and_nothing_is_filtered(web, cohort):
    response = web("lena").get("/lead?authority=atlantis&stratum=orbit")
    assert response.status_code == 400
    summary = page(response).find(class_="error-summary")
    links = {a["href"] for a in summary.find_all("a")}
    assert links == {"#authority", "#stratum"}
    assert "not a known authority" in summary.get_text()
    assert sum(v[-1] for v in _progress_table(response).values()) == len(cohort)


def test_completeness_of_an_empty_store(web):
    response = web("lena").get("/lead")
    assert response.status_code == 200
    assert "There are no cases in all authorities" in text(response)
    assert page(response).find("table", class_="lead-items") is None


def test_the_library_function_refuses_a_practitioner_and_a_bad_filter(db, cohort):
    database = connect(str(db))
    try:
        with database.reader() as session:
            with pytest.raises(AccessDenied):
                completeness(session, User("pat", "practitioner", "dudley", 1))
            with pytest.raises(ValidationError) as caught:
                completeness(session, User("lena", "lead"), stratum="orbit")
            assert caught.value.problems == [
                "stratum: stratum must be one of custody, community, out_of_court"
            ]
            view = completeness(session, User("lena", "lead"), authority="dudley")
            with pytest.raises(AccessDenied):
                archive(
                    session,
                    User("pat", "practitioner", "dudley", 1),
                    ReportOptions(datetime.now()),
                    ("html",),
                )
    finally:
        database.engine.dispose()
    dudley = [r for r in cohort if r["authority"] == "dudley"]
    assert (view.authority, view.screenings, view.total.cases) == (
        "dudley",
        len(dudley),
        len(dudley),
    )


# --- refusals common to every lead page ------------------------------------------------

LEAD_PAGES = ("/lead", "/lead/pen-pictures", "/lead/pen-pictures/1", "/lead/reports")


@pytest.mark.parametrize("path", LEAD_PAGES)
def test_signed_out_lead_pages_go_to_sign_in(web, path):
    response = web().get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in?next=/lead")


def test_a_practitioner_may_not_see_or_use_the_lead_pages(web, cohort, altar, query):
    picture = _add_picture(altar, cohort[0]["case_ref"])
    pat = web("pat")
    for path in (*LEAD_PAGES[:2], f"/lead/pen-pictures/{picture}", LEAD_PAGES[3]):
        response = pat.get(path)
        assert response.status_code == 403, path
        assert "You cannot do that" in text(response)
    assert pat.post(f"/lead/pen-pictures/{picture}", {"action": "approve"}).status_code == 403
    response = pat.post("/lead/reports", {"format": "html"})
    assert response.status_code == 403 and response.mimetype == "text/html"
    assert query("SELECT approved_by FROM pen_picture") == [(None,)]
    assert "Lead researcher" not in text(pat.get("/cases"))


# --- pen-pictures ----------------------------------------------------------------------


def _add_picture(
    altar,
    case_ref: str,
    title: str = "Excluded at eleven",  # type: ignore[no-untyped-def]
    body: str = "A boy of 15.\n\nHe liked football.",
) -> int:
    result = altar(
        "--user",
        "lena",
        "penpicture",
        "add",
        case_ref,
        "--title",
        title,
        "--from-file",
        _file(body),
    )
    assert result.exit_code == 0, result.output
    return int(result.output.split("Added pen-picture ")[1].split()[0])


def _file(body: str) -> Path:
    import tempfile

    handle = tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8")  # noqa: SIM115
    with handle:
        handle.write(body)
    return Path(handle.name)


def test_pen_pictures_are_listed_with_stratum_and_approval(web, cohort, altar):
    first = _add_picture(altar, cohort[0]["case_ref"], "Out of school at eleven")
    second = _add_picture(altar, cohort[1]["case_ref"], "A carer at fourteen")
    assert altar("--user", "lena", "penpicture", "approve", str(second)).exit_code == 0
    response = web("lena").get("/lead/pen-pictures")
    assert response.status_code == 200
    rows = {
        tr.th.get_text(strip=True): [td.get_text(" ", strip=True) for td in tr.find_all("td")]
        for tr in page(response).tbody.find_all("tr")
    }
    assert rows == {
        "Out of school at eleven": [
            NAMES[cohort[0]["authority"]],
            STRATA[cohort[0]["stratum"]],
            "Draft, not approved",
        ],
        "A carer at fourteen": [
            NAMES[cohort[1]["authority"]],
            STRATA[cohort[1]["stratum"]],
            "Approved",
        ],
    }
    link = page(response).find("a", string="Out of school at eleven")["href"]
    assert link == f"/lead/pen-pictures/{first}"


def test_a_pen_picture_is_shown_as_escaped_paragraphs(web, cohort, altar):
    picture = _add_picture(
        altar, cohort[0]["case_ref"], body=f"A boy of 15 who typed {SCRIPT}.\n\nHe liked\nfootball."
    )
    response = web("lena").get(f"/lead/pen-pictures/{picture}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert SCRIPT not in html and "&lt;script&gt;" in html
    soup = page(response)
    assert soup.find("script") is None
    paragraphs = [p.get_text() for p in soup.find(class_="lead-pen-picture").find_all("p")]
    assert paragraphs == [f"A boy of 15 who typed {SCRIPT}.", "He liked football."]


def test_approving_and_withdrawing_writes_and_audits_under_the_signed_in_user(
    web, cohort, altar, query
):
    picture = _add_picture(altar, cohort[0]["case_ref"])
    lena = web("lena")
    response = lena.post(f"/lead/pen-pictures/{picture}", {"action": "approve"})
    assert response.status_code == 302
    assert query("SELECT approved_by FROM pen_picture WHERE id = ?", (picture,)) == [("lena",)]
    shown = lena.get(response.headers["Location"])
    assert "Approved: it appears in the regional report" in text(shown)
    assert page(shown).find("button", string=lambda s: s and "Withdraw approval" in s)
    assert "Nothing changed" in text(
        lena.get(
            lena.post(f"/lead/pen-pictures/{picture}", {"action": "approve"}).headers["Location"]
        )
    )
    assert lena.post(f"/lead/pen-pictures/{picture}", {"action": "withdraw"}).status_code == 302
    assert query("SELECT approved_by, approved_at FROM pen_picture WHERE id = ?", (picture,)) == [
        (None, None)
    ]
    log = query(
        "SELECT actor, command, field, new_value FROM change_log WHERE entity = 'pen_picture' "
        "AND field LIKE '%approved' ORDER BY id"
    )
    expected = ("lena", "altar serve pen_pictures.approval", f"#{picture} approved")
    assert [(a, c, f) for a, c, f, _ in log] == [expected] * 2
    assert log[0][3].startswith("approved by lena") and log[1][3] is None
    audit = altar("--user", "boss", "audit", "--user", "lena", "--format", "csv")
    assert "altar serve pen_pictures.approval" in audit.stdout


def test_approval_refuses_a_missing_csrf_token_a_bad_action_and_an_unknown_picture(
    web, cohort, altar, query
):
    picture = _add_picture(altar, cohort[0]["case_ref"])
    lena = web("lena")
    assert (
        lena.post(f"/lead/pen-pictures/{picture}", {"action": "approve"}, csrf=False).status_code
        == 400
    )
    response = lena.post(f"/lead/pen-pictures/{picture}", {"action": "publish"})
    assert response.status_code == 400 and "Choose approve or withdraw" in text(response)
    assert lena.get("/lead/pen-pictures/9999").status_code == 404
    assert lena.post("/lead/pen-pictures/9999", {"action": "approve"}).status_code == 404
    assert lena.get("/lead/pen-pictures/abc").status_code == 404
    assert query("SELECT approved_by FROM pen_picture") == [(None,)]
    assert query("SELECT COUNT(*) FROM change_log WHERE field LIKE '%approved'") == [(0,)]


def test_approval_that_the_text_check_refuses_is_shown_and_nothing_written(
    web, cohort, altar, query
):
    """A case reference added to the store after the text was written makes
    the text unpublishable: approval re-checks it."""
    picture = _add_picture(altar, cohort[0]["case_ref"], body="A boy seen at the ZED-001 panel.")
    result = altar(
        "--user",
        "boss",
        "case",
        "add",
        "ZED-001",
        "--authority",
        "dudley",
        "--stratum",
        "custody",
        "--cohort",
        "main",
        "--screened-on",
        "2020-01-01",
    )
    assert result.exit_code == 0, result.output
    response = web("lena").post(f"/lead/pen-pictures/{picture}", {"action": "approve"})
    assert response.status_code == 400
    assert "contains 'ZED-001'" in page(response).find(class_="error-summary").get_text()
    assert query("SELECT approved_by FROM pen_picture") == [(None,)]


# --- reports ---------------------------------------------------------------------------


def test_the_reports_form_offers_html_and_pdf_only_when_it_works(web):
    from altar.report import pdf_problem

    response = web("lena").get("/lead/reports")
    assert response.status_code == 200
    formats = {i["value"] for i in page(response).find_all("input", attrs={"name": "format"})}
    assert formats == ({"html"} if pdf_problem() else {"html", "pdf"})
    assert page(response).find("input", attrs={"name": "suppress"}) is None
    assert "counts from 1 to 5 are shown as c" in text(response)


def test_the_reports_download_is_one_zip_of_every_document(web, cohort, query):
    response = web("lena").post("/lead/reports", {"format": "html"})
    assert response.status_code == 200, text(response)
    assert response.mimetype == "application/zip"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="altar-reports-') and disposition.endswith(
        '.zip"'
    )
    assert response.headers["Cache-Control"] == "no-store"
    bundle = zipfile.ZipFile(io.BytesIO(response.data))
    authorities = sorted({r["authority"] for r in cohort})
    assert sorted(bundle.namelist()) == [
        "regional-report.html",
        *(f"summary-{a}.html" for a in authorities),
    ]
    refs = [ref for (ref,) in query("SELECT case_ref FROM cases")]
    for name in bundle.namelist():
        content = bundle.read(name).decode("utf-8")
        assert "<h1" in content
        assert not [ref for ref in refs if ref.casefold() in content.casefold()], name
    assert "suppressed" in bundle.read("regional-report.html").decode("utf-8")


def _same_release(client, altar, out: Path, monkeypatch, *options: object) -> list[str]:  # type: ignore[no-untyped-def]
    """Assert the lead's ZIP (from ``client``) and `altar report regional`
    plus `altar report authority --all` with ``options`` (HTML, suppressed)
    are the same files, byte for byte; return their names. SOURCE_DATE_EPOCH
    fixes the generated stamp on both faces, as in test_report's
    byte-identical test, so the comparison is exact, fingerprint and all."""
    epoch = "1800000000"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    response = client.post("/lead/reports", {"format": "html"})
    assert response.status_code == 200, text(response)
    bundle = zipfile.ZipFile(io.BytesIO(response.data))
    for args in (["regional"], ["authority", "--all"]):
        result = altar(
            "--user",
            "boss",
            "report",
            *args,
            *options,
            "--format",
            "html",
            "--out",
            out,
            env={"SOURCE_DATE_EPOCH": epoch},
        )
        assert result.exit_code == 0, result.output
    written = sorted(p.name for p in out.iterdir())
    assert sorted(bundle.namelist()) == written
    for name in written:
        assert bundle.read(name) == (out / name).read_bytes(), name
    return written


def test_the_web_download_and_the_cli_make_the_same_release(
    web, cohort, altar, tmp_path, monkeypatch
):
    written = _same_release(web("lena"), altar, tmp_path / "cli", monkeypatch)
    assert len(written) == 1 + len({r["authority"] for r in cohort})


def test_the_download_takes_the_region_and_baselines_altar_serve_was_given(
    db, web_users, cohort, altar, tmp_path, monkeypatch
):
    from altar.resources import baselines_dir
    from altar.web import create_app
    from tests.conftest import WebClient

    extra = tmp_path / "baselines"
    extra.mkdir()
    shipped = (baselines_dir() / "wales_2015.yaml").read_text(encoding="utf-8")
    local = shipped.replace("key: wales_2015", "key: local_2015").replace(
        "title: Welsh", "title: Local copy of the Welsh"
    )
    (extra / "local_2015.yaml").write_text(local, encoding="utf-8")
    database = connect(str(db))
    try:
        app = create_app(database, region="Black Country", baseline_dirs=[extra])
        app.config["TESTING"] = True
        lena = WebClient(app)
        assert lena.sign_in("lena").status_code == 302
        options = ("--region", "Black Country", "--baseline-dir", extra)
        _same_release(lena, altar, tmp_path / "cli", monkeypatch, *options)
    finally:
        database.engine.dispose()
    regional = (tmp_path / "cli" / "regional-report.html").read_text(encoding="utf-8")
    assert "Black Country" in regional and "Local copy of the Welsh" in regional


def test_the_web_regional_report_sets_the_children_against_the_general_population(
    web, cohort, altar, tmp_path
):
    response = web("lena").post("/lead/reports", {"format": "html"})
    assert response.status_code == 200, text(response)
    web_report = BeautifulSoup(
        zipfile.ZipFile(io.BytesIO(response.data)).read("regional-report.html"), "html.parser"
    )
    result = altar("--user", "boss", "report", "regional", "--format", "html", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    cli_report = BeautifulSoup(
        (tmp_path / "regional-report.html").read_text(encoding="utf-8"), "html.parser"
    )
    for document in (web_report, cli_report):
        section = document.find(id="aces-baselines").parent
        tables = section.find_all("table", class_="baseline")
        assert tables and all(t.tbody.find_all("tr") for t in tables)
        second = document.select("ol.findings > li p.finding")[1].get_text(" ", strip=True)
        assert "four or more of the" in second
        assert re.search(r"compared with \d+% of adults in the general population", second)
    fingerprints = [d.select_one(".fingerprint").get_text() for d in (web_report, cli_report)]
    assert fingerprints[0] == fingerprints[1]


def test_the_reports_refuse_a_missing_csrf_token_and_a_bad_format(web, cohort):
    lena = web("lena")
    assert lena.post("/lead/reports", {"format": "html"}, csrf=False).status_code == 400
    response = lena.post("/lead/reports", {"format": "docx"})
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert (
        page(response).find(class_="error-summary").find("a", href="#format").get_text()
        == "Choose HTML or PDF"
    )


def test_reports_of_an_empty_store_say_why_on_the_page(web):
    response = web("lena").post("/lead/reports", {"format": "html"})
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert (
        "no screened children in the database"
        in page(response).find(class_="error-summary").get_text()
    )


def test_the_reports_download_as_pdf(web, cohort, db_path):
    # db_path: PDF rendering does not depend on the backend, so once, on SQLite.
    from altar.report import pdf_problem

    if pdf_problem():
        if os.environ.get("ALTAR_REQUIRE_PDF") == "1":
            pytest.fail(
                f"WeasyPrint is not usable ({pdf_problem()}), and ALTAR_REQUIRE_PDF=1 requires this test"
            )
        pytest.skip(f"WeasyPrint is not usable: {pdf_problem()}")
    response = web("lena").post("/lead/reports", {"format": "pdf"})
    assert response.status_code == 200, text(response)
    bundle = zipfile.ZipFile(io.BytesIO(response.data))
    assert "regional-report.pdf" in bundle.namelist()
    assert all(bundle.read(name)[:5] == b"%PDF-" for name in bundle.namelist())
