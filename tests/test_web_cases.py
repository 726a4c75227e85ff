"""The cases pages of `altar serve`: the caseload, adding a case, one case's
overview; and every refusal (signed out, no CSRF token, another
authority's case, bad input)."""

from __future__ import annotations

import csv
import io

import pytest
from bs4 import BeautifulSoup

from tests.test_caseload import add_story_version

# Two Dudley cases (pat's authority) and one Walsall case (walt's).
CASES = (
    ("DUD-1", "dudley", "custody"),
    ("DUD/2", "dudley", "community"),
    ("WAL-1", "walsall", "custody"),
)
NEW = {
    "case_ref": "DUD-NEW",
    "stratum": "out_of_court",
    "cohort": "gang_lens",
    "sex": "female",
    "ethnicity": "mixed",
    "age": "15",
    "screened_on": "2021-06-30",
}


@pytest.fixture
def cases(altar):  # type: ignore[no-untyped-def]
    for ref, authority, stratum in CASES:
        result = altar(
            "--user", "boss", "case", "add", ref, "--authority", authority, "--stratum", stratum
        )
        assert result.exit_code == 0, result.output


def soup(response) -> BeautifulSoup:  # type: ignore[no-untyped-def]
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def text(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(soup(response).get_text(" ").split())


def table(response) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    """The caseload table as one {column heading: cell text} per case."""
    page = soup(response)
    found = page.find("table")
    if found is None:
        return []
    heads = [th.get_text(" ", strip=True) for th in found.thead.find_all("th")]
    return [
        dict(zip(heads, (" ".join(c.get_text(" ").split()) for c in tr.find_all(["th", "td"]))))
        for tr in found.tbody.find_all("tr")
    ]


def refs(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [row["Case"] for row in table(response)]


def stored(query, ref: str) -> list[tuple]:  # type: ignore[no-untyped-def]
    return query(
        "SELECT c.case_ref, a.code, c.stratum, c.cohort, c.sex, c.ethnicity, c.age FROM cases c "
        "JOIN authority a ON a.id = c.authority_id WHERE c.case_ref = ?",
        (ref,),
    )


def case_count(query) -> int:  # type: ignore[no-untyped-def]
    return query("SELECT count(*) FROM cases")[0][0]


# --- signed out ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/cases", "/cases/new", "/cases/DUD-1"])
def test_signed_out_pages_go_to_sign_in(web, cases, path):
    response = web().get(path)
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_a_signed_out_post_writes_nothing(web, cases, query):
    response = web().post("/cases/new", NEW, csrf=False)
    assert response.status_code in (302, 400)
    assert stored(query, "DUD-NEW") == []


# --- the caseload ----------------------------------------------------------------------------


def test_a_practitioner_sees_only_their_authoritys_cases(web, cases):
    response = web("pat").get("/cases")
    assert response.status_code == 200
    assert refs(response) == ["DUD-1", "DUD/2"]
    assert "Authority" not in table(response)[0]
    assert soup(response).find("select", id="authority") is None
    assert "2 cases" in text(response)
    link = soup(response).find("a", string="DUD/2")
    assert link["href"] == "/cases/DUD/2"
    assert soup(response).find("a", string="New case")["href"] == "/cases/new"


def test_a_lead_sees_every_authority_with_an_authority_column_and_filter(web, cases):
    lena = web("lena")
    everything = table(lena.get("/cases"))
    assert [(r["Case"], r["Authority"]) for r in everything] == [
        ("DUD-1", "Dudley"),
        ("DUD/2", "Dudley"),
        ("WAL-1", "Walsall"),
    ]
    walsall = lena.get("/cases?authority=walsall")
    assert refs(walsall) == ["WAL-1"]
    assert (
        soup(walsall).find("select", id="authority").find("option", selected=True)["value"]
        == "walsall"
    )
    assert "1 case match these filters" in text(walsall)


def test_a_practitioner_cannot_widen_the_list_by_url(web, cases):
    assert refs(web("pat").get("/cases?authority=walsall")) == [
        "DUD-1",
        "DUD/2",
    ]  # ignored, not obeyed


def test_rows_show_status_counts_story_and_chronology(web, cases, altar, tmp_path):
    add_story_version(altar, tmp_path, "DUD-1", "Some words.")
    for date in ("2019-03", "2020-01-05"):
        result = altar(
            "--user",
            "boss",
            "chronology",
            "add",
            "DUD-1",
            "--date",
            date,
            "--agency",
            "police",
            "--type",
            "arrest",
        )
        assert result.exit_code == 0, result.output
    export = altar("--user", "boss", "export", "--format", "csv")
    assert export.exit_code == 0, export.output
    rows = {r["case_ref"]: r for r in csv.DictReader(io.StringIO(export.stdout))}
    items = [
        k
        for k in rows["DUD-1"]
        if k
        not in (
            "case_ref",
            "authority",
            "stratum",
            "cohort",
            "sex",
            "ethnicity",
            "age",
            "screened_on",
            "screened_by",
            "instrument_version",
        )
    ]
    shown = {r["Case"]: r for r in table(web("pat").get("/cases"))}
    assert shown["DUD-1"]["Story"] == "Version 1" and shown["DUD-1"]["Chronology"] == "2 events"
    assert shown["DUD/2"]["Story"] == "None yet" and shown["DUD/2"]["Chronology"] == "None yet"
    assert shown["DUD-1"]["Screening"] == "Not started"
    assert shown["DUD-1"]["Answered"] == f"0 of {len(items)}" and shown["DUD-1"]["Unknown"] == "0"


def test_filters_by_stratum_and_status_with_a_clear_link(web, cases, altar, tmp_path):
    pat = web("pat")
    custody = pat.get("/cases?stratum=custody&status=")
    assert refs(custody) == ["DUD-1"]
    assert soup(custody).find("a", string="Clear filters")["href"] == "/cases"
    assert soup(pat.get("/cases")).find("a", string="Clear filters") is None
    assert refs(pat.get("/cases?status=not_started")) == ["DUD-1", "DUD/2"]
    none = pat.get("/cases?status=complete")
    assert refs(none) == [] and "No cases match these filters" in text(none)
    form = soup(none).find("form", attrs={"method": "get"})
    assert form is not None and form.find("button") is not None  # works without JavaScript


def test_an_unknown_filter_value_is_ignored(web, cases):
    response = web("pat").get("/cases?stratum=%3Cscript%3E&status=bogus")
    assert response.status_code == 200 and refs(response) == ["DUD-1", "DUD/2"]
    assert "<script>" not in response.get_data(as_text=True)


def test_the_empty_caseload_says_so(web):
    response = web("pat").get("/cases")
    assert response.status_code == 200 and "You have no cases yet" in text(response)
    assert "0 cases" in text(response)


# --- a new case ------------------------------------------------------------------------------


def test_the_new_case_form_fixes_a_practitioners_authority(web):
    page = soup(web("pat").get("/cases/new"))
    assert page.find(id="authority") is None
    assert "Authority Dudley" in " ".join(page.get_text(" ").split())
    assert "Never use the child's name" in page.find(id="case_ref-hint").get_text()
    for group in ("stratum", "cohort", "sex", "ethnicity"):
        assert page.find(id=group).find_parent("fieldset").legend is not None
    for field in ("case_ref", "age", "screened_on"):
        assert page.find("label", attrs={"for": field}) is not None
    assert page.find("input", attrs={"name": "cohort", "checked": True})["value"] == "main"


def test_a_lead_chooses_the_authority(web):
    select = soup(web("lena").get("/cases/new")).find("select", id="authority")
    assert {o["value"] for o in select.find_all("option")} >= {
        "",
        "dudley",
        "walsall",
        "west_mercia",
    }


def test_adding_a_case_stores_it_and_shows_its_page_with_a_notice(web, query, altar):
    pat = web("pat")
    response = pat.post("/cases/new", NEW)
    assert response.status_code == 302 and response.headers["Location"].endswith("/cases/DUD-NEW")
    assert stored(query, "DUD-NEW") == [
        ("DUD-NEW", "dudley", "out_of_court", "gang_lens", "female", "mixed", 15)
    ]
    page = pat.get("/cases/DUD-NEW")
    assert "Case DUD-NEW added" in soup(page).find(class_="notification").get_text()
    assert "Case DUD-NEW added" not in text(pat.get("/cases/DUD-NEW"))  # shown once
    assert refs(pat.get("/cases")) == ["DUD-NEW"]
    log = list(
        csv.DictReader(io.StringIO(altar("--user", "boss", "audit", "--format", "csv").stdout))
    )
    added = [r for r in log if r["case_ref"] == "DUD-NEW"]
    assert [(r["actor"], r["command"], r["action"]) for r in added] == [
        ("pat", "altar serve cases.new", "insert")
    ]


def test_blank_optional_fields_take_the_cli_defaults(web, query):
    response = web("lena").post(
        "/cases/new",
        {
            "case_ref": "WAL-9",
            "authority": "walsall",
            "stratum": "custody",
            "cohort": "main",
            "age": "",
            "screened_on": "",
        },
    )
    assert response.status_code == 302, text(response)
    assert stored(query, "WAL-9") == [
        ("WAL-9", "walsall", "custody", "main", "unknown", "unknown", None)
    ]
    assert (
        query(
            "SELECT s.screened_on FROM screening s JOIN cases c ON c.id = s.case_id "
            "WHERE c.case_ref = 'WAL-9'"
        )[0][0]
        is not None
    )  # today


def test_missing_and_wrong_fields_are_listed_and_nothing_is_written(web, query):
    typed = {**NEW, "stratum": "", "age": "9", "screened_on": "30/06/2021"}
    response = web("pat").post("/cases/new", typed)
    assert response.status_code == 400
    page = soup(response)
    summary = page.find(class_="error-summary")
    links = {a["href"]: a.get_text(strip=True) for a in summary.find_all("a")}
    assert set(links) == {"#stratum", "#age", "#screened_on"}
    assert links["#stratum"] == "Select the stratum"
    assert links["#age"].startswith("Age must be a whole number of years from 10 to 18")
    assert page.find(id="age-error") is not None and page.find(id="stratum") is not None
    # What was typed is kept.
    assert page.find("input", id="case_ref")["value"] == "DUD-NEW"
    assert page.find("input", id="screened_on")["value"] == "30/06/2021"
    assert page.find("input", attrs={"name": "sex", "checked": True})["value"] == "female"
    assert page.title.get_text().startswith("Error:")
    assert stored(query, "DUD-NEW") == []


def test_a_crafted_choice_and_a_missing_authority_are_refused(web, query):
    response = web("lena").post(
        "/cases/new", {**NEW, "authority": "", "stratum": "prison", "sex": "robot"}
    )
    assert response.status_code == 400
    summary = {
        a["href"]: a.get_text(strip=True)
        for a in soup(response).find(class_="error-summary").find_all("a")
    }
    assert summary["#authority"] == "Select the authority"
    assert summary["#stratum"].startswith("Stratum must be one of custody")
    assert summary["#sex"].startswith("Sex must be one of")
    assert case_count(query) == 0


def test_a_duplicate_reference_is_refused_on_its_field(web, cases, query):
    before = case_count(query)
    response = web("pat").post("/cases/new", {**NEW, "case_ref": "DUD-1"})
    assert response.status_code == 400
    link = soup(response).find(class_="error-summary").find("a")
    assert link["href"] == "#case_ref" and "already exists" in link.get_text()
    assert case_count(query) == before


def test_a_duplicate_of_another_authoritys_reference_is_refused_too(web, cases, query):
    # References are unique across the region; the message does not say whose.
    response = web("pat").post("/cases/new", {**NEW, "case_ref": "WAL-1"})
    assert response.status_code == 400 and "already exists" in text(response)
    assert "walsall" not in text(response).lower()
    assert stored(query, "WAL-1")[0][1] == "walsall"


def test_a_practitioner_posting_another_authority_is_refused(web, query):
    response = web("pat").post("/cases/new", {**NEW, "authority": "walsall"})
    assert response.status_code == 403
    assert "only dudley's cases" in text(response)
    assert stored(query, "DUD-NEW") == []


def test_a_post_without_the_csrf_token_writes_nothing(web, query):
    response = web("pat").post("/cases/new", NEW, csrf=False)
    assert response.status_code == 400 and "Nothing was saved" in text(response)
    assert stored(query, "DUD-NEW") == []


def test_markup_typed_into_a_field_comes_back_escaped(web, query):
    response = web("pat").post("/cases/new", {**NEW, "case_ref": "<script>alert(1)</script>"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert (
        "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    )
    assert soup(response).find("input", id="case_ref")["value"] == "<script>alert(1)</script>"
    assert case_count(query) == 0


def test_a_reference_that_looks_like_a_date_of_birth_is_refused(web, query):
    response = web("pat").post("/cases/new", {**NEW, "case_ref": "DUD-2007-03-14"})
    assert response.status_code == 400 and "date of birth" in text(response)
    assert case_count(query) == 0


# --- one case ----------------------------------------------------------------------------------


def test_the_case_page_lists_the_cases_fields(web, cases, altar):
    assert (
        altar(
            "--user",
            "boss",
            "case",
            "add",
            "DUD-9",
            "--authority",
            "dudley",
            "--stratum",
            "community",
            "--sex",
            "male",
            "--age",
            "15",
            "--screened-on",
            "2021-06-30",
        ).exit_code
        == 0
    )
    response = web("pat").get("/cases/DUD-9")
    assert response.status_code == 200
    page = soup(response)
    fields = {
        dt.get_text(strip=True): " ".join(dt.find_next_sibling("dd").get_text(" ").split())
        for dt in page.find_all("dt")
    }
    assert page.h1.get_text(strip=True) == "DUD-9"
    assert fields["Authority"] == "Dudley" and fields["Stratum"] == "Community sentence"
    assert (
        fields["Sex"] == "Male"
        and fields["Age"] == "15"
        and fields["Screening date"] == "2021-06-30"
    )
    assert (
        fields["Status"] == "Not started"
        and fields["Case story"] == "Not written yet Write the case story"
    )


def test_a_reference_with_a_slash_has_its_own_page(web, cases):
    response = web("pat").get("/cases/DUD/2")
    assert response.status_code == 200 and soup(response).h1.get_text(strip=True) == "DUD/2"


def test_the_case_page_links_to_its_screening_story_and_chronology(web, cases):
    pat = web("pat")
    page = soup(pat.get("/cases/DUD/2"))
    assert page.find("a", string="Start the screening")["href"] == "/cases/DUD/2/screening"
    assert page.find("a", string="Write the case story")["href"] == "/cases/DUD/2/story"
    assert page.find("a", string="Start the chronology")["href"] == "/cases/DUD/2/chronology"
    for href in ("/cases/DUD/2/screening", "/cases/DUD/2/story", "/cases/DUD/2/chronology"):
        assert pat.get(href).status_code == 200


def test_another_authoritys_case_is_not_found_like_a_missing_one(web, cases):
    pat = web("pat")
    other, missing = pat.get("/cases/WAL-1"), pat.get("/cases/NOPE-1")
    assert other.status_code == missing.status_code == 404
    assert text(other) == text(missing).replace("NOPE-1", "WAL-1")
    assert "Walsall" not in text(other) and "custody" not in text(other).lower()
    assert web("walt").get("/cases/WAL-1").status_code == 200
    assert web("lena").get("/cases/WAL-1").status_code == 200


# --- a long caseload: pages and a search by reference ------------------------------------------


@pytest.fixture
def many(altar, valid_row, write_csv, tmp_path, web_users) -> list[str]:
    """230 Dudley cases (every 10th in custody; DUD-150's screening in progress) and 5 of Walsall's,
    imported as a spreadsheet."""
    rows = [
        valid_row(f"DUD-{n:03d}", stratum="custody" if n % 10 == 0 else "community")
        for n in range(1, 231)
    ]
    rows[149]["bullying"] = "unanswered"
    rows += [valid_row(f"WAL-{n:03d}", authority="walsall") for n in range(1, 6)]
    result = altar("--user", "boss", "import", str(write_csv(tmp_path / "many.csv", rows)))
    assert result.exit_code == 0, result.output
    return sorted(r["case_ref"] for r in rows if r["authority"] == "dudley")


def pagination(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    nav = soup(response).find("nav", attrs={"aria-label": "Pages of cases"})
    if nav is None:
        return {}
    return {a.get_text(" ", strip=True): a["href"] for a in nav.find_all("a")} | {
        "at": nav.find(class_="pagination-position").get_text(strip=True)
    }


def test_a_long_caseload_comes_a_hundred_at_a_time(web, many):
    from altar.db.caseload import PER_PAGE

    pat = web("pat")
    first = pat.get("/cases")
    assert refs(first) == many[:PER_PAGE]
    assert "230 cases: 1 to 100 shown" in text(first)
    assert pagination(first) == {"Next page": "/cases?page=2", "at": "Page 1 of 3"}
    third = pat.get("/cases?page=3")
    assert refs(third) == many[2 * PER_PAGE :]
    assert pagination(third) == {"Previous page": "/cases?page=2", "at": "Page 3 of 3"}
    assert refs(pat.get("/cases?page=99")) == refs(third)  # past the end: the last page
    assert refs(pat.get("/cases?page=-1")) == refs(pat.get("/cases?page=abc")) == refs(first)


def test_pages_keep_the_filters_and_the_search_finds_references(web, many):
    pat = web("pat")
    custody = pat.get("/cases?stratum=custody")
    assert refs(custody) == [r for r in many if int(r[-3:]) % 10 == 0] and pagination(custody) == {}
    found = pat.get("/cases?q=dud-01")
    assert refs(found) == [f"DUD-{n:03d}" for n in range(10, 20)]
    assert "10 cases match these filters" in text(found)
    assert soup(found).find("input", attrs={"name": "q"})["value"] == "dud-01"
    assert soup(found).find("a", string="Clear filters")["href"] == "/cases"
    second = web("lena").get("/cases?q=-&status=complete&page=2")  # 234 of the 235 are complete
    assert pagination(second) == {
        "Previous page": "/cases?page=1&status=complete&q=-",
        "at": "Page 2 of 3",
        "Next page": "/cases?page=3&status=complete&q=-",
    }
    assert refs(pat.get("/cases?q=WAL")) == []  # the search never widens a practitioner's scope
    assert refs(pat.get("/cases?q=%25")) == refs(pat.get("/cases?q=D_D")) == []  # no LIKE wildcards
    assert refs(pat.get("/cases?status=in_progress")) == ["DUD-150"]
    assert "229 cases match" in text(pat.get("/cases?status=complete"))
    assert "<script>" not in pat.get("/cases?q=%3Cscript%3E").get_data(as_text=True)


# --- correcting a case's details ---------------------------------------------------------------


def details_fields(client, ref: str = "DUD-1") -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The details form as a browser would send it, untouched."""
    form = soup(client.get(f"/cases/{ref}/details")).find(
        "form", attrs={"action": f"/cases/{ref}/details"}
    )
    fields = {}
    for field in form.find_all(["input", "select"]):
        name = field.get("name")
        if field.name == "select":
            fields[name] = field.find("option", selected=True)["value"]
        elif field.get("type") not in ("radio", "checkbox") or field.has_attr("checked"):
            fields[name] = field.get("value", "")
    fields.pop("csrf_token")
    return fields


def test_the_case_page_leads_to_its_details_form_filled_in(web, cases):
    pat = web("pat")
    link = soup(pat.get("/cases/DUD-1")).find("a", string="Change the case's details")["href"]
    assert link == "/cases/DUD-1/details"
    assert details_fields(pat) == {
        "stratum": "custody",
        "cohort": "main",
        "sex": "unknown",
        "ethnicity": "unknown",
        "age": "",
    }
    assert "Dudley" in text(pat.get(link))  # a practitioner's authority is shown, not asked
    assert set(details_fields(web("lena"))) >= {"authority"}


def test_correcting_the_details_keeps_the_screening_and_logs_each_change(
    web, cases, query, stored_answers, altar
):
    result = altar(
        "--user", "pat", "screening", "enter", "DUD-1", "--from", _form_file(altar, "DUD-1")
    )
    assert result.exit_code == 0, result.output
    before = stored_answers()["DUD-1"]
    pat = web("pat")
    response = pat.post(
        "/cases/DUD-1/details", {**details_fields(pat), "stratum": "community", "age": "16"}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/cases/DUD-1"
    assert "Case DUD-1 changed." in text(pat.get("/cases/DUD-1"))
    assert stored(query, "DUD-1") == [
        ("DUD-1", "dudley", "community", "main", "unknown", "unknown", 16)
    ]
    assert stored_answers()["DUD-1"] == before
    log = query(
        "SELECT actor, command, field, old_value, new_value FROM change_log "
        "WHERE entity = 'case' AND action = 'update' ORDER BY id"
    )
    assert log == [
        ("pat", "altar serve cases.details", "stratum", "custody", "community"),
        ("pat", "altar serve cases.details", "age", None, "16"),
    ]
    again = pat.post("/cases/DUD-1/details", details_fields(pat))
    assert again.status_code == 302 and "Nothing had changed" in text(pat.get("/cases/DUD-1"))


def _form_file(altar, ref: str) -> str:  # type: ignore[no-untyped-def]
    """A screening form for ``ref`` with one answer filled in, as a file."""
    import tempfile

    text_ = altar("--user", "boss", "screening", "form", ref).stdout.replace(
        "bullying:", "bullying: yes", 1
    )
    handle = tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8")  # noqa: SIM115
    with handle:
        handle.write(text_)
    return handle.name


@pytest.mark.parametrize(
    "changes, expected",
    [
        (
            {"age": "40"},
            [("#age", "Age must be a whole number of years from 10 to 18, or unknown")],
        ),
        (
            {"stratum": "prison"},
            [("#stratum", "Stratum must be one of custody, community, out_of_court")],
        ),
        ({"stratum": ""}, [("#stratum", "Select the stratum")]),
    ],
)
def test_bad_details_are_refused_by_field_and_nothing_is_written(
    web, cases, query, changes, expected
):
    pat, before = web("pat"), stored(query, "DUD-1")
    response = pat.post("/cases/DUD-1/details", {**details_fields(pat), **changes})
    assert response.status_code == 400
    box = soup(response).find(class_="error-summary")
    found = [(a["href"], a.get_text(" ", strip=True)) for a in box.find_all("a")]
    assert [href for href, _ in found] == [href for href, _ in expected]
    assert all(message.startswith(prefix) for (_, message), (_, prefix) in zip(found, expected))
    assert stored(query, "DUD-1") == before
    if changes.get("age"):
        assert (
            soup(response).find("input", attrs={"name": "age"})["value"] == changes["age"]
        )  # as typed


def test_a_practitioner_cannot_move_a_case_to_another_authority_but_a_lead_can(web, cases, query):
    pat, before = web("pat"), stored(query, "DUD-1")
    response = pat.post("/cases/DUD-1/details", {**details_fields(pat), "authority": "walsall"})
    assert response.status_code == 403 and stored(query, "DUD-1") == before
    lena = web("lena")
    assert (
        lena.post(
            "/cases/DUD-1/details", {**details_fields(lena), "authority": "walsall"}
        ).status_code
        == 302
    )
    assert stored(query, "DUD-1")[0][1] == "walsall"
    assert pat.get("/cases/DUD-1").status_code == 404  # out of pat's caseload now
