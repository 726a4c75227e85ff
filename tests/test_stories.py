"""Case stories: the template, the Markdown editor form (pure), and `altar
story edit|show|history|diff|import|terms` through the real CLI on both
backends."""

from __future__ import annotations

import hashlib
import json
import stat
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from altar.errors import CodebookError, ValidationError
from altar.stories.editor import normalise_text, parse_story, render_plain, render_story
from altar.stories.template import current_template, parse_template

REF, OTHER = "DUD-017", "WAL-003"
TEMPLATE = current_template()
CODES = TEMPLATE.codes

# What the issue asks the template to cover, one topic word per section, in order.
TOPICS = [
    "family",
    "abuse",
    "attachment",
    "education",
    "health",
    "exploitation",
    "professional",
    "strengths",
    "voice",
    "reflections",
]


def _title(code: str) -> str:
    return TEMPLATE.section(code).title


# --- the template -------------------------------------------------------------------------


def test_template_covers_the_issues_sections_with_prompts():
    titles = [s.title.lower() for s in TEMPLATE.sections]
    assert len(titles) == len(TOPICS)
    for topic, title in zip(TOPICS, titles):
        assert topic in title
    assert all(len(s.prompts) >= 3 for s in TEMPLATE.sections)
    reflections = " ".join(TEMPLATE.sections[-1].prompts).lower()
    assert "missed" in reflections and "differently" in reflections


def _raw(**section_overrides):  # type: ignore[no-untyped-def]
    section = {"code": "family", "title": "Family", "prompts": ["Who?"], **section_overrides}
    return {
        "name": "case-story",
        "title": "T",
        "version": 1,
        "released": "2026-01-01",
        "description": "D",
        "sections": [section],
    }


@pytest.mark.parametrize(
    "raw, fragment",
    [
        (_raw(title=""), "'title'"),
        (_raw(prompts=[]), "'prompts'"),
        (_raw(prompts=["  "]), "prompt 1"),
        (_raw(code="Family!"), "code"),
        ({**_raw(), "sections": _raw()["sections"] * 2}, "appears twice"),
    ],
)
def test_template_validation_names_the_problem(raw, fragment):
    with pytest.raises(CodebookError, match=fragment):
        parse_template(raw)


# --- the editor form (pure) -----------------------------------------------------------------

# Story text as a practitioner might type it: any characters but the comment
# opener, which the form reserves (comments are guidance and are stripped).
_STORY_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=200).filter(
    lambda t: "<!--" not in t
)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from(CODES), _STORY_TEXT))
def test_editor_form_round_trips(sections):
    form = render_story(TEMPLATE, sections, heading="test")
    assert parse_story(form, TEMPLATE, expected=CODES) == {
        c: normalise_text(sections.get(c, "")) for c in CODES
    }


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.sampled_from(CODES), _STORY_TEXT.filter(lambda t: "\n#" not in "\n" + t)))
def test_plain_markdown_round_trips(sections):
    text = render_plain(TEMPLATE, sections, title="Case story")
    assert parse_story(text, TEMPLATE) == {c: normalise_text(sections.get(c, "")) for c in CODES}


def test_one_section_form_holds_that_section_only():
    form = render_story(
        TEMPLATE, {"family": "F", "education": "E"}, heading="h", only=["education"]
    )
    assert "<!-- section: education -->" in form and "section: family" not in form
    assert parse_story(form, TEMPLATE, expected=["education"]) == {"education": "E"}


def test_prompts_and_comments_are_shown_but_never_read_back():
    form = render_story(TEMPLATE, {}, heading="h", only=["education"])
    assert TEMPLATE.section("education").prompts[0][:40] in form.replace("\n  ", " ")
    typed = (
        form
        + "Excluded in Year 8 <!-- check the date --> and moved.\n<!-- a note\nover lines -->\nThen college.\n"
    )
    assert parse_story(typed, TEMPLATE, expected=["education"]) == {
        "education": "Excluded in Year 8  and moved.\nThen college."
    }


