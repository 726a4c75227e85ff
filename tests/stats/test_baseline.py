"""Tests for altar.stats.baseline, pinned to exact binomial sums written out here."""

import json
import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from scipy.stats import binomtest
from statsmodels.stats.proportion import proportion_confint

from altar.stats import compare_with_baseline
from altar.stats.baseline import binomial_test_two_sided


def exact_two_sided_binomial_p(successes, n, baseline):
    """Sum of P(K = k) over every k no more likely than the observed count.

    Exact rational arithmetic (math.comb and Fraction); "no more likely" uses
    the relative tolerance 1 + 1e-7 that R's binom.test and SciPy use.
    """
    p = Fraction(baseline)
    pmf = [math.comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(n + 1)]
    limit = pmf[successes] * Fraction(10**7 + 1, 10**7)
    return float(min(Fraction(1), sum(q for q in pmf if q <= limit)))


@pytest.mark.parametrize(
    "successes, n, baseline",
    [
        (14, 20, 0.16),
        (3, 80, 0.14),
        (56, 80, 0.47),
        (40, 80, 0.5),
        (0, 30, 0.047),
        (30, 30, 0.9),
        (7, 70, 0.1),
        (1, 1, 0.5),
    ],
)
def test_binomial_p_matches_exact_sum(successes, n, baseline):
    res = compare_with_baseline(successes, n, baseline)
    assert res.test == "exact binomial"
    assert res.p == pytest.approx(exact_two_sided_binomial_p(successes, n, baseline), rel=1e-9)


def test_binomial_p_matches_scipy_pmf_summation():
    # sum(binom.pmf(k, 80, 0.47) for k with pmf <= pmf(56) * (1 + 1e-7))
    pmf = stats.binom.pmf(range(81), 80, 0.47)
    expected = pmf[pmf <= pmf[56] * (1 + 1e-7)].sum()
    assert compare_with_baseline(56, 80, 0.47).p == pytest.approx(expected, rel=1e-9)


def test_hand_computed_small_case():
    # n = 2, baseline 0.5: P(K = 0) = P(K = 2) = 1/4, P(K = 1) = 1/2.
    # Observed 0: outcomes no more likely than it are 0 and 2, so p = 1/2.
    assert compare_with_baseline(0, 2, 0.5).p == pytest.approx(0.5)
    # Observed 1 is the most likely outcome, so every outcome counts: p = 1.
    assert compare_with_baseline(1, 2, 0.5).p == pytest.approx(1.0)


def test_prevalence_ratio_and_interval():
    res = compare_with_baseline(63, 80, 0.47)
    assert res.prevalence == 63 / 80
    assert res.ratio == pytest.approx((63 / 80) / 0.47)
    # statsmodels: proportion_confint(63, 80, method="wilson")
    assert res.ci95 == pytest.approx(proportion_confint(63, 80, method="wilson"), abs=1e-12)
    assert res.baseline == 0.47


def test_n_zero_is_not_testable():
    res = compare_with_baseline(0, 0, 0.16)
    assert res.test == "not_testable"
    assert res.prevalence is res.ci95 is res.ratio is res.p is None
    assert "n is 0" in res.reason


def test_to_dict_is_json_ready():
    d = compare_with_baseline(14, 20, 0.16).to_dict()
    assert list(d) == [
        "successes",
        "n",
        "prevalence",
        "ci95",
        "baseline",
        "ratio",
        "test",
        "p",
        "reason",
    ]
    assert isinstance(d["ci95"], list)
    assert json.loads(json.dumps(d, allow_nan=False)) == d


@pytest.mark.parametrize(
    "args, message",
    [
        ((3, 10, 0.0), "strictly between 0 and 1"),
        ((3, 10, 1.0), "strictly between 0 and 1"),
        ((3, 10, 16), "strictly between 0 and 1"),
        ((3, 10, float("nan")), "strictly between 0 and 1"),
        ((3, 10, "0.16"), "proportion"),
        ((3, 10, None), "proportion"),
        ((11, 10, 0.2), "must not exceed n"),
        ((-1, 10, 0.2), "must not be negative"),
        ((3, 10.0, 0.2), "integer count"),
    ],
)
def test_rejects_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        compare_with_baseline(*args)


@given(
    st.integers(min_value=1, max_value=300).flatmap(
        lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))
    ),
    st.floats(min_value=0.001, max_value=0.999),
)
def test_invariants(case, baseline):
    successes, n = case
    res = compare_with_baseline(successes, n, baseline)
    assert 0.0 <= res.p <= 1.0  # extreme cases underflow to 0.0
    assert res.ci95[0] <= res.prevalence <= res.ci95[1]
    assert res.ratio == pytest.approx(res.prevalence / baseline)


@settings(max_examples=300, deadline=None)
@given(n=st.integers(0, 200), data=st.data(), p=st.floats(0.001, 0.999))
def test_binomial_test_matches_exact_rational_sums(n, data, p):
    """altar's two-sided binomial test (on scipy.special, keeping scipy.stats
    out of every run) against the exact sum in rational arithmetic."""
    k = data.draw(st.integers(0, n))
    expected = exact_two_sided_binomial_p(k, n, p) if n else 1.0
    assert binomial_test_two_sided(k, n, p) == pytest.approx(expected, rel=1e-9, abs=1e-300)


@settings(max_examples=200, deadline=None)
@given(n=st.integers(1, 5000), data=st.data(), p=st.floats(0.001, 0.999))
def test_binomial_test_matches_scipy_binomtest(n, data, p):
    # SciPy's own tail sums agree with exact arithmetic only to about 1e-9
    # relative far in the tails (seen: n=962, k=0, p=0.46875), and less near
    # underflow; p-values below 1e-12 all read "p < 0.001" in any report.
    k = data.draw(st.integers(0, n))
    assert binomial_test_two_sided(k, n, p) == pytest.approx(
        binomtest(k, n, p).pvalue, rel=1e-7, abs=1e-12
    )


@pytest.mark.parametrize(
    ("k", "n", "p"),
    [
        (0, 1_000_000, 0.14),
        (140_500, 1_000_000, 0.14),
        (999_999, 1_000_000, 0.5),
        (1, 1, 0.5),
        (3, 10, 0.3),
        (7, 10, 0.3),
    ],
)
def test_binomial_test_at_the_edges_and_at_national_scale(k, n, p):
    assert binomial_test_two_sided(k, n, p) == pytest.approx(
        binomtest(k, n, p).pvalue, rel=1e-7, abs=1e-12
    )
