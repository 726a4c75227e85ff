"""Writing, revising and reading a child's case story: what ``altar story``
does, for the CLI and the web to call.

The editor runs outside any transaction (a story can stay open for an
afternoon): ``open_story`` reads what the writer starts from, and
``save_story`` re-checks, inside the saving transaction, that nobody saved a
newer version meanwhile. Every save runs the identifying-detail check on the
sections whose text changed; findings stop the save unless the writer keeps
them on purpose (``force``), and then they are recorded with the version.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from altar.access import User
from altar.db import stories as store
from altar.db.cases import existing_refs
from altar.db.scope import case_filter
from altar.errors import ValidationError
from altar.identifiers import IdentifierMatch, describe, find_identifying_details
from altar.stories import editor
from altar.stories.template import (
    Section,
    StoryTemplate,
    current_template,
)
from altar.stories.template import (
    template as template_version,
)

# A section's text at most (about 8,000 words): far more than a section
# needs, and it keeps one page's post well under the web's 1 MB limit.
SECTION_MAX = 50_000


@dataclass(frozen=True)
class OpenedStory:
    """What the editor shows: the story as it stood, and which sections are open."""

    case_ref: str
    template: StoryTemplate
    base: store.StoryText | None
    only: tuple[str, ...] | None

    @property
    def base_version(self) -> int:
        return self.base.version if self.base else 0

    @property
    def codes(self) -> tuple[str, ...]:
        return self.only or self.template.codes

    def render(self) -> str:
        state = f"editing version {self.base.version}" if self.base else "a new story"
        what = f"section {self.only[0]}" if self.only else "every section"
        heading = (
            f"ALTAR case story for {self.case_ref}: {state}, {what}. Template: {self.template.title}, "
            f"version {self.template.version}."
        )
        return editor.render_story(
            self.template, self.base.sections if self.base else {}, heading=heading, only=self.only
        )


def open_story(
    session: Session, user: User, case_ref: str, section: str | None = None
) -> OpenedStory:
    """The case's latest story (or none yet) to edit with the current template."""
    base = store.latest_version(session, user, case_ref)
    template = current_template()
    only = (template.section(section).code,) if section else None
    return OpenedStory(case_ref, template, base, only)


@dataclass(frozen=True)
class SaveOutcome:
    case_ref: str
    version: int | None  # None: the text was unchanged and nothing was saved
    changed: tuple[str, ...]
    kept_findings: tuple[IdentifierMatch, ...]


def save_story(
    session: Session, user: User, opened: OpenedStory, text: str, *, force: bool, command: str
) -> SaveOutcome:
    """Read the editor's text and store it as a new version (see module doc)."""
    sections = editor.parse_story(text, opened.template, expected=opened.codes)
    return _save(
        session,
        user,
        opened.case_ref,
        sections,
        opened.template,
        base_version=opened.base_version,
        force=force,
        command=command,
    )


def save_sections(
    session: Session,
    user: User,
    case_ref: str,
    sections: Mapping[str, str],
    *,
    base_version: int | None,
    confirmed: Collection[str] = (),
    command: str,
) -> SaveOutcome:
    """Store the given sections' text (the web's form: {section code: text},
    the other sections kept as they are) as a new version, written with the
    current template. ``base_version`` is the version the writer started from
    (0: none yet): ConflictError if someone saved a newer one. Identifying
    details stop the save unless every one is in ``confirmed`` (the findings,
    as ``str(finding)``, that the writer was shown and kept on purpose).
    An unknown section is NotFoundError; an empty or oversized one, or a
    missing base version, ValidationError."""
    template = current_template()
    texts = {
        template.section(code).code: editor.normalise_text(text) for code, text in sections.items()
    }
    problems = [
        f"{template.section(code).title}: write the section's text before saving"
        for code, text in texts.items()
        if not text.strip()
    ]
    if base_version is None or base_version < 0:
        problems.append("the form is missing the version it was opened at: open the section again")
    if problems:
        raise ValidationError(f"{case_ref}: nothing was saved", problems)
    return _save(
        session,
        user,
        case_ref,
        texts,
        template,
        base_version=base_version,
        force=False,
        confirmed=confirmed,
        command=command,
    )


def identifying_details(
    session: Session, user: User, case_ref: str, sections: Mapping[str, str]
) -> list[IdentifierMatch]:
    """What saving ``sections`` would find (a preview: nothing is saved). As
    on saving, only text that differs from the latest version is checked."""
    texts = {code: editor.normalise_text(text) for code, text in sections.items()}
    return find_identifying_details(
        _changed(session, user, case_ref, texts), store.watchlist(session)
    )


