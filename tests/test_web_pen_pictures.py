"""Writing and changing pen-pictures on the web (/lead/pen-pictures/new and
/<id>/edit), through Flask's test client on both backends: what is stored
and logged (read back with plain SQL), every refusal, and the conflict
between two writers. Listing, reading and approval are in test_web_lead."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

REF, OTHER = "DUD-017", "WAL-003"
GOOD = "A boy of fifteen who moved schools four times.\r\n\r\nHe liked football."  # as a browser sends it
SCRIPT = "<script>alert('x')</script>"


@pytest.fixture
def cases(altar, web_users):
    for ref, authority in ((REF, "dudley"), (OTHER, "walsall")):
        result = altar(
            "--user", "boss", "case", "add", ref, "--authority", authority, "--stratum", "community"
        )
        assert result.exit_code == 0, result.output


def soup(response) -> BeautifulSoup:  # type: ignore[no-untyped-def]
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def summary(response) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    box = soup(response).find(class_="error-summary")
    assert box is not None, soup(response).get_text(" ", strip=True)
    return [(a["href"], a.get_text(" ", strip=True)) for a in box.find_all("a")]


def pictures(query) -> list[tuple]:  # type: ignore[no-untyped-def]
    return query(
        "SELECT p.id, c.case_ref, p.title, p.body, p.written_by, p.approved_by FROM pen_picture p "
        "JOIN cases c ON c.id = p.case_id ORDER BY p.id"
    )


def logged(query) -> list[tuple]:  # type: ignore[no-untyped-def]
    return query(
        "SELECT actor, command, action, case_ref, field FROM change_log WHERE entity = 'pen_picture' "
        "ORDER BY id"
    )


def add(client, **fields):  # type: ignore[no-untyped-def]
    return client.post(
        "/lead/pen-pictures/new",
        {"case_ref": REF, "title": "Moved schools", "body": GOOD, **fields},
    )


def test_the_list_and_the_story_lead_to_the_new_form_with_the_case_filled_in(
    web, cases, altar, tmp_path
):
    lena = web("lena")
    listing = soup(lena.get("/lead/pen-pictures"))
    assert listing.find("a", string="Write a pen-picture")["href"] == "/lead/pen-pictures/new"
    story = tmp_path / "story.md"
    story.write_text("## Family and early childhood\n\nLived with an aunt.\n", encoding="utf-8")
    result = altar(
        "--user", "lena", "story", "edit", REF, "--section", "family", "--from-file", str(story)
    )
    assert result.exit_code == 0, result.output
    link = soup(lena.get(f"/cases/{REF}/story")).find(
        "a", string="Write a pen-picture from this story"
    )["href"]
    form = soup(lena.get(link))
    assert form.find("input", attrs={"name": "case_ref"})["value"] == REF
    assert {label.get_text(strip=True) for label in form.select("form label")} == {
        "Case reference",
        "Title",
        "Text",
    }
    # A practitioner reads the story but is not offered pen-pictures.
    assert (
        soup(web("pat").get(f"/cases/{REF}/story")).find(
            "a", string="Write a pen-picture from this story"
        )
        is None
    )


def test_a_new_pen_picture_is_stored_as_a_draft_and_logged_under_the_signed_in_user(
    web, cases, query, altar
):
    response = add(web("lena"))
    assert response.status_code == 302
    [(picture, ref, title, body, written_by, approved_by)] = pictures(query)
    assert response.headers["Location"] == f"/lead/pen-pictures/{picture}?done=added"
    assert (ref, title, body, written_by, approved_by) == (
        REF,
        "Moved schools",
        "A boy of fifteen who moved schools four times.\n\nHe liked football.",
        "lena",
        None,
    )
    assert logged(query) == [("lena", "altar serve pen_pictures.new", "insert", REF, f"#{picture}")]
    shown = soup(web("lena").get(response.headers["Location"])).get_text(" ", strip=True)
    assert "It is a draft" in shown and "Draft, not approved" in shown
    listed = altar("--user", "lena", "penpicture", "list", "--format", "csv").stdout
    assert "Moved schools" in listed  # the CLI sees what the web wrote


@pytest.mark.parametrize(
    "fields, expected",
    [
        (
            {"case_ref": ""},
            [("#case_ref", "Enter the case reference of the child it is drawn from")],
        ),
        ({"case_ref": "NO-SUCH"}, [("#case_ref", "No case 'NO-SUCH' in this database.")]),
        ({"title": "  "}, [("#title", "Title: a pen-picture needs a title.")]),
        (
            {"body": "x" * 2001},
            [
                (
                    "#body",
                    "Text: 2,001 characters; a pen-picture has at most 2,000 (about 300 words): "
                    "shorten it, and keep the detail in the case story.",
                )
            ],
        ),
        (
            {"body": f"Kai moved to Park Hall Academy; see {OTHER}."},
            [
                (
                    "#body",
                    f"Text: contains '{OTHER}', the case reference of another child; a published pen-picture never "
                    "carries a case reference.",
                ),
                ("#body", "Text: “Kai” on line 1 looks like a name."),
                ("#body", "Text: “Park Hall Academy” on line 1 looks like a school's name."),
            ],
        ),
        (
            {"title": f"The {REF} story"},
            [
                (
                    "#title",
                    f"Title: contains '{REF}', this child's case reference; a published pen-picture never carries "
                    "a case reference.",
                )
            ],
        ),
    ],
)
def test_a_bad_pen_picture_is_refused_by_field_and_nothing_is_written(
    web, cases, query, fields, expected
):
    response = add(web("lena"), **fields)
    assert response.status_code == 400
    assert summary(response) == expected
    assert pictures(query) == [] and logged(query) == []
    page = soup(response)  # what was typed comes back
    typed = {
        "case_ref": REF,
        "title": "Moved schools",
        "body": GOOD.replace("\r\n", "\n"),
        **fields,
    }
    assert page.find("input", attrs={"name": "title"})["value"] == typed["title"]
    assert page.find("textarea", attrs={"name": "body"}).get_text() == typed["body"]
    field = expected[0][0][1:]
    message = page.find(id=f"{field}-error").get_text(" ", strip=True)
    assert message.startswith("Error: " + expected[0][1])
    assert ("more problem" in message) == (len(expected) > 1)


def test_markup_in_the_title_and_text_is_shown_as_text(web, cases):
    lena = web("lena")
    response = add(lena, title=f"Title {SCRIPT}", body=f"A boy who typed {SCRIPT}.")
    assert response.status_code == 302
    page = lena.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert SCRIPT not in html and "&lt;script&gt;" in html and soup(page).find("script") is None
    edit = lena.get(response.headers["Location"].split("?")[0] + "/edit").get_data(as_text=True)
    assert SCRIPT not in edit


@pytest.fixture
def approved(web, cases, query) -> int:
    """A pen-picture written and approved on the web by lena."""
    lena = web("lena")
    assert add(lena).status_code == 302
    [(picture, *_)] = pictures(query)
    assert lena.post(f"/lead/pen-pictures/{picture}", {"action": "approve"}).status_code == 302
    return picture


def edit_fields(client, picture: int) -> dict[str, str]:  # type: ignore[no-untyped-def]
    page = soup(client.get(f"/lead/pen-pictures/{picture}/edit"))
    return {
        "title": page.find("input", attrs={"name": "title"})["value"],
        "body": page.find("textarea", attrs={"name": "body"}).get_text(),
        "opened": page.find("input", attrs={"name": "opened"})["value"],
    }


def test_the_change_form_shows_the_stored_text_and_warns_that_approval_will_go(web, approved):
    lena = web("lena")
    fields = edit_fields(lena, approved)
    assert fields == {
        "title": "Moved schools",
        "opened": fields["body"],
        "body": "A boy of fifteen who moved schools four times.\n\nHe liked football.",
    }
    page = soup(lena.get(f"/lead/pen-pictures/{approved}/edit")).get_text(" ", strip=True)
    assert "saving a change withdraws the approval" in " ".join(page.split())


def test_changing_the_text_withdraws_approval_and_logs_both(web, approved, query):
    lena = web("lena")
    fields = {
        **edit_fields(lena, approved),
        "body": "A boy of fifteen who moved schools five times.",
    }
    response = lena.post(f"/lead/pen-pictures/{approved}/edit", fields)
    assert response.status_code == 302 and response.headers["Location"].endswith(
        "done=edited-withdrawn"
    )
    [(_, _, _, body, _, approved_by)] = pictures(query)
    assert (body, approved_by) == ("A boy of fifteen who moved schools five times.", None)
    assert [row[4] for row in logged(query)][-2:] == [f"#{approved} body", f"#{approved} approved"]
    assert {row[1] for row in logged(query)[-2:]} == {"altar serve pen_pictures.edit"}
    assert "withdrew its approval" in soup(lena.get(response.headers["Location"])).get_text(
        " ", strip=True
    )


def test_saving_it_unchanged_writes_nothing_and_keeps_the_approval(web, approved, query):
    lena, before = web("lena"), logged(query)
    response = lena.post(f"/lead/pen-pictures/{approved}/edit", edit_fields(lena, approved))
    assert response.status_code == 302 and response.headers["Location"].endswith("done=unchanged")
    assert logged(query) == before and pictures(query)[0][5] == "lena"


def test_a_bad_change_is_refused_and_changes_nothing(web, approved, query):
    lena, before = web("lena"), pictures(query)
    response = lena.post(
        f"/lead/pen-pictures/{approved}/edit", {**edit_fields(lena, approved), "body": "Kai, 15."}
    )
    assert response.status_code == 400
    assert summary(response) == [("#body", "Text: “Kai” on line 1 looks like a name.")]
    assert pictures(query) == before


def test_a_second_writer_is_told_and_keeps_their_text(web, approved, query):
    """lena and boss open the form; lena saves first; boss's save is refused
    with lena's text shown, boss's own kept, and the form now based on
    lena's, so saving again is deliberate."""
    lena, boss = web("lena"), web("boss")
    theirs, mine = edit_fields(lena, approved), edit_fields(boss, approved)
    saved = lena.post(
        f"/lead/pen-pictures/{approved}/edit", {**theirs, "body": "Lena's new wording."}
    )
    assert saved.status_code == 302
    response = boss.post(f"/lead/pen-pictures/{approved}/edit", {**mine, "body": "Boss's wording."})
    assert response.status_code == 409
    assert summary(response)[0][1].startswith(
        "Someone saved a change to this pen-picture while you were writing"
    )
    page = soup(response)
    assert page.find("textarea", attrs={"name": "body"}).get_text() == "Boss's wording."
    assert "Lena's new wording." in page.find(class_="conflict").get_text()
    assert pictures(query)[0][3] == "Lena's new wording."
    again = {
        name: field["value"]
        for name, field in ((f["name"], f) for f in page.select("form input[type=hidden]"))
    }
    response = boss.post(
        f"/lead/pen-pictures/{approved}/edit",
        {**mine, "body": "Boss's wording.", "opened": again["opened"]},
    )
    assert response.status_code == 302 and pictures(query)[0][3] == "Boss's wording."


def test_an_unknown_pen_picture_is_not_found_and_a_practitioner_is_refused(web, approved, query):
    lena, pat, before = web("lena"), web("pat"), pictures(query)
    assert lena.get("/lead/pen-pictures/9999/edit").status_code == 404
    assert (
        lena.post(
            "/lead/pen-pictures/9999/edit", {"title": "x", "body": "y", "opened": ""}
        ).status_code
        == 404
    )
    assert pat.get("/lead/pen-pictures/new").status_code == 403
    assert add(pat).status_code == 403
    assert (
        pat.post(
            f"/lead/pen-pictures/{approved}/edit", {"title": "x", "body": "y", "opened": ""}
        ).status_code
        == 403
    )
    assert pictures(query) == before
