"""Tests for altar.stats.proportions, pinned to Newcombe (1998) and statsmodels."""

import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from statsmodels.stats.proportion import proportion_confint

from altar.stats import BinaryTally, wilson_interval


# Newcombe RG (1998) Stat Med 17:857-872, Table I, method 3 (Wilson score,
# no continuity correction), printed to 4 decimal places.
@pytest.mark.parametrize(
    "successes, n, low, high",
    [
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0000, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_matches_newcombe_table_1(successes, n, low, high):
    got = wilson_interval(successes, n)
    assert got[0] == pytest.approx(low, abs=5e-5)
    assert got[1] == pytest.approx(high, abs=5e-5)


@pytest.mark.parametrize("n", [1, 2, 5, 19, 80, 263])
@pytest.mark.parametrize("confidence", [0.90, 0.95, 0.99])
def test_wilson_matches_statsmodels_for_every_count(n, confidence):
    for successes in range(n + 1):
        # statsmodels: proportion_confint(successes, n, alpha=1 - confidence, method="wilson")
        low, high = proportion_confint(successes, n, alpha=1 - confidence, method="wilson")
        got = wilson_interval(successes, n, confidence)
        assert got == pytest.approx((low, high), abs=1e-12)


def test_wilson_endpoints_are_exact_at_zero_and_n():
    assert wilson_interval(0, 7)[0] == 0.0
    assert wilson_interval(7, 7)[1] == 1.0


def test_wilson_none_when_n_is_zero():
    assert wilson_interval(0, 0) is None


def test_wilson_accepts_numpy_integers():
    assert wilson_interval(np.int64(3), np.int32(10)) == wilson_interval(3, 10)


@pytest.mark.parametrize(
    "args, message",
    [
        ((-1, 10), "must not be negative"),
        ((3, -1), "must not be negative"),
        ((11, 10), "must not exceed n"),
        ((2.5, 10), "integer count"),
        ((True, 10), "integer count"),
        (("3", 10), "integer count"),
        ((3, 10, 0.0), "confidence"),
        ((3, 10, 1.0), "confidence"),
        ((3, 10, 95), "confidence"),
    ],
)
def test_wilson_rejects_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        wilson_interval(*args)


@given(
    st.integers(min_value=1, max_value=5000).flatmap(
        lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))
    )
)
def test_wilson_contains_estimate_and_lies_in_unit_interval(case):
    successes, n = case
    low, high = wilson_interval(successes, n)
    assert 0.0 <= low <= successes / n <= high <= 1.0


@given(
    st.integers(min_value=1, max_value=500).flatmap(
        lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))
    )
)
def test_wilson_is_symmetric_in_successes_and_failures(case):
    successes, n = case
    low, high = wilson_interval(successes, n)
    mirror_low, mirror_high = wilson_interval(n - successes, n)
    assert low == pytest.approx(1 - mirror_high, abs=1e-12)
    assert high == pytest.approx(1 - mirror_low, abs=1e-12)


def test_binary_tally_figures():
    tally = BinaryTally(yes=12, suspected=3, no=4, unknown=1)
    assert tally.n == 20
    assert tally.answered == 19
    assert tally.pct_known == 12 / 19
    assert tally.pct_known_or_suspected == 15 / 19
    assert tally.pct_all == 12 / 20
    # statsmodels: proportion_confint(12, 19, method="wilson"), (15, 19, ...)
    assert tally.ci95 == pytest.approx(proportion_confint(12, 19, method="wilson"), abs=1e-12)
    assert tally.ci95_known_or_suspected == pytest.approx(
        proportion_confint(15, 19, method="wilson"), abs=1e-12
    )


def test_binary_tally_to_dict_contract():
    d = BinaryTally(yes=12, suspected=3, no=4, unknown=1).to_dict()
    assert list(d) == [
        "yes",
        "suspected",
        "no",
        "unknown",
        "n",
        "answered",
        "pct_known",
        "ci95",
        "pct_known_or_suspected",
        "ci95_known_or_suspected",
        "pct_all",
    ]
    assert isinstance(d["ci95"], list) and len(d["ci95"]) == 2
    assert json.loads(json.dumps(d, allow_nan=False)) == d


def test_binary_tally_with_nothing_answered():
    tally = BinaryTally(yes=0, suspected=0, no=0, unknown=4)
    d = tally.to_dict()
    assert d["pct_known"] is None and d["ci95"] is None
    assert d["pct_known_or_suspected"] is None and d["ci95_known_or_suspected"] is None
    assert d["pct_all"] == 0.0


def test_binary_tally_empty_group():
    d = BinaryTally(0, 0, 0, 0).to_dict()
    assert d["n"] == 0 and d["pct_all"] is None


def test_binary_tally_normalises_numpy_integers():
    d = BinaryTally(np.int64(2), np.int64(1), np.int64(3), np.int64(0)).to_dict()
    assert type(d["yes"]) is int
    json.dumps(d)


@pytest.mark.parametrize("fields", [(-1, 0, 0, 0), (0, 0, 0, -2), (1.0, 0, 0, 0), (None, 0, 0, 0)])
def test_binary_tally_rejects_bad_counts(fields):
    with pytest.raises(ValueError):
        BinaryTally(*fields)


def test_binary_tally_is_frozen():
    tally = BinaryTally(1, 2, 3, 4)
    with pytest.raises(AttributeError):
        tally.yes = 5


@given(st.tuples(*[st.integers(min_value=0, max_value=300)] * 4))
def test_binary_tally_invariants(fields):
    tally = BinaryTally(*fields)
    assert tally.n == sum(fields)
    if tally.answered:
        assert tally.pct_known <= tally.pct_known_or_suspected
        assert tally.ci95[0] <= tally.pct_known <= tally.ci95[1]
        assert tally.pct_all <= tally.pct_known
    else:
        assert tally.ci95 is None and tally.ci95_known_or_suspected is None
