"""Report tables: counts protected by ``altar.disclosure``, laid out as the
templates print them.

Every count of children a report prints is a :class:`Number` made here from
a protected :class:`~altar.disclosure.ProtectedCount`, so a template cannot print an
unprotected count by accident: a view holds the text to print and whether it
is withheld (``class="suppressed"`` in the HTML), never the true value.

Two shapes of table:

- a **cross-tabulation** (e.g. children by authority and stratum, or score
  band and stratum) with row and column totals, protected as one table with
  secondary suppression, percentages of each column;
- a **prevalence table** (items down, groups across, then all children):
  each item is protected as its own small table of children *with* and
  *without* the item (known or suspected, against no) in each group, with
  the group totals (children whose records answer it) and the all-children
  column as margins, so that neither a withheld count nor its complement
  can be worked out from the totals. The percentages and 95% intervals are
  the ``altar stats`` document's; an interval is printed only beside a
  percentage that is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from altar.charts.bars import Prevalence
from altar.disclosure import ProtectedCount, Rule, Table, suppress_table
from altar.report.display import ALL_LABEL, interval


@dataclass(frozen=True)
class Number:
    """One printed figure: its text, and whether it is withheld (printed with ``class="suppressed"``)."""

    text: str
    withheld: bool = False


BLANK = Number("")


def count_number(fig: ProtectedCount) -> Number:
    return Number(fig.shown, fig.suppressed)


def pct_number(fig: ProtectedCount, rule: Rule) -> Number:
    withheld = (
        fig.pct is None and rule.enabled and fig.pct_shown in (rule.symbol, rule.low_base_symbol)
    )
    return Number(fig.pct_shown, withheld)


def denominator_number(fig: ProtectedCount, rule: Rule) -> Number:
    return Number(fig.denominator_shown, rule.enabled and fig.denominator_shown == rule.symbol)


@dataclass(frozen=True)
class CountCell:
    """A count with its percentage (of its column, or of its base)."""

    count: Number
    pct: Number


def count_cell(fig: ProtectedCount, rule: Rule) -> CountCell:
    return CountCell(count_number(fig), pct_number(fig, rule))


@dataclass(frozen=True)
class Column:
    """A column heading: the group's key, name and number of children."""

    key: str
    label: str
    n: Number


@dataclass(frozen=True)
class CrossRow:
    key: str
    label: str
    cells: tuple[CountCell, ...]
    total: CountCell


@dataclass(frozen=True)
class CrossTable:
    """Children by two attributes, with totals; percentages are of each column."""

    row_heading: str
    columns: tuple[Column, ...]
    rows: tuple[CrossRow, ...]
    totals: CrossRow

    @property
    def withheld(self) -> bool:
        """Whether any figure is withheld (the table then needs the symbol key)."""
        cells = [c for row in (*self.rows, self.totals) for c in (*row.cells, row.total)]
        return any(c.count.withheld or c.pct.withheld for c in cells) or any(
            c.n.withheld for c in self.columns
        )


@dataclass(frozen=True)
class ProtectedCross:
    """A cross-tabulation's view and its protected figures (for charts and sentences)."""

    view: CrossTable
    table: Table

    def cell(self, row: str, column: str) -> ProtectedCount:
        return self.table.cell(row, column)

    def column_total(self, column: str) -> ProtectedCount:
        return self.table.column_total(column)

    def row_total(self, row: str) -> ProtectedCount:
        return self.table.row_total(row)

    def grand_total(self) -> ProtectedCount:
        if self.table.grand_total is None:  # never from cross_table, which asks for both totals
            raise KeyError("this table has no grand total")
        return self.table.grand_total


def cross_table(
    counts: Mapping[tuple[str, str], int],
    rows: Sequence[tuple[str, str]],
    columns: Sequence[tuple[str, str]],
    rule: Rule,
    *,
    row_heading: str,
    total_label: str = ALL_LABEL,
) -> ProtectedCross:
    """``counts`` {(row key, column key): children} as a protected table;
    ``rows`` and ``columns`` are (key, label) in display order. A pair
    missing from ``counts`` is a true zero."""
    row_keys, col_keys = [k for k, _ in rows], [k for k, _ in columns]
    grid = [[counts.get((r, c), 0) for c in col_keys] for r in row_keys]
    table = suppress_table(
        grid,
        row_keys,
        col_keys,
        rule=rule,
        row_totals=True,
        column_totals=True,
        percent_of="column",
    )
    assert (
        table.row_totals is not None
        and table.column_totals is not None
        and table.grand_total is not None
    )
    view = CrossTable(
        row_heading=row_heading,
        columns=tuple(
            Column(k, label, count_number(table.column_total(k))) for k, label in columns
        ),
        rows=tuple(
            CrossRow(
                r,
                label,
                tuple(count_cell(table.cell(r, c), rule) for c in col_keys),
                count_cell(table.row_total(r), rule),
            )
            for r, label in rows
        ),
        totals=CrossRow(
            "total",
            total_label,
            tuple(count_cell(table.column_total(c), rule) for c in col_keys),
            count_cell(table.grand_total, rule),
        ),
    )
    return ProtectedCross(view, table)


