"""The story pages of `altar serve`: reading a story, writing it section by
section (preview, the identifying-detail check and its override, the
conflict when someone saved meanwhile), the history and the diff between
versions; and the library entry points they use."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from altar.stories.casestory import SECTION_MAX
from altar.stories.template import current_template
from tests.conftest import WEB_PASSWORD

REF, OTHER = "DUD/017", "WAL-003"  # a "/" in the reference: the routes take <path:ref>
TEMPLATE = current_template()
FAMILY = "Lived with Mum and two younger sisters.\n\nDad left when he was *four*."
EDUCATION = "Excluded from primary school in Year 5."
IDENTIFYING = "Kai moved schools again.\nHe went to Park Hall Academy."
SCRIPT = "<script>alert('x')</script> and <b>bold</b>"


@pytest.fixture
def cases(altar, web_users):  # type: ignore[no-untyped-def]
    """A Dudley and a Walsall case, and pam: pat's colleague in Dudley."""
    for ref, authority in ((REF, "dudley"), (OTHER, "walsall")):
        result = altar(
            "--user", "boss", "case", "add", ref, "--authority", authority, "--stratum", "custody"
        )
        assert result.exit_code == 0, result.output
    result = altar(
        "--user",
        "boss",
        "user",
        "add",
        "pam",
        "--role",
        "practitioner",
        "--authority",
        "dudley",
        input=f"{WEB_PASSWORD}\n" * 2,
    )
    assert result.exit_code == 0, result.output


def soup(response) -> BeautifulSoup:  # type: ignore[no-untyped-def]
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def text(response) -> str:  # type: ignore[no-untyped-def]
    return soup(response).get_text(" ", strip=True)


def url(ref: str = REF, tail: str = "") -> str:
    return f"/cases/{ref}/story{tail}"


def versions(query, ref: str = REF) -> list[tuple]:  # type: ignore[no-untyped-def]
    return query(
        "SELECT v.version, v.written_by, v.override FROM story_version v JOIN cases c ON c.id = v.case_id "
        "WHERE c.case_ref = ? ORDER BY v.version",
        (ref,),
    )


def section_text(query, code: str, version: int | None = None, ref: str = REF) -> str | None:  # type: ignore[no-untyped-def]
    rows = query(
        "SELECT v.version, s.text FROM story_section s JOIN story_version v ON v.id = s.story_version_id "
        "JOIN cases c ON c.id = v.case_id WHERE c.case_ref = ? AND s.section_code = ? ORDER BY v.version",
        (ref, code),
    )
    return dict(rows).get(version or max((v for v, _ in rows), default=0))


def base_of(client, code: str, ref: str = REF) -> str:  # type: ignore[no-untyped-def]
    return soup(client.get(url(ref, f"/{code}"))).find("input", attrs={"name": "base_version"})[
        "value"
    ]


def save(client, code: str, body: str, base: str | None = None, ref: str = REF, **extra):  # type: ignore[no-untyped-def]
    base = base_of(client, code, ref) if base is None else base
    return client.post(
        url(ref, f"/{code}"), {"text": body, "base_version": base, "action": "save", **extra}
    )


def story_log(query) -> list[tuple]:  # type: ignore[no-untyped-def]
    return query(
        "SELECT actor, command, action, field FROM change_log WHERE entity = 'story' ORDER BY id"
    )


# --- reading ---------------------------------------------------------------------------------


def test_a_case_without_a_story_offers_to_start_one(cases, web):
    page = web("pat").get(url())
    assert page.status_code == 200
    assert "No story has been written for this case yet" in text(page)
    start = soup(page).find("a", string="Start the story")
    assert start["href"] == url(tail=f"/{TEMPLATE.codes[0]}")


def test_the_story_shows_each_section_as_markdown_with_its_version(cases, web, query):
    pat = web("pat")
    assert save(pat, "family", FAMILY).status_code == 302
    page = pat.get(url())
    html = soup(page)
    assert [h.get_text() for h in html.select("h2[id^=section-]")] == [
        s.title for s in TEMPLATE.sections
    ]
    family = html.find(id="section-family").find_parent("section")
    assert [p.get_text() for p in family.select(".story-text p")] == [
        "Lived with Mum and two younger sisters.",
        "Dad left when he was four.",
    ]
    assert family.find("em").get_text() == "four"
    assert "version 1, saved by pat" in text(page)
    assert family.find("a", href=url(tail="/family")) is not None
    assert html.find("a", href=url(tail="/history")) is not None


