"""A practitioner's caseload: each case they may see with its screening
progress and how far its story and chronology have got (the web's cases
pages).

``altar case list`` keeps its own output (``cases.list_cases``); this adds
the story and chronology facts beside it without changing that.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from altar.access import User
from altar.db.cases import CaseSummary, list_cases
from altar.db.models import Authority, Case, ChronologyEvent, Screening, StoryVersion
from altar.db.scope import case_filter, require_case
from altar.db.tallies import progress
from altar.instrument import all_codebooks


@dataclass(frozen=True)
class CaseWork:
    """How far a case's writing has got: its story's latest version number
    (None: no story yet) and how many chronology events it has."""

    story_version: int | None
    chronology_events: int


@dataclass(frozen=True)
class CaseloadRow:
    """One case of a caseload: its summary (screening status, answered and
    unknown counts), how many items its screening has, and its CaseWork."""

    case: CaseSummary
    items: int
    work: CaseWork


# A page of the caseload: REDCap's record dashboard shows a hundred at a time
# too; a national study's lead would otherwise get one page of every case.
PER_PAGE = 100


@dataclass(frozen=True)
class CaseloadPage:
    """One page of a caseload: its rows, how many cases match in all, and
    which page of how many this is (1-based; ``pages`` is at least 1)."""

    rows: list[CaseloadRow]
    total: int
    page: int
    pages: int
    per_page: int

    @property
    def first(self) -> int:
        """The 1-based position of the page's first row (0 on an empty page)."""
        return (self.page - 1) * self.per_page + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1 if self.rows else 0


def case_work(session: Session, user: User, refs: list[str] | None = None) -> dict[str, CaseWork]:
    """{case_ref: CaseWork} for every case ``user`` may see (or only those
    in ``refs``), in one query whatever the caseload's size."""
    story = (
        select(func.max(StoryVersion.version))
        .where(StoryVersion.case_id == Case.id)
        .scalar_subquery()
    )
    events = (
        select(func.count(ChronologyEvent.id))
        .where(ChronologyEvent.case_id == Case.id)
        .scalar_subquery()
    )
    query = select(Case.case_ref, story, events).where(case_filter(user))
    if refs is not None:
        query = query.where(Case.case_ref.in_(refs))
    return {ref: CaseWork(version, count) for ref, version, count in session.execute(query)}


def caseload(
    session: Session,
    user: User,
    *,
    authority: str | None = None,
    stratum: str | None = None,
    status: str | None = None,
    case_ref: str | None = None,
) -> list[CaseloadRow]:
    """The cases ``user`` may see (a practitioner: their authority's), in
    case_ref order, filtered like ``altar case list``."""
    cases = list_cases(
        session, user, authority=authority, stratum=stratum, status=status, case_ref=case_ref
    )
    return _rows(cases, case_work(session, user, None if case_ref is None else [case_ref]))


def caseload_page(
    session: Session,
    user: User,
    *,
    page: int = 1,
    per_page: int = PER_PAGE,
    search: str = "",
    authority: str | None = None,
    stratum: str | None = None,
    status: str | None = None,
) -> CaseloadPage:
    """Page ``page`` of the caseload (a page past the end shows the last),
    filtered as ``caseload`` and to case references containing ``search``
    (in any letter case). The page is chosen in SQL, so only its own cases
    are tallied, however many the filters match."""
    query = _matching(
        user, authority=authority, stratum=stratum, status=status, search=search.strip()
    )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, ceil(total / per_page))
    page = min(max(1, page), pages)
    refs = list(
        session.scalars(query.order_by(Case.case_ref).offset((page - 1) * per_page).limit(per_page))
    )
    shown = list_cases(session, user, refs=refs) if refs else []
    return CaseloadPage(_rows(shown, case_work(session, user, refs)), total, page, pages, per_page)


def _matching(
    user: User, *, authority: str | None, stratum: str | None, status: str | None, search: str
) -> Select[str]:
    """The references of the cases ``user`` may see that the filters match."""
    query = (
        select(Case.case_ref)
        .join(Authority, Authority.id == Case.authority_id)
        .outerjoin(Screening, Screening.case_id == Case.id)
        .where(case_filter(user))
    )
    for column, value in (
        (Authority.code, authority),
        (Case.stratum, stratum),
        (progress(), status),
    ):
        if value:
            query = query.where(column == value)
    return query.where(Case.case_ref.icontains(search, autoescape=True)) if search else query


def _rows(cases: list[CaseSummary], work: dict[str, CaseWork]) -> list[CaseloadRow]:
    books = all_codebooks()
    latest = max(books)
    # A case with no screening yet would be screened with the newest codebook.
    return [
        CaseloadRow(c, len(books[c.instrument_version or latest].items), work[c.case_ref])
        for c in cases
    ]


def case_overview(session: Session, user: User, case_ref: str) -> CaseloadRow:
    """One case's row, or NotFoundError worded the same whether the case is
    another authority's or does not exist (``db.scope.require_case``)."""
    require_case(session, user, case_ref)
    return caseload(session, user, case_ref=case_ref)[0]
