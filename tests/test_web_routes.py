"""Every route of `altar serve`, enumerated from the application's own URL
map, against the three refusals the web must never miss: signed out,
no CSRF token, and a case of another authority. A route added later is
covered without anyone remembering to write its test: it is in the map, so
it is here, and a route whose arguments this file cannot fill fails.

Refusals are checked by what they write, too: a snapshot of every table's
row count and the change log before and after must be equal.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from werkzeug.datastructures import MultiDict

THEIRS, OURS = "WAL-9", "DUD-9"  # walt's (Walsall) and pat's (Dudley)
PUBLIC = {"auth.sign_in", "static"}
CASE_TABLES = (
    "cases",
    "screening",
    "answer",
    "screening_score",
    "story_version",
    "story_section",
    "chronology_event",
    "pen_picture",
    "story_tag",
    "users",
    "change_log",
)


@pytest.fixture
def world(altar, web_users, tmp_path) -> dict[str, object]:
    """A case in Walsall and one in Dudley, each with a story, a chronology
    event and a pen-picture: the values every route argument takes."""
    ids: dict[str, object] = {}
    for ref, authority in ((THEIRS, "walsall"), (OURS, "dudley")):
        ok(
            altar(
                "--user",
                "boss",
                "case",
                "add",
                ref,
                "--authority",
                authority,
                "--stratum",
                "custody",
            )
        )
        story = tmp_path / f"{ref}.md"
        story.write_text(
            "## Family and early childhood\n\nLived with an aunt from the age of six.\n",
            encoding="utf-8",
        )
        ok(
            altar(
                "--user",
                "boss",
                "story",
                "edit",
                ref,
                "--section",
                "family",
                "--from-file",
                str(story),
            )
        )
        story.write_text(
            story.read_text(encoding="utf-8").replace("six", "seven"), encoding="utf-8"
        )
        ok(
            altar(
                "--user",
                "boss",
                "story",
                "edit",
                ref,
                "--section",
                "family",
                "--from-file",
                str(story),
            )
        )
        ok(
            altar(
                "--user",
                "boss",
                "chronology",
                "add",
                ref,
                "--date",
                "2019-03",
                "--agency",
                "education",
                "--type",
                "exclusion",
            )
        )
        listed = json.loads(
            ok(altar("--user", "boss", "chronology", "list", ref, "--format", "json")).stdout
        )
        body = tmp_path / f"{ref}-pp.txt"
        body.write_text("A boy of fifteen who liked football.", encoding="utf-8")
        added = ok(
            altar(
                "--user",
                "lena",
                "penpicture",
                "add",
                ref,
                "--title",
                "Football",
                "--from-file",
                str(body),
            )
        )
        picture = int(added.output.split("Added pen-picture ")[1].split()[0])
        ids[ref] = {"event_id": listed[0]["id"], "picture_id": picture}
    return ids


def ok(result):  # type: ignore[no-untyped-def]
    assert result.exit_code == 0, result.output
    return result


def routes(app) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    """(endpoint, method, rule) for every route but static files."""
    return sorted(
        (rule.endpoint, method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    )


def url(app, endpoint: str, ref: str, ids: dict) -> str:  # type: ignore[no-untyped-def]
    """The route's address for case ``ref`` (and that case's event and picture)."""
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    values = {"ref": ref, "section": "family", **ids[ref]}
    missing = rule.arguments - values.keys()
    assert not missing, (
        f"{endpoint}: this test does not know what to put in {sorted(missing)}: add it to url()"
    )
    with app.test_request_context():
        from flask import url_for

        return url_for(endpoint, **{name: values[name] for name in rule.arguments}) + QUERY.get(
            endpoint, ""
        )


QUERY = {"stories.diff": "?old=1&new=2"}  # a page that needs its question asked


def snapshot(query) -> dict[str, object]:  # type: ignore[no-untyped-def]
    counts = {table: query(f"SELECT count(*) FROM {table}")[0][0] for table in CASE_TABLES}
    counts["change_log_last"] = query("SELECT max(id) FROM change_log")[0][0]
    counts["answers"] = sorted(query("SELECT screening_id, item_code, value, count FROM answer"))
    counts["approved"] = sorted(query("SELECT id, approved_at FROM pen_picture"))
    return counts


# What a person would type into a form that starts empty (the rest is
# taken from the page as served).
FILL = {"chronology.new": {"date": "2020-01", "agency": "police", "event_type": "arrest"}}


def form_fields(html: str, address: str, endpoint: str) -> MultiDict:
    """What a browser would send from the page's form that posts to
    ``address`` (checked boxes, typed text, chosen options, the first
    submit button's name and value), without the CSRF token."""
    page = BeautifulSoup(html, "html.parser")
    form = next(
        f for f in page.find_all("form", method="post") if f.get("action", address) == address
    )
    fields: MultiDict = MultiDict()
    for field in form.find_all(["input", "textarea", "select"]):
        name = field.get("name")
        if not name or name == "csrf_token":
            continue
        if field.name == "textarea":
            fields.add(name, field.get_text())
        elif field.name == "select":
            chosen = field.find("option", selected=True) or field.find("option")
            fields.add(name, chosen.get("value", chosen.get_text()) if chosen else "")
        elif field.get("type") in ("radio", "checkbox"):
            if field.has_attr("checked"):
                fields.add(name, field.get("value", "on"))
        else:
            fields.add(name, field.get("value", ""))
    button = form.find("button", attrs={"name": True})
    if button is not None:
        fields.add(button["name"], button.get("value", ""))
    for name, value in FILL.get(endpoint, {}).items():
        fields.setlist(name, [value])
    return fields


def test_the_map_has_the_pages_the_issue_asks_for(web_app):
    endpoints = {endpoint for endpoint, _, _ in routes(web_app)}
    assert {
        "cases.index",
        "cases.new",
        "screening.form",
        "stories.edit",
        "stories.diff",
        "chronology.new",
        "chronology.edit",
        "chronology.remove",
        "lead.index",
        "pen_pictures.approval",
        "lead.reports",
        "auth.sign_out",
    } <= endpoints


def test_signed_out_every_route_goes_to_sign_in_and_writes_nothing(web, web_app, world, query):
    """Even a post with a good token (a signed-out session has one, for
    the sign-in form) goes to sign-in."""
    client, before = web(), snapshot(query)
    for endpoint, method, _ in routes(web_app):
        if endpoint in PUBLIC:
            continue
        address = url(web_app, endpoint, THEIRS, world)
        data = (
            {"action": "approve", "format": "html", "csrf_token": client.csrf_token()}
            if method == "POST"
            else None
        )
        response = client.client.open(address, method=method, data=data)
        assert response.status_code == 302, f"{method} {address}: {response.status_code}"
        assert response.headers["Location"].startswith("/sign-in"), f"{method} {address}"
    assert snapshot(query) == before


@pytest.mark.parametrize("who", ["boss", "lena", "walt"])
def test_every_post_without_the_csrf_token_is_refused_and_writes_nothing(
    web, web_app, world, query, who
):
    client, before = web(who), snapshot(query)
    for endpoint, method, _ in routes(web_app):
        if method != "POST":
            continue
        address = url(web_app, endpoint, THEIRS, world)
        page = client.get(address)
        fields = (
            form_fields(page.get_data(as_text=True), address, endpoint)
            if page.status_code == 200
            else {}
        )
        response = client.client.post(
            address, data=fields or {"action": "approve", "format": "html"}
        )
        assert response.status_code == 400, (
            f"{who}: POST {address} without a token: {response.status_code}"
        )
        assert "The form had expired" in response.get_data(as_text=True), address
    assert snapshot(query) == before
    assert client.signed_in


def case_routes(app) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(endpoint, method) for endpoint, method, rule in routes(app) if "<path:ref>" in rule]


