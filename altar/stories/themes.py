"""Qualitative coding of the case stories, as researchers do in NVivo or
Taguette: a codebook of themes ("missed opportunity", "school exclusion as
turning point"...) and tags on passages of the stories.

A tag points at characters [start, end) of one section of the story
version it was made on, and keeps the passage itself (the extract). Story
versions are never changed, so a tag stays valid when the story is revised:
it then reads "tagged on version N", and says whether the passage has since
been revised away from the latest version. Tags are always made on the
latest version.

The pure functions (``find_passages``, ``version_note``, ``summary_rows``)
need no database; the rest validate, write through ``db.themes`` and record
every change in the change log.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any

from sqlalchemy.orm import Session

from altar.access import Permission, User, require
from altar.capture.csvio import write_csv
from altar.db import audit
from altar.db import themes as store
from altar.db.models import Case, StoryTag, Theme, max_length
from altar.db.scope import require_case
from altar.errors import NotFoundError, ValidationError
from altar.vocab import STRATA

_CODE = re.compile(r"^[a-z][a-z0-9_]{1,59}$")
LABEL_MAX = max_length(Theme.__table__.c.label)
ALL = "all"
CONTEXT = 30  # characters either side of an occurrence when listing them
EXPORT_COLUMNS = (
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
)


# --- pure functions ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Passage:
    """Where a quoted passage occurs in a section: characters [start, end), starting on ``line`` (from 1)."""

    start: int
    end: int
    line: int


def find_passages(text: str, quote: str) -> list[Passage]:
    """Every place ``quote`` occurs in ``text``, letter case as typed, any
    run of spaces and line breaks matching any other (a quote typed on one
    line finds a passage the story wraps over two).

    >>> find_passages("He was excluded.\\nHe was\\n  excluded again.", "was excluded")
    [Passage(start=3, end=15, line=1), Passage(start=20, end=34, line=2)]
    """
    words = quote.split()
    if not words:
        return []
    pattern = re.compile(r"\s+".join(re.escape(w) for w in words))
    return [
        Passage(m.start(), m.end(), text.count("\n", 0, m.start()) + 1)
        for m in pattern.finditer(text)
    ]


def describe(text: str, passage: Passage) -> str:
    """One occurrence in its context, on one line, for choosing among several.

    >>> describe("He was excluded.\\nNo referral was made.", Passage(20, 37, 2))
    'line 2: He was excluded. No [referral was made].'
    >>> describe("x" * 40 + " one two three four five six seven eight nine ten eleven", Passage(45, 48, 1))
    'line 1: …one [two] three four five six seven…'
    """
    before = re.sub(r"\s+", " ", text[max(0, passage.start - CONTEXT) : passage.start])
    after = re.sub(r"\s+", " ", text[passage.end : passage.end + CONTEXT])
    if passage.start > CONTEXT:  # cut: drop the partial first word
        before = "…" + before.partition(" ")[2]
    if passage.end + CONTEXT < len(text):
        after = after.rpartition(" ")[0] + "…"
    found = " ".join(text[passage.start : passage.end].split())
    return f"line {passage.line}: {before.lstrip()}[{found}]{after.rstrip()}"


def version_note(version: int, latest_version: int, extract: str, latest_text: str | None) -> str:
    """How a tag stands against the latest story: "" when it is on it.

    >>> version_note(2, 2, "x", "x")
    ''
    >>> version_note(1, 3, "was excluded", "He was excluded.")
    'tagged on version 1; the passage is unchanged in version 3'
    >>> version_note(1, 3, "was excluded", None)
    'tagged on version 1; the passage has been revised since'
    """
    if version == latest_version:
        return ""
    kept = latest_text is not None and extract in latest_text
    state = f"is unchanged in version {latest_version}" if kept else "has been revised since"
    return f"tagged on version {version}; the passage {state}"


def summary_rows(
    themes: Sequence[store.ThemeRow],
    counts: Mapping[tuple[str, str], tuple[int, int]],
    stories: Mapping[str, int],
    by: str,
) -> list[dict[str, Any]]:
    """Per theme, its "all" row and then one row per group: children tagged,
    children with a story (the base), passages tagged. Groups are those with
    stories, strata in their fixed order, others sorted; every theme is
    listed, even one not yet used."""
    order = {s: i for i, s in enumerate(STRATA)}
    groups = sorted(stories, key=lambda g: (order.get(g, len(order)), g))
    rows = []
    for theme in themes:
        rows.append(
            _summary_row(theme, by, ALL, theme.children, sum(stories.values()), theme.extracts)
        )
        for g in groups:
            children, extracts = counts.get((theme.code, g), (0, 0))
            rows.append(_summary_row(theme, by, g, children, stories[g], extracts))
    return rows


def _summary_row(
    theme: store.ThemeRow, by: str, group: str, children: int, stories: int, extracts: int
) -> dict[str, Any]:
    return {
        "theme": theme.code,
        "label": theme.label,
        by: group,
        "children": children,
        "stories": stories,
        "extracts": extracts,
    }


# --- reading and writing -------------------------------------------------------------------------------------------


def add_theme(
    session: Session, user: User, code: str, label: str, description: str | None, *, command: str
) -> Theme:
    """Add a theme to the codebook: the lead's (``Permission.REGION``), as
    the codebook is the whole region's."""
    require(user, Permission.REGION)
    code, label = code.strip(), " ".join(label.split())
    description = (description or "").strip() or None
    problems = []
    if not _CODE.match(code):
        problems.append(
            f"code {code!r}: use 2-60 lower-case letters, digits and _ (e.g. missed_opportunity)"
        )
    if not label or len(label) > LABEL_MAX:
        problems.append(f"label: 1 to {LABEL_MAX} characters")
    if not problems and session.get(Theme, code) is not None:
        problems.append(f"code {code!r}: there is already a theme with this code")
    if problems:
        raise ValidationError("theme not added", problems)
    theme = Theme(code=code, label=label, description=description, created_by=user.name)
    session.add(theme)
    audit.log(
        session,
        actor=user.name,
        command=command,
        action="insert",
        entity="theme",
        case_ref=None,
        field=code,
        new=label,
    )
    session.flush()
    return theme