def test_a_sub_heading_in_the_editor_form_stays_in_its_section():
    form = render_story(
        TEMPLATE, {"family": "## Early years\nWith Nan."}, heading="h", only=["family"]
    )
    assert parse_story(form, TEMPLATE, expected=["family"]) == {
        "family": "## Early years\nWith Nan."
    }


def _problems(text: str, **kwargs) -> list[str]:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as caught:
        parse_story(text, TEMPLATE, **kwargs)
    return caught.value.problems


def test_unknown_and_duplicated_markers_are_refused_naming_the_line():
    text = "<!-- section: family -->\n## F\na\n<!-- section: hobbies -->\nb\n<!-- section: family -->\nc\n"
    problems = _problems(text)
    assert problems[0].startswith("line 4: unknown section marker 'hobbies'")
    assert problems[1] == "line 6: section 'family' appears twice (first on line 1)"


def test_a_missing_marker_and_a_section_not_opened_are_refused():
    form = render_story(TEMPLATE, {}, heading="h", only=["family", "education"])
    problems = _problems(
        form.replace("<!-- section: education -->", ""), expected=["family", "education"]
    )
    assert problems == [
        "the marker <!-- section: education --> is missing: put it back above the section's heading"
    ]
    problems = _problems(form, expected=["family"])
    assert len(problems) == 1 and "section 'education' was not opened" in problems[0]


def test_unclosed_comment_unknown_heading_and_stray_text_name_their_lines():
    assert _problems("<!-- section: family -->\ntext <!-- oops\nmore\n")[-1].startswith(
        "line 2: a comment opened"
    )
    problems = _problems(f"# My title\nstray words\n## {_title('family')}\nok\n## Hobbies\nx\n")
    assert problems[0] == "line 2: text before the first section: 'stray words'"
    assert problems[1].startswith("line 5: unknown heading '## Hobbies'")


def test_plain_headings_match_titles_loosely():
    text = f"## {_title('education').upper()}:\nYear 7.\n\n##  {_title('family')}\nMum.\n"
    assert parse_story(text, TEMPLATE) == {"family": "Mum.", "education": "Year 7."}


# --- the CLI ------------------------------------------------------------------------------------


@pytest.fixture
def cases(altar):
    for ref, authority in ((REF, "dudley"), (OTHER, "walsall")):
        result = altar("case", "add", ref, "--authority", authority, "--stratum", "custody")
        assert result.exit_code == 0, result.output
    return REF


def _plain(**sections: str) -> str:
    return "".join(f"## {_title(code)}\n\n{text}\n\n" for code, text in sections.items())


def _write(tmp_path: Path, text: str, name: str = "story.md") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _edit(altar, tmp_path, ref=REF, *extra, **sections):  # type: ignore[no-untyped-def]
    return altar("story", "edit", ref, "--from-file", _write(tmp_path, _plain(**sections)), *extra)


def _stored(query, ref=REF, version=None):  # type: ignore[no-untyped-def]
    """{section: text} of a stored version (the latest by default), read without altar."""
    rows = query(
        "SELECT v.version, s.section_code, s.text FROM story_section s JOIN story_version v ON v.id = s.story_version_id "
        "JOIN cases c ON c.id = v.case_id WHERE c.case_ref = ? ORDER BY v.version, s.position",
        (ref,),
    )
    last = version or max((r[0] for r in rows), default=None)
    return {code: text for v, code, text in rows if v == last}


FAMILY = "Lived with Mum and two younger sisters; Dad left when he was 4."
EDUCATION = "Excluded from primary school in Year 5.\nA managed move in Year 8."


def test_edit_from_file_stores_version_one_with_every_section(cases, altar, tmp_path, query):
    result = _edit(altar, tmp_path, family=FAMILY, education=EDUCATION)
    assert result.exit_code == 0, result.output
    assert "Saved version 1" in result.stderr
    assert _stored(query) == {
        code: {"family": FAMILY, "education": EDUCATION}.get(code, "") for code in CODES
    }
    assert query(
        "SELECT version, template_name, template_version, override FROM story_version"
    ) == [(1, "case-story", 1, None)]
    logged = query(
        "SELECT action, entity, case_ref, field, old_value, new_value FROM change_log "
        "WHERE entity = 'story' ORDER BY field"
    )
    assert logged == [
        ("insert", "story", REF, "education", None, EDUCATION),
        ("insert", "story", REF, "family", None, FAMILY),
    ]


