"""Sections 4 and 5 of the regional report, "Wider adversity" and
"Attachment and resilience" (``regional/wider.html``,
``regional/attachment.html``): the instrument's groups of items beyond the
ACEs, group by group, by stratum; count items (e.g. secondary schools
attended) as medians and thresholds; and protective factors, shown apart
from adversity and counted as known only."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from altar.disclosure import Rule, protect
from altar.instrument import Item
from altar.report import charts
from altar.report.charts import ChartView
from altar.report.data import RegionData
from altar.report.display import ALL_LABEL, interval, number
from altar.report.protected import RegionFigures, item_specs, subset
from altar.report.tables import (
    ALL,
    BLANK,
    Number,
    PrevalenceCell,
    PrevalenceTable,
    count_number,
    denominator_number,
    pct_number,
)
from altar.stats.document import StatsDocument


@dataclass(frozen=True)
class CountItem:
    """A count item (e.g. secondary schools attended): children with a known
    value, their median, and the share at or above each threshold."""

    label: str
    known: Number
    base: Number
    median: Number
    range: str
    thresholds: tuple[tuple[str, PrevalenceCell], ...]


@dataclass(frozen=True)
class GroupBlock:
    """One group of the instrument: its items by group of children, a chart, and any count items."""

    code: str
    title: str
    description: str
    table: PrevalenceTable
    chart: ChartView | None
    counts: tuple[CountItem, ...]


def wider(data: RegionData, region: RegionFigures, rule: Rule) -> tuple[GroupBlock, ...]:
    """Every group of the instrument but the ACEs (section 3) and attachment and resilience (section 5)."""
    return tuple(
        _block(
            data,
            region,
            rule,
            g.code,
            g.title,
            g.description,
            [i for i in g.items if i.type == "binary"],
            [i for i in g.items if i.type == "count"],
        )
        for g in data.book.groups
        if g.code not in ("ace", "attachment_resilience")
    )


def attachment(data: RegionData, region: RegionFigures, rule: Rule) -> GroupBlock:
    """Attachment and resilience: its adversities (its protective items are in ``protective``)."""
    book = data.book
    ar = (
        book.group("attachment_resilience")
        if "attachment_resilience" in {g.code for g in book.groups}
        else None
    )
    ar_items = [i for i in (ar.items if ar else ()) if i.type == "binary" and not i.protective]
    return _block(
        data,
        region,
        rule,
        "attachment",
        ar.title if ar else "Attachment",
        ar.description if ar else "",
        ar_items,
        [],
    )


def protective(data: RegionData, region: RegionFigures) -> GroupBlock:
    """Protective factors, known (yes) only, by stratum."""
    protective_items = [i for i in data.book.items if i.type == "binary" and i.protective]
    protective_specs = item_specs(data.by_stratum, protective_items, region.strata, known=True)
    return GroupBlock(
        "protective",
        "Protective factors",
        "",
        region.protective.view,
        charts.prevalence(
            "Protective factors recorded (known)",
            region.protective,
            protective_specs,
            [*region.strata, (ALL, ALL_LABEL)],
            measure="known",
        )
        if protective_items
        else None,
        (),
    )


def _block(
    data: RegionData,
    region: RegionFigures,
    rule: Rule,
    code: str,
    title: str,
    description: str,
    items: Sequence[Item],
    counts: Sequence[Item],
) -> GroupBlock:
    doc, strata = data.by_stratum, region.strata
    specs = item_specs(doc, items, strata)
    view = subset(region.items, [i.code for i in items])
    chart = (
        charts.prevalence(title, region.items, specs, [*strata, (ALL, ALL_LABEL)])
        if items
        else None
    )
    return GroupBlock(code, title, description, view, chart, tuple(count_items(doc, counts, rule)))


def count_items(doc: StatsDocument, items: Sequence[Item], rule: Rule) -> list[CountItem]:
    """Count items for all children: the median is printed only over a base
    the rule allows a percentage for, the range (which names one child's
    value) only in an unsuppressed copy."""
    out = []
    for item in items:
        c = doc.groups[ALL].counts[item.code]
        base = protect(c.n_known, c.n, rule, protect_complement=False)
        thresholds = []
        for step in c.at_or_above:
            fig = protect(step["n"], c.n_known, rule)
            ci = interval(step["ci95"]) if fig.pct is not None else ""
            thresholds.append(
                (
                    f"{step['threshold']} or more",
                    PrevalenceCell(
                        count_number(fig), denominator_number(fig, rule), pct_number(fig, rule), ci
                    ),
                )
            )
        enough = not rule.enabled or c.n_known >= rule.min_denominator
        median = (
            BLANK
            if c.median is None
            else Number(f"{c.median:g}")
            if enough
            else Number(rule.symbol, True)
        )
        spread = "" if c.min is None or rule.enabled else f"{c.min}\u2013{c.max}"
        out.append(
            CountItem(
                item.label,
                count_number(base),
                Number(number(c.n)),
                median,
                spread,
                tuple(thresholds),
            )
        )
    return out
