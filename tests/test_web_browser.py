"""The web pages in a real browser: Debian's Chromium driven by Playwright,
against `altar serve` running in its own process."""

from __future__ import annotations


def test_sign_in_and_out_in_a_browser(browser_page, tmp_path):
    page = browser_page("pat")
    assert page.get_by_text("Signed in as pat (dudley)").is_visible()
    page.screenshot(path=str(tmp_path / "caseload.png"), full_page=True)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/sign-in*")
    assert page.get_by_text("You have signed out.").is_visible()
    page.goto("/cases")
    assert "/sign-in" in page.url


def test_a_wrong_password_shows_the_error_summary(browser_page):
    page = browser_page()
    page.goto("/sign-in")
    page.get_by_label("User name").fill("pat")
    page.get_by_label("Password").fill("not the right one")
    page.get_by_role("button", name="Sign in").click()
    summary = page.get_by_role("alert")
    assert "There is a problem" in summary.inner_text()
    summary.get_by_role("link").click()
    assert page.evaluate("document.activeElement.id") == "name"
