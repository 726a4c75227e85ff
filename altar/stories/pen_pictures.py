"""Pen-pictures: short anonymised portraits of children that the lead
researcher draws from the case stories for the published reports.

A pen-picture is linked to its case (so the researcher can find the story
it came from) but is published without the case reference, and only once
approved. Changing its text withdraws approval: what was approved is what
gets published. Every write is recorded in the change log, with the text
before and after, so an earlier wording is never lost.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from altar.access import Permission, User, require
from altar.db import audit
from altar.db import pen_pictures as store
from altar.db.authorities import resolve_authority
from altar.db.models import PenPicture, max_length, utcnow
from altar.db.scope import require_case
from altar.db.stories import watchlist
from altar.errors import ConflictError, FieldProblem, ValidationError
from altar.identifiers import describe, find_identifying_details

TITLE_MAX = max_length(PenPicture.__table__.c.title)
# About 300 words: a long paragraph or two, as the published pen-pictures
# of this kind of research run. Longer is a case story, and every extra
# detail makes a child easier to recognise.
BODY_MAX = 2000
COMMENT = "#"

GUIDANCE = f"""\
{COMMENT} Pen-picture of case {{case_ref}}
{COMMENT} A short anonymised portrait of the child drawn from the case story, published in
{COMMENT} the reports once approved. At most {BODY_MAX:,} characters (about 300 words).
{COMMENT} No names (the child's, family's, professionals' or schools'), no places, no dates
{COMMENT} and no case references: write "a boy of 15", "his mother", "a secondary school".
{COMMENT} Separate paragraphs with a blank line. Lines starting with {COMMENT} are left out.
{COMMENT} Save and close the editor to keep it; leave it empty to cancel.
"""


def editor_text(case_ref: str, body: str = "") -> str:
    """What the editor opens with: the guidance as comments, then the text."""
    return GUIDANCE.format(case_ref=case_ref) + "\n" + body + ("\n" if body else "")


def new_text(session: Session, user: User, case_ref: str) -> str:
    """The editor's starting text for a new pen-picture of a stored case
    (checked first, so nobody writes one they could not save)."""
    require(user, Permission.REGION)
    return editor_text(require_case(session, user, case_ref).case_ref)


def clean_text(text: str) -> str:
    """The text without comment lines, trailing spaces or runs of blank lines.

    >>> clean_text("# guidance\\nA boy of 15.  \\n\\n\\n\\nHe liked football.\\n")
    'A boy of 15.\\n\\nHe liked football.'
    """
    lines = [line.rstrip() for line in text.splitlines() if not line.lstrip().startswith(COMMENT)]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")


def paragraphs(body: str) -> tuple[str, ...]:
    """The body's paragraphs (blank-line separated), each on one line.

    >>> paragraphs("A boy\\nof 15.\\n\\nHe liked football.")
    ('A boy of 15.', 'He liked football.')
    """
    return tuple(" ".join(p.split()) for p in re.split(r"\n\s*\n", body) if p.strip())


def case_refs_in(text: str, refs: Iterable[str]) -> list[str]:
    """The case references that ``text`` contains, in any letter case, as
    whole references (``DUD-01`` is not found inside ``DUD-017``).

    >>> case_refs_in("Seen as dud-017, and as DUD-0170.", ["DUD-017", "DUD-01", "COV-2"])
    ['DUD-017']
    """
    folded = text.casefold()
    found = []
    for ref in refs:
        key = ref.casefold()
        start = folded.find(key)
        while start >= 0:
            end = start + len(key)
            if not (start and folded[start - 1].isalnum()) and not (
                end < len(folded) and folded[end].isalnum()
            ):
                found.append(ref)
                break
            start = folded.find(key, start + 1)
    return sorted(found)


def problems(title: str, body: str, own_ref: str, refs: Iterable[str]) -> list[FieldProblem]:
    """Everything wrong with a pen-picture's title and body, each with its field."""
    out = []
    if not title:
        out.append(FieldProblem("title", "a pen-picture needs a title"))
    elif len(title) > TITLE_MAX:
        out.append(FieldProblem("title", f"{len(title)} characters; at most {TITLE_MAX}"))
    if not body:
        out.append(FieldProblem("body", "the pen-picture is empty"))
    elif len(body) > BODY_MAX:
        out.append(
            FieldProblem(
                "body",
                f"{len(body):,} characters; a pen-picture has at most {BODY_MAX:,} (about 300 words): "
                "shorten it, and keep the detail in the case story",
            )
        )
    refs = list(refs)
    for name, text in (("title", title), ("body", body)):
        for ref in case_refs_in(text, refs):
            whose = (
                "this child's case reference"
                if ref == own_ref
                else "the case reference of another child"
            )
            out.append(
                FieldProblem(
                    name,
                    f"contains {ref!r}, {whose}; a published pen-picture never carries a case reference",
                )
            )
    return out


def list_pen_pictures(
    session: Session, user: User, *, approved: bool | None = None, authority: str | None = None
) -> list[store.PenPictureRow]:
    """Pen-pictures, all or only approved (``approved=True``) or drafts
    (``False``), of one authority's children (code or name) or all."""
    require(user, Permission.REGION)
    code = None
    if authority:
        code = resolve_authority(session, authority)
    return store.list_rows(session, user, approved=approved, authority=code)