def test_a_script_in_a_story_is_shown_as_text_everywhere(cases, web):
    pat = web("pat")
    assert save(pat, "family", FAMILY).status_code == 302
    assert save(pat, "family", SCRIPT).status_code == 302
    preview = pat.post(
        url(tail="/family"), {"text": SCRIPT, "base_version": "2", "action": "preview"}
    )
    for page in (
        pat.get(url()),
        preview,
        pat.get(url(tail="/diff?old=1&new=2")),
        pat.get(url(tail="/family")),
    ):
        assert page.status_code == 200
        assert soup(page).find("script") is None and soup(page).find("b") is None
        assert "<script>alert('x')</script>" in text(page)


def test_markdown_links_to_scripts_are_dropped(cases, web):
    pat = web("pat")
    assert (
        save(
            pat, "family", "[click](javascript:alert(1)) and [ok](https://example.org/)"
        ).status_code
        == 302
    )
    links = soup(pat.get(url())).select(".story-text a")
    assert [a["href"] for a in links] == ["https://example.org/"]


# --- writing -----------------------------------------------------------------------------------


def test_the_edit_page_shows_the_prompts_and_the_current_text(cases, web):
    pat = web("pat")
    empty = soup(pat.get(url(tail="/education")))
    section = TEMPLATE.section("education")
    assert empty.h1.get_text() == section.title
    assert [li.get_text() for li in empty.select(".prompts li")] == list(section.prompts)
    assert empty.find("textarea", id="text").get_text() == ""
    assert empty.find("input", attrs={"name": "base_version"})["value"] == "0"
    assert {b.get_text() for b in empty.find_all("button", attrs={"name": "action"})} == {
        "Save",
        "Preview",
    }
    assert save(pat, "education", EDUCATION).status_code == 302
    again = soup(pat.get(url(tail="/education")))
    assert again.find("textarea", id="text").get_text().strip() == EDUCATION
    assert again.find("input", attrs={"name": "base_version"})["value"] == "1"


def test_saving_a_section_stores_a_version_audited_under_the_signed_in_user(cases, web, query):
    pat = web("pat")
    response = save(pat, "education", EDUCATION)
    assert response.status_code == 302 and response.headers["Location"].endswith(
        url() + "#section-education"
    )
    assert "Saved version 1 of the story" in text(pat.get(url()))
    assert versions(query) == [(1, "pat", None)]
    assert section_text(query, "education") == EDUCATION
    assert story_log(query) == [("pat", "altar serve stories.edit", "insert", "education")]
    assert save(pat, "family", FAMILY).status_code == 302
    assert section_text(query, "education", 2) == EDUCATION  # copied forward
    assert story_log(query)[-1] == ("pat", "altar serve stories.edit", "update", "family")


def test_saving_the_same_text_saves_nothing(cases, web, query):
    pat = web("pat")
    assert save(pat, "education", EDUCATION).status_code == 302
    assert save(pat, "education", EDUCATION + "\n\n").status_code == 302
    assert "unchanged: nothing was saved" in text(pat.get(url()))
    assert len(versions(query)) == 1


def test_preview_renders_the_markdown_and_lists_findings_without_saving(cases, web, query):
    pat = web("pat")
    page = pat.post(
        url(tail="/education"), {"text": IDENTIFYING, "base_version": "0", "action": "preview"}
    )
    assert page.status_code == 200
    html = soup(page)
    assert "Park Hall Academy" in html.select_one(".preview").get_text()
    rows = [[td.get_text() for td in tr.find_all("td")] for tr in html.select(".findings tbody tr")]
    assert rows == [["1", "a name", "Kai"], ["2", "a school's name", "Park Hall Academy"]]
    assert html.find("textarea", id="text").get_text().strip() == IDENTIFYING
    assert html.find("input", id="override") is not None
    assert versions(query) == [] and story_log(query) == []
    clean = pat.post(
        url(tail="/education"), {"text": EDUCATION, "base_version": "0", "action": "preview"}
    )
    assert "found nothing that looks like a name" in text(clean)


