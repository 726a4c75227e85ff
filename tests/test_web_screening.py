"""The screening form on the web (/cases/<ref>/screening): generated from the
case's own codebook version, drafts and "Mark complete", bad values, the
optimistic lock, authority scope; and capture.web_form, the library under it."""

from __future__ import annotations

import json
import shutil

import pytest
import yaml
from bs4 import BeautifulSoup
from werkzeug.datastructures import MultiDict

from altar.resources import codebooks_dir

REF, WALSALL_REF = "DUD-7/a", "WAL-1"  # a reference may contain "/"
URL = f"/cases/{REF}/screening"
CODEBOOK_V1 = codebooks_dir() / "altar-screening_v1.yaml"


@pytest.fixture(scope="module")
def codebook_yaml() -> dict:
    """The shipped codebook file, read without altar's loader."""
    return yaml.safe_load(CODEBOOK_V1.read_text(encoding="utf-8"))


@pytest.fixture
def cases(altar):  # type: ignore[no-untyped-def]
    for ref, authority in ((REF, "dudley"), (WALSALL_REF, "walsall")):
        result = altar(
            "--user", "boss", "case", "add", ref, "--authority", authority, "--stratum", "community"
        )
        assert result.exit_code == 0, result.output


def soup(response) -> BeautifulSoup:  # type: ignore[no-untyped-def]
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def text(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(soup(response).get_text(" ", strip=True).split())


def submitted(page: BeautifulSoup) -> MultiDict:
    """What a browser would send for the page's form as it stands (without
    the CSRF token, which the client adds, and without a button)."""
    data = MultiDict()
    form = page.find("form", class_="screening-form")
    for field in form.find_all("input"):
        kind, name = field.get("type"), field.get("name")
        if name == "csrf_token" or (
            kind in ("radio", "checkbox") and not field.has_attr("checked")
        ):
            continue
        data.add(name, field.get("value", ""))
    return data


def post(client, fields: MultiDict, action: str = "draft", ref: str = REF):  # type: ignore[no-untyped-def]
    return client.post(f"/cases/{ref}/screening", [*fields.items(multi=True), ("action", action)])


def answer(fields: MultiDict, **answers: str) -> None:
    """Set fields as a person would (MultiDict.update would add a second value)."""
    for name, value in answers.items():
        fields[name] = value


def answered_all(page: BeautifulSoup, spec, **overrides: str) -> MultiDict:  # type: ignore[no-untyped-def]
    """The page's form with every item answered: binary 'no', counts 3, then ``overrides``."""
    data = submitted(page)
    answer(
        data,
        **({code: "3" if code in spec.count_items else "no" for code in spec.items} | overrides),
    )
    return data


def stored(query, ref: str = REF) -> dict[str, tuple]:  # type: ignore[no-untyped-def]
    rows = query(
        "SELECT a.item_code, a.value, a.count FROM answer a JOIN screening s ON s.id = a.screening_id "
        "JOIN cases c ON c.id = s.case_id WHERE c.case_ref = ?",
        (ref,),
    )
    return {code: (value, count) for code, value, count in rows}


def screening_row(query, ref: str = REF) -> tuple:  # type: ignore[no-untyped-def]
    return query(
        "SELECT s.status, s.revision, v.version FROM screening s JOIN cases c ON c.id = s.case_id "
        "JOIN instrument_version v ON v.id = s.instrument_version_id WHERE c.case_ref = ?",
        (ref,),
    )[0]


# --- the form as generated from the codebook ------------------------------------------


def test_the_form_has_a_section_per_group_and_every_item_with_label_and_help(
    web, cases, spec, codebook_yaml
):
    response = web("pat").get(URL)
    assert response.status_code == 200
    page = soup(response)
    assert page.h1.get_text(strip=True) == f"Screening for {REF}"
    sections = page.select("form.screening-form section")
    assert [s["id"] for s in sections] == [f"group-{g}" for g in spec.groups]
    for section, group in zip(sections, codebook_yaml["groups"]):
        assert section.h2.get_text(strip=True) == group["title"]
        fieldsets = section.find_all("fieldset")
        assert len(fieldsets) == len(group["items"])
        for fieldset, item in zip(fieldsets, group["items"]):
            assert fieldset.legend.get_text(strip=True) == " ".join(item["label"].split())
            hint = fieldset.find(class_="hint")
            assert hint.get_text(strip=True) == " ".join(item["help"].split())
            assert hint["id"] in fieldset["aria-describedby"].split()
            if item["type"] == "binary":
                radios = fieldset.find_all("input", type="radio")
                assert [(r["name"], r["value"]) for r in radios] == [
                    (item["code"], v) for v in ("yes", "suspected", "no", "unknown")
                ]
                assert all(fieldset.find("label", attrs={"for": r["id"]}) for r in radios)
            else:
                number = fieldset.find("input", attrs={"name": item["code"]})
                assert number["id"] == item["code"] and number["inputmode"] == "numeric"
                unknown = fieldset.find("input", type="checkbox")
                assert unknown["name"] == f"{item['code']}-unknown"
                assert "Unknown" in fieldset.find("label", attrs={"for": unknown["id"]}).get_text()


def test_the_intro_says_unknown_is_an_answer_and_the_page_counts_and_tags(web, cases, spec):
    response = web("pat").get(URL)
    words = text(response)
    assert "Unknown is an answer" in words and "not yet answered" in words
    assert f"0 of {len(spec.items)} items answered, 0 unknown" in words
    assert soup(response).find(class_="tag").get_text(strip=True) == "Not started"
    assert "altar-screening".replace("-", " ") not in words  # the title, not the file name
    assert "ALTAR case screening, version 1" in words


# --- refusals ------------------------------------------------------------------------------


def test_signed_out_get_and_post_go_to_sign_in(web, cases, query):
    client = web()
    for response in (
        client.get(URL),
        client.post(URL, {"ace_sexual_abuse": "yes", "revision": "1"}),
    ):
        assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")
    assert stored(query) == {}


def test_a_post_without_the_csrf_token_is_refused_and_writes_nothing(web, cases, query):
    client = web("pat")
    fields = submitted(soup(client.get(URL)))
    fields["ace_sexual_abuse"] = "yes"
    response = client.post(URL, [*fields.items(multi=True), ("action", "draft")], csrf=False)
    assert response.status_code == 400 and "The form had expired" in text(response)
    assert stored(query) == {}


def test_another_authoritys_case_is_not_found_for_get_and_crafted_post(web, cases, query):
    walt = web("walt")
    fields = submitted(
        soup(walt.get(f"/cases/{WALSALL_REF}/screening"))
    )  # walt's own case: a real form
    fields["ace_sexual_abuse"] = "yes"
    pat = web("pat")
    for response in (
        pat.get(f"/cases/{WALSALL_REF}/screening"),
        post(pat, fields, ref=WALSALL_REF),
        post(pat, fields, "complete", ref=WALSALL_REF),
    ):
        assert response.status_code == 404
        assert soup(response).find("form", class_="screening-form") is None
        assert "Screening for" not in text(response)
    assert stored(query, WALSALL_REF) == {}
    assert screening_row(query, WALSALL_REF)[1] == 1
    assert (
        post(web("lena"), fields, ref=WALSALL_REF).status_code == 302
    )  # the lead sees every authority


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "exclusions_fixed_term_count",
            "-1",
            "Number of suspensions (fixed-term exclusions): give a whole number of 0 or more",
        ),
        (
            "secondary_schools_count",
            "abc",
            "Secondary schools attended: give a whole number of 0 or more, or tick “Unknown”",
        ),
        ("secondary_schools_count", "31", "31 is more than 30"),
        (
            "bullying",
            "maybe",
            "Bullied: “maybe” is not an answer: choose yes, suspected, no or unknown",
        ),
        ("bullying", "y", "choose yes, suspected, no or unknown"),
        (
            "made_up_item",
            "yes",
            "“made_up_item” is not a field of this screening (ALTAR case screening, version 1)",
        ),
        ("bullying-unknown", "yes", "“bullying-unknown” is not a field of this screening"),
        ("opened-made_up", "yes", "“opened-made_up” is not a field"),
        ("action", "delete", "“delete” is not something this form can do"),
        ("revision", "", "does not say which revision"),
        ("secondary_schools_count-unknown", "no", "“Unknown” is either ticked or not"),
    ],
)
def test_bad_values_are_refused_with_a_message_and_nothing_written(
    web, cases, query, field, value, message
):
    client = web("pat")
    fields = submitted(soup(client.get(URL)))
    fields["ace_physical_abuse"] = "suspected"  # a good answer alongside: not saved either
    fields["exclusions_fixed_term_count"] = "4"
    fields[field] = value
    action = fields.pop("action", "draft")
    response = post(client, fields, action)
    assert response.status_code == 400
    summary = soup(response).find(class_="error-summary")
    assert message in summary.get_text(" ", strip=True)
    assert stored(query) == {} and screening_row(query)[1] == 1
    page = soup(response)
    assert page.find("input", attrs={"name": "ace_physical_abuse", "value": "suspected"}).has_attr(
        "checked"
    )
    if field != "exclusions_fixed_term_count":
        assert page.find("input", attrs={"name": "exclusions_fixed_term_count"})["value"] == "4"