@dataclass(frozen=True)
class PrevalenceCell:
    """Children with an item of those whose records answer it: "52 of 105",
    "49.5%", and the 95% interval "40.1-58.9" (empty when not printed)."""

    count: Number
    answered: Number
    pct: Number
    ci: str


@dataclass(frozen=True)
class ItemRow:
    code: str
    label: str
    protective: bool
    cells: tuple[PrevalenceCell, ...]


@dataclass(frozen=True)
class PrevalenceTable:
    """Items down, groups across (the last column: all children).
    ``measure`` says what is counted ("known or suspected", or "known" for
    protective factors)."""

    columns: tuple[Column, ...]
    rows: tuple[ItemRow, ...]

    @property
    def withheld(self) -> bool:
        """Whether any figure is withheld (the table then needs the symbol key)."""
        return any(c.n.withheld for c in self.columns) or any(
            c.count.withheld or c.answered.withheld or c.pct.withheld
            for row in self.rows
            for c in row.cells
        )


@dataclass(frozen=True)
class Tally:
    """One group's figure for one row: children with it, children in the base, the interval (0..1)."""

    count: int
    base: int
    ci: Sequence[float] | None = None


@dataclass(frozen=True)
class RowSpec:
    code: str
    label: str
    protective: bool
    tallies: Mapping[str, Tally]  # by group key, and ALL


@dataclass(frozen=True)
class ProtectedPrevalence:
    """A prevalence table's view, and per (row code, group) its protected
    figure and the chart value (None when withheld)."""

    view: PrevalenceTable
    figures: Mapping[tuple[str, str], ProtectedCount]
    values: Mapping[tuple[str, str], Prevalence | None]
    sizes: Mapping[str, ProtectedCount]


ALL = "all"


def group_sizes(
    sizes: Mapping[str, int], groups: Sequence[str], rule: Rule
) -> dict[str, ProtectedCount]:
    """The children in each group and in all, protected as one line with its total."""
    line = suppress_table(
        [[sizes.get(g, 0) for g in groups]],
        ["children"],
        list(groups),
        rule=rule,
        row_totals=True,
        column_totals=False,
    )
    out = {g: line.cell("children", g) for g in groups}
    out[ALL] = line.row_total("children")
    return out


def prevalence_table(
    specs: Sequence[RowSpec],
    groups: Sequence[tuple[str, str]],
    sizes: Mapping[str, int],
    rule: Rule,
    *,
    all_label: str = ALL_LABEL,
    with_all: bool = True,
) -> ProtectedPrevalence:
    """Protect and lay out rows of "children with the item, of those whose
    records answer it" for each group and (``with_all``) all children.

    With ``with_all`` each row is one table of with/without x groups, both
    margins published; without it (a single group, e.g. one authority) the
    groups are protected one by one as headline figures.
    """
    keys = [k for k, _ in groups]
    sized = group_sizes(sizes, keys, rule)
    shown_groups = list(groups) + ([(ALL, all_label)] if with_all else [])
    columns = tuple(Column(k, label, count_number(sized[k])) for k, label in shown_groups)
    figures: dict[tuple[str, str], ProtectedCount] = {}
    values: dict[tuple[str, str], Prevalence | None] = {}
    rows = []
    for spec in specs:
        protected = _protect_row(spec, keys, rule, with_all)
        cells = []
        for key, _ in shown_groups:
            fig, base = protected[key]
            tally = spec.tallies[key]
            figures[(spec.code, key)] = fig
            shown = fig.pct is not None
            values[(spec.code, key)] = (
                None
                if fig.pct is None
                else (Prevalence(fig.pct, *tally.ci) if tally.ci else Prevalence(fig.pct))
            )
            cells.append(
                PrevalenceCell(
                    count_number(fig),
                    denominator_number(base, rule),
                    pct_number(fig, rule),
                    interval(tally.ci) if shown else "",
                )
            )
        rows.append(ItemRow(spec.code, spec.label, spec.protective, tuple(cells)))
    return ProtectedPrevalence(PrevalenceTable(columns, tuple(rows)), figures, values, sized)


def _protect_row(
    spec: RowSpec, keys: Sequence[str], rule: Rule, with_all: bool
) -> dict[str, tuple[ProtectedCount, ProtectedCount]]:
    """{group: (figure with its percentage, the base as a figure)}."""
    grid = [
        [spec.tallies[k].count for k in keys],
        [spec.tallies[k].base - spec.tallies[k].count for k in keys],
    ]
    table = suppress_table(
        grid,
        ["with", "without"],
        list(keys),
        rule=rule,
        row_totals=with_all,
        column_totals=True,
        percent_of="column",
    )
    out = {k: (table.cell("with", k), table.column_total(k)) for k in keys}
    if with_all:
        assert table.grand_total is not None
        out[ALL] = (table.row_total("with"), table.grand_total)
    return out
