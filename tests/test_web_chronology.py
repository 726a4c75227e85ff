"""The chronology pages of `altar serve`: the table, adding, changing and
removing an event, the timeline chart, and every refusal, through Flask's
test client on both backends. Stored rows are read back with plain SQL."""

from __future__ import annotations

import json

import pytest
from bs4 import BeautifulSoup

from altar.stories.chronology import AGENCY_LABELS, EVENT_TYPE_LABELS

BASE = "/cases/DUD/1/chronology"  # a case reference with "/" in it, as references may have
OTHER = "/cases/WAL-1/chronology"  # Walsall's: pat (Dudley) may not see it


@pytest.fixture
def cases(altar, web_users):
    """DUD/1 and DUD-2 (Dudley) and WAL-1 (Walsall), with no events."""
    for ref, authority in (("DUD/1", "dudley"), ("DUD-2", "dudley"), ("WAL-1", "walsall")):
        result = altar(
            "--user",
            "boss",
            "case",
            "add",
            ref,
            "--authority",
            authority,
            "--stratum",
            "custody",
            "--age",
            "15",
            "--screened-on",
            "2021-03-04",
        )
        assert result.exit_code == 0, result.output
    return altar


def add(altar, ref, when, agency, kind, note=None):
    """Add an event through the CLI (as boss); return its id."""
    result = altar(
        "--user",
        "boss",
        "chronology",
        "add",
        ref,
        "--date",
        when,
        "--agency",
        agency,
        "--type",
        kind,
        *(["--note", note] if note else []),
    )
    assert result.exit_code == 0, result.output
    listed = json.loads(
        altar("--user", "boss", "chronology", "list", ref, "--format", "json").stdout
    )
    return max(row["id"] for row in listed)


def events(query, ref="DUD/1"):
    return query(
        "SELECT e.id, e.occurred_on, e.date_precision, e.agency, e.event_type, e.note, e.recorded_by "
        "FROM chronology_event e JOIN cases c ON c.id = e.case_id WHERE c.case_ref = ? "
        "ORDER BY e.occurred_on, e.id",
        [ref],
    )


def changes(query):
    return query(
        "SELECT actor, command, action, case_ref, field, old_value, new_value FROM change_log "
        "WHERE entity = 'chronology_event' AND actor <> 'boss' ORDER BY id"
    )


def soup(response) -> BeautifulSoup:  # type: ignore[no-untyped-def]
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def text(response) -> str:  # type: ignore[no-untyped-def]
    return soup(response).get_text(" ", strip=True)


def summary(response) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """The error summary's (link target, message) pairs."""
    box = soup(response).find(class_="error-summary")
    assert box is not None, text(response)
    return [(a["href"], a.get_text(strip=True)) for a in box.find_all("a")]


GOOD = {"date": "2019-03", "agency": "education", "event_type": "exclusion", "note": "fixed term"}


# --- the table -------------------------------------------------------------------------------------------------


def test_the_table_lists_events_in_date_order_with_readable_names(cases, web):
    late = add(cases, "DUD/1", "2019-06-20", "courts", "court_outcome", "referral order")
    early = add(cases, "DUD/1", "2010-03", "social_care", "child_protection_plan")
    add(cases, "DUD-2", "2015-01", "police", "arrest")
    page = soup(web("pat").get(BASE))
    assert page.h1.get_text(strip=True) == "Chronology"
    rows = [
        [cell.get_text(" ", strip=True) for cell in tr.find_all(["th", "td"])]
        for tr in page.tbody.find_all("tr")
    ]
    assert [row[:6] for row in rows] == [
        ["2010-03", "Children's social care", "Child protection plan", "", "boss", str(early)],
        ["2019-06-20", "Courts", "Court outcome", "referral order", "boss", str(late)],
    ]
    which = "the event of 2010-03 (Child protection plan)"
    assert rows[0][6] == f"Change {which} Remove {which}"
    links = {
        a.get_text(" ", strip=True).split(" ")[0]: a["href"]
        for a in page.tbody.find_all("tr")[1].find_all("a")
    }
    assert links == {"Change": f"{BASE}/{late}/edit", "Remove": f"{BASE}/{late}/remove"}
    assert page.find("a", string="Add an event")["href"] == f"{BASE}/new"
    assert page.find("a", href=f"{BASE}/timeline.png") is not None
    assert [th["scope"] for th in page.thead.find_all("th")] == ["col"] * 7


