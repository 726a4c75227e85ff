"""Themes (the qualitative codebook) and the story passages tagged with them.

Functions take an open Session inside the caller's transaction; validation,
finding passages and the change log are the caller's (``altar.stories.themes``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Row, SQLColumnExpression, and_, delete, func, select
from sqlalchemy.orm import Session, aliased

from altar.access import User
from altar.db.models import Authority, Case, StorySection, StoryTag, StoryVersion, Theme
from altar.db.scope import case_filter
from altar.errors import NotFoundError


@dataclass(frozen=True)
class ThemeRow:
    code: str
    label: str
    description: str | None
    children: int  # children with at least one passage tagged
    extracts: int  # tagged passages


def themes(session: Session, user: User) -> list[ThemeRow]:
    """Every theme in code order, with how much it has been used on the
    cases ``user`` may see (a practitioner's own, never a deleted one)."""
    seen = (
        select(StoryTag.id, StoryTag.case_id, StoryTag.theme_code)
        .join(Case, Case.id == StoryTag.case_id)
        .where(case_filter(user))
        .subquery()
    )
    query = (
        select(
            Theme.code,
            Theme.label,
            Theme.description,
            func.count(func.distinct(seen.c.case_id)),
            func.count(seen.c.id),
        )
        .outerjoin(seen, seen.c.theme_code == Theme.code)
        .group_by(Theme.code, Theme.label, Theme.description)
        .order_by(Theme.code)
    )
    return [ThemeRow(*row) for row in session.execute(query)]


def theme_codes(session: Session) -> list[str]:
    return list(session.scalars(select(Theme.code).order_by(Theme.code)))


def get_theme(session: Session, code: str) -> Theme:
    theme = session.get(Theme, code)
    if theme is None:
        known = ", ".join(theme_codes(session)) or "none yet"
        raise NotFoundError(f"no theme {code!r} (themes: {known}; add one with `altar themes add`)")
    return theme


def latest_story(session: Session, case_id: int) -> StoryVersion | None:
    """The child's newest story version, with its sections."""
    return session.scalars(
        select(StoryVersion)
        .where(StoryVersion.case_id == case_id)
        .order_by(StoryVersion.version.desc())
        .limit(1)
    ).first()


def find_tag(
    session: Session, story_version_id: int, section: str, theme: str, start: int, end: int
) -> int | None:
    """The id of the same tag on the same passage, if there is one."""
    return session.scalars(
        select(StoryTag.id).where(
            StoryTag.story_version_id == story_version_id,
            StoryTag.section_code == section,
            StoryTag.theme_code == theme,
            StoryTag.start_offset == start,
            StoryTag.end_offset == end,
        )
    ).first()


def get_tag(session: Session, user: User, tag_id: int) -> StoryTag:
    """The tag, if ``user`` may see its case."""
    query = (
        select(StoryTag)
        .join(Case, Case.id == StoryTag.case_id)
        .where(StoryTag.id == tag_id, case_filter(user))
    )
    tag = session.scalars(query).one_or_none()
    if tag is None:
        raise NotFoundError(f"no tag {tag_id} (see `altar themes extracts`)")
    return tag


def delete_tag(session: Session, tag_id: int) -> None:
    session.execute(delete(StoryTag).where(StoryTag.id == tag_id))


def tags(session: Session, user: User, theme: str | None = None) -> list[Row]:
    """Tagged passages of the cases ``user`` may see by theme, then case, section, version and position:
    rows of id, theme, theme_label, case_ref, authority, stratum, section,
    version, start, end, extract, tagged_by, tagged_at, and
    ``latest_version`` with ``latest_text``, the same section in the child's
    latest story version (None when it has no such section), to tell whether
    the passage is still there."""
    tagged = aliased(StoryVersion)
    latest_no = (
        select(StoryVersion.case_id, func.max(StoryVersion.version).label("version"))
        .group_by(StoryVersion.case_id)
        .subquery()
    )
    latest = aliased(StoryVersion)
    latest_section = aliased(StorySection)
    query = (
        select(
            StoryTag.id,
            StoryTag.theme_code.label("theme"),
            Theme.label.label("theme_label"),
            Case.case_ref,
            Authority.code.label("authority"),
            Case.stratum,
            StoryTag.section_code.label("section"),
            tagged.version,
            StoryTag.start_offset.label("start"),
            StoryTag.end_offset.label("end"),
            StoryTag.extract,
            StoryTag.tagged_by,
            StoryTag.tagged_at,
            latest_no.c.version.label("latest_version"),
            latest_section.text.label("latest_text"),
        )
        .join(Theme, Theme.code == StoryTag.theme_code)
        .join(Case, Case.id == StoryTag.case_id)
        .join(Authority, Authority.id == Case.authority_id)
        .join(tagged, tagged.id == StoryTag.story_version_id)
        .join(latest_no, latest_no.c.case_id == StoryTag.case_id)
        .join(
            latest, and_(latest.case_id == StoryTag.case_id, latest.version == latest_no.c.version)
        )
        .outerjoin(
            latest_section,
            and_(
                latest_section.story_version_id == latest.id,
                latest_section.section_code == StoryTag.section_code,
            ),
        )
        .where(case_filter(user))
        .order_by(
            StoryTag.theme_code,
            Case.case_ref,
            StoryTag.section_code,
            tagged.version,
            StoryTag.start_offset,
            StoryTag.id,
        )
    )
    if theme:
        query = query.where(StoryTag.theme_code == theme)
    return list(session.execute(query))


def _group_column(by: str) -> SQLColumnExpression[str]:
    return Authority.code if by == "authority" else getattr(Case, by)


def tag_counts(session: Session, user: User, by: str) -> dict[tuple[str, str], tuple[int, int]]:
    """(theme, group) -> (children tagged, passages tagged), ``by`` a case
    attribute, over the cases ``user`` may see."""
    group = _group_column(by)
    query = (
        select(
            StoryTag.theme_code,
            group,
            func.count(func.distinct(StoryTag.case_id)),
            func.count(StoryTag.id),
        )
        .join(Case, Case.id == StoryTag.case_id)
        .join(Authority, Authority.id == Case.authority_id)
        .where(case_filter(user))
        .group_by(StoryTag.theme_code, group)
    )
    return {
        (theme, g): (children, extracts) for theme, g, children, extracts in session.execute(query)
    }


def storied_children(session: Session, user: User, by: str) -> dict[str, int]:
    """Group -> children with a story among the cases ``user`` may see: the
    base a theme's count is read against."""
    group = _group_column(by)
    query = (
        select(group, func.count(func.distinct(StoryVersion.case_id)))
        .join(Case, Case.id == StoryVersion.case_id)
        .join(Authority, Authority.id == Case.authority_id)
        .where(case_filter(user))
        .group_by(group)
    )
    return dict(session.execute(query).all())