def test_every_case_route_has_been_found(web_app):
    endpoints = {endpoint for endpoint, _ in case_routes(web_app)}
    assert {
        "cases.show",
        "screening.form",
        "stories.show",
        "stories.history",
        "stories.diff",
        "stories.edit",
        "chronology.index",
        "chronology.timeline",
        "chronology.new",
        "chronology.edit",
        "chronology.remove",
    } <= endpoints


def test_another_authoritys_case_is_not_found_by_any_route_or_crafted_post(
    web, web_app, world, query
):
    """walt may use each page of his own case; pat, posting exactly what
    walt's browser would (with pat's own valid token), gets the same "not
    found" as for a case that does not exist, and nothing is written."""
    walt, pat = web("walt"), web("pat")
    missing_page = BeautifulSoup(
        pat.get("/cases/NO-SUCH-CASE").get_data(as_text=True), "html.parser"
    )
    missing = missing_page.find("main").get_text(" ", strip=True).replace("NO-SUCH-CASE", "REF")
    assert (
        "No case 'REF' in this database." in missing and "altar case list" not in missing
    )  # no CLI hint
    before = snapshot(query)
    for endpoint, method in case_routes(web_app):
        address = url(web_app, endpoint, THEIRS, world)
        own = walt.get(address)
        assert own.status_code == 200, f"walt GET {address}: {own.status_code}"
        fields = (
            form_fields(own.get_data(as_text=True), address, endpoint)
            if method == "POST"
            else MultiDict()
        )
        if method == "POST":
            fields.add("csrf_token", pat.csrf_token())
        response = pat.client.open(address, method=method, data=fields)
        assert response.status_code == 404, f"pat {method} {address}: {response.status_code}"
        body = BeautifulSoup(response.get_data(as_text=True), "html.parser")
        assert body.find("main").get_text(" ", strip=True).replace(THEIRS, "REF") == missing, (
            address
        )
        assert (
            "Lived with an aunt" not in body.get_text()
            and "exclusion" not in body.get_text().lower()
        )
    assert snapshot(query) == before


