"""Writing a case story in a real browser (Debian's Chromium through
Playwright, against `altar serve` in its own process): two sections, one
kept past the identifying-detail check on purpose, then the history and a
diff between versions."""

from __future__ import annotations

from pathlib import Path

REF = "DUD-017"
SHOTS = Path("/tmp/shots")


def test_pat_writes_a_story_section_by_section(browser_page, altar, query):
    result = altar(
        "--user", "boss", "case", "add", REF, "--authority", "dudley", "--stratum", "custody"
    )
    assert result.exit_code == 0, result.output
    SHOTS.mkdir(exist_ok=True)
    page = browser_page("pat")
    page.goto(f"/cases/{REF}/story")
    page.get_by_role("button", name="Start the story").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Family and early childhood"
    page.get_by_label("Your text for “Family and early childhood”").fill(
        "Lived with Mum and two younger sisters.\n\nDad left when he was *four*."
    )
    page.get_by_role("button", name="Save").click()
    assert page.get_by_role("status").inner_text() == "Saved version 1 of the story."
    assert page.locator(".story-text em").inner_text() == "four"

    page.get_by_role("link", name="Write Education").click()
    education = page.get_by_label("Your text for “Education”")
    education.fill("Kai moved schools again in Year 8.\nHe went to Park Hall Academy.")
    page.get_by_role("button", name="Preview").click()
    assert "Park Hall Academy" in page.locator(".preview").inner_text()
    assert page.locator(".findings tbody tr").count() == 2
    page.get_by_role("button", name="Save").click()
    summary = page.get_by_role("alert")
    assert "“Kai” looks like a name" in summary.inner_text()
    assert page.evaluate("document.activeElement.className").startswith("error-summary")
    page.screenshot(path=str(SHOTS / "story-edit-findings.png"), full_page=True)
    summary.get_by_role("link", name="Line 1: “Kai” looks like a name").click()
    assert page.evaluate("document.activeElement.id") == "text"
    assert "see the list above" in page.locator("#text-error").inner_text()
    assert query("SELECT count(*) FROM story_version") == [(1,)]
    page.get_by_label("I have checked these details are not identifying, save anyway").check()
    page.get_by_role("button", name="Save").click()
    assert "kept on purpose" in page.get_by_role("status").inner_text()

    page.get_by_role("link", name="Edit Family and early childhood").click()
    page.get_by_label("Your text for “Family and early childhood”").fill(
        "Lived with Nan from the age of six.\n\nDad left when he was *four*."
    )
    page.get_by_role("button", name="Save").click()
    page.screenshot(path=str(SHOTS / "story-show.png"), full_page=True)

    page.get_by_role("link", name="See every version and what changed").click()
    rows = page.locator("tbody tr")
    assert rows.count() == 3
    assert rows.nth(1).locator("td").last.inner_text().startswith("Yes")
    page.get_by_label("Earlier version").select_option("1")
    page.get_by_label("Later version").select_option("3")
    page.screenshot(path=str(SHOTS / "story-history.png"), full_page=True)
    page.get_by_role("button", name="Compare versions").click()
    assert (
        page.get_by_role("heading", level=1).inner_text() == "Changes from version 1 to version 3"
    )
    assert page.locator("del").first.inner_text() == "Lived with Mum and two younger sisters."
    assert page.locator("ins").first.inner_text() == "Lived with Nan from the age of six."
    page.screenshot(path=str(SHOTS / "story-diff.png"), full_page=True)
    assert query("SELECT version, written_by FROM story_version ORDER BY version") == [
        (1, "pat"),
        (2, "pat"),
        (3, "pat"),
    ]
