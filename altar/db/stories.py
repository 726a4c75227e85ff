"""Case stories in the store: versions, their sections, the history, the
identifying-detail watch list, and the template versions stories were
written with.

A story is never changed in place: every save is a new ``story_version``
with the text of every section (the ones not edited copied forward), so any
version reads back whole. Each function works inside the caller's
transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, delete, func, select
from sqlalchemy.orm import Session, selectinload

from altar.access import Permission, User, require
from altar.db import audit
from altar.db.models import Case, IdentifierTerm, Meta, StorySection, StoryVersion
from altar.db.scope import require_case
from altar.errors import CodebookError, ConflictError, NotFoundError, ValidationError
from altar.identifiers import Watchlist, name_digest, normalise_name, shipped_first_names

ENTITY = "story"
TERM_MAX = 200  # identifier_term.term


@dataclass(frozen=True)
class StoryText:
    """One version of a child's story: {section code: Markdown text}, in template order."""

    case_ref: str
    version: int
    template_name: str
    template_version: int
    written_by: str | None
    written_at: datetime
    override: str | None
    sections: dict[str, str]


def _story_text(case_ref: str, row: StoryVersion) -> StoryText:
    return StoryText(
        case_ref,
        row.version,
        row.template_name,
        row.template_version,
        row.written_by,
        row.written_at,
        row.override,
        {s.section_code: s.text for s in row.sections},
    )


def _versions(case: Case) -> Select[StoryVersion]:
    return (
        select(StoryVersion)
        .where(StoryVersion.case_id == case.id)
        .options(selectinload(StoryVersion.sections))
        .order_by(StoryVersion.version)
    )


def latest_version(session: Session, user: User, case_ref: str) -> StoryText | None:
    """The newest version of the case's story, or None if none was written
    yet. NotFoundError if there is no such case that ``user`` may see."""
    case = require_case(session, user, case_ref)
    row = session.scalars(
        _versions(case).order_by(None).order_by(StoryVersion.version.desc()).limit(1)
    ).first()
    return _story_text(case_ref, row) if row else None


def get_version(
    session: Session, user: User, case_ref: str, version: int | None = None
) -> StoryText:
    """A given version (the latest when None); NotFoundError naming what is missing."""
    if version is None:
        story = latest_version(session, user, case_ref)
    else:
        case = require_case(session, user, case_ref)
        row = session.scalars(_versions(case).where(StoryVersion.version == version)).one_or_none()
        story = _story_text(case_ref, row) if row else None
    if story is None:
        what = "no story" if version is None else f"no version {version} of the story"
        raise NotFoundError(f"{what} for {case_ref!r} (see `altar story history {case_ref}`)")
    return story


def all_versions(session: Session, user: User, case_ref: str) -> list[StoryText]:
    case = require_case(session, user, case_ref)
    return [_story_text(case_ref, row) for row in session.scalars(_versions(case))]


def save_version(
    session: Session,
    user: User,
    case_ref: str,
    edited: Mapping[str, str],
    *,
    codes: Sequence[str],
    template: tuple[str, int],
    base_version: int | None,
    override: str | None,
    command: str,
) -> StoryText | None:
    """Store a new version: ``edited`` sections' text, the others' copied
    forward from the latest version, in the order of ``codes`` (the
    template's sections). Returns None, storing nothing, when no text
    changed. Each changed section is logged with its old and new text, and
    an override (identifying details kept on purpose) is logged too.

    ``base_version`` is the version the writer started from (0: none), when
    they worked outside this transaction (an editor): if someone saved a
    newer one meanwhile, ConflictError rather than overwriting their work.
    """
    case = require_case(session, user, case_ref)
    session.refresh(
        case, with_for_update=True
    )  # one writer at a time: the version numbers follow on
    actor = user.name
    previous = latest_version(session, user, case_ref)
    current = previous.version if previous else 0
    if base_version is not None and base_version != current:
        raise ConflictError(
            f"{case_ref}: someone saved version {current} of the story while you were "
            f"editing version {base_version}"
        )
    before = previous.sections if previous else {}
    after = {code: edited.get(code, before.get(code, "")) for code in codes}
    changed = [code for code in codes if after[code] != before.get(code, "")]
    if not changed and previous and (previous.template_name, previous.template_version) == template:
        return None
    row = StoryVersion(
        case_id=case.id,
        version=current + 1,
        template_name=template[0],
        template_version=template[1],
        written_by=actor,
        override=override,
    )
    row.sections = [
        StorySection(section_code=c, position=i, text=after[c]) for i, c in enumerate(codes)
    ]
    session.add(row)
    action = "update" if previous else "insert"
    for code in changed:
        audit.log(
            session,
            actor=actor,
            command=command,
            action=action,
            entity=ENTITY,
            case_ref=case_ref,
            field=code,
            old=before.get(code) if previous else None,
            new=after[code],
        )
    if override:
        audit.log(
            session,
            actor=actor,
            command=command,
            action=action,
            entity=ENTITY,
            case_ref=case_ref,
            field="override",
            new=override,
        )
    session.flush()
    return _story_text(case_ref, row)