def test_findings_without_the_tick_are_refused_and_the_text_kept(cases, web, query):
    pat = web("pat")
    page = save(pat, "education", IDENTIFYING)
    assert page.status_code == 400
    summary = soup(page).select_one(".error-summary")
    assert [a.get_text() for a in summary.find_all("a")] == [
        "Line 1: “Kai” looks like a name",
        "Line 2: “Park Hall Academy” looks like a school's name",
        "Take these details out, or tick the box to confirm they are not identifying",
    ]
    assert [a["href"] for a in summary.find_all("a")] == ["#text", "#text", "#override"]
    assert soup(page).find("textarea", id="text").get_text().strip() == IDENTIFYING
    assert versions(query) == [] and story_log(query) == []


def test_the_tick_saves_and_records_the_override_under_the_user(cases, web, query, altar):
    pat = web("pat")
    shown = save(pat, "education", IDENTIFYING)
    seen = [i["value"] for i in soup(shown).find_all("input", attrs={"name": "seen"})]
    response = pat.post(
        url(tail="/education"),
        [
            ("text", IDENTIFYING),
            ("base_version", "0"),
            ("action", "save"),
            ("override", "yes"),
            *(("seen", s) for s in seen),
        ],
    )
    assert response.status_code == 302
    override = "section education, line 1: name 'Kai'\nsection education, line 2: school 'Park Hall Academy'"
    assert versions(query) == [(1, "pat", override)]
    assert ("pat", "altar serve stories.edit", "insert", "override") in story_log(query)
    audit = altar("--user", "boss", "audit", "--case", REF, "--format", "csv")
    assert audit.exit_code == 0, audit.output
    assert "pat" in audit.stdout and "override" in audit.stdout
    history = pat.get(url(tail="/history"))
    assert "name 'Kai'" in soup(history).find("details").get_text()


def test_the_tick_covers_only_the_findings_that_were_shown(cases, web, query):
    pat = web("pat")
    seen = [
        i["value"]
        for i in soup(save(pat, "education", IDENTIFYING)).find_all("input", attrs={"name": "seen"})
    ]
    more = IDENTIFYING + "\nHis phone is 07700 900123."
    response = pat.post(
        url(tail="/education"),
        [
            ("text", more),
            ("base_version", "0"),
            ("action", "save"),
            ("override", "yes"),
            *(("seen", s) for s in seen),
        ],
    )
    assert response.status_code == 400
    assert "“07700 900123” looks like a phone number" in text(response)
    assert soup(response).find("input", id="override").get("checked") is None
    assert versions(query) == []


@pytest.mark.parametrize(
    "body, message",
    [
        ("   \n ", "write the section's text before saving"),
        ("x" * (SECTION_MAX + 1), f"a section may hold at most {SECTION_MAX:,}"),
    ],
)
def test_empty_or_oversized_text_is_refused(cases, web, query, body, message):
    page = save(web("pat"), "family", body)
    assert page.status_code == 400
    assert message in soup(page).select_one(".error-summary").get_text()
    assert soup(page).select_one(".error-summary a")["href"] == "#text"
    assert versions(query) == [] and story_log(query) == []


def test_a_post_without_a_base_version_is_refused(cases, web, query):
    page = save(web("pat"), "family", FAMILY, base="")
    assert page.status_code == 400 and "open the section again" in text(page)
    assert versions(query) == []


# --- two writers ---------------------------------------------------------------------------------


def test_a_save_on_an_old_version_is_refused_with_their_changes_and_own_text_kept(
    cases, web, query
):
    pat, pam = web("pat"), web("pam")
    pat_base = base_of(pat, "family")
    assert save(pam, "family", FAMILY).status_code == 302
    mine = "Lived with Nan from the age of six."
    page = save(pat, "family", mine, base=pat_base)
    assert page.status_code == 409
    html = soup(page)
    assert "pam saved version 1" in html.select_one(".conflict").get_text(" ")
    changes = [
        (tr.find("td").get_text(), tr.find_all("td")[1].get_text())
        for tr in html.select(".conflict tbody tr")
    ]
    assert changes == [("Added", line) for line in FAMILY.splitlines()]
    assert html.select_one(".conflict ins") is not None
    assert html.find("textarea", id="text").get_text().strip() == mine
    assert html.find("input", attrs={"name": "base_version"})["value"] == "1"
    assert versions(query) == [(1, "pam", None)]
    again = pat.post(url(tail="/family"), {"text": mine, "base_version": "1", "action": "save"})
    assert again.status_code == 302
    assert versions(query)[-1] == (2, "pat", None) and section_text(query, "family") == mine


