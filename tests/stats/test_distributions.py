"""Tests for altar.stats.distributions, pinned to plain expansion of the data."""

import json
import statistics

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from statsmodels.stats.proportion import proportion_confint

from altar.stats import (
    band_counts,
    parse_band,
    summarise_counts,
    summarise_score,
    validate_bands,
)

ACE_BANDS = ["0", "1", "2-3", "4+"]

freq_tables = st.dictionaries(
    st.integers(min_value=0, max_value=15), st.integers(min_value=0, max_value=40), max_size=10
)


def expand(freq):
    """One list entry per child, as the raw data would have been."""
    return [value for value, count in freq.items() for _ in range(count)]


@pytest.mark.parametrize(
    "label, expected",
    [
        ("0", (0, 0)),
        ("1", (1, 1)),
        ("2-3", (2, 3)),
        ("4+", (4, None)),
        ("10-19", (10, 19)),
        ("20+", (20, None)),
    ],
)
def test_parse_band(label, expected):
    assert parse_band(label) == expected


@pytest.mark.parametrize(
    "label",
    [
        "",
        " 1",
        "1 ",
        "a",
        "-1",
        "2-",
        "-3",
        "3-2",
        "2-2",
        "1+2",
        "4++",
        "2–3",
        "01",
        "1.5",
        "+4",
        "２",
    ],
)
def test_parse_band_rejects(label):
    with pytest.raises(ValueError):
        parse_band(label)


def test_parse_band_rejects_non_string():
    with pytest.raises(ValueError):
        parse_band(4)


@pytest.mark.parametrize(
    "labels",
    [["0", "1", "2-3", "4+"], ["0+"], ["0", "1+"], ["0-4", "5-9", "10+"]],
)
def test_validate_bands_accepts(labels):
    assert validate_bands(labels) is None


@pytest.mark.parametrize(
    "labels, message",
    [
        ([], "non-empty"),
        ("0", "non-empty"),
        (["1", "2+"], "must start at 0"),
        (["0", "2-3", "4+"], "gap"),
        (["0", "1", "1-3", "4+"], "overlap"),
        (["0", "1", "2-3", "3+"], "overlap"),
        (["0", "1+", "2+"], "only the last band may be open"),
        (["0", "1", "2-3"], "last band must be open"),
        (["0", "1", "1", "2+"], "overlap"),
        (["0", "x", "2+"], "not of the form"),
    ],
)
def test_validate_bands_rejects(labels, message):
    with pytest.raises(ValueError, match=message):
        validate_bands(labels)


def test_band_counts_example():
    freq = {0: 3, 1: 5, 2: 4, 3: 3, 4: 6, 9: 3}
    assert band_counts(freq, ACE_BANDS) == {"0": 3, "1": 5, "2-3": 7, "4+": 9}


def test_band_counts_keeps_empty_bands_in_order():
    got = band_counts({5: 2}, ACE_BANDS)
    assert list(got) == ACE_BANDS
    assert got == {"0": 0, "1": 0, "2-3": 0, "4+": 2}


@pytest.mark.parametrize("freq", [{-1: 2}, {1: -2}, {1.5: 2}, {1: 2.0}, {"1": 2}])
def test_band_counts_rejects_bad_frequency_tables(freq):
    with pytest.raises(ValueError):
        band_counts(freq, ACE_BANDS)


def test_band_counts_rejects_non_mapping():
    with pytest.raises(ValueError, match="mapping"):
        band_counts([(1, 2)], ACE_BANDS)


@given(freq_tables)
def test_band_counts_against_plain_classification(freq):
    bands = ["0", "1", "2-3", "4-7", "8+"]
    expected = dict.fromkeys(bands, 0)
    for value in expand(freq):
        if value == 0:
            expected["0"] += 1
        elif value == 1:
            expected["1"] += 1
        elif value <= 3:
            expected["2-3"] += 1
        elif value <= 7:
            expected["4-7"] += 1
        else:
            expected["8+"] += 1
    got = band_counts(freq, bands)
    assert got == expected
    assert sum(got.values()) == sum(freq.values())


def test_summarise_counts_example():
    s = summarise_counts({1: 4, 2: 3, 5: 2, 11: 1}, unknown=2, thresholds=[5, 12])
    values = [1, 1, 1, 1, 2, 2, 2, 5, 5, 11]
    assert (s.n, s.n_known, s.unknown) == (12, 10, 2)
    assert s.mean == pytest.approx(sum(values) / 10)
    assert s.median == 2.0
    assert (s.min, s.max) == (1, 11)
    five, twelve = s.at_or_above
    assert (five["threshold"], five["n"], five["pct"]) == (5, 3, 0.3)
    # statsmodels: proportion_confint(3, 10, method="wilson")
    assert five["ci95"] == pytest.approx(proportion_confint(3, 10, method="wilson"), abs=1e-12)
    assert (twelve["n"], twelve["pct"], twelve["ci95"][0]) == (0, 0.0, 0.0)


