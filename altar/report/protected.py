"""The protected figures several sections read: the region's
(:class:`RegionFigures`, shared by the regional report and every summary)
and one authority's (:class:`LocalFigures`), each protected once by
``altar.disclosure`` (``report.tables``) so that every section prints the
same withheld cells; and the rows they are built from (``item_specs``,
``headline``), taken from ``altar stats`` documents, never recomputed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from altar.disclosure import Rule
from altar.instrument import Item
from altar.report.data import AuthorityData, RegionData, groups_of
from altar.report.sections.cohort import cohort_cross
from altar.report.tables import (
    ALL,
    PrevalenceCell,
    PrevalenceTable,
    ProtectedCross,
    ProtectedPrevalence,
    RowSpec,
    Tally,
    prevalence_table,
)
from altar.stats.document import GroupFigures, StatsDocument
from altar.vocab import CASE_ATTRIBUTES, STRATUM_LABELS

HEADLINES = (
    ("any_abuse", "Known or suspected abuse (any type)"),
    ("abuse_4plus", "Four or more types of abuse, known or suspected"),
    ("ace_4plus", "Four or more ACEs, known or suspected"),
)


@dataclass(frozen=True)
class RegionFigures:
    """The region's protected figures, shared by the regional report and the summaries."""

    n: int
    strata: list[tuple[str, str]]
    items: ProtectedPrevalence  # every binary item, known or suspected, by stratum
    protective: ProtectedPrevalence  # protective items, known, by stratum
    headline: ProtectedPrevalence  # abuse and score headlines by stratum
    headline_specs: list[RowSpec]
    cohort: dict[str, ProtectedCross]  # attribute x stratum


def region_figures(data: RegionData, rule: Rule) -> RegionFigures:
    doc, book = data.by_stratum, data.book
    strata = [(g, STRATUM_LABELS.get(g, g)) for g in groups_of(doc)]
    sizes = {g: doc.groups[g].n for g, _ in strata}
    binary = [i for i in book.items if i.type == "binary"]
    items = prevalence_table(item_specs(doc, binary, strata), strata, sizes, rule)
    protective_items = [i for i in binary if i.protective]
    protective = prevalence_table(
        item_specs(doc, protective_items, strata, known=True), strata, sizes, rule
    )
    headline_specs = headline(doc, [g for g, _ in strata])
    head = prevalence_table(headline_specs, strata, sizes, rule)
    cohort = {
        attribute: cohort_cross(data, attribute, rule)
        for attribute in CASE_ATTRIBUTES
        if attribute != "stratum"  # the tables' columns
    }
    return RegionFigures(doc.n_cases, strata, items, protective, head, headline_specs, cohort)


@dataclass(frozen=True)
class LocalFigures:
    """One authority's protected figures (a single column, no all-children
    column): every binary item known or suspected, protective items known,
    and the headline measures."""

    code: str
    name: str
    items: ProtectedPrevalence
    protective: ProtectedPrevalence
    headline: ProtectedPrevalence


def local_figures(data: RegionData, local: AuthorityData, rule: Rule) -> LocalFigures:
    doc = local.doc
    me, sizes = [(local.code, local.name)], {local.code: doc.n_cases}
    binary = [i for i in data.book.items if i.type == "binary"]

    def table(specs: Sequence[RowSpec]) -> ProtectedPrevalence:
        return prevalence_table(
            [as_local(s, local.code) for s in specs], me, sizes, rule, with_all=False
        )

    protective_items = [i for i in binary if i.protective]
    return LocalFigures(
        local.code,
        local.name,
        table(item_specs(doc, binary, [])),
        table(item_specs(doc, protective_items, [], known=True)),
        table(headline(doc, [])),
    )


def item_specs(
    doc: StatsDocument,
    items: Sequence[Item],
    groups: Sequence[tuple[str, str]],
    *,
    known: bool = False,
) -> list[RowSpec]:
    """Rows of "children with the item (known or suspected; ``known``: yes
    only) of those whose records answer it", per group and for all, from the
    document."""
    specs = []
    for item in items:
        tallies_: dict[str, Tally] = {}
        for g in [*(k for k, _ in groups), ALL]:
            t = doc.groups[g].items[item.code]
            count = t.yes if known else t.yes + t.suspected
            ci = t.ci95 if known else t.ci95_known_or_suspected
            tallies_[g] = Tally(count, t.answered, ci)
        _check_partition(item.code, tallies_, groups)
        specs.append(RowSpec(item.code, item.label, item.protective, tallies_))
    return specs


def headline(doc: StatsDocument, groups: Sequence[str]) -> list[RowSpec]:
    """The research's headline measures, per group and for all: children with
    any abuse, with four or more types of abuse, with four or more ACEs (all
    known or suspected), of all the children in the group."""
    rows = []
    for code, label in HEADLINES:
        per: dict[str, Tally] = {}
        for g in [*groups, ALL]:
            figures_ = doc.groups[g]
            per[g] = Tally(_headline_count(code, figures_), figures_.n)
        rows.append(RowSpec(code, label, False, per))
    return rows


def _headline_count(code: str, figures_: GroupFigures) -> int:
    if code == "any_abuse":
        return figures_.summary.any_abuse_incl_suspected or 0
    if code == "abuse_4plus":
        return figures_.scores["abuse_types_incl_suspected"].bands["4+"]
    return figures_.scores["ace_score_incl_suspected"].bands["4+"]


def _check_partition(
    code: str, per: Mapping[str, Tally], groups: Sequence[tuple[str, str]]
) -> None:
    # The "all" column is printed as the row total of the groups: it must be their sum.
    if groups and (
        sum(per[g].count for g, _ in groups) != per[ALL].count
        or sum(per[g].base for g, _ in groups) != per[ALL].base
    ):
        raise ValueError(f"{code}: the groups do not add up to all children")


def as_local(spec: RowSpec, code: str) -> RowSpec:
    """A row for all children of an authority's document, as that authority's one column."""
    return RowSpec(spec.code, spec.label, spec.protective, {code: spec.tallies[ALL]})


def cell(table: ProtectedPrevalence, code: str, group: str) -> PrevalenceCell:
    """The printed cell of one item and group."""
    column = next(i for i, c in enumerate(table.view.columns) if c.key == group)
    row = next(r for r in table.view.rows if r.code == code)
    return row.cells[column]


def subset(table: ProtectedPrevalence, codes: Sequence[str]) -> PrevalenceTable:
    """Some of a protected table's rows, as printed (protected with all the others)."""
    rows = {r.code: r for r in table.view.rows}
    return PrevalenceTable(table.view.columns, tuple(rows[c] for c in codes))
