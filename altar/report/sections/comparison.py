"""Sections 3 and 4 of an authority's summary, "Key figures beside the
region" and "Every item beside the region" (``authority/figures.html``,
``authority/items.html``): the authority's protected figures next to the
region's, as tables and as two charts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from altar.report import charts
from altar.report.charts import ChartView
from altar.report.data import RegionData
from altar.report.protected import LocalFigures, RegionFigures, cell
from altar.report.tables import ALL, PrevalenceCell, ProtectedPrevalence

WIDER_IN_CHART = 10  # the region's most prevalent wider adversities drawn beside the authority's


@dataclass(frozen=True)
class ComparisonRow:
    code: str
    label: str
    protective: bool
    local: PrevalenceCell
    region: PrevalenceCell


@dataclass(frozen=True)
class ComparisonGroup:
    title: str
    rows: tuple[ComparisonRow, ...]


def _row(
    code: str,
    label: str,
    protective: bool,
    mine: ProtectedPrevalence,
    theirs: ProtectedPrevalence,
    local: str,
) -> ComparisonRow:
    return ComparisonRow(code, label, protective, cell(mine, code, local), cell(theirs, code, ALL))


def headline_rows(region: RegionFigures, mine: LocalFigures) -> tuple[ComparisonRow, ...]:
    """The headline measures (any abuse, four or more types, four or more ACEs), authority and region."""
    return tuple(
        _row(s.code, s.label, False, mine.headline, region.headline, mine.code)
        for s in region.headline_specs
    )


def item_groups(
    data: RegionData, region: RegionFigures, mine: LocalFigures
) -> tuple[ComparisonGroup, ...]:
    """Every binary item, group by group of the instrument, authority and region."""
    groups = []
    for g in data.book.groups:
        rows = tuple(
            _row(
                i.code,
                i.label,
                i.protective,
                mine.protective if i.protective else mine.items,
                region.protective if i.protective else region.items,
                mine.code,
            )
            for i in g.items
            if i.type == "binary"
        )
        if rows:
            groups.append(ComparisonGroup(g.title, rows))
    return tuple(groups)


def comparison_charts(
    data: RegionData, region: RegionFigures, mine: LocalFigures, region_name: str
) -> tuple[ChartView, ChartView]:
    """Key figures (the headlines and the ten ACEs), and the region's most
    prevalent wider adversities, each with the authority beside the region."""
    binary = [i for i in data.book.items if i.type == "binary"]
    n_local = mine.headline.sizes[mine.code]
    n_region = region.headline.sizes[ALL]
    ace_items = [i for i in binary if i.group == "ace"]
    wider_items = sorted(
        (i for i in binary if i.group != "ace" and not i.protective),
        key=lambda i: -(region.items.figures[(i.code, ALL)].pct or 0),
    )[:WIDER_IN_CHART]

    def chart(
        title: str, rows: Iterable[tuple[str, ProtectedPrevalence, ProtectedPrevalence, str]]
    ) -> ChartView:
        return charts.comparison(
            title,
            [
                (label, mine_.values[(code, mine.code)], theirs.values[(code, ALL)])
                for code, mine_, theirs, label in rows
            ],
            mine.name,
            region_name,
            local_n=None if n_local.suppressed else n_local.count,
            region_n=None if n_region.suppressed else n_region.count,
        )

    key_chart = chart(
        f"Key figures: {mine.name} and the {region_name}",
        [(s.code, mine.headline, region.headline, s.label) for s in region.headline_specs]
        + [(i.code, mine.items, region.items, i.label) for i in ace_items],
    )
    wider_chart = chart(
        f"Wider adversity: {mine.name} and the {region_name}",
        [(i.code, mine.items, region.items, i.label) for i in wider_items],
    )
    return key_chart, wider_chart
