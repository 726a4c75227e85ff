"""What a report reads from the store, read once: the only database calls of
``altar.report``.

``read_region`` gathers everything the regional report and every summary
need; ``read_authority`` adds one filtered ``altar stats`` document for a
summary. Building a document from what is read is pure (``report.context``
and ``report.sections``), so the region is read once for the regional
report and all nine summaries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.orm import Session

from altar.analysis import stats_document
from altar.baselines import Baseline
from altar.db import tallies
from altar.db.authorities import authority_names, resolve_authority
from altar.db.pen_pictures import PublishedPenPicture, published
from altar.db.tallies import Counting, Filters, ScoreDistribution, StoreState
from altar.disclosure import Rule
from altar.errors import NotFoundError
from altar.instrument import Codebook
from altar.report.tables import ALL
from altar.stats.document import StatsDocument
from altar.vocab import CASE_ATTRIBUTES

MIGRATION_ITEMS = ("conflict_migration", "unaccompanied_asylum")
KNOWN_OR_SUSPECTED = ("yes", "suspected")


@dataclass(frozen=True)
class ReportOptions:
    """How to render: the disclosure rule (``Rule.off()`` for an
    unsuppressed working copy), the region's name, and the generated-at
    stamp (UTC; the only thing that differs between two renderings of the
    same data)."""

    generated_at: datetime
    rule: Rule = field(default_factory=Rule)
    region: str = "West Midlands"


@dataclass(frozen=True)
class RegionData:
    """Everything a report reads about the region, read once."""

    book: Codebook
    baselines: tuple[Baseline, ...]
    by_stratum: StatsDocument
    by_sex: StatsDocument | None
    by_ethnicity: StatsDocument | None
    cohort: dict[tuple, int]  # CASE_ATTRIBUTES -> children
    migrated: tuple[dict[str, int], dict[str, dict[str, ScoreDistribution]]] | None
    dates: dict[str, tuple[date, date]]  # "all" and each authority
    state: StoreState
    authorities: dict[str, str]  # code -> name, authorities with screened children
    pen_pictures: tuple[
        PublishedPenPicture, ...
    ] = ()  # approved pen-pictures (report.pen_pictures), in approval order
    counting: Counting = Counting.COMPLETE  # which screenings count (every document's)

    @property
    def synthetic(self) -> bool:
        return self.state.meta.get("synthetic") == "true"


def read_region(
    session: Session,
    book: Codebook,
    baselines: Sequence[Baseline] = (),
    *,
    full: bool = True,
    counting: Counting = Counting.COMPLETE,
) -> RegionData:
    """Three ``altar stats`` documents (by stratum; with ``full``, also by sex
    and by ethnicity, which only the regional report needs), one GROUP BY for
    the cohort's make-up, one pass for the children who migrated, and the
    store's dates and state, all over the screenings ``counting`` covers
    (complete ones unless the lead chose otherwise). A store with no such
    children has nothing to report (``NotFoundError``)."""
    region = Filters(counting=counting)
    by_stratum = stats_document(session, book, by="stratum", filters=region, baselines=baselines)
    if not by_stratum.n_cases:
        raise NotFoundError(
            "no screened children in the database: nothing to report"
            if not by_stratum.n_left_out
            else f"no complete screening in the database: nothing to report ({by_stratum.who_counts})"
        )
    by_sex = (
        stats_document(session, book, by="sex", filters=region, baselines=baselines)
        if full
        else None
    )
    by_ethnicity = (
        stats_document(session, book, by="ethnicity", filters=region, baselines=baselines)
        if full
        else None
    )
    migrated = (
        tallies.scores_by_answer(session, book.scores, MIGRATION_ITEMS, KNOWN_OR_SUSPECTED, region)
        if full
        else None
    )
    cohort = tallies.cross_tab(session, CASE_ATTRIBUTES, region)
    dates = tallies.screening_dates(session, by="authority", filters=region)
    everyone = tallies.screening_dates(session, filters=region).get(tallies.ALL)
    if everyone:
        dates[ALL] = everyone
    present = {key[0] for key in cohort}
    names = {code: name for code, name in authority_names(session).items() if code in present}
    return RegionData(
        book,
        tuple(baselines),
        by_stratum,
        by_sex,
        by_ethnicity,
        cohort,
        migrated,
        dates,
        tallies.store_state(session),
        dict(sorted(names.items())),
        read_published(session),
        counting,
    )


@dataclass(frozen=True)
class AuthorityData:
    code: str
    name: str
    doc: StatsDocument  # its ``altar stats --authority CODE`` document


def groups_of(doc: StatsDocument) -> list[str]:
    """The groups of an ``altar stats`` document (e.g. the strata), without all children."""
    return [g for g in doc.groups if g != ALL]


def read_authority(
    session: Session, book: Codebook, code: str, region: RegionData
) -> AuthorityData:
    """One filtered ``altar stats`` document for the authority."""
    doc = stats_document(
        session,
        book,
        by="stratum",
        filters=Filters(authority=code, counting=region.counting),
        baselines=region.baselines,
    )
    return AuthorityData(code, region.authorities.get(code, code), doc)


def resolve_authorities(session: Session, data: RegionData, names: Sequence[str]) -> list[str]:
    """Authority codes for codes or display names; each must have screened children."""
    codes = []
    for name in names:
        code = resolve_authority(session, name)
        if code not in data.authorities:
            raise NotFoundError(
                f"authority {code!r} has no screened children: there is nothing to summarise"
            )
        if code not in codes:
            codes.append(code)
    return codes


def read_published(session: Session) -> tuple[PublishedPenPicture, ...]:
    """Approved pen-pictures, in the order they were approved."""
    return tuple(published(session))