def test_show_prints_the_story_back_and_it_reimports_unchanged(cases, altar, tmp_path, query):
    assert _edit(altar, tmp_path, family=FAMILY, education=EDUCATION).exit_code == 0
    shown = altar("story", "show", REF)
    assert shown.exit_code == 0, shown.output
    assert f"## {_title('family')}\n\n{FAMILY}\n" in shown.stdout
    assert f"## {_title('child_voice')}\n" in shown.stdout
    again = altar("story", "edit", REF, "--from-file", _write(tmp_path, shown.stdout, "shown.md"))
    assert again.exit_code == 0, again.output
    assert "unchanged: nothing was saved" in again.stderr
    assert query("SELECT count(*) FROM story_version") == [(1,)]
    one = altar("story", "show", REF, "--section", "education")
    assert EDUCATION in one.stdout and FAMILY not in one.stdout


def test_a_revision_keeps_earlier_versions_and_copies_other_sections_forward(
    cases, altar, tmp_path, query
):
    assert _edit(altar, tmp_path, family=FAMILY, education=EDUCATION).exit_code == 0
    revised = EDUCATION + "\nNot in education since he was 15."
    result = _edit(altar, tmp_path, REF, "--section", "education", education=revised)
    assert result.exit_code == 0, result.output
    assert _stored(query, version=1)["education"] == EDUCATION
    assert _stored(query) == {**_stored(query, version=1), "education": revised}
    assert query(
        "SELECT field, old_value, new_value FROM change_log WHERE action = 'update' AND entity = 'story'"
    ) == [("education", EDUCATION, revised)]
    old = altar("story", "show", REF, "--version", "1")
    assert "Not in education" not in old.stdout and "version 1" in old.stdout


def test_one_section_edit_refuses_another_sections_heading(
    cases, altar, tmp_path, query, assert_user_error
):
    result = _edit(altar, tmp_path, REF, "--section", "education", family=FAMILY)
    assert_user_error(result, "line 1", "'family' was not opened")
    assert query("SELECT count(*) FROM story_version") == [(0,)]


def test_history_and_diff(cases, altar, tmp_path):
    assert _edit(altar, tmp_path, family=FAMILY).exit_code == 0
    assert _edit(altar, tmp_path, education=EDUCATION).exit_code == 0
    nan = _write(tmp_path, _plain(family="Lived with Nan from the age of 6."))
    assert altar("--user", "lead", "story", "edit", REF, "--from-file", nan).exit_code == 0
    history = altar("story", "history", REF, "--format", "json")
    assert history.exit_code == 0, history.output
    rows = json.loads(history.stdout)
    assert [(r["version"], r["sections_changed"], r["template"]) for r in rows] == [
        (1, "family", "case-story v1"),
        (2, "education", "case-story v1"),
        (3, "family", "case-story v1"),
    ]
    assert rows[2]["written_by"] == "lead"
    diff = altar("story", "diff", REF, "1")
    assert diff.exit_code == 0, diff.output
    lines = diff.stdout.splitlines()
    assert (
        f"--- {REF} v1: {_title('family')}" in lines
        and f"+++ {REF} v3: {_title('family')}" in lines
    )
    assert f"-{FAMILY}" in lines and "+Lived with Nan from the age of 6." in lines
    assert "+Excluded from primary school in Year 5." in lines
    only_two = altar("story", "diff", REF, "2", "3").stdout.splitlines()
    assert f"+{EDUCATION.splitlines()[0]}" not in only_two and f"-{FAMILY}" in only_two
    same = altar("story", "diff", REF, "2", "2")
    assert same.exit_code == 0 and same.stdout == "" and "No differences" in same.stderr


@pytest.mark.parametrize(
    "args, fragment",
    [
        (("show", "NOPE-1"), "NOPE-1"),
        (("show", REF), "no story"),
        (("history", "NOPE-1"), "NOPE-1"),
        (("diff", REF, "1"), "no version 1"),
        (("edit", REF, "--section", "hobbies"), "no section 'hobbies'"),
    ],
)
def test_unknown_case_version_or_section_is_not_found(
    cases, altar, assert_user_error, args, fragment
):
    assert_user_error(altar("story", *args), fragment, exit_code=3)


