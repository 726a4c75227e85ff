"""`altar themes` through the real CLI on SQLite and PostgreSQL: the codebook,
tags on passages of the latest story version, counts by stratum, extracts
and their CSV export.

Story versions are written straight through the models (the stories'
own commands are built elsewhere); everything else goes through the CLI.
"""

from __future__ import annotations

import json
import stat

import pytest

from altar.db import connect
from altar.db.models import Case, StorySection, StoryVersion

REF = "DUD-017"
EDUCATION = """He was excluded from primary school at nine.
No referral was made to the
educational psychologist.
Later, at secondary school, he was excluded again and no referral was made."""
FAMILY = "=SUM(A1) was what his mother wrote on the form.\nHe lived with his grandmother."


@pytest.fixture
def write_story(db):  # type: ignore[no-untyped-def]
    """write_story(case_ref, {section: text}): store the next version of the case's story."""

    def write(case_ref: str, sections: dict[str, str]) -> int:
        database = connect(str(db))
        try:
            with database.transaction() as session:
                case = session.query(Case).filter_by(case_ref=case_ref).one()
                version = session.query(StoryVersion).filter_by(case_id=case.id).count() + 1
                session.add(
                    StoryVersion(
                        case_id=case.id,
                        version=version,
                        template_name="case-story",
                        template_version=1,
                        written_by="tester",
                        sections=[
                            StorySection(section_code=code, position=i, text=text)
                            for i, (code, text) in enumerate(sections.items())
                        ],
                    )
                )
        finally:
            database.engine.dispose()
        return version

    return write


@pytest.fixture
def coded(altar, write_story):  # type: ignore[no-untyped-def]
    """Three children (two in custody, one out of court), two with stories, and two themes."""
    for ref, authority, stratum in (
        (REF, "dudley", "custody"),
        ("DUD-018", "dudley", "custody"),
        ("COV-001", "coventry", "out_of_court"),
    ):
        assert (
            altar("case", "add", ref, "--authority", authority, "--stratum", stratum).exit_code == 0
        )
    write_story(REF, {"family": FAMILY, "education": EDUCATION})
    write_story("COV-001", {"education": "She was excluded in year 7; no referral was made."})
    for code, label in (
        ("missed_opportunity", "Missed opportunity"),
        ("exclusion", "School exclusion"),
    ):
        result = altar("themes", "add", code, "--label", label)
        assert result.exit_code == 0, result.output
    return altar


def tags(query) -> list[tuple]:  # type: ignore[no-untyped-def]
    return query(
        "SELECT t.id, c.case_ref, v.version, t.section_code, t.theme_code, t.start_offset, t.end_offset, "
        "t.extract FROM story_tag t JOIN cases c ON c.id = t.case_id "
        "JOIN story_version v ON v.id = t.story_version_id ORDER BY t.id"
    )


def changes(query, entity: str) -> list[tuple]:  # type: ignore[no-untyped-def]
    return query(
        "SELECT action, case_ref, field, old_value, new_value FROM change_log WHERE entity = ? ORDER BY id",
        (entity,),
    )


def tag(
    altar,
    quote: str,
    *more: object,
    ref: str = REF,
    theme: str = "missed_opportunity",
    section: str = "education",
    user: tuple[str, ...] = (),
):  # type: ignore[no-untyped-def]
    return altar(*user, "themes", "tag", ref, theme, "--section", section, "--quote", quote, *more)


# --- the codebook --------------------------------------------------------------------------------------------------


def test_add_and_list_themes(coded, query):
    result = coded("themes", "list", "--format", "json")
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)
    assert [(t["code"], t["label"], t["children"], t["extracts"]) for t in listed] == [
        ("exclusion", "School exclusion", 0, 0),
        ("missed_opportunity", "Missed opportunity", 0, 0),
    ]
    assert changes(query, "theme") == [
        ("insert", None, "missed_opportunity", None, "Missed opportunity"),
        ("insert", None, "exclusion", None, "School exclusion"),
    ]