def _save(
    session: Session,
    user: User,
    case_ref: str,
    sections: Mapping[str, str],
    template: StoryTemplate,
    *,
    base_version: int | None,
    force: bool,
    command: str,
    confirmed: Collection[str] = (),
) -> SaveOutcome:
    _check_lengths(sections, template)
    store.register_template(session, template.name, template.version, template.digest)
    changed = _changed(session, user, case_ref, sections)
    findings = check_identifiers(session, case_ref, changed, force=force, confirmed=confirmed)
    saved = store.save_version(
        session,
        user,
        case_ref,
        sections,
        codes=template.codes,
        template=(template.name, template.version),
        base_version=base_version,
        override="\n".join(describe(findings)) or None,
        command=command,
    )
    if saved is None:
        return SaveOutcome(case_ref, None, (), ())
    return SaveOutcome(case_ref, saved.version, tuple(changed), tuple(findings))


def _changed(
    session: Session, user: User, case_ref: str, sections: Mapping[str, str]
) -> dict[str, str]:
    """The sections whose text differs from the latest version. Only these
    are checked: what is unchanged was checked (or kept on purpose) before."""
    before = store.latest_version(session, user, case_ref)
    stored = before.sections if before else {}
    return {code: text for code, text in sections.items() if text != stored.get(code, "")}


def _check_lengths(sections: Mapping[str, str], template: StoryTemplate) -> None:
    problems = [
        f"{template.section(code).title}: {len(text):,} characters; a section may hold at most "
        f"{SECTION_MAX:,} (split it, or shorten it)"
        for code, text in sections.items()
        if len(text) > SECTION_MAX
    ]
    if problems:
        raise ValidationError(
            f"the story is too long in {len(problems)} section(s); nothing was saved", problems
        )


class IdentifyingDetails(ValidationError):
    """The text looks as if it identifies someone; ``problems`` lists each
    finding as a line of text, ``findings`` as IdentifierMatch (kind, section, line, text)."""

    def __init__(self, message: str, findings: list[IdentifierMatch]):
        super().__init__(message, describe(findings))
        self.findings = tuple(findings)


def check_identifiers(
    session: Session,
    case_ref: str,
    text_by_section: Mapping[str, str],
    *,
    force: bool,
    confirmed: Collection[str] = (),
) -> list[IdentifierMatch]:
    """The findings in the text, which the writer keeps on purpose with
    ``force`` (all of them), or by confirming each one they were shown
    (``confirmed``: findings as ``str(finding)``, so a detail typed after the
    writer looked is not waved through); otherwise IdentifyingDetails."""
    findings = find_identifying_details(text_by_section, store.watchlist(session))
    if not force and any(str(f) not in confirmed for f in findings):
        raise IdentifyingDetails(
            f"{case_ref}: the story looks as if it contains {len(findings)} identifying detail(s); nothing was "
            "saved. Take them out (write 'Mum', 'the child', 'a secondary school' ...), or if they are "
            "not identifying, save again with --force to keep them (the override is recorded)",
            findings,
        )
    return findings


# --- import -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportRow:
    case_ref: str
    version: int | None
    changed: str
    kept_findings: int


def import_stories(
    session: Session, user: User, folder: Path, *, force: bool, command: str
) -> list[ImportRow]:
    """Store a folder of Markdown stories (``CASE_REF.md``, the editor form or
    plain ``## Title`` headings), each as a new version of that case's story
    (a section a file leaves out is kept as it was). Every file is checked before
    anything is written; one problem anywhere and nothing is. A file of a
    case ``user`` may not see reads as one of a case that does not exist."""
    files = (
        sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() == ".md")
        if folder.is_dir()
        else []
    )
    if not files:
        raise ValidationError(f"no Markdown files (CASE_REF.md) in {folder}")
    template = current_template()
    known = existing_refs(session, [p.stem for p in files], case_filter(user))
    parsed, problems, flagged = {}, [], False
    for path in files:
        try:
            parsed[path.stem] = _read_story_file(path, template, path.stem in known)
            check_identifiers(
                session,
                path.stem,
                _changed(session, user, path.stem, parsed[path.stem]),
                force=force,
            )
        except ValidationError as exc:
            problems += [f"{path.name}: {p}" for p in exc.problems] or [f"{path.name}: {exc}"]
            flagged = flagged or isinstance(exc, IdentifyingDetails)
    if problems:
        hint = (
            " (identifying details that are not identifying can be kept with --force)"
            if flagged
            else ""
        )
        raise ValidationError(
            f"{folder}: {len(problems)} problem(s) in the files; nothing was imported{hint}",
            problems,
        )
    return [
        _imported(
            _save(
                session,
                user,
                ref,
                sections,
                template,
                base_version=None,
                force=force,
                command=command,
            )
        )
        for ref, sections in parsed.items()
    ]


def _read_story_file(path: Path, template: StoryTemplate, case_known: bool) -> dict[str, str]:
    if not case_known:
        raise ValidationError(
            f"no case {path.stem!r} in this database (the file name must be the case_ref)"
        )
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            f"not UTF-8 text (byte {exc.start}); save it as UTF-8 and try again"
        ) from None
    if not text.strip():
        raise ValidationError("the file is empty")
    return editor.parse_story(text, template, source=path.name)