# --- identifying details ----------------------------------------------------------------------

IDENTIFYING = "Kai was born on 12/03/2009 and lived at B23 6TH.\nHe went to Park Hall Academy."


def test_identifying_details_are_refused_listing_each_one(
    cases, altar, tmp_path, query, assert_user_error
):
    result = _edit(altar, tmp_path, family=FAMILY, education=IDENTIFYING)
    assert_user_error(
        result,
        "--force",
        "section education, line 1: name 'Kai'",
        "section education, line 1: date of birth '12/03/2009'",
        "section education, line 1: postcode 'B23 6TH'",
        "section education, line 2: school 'Park Hall Academy'",
    )
    assert query("SELECT count(*) FROM story_version") == [(0,)]
    assert query("SELECT count(*) FROM change_log WHERE entity = 'story'") == [(0,)]


def test_force_keeps_them_and_records_the_override(cases, altar, tmp_path, query):
    result = _edit(altar, tmp_path, REF, "--force", education=IDENTIFYING)
    assert result.exit_code == 0, result.output
    assert "Kept on purpose" in result.stderr
    [(override,)] = query("SELECT override FROM story_version")
    assert override.splitlines() == [
        "section education, line 1: name 'Kai'",
        "section education, line 1: date of birth '12/03/2009'",
        "section education, line 1: postcode 'B23 6TH'",
        "section education, line 2: school 'Park Hall Academy'",
    ]
    assert query(
        "SELECT new_value FROM change_log WHERE entity = 'story' AND field = 'override'"
    ) == [(override,)]
    history = json.loads(altar("story", "history", REF, "--json").stdout)
    assert history[0]["override"] == override
    # The kept text is not re-checked when another section is revised.
    assert _edit(altar, tmp_path, family=FAMILY).exit_code == 0
    assert query("SELECT version, override FROM story_version ORDER BY version")[1] == (2, None)


def test_project_terms_are_checked_and_names_are_stored_only_as_digests(
    cases, altar, tmp_path, query, assert_user_error
):
    text = "Mr Okafor visited; she stayed at Brook Lane Primary."
    assert _edit(altar, tmp_path, family=text).exit_code == 0  # neither is on a list yet
    added = altar("story", "terms", "add", "--kind", "name", "Okafor", "Kai  Okafor")
    assert added.exit_code == 0, added.output
    assert altar("story", "terms", "add", "--kind", "school", "Brook Lane Primary").exit_code == 0
    assert altar("story", "terms", "add", "--kind", "name", "okafor").stderr.startswith("Added 0")
    stored = query("SELECT kind, digest, term FROM identifier_term ORDER BY kind, digest")
    digests = sorted(hashlib.sha256(n.encode()).hexdigest() for n in ("okafor", "kai okafor"))
    assert [r for r in stored if r[0] == "name"] == [("name", d, None) for d in digests]
    assert [r[2] for r in stored if r[0] == "school"] == ["Brook Lane Primary"]
    logged = query("SELECT * FROM change_log WHERE entity = 'identifier_term'")
    assert len(logged) == 3 and not any("okafor" in str(v).lower() for row in logged for v in row)
    listed = altar("story", "terms", "list", "--json")
    assert [r["term"] for r in json.loads(listed.stdout)] == ["Brook Lane Primary"]
    assert "2 name(s)" in listed.stderr and "Okafor" not in listed.output
    result = _edit(altar, tmp_path, family=text + "\nKai Okafor's mum.")
    assert_user_error(
        result, "name 'Okafor'", "school 'Brook Lane Primary'", "line 2: name 'Kai Okafor'"
    )
    removed = altar("story", "terms", "remove", "--kind", "name", "OKAFOR", "kai okafor")
    assert removed.exit_code == 0, removed.output
    assert query("SELECT count(*) FROM identifier_term WHERE kind = 'name'") == [(0,)]


