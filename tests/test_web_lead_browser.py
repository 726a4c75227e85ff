"""The lead researcher's pages in a real browser (Debian's Chromium through
Playwright, against `altar serve` in its own process): completeness, writing
and approving a pen-picture, and downloading the reports with it inside."""

from __future__ import annotations

import zipfile
from pathlib import Path

from tests.test_web_lead import cohort  # noqa: F401  (a fixture)

SHOTS = Path("/tmp/shots")


def test_the_lead_sees_completeness_writes_and_approves_a_pen_picture_and_downloads_the_reports(
    browser_page,
    cohort,  # noqa: F811  (the fixture imported above)
    altar,
    query,
    tmp_path,
):
    SHOTS.mkdir(exist_ok=True)
    page = browser_page("lena")
    page.get_by_role("link", name="Lead researcher").click()
    page.wait_for_url("**/lead")
    assert page.get_by_role("heading", name="Completeness", level=1).is_visible()
    assert page.get_by_text("Working figures: not for publication").is_visible()
    total = page.locator("tfoot td").last.inner_text()
    assert int(total) == len(cohort)
    page.screenshot(path=str(SHOTS / "lead-completeness.png"), full_page=True)

    page.get_by_label("Authority").select_option("walsall")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/lead?authority=walsall*")
    assert int(page.locator("tfoot td").last.inner_text()) == sum(
        r["authority"] == "walsall" for r in cohort
    )

    page.get_by_role("navigation", name="Lead researcher").get_by_role(
        "link", name="Pen-pictures"
    ).click()
    page.get_by_role("link", name="Write a pen-picture").click()
    page.get_by_label("Case reference").fill(cohort[0]["case_ref"])
    page.get_by_label("Title").fill("Out of school at eleven")
    page.get_by_label("Text").fill(
        "Kai, excluded from primary school.\n\nHe trusted his youth worker."
    )
    page.get_by_role("button", name="Save").click()
    summary = page.get_by_role("alert")
    assert "“Kai” on line 1 looks like a name" in summary.inner_text()
    page.screenshot(path=str(SHOTS / "lead-pen-picture-refused.png"), full_page=True)
    summary.get_by_role("link").click()
    assert page.evaluate("document.activeElement.id") == "body"
    page.get_by_label("Text").fill(
        "A boy of 15, excluded from primary school.\n\nHe trusted his youth worker."
    )
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**done=added")
    [(picture, written_by)] = query("SELECT id, written_by FROM pen_picture")
    assert written_by == "lena"
    page.screenshot(path=str(SHOTS / "lead-pen-picture.png"), full_page=True)
    page.get_by_role("button", name="Approve for publication").focus()
    page.screenshot(path=str(SHOTS / "lead-pen-picture-focus.png"))
    page.keyboard.press("Enter")
    page.wait_for_url("**done=approve")
    assert page.get_by_role("status").inner_text().startswith("Approved")
    assert query("SELECT approved_by FROM pen_picture WHERE id = ?", (picture,)) == [("lena",)]

    page.goto("/lead/reports")
    page.screenshot(path=str(SHOTS / "lead-reports.png"), full_page=True)
    page.get_by_label("HTML").check()
    with page.expect_download() as info:
        page.get_by_role("button", name="Make the reports").click()
    download = info.value
    assert download.suggested_filename.startswith("altar-reports-")
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    names = zipfile.ZipFile(target).namelist()
    assert "regional-report.html" in names
    assert {f"summary-{a}.html" for a in {r["authority"] for r in cohort}} <= set(names)
    regional = zipfile.ZipFile(target).read("regional-report.html").decode("utf-8")
    assert "Out of school at eleven" in regional