def test_a_conflict_in_another_section_says_this_one_is_unchanged(cases, web, query):
    pat = web("pat")
    assert save(pat, "education", EDUCATION).status_code == 302
    assert save(web("pam"), "family", FAMILY).status_code == 302
    page = save(pat, "education", EDUCATION + "\nA managed move in Year 8.", base="1")
    assert page.status_code == 409 and "They did not change this section" in text(page)


# --- history and diff --------------------------------------------------------------------------------


def test_history_lists_versions_and_the_diff_marks_lines_in_words(cases, web):
    pat = web("pat")
    assert save(pat, "family", FAMILY).status_code == 302
    assert save(pat, "education", EDUCATION).status_code == 302
    assert (
        save(web("pam"), "family", "Lived with Nan.\n\nDad left when he was *four*.").status_code
        == 302
    )
    history = soup(pat.get(url(tail="/history")))
    rows = [
        [c.get_text(" ", strip=True) for c in tr.find_all(["th", "td"])]
        for tr in history.select("tbody tr")
    ]
    assert [(r[0], r[1], r[3], r[4]) for r in rows] == [
        ("3", "pam", "Family and early childhood", "No"),
        ("2", "pat", "Education", "No"),
        ("1", "pat", "Family and early childhood", "No"),
    ]
    form = history.find("form", attrs={"method": "get"})
    assert form["action"] == url(tail="/diff")
    assert form.find("select", id="old").find("option", selected=True)["value"] == "2"
    assert form.find("select", id="new").find("option", selected=True)["value"] == "3"
    diff = pat.get(url(tail="/diff?old=1&new=3"))
    assert diff.status_code == 200
    html = soup(diff)
    assert [h.get_text() for h in html.select("h2.heading-s")] == [
        "Family and early childhood",
        "Education",
    ]
    family = html.select("table.diff-table")[0]
    marked = [
        (tr.find("td").get_text(strip=True), tr.find_all("td")[1].get_text())
        for tr in family.select("tbody tr")
    ]
    assert marked == [
        ("Removed", "Lived with Mum and two younger sisters."),
        ("Added", "Lived with Nan."),
        ("Unchanged", ""),
        ("Unchanged", "Dad left when he was *four*."),
    ]
    assert family.find("del").get_text() == "Lived with Mum and two younger sisters."
    assert family.find("ins").get_text() == "Lived with Nan."
    same = pat.get(url(tail="/diff?old=2&new=2"))
    assert "No differences" in text(same)


def test_diff_without_versions_or_with_unknown_ones(cases, web):
    pat = web("pat")
    assert save(pat, "family", FAMILY).status_code == 302
    missing = pat.get(url(tail="/diff?old=&new=1"))
    assert missing.status_code == 400
    assert soup(missing).select_one(".error-summary a")["href"] == "#old"
    assert pat.get(url(tail="/diff?old=1&new=9")).status_code == 404
    begun = pat.get(url(tail="/diff?old=0&new=1"))
    assert begun.status_code == 200 and "before the story was begun" in text(begun)


def test_history_of_a_case_without_a_story(cases, web):
    page = web("pat").get(url(tail="/history"))
    assert page.status_code == 200 and "No story has been written" in text(page)


# --- refusals ----------------------------------------------------------------------------------------

PAGES = ["", "/history", "/diff?old=0&new=1", "/family"]


@pytest.mark.parametrize("tail", PAGES)
def test_signed_out_pages_go_to_sign_in(cases, web, tail):
    response = web().get(url(tail=tail))
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")


def test_a_signed_out_post_writes_nothing(cases, web, query):
    response = web().post(
        url(tail="/family"), {"text": FAMILY, "base_version": "0", "action": "save"}, csrf=False
    )
    assert response.status_code in (302, 400)
    assert versions(query) == []


def test_a_post_without_the_csrf_token_is_refused(cases, web, query):
    response = web("pat").post(
        url(tail="/family"), {"text": FAMILY, "base_version": "0", "action": "save"}, csrf=False
    )
    assert response.status_code == 400 and "The form had expired" in text(response)
    assert versions(query) == [] and story_log(query) == []