def test_an_empty_chronology_says_so_and_offers_no_chart(cases, web):
    page = web("pat").get(BASE)
    assert page.status_code == 200
    assert "no events in this chronology yet" in text(page)
    assert soup(page).find("a", href=f"{BASE}/timeline.png") is None
    assert web("pat").get(f"{BASE}/timeline.png").status_code == 404


def test_the_timeline_chart_downloads_as_a_png_never_cached(cases, web):
    add(cases, "DUD/1", "2016-09", "education", "exclusion")
    response = web("pat").get(f"{BASE}/timeline.png")
    assert response.status_code == 200
    assert response.mimetype == "image/png" and response.data.startswith(b"\x89PNG\r\n\x1a\n")
    assert response.headers["Content-Disposition"] == 'attachment; filename="DUD_1_timeline.png"'
    assert response.headers["Cache-Control"] == "no-store"


# --- adding ----------------------------------------------------------------------------------------------------


def test_the_add_form_has_every_field_with_the_clis_vocabularies(cases, web):
    page = soup(web("pat").get(f"{BASE}/new"))
    assert page.find("label", attrs={"for": "date"}).get_text(strip=True) == "Date"
    assert "2019-03-14" in page.find(id="date-hint").get_text()
    assert page.find(id="date")["aria-describedby"] == "date-hint"
    fieldset = page.find(id="agency").find_parent("fieldset")
    assert fieldset.legend.get_text(strip=True) == "Agency"
    radios = [
        (r["value"], page.find("label", attrs={"for": r["id"]}).get_text(strip=True))
        for r in fieldset.find_all("input", type="radio")
    ]
    assert radios == list(AGENCY_LABELS.items())
    options = [
        (o["value"], o.get_text(strip=True))
        for o in page.find("select", id="event_type").find_all("option")
    ]
    assert options == [("", "Choose the kind of event"), *EVENT_TYPE_LABELS.items()]
    assert page.find("textarea", id="note") is not None
    assert page.find("label", attrs={"for": "note"}) is not None


def test_adding_an_event_stores_it_under_the_signed_in_user(cases, web, query):
    pat = web("pat")
    response = pat.post(f"{BASE}/new", GOOD)
    assert response.status_code == 302 and response.headers["Location"] == BASE
    ((event_id, *stored),) = events(query)
    assert stored == ["2019-03-01", "month", "education", "exclusion", "fixed term", "pat"]
    assert changes(query) == [
        (
            "pat",
            "altar serve chronology.new",
            "insert",
            "DUD/1",
            f"event {event_id}",
            None,
            "2019-03 education exclusion: fixed term",
        )
    ]
    assert "Added the event of 2019-03: Education, Exclusion." in text(pat.get(BASE))
    assert "Added the event" not in text(pat.get(BASE))  # said once


def test_bad_input_is_shown_by_field_with_what_was_typed_and_nothing_is_written(cases, web, query):
    typed = {"date": "2019-13", "agency": "fire brigade", "event_type": "", "note": "two\nlines"}
    response = web("pat").post(f"{BASE}/new", typed)
    assert response.status_code == 400
    assert summary(response) == [
        (
            "#date",
            "2019-13 is not a date in the calendar; give the date as YYYY-MM-DD, or YYYY-MM when only the "
            "month is known",
        ),
        (
            "#agency",
            "Agency must be one of social_care, education, health, police, youth_justice, courts, housing, "
            "voluntary, other (or its name, e.g. children's social care)",
        ),
        ("#event_type", "Event type is required"),
        ("#note", "Write the note on one line (the case story is the place for more)"),
    ]
    page = soup(response)
    assert page.find(id="date")["value"] == "2019-13"
    assert page.find("textarea", id="note").get_text() == "two\nlines"
    assert (
        page.find(id="date-error")
        .get_text(" ", strip=True)
        .startswith("Error: 2019-13 is not a date")
    )
    assert page.title.get_text().startswith("Error: ")
    assert events(query) == [] and changes(query) == []


