"""Section 2 of the regional report, "The children in the research"
(``regional/cohort.html``), and the authority summary's "The children"
(``authority/children.html``): the cohort's make-up, counted in the database
(``db.tallies.cross_tab``) and added up to the margins each table prints.

The region's tables are protected once (``protected.region_figures`` keeps
them), so a summary sets its own children beside exactly the regional
percentages the regional report prints.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from altar.disclosure import ProtectedCount, Rule, protect, suppress_table
from altar.report.data import RegionData, groups_of
from altar.report.display import AGE_BANDS, AGE_UNKNOWN, age_band
from altar.report.tables import (
    CountCell,
    CrossTable,
    Number,
    ProtectedCross,
    count_cell,
    cross_table,
    pct_number,
)
from altar.vocab import CASE_ATTRIBUTES, CODES, LABELS, STRATUM_LABELS

if TYPE_CHECKING:  # protected imports this module to build the region's cohort tables
    from altar.report.protected import RegionFigures

CAPTIONS = {
    "authority": "Children by local authority and stratum",
    "cohort": "Children by sample (main sample or gang-involved lens) and stratum",
    "sex": "Children by sex and stratum",
    "ethnicity": "Children by ethnicity and stratum",
    "age": "Children by age at screening and stratum",
}


@dataclass(frozen=True)
class TableBlock:
    """A cross-tabulation with its id (for links) and caption."""

    id: str
    caption: str
    table: CrossTable


def cohort_cross(data: RegionData, attribute: str, rule: Rule) -> ProtectedCross:
    """Children by one attribute (authority, sample, sex, ethnicity, age band) and stratum, protected as one table."""
    index = CASE_ATTRIBUTES.index(attribute)
    counts: Counter = Counter()
    for key, n in data.cohort.items():
        value = key[index]
        counts[(age_band(value) if attribute == "age" else value, key[1])] += n
    rows = _categories(data, attribute, {k[0] for k in counts})
    strata = [(g, STRATUM_LABELS.get(g, g)) for g in groups_of(data.by_stratum)]
    heading = {
        "authority": "Authority",
        "cohort": "Sample",
        "sex": "Sex",
        "ethnicity": "Ethnicity",
        "age": "Age at screening",
    }[attribute]
    return cross_table(counts, rows, strata, rule, row_heading=heading)


def _categories(data: RegionData, attribute: str, present: set) -> list[tuple[str, str]]:
    """The rows of a cohort table in their natural order, named for readers."""
    if attribute == "authority":
        return [
            (code, name)
            for code, name in sorted(data.authorities.items(), key=lambda kv: kv[1].lower())
        ]
    if attribute == "age":
        bands = [label for label, _, _ in AGE_BANDS] + [AGE_UNKNOWN]
        return [(b, b) for b in bands if b in present]
    order, labels = CODES[attribute], LABELS[attribute]
    return [(v, labels.get(v, v)) for v in order if v in present]


def cohort_blocks(region: RegionFigures) -> tuple[TableBlock, ...]:
    """The regional report's cohort tables, each with its caption."""
    return tuple(
        TableBlock(f"cohort-{key}", CAPTIONS[key], cross.view)
        for key, cross in region.cohort.items()
    )


# --- an authority's children -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DistributionRow:
    label: str
    local: CountCell
    region: Number


@dataclass(frozen=True)
class Distribution:
    """One attribute of the authority's children (e.g. sex), beside the region's percentages."""

    title: str
    rows: tuple[DistributionRow, ...]
    total: CountCell


def distributions(
    data: RegionData, region: RegionFigures, code: str, rule: Rule
) -> list[Distribution]:
    """The authority's children attribute by attribute, each protected as one
    column with its total, beside the region's percentages (from the
    regional report's own protected tables)."""
    out = []
    titles = {
        "stratum": "Stratum",
        "cohort": "Sample",
        "sex": "Sex",
        "ethnicity": "Ethnicity",
        "age": "Age at screening",
    }
    for attribute in CASE_ATTRIBUTES[1:]:  # all but authority: the summary is one authority's
        index = CASE_ATTRIBUTES.index(attribute)
        counts: Counter = Counter()
        for key, n in data.cohort.items():
            if key[0] == code:
                value = key[index]
                counts[age_band(value) if attribute == "age" else value] += n
        if attribute == "stratum":
            rows = [(g, STRATUM_LABELS.get(g, g)) for g in groups_of(data.by_stratum)]
            regional = {g: region.cohort["authority"].column_total(g) for g, _ in rows}
        else:
            cross = region.cohort[attribute]
            rows = [(r.key, r.label) for r in cross.view.rows]
            regional = {k: cross.row_total(k) for k, _ in rows}
        table = suppress_table(
            [[counts.get(k, 0)] for k, _ in rows],
            [k for k, _ in rows],
            [code],
            rule=rule,
            row_totals=False,
            column_totals=True,
            percent_of="column",
        )
        out.append(
            Distribution(
                titles[attribute],
                tuple(
                    DistributionRow(
                        label,
                        count_cell(table.cell(k, code), rule),
                        _region_pct(regional[k], region, rule),
                    )
                    for k, label in rows
                ),
                count_cell(table.column_total(code), rule),
            )
        )
    return out


def _region_pct(fig: ProtectedCount, region: RegionFigures, rule: Rule) -> Number:
    """A regional total as a percentage of all the region's children (withheld with the total)."""
    if fig.suppressed:
        return Number(rule.symbol, True)
    total = region.cohort["authority"].grand_total()
    return pct_number(protect(fig.count, total.count, rule, protect_complement=False), rule)