@pytest.mark.parametrize("tail", PAGES)
def test_another_authoritys_story_is_not_found(cases, web, altar, tmp_path, tail):
    story = tmp_path / "wal.md"
    story.write_text(f"## {TEMPLATE.section('family').title}\n\n{FAMILY}\n", encoding="utf-8")
    assert altar("--user", "walt", "story", "edit", OTHER, "--from-file", story).exit_code == 0
    pat = web("pat")
    response, unknown = pat.get(url(OTHER, tail)), pat.get(url("NOPE-1", tail))
    assert response.status_code == unknown.status_code == 404
    assert text(response).replace(OTHER, "X") == text(unknown).replace(
        "NOPE-1", "X"
    )  # no sign it exists
    assert "Mum" not in text(response)
    assert web("walt").get(url(OTHER, tail)).status_code == 200


@pytest.mark.parametrize("action", ["save", "preview"])
def test_a_crafted_post_on_another_authoritys_case_is_not_found(cases, web, query, action):
    response = web("pat").post(
        url(OTHER, "/family"),
        {"text": IDENTIFYING, "base_version": "0", "action": action, "override": "yes"},
    )
    assert response.status_code == 404
    assert "Kai" not in text(response)
    assert versions(query, OTHER) == [] and story_log(query) == []


def test_an_unknown_section_is_not_found(cases, web, query):
    pat = web("pat")
    assert pat.get(url(tail="/hobbies")).status_code == 404
    assert (
        pat.post(
            url(tail="/hobbies"), {"text": FAMILY, "base_version": "0", "action": "save"}
        ).status_code
        == 404
    )
    assert versions(query) == []


# --- the library entry points the pages use ---------------------------------------------------------


@pytest.fixture
def session_as(db, cases):  # type: ignore[no-untyped-def]
    from altar.db import connect
    from altar.db.scope import resolve_user

    database = connect(str(db))
    yield database, resolve_user
    database.engine.dispose()


def test_save_sections_and_compare_versions(session_as, query):
    from altar.errors import ConflictError, NotFoundError, ValidationError
    from altar.stories.casestory import (
        IdentifyingDetails,
        compare_versions,
        identifying_details,
        save_sections,
    )

    database, resolve_user = session_as
    with database.transaction() as s:
        pat = resolve_user(s, "pat")
        outcome = save_sections(
            s, pat, REF, {"family": FAMILY + "\n\n\n"}, base_version=0, command="test"
        )
    assert (outcome.version, outcome.changed) == (1, ("family",))
    assert section_text(query, "family") == FAMILY  # normalised: trailing blank lines dropped
    with database.transaction() as s, pytest.raises(ConflictError):
        save_sections(s, pat, REF, {"education": EDUCATION}, base_version=0, command="test")
    with database.transaction() as s, pytest.raises(IdentifyingDetails) as refused:
        save_sections(s, pat, REF, {"education": IDENTIFYING}, base_version=1, command="test")
    assert [(f.kind, f.line, f.text) for f in refused.value.findings] == [
        ("name", 1, "Kai"),
        ("school", 2, "Park Hall Academy"),
    ]
    with database.reader() as s:
        assert identifying_details(s, pat, REF, {"education": IDENTIFYING}) == list(
            refused.value.findings
        )
        assert (
            identifying_details(s, pat, REF, {"family": FAMILY}) == []
        )  # unchanged text is not re-checked
    with database.transaction() as s, pytest.raises(IdentifyingDetails):
        save_sections(
            s,
            pat,
            REF,
            {"education": IDENTIFYING},
            base_version=1,
            confirmed=[str(refused.value.findings[0])],
            command="test",
        )
    with database.transaction() as s:
        kept = save_sections(
            s,
            pat,
            REF,
            {"education": IDENTIFYING},
            base_version=1,
            confirmed=[str(f) for f in refused.value.findings],
            command="test",
        )
    assert kept.kept_findings == refused.value.findings
    with database.transaction() as s, pytest.raises(NotFoundError):
        save_sections(s, pat, OTHER, {"family": FAMILY}, base_version=0, command="test")
    with database.transaction() as s, pytest.raises(ValidationError):
        save_sections(s, pat, REF, {"family": ""}, base_version=2, command="test")
    with database.reader() as s:
        comparison = compare_versions(s, pat, REF, 1, None, only=["education"])
    assert comparison.after.version == 2 and [d.code for d in comparison.sections] == ["education"]
    assert [(line.change, line.text) for line in comparison.sections[0].lines] == [
        ("added", "Kai moved schools again."),
        ("added", "He went to Park Hall Academy."),
    ]
    assert len(versions(query)) == 2