def test_a_number_and_unknown_together_and_a_field_sent_twice_are_refused(web, cases, query):
    client = web("pat")
    fields = submitted(soup(client.get(URL)))
    fields["secondary_schools_count"] = "2"
    fields["secondary_schools_count-unknown"] = "yes"
    fields.setlist("bullying", ["yes", "no"])
    response = post(client, fields)
    assert response.status_code == 400
    links = {a["href"]: a.get_text(strip=True) for a in soup(response).select(".error-summary a")}
    assert links == {
        "#secondary_schools_count": "Secondary schools attended: give the number or tick “Unknown”, not both",
        "#bullying": "Bullied: sent 2 times; give one answer",
    }
    assert stored(query) == {}


# --- saving ----------------------------------------------------------------------------


def test_save_as_draft_stores_what_is_answered_and_the_change_log_names_the_user(
    web, cases, query, altar, spec
):
    client = web("pat")
    fields = submitted(soup(client.get(URL)))
    answer(
        fields,
        ace_sexual_abuse="yes",
        bullying="unknown",
        exclusions_fixed_term_count=" 12 ",
        **{"secondary_schools_count-unknown": "yes"},
    )
    response = post(client, fields)
    assert response.status_code == 302 and response.headers["Location"] == URL
    assert stored(query) == {
        "ace_sexual_abuse": ("yes", None),
        "bullying": ("unknown", None),
        "secondary_schools_count": (None, None),
        "exclusions_fixed_term_count": (None, 12),
    }
    assert screening_row(query) == ("in_progress", 2, 1)
    page = client.get(URL)
    assert "Draft saved." in text(page)
    assert f"4 of {len(spec.items)} items answered, 2 unknown" in text(page)
    again = soup(page)
    assert again.find("input", attrs={"name": "bullying", "value": "unknown"}).has_attr("checked")
    assert again.find("input", attrs={"name": "secondary_schools_count-unknown"}).has_attr(
        "checked"
    )
    assert again.find("input", attrs={"name": "exclusions_fixed_term_count"})["value"] == "12"
    assert again.find("input", attrs={"name": "revision"})["value"] == "2"
    log = json.loads(altar("--user", "boss", "audit", "--case", REF, "--format", "json").stdout)
    answers = {e["field"]: e for e in log if e["entity"] == "answer"}
    assert set(answers) == {
        "ace_sexual_abuse",
        "bullying",
        "secondary_schools_count",
        "exclusions_fixed_term_count",
    }
    assert {(e["actor"], e["command"]) for e in answers.values()} == {
        ("pat", "altar serve screening.form")
    }
    assert (
        answers["secondary_schools_count"]["new"] == "unknown"
        and answers["ace_sexual_abuse"]["old"] is None
    )


