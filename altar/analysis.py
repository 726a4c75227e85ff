"""The lead researcher's adversity statistics (``altar stats``): counts from
the database (``db.tallies``), turned into figures by the pure functions in
``altar.stats``, assembled into one JSON-ready document.

The document's shape is a published contract (reports and outside checks
read it); see ``stats_document``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from altar.baselines import Baseline
from altar.capture.values import parse_authority
from altar.db import chronology, tallies
from altar.db.cases import authority_lookup
from altar.db.tallies import ALL, CountDistribution, Filters, ScoreDistribution
from altar.errors import ValidationError
from altar.instrument import Codebook, Item
from altar.stats import (
    BinaryTally,
    compare_proportions,
    compare_with_baseline,
    holm,
    linear_by_linear,
    summarise_counts,
    summarise_score,
)
from altar.stories.measures import (
    FACT_FIELDS,
    MEASURES,
    ChildMeasures,
    ChronologyFacts,
    measures_from_facts,
    summarise_measures,
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
    try:
        code = parse_authority(filters.authority, authority_lookup(session))
    except ValueError as exc:
        raise ValidationError(f"--authority {filters.authority!r}: {exc}") from None
    return Filters(authority=code, stratum=filters.stratum, cohort=filters.cohort)


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
) -> dict:
    """The ``altar stats --json`` document for one breakdown. With
    ``chronologies`` it has a ``chronology`` section too (the measures
    derived from the children's chronologies; the reports, which do not
    show them, leave it out and the query it costs)."""
    counts = read_counts(session, book, by, filters, chronologies)
    order = group_order(by, filters, counts.sizes)
    groups = {g: group_figures(book, counts, g) for g in order}
    groups[ALL] = group_figures(book, _total(counts, order), ALL)
    return {
        "instrument": {"name": book.name, "version": book.version},
        "n_cases": groups[ALL]["n"],
        "by": by,
        "filters": filters.as_dict(),
        "groups": groups,
        "comparisons": compare_groups(book, groups, order),
        "trends": score_trends(book, groups, by, order),
        "baseline": baseline_comparisons(book, groups[ALL], baselines),
        "notes": [
            "Proportions are 0..1. pct_known = yes / answered; pct_known_or_suspected = (yes + suspected) / "
            "answered; pct_all = yes / n, a lower bound because case files under-record. answered excludes "
            "unknown and unanswered items.",
            "ci95: Wilson score interval without continuity correction.",
            HOLM_NOTE,
        ],
    } | ({"chronology": chronology_figures(counts, order)} if chronologies else {})


CHRONOLOGY_NOTES = [
    "Chronology measures: children without a chronology, or for whom a measure cannot be computed (no "
    "offence, no children's social care event, age not known), are counted as missing, never as zero.",
    "First offence: the earliest offence, arrest, caution, court outcome or custody event. School moves and "
    "exclusions count only when certainly before it (same month, with either date known only to the month, "
    "does not count).",
    "Age at first contact with children's social care is approximate to within a year: age in whole years at "
    "screening less the time from the event to the screening; the true age lies between it and a year more.",
    "Quartiles by linear interpolation (Hyndman and Fan type 7: R's default, numpy.percentile).",
]


def chronology_figures(counts: Counts, order: Sequence[str]) -> dict:
    """The ``chronology`` section: per group (and all), children with a
    chronology and each derived measure's n, missing, median, quartiles,
    mean and range."""
    groups = {
        g: summarise_measures(counts.chronologies.get(g, []), counts.sizes.get(g, 0)) for g in order
    }
    everyone = [child for g in order for child in counts.chronologies.get(g, [])]
    groups[ALL] = summarise_measures(everyone, sum(counts.sizes.get(g, 0) for g in order))
    measures = {code: {"label": label, "unit": unit} for code, (label, unit) in MEASURES.items()}
    return {"measures": measures, "groups": groups, "notes": CHRONOLOGY_NOTES}


def group_order(by: str, filters: Filters, sizes: Mapping[str, int]) -> list[str]:
    """Fixed categories in their natural order (all of them, so an empty
    stratum shows as n = 0); other breakdowns list the groups present."""
    fixed = CODES.get(by)
    chosen = getattr(filters, by, None)
    if fixed is None:
        return sorted(sizes)
    return [g for g in fixed if chosen in (None, g) and (g in sizes or by in ("stratum", "cohort"))]


def group_figures(book: Codebook, counts: Counts, group: str) -> dict:
    n = counts.sizes.get(group, 0)
    items = {}
    for item in book.items:
        if item.type == "binary":
            items[item.code] = _binary_item(
                item, counts.binary.get(group, {}).get(item.code, {}), n
            )
    figures: dict = {
        "n": n,
        "items": items,
        "counts": {
            item.code: _count_item(item, counts.counts.get(group, {}).get(item.code), n)
            for item in book.items
            if item.type == "count"
        },
    }
    for code, by_group in counts.scores.items():
        score = book.score(code.removesuffix("_incl_suspected"))
        dist = by_group.get(group, ScoreDistribution())
        figures[code] = summarise_score(
            _with_zero_scores(dist.freq, n), score.bands, dist.n_with_unknown
        ).to_dict()
    figures["summary"] = _summary(figures, n)
    return figures


def _binary_item(item: Item, answers: Mapping[str, int], n: int) -> dict:
    yes, suspected, no = (answers.get(a, 0) for a in ("yes", "suspected", "no"))
    stored = sum(answers.values())
    tally = BinaryTally(yes=yes, suspected=suspected, no=no, unknown=n - yes - suspected - no)
    return {**tally.to_dict(), "not_answered": n - stored, "protective": item.protective}


def _count_item(item: Item, dist: CountDistribution | None, n: int) -> dict:
    dist = dist or CountDistribution()
    stored = dist.unknown + sum(dist.freq.values())
    # Unanswered counts are unknown to the statistics, and said so.
    summary = summarise_counts(dist.freq, dist.unknown + (n - stored), item.thresholds).to_dict()
    return {**summary, "not_answered": n - stored}


def _with_zero_scores(freq: Mapping[int, int], n: int) -> dict[int, int]:
    # A screening with no answer rows at all scores 0 on every score.
    missing = n - sum(freq.values())
    return {**freq, 0: freq.get(0, 0) + missing} if missing > 0 else dict(freq)


def _summary(figures: dict, n: int) -> dict:
    """The headline counts a report states in words."""
    abuse, abuse_ks = figures.get("abuse_types", {}), figures.get("abuse_types_incl_suspected", {})
    ace, ace_ks = figures.get("ace_score", {}), figures.get("ace_score_incl_suspected", {})
    return {
        "abuse_types_4plus": abuse.get("4+"),
        "abuse_types_none": abuse.get("0"),
        "abuse_types_4plus_incl_suspected": abuse_ks.get("4+"),
        "abuse_types_none_incl_suspected": abuse_ks.get("0"),
        "ace_4plus": ace.get("4+"),
        "ace_none": ace.get("0"),
        "ace_4plus_incl_suspected": ace_ks.get("4+"),
        "ace_none_incl_suspected": ace_ks.get("0"),
        "any_abuse_incl_suspected": None if not abuse_ks else n - abuse_ks.get("0", 0),
    }


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


def compare_groups(book: Codebook, groups: Mapping[str, dict], order: Sequence[str]) -> list[dict]:
    """Per binary item, known-or-suspected against no across the groups, with
    Holm-adjusted p-values over all items. A selection with no children
    has no groups, so nothing to compare."""
    results: list[dict] = []
    if not order:
        return results
    for item in book.items:
        if item.type != "binary":
            continue
        rows = [groups[g]["items"][item.code] for g in order]
        table = [[r["yes"] + r["suspected"], r["no"]] for r in rows]
        result = compare_proportions(table, labels=list(order)).to_dict()
        results.append(
            {
                "item": item.code,
                "label": item.label,
                "measure": "known or suspected vs no (answered only)",
                **result,
            }
        )
    for entry, adjusted in zip(results, holm([r["p"] for r in results])):
        entry["p_holm"] = adjusted
    return results


def score_trends(
    book: Codebook, groups: Mapping[str, dict], by: str, order: Sequence[str]
) -> list[dict]:
    """Do the score bands shift across ordered groups? Linear-by-linear
    association (Mantel), bands scored 0, 1, 2...; only where the groups have
    an order, or there are two of them."""
    ordered = [g for g in ORDERED.get(by, order if len(order) == 2 else ()) if g in order]
    if len(ordered) < 2:
        return [
            {
                "score": s.code,
                "test": "not_testable",
                "reason": f"the groups of '{by}' have no natural order",
            }
            for s in book.scores
        ]
    out = []
    for score in book.scores:
        for code in (score.code, f"{score.code}_incl_suspected"):
            table = [[groups[g][code][band] for band in score.bands] for g in ordered]
            result = linear_by_linear(table).to_dict()
            out.append({"score": code, "groups": ordered, "bands": list(score.bands), **result})
    return out


def baseline_comparisons(
    book: Codebook, everyone: dict, baselines: Sequence[Baseline]
) -> list[dict]:
    """Cohort prevalence against each general-population figure, item by item
    and for ACE score bands, with an exact binomial test."""
    out = []
    for baseline in baselines:
        for b_item in baseline.items:
            if b_item.code not in everyone["items"]:
                continue
            row = everyone["items"][b_item.code]
            entry = {
                "baseline": baseline.key,
                "item": b_item.code,
                "source_item": b_item.source_item,
                "baseline_prevalence": b_item.prevalence,
                "confirmed": b_item.confirmed,
                "mapping_note": b_item.mapping_note,
                "note": b_item.note,
            }
            if b_item.prevalence is None:
                entry["reason"] = "not measured by this study: no baseline"
            else:
                for name, successes in (
                    ("known", row["yes"]),
                    ("known_or_suspected", row["yes"] + row["suspected"]),
                ):
                    entry[name] = compare_with_baseline(
                        successes, row["answered"], b_item.prevalence
                    ).to_dict()
            out.append(entry)
        out += _score_baselines(book, everyone, baseline)
    return out


def _score_baselines(book: Codebook, everyone: dict, baseline: Baseline) -> list[dict]:
    out = []
    for code, figures in baseline.scores.items():
        if code not in everyone:
            continue
        measured = figures.get("items_measured")
        targets = dict(figures.get("bands") or {})
        if figures.get("at_least_one") is not None:
            targets["1+"] = figures["at_least_one"]
        for label, p in targets.items():
            cohort_items = len(book.score(code).components)
            entry = {
                "baseline": baseline.key,
                "item": f"{code} {label}",
                "baseline_prevalence": p,
                "confirmed": label not in (figures.get("unconfirmed") or ()),
                "items_measured": measured,
                "cohort_items": cohort_items,
                "note": None
                if measured in (None, cohort_items)
                else f"the study counted {measured} ACEs, the cohort's score counts {cohort_items}",
            }
            for name, key in (("known", code), ("known_or_suspected", f"{code}_incl_suspected")):
                dist = everyone[key]
                successes = dist["n"] - dist["0"] if label == "1+" else dist[label]
                entry[name] = compare_with_baseline(successes, dist["n"], p).to_dict()
            out.append(entry)
    return out


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


def long_rows(doc: dict, book: Codebook) -> list[dict[str, str]]:
    """The tallies long-form (one row per group x item) for R, SPSS or Excel."""
    rows = []
    for group, figures in doc["groups"].items():
        for item in book.items:
            base = {
                "group": group,
                "item": item.code,
                "label": item.label,
                "type": item.type,
                "protective": "yes" if item.protective else "no",
            }
            if item.type == "binary":
                t = figures["items"][item.code]
                ci, ks = t["ci95"] or [None, None], t["ci95_known_or_suspected"] or [None, None]
                base |= {
                    k: t[k]
                    for k in (
                        "n",
                        "yes",
                        "suspected",
                        "no",
                        "unknown",
                        "not_answered",
                        "answered",
                        "pct_known",
                        "pct_known_or_suspected",
                        "pct_all",
                    )
                }
                base |= {
                    "ci95_low": ci[0],
                    "ci95_high": ci[1],
                    "ci95_ks_low": ks[0],
                    "ci95_ks_high": ks[1],
                }
            else:
                c = figures["counts"][item.code]
                base |= {
                    k: c[k]
                    for k in (
                        "n",
                        "n_known",
                        "unknown",
                        "not_answered",
                        "mean",
                        "median",
                        "min",
                        "max",
                    )
                }
            rows.append({k: "" if v is None else str(v) for k, v in base.items()})
    return rows