@dataclass(frozen=True)
class Tagged:
    """A new tag: its id, where the passage is and what it says."""

    id: int
    case_ref: str
    theme: str
    section: str
    version: int
    passage: Passage
    extract: str


def list_themes(session: Session, user: User) -> list[store.ThemeRow]:
    """Every theme, with how much it is used on the cases ``user`` may see."""
    return store.themes(session, user)


def tag_passage(
    session: Session,
    user: User,
    case_ref: str,
    theme: str,
    section: str,
    quote: str,
    occurrence: int | None,
    *,
    command: str,
) -> Tagged:
    """Tag the passage ``quote`` in ``section`` of the case's latest story
    version with ``theme``. A passage found more than once needs
    ``occurrence`` (1 = the first), and the error lists them by line."""
    case = require_case(session, user, case_ref)
    store.get_theme(session, theme)
    story = store.latest_story(session, case.id)
    if story is None:
        raise NotFoundError(
            f"{case.case_ref} has no case story yet: write one with `altar story edit {case.case_ref}`"
        )
    texts = {s.section_code: s.text for s in story.sections}
    if section not in texts:
        raise NotFoundError(
            f"no section {section!r} in version {story.version} of {case.case_ref}'s story "
            f"(sections: {', '.join(texts) or 'none'})"
        )
    where = f"section {section!r} of {case.case_ref}'s story (version {story.version})"
    passage = _choose(texts[section], quote, occurrence, where)
    extract = texts[section][passage.start : passage.end]
    duplicate = store.find_tag(session, story.id, section, theme, passage.start, passage.end)
    if duplicate is not None:
        raise ValidationError(
            f"that passage of {where} is already tagged {theme!r} (tag {duplicate})"
        )
    tag = StoryTag(
        case_id=case.id,
        story_version_id=story.id,
        section_code=section,
        theme_code=theme,
        start_offset=passage.start,
        end_offset=passage.end,
        extract=extract,
        tagged_by=user.name,
    )
    session.add(tag)
    session.flush()
    audit.log(
        session,
        actor=user.name,
        command=command,
        action="insert",
        entity="story_tag",
        case_ref=case.case_ref,
        field=theme,
        new=f"tag {tag.id}: {section}, version {story.version}, "
        f"characters {passage.start}-{passage.end}: {extract}",
    )
    return Tagged(tag.id, case.case_ref, theme, section, story.version, passage, extract)