def test_a_cleared_number_goes_back_to_not_answered(web, cases, query):
    client = web("pat")
    fields = submitted(soup(client.get(URL)))
    fields["exclusions_fixed_term_count"] = "5"
    assert post(client, fields).status_code == 302
    fields = submitted(soup(client.get(URL)))
    fields["exclusions_fixed_term_count"] = ""
    assert post(client, fields).status_code == 302
    assert stored(query) == {}
    assert screening_row(query)[1] == 3


def test_mark_complete_with_items_missing_lists_each_and_writes_nothing(web, cases, query, spec):
    client = web("pat")
    page = soup(client.get(URL))
    fields = answered_all(page, spec, bullying="unknown")
    missing = ["ace_emotional_neglect", "secondary_schools_count"]
    for code in missing:
        del fields[code]
    response = post(client, fields, "complete")
    assert response.status_code == 400
    shown = soup(response)
    assert shown.title.get_text().startswith("Error: ")
    links = [(a["href"], a.get_text(strip=True)) for a in shown.select(".error-summary a")]
    assert links == [
        ("#ace_emotional_neglect", "Emotional neglect: choose yes, suspected, no or unknown"),
        (
            "#secondary_schools_count",
            "Secondary schools attended: give the number, or tick “Unknown”",
        ),
    ]
    for code in missing:
        target = shown.find(
            id=code
        )  # the link's target exists, inside a group that shows the message
        group = target.find_parent(class_="form-group")
        assert "form-group-error" in group["class"]
        assert group.find(class_="error-message")["id"] == f"{code}-error"
    assert shown.find("input", attrs={"name": "bullying", "value": "unknown"}).has_attr("checked")
    assert shown.find("input", attrs={"name": "exclusions_fixed_term_count"})["value"] == "3"
    assert stored(query) == {} and screening_row(query) == ("in_progress", 1, 1)


