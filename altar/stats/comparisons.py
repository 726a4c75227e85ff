"""Comparisons between groups of children: proportions, trends, multiplicity.

Groups are rows of a contingency table (e.g. custody / community /
out-of-court). Every result says which test and method produced it, and a
table that cannot be tested gives ``test="not_testable"`` with a reason
rather than an error, because empty groups are routine in small samples.
"""

from __future__ import annotations

import itertools
import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import special

from altar.stats.proportions import _as_count

__all__ = [
    "GroupComparison",
    "TrendTest",
    "compare_proportions",
    "holm",
    "linear_by_linear",
]

# R's fisher.test counts a table as "no more probable than the observed one"
# when its probability is within this relative tolerance, so that tables tied
# in exact arithmetic are not split by rounding error.
_RELATIVE_TOLERANCE = 1e-7


def holm(pvalues: Sequence[float | None]) -> list[float | None]:
    """Holm-Bonferroni step-down adjusted p-values.

    The k-th smallest of m p-values is multiplied by ``m - k + 1``; a running
    maximum keeps the adjusted values in the order of the raw ones, and they
    are capped at 1. None entries (tests that could not be run) stay None and
    are not counted in m.

    References
    ----------
    Holm S (1979). A simple sequentially rejective multiple test procedure.
    Scand J Statist 6:65-70.

    Examples
    --------
    >>> [round(p, 3) for p in holm([0.01, 0.04, 0.03])]
    [0.03, 0.06, 0.06]
    >>> holm([0.02, None, 0.5])
    [0.04, None, 0.5]
    """
    if isinstance(pvalues, (str, bytes)):
        raise ValueError("pvalues must be a sequence of numbers or None")
    values = list(pvalues)
    present: list[tuple[int, float]] = []
    for index, p in enumerate(values):
        if p is None:
            continue
        if isinstance(p, bool) or not isinstance(p, numbers.Real):
            raise ValueError(f"p-value at position {index} is not a number: {p!r}")
        if not 0.0 <= float(p) <= 1.0:  # also rejects NaN
            raise ValueError(f"p-value at position {index} is outside [0, 1]: {p!r}")
        present.append((index, float(p)))
    m = len(present)
    adjusted: list[float | None] = [None] * len(values)
    running = 0.0
    for rank, (index, p) in enumerate(sorted(present, key=lambda item: item[1])):
        running = max(running, min(1.0, (m - rank) * p))
        adjusted[index] = running
    return adjusted


def _checked_table(table: Sequence[Sequence[int]], columns: int | None = None) -> list[list[int]]:
    """Validate a contingency table of counts and return it as lists of ints."""
    if isinstance(table, (str, bytes)) or len(table) == 0:
        raise ValueError("table is empty: it needs at least one row")
    rows = [list(row) for row in table]
    width = len(rows[0])
    if columns is not None and width != columns:
        raise ValueError(f"table must have exactly {columns} columns, got {width}")
    if width == 0:
        raise ValueError("table rows are empty")
    checked = []
    for i, row in enumerate(rows):
        if len(row) != width:
            raise ValueError(f"table row {i} has {len(row)} cells, expected {width}")
        checked.append([_as_count(f"table cell ({i}, {j})", cell) for j, cell in enumerate(row)])
    return checked


def _finite_or_none(value: float | None) -> float | None:
    return value if value is None or math.isfinite(value) else None