def show(session: Session, user: User, picture_id: int) -> store.PenPictureRow:
    """One pen-picture with its case, for the lead researcher."""
    require(user, Permission.REGION)
    return store.get_row(session, user, picture_id)


def _check(session: Session, title: str, body: str, own_ref: str, what: str) -> None:
    """Refuse a pen-picture with any problem: unlike a story there is no
    --force for identifying details, since a pen-picture is published."""
    located = problems(title, body, own_ref, store.case_refs(session))
    findings = find_identifying_details({"title": title, "body": body}, watchlist(session))
    lines = [str(p) for p in located] + describe(findings)
    located += [
        FieldProblem(f.section, f"“{f.text}” on line {f.line} looks like {f.what}")
        for f in findings
    ]
    if lines:
        # The CLI prints the lines; a form writes each located problem above
        # its field ("title" or "body").
        raise ValidationError(
            f"{what}: {len(lines)} problem(s); nothing was saved", lines, located=located
        )


def _title(text: str) -> str:
    return " ".join(text.split())


def add(
    session: Session, user: User, case_ref: str, title: str, text: str, *, command: str
) -> store.PenPictureRow:
    """Store a new (unapproved) pen-picture of the case. ``text`` is the
    body as typed, comment lines and all."""
    require(user, Permission.REGION)
    case = require_case(session, user, case_ref)
    actor = user.name
    title, body = _title(title), clean_text(text)
    _check(session, title, body, case.case_ref, f"pen-picture of {case.case_ref} not added")
    picture = PenPicture(case_id=case.id, title=title, body=body, written_by=actor)
    session.add(picture)
    session.flush()
    audit.log(
        session,
        actor=actor,
        command=command,
        action="insert",
        entity="pen_picture",
        case_ref=case.case_ref,
        field=f"#{picture.id}",
        new=f"{title}\n\n{body}",
    )
    return store.get_row(session, user, picture.id)


@dataclass(frozen=True)
class Edited:
    """What an edit did: the pen-picture now, which fields changed, and
    whether that withdrew its approval."""

    picture: store.PenPictureRow
    changed: tuple[str, ...]
    withdrawn: bool


def edit(
    session: Session,
    user: User,
    picture_id: int,
    *,
    title: str | None = None,
    text: str | None = None,
    opened: str | None = None,
    command: str,
) -> Edited:
    """Change a pen-picture's title and/or body (``text``, as typed).
    ``opened`` is the body the editor was opened with: if someone changed it
    meanwhile, nothing is saved (``ConflictError``). Any change withdraws
    approval, since what is published must be what was approved."""
    require(user, Permission.REGION)
    picture = store.get(session, user, picture_id)
    if opened is not None and opened != picture.body:
        raise ConflictError(
            f"pen-picture {picture_id} was changed by someone else while you edited it"
        )
    case_ref, actor = store.get_row(session, user, picture_id).case_ref, user.name
    new = {
        "title": picture.title if title is None else _title(title),
        "body": picture.body if text is None else clean_text(text),
    }
    _check(session, new["title"], new["body"], case_ref, f"pen-picture {picture_id} not changed")
    changed = tuple(name for name in ("title", "body") if new[name] != getattr(picture, name))
    for name in changed:
        audit.log(
            session,
            actor=actor,
            command=command,
            action="update",
            entity="pen_picture",
            case_ref=case_ref,
            field=f"#{picture_id} {name}",
            old=getattr(picture, name),
            new=new[name],
        )
        setattr(picture, name, new[name])
    withdrawn = bool(changed) and _set_approval(
        session, picture, case_ref, False, actor=actor, command=command
    )
    session.flush()
    return Edited(store.get_row(session, user, picture_id), changed, withdrawn)


def set_approved(
    session: Session, user: User, picture_id: int, approved: bool, *, command: str
) -> tuple[store.PenPictureRow, bool]:
    """Approve a pen-picture for publication (``approved``) or withdraw its
    approval; returns it and whether anything changed. Approval checks the
    text again: a case or watched name added since may now be in it."""
    require(user, Permission.APPROVE)
    picture = store.get(session, user, picture_id)
    row = store.get_row(session, user, picture_id)
    if approved:
        _check(
            session,
            picture.title,
            picture.body,
            row.case_ref,
            f"pen-picture {picture_id} not approved",
        )
    changed = _set_approval(
        session, picture, row.case_ref, approved, actor=user.name, command=command
    )
    session.flush()
    return store.get_row(session, user, picture_id), changed


def _set_approval(
    session: Session,
    picture: PenPicture,
    case_ref: str,
    approved: bool,
    *,
    actor: str | None,
    command: str,
) -> bool:
    if (picture.approved_at is not None) == approved:
        return False
    before = _approval(picture)
    picture.approved_by, picture.approved_at = (
        (actor, utcnow().replace(microsecond=0)) if approved else (None, None)
    )
    audit.log(
        session,
        actor=actor,
        command=command,
        action="update",
        entity="pen_picture",
        case_ref=case_ref,
        field=f"#{picture.id} approved",
        old=before,
        new=_approval(picture),
    )
    return True


def _approval(picture: PenPicture) -> str | None:
    if picture.approved_at is None:
        return None
    return f"approved by {picture.approved_by or 'unrecorded'} at {picture.approved_at.isoformat(timespec='seconds')}"
