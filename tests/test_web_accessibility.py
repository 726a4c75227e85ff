"""Every kind of web page checked by axe-core (the engine of the GOV.UK and
NHS accessibility tooling) against WCAG 2.0, 2.1 and 2.2 A and AA, in Debian's
Chromium, including the pages with their error summaries and conflicts, and
with the page's content security policy in force."""

from __future__ import annotations

import pytest

from tests.test_web_lead import _add_picture

WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
REF = "DUD-1"


@pytest.fixture
def case_file(altar, tmp_path) -> int:
    """A Dudley case with a story, two chronology events and a pen-picture."""
    for args in (
        ("case", "add", REF, "--authority", "dudley", "--stratum", "custody"),
        (
            "chronology",
            "add",
            REF,
            "--date",
            "2019-03",
            "--agency",
            "education",
            "--type",
            "exclusion",
        ),
        (
            "chronology",
            "add",
            REF,
            "--date",
            "2020-01-14",
            "--agency",
            "police",
            "--type",
            "arrest",
        ),
    ):
        result = altar("--user", "boss", *args)
        assert result.exit_code == 0, result.output
    for text in ("He moved schools twice.", "He moved schools twice, then left."):
        story = tmp_path / "story.md"
        story.write_text(f"## Education\n\n{text}\n", encoding="utf-8")
        result = altar("--user", "boss", "story", "edit", REF, "--from-file", story)
        assert result.exit_code == 0, result.output
    return _add_picture(
        altar, REF, "Out of school at eleven", "A boy of 15.\n\nHe trusted his youth worker."
    )


def violations(page) -> list[str]:  # type: ignore[no-untyped-def]
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_AA}})
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])}x, e.g. {v['nodes'][0]['html'][:120]})"
        for v in results.response["violations"]
    ]


def check(page, path: str, then=None) -> None:  # type: ignore[no-untyped-def]
    page.goto(path)
    if then:
        then(page)
    found = violations(page)
    assert not found, f"{path}: {found}"


def test_the_sign_in_page_with_and_without_errors(browser_page):
    page = browser_page()
    check(page, "/sign-in")
    check(page, "/sign-in", lambda p: p.get_by_role("button", name="Sign in").click())


def test_a_practitioners_pages(browser_page, case_file):
    page = browser_page("pat")
    for path in (
        "/cases",
        "/cases?stratum=custody",
        f"/cases/{REF}",
        "/cases/new",
        f"/cases/{REF}/screening",
        f"/cases/{REF}/story",
        f"/cases/{REF}/story/education",
        f"/cases/{REF}/story/history",
        f"/cases/{REF}/story/diff?old=1&new=2",
        f"/cases/{REF}/chronology",
        f"/cases/{REF}/chronology/new",
        "/cases/WAL-404",
        "/account/password",
        f"/cases/{REF}/details",
    ):
        check(page, path)


def test_pages_showing_errors(browser_page, case_file):
    page = browser_page("pat")
    check(page, "/cases/new", lambda p: p.get_by_role("button", name="Add case").click())
    check(
        page, "/account/password", lambda p: p.get_by_role("button", name="Change password").click()
    )

    def bad_age(p) -> None:  # type: ignore[no-untyped-def]
        p.get_by_label("Age (optional)").fill("40")
        p.get_by_role("button", name="Save changes").click()

    check(page, f"/cases/{REF}/details", bad_age)
    check(
        page,
        f"/cases/{REF}/screening",
        lambda p: p.get_by_role("button", name="Mark complete").click(),
    )
    check(page, f"/cases/{REF}/chronology/new", lambda p: p.get_by_role("button").last.click())

    def findings(p) -> None:  # type: ignore[no-untyped-def]
        p.get_by_label("Your text for “Education”").fill("Kai went to Park Hall Academy.")
        p.get_by_role("button", name="Save").click()

    check(page, f"/cases/{REF}/story/education", findings)


def test_the_lead_researchers_pages(browser_page, case_file):
    page = browser_page("lena")
    for path in (
        "/lead",
        "/lead?authority=dudley",
        "/lead/pen-pictures",
        f"/lead/pen-pictures/{case_file}",
        "/lead/pen-pictures/new",
        f"/lead/pen-pictures/{case_file}/edit",
        "/lead/reports",
    ):
        check(page, path)

    def refused(p) -> None:  # type: ignore[no-untyped-def]
        p.get_by_label("Text").fill("Kai went to Park Hall Academy.")
        p.get_by_role("button", name="Save").click()

    check(page, f"/lead/pen-pictures/new?case={REF}", refused)


def test_the_checker_finds_what_it_should(browser_page):
    # So the tests above cannot pass by the checker not running: a field
    # without a label and an image without alternative text are reported.
    page = browser_page()
    page.goto("/sign-in")
    page.set_content(
        '<html lang="en"><title>t</title><main><input type="text"><img src="x.png"></main></html>'
    )
    found = " ".join(violations(page))
    assert "label" in found and "image-alt" in found