@pytest.mark.parametrize(
    "code, label, fragment",
    [
        ("Missed Opportunity", "x", "lower-case"),
        ("missed_opportunity", "Again", "already a theme"),
        ("ok_code", "x" * 121, "label"),
    ],
)
def test_bad_themes_are_refused(coded, query, assert_user_error, code, label, fragment):
    assert_user_error(coded("themes", "add", code, "--label", label), fragment, exit_code=1)
    assert len(query("SELECT code FROM theme")) == 2


# --- tagging -------------------------------------------------------------------------------------------------------


def test_tag_stores_offsets_and_the_extract_as_written(coded, query):
    result = tag(coded, "No referral was made to the educational psychologist")
    assert result.exit_code == 0, result.output
    ((tag_id, ref, version, section, theme, start, end, extract),) = tags(query)
    assert (ref, version, section, theme) == (REF, 1, "education", "missed_opportunity")
    assert (
        EDUCATION[start:end] == extract == "No referral was made to the\neducational psychologist"
    )
    assert "line 2" in result.stderr
    (entry,) = changes(query, "story_tag")
    assert entry[:3] == ("insert", REF, "missed_opportunity") and f"tag {tag_id}" in entry[4]


def test_passage_found_twice_needs_an_occurrence(coded, query, assert_user_error):
    result = tag(coded, "no referral was made")  # letter case counts: only the second sentence's
    assert result.exit_code == 0, result.output
    assert_user_error(
        tag(coded, "referral was made"), "occurs 2 times", "--occurrence", "line 2", "line 4"
    )
    assert len(tags(query)) == 1
    result = tag(coded, "referral was made", "--occurrence", 2, theme="exclusion")
    assert result.exit_code == 0, result.output
    start = EDUCATION.index("referral was made", EDUCATION.index("Later"))
    assert tags(query)[1][5:] == (start, start + len("referral was made"), "referral was made")
    assert_user_error(tag(coded, "referral was made", "--occurrence", 3), "occurs 2 time(s)")


@pytest.mark.parametrize(
    "ref, theme, section, quote, fragment, code",
    [
        (REF, "exclusion", "education", "not in this story", "not in section 'education'", 1),
        (REF, "exclusion", "education", "  ", "--quote is empty", 1),
        (REF, "exclusion", "health", "excluded", "no section 'health' in version 1", 3),
        (REF, "resilience", "education", "excluded", "no theme 'resilience'", 3),
        ("DUD-018", "exclusion", "education", "excluded", "has no case story yet", 3),
        ("NOPE-1", "exclusion", "education", "excluded", "no case 'NOPE-1'", 3),
    ],
)
def test_tag_refuses_what_it_cannot_find(
    coded, query, assert_user_error, ref, theme, section, quote, fragment, code
):
    assert_user_error(
        tag(coded, quote, ref=ref, theme=theme, section=section), fragment, exit_code=code
    )
    assert tags(query) == [] and changes(query, "story_tag") == []


def test_the_same_tag_twice_is_refused(coded, query, assert_user_error):
    assert tag(coded, "excluded from primary school").exit_code == 0
    assert_user_error(tag(coded, "excluded from primary school"), "already tagged", "tag 1")
    assert len(tags(query)) == 1


def test_tags_go_on_the_latest_version_and_older_ones_stay_valid(coded, query, write_story):
    assert tag(coded, "excluded from primary school at nine", theme="exclusion").exit_code == 0
    assert tag(coded, "No referral was made").exit_code == 0
    # Version 2 keeps the first passage and rewrites the second.
    write_story(
        REF,
        {
            "family": FAMILY,
            "education": EDUCATION.replace("No referral was made", "Nobody referred him"),
        },
    )
    assert tag(coded, "Nobody referred him").exit_code == 0
    assert [t[2] for t in tags(query)] == [1, 1, 2]
    result = coded("themes", "extracts", "--format", "json")
    assert result.exit_code == 0, result.output
    notes = {e["extract"]: e["note"] for e in json.loads(result.stdout)}
    assert notes == {
        "excluded from primary school at nine": "tagged on version 1; the passage is unchanged in version 2",
        "No referral was made": "tagged on version 1; the passage has been revised since",
        "Nobody referred him": "",
    }


