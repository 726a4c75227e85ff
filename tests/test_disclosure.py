"""Tests for altar.disclosure: worked examples checked by hand, and properties
of random small tables checked against a brute-force enumeration of every way
to fill in the hidden figures (written here, independently of the module)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from altar.disclosure import SYMBOLS, ProtectedCount, Rule, Table, describe, protect, suppress_table

AUTHORITIES = ["Dudley", "Sandwell", "Walsall"]
STRATA = ["custody", "community", "out_of_court"]

# ---------------------------------------------------------------- helpers --

Key = tuple  # ("cell", i, j) | ("row", i) | ("col", j) | ("grand",)


def hidden_keys(table: Table) -> set[Key]:
    keys = {
        ("cell", i, j)
        for i, row in enumerate(table.cells)
        for j, f in enumerate(row)
        if f.suppressed
    }
    keys |= {("row", i) for i, f in enumerate(table.row_totals or ()) if f.suppressed}
    keys |= {("col", j) for j, f in enumerate(table.column_totals or ()) if f.suppressed}
    if table.grand_total is not None and table.grand_total.suppressed:
        keys.add(("grand",))
    return keys


def completions(
    counts: Sequence[Sequence[int]],
    hidden: set[Key],
    row_totals: bool,
    column_totals: bool,
    floor: int,
    window: int = 2,
) -> dict[Key, set[int]]:
    """Every value each hidden figure takes over the completions of the table.

    A completion gives every hidden cell a value >= ``floor`` so that every
    shown total still adds up and every hidden total is >= ``floor`` too.
    Hidden cells are tried within ``window`` of their true value, which keeps
    the enumeration small; a completion found in the window is a genuine one,
    so the window can only make a figure look *more* exposed, never less.
    Enumerates row by row, keeping only column sums that can still finish
    (forward and backward passes), so no completion is missed in the window.
    """
    m, n = len(counts), len(counts[0])
    true_row = [sum(r) for r in counts]
    true_col = [sum(r[j] for r in counts) for j in range(n)]
    shown_row = [row_totals and ("row", i) not in hidden for i in range(m)]
    shown_col = [column_totals and ("col", j) not in hidden for j in range(n)]
    has_grand = row_totals and column_totals
    shown_grand = has_grand and ("grand",) not in hidden

    def options(i: int) -> list[tuple[int, ...]]:
        ranges = [
            range(max(floor, v - window), v + window + 1) if ("cell", i, j) in hidden else (v,)
            for j, v in enumerate(counts[i])
        ]
        found = []
        for a in itertools.product(*ranges):
            if shown_row[i] and sum(a) != true_row[i]:
                continue
            if row_totals and not shown_row[i] and sum(a) < floor:
                continue
            found.append(a)
        return found

    def plus(s: tuple[int, ...], a: tuple[int, ...]) -> tuple[int, ...]:
        return tuple(x + y for x, y in zip(s, a))

    def finishes(s: tuple[int, ...]) -> bool:
        for j in range(n):
            if shown_col[j] and s[j] != true_col[j]:
                return False
            if column_totals and not shown_col[j] and s[j] < floor:
                return False
        if shown_grand and sum(s) != sum(true_col):
            return False
        return not (has_grand and not shown_grand and sum(s) < floor)

    rows = [options(i) for i in range(m)]
    forward = [{(0,) * n}]
    for i in range(m):
        forward.append({plus(s, a) for s in forward[-1] for a in rows[i]})
    backward = [set() for _ in range(m)] + [{s for s in forward[m] if finishes(s)}]
    for i in range(m - 1, -1, -1):
        backward[i] = {s for s in forward[i] if any(plus(s, a) in backward[i + 1] for a in rows[i])}
    values: dict[Key, set[int]] = {key: set() for key in hidden}
    for i in range(m):
        for s in backward[i]:
            for a in rows[i]:
                if plus(s, a) in backward[i + 1]:
                    for j in range(n):
                        values.get(("cell", i, j), set()).add(a[j])
                    values.get(("row", i), set()).add(sum(a))
    for s in backward[m]:
        for j in range(n):
            values.get(("col", j), set()).add(s[j])
        values.get(("grand",), set()).add(sum(s))
    return values


def deducible(counts, hidden, row_totals=True, column_totals=True, floor=1) -> set[Key]:
    """Hidden figures that take a single value in every completion."""
    found = completions(counts, hidden, row_totals, column_totals, floor)
    return {key for key, values in found.items() if len(values) < 2}


def shown(table: Table) -> list[list[str]]:
    """The table as printed: cells then row total, last line the column totals."""
    body = [
        [f.shown for f in row] + ([table.row_totals[i].shown] if table.row_totals else [])
        for i, row in enumerate(table.cells)
    ]
    if table.column_totals:
        grand = [table.grand_total.shown] if table.grand_total else []
        body.append([f.shown for f in table.column_totals] + grand)
    return body


def secondary(table: Table) -> set[Key]:
    return {k for k in hidden_keys(table) if _figure(table, k).reason == "secondary"}


def _figure(table: Table, key: Key) -> ProtectedCount:
    if key[0] == "cell":
        return table.cells[key[1]][key[2]]
    if key[0] == "row":
        return table.row_totals[key[1]]
    if key[0] == "col":
        return table.column_totals[key[1]]
    return table.grand_total


def published_lines(table: Table) -> list[list[ProtectedCount]]:
    """Every published sum as a list of its figures, total last."""
    m, n = len(table.rows), len(table.columns)
    lines = []
    if table.row_totals:
        lines += [list(table.cells[i]) + [table.row_totals[i]] for i in range(m)]
    if table.column_totals:
        lines += [
            [table.cells[i][j] for i in range(m)] + [table.column_totals[j]] for j in range(n)
        ]
    if table.grand_total:
        lines += [list(table.row_totals) + [table.grand_total]]
        lines += [list(table.column_totals) + [table.grand_total]]
    return lines


# -------------------------------------------------------- worked examples --


def test_one_small_count_in_a_3x3_table():
    # Dudley custody = 3 is the only count from 1 to 5.
    #   Dudley's row hides one -> its smallest other non-zero cell, 9 (out of
    #   court), is hidden too (both candidates' columns hide nothing, so the
    #   smaller value wins).
    #   The custody column hides one -> its smallest other cell, 7 (Walsall).
    #   Walsall's row hides one -> of 10 and 14, 14 sits in the out-of-court
    #   column, which hides one already, so hiding it mends both lines.
    # Every total is shown.
    t = suppress_table([[3, 12, 9], [8, 15, 11], [7, 10, 14]], AUTHORITIES, STRATA)
    assert shown(t) == [
        ["c", "12", "c", "24"],
        ["8", "15", "11", "34"],
        ["c", "10", "c", "31"],
        ["18", "37", "34", "89"],
    ]
    assert t.cell("Dudley", "custody").reason == "primary"
    assert secondary(t) == {("cell", 0, 2), ("cell", 2, 0), ("cell", 2, 2)}
    assert deducible([[3, 12, 9], [8, 15, 11], [7, 10, 14]], hidden_keys(t)) == set()


def test_a_line_of_zeros_hides_its_total():
    # Dudley 3 -> Dudley's smallest other cell, community 6 (custody 3 cell's
    # row). Custody hides one -> Walsall custody 14; Walsall's row -> 12 (its
    # only other non-zero cell). Community hides one (6) -> Sandwell 11,
    # Sandwell's only non-zero cell: Sandwell's row now hides one and has
    # nothing but zeros beside it, so its total (11) is hidden. Out-of-court
    # hides one (12) -> Dudley 9. The column of row totals hides one
    # (Sandwell) -> Dudley's total 18, the smaller of 18 and 26.
    counts = [[3, 6, 9], [0, 11, 0], [14, 0, 12]]
    t = suppress_table(counts, AUTHORITIES, STRATA)
    assert shown(t) == [
        ["c", "c", "c", "c"],
        ["0", "c", "0", "c"],
        ["c", "0", "c", "26"],
        ["17", "17", "21", "55"],
    ]
    assert t.row_total("Sandwell").reason == "secondary"
    assert t.row_total("Dudley").reason == "secondary"
    assert t.cell("Sandwell", "custody").shown == "0"
    assert deducible(counts, hidden_keys(t)) == set()


def test_a_small_total_is_hidden_and_its_line_follows():
    # Community has 1 + 0 + 3 = 4 children: the total is primary-suppressed.
    counts = [[1, 0, 20], [0, 0, 30], [3, 0, 25]]
    t = suppress_table(counts, AUTHORITIES, STRATA)
    assert t.column_total("custody").reason == "primary"
    assert t.column_total("community").shown == "0"
    assert {t.cell(a, "custody").shown for a in ("Dudley", "Walsall")} == {"c"}
    assert deducible(counts, hidden_keys(t)) == set()


def test_line_rule_alone_leaves_a_block_of_ones_exposed():
    # Two authorities with one child in each of two strata. The line rule is
    # satisfied by the four 1s and the two column totals of 2 (every line
    # hides 0 or >= 2), yet Dudley's row reads c + c + 10 = 12, and since a
    # hidden count is never 0 (zeros are shown) both must be 1.
    counts = [[1, 1, 10], [1, 1, 12]]
    line_rule_only = {
        ("cell", 0, 0),
        ("cell", 0, 1),
        ("cell", 1, 0),
        ("cell", 1, 1),
        ("col", 0),
        ("col", 1),
    }
    assert deducible(counts, line_rule_only) == line_rule_only
    # The audit hides the out-of-court cells and total as well.
    t = suppress_table(counts, AUTHORITIES[:2], STRATA)
    assert shown(t) == [["c", "c", "c", "12"], ["c", "c", "c", "14"], ["c", "c", "c", "26"]]
    assert deducible(counts, hidden_keys(t)) == set()


def test_line_rule_alone_can_be_undone_by_combining_lines():
    # Found by the brute-force property with the audit switched off. The line
    # rule leaves
    #     c  8  c | 17
    #     c  c  8 |  c
    #     0  c  0 |  c
    #     c 16  c | 34
    # where the totals row and Dudley's row give Sandwell custody exactly:
    # (C1 + C3) - (row 1 - 8) - 8 = 18 - 9 - 8 = 1, even allowing zeros.
    counts = [[4, 8, 5], [1, 4, 8], [0, 4, 0]]
    line_rule_only = {
        ("cell", 0, 0),
        ("cell", 0, 2),
        ("cell", 1, 0),
        ("cell", 1, 1),
        ("cell", 2, 1),
        ("row", 1),
        ("row", 2),
        ("col", 0),
        ("col", 2),
    }
    assert ("cell", 1, 0) in deducible(counts, line_rule_only, floor=0)
    t = suppress_table(counts, AUTHORITIES, STRATA)
    assert hidden_keys(t) == line_rule_only | {("cell", 0, 1)}
    assert deducible(counts, hidden_keys(t), floor=0) == set()
    assert deducible(counts, hidden_keys(t), floor=1) == set()


def test_zero_is_shown_and_never_hidden():
    t = suppress_table([[0, 0, 0], [0, 40, 12], [0, 9, 30]], AUTHORITIES, STRATA)
    assert shown(t) == [
        ["0", "0", "0", "0"],
        ["0", "40", "12", "52"],
        ["0", "9", "30", "39"],
        ["0", "49", "42", "91"],
    ]
    assert all(f.reason is None for row in t.cells for f in row)


def test_ons_ten_five_rule():
    # Threshold 10: 3, 8, 9 and 7 are hidden. Sandwell hides one (8) -> 11,
    # whose out-of-court column already hides one (9). Walsall hides one
    # (7) -> of 10 and 14, 14's column is already safe, 10's would be left
    # with a single, so 14.
    t = suppress_table(
        [[3, 12, 9], [8, 15, 11], [7, 10, 14]], AUTHORITIES, STRATA, rule=Rule(threshold=10)
    )
    assert shown(t) == [
        ["c", "12", "c", "24"],
        ["c", "15", "c", "34"],
        ["c", "10", "c", "31"],
        ["18", "37", "34", "89"],
    ]
    assert secondary(t) == {("cell", 1, 2), ("cell", 2, 2)}
    assert protect(9, 40, Rule(threshold=10)).shown == "c"
    assert protect(10, 40, Rule(threshold=10)).shown == "10"


def test_row_percentages():
    # Dudley's 2 brings in Dudley's 9, Sandwell's 8 and Sandwell's 11 (as in
    # the first example); Walsall has 9 children, too few for percentages.
    t = suppress_table([[2, 12, 9], [8, 15, 11], [0, 0, 9]], AUTHORITIES, STRATA, percent_of="row")
    assert [[f.pct_shown for f in row] for row in t.cells] == [
        ["c", "52.2%", "c"],
        ["c", "44.1%", "c"],
        ["c", "c", "c"],
    ]
    assert t.cell("Sandwell", "community").pct == pytest.approx(15 / 34)
    assert t.row_total("Sandwell").pct_shown == "100.0%"
    # A hidden count takes its percentage with it.
    assert t.cell("Dudley", "custody").pct is None
    assert t.cell("Dudley", "custody").reason == "primary"
    # Walsall's counts stand; only their percentages are withheld.
    walsall = t.cells[2]
    assert [f.shown for f in walsall] == ["0", "0", "9"]
    assert {f.reason for f in walsall} == {"small_denominator"}
    assert walsall[2].denominator_shown == "9"
    # The totals row is a percentage of the grand total.
    assert t.column_total("community").pct_shown == "40.9%"
    assert t.column_total("community").denominator_shown == "66"


def test_column_percentages_and_zero_base():
    t = suppress_table(
        [[0, 12], [0, 30]], ["Dudley", "Sandwell"], ["custody", "community"], percent_of="column"
    )
    assert t.cell("Dudley", "community").pct_shown == "28.6%"
    assert (t.cell("Dudley", "custody").pct, t.cell("Dudley", "custody").pct_shown) == (None, "z")


def test_a_hidden_base_withholds_shown_percentages():
    # Sandwell's total 11 is hidden (a line of zeros, see above). A shown
    # count with its percentage would give a hidden base away, so every
    # percentage over it is withheld (even of a zero: one rule, easy to read).
    t = suppress_table([[3, 6, 9], [0, 11, 0], [14, 0, 12]], AUTHORITIES, STRATA, percent_of="row")
    assert t.cell("Sandwell", "custody").pct_shown == "c"
    assert t.cell("Sandwell", "custody").reason == "denominator_suppressed"
    assert t.cell("Sandwell", "custody").pct is None
    assert t.cell("Walsall", "community").pct_shown == "0.0%"


def test_disabled_rule_shows_everything():
    t = suppress_table(
        [[3, 1234], [0, 5]], ["a", "b"], ["x", "y"], rule=Rule.off(), percent_of="row"
    )
    assert shown(t) == [["3", "1,234", "1,237"], ["0", "5", "5"], ["3", "1,239", "1,242"]]
    assert not any(f.suppressed for row in t.cells for f in row)
    assert t.cell("b", "y").pct_shown == "100.0%"  # base 5: shown when the rule is off
    assert protect(2, 3, Rule.off()).shown == "2"


def test_no_totals_means_primary_suppression_only():
    t = suppress_table(
        [[3, 12], [8, 15]], ["a", "b"], ["x", "y"], row_totals=False, column_totals=False
    )
    assert shown(t) == [["c", "12"], ["8", "15"]]
    assert (t.row_totals, t.column_totals, t.grand_total) == (None, None, None)


def test_ties_are_broken_by_position_and_results_repeat():
    # Row totals only: neither 9 has a crossing line, so the first is hidden.
    t = suppress_table([[3, 9, 9]], ["a"], ["x", "y", "z"], column_totals=False)
    assert shown(t) == [["c", "c", "9", "21"]]
    counts = [[1, 7, 7, 2], [7, 0, 3, 7], [9, 9, 9, 9], [4, 8, 8, 1]]
    labels = ["a", "b", "c", "d"]
    assert suppress_table(counts, labels, labels) == suppress_table(counts, labels, labels)


def test_crossing_line_preference():
    # Dudley hides 3; of 7 and 8, the 8 sits in a column that already hides
    # one (Sandwell's 2), so hiding it mends both lines at once.
    t = suppress_table([[3, 7, 8], [20, 20, 2], [20, 20, 20]], AUTHORITIES, STRATA)
    assert secondary(t) >= {("cell", 0, 2)}
    assert t.cell("Dudley", "community").shown == "7"


def test_numpy_counts_and_lookups():
    t = suppress_table(np.array([[3, 12], [8, 15]]), ("a", "b"), ("x", "y"))
    assert t.cell("b", "y").count == 15 and isinstance(t.cell("b", "y").count, int)
    with pytest.raises(KeyError, match="no row 'z'"):
        t.cell("z", "x")
    with pytest.raises(KeyError, match="no row totals"):
        suppress_table([[1]], ["a"], ["x"], row_totals=False).row_total("a")


@pytest.mark.parametrize(
    "counts, rows, columns, kwargs, message",
    [
        ([[1, -2]], ["a"], ["x", "y"], {}, "row 'a', column 'y' must not be negative"),
        ([[1, 2], [3]], ["a", "b"], ["x", "y"], {}, "row 'b' must have one count per column"),
        ([[1, 2.5]], ["a"], ["x", "y"], {}, "must be an integer count"),
        ([[True, 2]], ["a"], ["x", "y"], {}, "must be an integer count"),
        ([[1, 2]], ["a", "b"], ["x", "y"], {}, "one row per label"),
        ([[1, 2]], ["a"], ["x", "x"], {}, "columns must be unique"),
        ([], [], ["x"], {}, "at least one row"),
        ([[1]], ["a"], ["x"], {"percent_of": "cell"}, "percent_of must be"),
        ([[1]], ["a"], ["x"], {"percent_of": "row", "row_totals": False}, "needs row_totals"),
        (
            [[1]],
            ["a"],
            ["x"],
            {"percent_of": "column", "column_totals": False},
            "needs column_totals",
        ),
    ],
)
def test_bad_tables_are_refused(counts, rows, columns, kwargs, message):
    with pytest.raises(ValueError, match=message):
        suppress_table(counts, rows, columns, **kwargs)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"threshold": 0}, "threshold must be at least 1"),
        ({"threshold": -6}, "threshold must not be negative"),
        ({"threshold": 5.5}, "threshold must be an integer"),
        ({"min_denominator": -1}, "min_denominator must not be negative"),
        ({"enabled": "no"}, "enabled must be True or False"),
        ({"symbol": ""}, "symbol must be a non-empty string"),
    ],
)
def test_bad_rules_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Rule(**kwargs)


# ------------------------------------------------------ headline figures --


def test_headline_figure():
    f = protect(12, 40)
    assert (f.shown, f.pct, f.pct_shown, f.suppressed, f.reason) == (
        "12",
        0.3,
        "30.0%",
        False,
        None,
    )
    assert describe(f) == "12 of 40 children (30.0%)"
    assert describe(protect(12)) == "12 children"
    assert protect(12).pct_shown == ""


@pytest.mark.parametrize(
    "count, denominator, text, reason",
    [
        (3, 40, "c of 40 children", "primary"),
        (36, 40, "c of 40 children", "secondary"),  # would reveal 4 without
        (34, 40, "34 of 40 children (85.0%)", None),
        (40, 40, "40 of 40 children (100.0%)", None),
        (0, 40, "0 of 40 children (0.0%)", None),
        (0, 4, "0 of c children", "small_denominator"),
        (6, 9, "c of 9 children", "secondary"),
        (7, 7, "7 of 7 children", "small_denominator"),
        (0, 0, "0 of 0 children", None),
    ],
)
def test_headline_suppression(count, denominator, text, reason):
    f = protect(count, denominator)
    assert describe(f) == text
    assert f.reason == reason


def test_headline_complement_protection_can_be_switched_off():
    assert describe(protect(36, 40, protect_complement=False)) == "36 of 40 children (90.0%)"


def test_headline_zero_base_is_not_applicable():
    assert protect(0, 0).pct_shown == "z"


def test_headline_validation():
    with pytest.raises(ValueError, match=r"count \(5\) must not exceed denominator \(4\)"):
        protect(5, 4)
    with pytest.raises(ValueError, match="denominator must not be negative"):
        protect(0, -1)


def test_symbols_and_footnotes():
    assert set(SYMBOLS) == {"c", "z"}
    assert "a count from 1 to 5" in SYMBOLS["c"]
    assert "fewer than 10 children" in SYMBOLS["c"]
    assert "a count from 1 to 9" in Rule(threshold=10).footnotes()["c"]
    notes = Rule(low_base_symbol="u").footnotes()
    assert set(notes) == {"c", "u", "z"}
    assert protect(6, 8, Rule(low_base_symbol="u"), protect_complement=False).pct_shown == "u"


def test_footnote_for_tiny_thresholds():
    assert "a count of 1," in Rule(threshold=2).footnotes()["c"]


# --------------------------------------------------------------- properties --


@st.composite
def small_tables(draw, max_side: int = 3, max_count: int = 8):
    m = draw(st.integers(1, max_side))
    n = draw(st.integers(1, max_side))
    cell = st.integers(0, max_count)
    counts = draw(st.lists(st.lists(cell, min_size=n, max_size=n), min_size=m, max_size=m))
    rule = Rule(threshold=draw(st.sampled_from([2, 3, 6, 6, 10])))
    return counts, rule, draw(st.booleans()), draw(st.booleans())


def _build(case) -> Table:
    counts, rule, row_totals, column_totals = case
    rows = [f"r{i}" for i in range(len(counts))]
    columns = [f"c{j}" for j in range(len(counts[0]))]
    return suppress_table(
        counts, rows, columns, rule=rule, row_totals=row_totals, column_totals=column_totals
    )


def _all_figures(t: Table) -> list[ProtectedCount]:
    figures = [f for row in t.cells for f in row]
    figures += list(t.row_totals or ()) + list(t.column_totals or ())
    return figures + ([t.grand_total] if t.grand_total else [])


@settings(max_examples=300, deadline=None)
@given(small_tables())
def test_small_counts_hidden_zeros_shown(case):
    t = _build(case)
    threshold = case[1].threshold
    for f in _all_figures(t):
        if 1 <= f.count < threshold:
            assert f.suppressed and f.shown == "c" and f.reason == "primary"
        if f.count == 0:
            assert not f.suppressed and f.shown == "0"
        assert f.shown == ("c" if f.suppressed else f"{f.count:,}")


@settings(max_examples=300, deadline=None)
@given(small_tables())
def test_totals_are_the_sums(case):
    t = _build(case)
    counts = case[0]
    if t.row_totals:
        assert [f.count for f in t.row_totals] == [sum(r) for r in counts]
    if t.column_totals:
        assert [f.count for f in t.column_totals] == [sum(c) for c in zip(*counts)]
    assert [[f.count for f in row] for row in t.cells] == counts


@settings(max_examples=300, deadline=None)
@given(small_tables())
def test_no_line_hides_exactly_one(case):
    t = _build(case)
    for line in published_lines(t):
        if not line[-1].suppressed:
            # The spec's form: a line whose total is shown hides 0 or >= 2 cells.
            assert sum(f.suppressed for f in line[:-1]) != 1
        assert sum(f.suppressed for f in line) != 1


@settings(max_examples=400, deadline=None)
@given(small_tables())
def test_no_hidden_figure_can_be_deduced_allowing_zeros(case):
    t = _build(case)
    assert deducible(case[0], hidden_keys(t), case[2], case[3], floor=0) == set()


@settings(max_examples=400, deadline=None)
@given(small_tables())
def test_no_hidden_figure_can_be_deduced_knowing_it_is_not_zero(case):
    # Zeros are always shown, so a reader knows every hidden figure is >= 1.
    t = _build(case)
    assert deducible(case[0], hidden_keys(t), case[2], case[3], floor=1) == set()


@settings(max_examples=60, deadline=None)
@given(small_tables(max_side=4, max_count=3))
def test_no_hidden_figure_can_be_deduced_in_4x4_tables(case):
    t = _build(case)
    assert deducible(case[0], hidden_keys(t), case[2], case[3], floor=1) == set()


@settings(max_examples=100, deadline=None)
@given(small_tables())
def test_disabled_rule_hides_nothing(case):
    counts, _, row_totals, column_totals = case
    t = _build((counts, Rule.off(), row_totals, column_totals))
    assert not any(f.suppressed or f.reason for f in _all_figures(t))


@settings(max_examples=100, deadline=None)
@given(small_tables())
def test_suppression_is_deterministic(case):
    assert _build(case) == _build(case)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 60), st.integers(0, 60), st.sampled_from([2, 6, 10]))
def test_headline_never_reveals_a_small_count_or_complement(a, b, threshold):
    count, denominator = min(a, b), max(a, b)
    f = protect(count, denominator, Rule(threshold=threshold))
    if 1 <= count < threshold or (count > 0 and 1 <= denominator - count < threshold):
        assert f.suppressed and f.pct is None
    if f.pct is not None:
        assert denominator >= 10 and f.denominator_shown == str(denominator)