def test_a_future_date_is_refused(cases, web, query):
    response = web("pat").post(f"{BASE}/new", {**GOOD, "date": "2999-01-01"})
    assert response.status_code == 400
    assert summary(response) == [("#date", "The date is in the future")]
    assert soup(response).find(id="agency-education").has_attr("checked")  # the choice is kept
    assert soup(response).find("option", value="exclusion").has_attr("selected")
    assert events(query) == []


def test_script_in_a_note_is_shown_as_text(cases, web, query):
    pat = web("pat")
    note = "<script>alert('x')</script>"
    assert pat.post(f"{BASE}/new", {**GOOD, "note": note}).status_code == 302
    (event_id, *_) = events(query)[0]
    for path in (BASE, f"{BASE}/{event_id}/edit", f"{BASE}/{event_id}/remove"):
        body = pat.get(path).get_data(as_text=True)
        assert "<script>" not in body and "&lt;script&gt;alert(" in body, path
    refused = pat.post(f"{BASE}/new", {**GOOD, "date": "", "note": note}).get_data(as_text=True)
    assert "<script>" not in refused and "&lt;script&gt;" in refused


# --- changing --------------------------------------------------------------------------------------------------


def test_the_change_form_shows_the_event_as_stored(cases, web):
    event_id = add(cases, "DUD/1", "2016-09-12", "social_care", "care_entry", "s20")
    page = soup(web("pat").get(f"{BASE}/{event_id}/edit"))
    assert page.h1.get_text(strip=True) == "Change an event"
    assert page.find(id="date")["value"] == "2016-09-12"
    assert page.find(id="agency-social_care") is None and page.find(id="agency").has_attr("checked")
    assert page.find("option", value="care_entry").has_attr("selected")
    assert page.find("textarea", id="note").get_text() == "s20"


def test_changing_an_event_logs_each_changed_field_under_the_signed_in_user(cases, web, query):
    event_id = add(cases, "DUD/1", "2016-09", "education", "exclusion", "fixed term")
    response = web("pat").post(
        f"{BASE}/{event_id}/edit",
        {**GOOD, "date": "2016-09-14", "event_type": "school_move", "note": "fixed term"},
    )
    assert response.status_code == 302 and response.headers["Location"] == BASE
    assert events(query) == [
        (event_id, "2016-09-14", "day", "education", "school_move", "fixed term", "boss")
    ]
    command = "altar serve chronology.edit"
    assert changes(query) == [
        ("pat", command, "update", "DUD/1", f"event {event_id} date", "2016-09", "2016-09-14"),
        (
            "pat",
            command,
            "update",
            "DUD/1",
            f"event {event_id} event_type",
            "exclusion",
            "school_move",
        ),
    ]
    assert (
        web("pat")
        .post(
            f"{BASE}/{event_id}/edit",
            {**GOOD, "date": "2016-09-14", "event_type": "school_move", "note": ""},
        )
        .status_code
        == 302
    )
    assert changes(query)[-1][4:] == (f"event {event_id} note", "fixed term", None)


def test_a_bad_change_is_refused_and_changes_nothing(cases, web, query):
    event_id = add(cases, "DUD/1", "2016-09", "education", "exclusion")
    before = events(query)
    response = web("pat").post(
        f"{BASE}/{event_id}/edit", {**GOOD, "date": "next week", "event_type": "nap"}
    )
    assert response.status_code == 400
    assert [target for target, _ in summary(response)] == ["#date", "#event_type"]
    assert soup(response).find(id="date")["value"] == "next week"
    assert events(query) == before and changes(query) == []


# --- removing --------------------------------------------------------------------------------------------------


