"""Statistical disclosure control for published counts about children.

Per-authority tables are the documents most at risk of identifying a child,
so every count a report prints goes through this module first. The rule is
the Department for Education's practice for statistics about children, with
the Government Statistical Service (GSS) symbols:

* **Primary suppression.** A count from 1 to ``threshold - 1`` (1 to 5 by
  default; a region may adopt the ONS 10-5 rule, ``threshold=10``) is shown
  as ``c`` and its percentage is withheld. Zero is a true zero and is shown.
  Totals follow the same rule.
* **Small bases.** A percentage is not shown when its denominator is below
  ``min_denominator`` (10 by default); the count itself is still shown.
* **Secondary suppression.** In a table with totals, no hidden figure may be
  recoverable from the shown ones (see *Algorithm*).

The true value stays on every :class:`ProtectedCount` (``count``) for internal
working copies and tests; templates must print ``shown`` and ``pct_shown``.

API
---
``Rule(threshold=6, min_denominator=10, enabled=True, symbol="c",
low_base_symbol="c")``
    The policy; ``Rule.off()`` for unsuppressed working copies,
    ``rule.footnotes()`` for the symbol key a report prints.
``ProtectedCount(count, shown, pct, pct_shown, suppressed, reason, denominator, denominator_shown)``
    One published number with its percentage. ``reason`` is None,
    ``"primary"`` or ``"secondary"`` (the count is hidden), or
    ``"small_denominator"`` or ``"denominator_suppressed"`` (only the
    percentage is hidden).
``protect(count, denominator=None, rule=Rule(), *, protect_complement=True) -> ProtectedCount``
    A headline figure such as "12 of 40 children (30.0%)".
``describe(fig, noun="children") -> str``
    That figure as a phrase.
``suppress_table(counts, rows, columns, *, rule=Rule(), row_totals=True,
column_totals=True, percent_of=None) -> Table``
    A protected 2-D table; ``Table.cell(row, column)``, ``Table.row_total(row)``,
    ``Table.column_total(column)``. The grand total is present when both
    kinds of total are.
``SYMBOLS``
    The default rule's symbols and the footnote a report prints for each.

Algorithm
---------
A table with its margins is a set of published sums: each row's cells add up
to the row total, each column's to the column total, the row totals (and the
column totals) to the grand total. Secondary suppression runs two steps in
turn until neither changes anything:

1. *Line rule.* A line (row, column or line of totals) whose total is
   published must hide no entry or at least two. When a line hides exactly
   one, the next smallest non-zero entry in it is hidden as well, preferring
   an entry whose crossing line hides exactly one (so one step mends two
   lines), then one whose crossing line is already safe, then the smallest
   value, then the first by position. Zero cells are never hidden, so a line
   whose other cells are all zeros has its total hidden instead.
2. *Audit.* The line rule alone is not enough: hidden cells can still be
   worked out by combining lines (two blocks of hidden cells joined by one
   cell give that cell away), and a reader knows that every ``c`` is at
   least 1, because zeros are shown. So each hidden figure is checked
   exactly: the table is a flow network (the grand total flows out to the
   row totals, through the cells, into the column totals and back), and a
   hidden figure can take another value consistent with everything shown,
   with every hidden figure at least 1, if and only if it lies on a cycle of
   the residual network (hidden figures may rise without limit and fall while
   they stay at least 1). A figure on no such cycle is given one by hiding
   the cheapest set of further entries (fewest, then smallest in total).

Zero entries are never hidden, and since hiding more can never reveal
anything, the loop ends at a table in which no hidden figure can be deduced
exactly. Limits: a reader who also assumes that every ``c`` is at most
``threshold - 1`` can narrow a hidden figure to a range, and a table that
shows only some categories (say "yes" counts beside totals) protects only
the cells it shows; include the complementary category, or use
:func:`figure`, which protects the complement itself.

References
----------
Department for Education practice for official statistics about children:
counts from 1 to 5 shown as ``c``, zeros shown.
Government Statistical Service symbols for tables: ``c`` confidential,
``z`` not applicable.
Cox LH (1980). Suppression methodology and statistical disclosure control.
JASA 75:377-385 (why a table needs an audit beyond the line rule).
Hundepool A et al. (2012). Statistical Disclosure Control. Wiley (cell
suppression and its audit).

Examples
--------
>>> t = suppress_table([[3, 12, 9], [8, 15, 11], [7, 10, 14]],
...                    ["Dudley", "Sandwell", "Walsall"], ["custody", "community", "ooc"])
>>> [[f.shown for f in row] for row in t.cells]
[['c', '12', 'c'], ['8', '15', '11'], ['c', '10', 'c']]
>>> [f.shown for f in t.row_totals], t.grand_total.shown
(['24', '34', '31'], '89')
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

# The same count check as the statistics (bools and floats refused, named in the message).
from altar.stats.proportions import _as_count

__all__ = ["SYMBOLS", "ProtectedCount", "Rule", "Table", "describe", "protect", "suppress_table"]

_Pos = tuple[int, int]  # (row, column) in the table with its margins
_Node = tuple[str, int]  # a published sum: ("r", i) or ("c", j), or _GROUND
_Cost = tuple[int, int]  # (entries newly hidden, their total)
_GROUND: _Node = ("g", 0)  # every line with no published total


@dataclass(frozen=True)
class Rule:
    """A disclosure-control policy.

    Parameters
    ----------
    threshold : int
        Counts from 1 to ``threshold - 1`` are hidden (6: DfE practice;
        10: the ONS 10-5 rule). At least 1; 1 hides no count.
    min_denominator : int
        No percentage is shown over a base smaller than this.
    enabled : bool
        False shows everything (``--no-suppress`` working copies).
    symbol : str
        Printed for a hidden count and its percentage (GSS ``c``).
    low_base_symbol : str
        Printed for a percentage withheld because its base is small.

    Examples
    --------
    >>> Rule(threshold=10).threshold
    10
    >>> Rule.off().enabled
    False
    >>> Rule(threshold=0)
    Traceback (most recent call last):
    ValueError: threshold must be at least 1, got 0
    """

    threshold: int = 6
    min_denominator: int = 10
    enabled: bool = True
    symbol: str = "c"
    low_base_symbol: str = "c"

    def __post_init__(self) -> None:
        threshold = _as_count("threshold", self.threshold)
        if threshold < 1:
            raise ValueError(f"threshold must be at least 1, got {threshold}")
        object.__setattr__(self, "threshold", threshold)
        object.__setattr__(
            self, "min_denominator", _as_count("min_denominator", self.min_denominator)
        )
        if not isinstance(self.enabled, bool):
            raise ValueError(f"enabled must be True or False, got {self.enabled!r}")
        for name in ("symbol", "low_base_symbol"):
            if not isinstance(getattr(self, name), str) or not getattr(self, name):
                raise ValueError(f"{name} must be a non-empty string")

    @classmethod
    def off(cls) -> Rule:
        """No suppression: for internal working copies only."""
        return cls(enabled=False)

    def small(self, count: int) -> bool:
        """True when ``count`` must be hidden (primary suppression)."""
        return self.enabled and 1 <= count < self.threshold

    def footnotes(self) -> dict[str, str]:
        """The symbol key a report prints under its tables.

        Examples
        --------
        >>> Rule(threshold=10).footnotes()["c"][:46]
        'c: confidential, a count from 1 to 9, or a fig'
        """
        hidden = (
            f"{self.symbol}: confidential, {_small_counts(self.threshold)}, or a figure "
            "from which one could be worked out, withheld so that no child can be identified"
        )
        base = (
            f"a percentage withheld because fewer than {self.min_denominator} children "
            "are in its base"
        )
        notes = {"z": "z: not applicable, no children in the base so no percentage"}
        if self.low_base_symbol == self.symbol:
            return {self.symbol: f"{hidden}; also {base}", **notes}
        low = f"{self.low_base_symbol}: {base}"
        return {self.symbol: hidden, self.low_base_symbol: low, **notes}


def _small_counts(threshold: int) -> str:
    if threshold <= 2:
        return "a count of 1" if threshold == 2 else "a count"
    return f"a count from 1 to {threshold - 1}"


SYMBOLS: Mapping[str, str] = MappingProxyType(Rule().footnotes())
"""Symbols of the default rule with the footnote a report prints for each."""


@dataclass(frozen=True)
class ProtectedCount:
    """One published count with its percentage.

    Attributes
    ----------
    count : int
        The true value. Internal copies and tests only: print ``shown``.
    shown : str
        What to print: ``"1,234"`` or the rule's symbol.
    pct : float or None
        ``count / denominator`` (0..1), None when withheld or not defined.
    pct_shown : str
        ``"30.0%"``, a symbol when withheld, ``"z"`` over a zero base, ``""``
        when there is no denominator.
    suppressed : bool
        The count is hidden (primary or secondary).
    reason : str or None
        ``"primary"`` or ``"secondary"`` when the count is hidden;
        ``"small_denominator"`` or ``"denominator_suppressed"`` when only the
        percentage is; None when everything is shown.
    denominator : int or None
        The base of the percentage (a line total in a table).
    denominator_shown : str
        The base as printed, ``""`` when there is none.
    """

    count: int
    shown: str
    pct: float | None
    pct_shown: str
    suppressed: bool
    reason: str | None
    denominator: int | None = None
    denominator_shown: str = ""


def _percentage(
    count: int, hidden: bool, base: int | None, base_hidden: bool, rule: Rule
) -> tuple[float | None, str, str | None]:
    """``(pct, pct_shown, reason)`` for a count over ``base``."""
    if base is None:
        return None, "", None
    if hidden:
        return None, rule.symbol, None
    if base == 0:
        return None, "z", None
    if rule.enabled and base < rule.min_denominator:
        return None, rule.low_base_symbol, "small_denominator"
    if base_hidden:
        # A shown count with its percentage would give the hidden base away.
        return None, rule.symbol, "denominator_suppressed"
    return count / base, f"{count / base:.1%}", None


def _make_figure(
    count: int, reason: str | None, base: int | None, base_hidden: bool, rule: Rule
) -> ProtectedCount:
    pct, pct_shown, pct_reason = _percentage(count, reason is not None, base, base_hidden, rule)
    return ProtectedCount(
        count=count,
        shown=rule.symbol if reason else f"{count:,}",
        pct=pct,
        pct_shown=pct_shown,
        suppressed=reason is not None,
        reason=reason or pct_reason,
        denominator=base,
        denominator_shown="" if base is None else rule.symbol if base_hidden else f"{base:,}",
    )


def protect(
    count: int,
    denominator: int | None = None,
    rule: Rule = Rule(),
    *,
    protect_complement: bool = True,
) -> ProtectedCount:
    """A single count, with its percentage of ``denominator``, for a headline.

    Parameters
    ----------
    count : int
        Children with the characteristic.
    denominator : int or None
        Children in the base; None for a bare count.
    rule : Rule
        The disclosure-control policy.
    protect_complement : bool
        A shown count and base give away the children *without* the
        characteristic; when that complement is from 1 to ``threshold - 1``
        the count is hidden too (reason ``"secondary"``).

    Returns
    -------
    ProtectedCount

    Examples
    --------
    >>> describe(protect(12, 40))
    '12 of 40 children (30.0%)'
    >>> describe(protect(3, 40))
    'c of 40 children'
    >>> f = protect(38, 40)
    >>> f.shown, f.reason
    ('c', 'secondary')
    >>> describe(protect(6, 8, protect_complement=False))
    '6 of 8 children'
    >>> describe(protect(0, 4))
    '0 of c children'
    """
    count = _as_count("count", count)
    base = None if denominator is None else _as_count("denominator", denominator)
    if base is not None and count > base:
        raise ValueError(f"count ({count}) must not exceed denominator ({base})")
    reason = None
    if rule.small(count):
        reason = "primary"
    elif protect_complement and base is not None and count > 0 and rule.small(base - count):
        reason = "secondary"
    base_hidden = base is not None and rule.small(base)
    return _make_figure(count, reason, base, base_hidden, rule)


def describe(fig: ProtectedCount, noun: str = "children") -> str:
    """A figure as a phrase: ``"12 of 40 children (30.0%)"``.

    The percentage is left out when it is withheld, so the phrase never
    carries a bare symbol in brackets.

    Examples
    --------
    >>> describe(protect(1234))
    '1,234 children'
    >>> describe(protect(20, 26, Rule(min_denominator=30)), "boys")
    '20 of 26 boys'
    """
    if fig.denominator is None:
        return f"{fig.shown} {noun}"
    phrase = f"{fig.shown} of {fig.denominator_shown} {noun}"
    return phrase if fig.pct is None else f"{phrase} ({fig.pct_shown})"


@dataclass(frozen=True)
class Table:
    """A protected table of counts, every entry a :class:`ProtectedCount`.

    ``row_totals`` / ``column_totals`` are None when the table has none;
    ``grand_total`` is present when both are. ``percent_of`` says what the
    percentages are of (each line's total), None when there are none.
    """

    rows: tuple[str, ...]
    columns: tuple[str, ...]
    cells: tuple[tuple[ProtectedCount, ...], ...]
    row_totals: tuple[ProtectedCount, ...] | None
    column_totals: tuple[ProtectedCount, ...] | None
    grand_total: ProtectedCount | None
    percent_of: str | None
    rule: Rule

    def cell(self, row: str, column: str) -> ProtectedCount:
        """The figure in ``row`` and ``column`` (labels); KeyError if unknown."""
        return self.cells[_index(self.rows, row, "row")][_index(self.columns, column, "column")]

    def row_total(self, row: str) -> ProtectedCount:
        if self.row_totals is None:
            raise KeyError("this table has no row totals")
        return self.row_totals[_index(self.rows, row, "row")]

    def column_total(self, column: str) -> ProtectedCount:
        if self.column_totals is None:
            raise KeyError("this table has no column totals")
        return self.column_totals[_index(self.columns, column, "column")]


def _index(labels: tuple[str, ...], label: str, kind: str) -> int:
    try:
        return labels.index(label)
    except ValueError:
        raise KeyError(f"no {kind} {label!r}") from None


@dataclass(frozen=True)
class _Layout:
    """The table and its margins as one grid of entries and published sums.

    Cells are ``(i, j)`` with ``i < m``, ``j < n``; row totals sit in column
    ``n``, column totals in row ``m``, the grand total at ``(m, n)``.
    ``lines`` are the published sums, each a tuple of positions with its
    total last; ``lines_of`` maps an entry to the lines it belongs to;
    ``arcs`` maps an entry to the (tail, head) of its arc in the flow network.
    """

    m: int
    n: int
    values: Mapping[_Pos, int]
    lines: tuple[tuple[_Pos, ...], ...]
    lines_of: Mapping[_Pos, tuple[int, ...]]
    arcs: Mapping[_Pos, tuple[_Node, _Node]]


def _layout(grid: tuple[tuple[int, ...], ...], row_totals: bool, column_totals: bool) -> _Layout:
    m, n = len(grid), len(grid[0])
    values = _with_margins(grid, row_totals, column_totals)
    grand = row_totals and column_totals
    row_sum = [row_totals] * m + [grand]  # which rows of the grid end in a published total
    col_sum = [column_totals] * n + [grand]
    lines = tuple(
        [tuple((i, j) for j in range(n + 1)) for i in range(m + 1) if row_sum[i]]
        + [tuple((i, j) for i in range(m + 1)) for j in range(n + 1) if col_sum[j]]
    )
    lines_of = {p: tuple(k for k, line in enumerate(lines) if p in line) for p in values}
    arcs = {p: _arc(p, m, n, row_sum, col_sum) for p in values}
    return _Layout(m, n, MappingProxyType(values), lines, lines_of, arcs)


def _with_margins(
    grid: tuple[tuple[int, ...], ...], row_totals: bool, column_totals: bool
) -> dict[_Pos, int]:
    m, n = len(grid), len(grid[0])
    values = {(i, j): grid[i][j] for i in range(m) for j in range(n)}
    if row_totals:
        values.update({(i, n): sum(grid[i]) for i in range(m)})
    if column_totals:
        values.update({(m, j): sum(row[j] for row in grid) for j in range(n)})
    if row_totals and column_totals:
        values[(m, n)] = sum(map(sum, grid))
    return values


def _arc(p: _Pos, m: int, n: int, row_sum: list[bool], col_sum: list[bool]) -> tuple[_Node, _Node]:
    """The arc of entry ``p``: the grand total flows to the row totals, through
    the cells, into the column totals and back, so each published sum is a
    node where inflow equals outflow. A line with no published total is the
    ground node, which need not balance."""
    i, j = p
    row = ("r", i) if row_sum[i] else _GROUND
    col = ("c", j) if col_sum[j] else _GROUND
    return (col, row) if (i == m) != (j == n) else (row, col)


def _line_rule_pick(layout: _Layout, hidden: set[_Pos]) -> _Pos | None:
    """The next entry the line rule hides, or None when no line hides just one."""
    for k, line in enumerate(layout.lines):
        if sum(p in hidden for p in line) == 1:
            return _partner(layout, k, hidden)
    return None


def _partner(layout: _Layout, k: int, hidden: set[_Pos]) -> _Pos:
    """The entry to hide beside the single hidden one in line ``k``."""
    line = layout.lines[k]
    others = [p for p in line[:-1] if p not in hidden and layout.values[p] > 0]
    if not others:
        # Only zeros (shown) beside it: the total is the one left to hide. It
        # is non-zero because the hidden entry is.
        return line[-1]
    return min(others, key=lambda p: (_crossing_rank(layout, k, p, hidden), layout.values[p], p))


def _crossing_rank(layout: _Layout, k: int, p: _Pos, hidden: set[_Pos]) -> int:
    """0 if hiding ``p`` mends its crossing line too, 1 if that line stays
    safe, 2 if hiding ``p`` leaves that line with a single hidden entry."""
    crossing = [c for c in layout.lines_of[p] if c != k]
    if not crossing:
        return 1
    already = sum(q in hidden for q in layout.lines[crossing[0]])
    return {0: 2, 1: 0}.get(already, 1)


def _residual(layout: _Layout, hidden: Iterable[_Pos]) -> dict[_Node, list[tuple[_Node, _Pos]]]:
    """Arcs along which hidden entries may change: any may rise by 1; one of
    at least 2 may fall by 1 (a reader knows every hidden entry is >= 1)."""
    arcs: dict[_Node, list[tuple[_Node, _Pos]]] = {}
    for p in sorted(hidden):
        tail, head = layout.arcs[p]
        arcs.setdefault(tail, []).append((head, p))
        if layout.values[p] >= 2:
            arcs.setdefault(head, []).append((tail, p))
    return arcs


def _reaches(arcs: Mapping[_Node, list[tuple[_Node, _Pos]]], source: _Node, target: _Node) -> bool:
    seen, todo = {source}, [source]
    while todo:
        for node, _ in arcs.get(todo.pop(), ()):
            if node == target:
                return True
            if node not in seen:
                seen.add(node)
                todo.append(node)
    return False


def _exposed(layout: _Layout, hidden: set[_Pos], p: _Pos) -> bool:
    """True when hidden entry ``p`` has only one value consistent with the
    shown figures: no cycle of changes through it keeps every sum and keeps
    every hidden entry at least 1."""
    tail, head = layout.arcs[p]
    if tail == head:
        return False  # in no published sum: nothing pins it down
    arcs = _residual(layout, hidden - {p})
    can_rise = _reaches(arcs, head, tail)
    can_fall = layout.values[p] >= 2 and _reaches(arcs, tail, head)
    return not (can_rise or can_fall)


def _cover(layout: _Layout, hidden: set[_Pos], p: _Pos) -> set[_Pos]:
    """The cheapest set of further entries whose hiding puts ``p`` on a cycle.

    A path always exists: the true values are a positive flow, and every arc
    of a positive flow lies on a cycle of arcs with positive flow.
    """
    tail, head = layout.arcs[p]
    graph = _priced(layout, hidden, p)
    routes = [_cheapest_path(graph, head, tail)]
    if layout.values[p] >= 2:
        routes.append(_cheapest_path(graph, tail, head))
    _, path = min(route for route in routes if route is not None)
    return set(path) - hidden


def _priced(
    layout: _Layout, hidden: set[_Pos], skip: _Pos
) -> dict[_Node, list[tuple[_Node, _Pos, _Cost]]]:
    """Residual arcs of every non-zero entry but ``skip``, priced by what
    hiding them costs: nothing if hidden already, else (1, value)."""
    graph: dict[_Node, list[tuple[_Node, _Pos, _Cost]]] = {}
    for p, value in sorted(layout.values.items()):
        tail, head = layout.arcs[p]
        if p == skip or value == 0 or tail == head:
            continue
        cost = (0, 0) if p in hidden else (1, value)
        graph.setdefault(tail, []).append((head, p, cost))
        if value >= 2:
            graph.setdefault(head, []).append((tail, p, cost))
    return graph


def _cheapest_path(
    graph: Mapping[_Node, list[tuple[_Node, _Pos, _Cost]]], source: _Node, target: _Node
) -> tuple[_Cost, tuple[_Pos, ...]] | None:
    """Dijkstra; ties go to the path that sorts first, so results are repeatable."""
    queue: list[tuple[_Cost, _Node, tuple[_Pos, ...]]] = [((0, 0), source, ())]
    done: set[_Node] = set()
    while queue:
        cost, node, path = heapq.heappop(queue)
        if node == target:
            return cost, path
        if node in done:
            continue
        done.add(node)
        for nxt, p, (count, value) in graph.get(node, ()):
            if nxt not in done:
                heapq.heappush(queue, ((cost[0] + count, cost[1] + value), nxt, path + (p,)))
    return None


def _secondary(layout: _Layout, primary: frozenset[_Pos]) -> frozenset[_Pos]:
    """Entries hidden beyond ``primary`` so that no hidden figure can be deduced."""
    hidden = set(primary)
    while True:
        pick = _line_rule_pick(layout, hidden)
        if pick is not None:
            hidden.add(pick)
            continue
        exposed = next((p for p in sorted(hidden) if _exposed(layout, hidden, p)), None)
        if exposed is None:
            return frozenset(hidden) - primary
        hidden |= _cover(layout, hidden, exposed)


def _validated(
    counts: Sequence[Sequence[int]], rows: Sequence[str], columns: Sequence[str]
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[tuple[int, ...], ...]]:
    row_labels, col_labels = _labels(rows, "rows"), _labels(columns, "columns")
    if not row_labels or not col_labels:
        raise ValueError("a table needs at least one row and one column")
    if isinstance(counts, (str, bytes)) or len(counts) != len(row_labels):
        raise ValueError(f"counts must have one row per label ({len(row_labels)} rows)")
    grid = []
    for label, line in zip(row_labels, counts):
        if isinstance(line, (str, bytes)) or len(line) != len(col_labels):
            raise ValueError(
                f"row {label!r} must have one count per column ({len(col_labels)}), got {line!r}"
            )
        grid.append(
            tuple(
                _as_count(f"count in row {label!r}, column {column!r}", value)
                for column, value in zip(col_labels, line)
            )
        )
    return row_labels, col_labels, tuple(grid)


def _labels(labels: Sequence[str], kind: str) -> tuple[str, ...]:
    if isinstance(labels, (str, bytes)) or not all(isinstance(x, str) for x in labels):
        raise ValueError(f"{kind} must be a sequence of label strings")
    found = tuple(labels)
    if len(set(found)) != len(found):
        raise ValueError(f"{kind} must be unique, got {list(found)!r}")
    return found


def _percent_base(percent_of: str | None, row_totals: bool, column_totals: bool) -> str | None:
    if percent_of not in (None, "row", "column"):
        raise ValueError(f"percent_of must be 'row', 'column' or None, got {percent_of!r}")
    if percent_of == "row" and not row_totals:
        raise ValueError("percent_of='row' needs row_totals=True (the percentages' base)")
    if percent_of == "column" and not column_totals:
        raise ValueError("percent_of='column' needs column_totals=True (the percentages' base)")
    return percent_of


def suppress_table(
    counts: Sequence[Sequence[int]],
    rows: Sequence[str],
    columns: Sequence[str],
    *,
    rule: Rule = Rule(),
    row_totals: bool = True,
    column_totals: bool = True,
    percent_of: Literal["row", "column"] | None = None,
) -> Table:
    """Protect a two-way table of counts for publication.

    Parameters
    ----------
    counts : sequence of sequences of int
        One row of non-negative counts per label in ``rows``.
    rows, columns : sequence of str
        Unique labels.
    rule : Rule
        The disclosure-control policy; ``Rule.off()`` hides nothing.
    row_totals, column_totals : bool
        Whether the table prints them (the grand total is printed when both
        are). Totals are what make subtraction possible, so they decide
        which lines the secondary suppression protects.
    percent_of : {"row", "column"} or None
        Give every entry a percentage of its row's (or column's) total,
        withheld for hidden entries and for bases that are small or hidden.

    Returns
    -------
    Table

    Raises
    ------
    ValueError
        Negative or non-integer counts, ragged rows, labels that do not
        match, or ``percent_of`` without the totals it needs.

    Examples
    --------
    A single 2 in Dudley's custody column: Dudley's smallest other cell (9)
    is hidden too, then custody's smallest other cell (7), then the cell
    where Walsall's row crosses the out-of-court column, which already hides
    one; each line now hides two or none.

    >>> t = suppress_table([[2, 12, 9], [8, 15, 11], [7, 10, 14]],
    ...                    ["Dudley", "Sandwell", "Walsall"], ["custody", "community", "ooc"],
    ...                    percent_of="row")
    >>> [(f.shown, f.reason) for f in t.cells[2]]
    [('c', 'secondary'), ('10', None), ('c', 'secondary')]
    >>> t.cell("Sandwell", "ooc").pct_shown, t.cell("Dudley", "custody").pct_shown
    ('32.4%', 'c')
    """
    row_labels, col_labels, grid = _validated(counts, rows, columns)
    base = _percent_base(percent_of, row_totals, column_totals)
    layout = _layout(grid, row_totals, column_totals)
    primary = frozenset(p for p, v in layout.values.items() if rule.small(v))
    secondary = _secondary(layout, primary) if rule.enabled else frozenset()
    reasons = {**dict.fromkeys(primary, "primary"), **dict.fromkeys(secondary, "secondary")}
    return _assemble(layout, row_labels, col_labels, reasons, rule, base)


def _assemble(
    layout: _Layout,
    rows: tuple[str, ...],
    columns: tuple[str, ...],
    reasons: Mapping[_Pos, str],
    rule: Rule,
    percent_of: str | None,
) -> Table:
    m, n = layout.m, layout.n

    def fig(i: int, j: int) -> ProtectedCount:
        base = {"row": (i, n), "column": (m, j)}.get(percent_of or "")
        return _make_figure(
            layout.values[(i, j)],
            reasons.get((i, j)),
            None if base is None else layout.values[base],
            base in reasons,
            rule,
        )

    def margin(line: Iterable[_Pos]) -> tuple[ProtectedCount, ...] | None:
        found = [p for p in line if p in layout.values]
        return tuple(fig(*p) for p in found) if found else None

    return Table(
        rows=rows,
        columns=columns,
        cells=tuple(tuple(fig(i, j) for j in range(n)) for i in range(m)),
        row_totals=margin((i, n) for i in range(m)),
        column_totals=margin((m, j) for j in range(n)),
        grand_total=fig(m, n) if (m, n) in layout.values else None,
        percent_of=percent_of,
        rule=rule,
    )
