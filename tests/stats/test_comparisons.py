"""Tests for altar.stats.comparisons.

References: statsmodels (multipletests, Table.test_ordinal_association),
SciPy's separate implementations (chi2_contingency, fisher_exact on 2 x 2),
R documentation and the R package contingencytables (Fagerland, Lydersen and
Laake 2017), Agresti's worked example, and brute-force enumeration below.
"""

import itertools
import json
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.contingency_tables import Table
from statsmodels.stats.multitest import multipletests

from altar.stats import compare_proportions, holm, linear_by_linear
from altar.stats.comparisons import _fisher_rx2

# ---------------------------------------------------------------- holm


# multipletests calls gc.collect() on every call (about 40 ms), hence few examples.
@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=1), min_size=1, max_size=30))
def test_holm_matches_statsmodels(pvalues):
    # statsmodels: multipletests(pvalues, method="holm")[1]
    expected = multipletests(pvalues, method="holm")[1]
    assert holm(pvalues) == pytest.approx(list(expected), abs=1e-12)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.one_of(st.none(), st.floats(min_value=0, max_value=1)), max_size=20))
def test_holm_passes_none_through_and_does_not_count_it(pvalues):
    got = holm(pvalues)
    present = [i for i, p in enumerate(pvalues) if p is not None]
    assert [i for i, p in enumerate(got) if p is None] == [
        i for i, p in enumerate(pvalues) if p is None
    ]
    if present:
        # statsmodels on the non-missing p-values only
        expected = multipletests([pvalues[i] for i in present], method="holm")[1]
        assert [got[i] for i in present] == pytest.approx(list(expected), abs=1e-12)


@given(st.lists(st.floats(min_value=0, max_value=1), min_size=1, max_size=30))
def test_holm_invariants(pvalues):
    adjusted = holm(pvalues)
    assert all(raw <= adj <= 1.0 for raw, adj in zip(pvalues, adjusted))
    order = sorted(range(len(pvalues)), key=lambda i: pvalues[i])
    ranked = [adjusted[i] for i in order]
    assert ranked == sorted(ranked)


def test_holm_worked_example():
    # sorted 0.005, 0.01, 0.03, 0.04 with m = 4: 0.02, 0.03, 0.06, then max(0.04, 0.06)
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])


def test_holm_edge_cases():
    assert holm([]) == []
    assert holm([None, None]) == [None, None]
    assert holm([0.3]) == [0.3]
    assert holm([0.6, 0.7]) == [1.0, 1.0]


@pytest.mark.parametrize("pvalues", [[0.1, -0.01], [1.2], [float("nan")], ["0.1"], [True], "0.1"])
def test_holm_rejects_bad_input(pvalues):
    with pytest.raises(ValueError):
        holm(pvalues)


# ---------------------------------------------------------------- brute force


def brute_force_fisher(table):
    """Freeman-Halton p by listing every R x 2 table with the same margins.

    Exact rational arithmetic; a table counts when its probability is at most
    the observed one times (1 + 1e-7), as in R's fisher.test.
    """
    row_totals = [a + b for a, b in table]
    present = sum(a for a, _ in table)
    n = sum(row_totals)

    def probability(column):
        numerator = math.prod(math.comb(r, x) for r, x in zip(row_totals, column))
        return Fraction(numerator, math.comb(n, present))

    observed = probability([a for a, _ in table])
    limit = observed * Fraction(10**7 + 1, 10**7)
    total, count = Fraction(0), 0
    for column in itertools.product(*(range(r + 1) for r in row_totals)):
        if sum(column) != present:
            continue
        count += 1
        p = probability(column)
        if p <= limit:
            total += p
    return float(total), count


SMALL_TABLES = [
    [[1, 4], [3, 2], [0, 5]],
    [[2, 2], [2, 2], [2, 2]],
    [[0, 3], [1, 2], [2, 1], [3, 0]],
    [[5, 1], [1, 5], [3, 3], [0, 2], [4, 0]],
    [[7, 0], [0, 7], [1, 1]],
    [[3, 9], [1, 11], [6, 6], [2, 10]],
    [[10, 1], [8, 3], [9, 2]],
    [[0, 1], [1, 0]],
    [[4, 3], [2, 5]],
]


@pytest.mark.parametrize("table", SMALL_TABLES)
def test_fisher_exact_enumeration_matches_brute_force(table):
    expected_p, expected_count = brute_force_fisher(table)
    p, _, method, n_tables = _fisher_rx2(table, seed=1, n_resamples=10, max_tables=10**9)
    assert n_tables == expected_count
    assert method == f"exact (full enumeration of {expected_count} tables)"
    assert p == pytest.approx(expected_p, rel=1e-9)