def test_removing_a_term_not_on_the_list_removes_nothing(cases, altar, query, assert_user_error):
    assert altar("story", "terms", "add", "--kind", "school", "Brook Lane Primary").exit_code == 0
    result = altar(
        "story", "terms", "remove", "--kind", "school", "Brook Lane Primary", "Elsewhere High"
    )
    assert_user_error(result, "'Elsewhere High'", exit_code=3)
    assert query("SELECT count(*) FROM identifier_term") == [(1,)]


# --- the real $EDITOR ----------------------------------------------------------------------------


def _editor(tmp_path: Path, body: str) -> Path:
    script = tmp_path / "fake_editor.py"
    script.write_text(
        f"#!{sys.executable}\nimport sys\npath = sys.argv[1]\n{body}", encoding="utf-8"
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def _typing(code: str, text: str) -> str:
    """An editor session that writes ``text`` under a section's heading and prompts."""
    return (
        "form = open(path, encoding='utf-8').read()\n"
        f"head, _, rest = form.partition('<!-- section: {code} -->')\n"
        "heading, _, after = rest.partition('-->\\n')\n"
        f"open(path, 'w', encoding='utf-8').write(head + '<!-- section: {code} -->' + heading + '-->\\n' + {text!r} + '\\n' + after)\n"
    )


def test_editor_shows_prompts_and_saves_what_was_typed(cases, altar, tmp_path, query):
    seen = tmp_path / "seen.md"
    body = f"import shutil\nshutil.copy(path, {str(seen)!r})\n" + _typing("family", FAMILY)
    result = altar("story", "edit", REF, env={"EDITOR": str(_editor(tmp_path, body))})
    assert result.exit_code == 0, result.output
    assert _stored(query)["family"] == FAMILY
    shown = seen.read_text(encoding="utf-8")
    assert all(f"<!-- section: {code} -->" in shown for code in CODES)
    assert TEMPLATE.section("child_voice").prompts[0].split()[0] in shown


def test_editor_one_section_copies_the_rest_forward(cases, altar, tmp_path, query):
    assert _edit(altar, tmp_path, family=FAMILY).exit_code == 0
    script = _editor(tmp_path, _typing("education", EDUCATION))
    result = altar("story", "edit", REF, "--section", "education", env={"EDITOR": str(script)})
    assert result.exit_code == 0, result.output
    assert _stored(query) == {**_stored(query, version=1), "education": EDUCATION}


def test_editor_closed_without_saving_or_unchanged_saves_nothing(cases, altar, tmp_path, query):
    result = altar("story", "edit", REF, env={"EDITOR": str(_editor(tmp_path, "pass\n"))})
    assert result.exit_code == 0 and "No changes saved" in result.stderr
    assert _edit(altar, tmp_path, family=FAMILY).exit_code == 0
    rewrite = "text = open(path, encoding='utf-8').read()\nopen(path, 'w', encoding='utf-8').write(text)\n"
    result = altar("story", "edit", REF, env={"EDITOR": str(_editor(tmp_path, rewrite))})
    assert result.exit_code == 0, result.output
    assert "unchanged: nothing was saved" in result.stderr
    assert query("SELECT count(*) FROM story_version") == [(1,)]


def _kept(stderr: str) -> Path:
    return Path(stderr.split("kept in ")[1].split(":")[0])


def test_a_colleagues_save_while_editing_is_not_overwritten_and_the_text_is_kept(
    cases, altar, tmp_path, db, query
):
    colleague = _write(tmp_path, _plain(education=EDUCATION), "colleague.md")
    body = (
        "import subprocess\n"
        f"subprocess.run([{sys.executable!r}, '-m', 'altar', '--db', {str(db)!r}, 'story', 'edit', {REF!r}, "
        f"'--from-file', {str(colleague)!r}], check=True, capture_output=True, timeout=60)\n"
    ) + _typing("family", FAMILY)
    result = altar("story", "edit", REF, env={"EDITOR": str(_editor(tmp_path, body))})
    assert result.exit_code == 7, result.output
    assert "someone saved version 1" in result.stderr and "Traceback" not in result.output
    assert _stored(query) == {code: EDUCATION if code == "education" else "" for code in CODES}
    kept = _kept(result.stderr)
    assert FAMILY in kept.read_text(encoding="utf-8")
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    again = altar("story", "edit", REF, "--from-file", kept)
    assert again.exit_code == 0, again.output
    assert _stored(query)["family"] == FAMILY
    kept.unlink()


def test_text_refused_by_the_check_is_kept_for_the_writer(
    cases, altar, tmp_path, query, assert_user_error
):
    result = altar(
        "story", "edit", REF, env={"EDITOR": str(_editor(tmp_path, _typing("family", IDENTIFYING)))}
    )
    assert_user_error(result, "name 'Kai'", "--from-file")
    kept = _kept(result.stderr)
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    forced = altar("story", "edit", REF, "--from-file", kept, "--force")
    assert forced.exit_code == 0, forced.output
    assert _stored(query)["family"] == IDENTIFYING
    kept.unlink()


# --- import -----------------------------------------------------------------------------------------


def test_import_stores_every_file_as_a_new_version(cases, altar, tmp_path, query):
    folder = tmp_path / "stories"
    folder.mkdir()
    _write(folder, "# A story\n" + _plain(family=FAMILY, education=EDUCATION), f"{REF}.md")
    form = render_story(TEMPLATE, {"child_voice": '"I just want to go home."'}, heading="x")
    (folder / f"{OTHER}.md").write_bytes(
        b"\xef\xbb\xbf" + form.encode("utf-8")
    )  # a BOM, as Word writes
    _write(folder, "not a story", "notes.txt")
    result = altar("story", "import", folder)
    assert result.exit_code == 0, result.output
    assert "Imported 2 stories" in result.stderr
    assert _stored(query)["education"] == EDUCATION
    assert _stored(query, OTHER)["child_voice"] == '"I just want to go home."'
    # A second import of the same files changes nothing.
    assert "Imported 0 stories; 2 unchanged" in altar("story", "import", folder).stderr
    assert query("SELECT count(*) FROM story_version") == [(2,)]


def test_import_checks_every_file_first_and_writes_none_on_any_problem(
    cases, altar, tmp_path, query, assert_user_error
):
    folder = tmp_path / "stories"
    folder.mkdir()
    _write(folder, _plain(family=FAMILY), f"{REF}.md")  # good
    _write(folder, _plain(family=FAMILY), "NOPE-9.md")
    _write(folder, "## Hobbies\nfootball\n", f"{OTHER}.md")
    result = altar("story", "import", folder)
    assert_user_error(
        result,
        "nothing was imported",
        "NOPE-9.md: no case 'NOPE-9'",
        f"{OTHER}.md: line 1: unknown heading '## Hobbies'",
    )
    _write(folder, "  \n", f"{OTHER}.md")
    (folder / "NOPE-9.md").unlink()
    assert_user_error(altar("story", "import", folder), f"{OTHER}.md: the file is empty")
    (folder / f"{OTHER}.md").write_bytes(_plain(family="caf\xe9").encode("latin-1"))
    assert_user_error(altar("story", "import", folder), f"{OTHER}.md: not UTF-8")
    _write(folder, _plain(family="Kai's dad"), f"{OTHER}.md")
    assert_user_error(
        altar("story", "import", folder),
        f"{OTHER}.md: section family, line 1: name 'Kai'",
        "--force",
    )
    assert query("SELECT count(*) FROM story_version") == [(0,)]
    forced = altar("story", "import", folder, "--force")
    assert forced.exit_code == 0, forced.output
    assert query("SELECT count(*) FROM story_version WHERE override IS NOT NULL") == [(1,)]


def test_import_of_an_empty_folder_is_an_error(altar, tmp_path, assert_user_error):
    assert_user_error(altar("story", "import", tmp_path), "no Markdown files")


# --- the template's digest ----------------------------------------------------------------------------


def test_a_changed_released_template_is_refused(cases, altar, tmp_path, query, assert_user_error):
    assert _edit(altar, tmp_path, family=FAMILY).exit_code == 0
    key = f"story_template:case-story:v{TEMPLATE.version}"
    assert query("SELECT value FROM meta WHERE key = ?", (key,)) == [(TEMPLATE.digest,)]
    # As if the shipped file had been edited after stories were written with it.
    query("UPDATE meta SET value = 'edited' WHERE key = ?", (key,))
    assert_user_error(
        _edit(altar, tmp_path, family="changed"), "release a new version", exit_code=6
    )


# --- who may see and change which stories ----------------------------------------------------------


PAT, LENA = (
    ("--user", "pat"),
    ("--user", "lena"),
)  # a practitioner of Dudley and a lead (conftest add_users)


def _versions(query) -> list[tuple]:  # type: ignore[no-untyped-def]
    return query(
        "SELECT c.case_ref, v.version, v.written_by FROM story_version v JOIN cases c ON c.id = v.case_id "
        "ORDER BY c.case_ref, v.version"
    )


def test_a_practitioner_works_on_their_own_authoritys_stories_only(
    cases, altar, add_users, tmp_path, query, assert_user_error
):
    assert _edit(altar, tmp_path, OTHER, family=FAMILY).exit_code == 0  # single-user mode
    add_users()
    story = _write(tmp_path, _plain(family=FAMILY))
    mine = altar(*PAT, "story", "edit", REF, "--from-file", story)
    assert mine.exit_code == 0, mine.output
    before = _versions(query)
    assert [row[:2] for row in before] == [(REF, 1), (OTHER, 1)] and before[0][2] == "pat"
    missing = altar(*PAT, "story", "show", "NOPE-1")
    for args in (
        ("edit", OTHER, "--from-file", story),
        ("show", OTHER),
        ("history", OTHER),
        ("diff", OTHER, "1"),
    ):
        result = altar(*PAT, "story", *args)
        assert_user_error(result, f"no case {OTHER!r}", exit_code=3)
        assert result.stderr == missing.stderr.replace("NOPE-1", OTHER), (
            args
        )  # the same words: nothing leaks
    assert _versions(query) == before
    assert altar(*PAT, "story", "show", REF).exit_code == 0
    assert altar(*LENA, "story", "show", OTHER).exit_code == 0


def test_import_refuses_another_authoritys_file_and_writes_nothing(
    cases, altar, add_users, tmp_path, query, assert_user_error
):
    add_users()
    folder = tmp_path / "stories"
    folder.mkdir()
    for ref in (REF, OTHER):
        _write(folder, _plain(family=FAMILY), f"{ref}.md")
    result = altar(*PAT, "story", "import", folder)
    assert_user_error(
        result, f"{OTHER}.md: no case {OTHER!r} in this database", "nothing was imported"
    )
    assert f"{REF}.md" not in result.stderr
    assert _versions(query) == []
    imported = altar(*LENA, "story", "import", folder)
    assert imported.exit_code == 0, imported.output
    assert _versions(query) == [(REF, 1, "lena"), (OTHER, 1, "lena")]


def test_a_deleted_cases_story_is_not_found(cases, altar, tmp_path, assert_user_error):
    assert _edit(altar, tmp_path, family=FAMILY).exit_code == 0
    assert altar("case", "delete", REF).exit_code == 0
    assert_user_error(altar("story", "show", REF), f"no case {REF!r}", exit_code=3)


def test_anyone_may_add_terms_but_only_a_lead_may_remove_them(
    cases, altar, add_users, query, assert_user_error
):
    add_users()
    added = altar(*PAT, "story", "terms", "add", "--kind", "school", "Brook Lane Primary")
    assert added.exit_code == 0, added.output
    assert query("SELECT term, added_by FROM identifier_term") == [("Brook Lane Primary", "pat")]
    assert altar(*PAT, "story", "terms", "list").exit_code == 0
    refused = altar(*PAT, "story", "terms", "remove", "--kind", "school", "Brook Lane Primary")
    assert_user_error(refused, "only a lead or an admin may remove names", "'pat'", exit_code=9)
    assert query("SELECT count(*) FROM identifier_term") == [(1,)]
    assert (
        altar(*LENA, "story", "terms", "remove", "--kind", "school", "Brook Lane Primary").exit_code
        == 0
    )
    assert query("SELECT count(*) FROM identifier_term") == [(0,)]