def test_summarise_counts_even_count_median_is_mean_of_middle_pair():
    # values 1, 2, 4, 10: the two middle values are 2 and 4
    assert summarise_counts({1: 1, 2: 1, 4: 1, 10: 1}, 0).median == 3.0


def test_summarise_counts_nothing_known():
    s = summarise_counts({}, unknown=3, thresholds=[1])
    assert (s.n, s.n_known, s.mean, s.median, s.min, s.max) == (3, 0, None, None, None, None)
    assert s.at_or_above == ({"threshold": 1, "n": 0, "pct": None, "ci95": None},)


def test_summarise_counts_zero_frequencies_do_not_set_min_or_max():
    s = summarise_counts({0: 0, 3: 2, 9: 0}, unknown=0)
    assert (s.min, s.max, s.median) == (3, 3, 3.0)


def test_summarise_counts_to_dict_is_json_ready():
    d = summarise_counts({1: 4, 2: 3}, unknown=1, thresholds=[2]).to_dict()
    assert list(d) == ["n", "n_known", "unknown", "mean", "median", "min", "max", "at_or_above"]
    assert isinstance(d["at_or_above"][0]["ci95"], list)
    assert json.loads(json.dumps(d, allow_nan=False)) == d


@pytest.mark.parametrize(
    "args",
    [({1: 2}, -1, ()), ({1: 2}, 1.5, ()), ({1: 2}, 0, [1.5]), ({1: 2}, 0, "3"), ({-2: 1}, 0, ())],
)
def test_summarise_counts_rejects_bad_input(args):
    with pytest.raises(ValueError):
        summarise_counts(*args)


@given(
    freq_tables,
    st.integers(min_value=0, max_value=20),
    st.lists(st.integers(min_value=0, max_value=16), max_size=4),
)
def test_summarise_counts_against_expanded_data(freq, unknown, thresholds):
    values = expand(freq)
    s = summarise_counts(freq, unknown, thresholds)
    assert s.n == len(values) + unknown
    assert s.n_known == len(values)
    if values:
        assert s.mean == pytest.approx(np.mean(values))
        assert s.median == statistics.median(values)
        assert (s.min, s.max) == (min(values), max(values))
    else:
        assert s.mean is s.median is s.min is s.max is None
    for threshold, row in zip(thresholds, s.at_or_above):
        hits = sum(1 for v in values if v >= threshold)
        assert row["n"] == hits
        if values:
            assert row["pct"] == hits / len(values)
            assert row["ci95"][0] <= row["pct"] <= row["ci95"][1]


def test_summarise_score_to_dict_contract():
    s = summarise_score({0: 3, 1: 5, 2: 4, 3: 3, 4: 6, 7: 3}, ACE_BANDS, n_with_unknown=2)
    d = s.to_dict()
    assert list(d) == ["0", "1", "2-3", "4+", "n", "mean", "median", "n_with_unknown"]
    assert d["4+"] == 9 and d["2-3"] == 7
    assert d["n"] == 24 and d["n_with_unknown"] == 2
    values = [0] * 3 + [1] * 5 + [2] * 4 + [3] * 3 + [4] * 6 + [7] * 3
    assert d["mean"] == pytest.approx(statistics.mean(values))
    assert d["median"] == statistics.median(values)
    assert json.loads(json.dumps(d, allow_nan=False)) == d


def test_summarise_score_empty():
    d = summarise_score({}, ACE_BANDS, 0).to_dict()
    assert d == {
        "0": 0,
        "1": 0,
        "2-3": 0,
        "4+": 0,
        "n": 0,
        "mean": None,
        "median": None,
        "n_with_unknown": 0,
    }


@pytest.mark.parametrize(
    "args, message",
    [
        (({1: 2}, ACE_BANDS, 3), "must not exceed n"),
        (({1: 2}, ACE_BANDS, -1), "must not be negative"),
        (({1: 2}, ["0", "1"], 0), "last band must be open"),
    ],
)
def test_summarise_score_rejects_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        summarise_score(*args)


@given(freq_tables)
def test_summarise_score_bands_sum_to_n(freq):
    s = summarise_score(freq, ACE_BANDS, 0)
    assert sum(s.bands.values()) == s.n == len(expand(freq))
