"""The lead researcher's adversity statistics (``altar stats``): counts from
the database (``db.tallies``), turned into figures by the pure functions in
``altar.stats``, assembled into one typed document
(``altar.stats.document.StatsDocument``).

The document's JSON (its ``to_dict()``) is a published contract (outside
checks read it); reports read its attributes. See ``stats_document``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from sqlalchemy.orm import Session

from altar.baselines import Baseline
from altar.db import chronology, tallies
from altar.db.authorities import resolve_authority
from altar.db.tallies import ALL, CountDistribution, Filters, ScoreDistribution
from altar.instrument import Codebook, Item
from altar.stats import (
    BaselineComparison,
    ScoreSummary,
    compare_proportions,
    compare_with_baseline,
    holm,
    linear_by_linear,
    summarise_counts,
    summarise_score,
)
from altar.stats.document import (
    ChronologyFigures,
    CountFigures,
    GroupFigures,
    Headlines,
    InstrumentVersion,
    ItemBaseline,
    ItemComparison,
    ItemFigures,
    MeasureLabel,
    ScoreBaseline,
    ScoreTrend,
    StatsDocument,
)
from altar.stories.measures import (
    FACT_FIELDS,
    MEASURES,
    ChildMeasures,
    ChronologyFacts,
    measure_summary,
    measures_from_facts,
)
from altar.vocab import CODES

# Breakdowns whose groups have a natural order, with that order (least to
# most severe disposal for strata), so a trend test means something.
ORDERED = {"stratum": ("out_of_court", "community", "custody")}
HOLM_NOTE = (
    "p_holm: p-values adjusted for multiple testing across all items by Holm's step-down method"
)


@dataclass(frozen=True)
class Counts:
    """Everything read from the database for one breakdown."""

    sizes: dict[str, int]
    binary: Mapping[str, Mapping[str, Mapping[str, int]]]
    counts: Mapping[str, Mapping[str, CountDistribution]]
    scores: dict[str, dict[str, ScoreDistribution]]
    # group -> the measures of each child in it who has a chronology
    chronologies: dict[str, list[ChildMeasures]] = field(default_factory=dict)


def resolve_filters(session: Session, filters: Filters) -> Filters:
    """Accept an authority's code or display name, as everywhere else."""
    if filters.authority is None:
        return filters
    code = resolve_authority(session, filters.authority)
    return replace(filters, authority=code)


def read_counts(
    session: Session, book: Codebook, by: str, filters: Filters, chronologies: bool = False
) -> Counts:
    with tallies.scope(session, by, filters) as scope:
        answers = tallies.answer_counts(session, scope)
        scores = tallies.score_distributions(session, book.scores, scope)
        measures = read_chronologies(session, scope) if chronologies else {}
    return Counts(
        sizes=scope.sizes,
        binary=answers.binary,
        counts=answers.counts,
        scores=scores,
        chronologies=measures,
    )


def read_chronologies(session: Session, scope: tallies.Scope) -> dict[str, list[ChildMeasures]]:
    """Each child's chronology measures, by group, from one query that
    reduces the events of the children in scope to a row per child."""
    out: dict[str, list[ChildMeasures]] = {}
    for row in chronology.scoped_facts(session, scope):
        facts = ChronologyFacts(**{name: row._mapping[name] for name in FACT_FIELDS})
        out.setdefault(scope.groups[row.k], []).append(
            measures_from_facts(facts, row.age, row.screened_on)
        )
    return out


def stats_document(
    session: Session,
    book: Codebook,
    *,
    by: str = "stratum",
    filters: Filters = Filters(),  # noqa: B008 (frozen, so one shared default is safe)
    baselines: Sequence[Baseline] = (),
    chronologies: bool = False,
) -> StatsDocument:
    """The ``altar stats`` document for one breakdown (``to_dict()``: the
    ``--json`` output). With ``chronologies`` it has a ``chronology``
    section too (the measures derived from the children's chronologies; the
    reports, which do not show them, leave it out and the query it costs).
    It counts the children whose screening is complete, and with
    ``filters.counting`` those in progress too (``tallies.Counting``)."""
    counts = read_counts(session, book, by, filters, chronologies)
    order = group_order(by, filters, counts.sizes)
    groups = {g: group_figures(book, counts, g) for g in order}
    groups[ALL] = group_figures(book, _total(counts, order), ALL)
    return StatsDocument(
        instrument=InstrumentVersion(book.name, book.version),
        n_cases=groups[ALL].n,
        by=by,
        filters=filters.as_dict(),
        groups=groups,
        comparisons=compare_groups(book, groups, order),
        trends=score_trends(book, groups, by, order),
        baseline=baseline_comparisons(book, groups[ALL], baselines),
        notes=(
            "Proportions are 0..1. pct_known = yes / answered; pct_known_or_suspected = (yes + suspected) / "
            "answered; pct_all = yes / n, a lower bound because case files under-record. answered excludes "
            "unknown and unanswered items.",
            "ci95: Wilson score interval without continuity correction.",
            HOLM_NOTE,
        ),
        chronology=chronology_figures(counts, order) if chronologies else None,
        included=filters.counting.value,
        left_out=tallies.left_out(session, filters),
    )