@dataclass(frozen=True)
class HistoryRow:
    version: int
    written_by: str | None
    written_at: datetime
    template: str
    sections_changed: str
    override: str | None


def history(session: Session, user: User, case_ref: str) -> list[HistoryRow]:
    """Every version, oldest first, with the sections it changed from the one before."""
    rows: list[HistoryRow] = []
    before: dict[str, str] = {}
    for story in all_versions(session, user, case_ref):
        changed = [c for c, text in story.sections.items() if text != before.get(c, "")]
        changed += [c for c, text in before.items() if c not in story.sections and text]
        rows.append(
            HistoryRow(
                story.version,
                story.written_by,
                story.written_at.replace(microsecond=0),
                f"{story.template_name} v{story.template_version}",
                " ".join(changed),
                story.override,
            )
        )
        before = story.sections
    return rows


# --- template versions ------------------------------------------------------------------


def register_template(session: Session, name: str, version: int, digest: str) -> None:
    """Record a template version's digest the first time it is used; refuse
    a released version whose file has changed since (as for codebooks)."""
    key = f"story_template:{name}:v{version}"
    row = session.get(Meta, key)
    if row is None:
        session.add(Meta(key=key, value=digest))
    elif row.value != digest:
        raise CodebookError(
            f"story template {name} v{version} differs from the version already used in this "
            "database; release a new version instead of editing a released one"
        )


# --- the identifying-detail watch list -----------------------------------------------------


def watchlist(session: Session) -> Watchlist:
    """What the identifying-detail check looks for: altar's first names and this project's terms."""
    terms = session.execute(
        select(IdentifierTerm.kind, IdentifierTerm.digest, IdentifierTerm.term)
    ).all()
    return Watchlist(
        first_names=shipped_first_names(),
        name_digests=frozenset(digest for kind, digest, _ in terms if kind == "name"),
        schools=tuple(sorted(term for kind, _, term in terms if kind == "school" and term)),
    )


def _term_key(kind: str, term: str) -> tuple[str, str | None]:
    """(digest, what is stored as text): names only as a digest, schools as written."""
    if not normalise_name(term):
        raise ValidationError(f"{term!r} has no letters to look for")
    if kind == "name":
        return name_digest(term), None
    text = " ".join(term.split())
    if len(text) > TERM_MAX:
        raise ValidationError(f"a school name is at most {TERM_MAX} characters")
    return name_digest(text), text


def add_terms(
    session: Session, user: User, kind: str, terms: Iterable[str], *, command: str
) -> int:
    """Add names or school names to the watch list; returns how many were new.
    Anyone may: a longer list only makes the check stricter."""
    have = set(session.scalars(select(IdentifierTerm.digest).where(IdentifierTerm.kind == kind)))
    added = 0
    for term in terms:
        digest, text = _term_key(kind, term)
        if digest in have:
            continue
        have.add(digest)
        session.add(IdentifierTerm(kind=kind, digest=digest, term=text, added_by=user.name))
        audit.log(
            session,
            actor=user.name,
            command=command,
            action="insert",
            entity="identifier_term",
            case_ref=None,
            field=kind,
            new=text or digest,
        )
        added += 1
    return added


def remove_terms(
    session: Session, user: User, kind: str, terms: Sequence[str], *, command: str
) -> int:
    """Remove terms from the watch list, all or none: NotFoundError if any is
    not on it. A lead's or admin's (``Permission.TERMS``): it weakens the
    check for every story."""
    require(user, Permission.TERMS)
    keys = [_term_key(kind, term) for term in terms]
    stored = dict(
        session.execute(
            select(IdentifierTerm.digest, IdentifierTerm.id).where(IdentifierTerm.kind == kind)
        ).all()
    )
    missing = [term for term, (digest, _) in zip(terms, keys) if digest not in stored]
    if missing:
        raise NotFoundError(
            f"not on the {kind} list: {', '.join(repr(t) for t in missing)}; nothing was removed"
        )
    digests = {digest for digest, _ in keys}
    session.execute(
        delete(IdentifierTerm).where(IdentifierTerm.id.in_([stored[d] for d in digests]))
    )
    for digest, text in dict(keys).items():
        audit.log(
            session,
            actor=user.name,
            command=command,
            action="delete",
            entity="identifier_term",
            case_ref=None,
            field=kind,
            old=text or digest,
        )
    return len(digests)


@dataclass(frozen=True)
class TermRow:
    kind: str
    term: str
    added_by: str | None
    added_at: datetime


def list_terms(session: Session) -> tuple[list[TermRow], int]:
    """The school names (as written) and how many names: names themselves are never stored."""
    schools = [
        TermRow("school", term, by, at.replace(microsecond=0))
        for term, by, at in session.execute(
            select(IdentifierTerm.term, IdentifierTerm.added_by, IdentifierTerm.added_at)
            .where(IdentifierTerm.kind == "school")
            .order_by(IdentifierTerm.term)
        )
        if term is not None  # always, for a school (add_terms); watchlist skips None alike
    ]
    names = session.scalar(select(func.count()).where(IdentifierTerm.kind == "name")) or 0
    return schools, names
