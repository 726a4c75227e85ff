"""The chronology pages in a real browser (Debian's Chromium through
Playwright, against `altar serve` in its own process): a practitioner adds
two events, is told what is wrong with a bad one, changes one and removes
one. Screenshots go to /tmp/shots/chronology-*.png for a person to look at."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

SHOTS = Path("/tmp/shots")


@pytest.fixture
def case(altar, live_server):
    result = altar(
        "--user",
        "boss",
        "case",
        "add",
        "DUD-17",
        "--authority",
        "dudley",
        "--stratum",
        "community",
        "--age",
        "15",
        "--screened-on",
        "2021-03-04",
    )
    assert result.exit_code == 0, result.output
    return "/cases/DUD-17/chronology"


def back_to(path: str) -> re.Pattern:
    """The page at ``path``: after following an error summary's link the
    browser keeps its #fragment through the redirect."""
    return re.compile(re.escape(path) + "(#.*)?$")


def fill_event(
    page,
    date: str,
    agency: str | None,
    kind: str | None,  # type: ignore[no-untyped-def]
    note: str = "",
) -> None:
    page.get_by_label("Date").fill(date)
    if agency:
        page.get_by_label(agency, exact=True).check()
    if kind:
        page.get_by_label("What happened").select_option(label=kind)
    page.get_by_label("Note (optional)").fill(note)


def table(page) -> list[list[str]]:  # type: ignore[no-untyped-def]
    return [
        [cell.strip() for cell in row.locator("th, td").all_inner_texts()[:4]]
        for row in page.locator("table tbody tr").all()
    ]


def test_a_practitioner_keeps_a_chronology(browser_page, case, altar):
    SHOTS.mkdir(exist_ok=True)
    page = browser_page("pat")
    page.goto(case)
    page.get_by_role("link", name="Add an event").click()
    fill_event(page, "2019-13", None, "Exclusion", "fixed term, 5 days")
    page.get_by_role("button", name="Add event").click()
    summary = page.get_by_role("alert")
    assert "There is a problem" in summary.inner_text()
    assert summary.get_by_role("link").all_inner_texts() == [
        "2019-13 is not a date in the calendar; give the date as YYYY-MM-DD, or YYYY-MM when only the month is known",
        "Agency is required",
    ]
    assert page.get_by_label("Date").input_value() == "2019-13"
    assert page.get_by_label("Note (optional)").input_value() == "fixed term, 5 days"
    page.screenshot(path=str(SHOTS / "chronology-add-error.png"), full_page=True)
    summary.get_by_role("link", name="Agency is required").click()
    assert page.evaluate("document.activeElement.id") == "agency"

    fill_event(page, "2019-03", "Education", "Exclusion", "fixed term, 5 days")
    page.get_by_role("button", name="Add event").click()
    page.wait_for_url(back_to(case))
    assert (
        page.get_by_role("status").inner_text()
        == "Added the event of 2019-03: Education, Exclusion."
    )
    page.get_by_role("link", name="Add an event").click()
    fill_event(page, "2018-11-02", "Police", "Arrest")
    page.get_by_role("button", name="Add event").click()
    page.wait_for_url(back_to(case))
    assert table(page) == [
        ["2018-11-02", "Police", "Arrest", ""],
        ["2019-03", "Education", "Exclusion", "fixed term, 5 days"],
    ]

    page.get_by_role("link", name="Change the event of 2019-03 (Exclusion)").click()
    assert page.get_by_label("Education", exact=True).is_checked()
    page.get_by_label("Date").fill("2019-03-14")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url(back_to(case))
    page.get_by_role("link", name="Remove the event of 2018-11-02 (Arrest)").click()
    assert "Remove this event?" in page.get_by_role("heading", level=1).inner_text()
    page.screenshot(path=str(SHOTS / "chronology-remove.png"), full_page=True)
    page.get_by_role("button", name="Yes, remove this event").click()
    page.wait_for_url(back_to(case))
    assert table(page) == [["2019-03-14", "Education", "Exclusion", "fixed term, 5 days"]]

    page.get_by_role("link", name="Add an event").click()
    fill_event(page, "2020-07", "Children's social care", "Entered care", "section 20")
    page.get_by_role("button", name="Add event").click()
    page.wait_for_url(back_to(case))
    page.keyboard.press("Tab")  # focus shows: the skip link first, then on through the page
    page.get_by_role("link", name="Change the event of 2020-07 (Entered care)").focus()
    page.screenshot(path=str(SHOTS / "chronology-table.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_role(
            "link", name="Download the timeline chart (PNG image, not for publication)"
        ).click()
    assert download.value.suggested_filename == "DUD-17_timeline.png"
    download.value.save_as(SHOTS / "chronology-timeline.png")
    assert (SHOTS / "chronology-timeline.png").read_bytes().startswith(b"\x89PNG")

    log = altar("--user", "boss", "audit", "--format", "csv").stdout
    assert log.count(",pat,altar serve chronology.") == 5, log