small_rx2 = st.lists(
    st.tuples(st.integers(0, 6), st.integers(0, 6)).filter(lambda row: sum(row) > 0),
    min_size=2,
    max_size=5,
).filter(lambda t: sum(a for a, _ in t) > 0 and sum(b for _, b in t) > 0)


@settings(max_examples=60, deadline=None)
@given(small_rx2)
def test_fisher_matches_brute_force_on_random_tables(table):
    expected_p, expected_count = brute_force_fisher(table)
    p, probability, _, n_tables = _fisher_rx2(
        [list(row) for row in table], seed=1, n_resamples=10, max_tables=10**9
    )
    assert n_tables == expected_count
    assert p == pytest.approx(expected_p, rel=1e-9)
    assert 0 < probability <= p * (1 + 1e-12) and p <= 1


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.integers(0, 40), min_size=4, max_size=4).filter(
        lambda c: c[0] + c[1] > 0 and c[2] + c[3] > 0 and c[0] + c[2] > 0 and c[1] + c[3] > 0
    )
)
def test_fisher_2x2_matches_scipy(cells):
    table = [cells[:2], cells[2:]]
    p, _, _, _ = _fisher_rx2(table, seed=1, n_resamples=10, max_tables=10**9)
    # scipy.stats.fisher_exact(table).pvalue, two-sided
    assert p == pytest.approx(stats.fisher_exact(table).pvalue, rel=1e-9)


def test_fisher_2x2_through_public_api_matches_scipy():
    table = [[8, 2], [1, 5]]
    res = compare_proportions(table)
    # scipy.stats.fisher_exact([[8, 2], [1, 5]]) -> statistic 20.0, pvalue 0.03496...
    reference = stats.fisher_exact(table)
    assert res.test == "fisher_exact"
    assert res.statistic_name == "odds_ratio"
    assert res.statistic == pytest.approx(reference.statistic)
    assert res.p == pytest.approx(reference.pvalue, rel=1e-12)


def test_fisher_tea_tasting_from_r_documentation():
    # R ?fisher.test: TeaTasting <- matrix(c(3, 1, 1, 3), nrow = 2)
    # fisher.test(TeaTasting, alternative = "two.sided")  # p-value = 0.4857
    res = compare_proportions([[3, 1], [1, 3]])
    assert res.test == "fisher_exact"
    assert round(res.p, 4) == 0.4857
    assert res.statistic == 9.0  # sample odds ratio (R prints the conditional MLE, 6.408309)


def test_freeman_halton_published_3x2():
    # R package contingencytables (Fagerland, Lydersen & Laake 2017), test
    # "Fixing multiple_hypergeometric_pdf":
    # mat <- matrix(c(196, 398, 287, 3, 10, 14), 3)
    # Exact_cond_midP_tests_rxc(mat)  # "Exact Fisher-Freeman-Halton: P = 0.1100976"
    table = [[196, 3], [398, 10], [287, 14]]
    p, _, method, _ = _fisher_rx2(table, seed=1, n_resamples=10, max_tables=2_000_000)
    assert method.startswith("exact")
    assert p == pytest.approx(0.1100976, abs=5e-8)


def test_fisher_statistic_for_larger_tables_is_observed_table_probability():
    table = [[1, 4], [3, 2], [0, 5]]
    res = compare_proportions(table)
    assert res.statistic_name == "table_probability"
    # multivariate hypergeometric: C(5,1) C(5,3) C(5,0) / C(15,4)
    assert res.statistic == pytest.approx(5 * 10 * 1 / math.comb(15, 4))
    assert res.df is None


# ---------------------------------------------------------------- Monte Carlo


def test_monte_carlo_is_reproducible_and_close_to_exact():
    table = [[1, 6], [3, 4], [5, 2], [2, 5], [6, 1], [3, 3]]
    exact_p, count = brute_force_fisher(table)
    first = compare_proportions(table, max_tables=count - 1, n_resamples=20_000)
    second = compare_proportions(table, max_tables=count - 1, n_resamples=20_000)
    assert first == second
    assert first.method == "Monte Carlo, 20000 resamples, seed 20210301"
    # p = (1 + hits) / (n_resamples + 1)
    assert (first.p * 20_001) == pytest.approx(round(first.p * 20_001))
    standard_error = math.sqrt(exact_p * (1 - exact_p) / 20_000)
    assert abs(first.p - exact_p) < 5 * standard_error