def test_mark_complete_then_export_shows_the_answers_with_unknowns(
    web, cases, query, spec, altar, read_csv
):
    client = web("pat")
    fields = answered_all(
        soup(client.get(URL)), spec, bullying="unknown", poverty="yes", self_harm="suspected"
    )
    del fields["secondary_schools_count"]
    fields["secondary_schools_count-unknown"] = "yes"
    response = post(client, fields, "complete")
    assert response.status_code == 302
    assert screening_row(query) == ("complete", 2, 1)
    page = client.get(URL)
    assert "Screening saved and complete." in text(page)
    assert soup(page).find(class_="tag").get_text(strip=True) == "Complete"
    assert f"{len(spec.items)} of {len(spec.items)} items answered, 2 unknown" in text(page)
    result = altar("--user", "boss", "export")
    assert result.exit_code == 0, result.output
    header, *rows = read_csv(result.stdout)
    row = dict(zip(header, next(r for r in rows if r[0] == REF)))
    assert (row["bullying"], row["poverty"], row["self_harm"], row["ace_sexual_abuse"]) == (
        "unknown",
        "yes",
        "suspected",
        "no",
    )
    assert (row["secondary_schools_count"], row["exclusions_fixed_term_count"]) == ("unknown", "3")
    assert "unanswered" not in row.values()


def test_saving_an_unchanged_form_writes_nothing(web, cases, query):
    client = web("pat")
    response = post(client, submitted(soup(client.get(URL))))
    assert response.status_code == 302
    assert "Nothing had changed" in text(client.get(URL))
    assert screening_row(query)[1] == 1


# --- two people at once: the optimistic lock ---------------------------------------------


def test_a_save_at_an_older_revision_is_a_conflict_that_keeps_the_users_answers(
    web, cases, query, altar
):
    pat, lena = web("pat"), web("lena")
    seed = submitted(soup(pat.get(URL)))
    answer(seed, bullying="no", poverty="no")
    assert post(pat, seed).status_code == 302
    mine = submitted(soup(pat.get(URL)))  # pat opens the form at revision 2
    theirs = submitted(soup(lena.get(URL)))  # so does lena
    answer(theirs, bullying="yes", exclusions_fixed_term_count="2")
    assert post(lena, theirs).status_code == 302
    answer(mine, bullying="suspected", self_harm="unknown")
    response = post(pat, mine)
    assert response.status_code == 409
    page = soup(response)
    conflict = page.find(class_="conflict")
    assert "Someone else saved this screening while you had it open" in conflict.get_text(
        " ", strip=True
    )
    rows = [
        [c.get_text(" ", strip=True) for c in tr.find_all(["th", "td"])]
        for tr in conflict.select("tbody tr")
    ]
    assert rows == [
        ["Bullied", "no", "yes"],
        ["Number of suspensions (fixed-term exclusions)", "not answered", "2"],
    ]
    assert stored(query)["bullying"] == ("yes", None) and "self_harm" not in stored(query)
    assert page.find("input", attrs={"name": "bullying", "value": "suspected"}).has_attr("checked")
    assert page.find("input", attrs={"name": "self_harm", "value": "unknown"}).has_attr("checked")
    assert page.find("input", attrs={"name": "revision"})["value"] == "3"
    again = submitted(page)
    assert (
        again["opened-bullying"] == "yes"
    )  # the next conflict is judged against what is saved now
    assert post(pat, again).status_code == 302  # saving again deliberately keeps pat's answers
    assert stored(query)["bullying"] == ("suspected", None)
    assert stored(query)["self_harm"] == ("unknown", None)
    assert "exclusions_fixed_term_count" not in stored(
        query
    )  # pat's form had it blank: pat's answers win
    log = json.loads(altar("--user", "boss", "audit", "--case", REF, "--format", "json").stdout)
    assert [(e["actor"], e["old"], e["new"]) for e in log if e["field"] == "bullying"] == [
        ("pat", None, "no"),
        ("lena", "no", "yes"),
        ("pat", "yes", "suspected"),
    ]


