"""The lead researcher's pages in a real browser (Debian's Chromium through
Playwright, against `altar serve` in its own process): completeness, approving
a pen-picture, and downloading the reports."""

from __future__ import annotations

import zipfile
from pathlib import Path

from tests.test_web_lead import _add_picture, cohort  # noqa: F401  (cohort is a fixture)

SHOTS = Path("/tmp/shots")


def test_the_lead_sees_completeness_approves_a_pen_picture_and_downloads_the_reports(
    browser_page, cohort, altar, query, tmp_path  # noqa: F811
):  # fmt: skip
    picture = _add_picture(altar, cohort[0]["case_ref"], "Out of school at eleven",
                           "A boy of 15, excluded from primary school.\n\nHe trusted his youth worker.")  # fmt: skip
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
    assert int(page.locator("tfoot td").last.inner_text()) == sum(r["authority"] == "walsall" for r in cohort)

    page.get_by_role("navigation", name="Lead researcher").get_by_role("link", name="Pen-pictures").click()
    page.get_by_role("link", name="Out of school at eleven").click()
    page.wait_for_url(f"**/lead/pen-pictures/{picture}")
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