def test_untag_removes_the_tag_and_logs_what_it_was(coded, query, assert_user_error):
    assert tag(coded, "excluded from primary school").exit_code == 0
    result = coded("themes", "untag", 1)
    assert result.exit_code == 0, result.output
    assert tags(query) == []
    assert changes(query, "story_tag")[-1] == (
        "delete",
        REF,
        "missed_opportunity",
        "tag 1: education: excluded from primary school",
        None,
    )
    assert_user_error(coded("themes", "untag", 1), "no tag 1", exit_code=3)


# --- counting, listing, exporting ----------------------------------------------------------------------------------


@pytest.fixture
def tagged(coded):  # type: ignore[no-untyped-def]
    for args in (
        ("excluded from primary school",),
        ("excluded again", "--occurrence", 1),
        ("No referral was made",),
        ("no referral was made",),
    ):
        theme = "exclusion" if "excluded" in args[0] else "missed_opportunity"
        assert tag(coded, *args, theme=theme).exit_code == 0
    assert tag(coded, "no referral was made", ref="COV-001").exit_code == 0
    assert tag(coded, "=SUM(A1)", theme="exclusion", section="family").exit_code == 0
    return coded


def test_summary_counts_children_and_passages_by_stratum(tagged):
    result = tagged("themes", "summary", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = {
        (r["theme"], r["stratum"]): (r["children"], r["stories"], r["extracts"])
        for r in json.loads(result.stdout)
    }
    # Two children have stories: DUD-017 in custody, COV-001 out of court.
    assert rows == {
        ("exclusion", "all"): (1, 2, 3),
        ("exclusion", "custody"): (1, 1, 3),
        ("exclusion", "out_of_court"): (0, 1, 0),
        ("missed_opportunity", "all"): (2, 2, 3),
        ("missed_opportunity", "custody"): (1, 1, 2),
        ("missed_opportunity", "out_of_court"): (1, 1, 1),
    }
    bare = tagged("themes")
    assert bare.exit_code == 0, bare.output
    assert bare.stdout.splitlines()[0].split() == [
        "theme",
        "label",
        "stratum",
        "children",
        "stories",
        "extracts",
    ]
    assert "OFFICIAL-SENSITIVE" in bare.stderr


def test_summary_by_authority(tagged, read_csv):
    result = tagged("themes", "summary", "--by", "authority", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = read_csv(result.stdout)
    assert rows[0] == ["theme", "label", "authority", "children", "stories", "extracts"]
    assert [r[2:] for r in rows[1:] if r[0] == "missed_opportunity"] == [
        ["all", "2", "2", "3"],
        ["coventry", "1", "1", "1"],
        ["dudley", "1", "1", "2"],
    ]


def test_extracts_of_one_theme(tagged, assert_user_error):
    result = tagged("themes", "extracts", "missed_opportunity")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == [
        "tag_id",
        "theme",
        "theme_label",
        "case_ref",
        "authority",
        "stratum",
        "section",
        "version",
        "note",
        "extract",
    ]
    assert len(lines) == 2 + 3
    listed = json.loads(tagged("themes", "extracts", "missed_opportunity", "--json").stdout)
    assert [(e["case_ref"], e["stratum"], e["extract"]) for e in listed] == [
        ("COV-001", "out_of_court", "no referral was made"),
        (REF, "custody", "No referral was made"),
        (REF, "custody", "no referral was made"),
    ]
    assert_user_error(tagged("themes", "extracts", "nope"), "no theme 'nope'", exit_code=3)


def test_export_writes_a_private_formula_safe_csv(tagged, tmp_path, read_csv):
    path = tmp_path / "extracts.csv"
    path.write_text("old", encoding="utf-8")
    path.chmod(0o644)
    result = tagged("themes", "export", path)
    assert result.exit_code == 0, result.output
    assert "Wrote 6 extract(s)" in result.stderr
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    rows = read_csv(path.read_text(encoding="utf-8"))
    assert rows[0] == [
        "tag_id",
        "theme",
        "theme_label",
        "case_ref",
        "authority",
        "stratum",
        "section",
        "version",
        "note",
        "extract",
    ]
    assert len(rows) == 7
    formula = next(r for r in rows[1:] if r[6] == "family")
    assert formula[9] == "'=SUM(A1)" and formula[3] == REF
    wrapped = next(r for r in rows[1:] if r[9].startswith("No referral"))
    assert wrapped[9] == "No referral was made"


# --- who may code which stories ------------------------------------------------------------------------------------

PAT, LENA = (
    ("--user", "pat"),
    ("--user", "lena"),
)  # a practitioner of Dudley and a lead (conftest add_users)


def test_a_practitioner_tags_their_own_authoritys_stories_only(
    coded, add_users, query, assert_user_error
):
    add_users()
    mine = tag(coded, "No referral was made", user=PAT)
    assert mine.exit_code == 0, mine.output
    assert query("SELECT tagged_by FROM story_tag") == [("pat",)]
    assert_user_error(
        tag(coded, "no referral was made", user=PAT, ref="COV-001"),
        "no case 'COV-001'",
        exit_code=3,
    )
    assert tag(coded, "no referral was made", user=LENA, ref="COV-001").exit_code == 0
    before = tags(query)
    assert_user_error(coded(*PAT, "themes", "untag", "2"), "no tag 2", exit_code=3)
    assert tags(query) == before and len(changes(query, "story_tag")) == 2
    # Each sees the use of a theme on the cases they may see.
    for user, children in ((PAT, 1), (LENA, 2)):
        listed = {
            t["code"]: t["children"]
            for t in json.loads(coded(*user, "themes", "list", "--json").stdout)
        }
        assert listed == {"exclusion": 0, "missed_opportunity": children}, user
    assert coded(*PAT, "themes", "untag", "1").exit_code == 0


def test_the_codebook_and_region_wide_outputs_are_a_leads(
    coded, add_users, tmp_path, query, assert_user_error
):
    add_users()
    path = tmp_path / "extracts.csv"
    for args in (
        ("add", "neglect", "--label", "Neglect"),
        ("summary",),
        (),
        ("extracts",),
        ("export", path),
    ):
        assert_user_error(coded(*PAT, "themes", *args), "only a lead or an admin", exit_code=9)
    assert not path.exists()
    assert query("SELECT count(*) FROM theme") == [(2,)]
    for args in (
        ("add", "neglect", "--label", "Neglect"),
        ("summary",),
        ("extracts",),
        ("export", path),
    ):
        result = coded(*LENA, "themes", *args)
        assert result.exit_code == 0, (args, result.output)
    assert query("SELECT created_by FROM theme WHERE code = 'neglect'") == [("lena",)]


def test_a_deleted_case_leaves_the_summary_and_extracts(tagged):
    assert tagged("case", "delete", "COV-001").exit_code == 0
    summary = json.loads(tagged("themes", "summary", "--format", "json").stdout)
    assert {r["stratum"] for r in summary} == {"all", "custody"}
    assert ("missed_opportunity", 1, 1, 2) in {
        (r["theme"], r["children"], r["stories"], r["extracts"])
        for r in summary
        if r["stratum"] == "all"
    }
    listed = json.loads(tagged("themes", "extracts", "--json").stdout)
    assert "COV-001" not in {e["case_ref"] for e in listed} and len(listed) == 5