# --- the screening's date and screener ------------------------------------------------------


def details_row(query, ref: str = REF) -> tuple:  # type: ignore[no-untyped-def]
    row = query(
        "SELECT s.screened_on, s.screened_by FROM screening s JOIN cases c ON c.id = s.case_id "
        "WHERE c.case_ref = ?",
        (ref,),
    )[0]
    return str(row[0])[:10], row[1]


def test_the_form_shows_the_screening_date_and_screener_and_names_the_authority(web, cases, query):
    page = soup(web("pat").get(URL))
    on, by = details_row(query)
    assert page.find("input", attrs={"name": "screened_on"})["value"] == on
    assert (
        page.find("input", attrs={"name": "screened_by"})["value"] == by == "boss"
    )  # added by boss on the CLI
    assert page.find("label", attrs={"for": "screened_on"}).get_text(strip=True) == "Screening date"
    summary = {
        div.dt.get_text(strip=True): div.dd.get_text(strip=True)
        for div in page.select("dl.summary-list div")
    }
    assert summary["Authority"] == "Dudley" and summary["Stratum"] == "Community sentence"


def test_changing_the_date_and_screener_saves_and_logs_them(web, cases, query, altar):
    client = web("pat")
    fields = submitted(soup(client.get(URL)))
    answer(fields, screened_on="2021-02-03", screened_by="pat", bullying="no")
    assert post(client, fields).status_code == 302
    assert details_row(query) == ("2021-02-03", "pat")
    log = json.loads(altar("--user", "boss", "audit", "--case", REF, "--format", "json").stdout)
    changed = {e["field"]: (e["actor"], e["new"]) for e in log if e["entity"] == "screening"}
    assert changed["screened_on"] == ("pat", "2021-02-03") and changed["screened_by"] == (
        "pat",
        "pat",
    )
    shown = altar("--user", "boss", "case", "show", REF).stdout
    assert "screened on 2021-02-03 by pat" in shown


@pytest.mark.parametrize(
    "field, value, message",
    [
        (
            "screened_on",
            "",
            "Screening date: enter the date the case files were screened, as YYYY-MM-DD",
        ),
        ("screened_on", "3/2/2021", "Screening date: give the date as YYYY-MM-DD"),
        ("screened_on", "2999-01-01", "Screening date: the screening date is in the future"),
        ("screened_by", "Pat Smith", "Screened by: a practitioner is named by a short user name"),
    ],
)
def test_a_bad_date_or_screener_is_refused_on_its_field_and_nothing_written(
    web, cases, query, field, value, message
):
    client, before = web("pat"), details_row(query)
    fields = submitted(soup(client.get(URL)))
    answer(fields, bullying="yes", **{field: value})
    response = post(client, fields)
    assert response.status_code == 400
    [(href, text_)] = [
        (a["href"], a.get_text(" ", strip=True)) for a in soup(response).select(".error-summary a")
    ]
    assert href == f"#{field}" and text_.startswith(message)
    assert soup(response).find("input", attrs={"name": field})["value"] == value  # as typed
    assert details_row(query) == before and stored(query) == {}


def test_a_post_without_the_date_and_screener_leaves_them_as_stored(web, cases, query):
    client, before = web("pat"), details_row(query)
    fields = submitted(soup(client.get(URL)))
    for name in ("screened_on", "screened_by", "opened-screened_on", "opened-screened_by"):
        fields.pop(name)
    answer(fields, bullying="yes")
    assert post(client, fields).status_code == 302
    assert details_row(query) == before and stored(query) == {"bullying": ("yes", None)}