CHRONOLOGY_NOTES = (
    "Chronology measures: children without a chronology, or for whom a measure cannot be computed (no "
    "offence, no children's social care event, age not known), are counted as missing, never as zero.",
    "First offence: the earliest offence, arrest, caution, court outcome or custody event. School moves and "
    "exclusions count only when certainly before it (same month, with either date known only to the month, "
    "does not count).",
    "Age at first contact with children's social care is approximate to within a year: age in whole years at "
    "screening less the time from the event to the screening; the true age lies between it and a year more.",
    "Quartiles by linear interpolation (Hyndman and Fan type 7: R's default, numpy.percentile).",
)


def chronology_figures(counts: Counts, order: Sequence[str]) -> ChronologyFigures:
    """The ``chronology`` section: per group (and all), children with a
    chronology and each derived measure's n, missing, median, quartiles,
    mean and range."""
    groups = {
        g: measure_summary(counts.chronologies.get(g, []), counts.sizes.get(g, 0)) for g in order
    }
    everyone = [child for g in order for child in counts.chronologies.get(g, [])]
    groups[ALL] = measure_summary(everyone, sum(counts.sizes.get(g, 0) for g in order))
    measures = {code: MeasureLabel(label, unit) for code, (label, unit) in MEASURES.items()}
    return ChronologyFigures(measures, groups, CHRONOLOGY_NOTES)


def group_order(by: str, filters: Filters, sizes: Mapping[str, int]) -> list[str]:
    """Fixed categories in their natural order (all of them, so an empty
    stratum shows as n = 0); other breakdowns list the groups present."""
    fixed = CODES.get(by)
    chosen = getattr(filters, by, None)
    if fixed is None:
        return sorted(sizes)
    return [g for g in fixed if chosen in (None, g) and (g in sizes or by in ("stratum", "cohort"))]


def group_figures(book: Codebook, counts: Counts, group: str) -> GroupFigures:
    n = counts.sizes.get(group, 0)
    items = {
        item.code: _binary_item(item, counts.binary.get(group, {}).get(item.code, {}), n)
        for item in book.items
        if item.type == "binary"
    }
    count_items = {
        item.code: _count_item(item, counts.counts.get(group, {}).get(item.code), n)
        for item in book.items
        if item.type == "count"
    }
    scores = {}
    for code, by_group in counts.scores.items():
        score = book.score(code.removesuffix("_incl_suspected"))
        dist = by_group.get(group, ScoreDistribution())
        scores[code] = summarise_score(
            _with_zero_scores(dist.freq, n), score.bands, dist.n_with_unknown
        )
    return GroupFigures(n, items, count_items, scores, _summary(scores, n))


def _binary_item(item: Item, answers: Mapping[str, int], n: int) -> ItemFigures:
    yes, suspected, no = (answers.get(a, 0) for a in ("yes", "suspected", "no"))
    stored = sum(answers.values())
    return ItemFigures(
        yes=yes,
        suspected=suspected,
        no=no,
        unknown=n - yes - suspected - no,
        not_answered=n - stored,
        protective=item.protective,
    )


def _count_item(item: Item, dist: CountDistribution | None, n: int) -> CountFigures:
    dist = dist or CountDistribution()
    stored = dist.unknown + sum(dist.freq.values())
    # Unanswered counts are unknown to the statistics, and said so.
    summary = summarise_counts(dist.freq, dist.unknown + (n - stored), item.thresholds)
    return CountFigures.of(summary, not_answered=n - stored)


def _with_zero_scores(freq: Mapping[int, int], n: int) -> dict[int, int]:
    # A screening with no answer rows at all scores 0 on every score.
    missing = n - sum(freq.values())
    return {**freq, 0: freq.get(0, 0) + missing} if missing > 0 else dict(freq)