def _imported(outcome: SaveOutcome) -> ImportRow:
    return ImportRow(
        outcome.case_ref, outcome.version, " ".join(outcome.changed), len(outcome.kept_findings)
    )


# --- reading ---------------------------------------------------------------------------------


def show_story(
    session: Session,
    user: User,
    case_ref: str,
    version: int | None = None,
    section: str | None = None,
) -> str:
    """A version of the story (the latest by default) as plain Markdown, importable as it is."""
    story = store.get_version(session, user, case_ref, version)
    template = template_version(story.template_version)
    only = (template.section(section).code,) if section else None
    title = (
        f"Case story {case_ref}, version {story.version} (written by {story.written_by or 'unknown'}, "
        f"{story.written_at:%Y-%m-%d %H:%M} UTC)"
    )
    return editor.render_plain(template, story.sections, title=title, only=only)


def diff_story(
    session: Session, user: User, case_ref: str, old: int, new: int | None = None
) -> str:
    """What changed between two versions (``new``: the latest), as a unified diff per section."""
    before = store.get_version(session, user, case_ref, old)
    after = store.get_version(session, user, case_ref, new)
    return diff_sections(before, after, template_version(after.template_version))


def diff_sections(before: store.StoryText, after: store.StoryText, template: StoryTemplate) -> str:
    """A unified diff for each section whose text differs; empty when none does."""
    parts = []
    for _, title, old, new in _differing(before.sections, after.sections, template):
        lines = difflib.unified_diff(
            old,
            new,
            fromfile=f"{before.case_ref} v{before.version}: {title}",
            tofile=f"{after.case_ref} v{after.version}: {title}",
            lineterm="",
        )
        parts.append("\n".join(lines))
    return "\n".join(parts)


def _differing(
    before: Mapping[str, str],
    after: Mapping[str, str],
    template: StoryTemplate,
    only: Collection[str] | None = None,
) -> Iterator[tuple[str, str, list[str], list[str]]]:
    """(code, title, old lines, new lines) of each section whose text differs, in template order."""
    codes = list(template.codes) + [c for c in before if c not in template.codes]
    for code in codes:
        old, new = before.get(code, ""), after.get(code, "")
        if old != new and (only is None or code in only):
            title = template.section(code).title if code in template.codes else code
            yield code, title, old.splitlines(), new.splitlines()


@dataclass(frozen=True)
class DiffLine:
    change: str  # "removed", "added" or "same"
    text: str


@dataclass(frozen=True)
class SectionDiff:
    """One section's text before and after, line by line, for reading on a page."""

    code: str
    title: str
    lines: tuple[DiffLine, ...]


def section_diffs(
    before: Mapping[str, str],
    after: Mapping[str, str],
    template: StoryTemplate,
    only: Collection[str] | None = None,
) -> list[SectionDiff]:
    """Each differing section (of ``only``, if given) with every line marked
    removed, added or the same. Sections are short: the whole text is kept as
    context rather than cut into hunks."""
    return [
        SectionDiff(code, title, tuple(_line_changes(old, new)))
        for code, title, old, new in _differing(before, after, template, only)
    ]


def _line_changes(old: list[str], new: list[str]) -> Iterator[DiffLine]:
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if tag == "equal":
            yield from (DiffLine("same", line) for line in old[i1:i2])
            continue
        yield from (DiffLine("removed", line) for line in old[i1:i2])
        yield from (DiffLine("added", line) for line in new[j1:j2])


@dataclass(frozen=True)
class Comparison:
    before: store.StoryText | None  # None: before the first version
    after: store.StoryText
    sections: list[SectionDiff]


def compare_versions(
    session: Session,
    user: User,
    case_ref: str,
    old: int | None,
    new: int | None,
    only: Collection[str] | None = None,
) -> Comparison:
    """What changed from version ``old`` (0: before the story was begun) to
    ``new`` (None: the latest), per section (``only`` these, if given)."""
    if old is None or old < 0:
        raise ValidationError("choose the two versions to compare", ["choose the earlier version"])
    before = store.get_version(session, user, case_ref, old) if old else None
    after = store.get_version(session, user, case_ref, new)
    template = template_version(after.template_version)
    return Comparison(
        before,
        after,
        section_diffs(before.sections if before else {}, after.sections, template, only),
    )


@dataclass(frozen=True)
class StoryPage:
    """A case's story to read: the latest version (None: not begun) and the
    template it was written with (the current one if not begun)."""

    case_ref: str
    story: store.StoryText | None
    template: StoryTemplate

    @property
    def sections(self) -> list[tuple[Section, str]]:
        texts = self.story.sections if self.story else {}
        return [(section, texts.get(section.code, "")) for section in self.template.sections]


def read_story(session: Session, user: User, case_ref: str) -> StoryPage:
    """The case's latest story, to read section by section."""
    story = store.latest_version(session, user, case_ref)
    return StoryPage(
        case_ref, story, template_version(story.template_version) if story else current_template()
    )