def test_removing_asks_first_then_removes_under_the_signed_in_user(cases, web, query):
    keep = add(cases, "DUD/1", "2015-01", "police", "arrest")
    gone = add(cases, "DUD/1", "2016-09", "education", "exclusion", "fixed term")
    pat = web("pat")
    page = soup(pat.get(f"{BASE}/{gone}/remove"))
    assert page.h1.get_text(strip=True) == "Remove this event?"
    assert [dd.get_text(strip=True) for dd in page.find_all("dd")] == [
        "2016-09",
        "Education",
        "Exclusion",
        "fixed term",
        "boss",
    ]
    assert page.find("button", string="Yes, remove this event") is not None
    assert len(events(query)) == 2  # asking removed nothing
    response = pat.post(f"{BASE}/{gone}/remove")
    assert response.status_code == 302 and response.headers["Location"] == BASE
    assert [row[0] for row in events(query)] == [keep]
    assert changes(query) == [
        (
            "pat",
            "altar serve chronology.remove",
            "delete",
            "DUD/1",
            f"event {gone}",
            "2016-09 education exclusion: fixed term",
            None,
        )
    ]
    assert "Removed the event of 2016-09: Education, Exclusion." in text(pat.get(BASE))
    assert pat.post(f"{BASE}/{gone}/remove").status_code == 404


# --- refusals --------------------------------------------------------------------------------------------------


def pages_of(base: str, event_id: int) -> list[str]:
    return [
        base,
        f"{base}/new",
        f"{base}/{event_id}/edit",
        f"{base}/{event_id}/remove",
        f"{base}/timeline.png",
    ]


def test_signed_out_every_page_goes_to_sign_in_and_nothing_is_written(cases, web, query):
    event_id = add(cases, "DUD/1", "2016-09", "education", "exclusion")
    before = events(query)
    client = web()
    for path in pages_of(BASE, event_id):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith(
            "/sign-in"
        ), path
    for path in pages_of(BASE, event_id)[1:4]:
        assert client.post(path, GOOD).status_code == 302, path
    assert events(query) == before and changes(query) == []


def test_posts_without_the_csrf_token_are_refused(cases, web, query):
    event_id = add(cases, "DUD/1", "2016-09", "education", "exclusion")
    before = events(query)
    pat = web("pat")
    for path in pages_of(BASE, event_id)[1:4]:
        response = pat.post(path, {**GOOD, "date": "2017-01"}, csrf=False)
        assert response.status_code == 400 and "The form had expired" in text(response), path
    assert events(query) == before and changes(query) == []


def test_another_authoritys_chronology_is_not_found_for_pages_and_posts(cases, web, query):
    event_id = add(cases, "WAL-1", "2016-09", "education", "exclusion", "walsall note")
    before = events(query, "WAL-1")
    pat = web("pat")
    for path in pages_of(OTHER, event_id):
        response = pat.get(path)
        assert response.status_code == 404, path
        assert "walsall note" not in text(response) and "Exclusion" not in text(response)
    for path in pages_of(OTHER, event_id)[1:4]:
        assert pat.post(path, GOOD).status_code == 404, path
        assert pat.post(path, {**GOOD, "date": "bad"}).status_code == 404, (
            path
        )  # scope before validation
    assert events(query, "WAL-1") == before and changes(query) == []
    assert web("walt").get(OTHER).status_code == 200  # Walsall's own practitioner sees it


def test_an_event_of_another_case_is_not_found_under_this_case(cases, web, query):
    other_case_event = add(cases, "DUD-2", "2015-01", "police", "arrest")
    before = events(query, "DUD-2")
    pat = web("pat")
    for path in (f"{BASE}/{other_case_event}/edit", f"{BASE}/{other_case_event}/remove"):
        assert pat.get(path).status_code == 404, path
        assert pat.post(path, GOOD).status_code == 404, path
    assert pat.get(f"{BASE}/999999/edit").status_code == 404
    assert events(query, "DUD-2") == before and events(query) == [] and changes(query) == []