def test_monte_carlo_seed_is_reported_and_used():
    table = [[1, 6], [3, 4], [5, 2], [2, 5], [6, 1], [3, 3]]
    res = compare_proportions(table, max_tables=0, n_resamples=2_000, seed=7)
    assert res.method == "Monte Carlo, 2000 resamples, seed 7"


def test_switch_to_monte_carlo_happens_above_max_tables():
    table = [[1, 4], [3, 2], [0, 5]]
    _, count = brute_force_fisher(table)
    assert compare_proportions(table, max_tables=count).method.startswith("exact")
    assert compare_proportions(table, max_tables=count - 1).method.startswith("Monte Carlo")


# ---------------------------------------------------------------- chi-square and the rule


@pytest.mark.parametrize(
    "table",
    [[[30, 20], [20, 30]], [[40, 25], [54, 7], [63, 10]], [[12, 30], [25, 25], [9, 40], [20, 20]]],
)
def test_chi_square_matches_scipy(table):
    res = compare_proportions(table)
    # scipy.stats.chi2_contingency(table, correction=False)
    reference = stats.chi2_contingency(table, correction=False)
    assert res.test == "chi_square"
    assert res.statistic_name == "chi_square"
    assert res.method == "asymptotic chi-square"
    assert res.statistic == pytest.approx(reference.statistic, rel=1e-12)
    assert res.df == reference.dof
    assert res.p == pytest.approx(reference.pvalue, rel=1e-9)
    assert res.min_expected == pytest.approx(reference.expected_freq.min())


def test_chi_square_published_ear_infection_table():
    # contingencytables, Fagerland et al. (2017) Table 7.3:
    # Pearson_LR_tests_rxc(rbind(c(40, 25), c(54, 7), c(63, 10)))
    # "Pearson chi-squared test: T = 17.562, df = 2, P = 0.00015"
    res = compare_proportions([[40, 25], [54, 7], [63, 10]])
    assert round(res.statistic, 3) == 17.562
    assert round(res.p, 5) == 0.00015


def test_rule_uses_fisher_when_any_expected_count_is_below_5():
    at_five = compare_proportions([[5, 5], [5, 5]])  # every expected count exactly 5
    assert at_five.test == "chi_square" and at_five.min_expected == 5.0
    below = compare_proportions([[4, 5], [5, 5]])  # 9 * 9 / 19 = 4.26
    assert below.test == "fisher_exact"
    assert below.min_expected == pytest.approx(81 / 19)


def test_empty_rows_are_dropped_and_named():
    res = compare_proportions([[5, 2], [0, 0], [1, 6]], labels=["custody", "community", "ooc"])
    assert res.groups_used == ("custody", "ooc")
    assert res.groups_dropped == ("community",)
    # scipy.stats.fisher_exact([[5, 2], [1, 6]])
    assert res.p == pytest.approx(stats.fisher_exact([[5, 2], [1, 6]]).pvalue, rel=1e-12)


def test_default_group_names_are_row_indices():
    res = compare_proportions([[0, 0], [3, 1], [2, 2]])
    assert res.groups_used == (1, 2) and res.groups_dropped == (0,)


@pytest.mark.parametrize(
    "table, reason",
    [
        ([[0, 0], [3, 4]], "fewer than 2 groups"),
        ([[0, 0], [0, 0]], "fewer than 2 groups"),
        ([[3, 0], [4, 0]], "absent"),
        ([[0, 3], [0, 4], [0, 0]], "present"),
    ],
)
def test_not_testable(table, reason):
    res = compare_proportions(table)
    assert res.test == "not_testable"
    assert res.p is None and res.statistic is None and res.method is None
    assert reason in res.reason
    json.dumps(res.to_dict(), allow_nan=False)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(table=[]), "empty"),
        (dict(table=[[1, 2, 3], [1, 2, 3]]), "exactly 2 columns"),
        (dict(table=[[1, 2], [1]]), "row 1"),
        (dict(table=[[1, -2], [1, 2]]), "must not be negative"),
        (dict(table=[[1, 2.5], [1, 2]]), "integer count"),
        (dict(table=[[1, 2], [3, 4]], labels=["a"]), "one label per row"),
        (dict(table=[[1, 2], [3, 4]], n_resamples=0), "n_resamples"),
        (dict(table=[[1, 2], [3, 4]], max_tables=-1), "max_tables"),
    ],
)
def test_compare_proportions_rejects_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        compare_proportions(**kwargs)