def _summary(scores: Mapping[str, ScoreSummary], n: int) -> Headlines:
    """The headline counts a report states in words."""

    def band(code: str, label: str) -> int | None:
        score = scores.get(code)
        return None if score is None else score.bands.get(label)

    abuse_ks = scores.get("abuse_types_incl_suspected")
    return Headlines(
        abuse_types_4plus=band("abuse_types", "4+"),
        abuse_types_none=band("abuse_types", "0"),
        abuse_types_4plus_incl_suspected=band("abuse_types_incl_suspected", "4+"),
        abuse_types_none_incl_suspected=band("abuse_types_incl_suspected", "0"),
        ace_4plus=band("ace_score", "4+"),
        ace_none=band("ace_score", "0"),
        ace_4plus_incl_suspected=band("ace_score_incl_suspected", "4+"),
        ace_none_incl_suspected=band("ace_score_incl_suspected", "0"),
        any_abuse_incl_suspected=None if abuse_ks is None else n - abuse_ks.bands.get("0", 0),
    )


def _total(counts: Counts, order: Iterable[str]) -> Counts:
    """The ``all`` group: the breakdown's groups partition the cases, so sum them."""
    order = list(order)
    binary: dict[str, dict[str, int]] = {}
    for g in order:
        for code, answers in counts.binary.get(g, {}).items():
            for answer, n in answers.items():
                binary.setdefault(code, {}).setdefault(answer, 0)
                binary[code][answer] += n
    count_dists: dict[str, CountDistribution] = {}
    for g in order:
        for code, dist in counts.counts.get(g, {}).items():
            total = count_dists.setdefault(code, CountDistribution())
            total.unknown += dist.unknown
            _add(total.freq, dist.freq)
    scores: dict[str, dict[str, ScoreDistribution]] = {}
    for code, by_group in counts.scores.items():
        total_score = ScoreDistribution()
        for g in order:
            if g in by_group:
                _add(total_score.freq, by_group[g].freq)
                total_score.n_with_unknown += by_group[g].n_with_unknown
        scores[code] = {ALL: total_score}
    size = sum(counts.sizes.get(g, 0) for g in order)
    return Counts({ALL: size}, {ALL: binary}, {ALL: count_dists}, scores)


def _add(into: dict[int, int], freq: Mapping[int, int]) -> None:
    for value, n in freq.items():
        into[value] = into.get(value, 0) + n


def compare_groups(
    book: Codebook, groups: Mapping[str, GroupFigures], order: Sequence[str]
) -> tuple[ItemComparison, ...]:
    """Per binary item, known-or-suspected against no across the groups, with
    Holm-adjusted p-values over all items. A selection with no children
    has no groups, so nothing to compare."""
    if not order:
        return ()
    tested = []
    for item in book.items:
        if item.type != "binary":
            continue
        rows = [groups[g].items[item.code] for g in order]
        table = [[r.yes + r.suspected, r.no] for r in rows]
        tested.append((item, compare_proportions(table, labels=list(order))))
    adjusted = holm([result.p for _, result in tested])
    return tuple(
        ItemComparison(
            item.code, item.label, "known or suspected vs no (answered only)", result, p_holm
        )
        for (item, result), p_holm in zip(tested, adjusted)
    )


def score_trends(
    book: Codebook, groups: Mapping[str, GroupFigures], by: str, order: Sequence[str]
) -> tuple[ScoreTrend, ...]:
    """Do the score bands shift across ordered groups? Linear-by-linear
    association (Mantel), bands scored 0, 1, 2...; only where the groups have
    an order, or there are two of them."""
    ordered = [g for g in ORDERED.get(by, order if len(order) == 2 else ()) if g in order]
    if len(ordered) < 2:
        return tuple(
            ScoreTrend(s.code, unordered=f"the groups of '{by}' have no natural order")
            for s in book.scores
        )
    out = []
    for score in book.scores:
        for code in (score.code, f"{score.code}_incl_suspected"):
            table = [[groups[g].scores[code].bands[band] for band in score.bands] for g in ordered]
            out.append(
                ScoreTrend(code, tuple(ordered), tuple(score.bands), linear_by_linear(table))
            )
    return tuple(out)


