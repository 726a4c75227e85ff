"""The counts the statistics need, computed in the database with GROUP BY
rather than by loading every answer into Python.

Every function takes a breakdown (which case attribute forms the groups)
and filters, and returns plain dictionaries of integers keyed by group code.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Integer, and_, case, func, literal, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement, Select

from altar.db.models import Answer, Authority, Case, Screening
from altar.instrument import Score

BREAKDOWNS = ("stratum", "authority", "cohort", "sex", "ethnicity")
ALL = "all"


@dataclass(frozen=True)
class Filters:
    authority: str | None = None
    stratum: str | None = None
    cohort: str | None = None

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in (("authority", self.authority), ("stratum", self.stratum),
                                  ("cohort", self.cohort)) if v}  # fmt: skip


def _group_column(by: str | None) -> ColumnElement[str]:
    if by is None:
        return literal(ALL)
    if by == "authority":
        return Authority.code
    if by not in BREAKDOWNS:
        raise ValueError(f"cannot break down by {by!r}; choose one of {', '.join(BREAKDOWNS)}")
    return getattr(Case, by)


def _scoped(query: Select, filters: Filters) -> Select:
    """Join cases to their authority and apply the filters."""
    query = query.join(Authority, Authority.id == Case.authority_id)
    if filters.authority:
        query = query.where(Authority.code == filters.authority)
    if filters.stratum:
        query = query.where(Case.stratum == filters.stratum)
    if filters.cohort:
        query = query.where(Case.cohort == filters.cohort)
    return query


def group_sizes(session: Session, by: str | None, filters: Filters) -> dict[str, int]:
    """Screened children per group."""
    group = _group_column(by)
    query = _scoped(select(group, func.count(Case.id)).select_from(Case).join(Screening), filters)
    return {g: n for g, n in session.execute(query.group_by(group))}


def _answers_by(by: str | None, filters: Filters, column: ColumnElement, where: ColumnElement[bool]) -> Select:
    """Children per group, item and ``column`` value, among answers matching ``where``."""
    group = _group_column(by)
    return _scoped(
        select(group, Answer.item_code, column, func.count())
        .select_from(Case).join(Screening).join(Answer, Answer.screening_id == Screening.id)
        .where(where),
        filters,
    ).group_by(group, Answer.item_code, column)  # fmt: skip


def binary_counts(session: Session, by: str | None, filters: Filters) -> dict[str, dict[str, dict[str, int]]]:
    """{group: {item_code: {answer: children}}} for every binary answer stored."""
    query = _answers_by(by, filters, Answer.value, Answer.value.is_not(None))
    out: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for g, code, value, n in session.execute(query):
        out[g][code][value] = n
    return out


@dataclass
class CountDistribution:
    freq: dict[int, int] = field(default_factory=dict)
    unknown: int = 0


def count_distributions(session: Session, by: str | None, filters: Filters) -> dict[str, dict[str, CountDistribution]]:
    """{group: {count item: value -> children, plus how many were unknown}}.

    Only count answers are read (binary answers have no count and a value);
    a count answer with no number is an unknown.
    """
    query = _answers_by(by, filters, Answer.count, Answer.value.is_(None))
    out: dict[str, dict[str, CountDistribution]] = defaultdict(lambda: defaultdict(CountDistribution))
    for g, code, count, n in session.execute(query):
        dist = out[g][code]
        if count is None:
            dist.unknown += n
        else:
            dist.freq[count] = n
    return out


@dataclass
class ScoreDistribution:
    freq: dict[int, int] = field(default_factory=dict)
    n_with_unknown: int = 0


def score_distributions(
    session: Session, scores: Sequence[Score], by: str | None, filters: Filters
) -> dict[str, dict[str, ScoreDistribution]]:
    """{score key: {group: score value -> children}} for every derived score,
    counted twice: on yes answers (key ``code``) and on yes-or-suspected
    answers (key ``code_incl_suspected``).

    Per screening, a component counts 1 when any of its items has such an
    answer; the score is the number of components present. A child with an
    unknown or unanswered item among the score's items is counted in
    ``n_with_unknown`` (their score is a lower bound). One pass over the
    answers computes every score.
    """
    per_screening, columns = _scores_per_screening(scores)
    group = _group_column(by)
    query = _scoped(
        select(group, *columns.values(), func.count())
        .select_from(Case).join(Screening).join(per_screening, per_screening.c.screening_id == Screening.id),
        filters,
    ).group_by(group, *columns.values())  # fmt: skip
    out: dict[str, dict[str, ScoreDistribution]] = {key: defaultdict(ScoreDistribution) for key in _keys(scores)}
    for row in session.execute(query):
        g, values, n = row[0], dict(zip(columns, row[1:-1])), row[-1]
        for score in scores:
            for key in (score.code, f"{score.code}_incl_suspected"):
                dist = out[key][g]
                dist.freq[int(values[key])] = dist.freq.get(int(values[key]), 0) + n
                dist.n_with_unknown += n if values[f"{score.code}_incomplete"] else 0
    return out


def _keys(scores: Sequence[Score]) -> list[str]:
    return [key for s in scores for key in (s.code, f"{s.code}_incl_suspected")]


def _scores_per_screening(scores: Sequence[Score]):  # type: ignore[no-untyped-def]
    def present(items: Sequence[str], answers: Sequence[str]) -> ColumnElement[int]:
        return func.max(case((and_(Answer.item_code.in_(items), Answer.value.in_(answers)), 1), else_=0))

    def total(score: Score, answers: Sequence[str]) -> ColumnElement[int]:
        parts = [present(c.any_of, answers) for c in score.components]
        return func.coalesce(sum(parts[1:], parts[0]), 0)

    columns: dict[str, ColumnElement] = {}
    for score in scores:
        determined = func.sum(
            case((and_(Answer.item_code.in_(score.items), Answer.value.in_(("yes", "suspected", "no"))), 1), else_=0)
        )
        columns[score.code] = total(score, ("yes",)).label(score.code)
        columns[f"{score.code}_incl_suspected"] = total(score, ("yes", "suspected")).label(f"{score.code}_ks")
        columns[f"{score.code}_incomplete"] = case(
            (func.coalesce(determined, 0) < len(score.items), 1), else_=0
        ).cast(Integer).label(f"{score.code}_inc")
    items = sorted({code for score in scores for code in score.items})
    # Screenings with no answer to any score item still score 0: left join,
    # reading only the score items' answers.
    subquery = (
        select(Screening.id.label("screening_id"), *columns.values())
        .select_from(Screening)
        .outerjoin(Answer, and_(Answer.screening_id == Screening.id, Answer.item_code.in_(items)))
        .group_by(Screening.id)
        .subquery()
    )
    return subquery, {key: subquery.c[col.name] for key, col in columns.items()}