def test_the_crafted_posts_are_real_ones_that_the_owner_could_send(web, web_app, world, query):
    """The control for the test above: the same form fields, posted by walt
    with his token, are accepted (a redirect or a page, never a refusal),
    so pat's 404s come from the scope, not from a malformed post."""
    walt = web("walt")
    posts = sorted(
        (e for e, m in case_routes(web_app) if m == "POST"), key=lambda e: e == "chronology.remove"
    )
    for endpoint in posts:  # removing last: the change form needs the event
        address = url(web_app, endpoint, THEIRS, world)
        fields = form_fields(walt.get(address).get_data(as_text=True), address, endpoint)
        fields.add("csrf_token", walt.csrf_token())
        response = walt.client.post(address, data=fields)
        assert response.status_code == 302, f"walt POST {address}: {response.status_code}"
    assert (
        query("SELECT count(*) FROM change_log WHERE actor = 'walt'")[0][0] >= 2
    )  # an event added and removed


def test_a_practitioner_is_refused_every_lead_route_and_writes_nothing(web, web_app, world, query):
    pat, before = web("pat"), snapshot(query)
    lead = [(e, m) for e, m, rule in routes(web_app) if rule.startswith("/lead")]
    assert len(lead) >= 5
    for endpoint, method in lead:
        address = url(web_app, endpoint, OURS, world)  # even a pen-picture of pat's own authority
        data = (
            {"action": "approve", "format": "html", "csrf_token": pat.csrf_token()}
            if method == "POST"
            else None
        )
        response = pat.client.open(address, method=method, data=data)
        assert response.status_code == 403, f"pat {method} {address}: {response.status_code}"
        assert "You cannot do that" in response.get_data(as_text=True)
    assert snapshot(query) == before


def test_only_the_sign_in_page_and_static_files_are_public(web_app):
    """Signing in is checked before every view: the only endpoints that
    skip it are these two (altar.web.auth.PUBLIC)."""
    from altar.web.auth import PUBLIC as EXEMPT

    assert EXEMPT == PUBLIC
    assert Path(web_app.static_folder, "altar.css").exists()
