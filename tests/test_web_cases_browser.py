"""The cases pages in a real browser (Chromium through Playwright, against
`altar serve` in its own process): adding a case through the form, the
caseload, and another authority's case by typed URL. Screenshots go to
/tmp/shots/cases-*.png for a person to look at."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from altar.capture.records import EXTRA_COLUMNS
from altar.vocab import CASE_COLUMNS

SHOTS = Path("/tmp/shots")
# (case_ref, authority, stratum, how many items answered: None = all)
CASELOAD = (
    ("DUD-001", "dudley", "custody", None),
    ("DUD-002", "dudley", "community", None),
    ("DUD-003", "dudley", "out_of_court", 12),
    ("DUD-004", "dudley", "community", 30),
    ("DUD-005", "dudley", "custody", 0),
    ("DUD-006", "dudley", "out_of_court", None),
    ("DUD/2021/007", "dudley", "community", 5),
    ("DUD-008", "dudley", "custody", 0),
    ("DUD-009", "dudley", "community", None),
    ("DUD-010", "dudley", "out_of_court", 20),
    ("WAL-001", "walsall", "custody", None),
)


@pytest.fixture
def caseload(altar, tmp_path):  # type: ignore[no-untyped-def]
    """Eleven cases in mixed states, imported from a CSV as a service would,
    with a story and a chronology for some."""
    header = tmp_path / "header.csv"
    assert altar("template", "csv", "--out", header).exit_code == 0
    columns = next(csv.reader(header.open(encoding="utf-8")))
    items = [c for c in columns if c not in CASE_COLUMNS + EXTRA_COLUMNS]
    path = tmp_path / "caseload.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, columns, extrasaction="ignore")
        writer.writeheader()
        for n, (ref, authority, stratum, answered) in enumerate(CASELOAD):
            upto = len(items) if answered is None else answered
            answers = {
                code: _answer(code, i, n) if i < upto else "unanswered"
                for i, code in enumerate(items)
            }
            writer.writerow(
                {
                    "case_ref": ref,
                    "authority": authority,
                    "stratum": stratum,
                    "cohort": "main",
                    "sex": "male" if n % 2 else "female",
                    "ethnicity": "white",
                    "age": str(12 + n % 6),
                    "screened_on": "2021-06-30",
                    **answers,
                }
            )
    result = altar("--user", "boss", "import", path)
    assert result.exit_code == 0, result.output
    for ref, date in (("DUD-001", "2019-03"), ("DUD-001", "2020-01-05"), ("DUD-004", "2018-11")):
        result = altar(
            "--user",
            "boss",
            "chronology",
            "add",
            ref,
            "--date",
            date,
            "--agency",
            "education",
            "--type",
            "exclusion",
        )
        assert result.exit_code == 0, result.output
    from tests.test_caseload import add_story_version

    add_story_version(altar, tmp_path, "DUD-002", "Words.")
    add_story_version(altar, tmp_path, "DUD-002", "More words.")


def _answer(code: str, i: int, n: int) -> str:
    if code.endswith("_count"):
        return str(n % 3)
    return ("unknown", "no", "yes", "no", "suspected", "no", "no")[(i + n) % 7]


def test_pat_adds_a_case_through_the_form_after_fixing_a_missing_field(browser_page, caseload):
    SHOTS.mkdir(exist_ok=True)
    page = browser_page("pat")
    page.get_by_role("link", name="New case").click()
    page.wait_for_url("**/cases/new")
    page.get_by_label("Case reference").fill("DUD-NEW-1")
    page.get_by_label("Age (optional)").fill("15")
    page.get_by_role("button", name="Add case").click()
    summary = page.get_by_role("alert")
    assert "There is a problem" in summary.inner_text()
    assert page.title().startswith("Error:")
    page.screenshot(path=str(SHOTS / "cases-new-errors.png"), full_page=True)
    summary.get_by_role("link").click()
    assert page.evaluate("document.activeElement.id") == "stratum"
    assert (
        page.get_by_label("Case reference").input_value() == "DUD-NEW-1"
    )  # what was typed is kept
    page.get_by_label("Community sentence").check()
    page.get_by_role("button", name="Add case").click()
    page.wait_for_url("**/cases/DUD-NEW-1")
    assert "Case DUD-NEW-1 added" in page.get_by_role("status").inner_text()
    page.get_by_role("link", name="Back to cases").click()
    assert page.get_by_role("link", name="DUD-NEW-1").is_visible()


def test_the_caseload_in_a_browser(browser_page, caseload):
    SHOTS.mkdir(exist_ok=True)
    page = browser_page("pat")
    rows = page.locator("table tbody tr")
    assert rows.count() == 10 and page.get_by_text("10 cases").is_visible()
    assert page.get_by_role("link", name="WAL-001").count() == 0
    page.keyboard.press("Tab")  # the skip link, then onwards: focus must show
    page.get_by_role("link", name="New case").focus()
    page.screenshot(path=str(SHOTS / "cases-caseload.png"), full_page=True)
    page.get_by_label("Screening status").select_option("complete")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**/cases?*status=complete*")
    assert page.locator("table tbody tr").count() == 4
    page.screenshot(path=str(SHOTS / "cases-caseload-filtered.png"), full_page=True)
    page.get_by_role("link", name="Clear filters").click()
    page.wait_for_url("**/cases")
    assert page.locator("table tbody tr").count() == 10
    page.get_by_role("link", name="DUD-001").click()
    assert page.get_by_role("heading", level=1).inner_text() == "DUD-001"
    page.screenshot(path=str(SHOTS / "cases-case.png"), full_page=True)


def test_a_typed_url_of_another_authoritys_case_is_not_found(browser_page, caseload):
    page = browser_page("pat")
    response = page.goto("/cases/WAL-001")
    assert response is not None and response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Page not found"
    assert "No case 'WAL-001' in this database." in page.locator("main").inner_text()