def test_a_date_changed_meanwhile_is_listed_in_the_conflict(web, cases, query, altar, tmp_path):
    pat, lena = web("pat"), web("lena")
    mine, theirs = submitted(soup(pat.get(URL))), submitted(soup(lena.get(URL)))
    answer(theirs, screened_on="2020-05-06")
    assert post(lena, theirs).status_code == 302
    answer(mine, bullying="no")
    response = post(pat, mine)
    assert response.status_code == 409
    rows = [
        [c.get_text(" ", strip=True) for c in tr.find_all(["th", "td"])]
        for tr in soup(response).select(".conflict tbody tr")
    ]
    assert rows == [["Screening date", mine["screened_on"], "2020-05-06"]]
    link = soup(response).select_one(".conflict tbody a")["href"]
    assert link == "#screened_on" and soup(response).find(id="screened_on") is not None
    assert details_row(query)[0] == "2020-05-06" and stored(query) == {}


# --- a case captured under an older codebook version -------------------------------------


@pytest.fixture
def two_versions(tmp_path, monkeypatch, db):  # type: ignore[no-untyped-def]
    """A second codebook version beside the shipped one, for this test only:
    v2 drops 'bullying' and adds 'online_harm'. v1 stays byte for byte, so
    the database's recorded digest still matches."""
    import altar.instrument
    from altar.db import connect
    from altar.db.reference import register_codebook

    folder = tmp_path / "codebooks"
    folder.mkdir()
    shutil.copy(CODEBOOK_V1, folder)
    raw = yaml.safe_load(CODEBOOK_V1.read_text(encoding="utf-8"))
    raw["version"] = 2
    group = next(g for g in raw["groups"] if g["code"] == "abuse_exploitation")
    group["items"] = [i for i in group["items"] if i["code"] != "bullying"]
    group["items"].append(
        {
            "code": "online_harm",
            "label": "Harmed online",
            "type": "binary",
            "help": "Groomed, exploited or threatened online.",
        }
    )
    assert "bullying" not in json.dumps(raw["scores"])  # no score uses it, so none needs changing
    (folder / "altar-screening_v2.yaml").write_text(
        yaml.safe_dump(raw, sort_keys=False), encoding="utf-8"
    )
    monkeypatch.setattr(altar.instrument, "codebooks_dir", lambda: folder)
    altar.instrument.all_codebooks.cache_clear()
    database = connect(str(db))
    with database.transaction() as session:
        register_codebook(session, altar.instrument.all_codebooks()[2])
    database.engine.dispose()
    yield
    monkeypatch.undo()
    altar.instrument.all_codebooks.cache_clear()


def test_a_case_captured_under_an_older_version_is_shown_and_saved_under_it(
    two_versions, web, altar, query, tmp_path, write_csv, valid_row, spec
):
    old = valid_row("OLD-1", instrument_version="1", bullying="suspected", poverty="unanswered")
    result = altar(
        "--user",
        "boss",
        "import",
        write_csv(
            tmp_path / "old.csv",
            [old],
            header=[*spec.case_columns, "instrument_version", *spec.items],
        ),
    )
    assert result.exit_code == 0, result.output
    assert (
        altar(
            "--user",
            "boss",
            "case",
            "add",
            "NEW-1",
            "--authority",
            "dudley",
            "--stratum",
            "custody",
        ).exit_code
        == 0
    )
    client = web("pat")
    old_page, new_page = (
        soup(client.get("/cases/OLD-1/screening")),
        soup(client.get("/cases/NEW-1/screening")),
    )
    assert "version 1" in old_page.get_text() and "version 2" in new_page.get_text()
    assert old_page.find(id="bullying") and not old_page.find(id="online_harm")
    assert new_page.find(id="online_harm") and not new_page.find(id="bullying")
    fields = submitted(old_page)
    fields["poverty"] = "yes"
    assert post(client, fields, "complete", ref="OLD-1").status_code == 302
    assert screening_row(query, "OLD-1") == ("complete", 2, 1)
    assert stored(query, "OLD-1")["bullying"] == ("suspected", None)
    fields = submitted(soup(client.get("/cases/OLD-1/screening")))
    fields["online_harm"] = "yes"  # an item of the other version: refused, nothing written
    response = post(client, fields, ref="OLD-1")
    assert response.status_code == 400
    assert (
        "“online_harm” is not a field of this screening (ALTAR case screening, version 1)"
        in text(response)
    )
    assert "online_harm" not in stored(query, "OLD-1") and screening_row(query, "OLD-1")[1] == 2