def test_to_dict_is_json_ready_even_for_infinite_odds_ratio():
    res = compare_proportions([[5, 0], [2, 3]])
    assert res.statistic == math.inf
    d = res.to_dict()
    assert d["statistic"] is None
    assert json.loads(json.dumps(d, allow_nan=False)) == d


@settings(max_examples=40, deadline=None)
@given(small_rx2)
def test_compare_proportions_p_is_a_probability(table):
    res = compare_proportions([list(row) for row in table])
    assert res.test in {"chi_square", "fisher_exact"}
    assert 0 < res.p <= 1


def test_report_sized_tables_are_exact_by_default():
    # Tables the size of a regional report (N = 110, up to nine authorities)
    # are enumerated in full, so published p-values never depend on a seed.
    tables = [
        [[30, 3], [35, 2], [38, 2]],
        [[10, 2], [12, 1], [11, 3], [13, 0], [12, 2], [11, 1], [12, 2], [5, 1], [10, 2]],
        [[7, 7], [7, 7], [6, 7], [7, 7], [7, 6], [6, 7], [7, 7], [7, 7], [1, 0]],
    ]
    for table in tables:
        res = compare_proportions(table)
        assert res.test == "fisher_exact"
        assert res.method.startswith("exact"), res.method


def test_monte_carlo_when_tables_exceed_the_limit_is_reproducible():
    table = [[7, 7], [7, 7], [6, 7], [7, 7], [7, 6], [6, 7], [7, 7], [7, 7], [1, 0]]
    first = compare_proportions(table, max_tables=1000, n_resamples=5000)
    again = compare_proportions(table, max_tables=1000, n_resamples=5000)
    assert first.method == "Monte Carlo, 5000 resamples, seed 20210301"
    assert first.p == again.p
    exact = compare_proportions(table)
    # Within 5 Monte Carlo standard errors of the exact p.
    se = (exact.p * (1 - exact.p) / 5000) ** 0.5
    assert abs(first.p - exact.p) < 5 * se + 1 / 5001


# ---------------------------------------------------------------- linear-by-linear

MALFORMATION = [[17066, 14464, 788, 126, 37], [48, 38, 5, 1, 1]]
ALCOHOL_SCORES = [0, 0.5, 1.5, 4.0, 7.0]


def test_linear_by_linear_agresti_malformation_example():
    # Agresti, Categorical Data Analysis, ch. 3 (and An Introduction to
    # Categorical Data Analysis, ch. 2): infant malformation by alcohol consumption,
    # scores 0, 0.5, 1.5, 4.0, 7.0: r = 0.0142, M^2 = 6.57, P = 0.01.
    res = linear_by_linear(MALFORMATION, col_scores=ALCOHOL_SCORES)
    assert res.test == "linear_by_linear"
    assert round(res.statistic, 2) == 6.57
    assert round(res.r, 4) == 0.0142
    assert round(res.p, 2) == 0.01
    assert res.df == 1


def test_linear_by_linear_matches_statsmodels_on_agresti_table():
    # statsmodels: Table(table, shift_zeros=False).test_ordinal_association(
    #     row_scores=np.arange(2), col_scores=np.array(ALCOHOL_SCORES))
    ref = Table(np.array(MALFORMATION), shift_zeros=False).test_ordinal_association(
        row_scores=np.arange(2.0), col_scores=np.array(ALCOHOL_SCORES)
    )
    res = linear_by_linear(MALFORMATION, col_scores=ALCOHOL_SCORES)
    assert res.statistic == pytest.approx(ref.zscore**2, rel=1e-9)
    assert res.z == pytest.approx(ref.zscore, rel=1e-9)
    assert res.p == pytest.approx(ref.pvalue, rel=1e-9)


def test_linear_by_linear_published_colorectal_table():
    # contingencytables, Fagerland et al. (2017) Table 7.7 (colorectal cancer):
    # linear_by_linear_test_rxc(n3)  # "P = 0.004321, Z = -2.854" (equally spaced scores)
    table = [[2, 4, 29, 19], [7, 6, 116, 51], [19, 27, 201, 76], [18, 22, 133, 54]]
    res = linear_by_linear(table)
    assert round(res.z, 3) == -2.854
    assert round(res.p, 6) == 0.004321


tables_rxc = st.integers(2, 5).flatmap(
    lambda c: st.lists(st.lists(st.integers(0, 30), min_size=c, max_size=c), min_size=2, max_size=5)
)


