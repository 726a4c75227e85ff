"""The counts the statistics need, computed in the database with GROUP BY
rather than by loading every answer into Python.

Every function takes a breakdown (which case attribute forms the groups)
and filters, and returns plain dictionaries of integers keyed by group code.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Column,
    Integer,
    MetaData,
    Table,
    case,
    func,
    literal,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement, Select, SQLColumnExpression

from altar.db.models import Answer, Authority, Case, ChangeLog, Meta, Screening, ScreeningScore
from altar.instrument import Score
from altar.vocab import BREAKDOWNS, CASE_ATTRIBUTES

ALL = "all"


class Counting(StrEnum):
    """Which children the figures count. A child counts once their screening
    is complete: a half-entered screening reads as a child with every
    unanswered item unknown, and a case added but not yet screened as a child
    with no adversity, so either would change the published figures (issue
    17). The lead may choose to count screenings in progress too; the
    completeness view looks at every screening, whatever its progress."""

    COMPLETE = "complete"
    COMPLETE_AND_IN_PROGRESS = "complete_and_in_progress"
    EVERY = "every"

    @classmethod
    def chosen(cls, include_in_progress: bool) -> Counting:
        """What the figures count, as the ``--include-in-progress`` flag chooses."""
        return cls.COMPLETE_AND_IN_PROGRESS if include_in_progress else cls.COMPLETE


@dataclass(frozen=True)
class Filters:
    authority: str | None = None
    stratum: str | None = None
    cohort: str | None = None
    counting: Counting = Counting.COMPLETE

    def as_dict(self) -> dict[str, str]:
        return {
            k: v
            for k, v in (
                ("authority", self.authority),
                ("stratum", self.stratum),
                ("cohort", self.cohort),
            )
            if v
        }


def _group_column(by: str | None) -> SQLColumnExpression[str]:
    if by is None:
        return literal(ALL)
    if by == "authority":
        return Authority.code
    if by not in BREAKDOWNS:
        raise ValueError(f"cannot break down by {by!r}; choose one of {', '.join(BREAKDOWNS)}")
    return getattr(Case, by)


def _scoped(query: Select, filters: Filters) -> Select:
    """Join cases to their authority and apply the filters; deleted cases
    are never counted."""
    query = query.join(Authority, Authority.id == Case.authority_id).where(
        Case.deleted_at.is_(None)
    )
    if filters.authority:
        query = query.where(Authority.code == filters.authority)
    if filters.stratum:
        query = query.where(Case.stratum == filters.stratum)
    if filters.cohort:
        query = query.where(Case.cohort == filters.cohort)
    return query


def counted(counting: Counting) -> ColumnElement[bool]:
    """The screenings ``counting`` covers, as a condition on ``Screening``:
    the one place the figures choose their children (every tally below goes
    through ``_counted``). In progress is as ``progress`` has it: something
    answered but not complete."""
    if counting is Counting.EVERY:
        return true()
    complete = Screening.status == "complete"
    if counting is Counting.COMPLETE:
        return complete
    return or_(complete, _answered())


def _counted(query: Select, filters: Filters) -> Select:
    """``_scoped``, keeping only the screenings the figures count (a query
    that joins cases to their screening)."""
    return _scoped(query, filters).where(counted(filters.counting))


def group_sizes(session: Session, by: str | None, filters: Filters) -> dict[str, int]:
    """Screened children per group."""
    group = _group_column(by)
    query = _counted(select(group, func.count(Case.id)).select_from(Case).join(Screening), filters)
    return dict(session.execute(query.group_by(group)).all())


@dataclass(frozen=True)
class Scope:
    """The screened children a breakdown covers, materialised as a temporary
    table of (screening id, group number): the passes over answers and
    scores then look each child up by integer key, one step instead of a
    chain of joins through cases and authorities (half the cost of the
    tallies at 100,000 children).

    Each child also carries a ``weight`` in the ``word`` of its group, for
    counting every group in one integer sum (see ``unpack``)."""

    table: Table
    groups: tuple[str, ...]
    sizes: dict[str, int]

    @property
    def width(self) -> int:
        """Bits per group's count: enough for its largest group."""
        return max(self.sizes.values(), default=0).bit_length()

    @property
    def per_word(self) -> int:
        """Groups counted in one 64-bit sum (63 bits: SQLite's are signed)."""
        return max(63 // max(self.width, 1), 1)

    @property
    def words(self) -> int:
        return -(-len(self.groups) // self.per_word)

    def weight(self, k: int) -> tuple[int, int]:
        """Group ``k``'s word and what one child adds to it."""
        return k // self.per_word, 1 << (k % self.per_word * self.width)

    def unpack(self, sums: Sequence[int]) -> list[int]:
        """Each group's count from the sums of its word's weights: a group's
        count never exceeds its size, so it stays in its own bits."""
        mask = (1 << self.width) - 1
        return [
            (int(sums[k // self.per_word]) >> (k % self.per_word * self.width)) & mask
            for k in range(len(self.groups))
        ]


@contextmanager
def scope(session: Session, by: str | None, filters: Filters) -> Iterator[Scope]:
    sizes = group_sizes(session, by, filters)
    groups = tuple(sorted(sizes))
    table = Table(
        "altar_scope",
        MetaData(),
        Column("screening_id", Integer, primary_key=True),
        Column("k", Integer),
        Column("word", Integer),
        Column("weight", BigInteger),
        prefixes=["TEMPORARY"],
    )
    connection = session.connection()
    table.drop(connection, checkfirst=True)  # left by an interrupted run on a pooled connection
    table.create(connection)
    found = Scope(table, groups, sizes)

    def column(of: dict[str, int]) -> ColumnElement[int]:
        return case(of, value=_group_column(by), else_=-1) if of else literal(-1)

    words = {g: found.weight(k) for k, g in enumerate(groups)}
    query = _counted(
        select(
            Screening.id,
            column({g: k for k, g in enumerate(groups)}),
            column({g: word for g, (word, _) in words.items()}),
            column({g: weight for g, (_, weight) in words.items()}),
        )
        .select_from(Case)
        .join(Screening),
        filters,
    )
    connection.execute(table.insert().from_select(["screening_id", "k", "word", "weight"], query))
    try:
        yield found
    finally:
        table.drop(connection)


@dataclass
class CountDistribution:
    freq: dict[int, int] = field(default_factory=dict)
    unknown: int = 0


@dataclass(frozen=True)
class AnswerCounts:
    """binary: {group: {item: {answer: children}}}; counts: {group: {count
    item: distribution}}."""

    binary: dict[str, dict[str, dict[str, int]]]
    counts: dict[str, dict[str, CountDistribution]]


def answer_counts(session: Session, scope: Scope) -> AnswerCounts:
    """Children per group, item and answer, for every answer stored, in one
    pass over the answers.

    The groups are columns rather than a GROUP BY key, so the database reads
    the answers in the order of their covering index (item, value, count)
    and never sorts them; and they are bit fields of a few sums of the
    children's weights (``Scope.unpack``) rather than one conditional sum
    each, one addition per answer (a third of the time at 100,000 children).
    """
    c = scope.table.c
    words = (
        [func.sum(c.weight)]
        if scope.words == 1
        else [func.sum(case((c.word == w, c.weight), else_=0)) for w in range(scope.words)]
    )
    binary: dict = defaultdict(lambda: defaultdict(dict))
    counts: dict = defaultdict(lambda: defaultdict(CountDistribution))
    if not scope.groups:
        return AnswerCounts(binary, counts)
    query = (
        select(Answer.item_code, Answer.value, Answer.count, *words)
        .join(scope.table, c.screening_id == Answer.screening_id)
        .group_by(Answer.item_code, Answer.value, Answer.count)
    )
    for code, value, count, *sums in session.execute(query):
        for g, n in zip(scope.groups, scope.unpack(sums)):
            if not n:
                continue
            if value is not None:
                binary[g][code][value] = n
            elif count is None:  # a count item answered "unknown"
                counts[g][code].unknown += n
            else:
                counts[g][code].freq[count] = n
    return AnswerCounts(binary, counts)


@dataclass
class ScoreDistribution:
    freq: dict[int, int] = field(default_factory=dict)
    n_with_unknown: int = 0


def score_distributions(
    session: Session, scores: Sequence[Score], scope: Scope
) -> dict[str, dict[str, ScoreDistribution]]:
    """{score key: {group: score value -> children}} for every derived score,
    counted twice: on yes answers (key ``code``) and on yes-or-suspected
    answers (key ``code_incl_suspected``), from the scores stored with each
    screening (``screening_score``). ``n_with_unknown``: children with an
    unknown or unanswered item among the score's items (a lower bound)."""
    s, k = ScreeningScore, scope.table.c.k
    query = (
        select(k, s.score_code, s.on_yes, s.on_yes_or_suspected, s.incomplete, func.count())
        .join(scope.table, scope.table.c.screening_id == s.screening_id)
        .where(s.score_code.in_([score.code for score in scores]))
        .group_by(k, s.score_code, s.on_yes, s.on_yes_or_suspected, s.incomplete)
    )
    out: dict[str, dict[str, ScoreDistribution]] = {
        key: defaultdict(ScoreDistribution) for key in _keys(scores)
    }
    for number, code, on_yes, on_either, incomplete, n in session.execute(query):
        g = scope.groups[number]
        for key, value in ((code, on_yes), (f"{code}_incl_suspected", on_either)):
            dist = out[key][g]
            dist.freq[value] = dist.freq.get(value, 0) + n
            dist.n_with_unknown += n if incomplete else 0
    return out


def _keys(scores: Sequence[Score]) -> list[str]:
    return [key for s in scores for key in (s.code, f"{s.code}_incl_suspected")]


# --- What the reports read besides the statistics (``altar.report``) -----------


def _attribute(name: str) -> SQLColumnExpression:
    """A case attribute a cross-tabulation may use: any breakdown, or age."""
    if name == "age":
        return Case.age
    if name not in BREAKDOWNS:
        raise ValueError(
            f"cannot cross-tabulate by {name!r}; choose one of {', '.join(CASE_ATTRIBUTES)}"
        )
    return _group_column(name)


def cross_tab(
    session: Session, attributes: Sequence[str], filters: Filters = Filters()
) -> dict[tuple, int]:
    """Screened children by several case attributes at once: {(value, value,
    ...): children}, in the order of ``attributes`` (each a breakdown, or
    ``age``). One GROUP BY in the database; only combinations that occur are
    returned (a missing one is a true zero); an unknown age is None.

    A report reads its whole cohort description in one call (authority x
    stratum x cohort x sex x ethnicity x age: a few thousand rows at most)
    and adds up the margins it prints.
    """
    columns = [_attribute(a) for a in attributes]
    query = _counted(
        select(*columns, func.count(Case.id)).select_from(Case).join(Screening), filters
    )
    return {tuple(row[:-1]): row[-1] for row in session.execute(query.group_by(*columns))}


def screening_dates(
    session: Session, by: str | None = None, filters: Filters = Filters()
) -> dict[str, tuple[date, date]]:
    """The first and last screening dates per group ({ALL: ...} when ``by`` is None)."""
    group = _group_column(by)
    query = _counted(
        select(group, func.min(Screening.screened_on), func.max(Screening.screened_on))
        .select_from(Case)
        .join(Screening),
        filters,
    ).group_by(group)
    return {g: (_as_date(first), _as_date(last)) for g, first, last in session.execute(query)}


def _as_date(value: date | str) -> date:
    # SQLite hands back aggregates of a DATE column as text.
    return date.fromisoformat(value) if isinstance(value, str) else value


@dataclass(frozen=True)
class StoreState:
    """How far the store has got: its newest change-log entry (every insert
    and amendment writes one, so this moves whenever the data do) and its
    meta facts (e.g. that it is a SYNTHETIC demonstration database)."""

    latest_change_id: int | None
    latest_change_at: datetime | None
    meta: dict[str, str]


def store_state(session: Session) -> StoreState:
    """Two index look-ups and the small meta table: cheap at any size."""
    latest = session.execute(
        select(ChangeLog.id, ChangeLog.at).order_by(ChangeLog.id.desc()).limit(1)
    ).first()
    meta = dict(session.execute(select(Meta.key, Meta.value)).all())
    return StoreState(latest[0] if latest else None, latest[1] if latest else None, meta)


def scores_by_answer(
    session: Session,
    scores: Sequence[Score],
    items: Sequence[str],
    values: Sequence[str],
    filters: Filters = Filters(),
) -> tuple[dict[str, int], dict[str, dict[str, ScoreDistribution]]]:
    """Score distributions for two groups: children with any of ``items``
    answered with one of ``values`` (group ``"with"``) and the rest
    (``"without"``). Returns ({group: children}, {score key: {group:
    ScoreDistribution}}), keys as in ``score_distributions``. One pass over
    the stored scores; membership is one primary-key probe per child."""
    member = (
        select(Answer.screening_id)
        .where(
            Answer.screening_id == Screening.id,
            Answer.item_code.in_(items),
            Answer.value.in_(values),
        )
        .exists()
    )
    group = case((member, "with"), else_="without")
    s = ScreeningScore
    query = _counted(
        select(group, s.score_code, s.on_yes, s.on_yes_or_suspected, s.incomplete, func.count())
        .select_from(Case)
        .join(Screening)
        .join(s, s.screening_id == Screening.id)
        .where(s.score_code.in_([score.code for score in scores])),
        filters,
    ).group_by(group, s.score_code, s.on_yes, s.on_yes_or_suspected, s.incomplete)
    out: dict[str, dict[str, ScoreDistribution]] = {
        key: defaultdict(ScoreDistribution) for key in _keys(scores)
    }
    sizes: dict[str, int] = {"with": 0, "without": 0}
    first = scores[0].code if scores else None
    for g, code, on_yes, on_either, incomplete, n in session.execute(query):
        if code == first:
            sizes[g] += n
        for key, value in ((code, on_yes), (f"{code}_incl_suspected", on_either)):
            dist = out[key][g]
            dist.freq[value] = dist.freq.get(value, 0) + n
            dist.n_with_unknown += n if incomplete else 0
    return sizes, out


# --- How far the screenings have got (the lead researcher's completeness view) ---

PROGRESS = ("complete", "in_progress", "not_started")


def progress() -> ColumnElement[str]:
    """A case's screening progress in SQL (``db.cases.progress`` in Python), for
    a query of cases outer-joined to their screening: ``complete`` as stored,
    ``in_progress`` once anything is answered, else ``not_started``."""
    return case(
        (Screening.status == "complete", "complete"),
        (_answered(), "in_progress"),
        else_="not_started",
    )


def _answered() -> ColumnElement[bool]:
    return select(Answer.screening_id).where(Answer.screening_id == Screening.id).exists()


def screening_progress(
    session: Session, filters: Filters = Filters()
) -> dict[tuple[str, str, str], int]:
    """Live cases by authority, stratum and how far their screening has got:
    {(authority code, stratum, progress): cases}, progress one of PROGRESS.

    A screening is ``complete`` as stored (every item answered); a case with
    no screening, or a screening with no answer yet, is ``not_started``
    (nothing has been entered, whatever the stored status says); the rest are
    ``in_progress``. One GROUP BY; combinations with no case are left out."""
    rows = _scoped(
        select(
            Authority.code.label("authority"),
            Case.stratum.label("stratum"),
            progress().label("progress"),
        )
        .select_from(Case)
        .outerjoin(Screening, Screening.case_id == Case.id),
        filters,
    ).subquery()
    query = select(rows.c.authority, rows.c.stratum, rows.c.progress, func.count()).group_by(
        rows.c.authority, rows.c.stratum, rows.c.progress
    )
    return {(a, s, p): n for a, s, p, n in session.execute(query)}


def left_out(session: Session, filters: Filters) -> dict[str, int]:
    """Live cases in the filters that the figures do not count, by how far
    their screening has got ({progress: cases}, zeros included): what a
    document says it left out and why."""
    if filters.counting is Counting.EVERY:
        return {}
    found = screening_progress(session, filters)
    out = (
        ("in_progress", "not_started")
        if filters.counting is Counting.COMPLETE
        else ("not_started",)
    )
    return {p: sum(n for (_, _, q), n in found.items() if q == p) for p in out}