def _choose(text: str, quote: str, occurrence: int | None, where: str) -> Passage:
    if not quote.strip():
        raise ValidationError(
            "--quote is empty: give the passage to tag, as it is written in the story"
        )
    found = find_passages(text, quote)
    if not found:
        raise ValidationError(
            f"the passage is not in {where}: quote it as written (letter case counts; "
            "spaces and line breaks need not match)"
        )
    listed = [f"occurrence {i}: {describe(text, p)}" for i, p in enumerate(found, start=1)]
    if occurrence is None and len(found) > 1:
        raise ValidationError(
            f"the passage occurs {len(found)} times in {where}: choose one with --occurrence N",
            listed,
        )
    number = occurrence or 1
    if not 1 <= number <= len(found):
        raise ValidationError(
            f"--occurrence {number}: the passage occurs {len(found)} time(s) in {where}", listed
        )
    return found[number - 1]


def untag(session: Session, user: User, tag_id: int, *, command: str) -> StoryTag:
    """Remove a tag on a case ``user`` may see; the change log keeps what it pointed at."""
    tag = store.get_tag(session, user, tag_id)
    case_ref = session.get_one(Case, tag.case_id).case_ref
    audit.log(
        session,
        actor=user.name,
        command=command,
        action="delete",
        entity="story_tag",
        case_ref=case_ref,
        field=tag.theme_code,
        old=f"tag {tag.id}: {tag.section_code}: {tag.extract}",
    )
    store.delete_tag(session, tag_id)
    return tag


@dataclass(frozen=True)
class Extract:
    """A tagged passage as listed and exported. ``note`` is "" for a tag on
    the latest story version, else "tagged on version N; ..." (``version_note``)."""

    tag_id: int
    theme: str
    theme_label: str
    case_ref: str
    authority: str
    stratum: str
    section: str
    version: int
    note: str
    extract: str


def extracts(session: Session, user: User, theme: str | None = None) -> list[Extract]:
    """Every tagged passage of a live case (of one theme, if named), by
    theme, case, section and position: the lead's (``Permission.REGION``)."""
    require(user, Permission.REGION)
    if theme:
        store.get_theme(session, theme)
    return [
        Extract(
            t.id,
            t.theme,
            t.theme_label,
            t.case_ref,
            t.authority,
            t.stratum,
            t.section,
            t.version,
            version_note(t.version, t.latest_version, t.extract, t.latest_text),
            t.extract,
        )
        for t in store.tags(session, user, theme)
    ]


def summary(session: Session, user: User, by: str = "stratum") -> list[dict[str, Any]]:
    """Per theme: children tagged, children with a story and passages tagged,
    for all children and by ``by`` (a case attribute: stratum, authority, ...).
    Region-wide figures (``Permission.REGION``), of live cases only."""
    require(user, Permission.REGION)
    return summary_rows(
        store.themes(session, user),
        store.tag_counts(session, user, by),
        store.storied_children(session, user, by),
        by,
    )


def write_extracts(stream: IO[str], rows: Sequence[Extract]) -> int:
    """The extracts as CSV (``EXPORT_COLUMNS``), cells a spreadsheet would run
    as a formula made plain text; returns the number of rows written."""
    write_csv(
        stream, EXPORT_COLUMNS, ({c: str(getattr(r, c)) for c in EXPORT_COLUMNS} for r in rows)
    )
    return len(rows)