@settings(max_examples=60, deadline=None)
@given(tables_rxc, st.data())
def test_linear_by_linear_matches_statsmodels(table, data):
    array = np.array(table, dtype=float)
    rows_ok = (array.sum(axis=1) > 0).sum() >= 2
    cols_ok = (array.sum(axis=0) > 0).sum() >= 2
    row_scores = data.draw(
        st.lists(st.integers(-20, 20), unique=True, min_size=len(table), max_size=len(table))
    )
    col_scores = data.draw(
        st.lists(st.integers(-20, 20), unique=True, min_size=len(table[0]), max_size=len(table[0]))
    )
    res = linear_by_linear(table, row_scores, col_scores)
    if not (rows_ok and cols_ok):
        assert res.test == "not_testable"
        return
    # statsmodels: Table(table, shift_zeros=False).test_ordinal_association(row_scores, col_scores)
    ref = Table(array, shift_zeros=False).test_ordinal_association(
        row_scores=np.array(row_scores, dtype=float), col_scores=np.array(col_scores, dtype=float)
    )
    assert res.statistic == pytest.approx(ref.zscore**2, rel=1e-7, abs=1e-9)
    assert res.p == pytest.approx(ref.pvalue, rel=1e-7, abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 25), st.integers(0, 25)), min_size=2, max_size=6))
def test_linear_by_linear_relation_to_cochran_armitage(columns):
    # 2 x C table: binary outcome by ordered groups with scores 0, 1, 2, ...
    table = [[a for a, _ in columns], [b for _, b in columns]]
    n = sum(map(sum, table))
    group_sizes = [a + b for a, b in columns]
    if sum(table[0]) == 0 or sum(table[1]) == 0 or sum(1 for g in group_sizes if g) < 2:
        return
    # Cochran-Armitage, written out: T = [sum_j x_j (s_j - sbar)]^2 / (p (1 - p) sum_j n_j (s_j - sbar)^2)
    scores = range(len(columns))
    sbar = sum(g * s for g, s in zip(group_sizes, scores)) / n
    p = sum(table[0]) / n
    numerator = sum(x * (s - sbar) for x, s in zip(table[0], scores)) ** 2
    denominator = p * (1 - p) * sum(g * (s - sbar) ** 2 for g, s in zip(group_sizes, scores))
    cochran_armitage = numerator / denominator
    res = linear_by_linear(table)
    assert res.statistic == pytest.approx(cochran_armitage * (n - 1) / n, rel=1e-9, abs=1e-12)


def test_linear_by_linear_drops_empty_rows_and_columns():
    table = [[5, 0, 3, 2], [0, 0, 0, 0], [1, 0, 4, 6]]
    res = linear_by_linear(table)
    assert res.rows_used == (0, 2) and res.rows_dropped == (1,)
    assert res.columns_dropped == (1,)
    assert res.row_scores == (0.0, 2.0) and res.col_scores == (0.0, 2.0, 3.0)
    # statsmodels on the table without the empty row and column, same scores
    ref = Table(
        np.array([[5, 3, 2], [1, 4, 6]], dtype=float), shift_zeros=False
    ).test_ordinal_association(
        row_scores=np.array([0.0, 2.0]), col_scores=np.array([0.0, 2.0, 3.0])
    )
    assert res.statistic == pytest.approx(ref.zscore**2, rel=1e-9)


@pytest.mark.parametrize(
    "table, reason",
    [([[0, 0], [3, 4]], "rows"), ([[3, 0], [4, 0]], "columns"), ([[0, 0, 0]], "rows")],
)
def test_linear_by_linear_not_testable(table, reason):
    res = linear_by_linear(table)
    assert res.test == "not_testable" and res.p is None
    assert reason in res.reason
    json.dumps(res.to_dict(), allow_nan=False)


@pytest.mark.parametrize(
    "args, message",
    [
        (([],), "empty"),
        (([[1, 2], [3, 4]], [0, 1, 2]), "one value per row"),
        (([[1, 2], [3, 4]], None, [0]), "one value per column"),
        (([[1, 2], [3, 4]], [1, 1]), "distinct"),
        (([[1, 2], [3, 4]], [0, float("nan")]), "finite"),
        (([[1, 2], [3, -4]],), "must not be negative"),
    ],
)
def test_linear_by_linear_rejects_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        linear_by_linear(*args)


def test_trend_to_dict_is_json_ready():
    d = linear_by_linear(MALFORMATION, col_scores=ALCOHOL_SCORES).to_dict()
    assert json.loads(json.dumps(d, allow_nan=False)) == d
    assert d["statistic_name"] == "M2" and d["method"] == "asymptotic chi-square, 1 df"