@dataclass(frozen=True)
class GroupComparison:
    """Result of comparing the proportion "present" across groups.

    ``test`` is "chi_square", "fisher_exact" or "not_testable". ``statistic``
    is the Pearson chi-square (``statistic_name="chi_square"``), the sample
    odds ratio for a 2 x 2 Fisher test (``"odds_ratio"``, row 1 against row 2;
    may be infinite, shown as None by ``to_dict``), or the probability of the
    observed table for a larger Fisher test (``"table_probability"``).
    ``groups_used`` / ``groups_dropped`` hold the labels, or row indices when
    no labels were given.
    """

    test: str
    statistic: float | None
    statistic_name: str | None
    df: int | None
    p: float | None
    method: str | None
    min_expected: float | None
    n: int
    groups_used: tuple[Any, ...]
    groups_dropped: tuple[Any, ...]
    reason: str | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready plain values (an infinite odds ratio becomes None)."""
        return {
            "test": self.test,
            "statistic": _finite_or_none(self.statistic),
            "statistic_name": self.statistic_name,
            "df": self.df,
            "p": self.p,
            "method": self.method,
            "min_expected": self.min_expected,
            "n": self.n,
            "groups_used": list(self.groups_used),
            "groups_dropped": list(self.groups_dropped),
            "reason": self.reason,
        }


def _log_choose(total: int, x: Any) -> Any:
    """``log C(total, x)``; its rounding error (~1e-12) is far below the 1e-7 tolerance."""
    return special.gammaln(total + 1) - special.gammaln(x + 1) - special.gammaln(total - x + 1)


def _log_choose_table(total: int) -> np.ndarray:
    """``log C(total, x)`` for x = 0..total."""
    return _log_choose(total, np.arange(total + 1))


def _count_tables(row_totals: Sequence[int], present_total: int) -> int:
    """Number of R x 2 tables with these margins (ways to split the present column)."""
    ways = [1] + [0] * present_total
    for total in row_totals:
        # Python ints, not NumPy: the count can exceed 2**63.
        prefix = list(itertools.accumulate(ways, initial=0))
        ways = [prefix[s + 1] - prefix[max(0, s - total)] for s in range(present_total + 1)]
    return ways[present_total]


def _half_weights(
    log_choose: Sequence[np.ndarray], present_total: int, other_total: int
) -> dict[int, np.ndarray]:
    """All feasible splits of the present column over some rows.

    Returns ``{s: log-weights}`` where s is the number present in these rows
    and each log-weight is ``sum_i log C(r_i, x_i)`` for one split. Splits that
    cannot be completed by the remaining rows are pruned as they appear.
    """
    remaining = sum(len(table) - 1 for table in log_choose) + other_total
    groups: dict[int, np.ndarray] = {0: np.zeros(1)}
    for table in log_choose:
        remaining -= len(table) - 1
        grown: dict[int, list[np.ndarray]] = {}
        for s, weights in groups.items():
            for x in range(len(table)):
                t = s + x
                if t > present_total:
                    break
                if t + remaining >= present_total:
                    grown.setdefault(t, []).append(weights + table[x])
        groups = {t: np.concatenate(parts) for t, parts in grown.items()}
    return groups


def _exact_fisher_p(log_choose: list[np.ndarray], present_total: int, threshold: float) -> float:
    """Sum of null probabilities of all tables with log-weight <= threshold.

    Meet in the middle: the rows are split in two halves; for each number s
    present in the first half, every first-half split pairs with every
    second-half split having ``present_total - s``. Sorting the second half's
    weights lets each first-half split find its qualifying partners by binary
    search, so all tables are counted without being listed one by one.
    """
    half = len(log_choose) // 2
    first, second = log_choose[:half], log_choose[half:]
    second_total = sum(len(t) - 1 for t in second)
    first_total = sum(len(t) - 1 for t in first)
    left = _half_weights(first, present_total, second_total)
    right = _half_weights(second, present_total, first_total)
    log_denominator = float(_log_choose(first_total + second_total, present_total))
    total = 0.0
    for s, a in left.items():
        b = right.get(present_total - s)
        if b is None:
            continue
        b = np.sort(b)
        peak = b[-1]
        cumulative = np.concatenate([[0.0], np.cumsum(np.exp(b - peak))])
        partners = np.searchsorted(b, threshold - a, side="right")
        # a + peak is the log-weight of a real table, so this never overflows.
        total += float(np.sum(np.exp(a + peak - log_denominator) * cumulative[partners]))
    return min(1.0, total)


def _monte_carlo_fisher_p(
    log_choose: list[np.ndarray], present_total: int, threshold: float, n_resamples: int, seed: int
) -> float:
    """Monte Carlo p-value from tables drawn under the null with a fixed seed."""
    rng = np.random.Generator(np.random.PCG64(seed))
    row_totals = np.array([len(t) - 1 for t in log_choose], dtype=np.int64)
    draws = rng.multivariate_hypergeometric(row_totals, present_total, size=n_resamples)
    weights = np.zeros(n_resamples)
    for i, table in enumerate(log_choose):
        weights += table[draws[:, i]]
    hits = int(np.count_nonzero(weights <= threshold))
    # Counting the observed table among the resamples keeps p > 0 and valid.
    return (1 + hits) / (n_resamples + 1)


def _fisher_rx2(
    rows: list[list[int]], *, seed: int, n_resamples: int, max_tables: int
) -> tuple[float, float, str, int]:
    """Freeman-Halton p-value: returns (p, observed table probability, method, tables)."""
    row_totals = [a + b for a, b in rows]
    present_total = sum(a for a, _ in rows)
    log_choose = [_log_choose_table(total) for total in row_totals]
    observed = float(sum(table[a] for table, (a, _) in zip(log_choose, rows)))
    log_denominator = float(_log_choose(sum(row_totals), present_total))
    threshold = observed + math.log1p(_RELATIVE_TOLERANCE)
    n_tables = _count_tables(row_totals, present_total)
    if n_tables <= max_tables:
        p = _exact_fisher_p(log_choose, present_total, threshold)
        method = f"exact (full enumeration of {n_tables} tables)"
    else:
        p = _monte_carlo_fisher_p(log_choose, present_total, threshold, n_resamples, seed)
        method = f"Monte Carlo, {n_resamples} resamples, seed {seed}"
    return p, math.exp(observed - log_denominator), method, n_tables


def _chi_square(observed: np.ndarray, expected: np.ndarray) -> tuple[float, int, float]:
    statistic = float(np.sum((observed - expected) ** 2 / expected))
    df = (observed.shape[0] - 1) * (observed.shape[1] - 1)
    return statistic, df, float(special.chdtrc(df, statistic))


def compare_proportions(
    table: Sequence[Sequence[int]],
    *,
    labels: Sequence[str] | None = None,
    seed: int = 20210301,
    n_resamples: int = 100_000,
    max_tables: int = 10_000_000_000,
) -> GroupComparison:
    """Test whether the proportion "present" differs between groups.

    ``table`` has one row per group and two columns (present, absent). Rows
    with no children are dropped (and listed). With fewer than two groups left,
    or nobody (or everybody) present, the result is "not_testable". Otherwise,
    if any expected count is below 5 the Fisher exact test is used
    (Freeman-Halton's extension for more than two groups), else Pearson's
    chi-square without continuity correction.

    The Fisher p-value is the total null probability (both margins fixed) of
    every table no more probable than the observed one, with R's relative
    tolerance of 1e-7. All such tables are enumerated when there are at most
    ``max_tables`` of them (cheap: the rows are split in two halves whose
    partial sums are matched, so the work grows far slower than the number
    of tables); otherwise ``n_resamples`` tables are drawn under
    the null with a fixed ``seed`` and p = (1 + hits) / (n_resamples + 1), so
    the same data always give the same p. ``method`` says which was done.

    References
    ----------
    Freeman GH, Halton JH (1951). Note on an exact treatment of contingency,
    goodness of fit and other problems of significance. Biometrika 38:141-149.
    Agresti A (2013). Categorical Data Analysis, 3rd ed., Wiley, chapter 3
    (chi-square and exact tests of independence).
    Cochran WG (1954). Some methods for strengthening the common chi-square
    tests. Biometrics 10:417-451 (the expected-count rule).

    Examples
    --------
    >>> res = compare_proportions([[30, 20], [20, 30]], labels=["girls", "boys"])
    >>> res.test, res.df, round(res.statistic, 3), round(res.p, 4)
    ('chi_square', 1, 4.0, 0.0455)
    >>> res = compare_proportions([[8, 2], [1, 5]])
    >>> res.test, res.statistic_name, res.statistic, round(res.p, 4)
    ('fisher_exact', 'odds_ratio', 20.0, 0.035)
    >>> res.method
    'exact (full enumeration of 7 tables)'
    >>> res = compare_proportions([[5, 2], [0, 0], [1, 6]], labels=["custody", "community", "ooc"])
    >>> res.groups_dropped, round(res.p, 4)
    (('community',), 0.1026)
    >>> compare_proportions([[3, 0], [4, 0]]).reason
    'no child in any group is absent (column 2 total is 0)'
    """
    rows = _checked_table(table, columns=2)
    names = _labels(labels, len(rows))
    for name, value in (("n_resamples", n_resamples), ("max_tables", max_tables), ("seed", seed)):
        _as_count(name, value)
    if n_resamples < 1:
        raise ValueError("n_resamples must be at least 1")
    used = [i for i, row in enumerate(rows) if sum(row) > 0]
    dropped = tuple(names[i] for i in range(len(rows)) if i not in used)
    kept = [rows[i] for i in used]
    n = sum(sum(row) for row in kept)

    def not_testable(reason: str) -> GroupComparison:
        return GroupComparison(
            "not_testable",
            None,
            None,
            None,
            None,
            None,
            None,
            n,
            tuple(names[i] for i in used),
            dropped,
            reason,
        )

    if len(kept) < 2:
        return not_testable(f"fewer than 2 groups with any children ({len(kept)} left)")
    for j, word in ((0, "present"), (1, "absent")):
        if sum(row[j] for row in kept) == 0:
            return not_testable(f"no child in any group is {word} (column {j + 1} total is 0)")

    observed = np.array(kept, dtype=float)
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0)) / n
    min_expected = float(expected.min())
    groups_used = tuple(names[i] for i in used)
    if min_expected >= 5:
        statistic, df, p = _chi_square(observed, expected)
        return GroupComparison(
            "chi_square",
            statistic,
            "chi_square",
            df,
            p,
            "asymptotic chi-square",
            min_expected,
            n,
            groups_used,
            dropped,
            None,
        )
    p, table_probability, method, _ = _fisher_rx2(
        kept, seed=seed, n_resamples=n_resamples, max_tables=max_tables
    )
    if len(kept) == 2:
        (a, b), (c, d) = kept
        statistic = a * d / (b * c) if b * c else math.inf
        statistic_name = "odds_ratio"
    else:
        statistic, statistic_name = table_probability, "table_probability"
    return GroupComparison(
        "fisher_exact",
        statistic,
        statistic_name,
        None,
        p,
        method,
        min_expected,
        n,
        groups_used,
        dropped,
        None,
    )


def _labels(labels: Sequence[str] | None, count: int) -> list[Any]:
    if labels is None:
        return list(range(count))
    if isinstance(labels, str) or len(labels) != count:
        raise ValueError(f"labels must be a sequence with one label per row ({count})")
    return list(labels)


@dataclass(frozen=True)
class TrendTest:
    """Result of Mantel's linear-by-linear association test.

    ``test`` is "linear_by_linear" or "not_testable". ``statistic`` is
    M^2 = (N - 1) r^2 (``statistic_name="M2"``, 1 df); ``z`` is the signed
    square root r * sqrt(N - 1), whose sign gives the direction of the trend.
    Rows and columns with no children are dropped (listed by 0-based index)
    and the scores of the rest are reported.
    """

    test: str
    statistic: float | None
    statistic_name: str | None
    df: int | None
    p: float | None
    r: float | None
    z: float | None
    method: str | None
    n: int
    row_scores: tuple[float, ...]
    col_scores: tuple[float, ...]
    rows_used: tuple[int, ...]
    rows_dropped: tuple[int, ...]
    columns_dropped: tuple[int, ...]
    reason: str | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready plain values."""
        return {
            "test": self.test,
            "statistic": self.statistic,
            "statistic_name": self.statistic_name,
            "df": self.df,
            "p": self.p,
            "r": self.r,
            "z": self.z,
            "method": self.method,
            "n": self.n,
            "row_scores": list(self.row_scores),
            "col_scores": list(self.col_scores),
            "rows_used": list(self.rows_used),
            "rows_dropped": list(self.rows_dropped),
            "columns_dropped": list(self.columns_dropped),
            "reason": self.reason,
        }


def _scores(scores: Sequence[float] | None, count: int, what: str) -> list[float]:
    if scores is None:
        return [float(i) for i in range(count)]
    if isinstance(scores, str) or len(scores) != count:
        raise ValueError(f"{what} scores must have one value per {what} ({count})")
    values: list[float] = []
    for value in scores:
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise ValueError(f"{what} scores must be numbers, got {value!r}")
        if not math.isfinite(value):
            raise ValueError(f"{what} scores must be finite, got {value!r}")
        values.append(float(value))
    if len(set(values)) != len(values):
        raise ValueError(f"{what} scores must be distinct, got {values}")
    return values


def linear_by_linear(
    table: Sequence[Sequence[int]],
    row_scores: Sequence[float] | None = None,
    col_scores: Sequence[float] | None = None,
) -> TrendTest:
    """Mantel's linear-by-linear test of association for two ordered factors.

    With scores u for the rows and v for the columns (default 0, 1, 2, ...),
    r is the Pearson correlation of (u, v) over the N children and
    M^2 = (N - 1) r^2, referred to chi-square on 1 df. Empty rows and columns
    carry no weight, so they are dropped (and listed); with fewer than two
    non-empty rows or columns the result is "not_testable".

    For a 2 x C table (a binary outcome by ordered groups), M^2 equals the
    Cochran-Armitage trend statistic times (N - 1) / N, so the two agree
    closely for any realistic N; no separate Cochran-Armitage function is
    provided.

    References
    ----------
    Mantel N (1963). Chi-square tests with one degree of freedom; extensions
    of the Mantel-Haenszel procedure. JASA 58:690-700.
    Agresti A (2013). Categorical Data Analysis, 3rd ed., Wiley, chapter 3
    (testing for linear trend; the infant malformation and maternal alcohol
    consumption example gives M^2 = 6.57 with scores 0, 0.5, 1.5, 4, 7).

    Examples
    --------
    >>> res = linear_by_linear(
    ...     [[17066, 14464, 788, 126, 37], [48, 38, 5, 1, 1]],
    ...     col_scores=[0, 0.5, 1.5, 4.0, 7.0])
    >>> round(res.statistic, 2), res.df, round(res.p, 3), round(res.r, 4)
    (6.57, 1, 0.01, 0.0142)
    >>> linear_by_linear([[0, 0], [3, 4]]).reason
    'fewer than 2 non-empty rows (1 left)'
    """
    rows = _checked_table(table)
    u_all = _scores(row_scores, len(rows), "row")
    v_all = _scores(col_scores, len(rows[0]), "column")
    counts = np.array(rows, dtype=float)
    rows_used = tuple(int(i) for i in np.flatnonzero(counts.sum(axis=1) > 0))
    rows_dropped = tuple(i for i in range(len(rows)) if i not in rows_used)
    cols_used = [int(j) for j in np.flatnonzero(counts.sum(axis=0) > 0)]
    columns_dropped = tuple(j for j in range(len(rows[0])) if j not in cols_used)
    counts = counts[np.ix_(rows_used, cols_used)]
    u = np.array([u_all[i] for i in rows_used])
    v = np.array([v_all[j] for j in cols_used])
    n = int(counts.sum())

    def result(test: str, **values: Any) -> TrendTest:
        base = dict(
            statistic=None,
            statistic_name=None,
            df=None,
            p=None,
            r=None,
            z=None,
            method=None,
            reason=None,
        )
        base.update(values)
        return TrendTest(
            test=test,
            n=n,
            row_scores=tuple(u.tolist()),
            col_scores=tuple(v.tolist()),
            rows_used=rows_used,
            rows_dropped=rows_dropped,
            columns_dropped=columns_dropped,
            **base,
        )

    if len(rows_used) < 2:
        return result("not_testable", reason=f"fewer than 2 non-empty rows ({len(rows_used)} left)")
    if len(cols_used) < 2:
        return result(
            "not_testable", reason=f"fewer than 2 non-empty columns ({len(cols_used)} left)"
        )
    du = u - counts.sum(axis=1) @ u / n
    dv = v - counts.sum(axis=0) @ v / n
    covariance = du @ counts @ dv
    r = float(covariance / math.sqrt((counts.sum(axis=1) @ du**2) * (counts.sum(axis=0) @ dv**2)))
    r = min(1.0, max(-1.0, r))  # rounding can step just outside [-1, 1]
    statistic = (n - 1) * r * r
    return result(
        "linear_by_linear",
        statistic=statistic,
        statistic_name="M2",
        df=1,
        p=float(special.chdtrc(1, statistic)),
        r=r,
        z=r * math.sqrt(n - 1),
        method="asymptotic chi-square, 1 df",
    )