def baseline_comparisons(
    book: Codebook, everyone: GroupFigures, baselines: Sequence[Baseline]
) -> tuple[ItemBaseline | ScoreBaseline, ...]:
    """Cohort prevalence against each general-population figure, item by item
    and for ACE score bands, with an exact binomial test."""
    out: list[ItemBaseline | ScoreBaseline] = []
    for baseline in baselines:
        for b_item in baseline.items:
            row = everyone.items.get(b_item.code)
            if row is None:
                continue
            p = b_item.prevalence
            known, known_or_suspected = (
                (None, None)
                if p is None
                else (
                    compare_with_baseline(row.yes, row.answered, p),
                    compare_with_baseline(row.yes + row.suspected, row.answered, p),
                )
            )
            out.append(
                ItemBaseline(
                    baseline=baseline.key,
                    item=b_item.code,
                    baseline_prevalence=p,
                    confirmed=b_item.confirmed,
                    note=b_item.note,
                    known=known,
                    known_or_suspected=known_or_suspected,
                    source_item=b_item.source_item,
                    mapping_note=b_item.mapping_note,
                    reason="not measured by this study: no baseline" if p is None else None,
                )
            )
        out += _score_baselines(book, everyone, baseline)
    return tuple(out)


def _score_baselines(
    book: Codebook, everyone: GroupFigures, baseline: Baseline
) -> list[ScoreBaseline]:
    out = []
    for code, figures in baseline.scores.items():
        if code not in everyone.scores:
            continue
        measured = figures.get("items_measured")
        targets = dict(figures.get("bands") or {})
        if figures.get("at_least_one") is not None:
            targets["1+"] = figures["at_least_one"]
        for label, p in targets.items():
            cohort_items = len(book.score(code).components)
            out.append(
                ScoreBaseline(
                    baseline=baseline.key,
                    item=f"{code} {label}",
                    baseline_prevalence=p,
                    confirmed=label not in (figures.get("unconfirmed") or ()),
                    note=None
                    if measured in (None, cohort_items)
                    else f"the study counted {measured} ACEs, the cohort's score counts {cohort_items}",
                    known=_band_test(everyone.scores[code], label, p),
                    known_or_suspected=_band_test(
                        everyone.scores[f"{code}_incl_suspected"], label, p
                    ),
                    items_measured=measured,
                    cohort_items=cohort_items,
                )
            )
    return out


def _band_test(dist: ScoreSummary, label: str, p: float) -> BaselineComparison:
    """The children in a score band ("1+": at least one) against a baseline share."""
    successes = dist.n - dist.bands["0"] if label == "1+" else dist.bands[label]
    return compare_with_baseline(successes, dist.n, p)


LONG_COLUMNS = (
    "group",
    "item",
    "label",
    "type",
    "protective",
    "n",
    "yes",
    "suspected",
    "no",
    "unknown",
    "not_answered",
    "answered",
    "pct_known",
    "ci95_low",
    "ci95_high",
    "pct_known_or_suspected",
    "ci95_ks_low",
    "ci95_ks_high",
    "pct_all",
    "n_known",
    "mean",
    "median",
    "min",
    "max",
)


def long_rows(doc: StatsDocument, book: Codebook) -> list[dict[str, str]]:
    """The tallies long-form (one row per group x item) for R, SPSS or Excel."""
    rows = []
    for group, figures in doc.groups.items():
        for item in book.items:
            base: dict[str, object] = {
                "group": group,
                "item": item.code,
                "label": item.label,
                "type": item.type,
                "protective": "yes" if item.protective else "no",
            }
            if item.type == "binary":
                t = figures.items[item.code]
                ci, ks = t.ci95 or (None, None), t.ci95_known_or_suspected or (None, None)
                base |= {
                    "n": t.n,
                    "yes": t.yes,
                    "suspected": t.suspected,
                    "no": t.no,
                    "unknown": t.unknown,
                    "not_answered": t.not_answered,
                    "answered": t.answered,
                    "pct_known": t.pct_known,
                    "pct_known_or_suspected": t.pct_known_or_suspected,
                    "pct_all": t.pct_all,
                    "ci95_low": ci[0],
                    "ci95_high": ci[1],
                    "ci95_ks_low": ks[0],
                    "ci95_ks_high": ks[1],
                }
            else:
                c = figures.counts[item.code]
                base |= {
                    "n": c.n,
                    "n_known": c.n_known,
                    "unknown": c.unknown,
                    "not_answered": c.not_answered,
                    "mean": c.mean,
                    "median": c.median,
                    "min": c.min,
                    "max": c.max,
                }
            rows.append({k: "" if v is None else str(v) for k, v in base.items()})
    return rows
