"""The screening form in a real browser (Debian's Chromium via Playwright,
against `altar serve` in its own process): a whole screening with unknowns,
a draft resumed, the error summary of "Mark complete", and two people saving
the same screening. Screenshots go to /tmp/shots/screening-*.png."""

from __future__ import annotations

from pathlib import Path

import pytest

REF = "DUD-042"
URL = f"/cases/{REF}/screening"
SHOTS = Path("/tmp/shots")
UNKNOWN = {"bullying", "parent_death", "poverty", "trusted_adult"}  # answered "unknown" on purpose


@pytest.fixture
def case(altar) -> str:
    result = altar(
        "--user", "boss", "case", "add", REF, "--authority", "dudley", "--stratum", "custody"
    )
    assert result.exit_code == 0, result.output
    return REF


def expect(locator):  # type: ignore[no-untyped-def]
    """Playwright's auto-waiting assertion (imported late: without Playwright
    the chromium fixture skips these tests rather than the import failing)."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def shot(page, name: str, *, full_page: bool = False) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"screening-{name}.png"), full_page=full_page)


def fill(page, spec, skip: str | None = None) -> None:  # type: ignore[no-untyped-def]
    """Answer every item but ``skip``: binary 'no' (or 'unknown' for UNKNOWN),
    counts 2, the second count 'Unknown'."""
    for code in spec.binary_items:
        if code != skip:
            page.locator(f"#{code}-{'unknown' if code in UNKNOWN else 'no'}").check()
    first, second = spec.count_items
    if first != skip:
        page.locator(f"#{first}").fill("2")
    if second != skip:
        page.locator(f"#{second}-unknown").check()


def test_create_a_case_fill_a_whole_screening_draft_resume_and_mark_complete(
    browser_page, spec, altar, read_csv
):
    page = browser_page("pat")
    page.get_by_role(
        "link", name="New case"
    ).click()  # the case made on the web too, from the caseload
    page.get_by_label("Case reference").fill(REF)
    page.get_by_label("Custody").check()
    page.get_by_role("button", name="Add case").click()
    page.wait_for_url(f"**/cases/{REF}")
    page.get_by_role("link", name="Start the screening").click()
    page.wait_for_url(f"**{URL}")
    shot(page, "top")
    assert page.get_by_role("heading", level=1).inner_text() == f"Screening for {REF}"
    # Label and legend do their work: the item found by its question.
    page.get_by_role("group", name="Bullied").get_by_label("Unknown").check()
    fill(page, spec, skip="secondary_schools_count")
    page.get_by_role("button", name="Save as draft").last.click()
    expect(page.get_by_role("status")).to_have_text("Draft saved.")
    n = len(spec.items)
    assert f"{n - 1} of {n} items answered, {len(UNKNOWN)} unknown" in page.inner_text("main")

    page.get_by_role("link", name=f"Back to case {REF}").click()  # away, and back later
    page.wait_for_url(f"**/cases/{REF}")
    page.get_by_role("link", name="Continue the screening").click()
    assert page.locator("#bullying-unknown").is_checked() and page.locator("#send-no").is_checked()
    assert page.locator("#exclusions_fixed_term_count").input_value() == "2"
    assert page.locator("#secondary_schools_count").input_value() == ""

    page.get_by_role("button", name="Mark complete").click()
    summary = page.get_by_role("alert")
    links = summary.get_by_role("link")
    assert links.count() == 1
    assert links.inner_text() == "Secondary schools attended: give the number, or tick “Unknown”"
    assert (
        page.evaluate("document.activeElement.className") == "error-summary"
    )  # autofocus: read first
    shot(page, "errors")
    links.click()
    assert page.evaluate("document.activeElement.id") == "secondary_schools_count"
    assert (
        page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"
    )  # focus shows
    shot(page, "errors-focused")
    assert page.locator("#bullying-unknown").is_checked()  # typed answers kept
    page.keyboard.type("4")
    page.get_by_role("button", name="Mark complete").click()
    expect(page.get_by_role("status")).to_have_text("Screening saved and complete.")
    assert page.locator("main .tag").inner_text() == "Complete"
    shot(page, "complete", full_page=True)

    result = altar("--user", "boss", "export")
    assert result.exit_code == 0, result.output
    header, *rows = read_csv(result.stdout)
    row = dict(zip(header, next(r for r in rows if r[0] == REF)))
    assert {code: row[code] for code in spec.items} == {
        **{code: "unknown" if code in UNKNOWN else "no" for code in spec.binary_items},
        "exclusions_fixed_term_count": "2",
        "secondary_schools_count": "4",
    }


def test_two_people_save_the_same_screening_and_the_second_keeps_their_answers(
    browser_page, case, altar, stored_answers
):
    # The practitioner and the lead researcher, each in their own browser.
    pat, lena = browser_page("pat"), browser_page("lena")
    pat.goto(URL)
    lena.goto(URL)
    pat.locator("#bullying").check()  # the first radio has the item's id
    pat.locator("#poverty-suspected").check()
    pat.get_by_role("button", name="Save as draft").last.click()
    expect(pat.get_by_role("status")).to_have_text("Draft saved.")

    lena.locator("#bullying-no").check()
    lena.locator("#self_harm-unknown").check()
    lena.get_by_role("button", name="Save as draft").last.click()
    conflict = lena.get_by_role("alert")
    assert "Someone else saved this screening while you had it open" in conflict.inner_text()
    rows = conflict.locator("tbody tr")
    assert [rows.nth(i).inner_text().split("\t") for i in range(rows.count())] == [
        ["Bullied", "not answered", "yes"],
        ["Poverty", "not answered", "suspected"],
    ]
    assert (
        lena.locator("#bullying-no").is_checked()
        and lena.locator("#self_harm-unknown").is_checked()
    )
    shot(lena, "conflict")
    assert stored_answers()[REF] == {"bullying": ("yes", None), "poverty": ("suspected", None)}

    lena.get_by_role(
        "button", name="Save as draft"
    ).last.click()  # deliberately, after reading theirs
    expect(lena.get_by_role("status")).to_have_text("Draft saved.")
    assert stored_answers()[REF] == {"bullying": ("no", None), "self_harm": ("unknown", None)}