# --- the library: capture.web_form and db.cases.screening_state ---------------------------


def test_answers_from_form_reads_a_post_and_judges_each_value():
    from altar.capture.web_form import answers_from_form
    from altar.instrument import codebook

    book = codebook(1)
    posted = answers_from_form(
        {
            "csrf_token": ["x"],
            "revision": ["4"],
            "action": ["complete"],
            "bullying": ["no"],
            "poverty": [""],
            "secondary_schools_count": [""],
            "secondary_schools_count-unknown": ["yes"],
            "exclusions_fixed_term_count": ["7"],
            "opened-bullying": ["yes"],
            "opened-secondary_schools_count": ["unknown"],
        },
        book,
    )
    assert posted.problems == ()
    assert posted.answers == {
        "bullying": "no",
        "secondary_schools_count": None,
        "exclusions_fixed_term_count": 7,
    }
    assert posted.opened == {"bullying": "yes", "secondary_schools_count": None}
    assert (posted.revision, posted.complete) == (4, True)
    assert (
        posted.texts["secondary_schools_count-unknown"] == "yes" and posted.texts["poverty"] == ""
    )
    bad = answers_from_form(
        {
            "revision": ["x"],
            "self_harm": ["YES"],
            "send": ["1"],
            "nonsense\x00": ["1"],
            "opened-poverty": [""],
        },
        book,
    )
    assert [p.field for p in bad.problems] == [None, "send", "self_harm", None, None]
    assert bad.answers == {} and bad.revision is None
    assert "“nonsense\\x00” is not a field" in bad.problems[0].message


def test_answer_texts_are_the_inverse_of_answers_from_form():
    from altar.capture.web_form import answer_texts, answers_from_form, opened_fields
    from altar.instrument import codebook

    book = codebook(1)
    answers = {
        "bullying": "unknown",
        "poverty": "yes",
        "secondary_schools_count": None,
        "exclusions_fixed_term_count": 0,
    }
    fields = {
        name: [text]
        for name, text in {**answer_texts(book, answers), **opened_fields(book, answers)}.items()
    }
    posted = answers_from_form({**fields, "revision": ["1"]}, book)
    assert posted.problems == () and posted.answers == answers and posted.opened == answers


def test_missing_answers_names_every_unanswered_item_in_form_order(spec):
    from altar.capture.web_form import missing_answers
    from altar.instrument import codebook

    answered = dict.fromkeys(spec.binary_items, "no")
    assert [p.field for p in missing_answers(codebook(1), answered)] == spec.count_items
    assert missing_answers(codebook(1), {**answered, **dict.fromkeys(spec.count_items)}) == []


def test_screening_state_is_scoped_by_access(db, cases, web):
    from altar.db import connect
    from altar.db.cases import ScreeningState, screening_state
    from altar.db.scope import resolve_user
    from altar.errors import NotFoundError

    database = connect(str(db))
    try:
        with database.reader() as session:
            pat = resolve_user(session, "pat")
            assert screening_state(session, pat, REF) == ScreeningState("in_progress", 1)
            with pytest.raises(NotFoundError):
                screening_state(session, pat, WALSALL_REF)
    finally:
        database.engine.dispose()


@pytest.mark.parametrize("typed", ["²", "-1", "1.5", "", "unknown"])
def test_parse_number_takes_only_plain_digits_and_says_how_unknown_is_given(typed):
    from altar.capture.values import parse_count, parse_number
    from altar.instrument import codebook

    item = codebook(1).item("secondary_schools_count")
    with pytest.raises(ValueError, match=r"^give a whole number of 0 or more, or tick X$"):
        parse_number(typed, item, otherwise=", or tick X")
    if typed == "²":  # the file contract's parser gives its own message, not int()'s
        with pytest.raises(ValueError, match="or leave blank if unknown"):
            parse_count(typed, item)
