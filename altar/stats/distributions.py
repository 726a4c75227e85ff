"""Summaries of count items and derived scores from frequency tables.

Counts arrive already aggregated, as ``{value: number_of_children}`` (a SQL
``GROUP BY``), so nothing here needs the children one by one.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from altar.stats.proportions import _as_count, _interval_list, wilson_interval

__all__ = [
    "CountSummary",
    "ScoreSummary",
    "band_counts",
    "parse_band",
    "summarise_counts",
    "summarise_score",
    "validate_bands",
]

# ASCII digits without leading zeros, so each band has exactly one spelling.
_BAND = re.compile(r"(0|[1-9][0-9]*)(?:(-)(0|[1-9][0-9]*)|(\+))?")


def parse_band(label: str) -> tuple[int, int | None]:
    """Parse a band label into ``(low, high)``; ``high`` is None for an open band.

    Labels are ``"N"`` (one value), ``"N-M"`` (N to M inclusive, N < M) or
    ``"N+"`` (N or more), with no spaces.

    References
    ----------
    Felitti VJ et al. (1998). Am J Prev Med 14:245-258 (ACE score bands
    0 / 1 / 2-3 / 4+).

    Examples
    --------
    >>> parse_band("0"), parse_band("2-3"), parse_band("4+")
    ((0, 0), (2, 3), (4, None))
    """
    if not isinstance(label, str):
        raise ValueError(f"band label must be a string, got {label!r}")
    match = _BAND.fullmatch(label)
    if match is None:
        raise ValueError(f"band label {label!r} is not of the form 'N', 'N-M' or 'N+'")
    low = int(match.group(1))
    if match.group(4):
        return (low, None)
    if match.group(2):
        high = int(match.group(3))
        if high <= low:
            raise ValueError(f"band label {label!r}: upper end must exceed lower end")
        return (low, high)
    return (low, low)


def validate_bands(labels: Sequence[str]) -> None:
    """Check that band labels partition 0, 1, 2, ... with no gap or overlap.

    The first band must start at 0, each band must start just after the
    previous one ends, and only the last band may (and must) be open ("N+").

    References
    ----------
    Felitti VJ et al. (1998). Am J Prev Med 14:245-258.

    Examples
    --------
    >>> validate_bands(["0", "1", "2-3", "4+"])
    >>> validate_bands(["0", "2-3", "4+"])
    Traceback (most recent call last):
    ...
    ValueError: band '2-3' should start at 1: gap after '0'
    """
    if isinstance(labels, str) or len(labels) == 0:
        raise ValueError("bands must be a non-empty sequence of labels")
    expected_low = 0
    previous = None
    for position, label in enumerate(labels):
        low, high = parse_band(label)
        if low != expected_low:
            if previous is None:
                raise ValueError(f"the first band {label!r} must start at 0")
            problem = "gap" if low > expected_low else "overlap"
            raise ValueError(
                f"band {label!r} should start at {expected_low}: {problem} after {previous!r}"
            )
        if high is None and position != len(labels) - 1:
            raise ValueError(f"only the last band may be open, but {label!r} is not last")
        previous = label
        expected_low = high + 1 if high is not None else -1
    if parse_band(labels[-1])[1] is not None:
        raise ValueError(f"the last band must be open (like '4+'), got {labels[-1]!r}")


def _checked_freq(freq: Mapping[int, int]) -> dict[int, int]:
    """Validate a frequency table and return it with plain int keys and values."""
    if not isinstance(freq, Mapping):
        raise ValueError(
            f"freq must be a mapping of value -> number of children, got {type(freq).__name__}"
        )
    checked: dict[int, int] = {}
    for value, count in freq.items():
        value = _as_count("a value in freq", value)
        checked[value] = checked.get(value, 0) + _as_count(
            f"the number of children with value {value}", count
        )
    return checked


def band_counts(freq: Mapping[int, int], bands: Sequence[str]) -> dict[str, int]:
    """Number of children in each band, in band order; empty bands give 0.

    References
    ----------
    Felitti VJ et al. (1998). Am J Prev Med 14:245-258.

    Examples
    --------
    >>> band_counts({0: 3, 1: 5, 2: 4, 3: 3, 5: 9}, ["0", "1", "2-3", "4+"])
    {'0': 3, '1': 5, '2-3': 7, '4+': 9}
    """
    validate_bands(bands)
    checked = _checked_freq(freq)
    result = {}
    for label in bands:
        low, high = parse_band(label)
        result[label] = sum(
            count
            for value, count in checked.items()
            if value >= low and (high is None or value <= high)
        )
    return result


def _mean_median(freq: dict[int, int]) -> tuple[float | None, float | None]:
    """Mean and median of the values a frequency table describes."""
    total = sum(freq.values())
    if total == 0:
        return None, None
    mean = sum(value * count for value, count in freq.items()) / total
    # The median is the mean of the values at 1-based positions
    # floor((n+1)/2) and ceil((n+1)/2) of the sorted list.
    wanted = [(total + 1) // 2, total // 2 + 1]
    found: list[int] = []
    seen = 0
    for value in sorted(freq):
        seen += freq[value]
        while len(found) < 2 and wanted[len(found)] <= seen:
            found.append(value)
    return mean, (found[0] + found[1]) / 2


@dataclass(frozen=True)
class CountSummary:
    """Summary of a count item (e.g. number of schools attended).

    ``n`` counts every child (``n_known + unknown``); the mean, median, min and
    max describe the ``n_known`` children whose value is known, and are None
    when there are none. ``at_or_above`` holds one dict per threshold ``t``:
    ``{"threshold": t, "n": ..., "pct": ..., "ci95": ...}`` with ``pct`` over
    ``n_known`` and a Wilson 95% interval.
    """

    n: int
    n_known: int
    unknown: int
    mean: float | None
    median: float | None
    min: int | None
    max: int | None
    at_or_above: tuple[dict[str, Any], ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready plain values; intervals as ``[low, high]`` or None."""
        return {
            "n": self.n,
            "n_known": self.n_known,
            "unknown": self.unknown,
            "mean": self.mean,
            "median": self.median,
            "min": self.min,
            "max": self.max,
            "at_or_above": [
                {**row, "ci95": _interval_list(row["ci95"])} for row in self.at_or_above
            ],
        }


def summarise_counts(
    freq: Mapping[int, int], unknown: int, thresholds: Sequence[int] = ()
) -> CountSummary:
    """Describe a count item from its frequency table.

    Parameters
    ----------
    freq : mapping of int to int
        ``{value: number_of_children}`` for children whose value is known.
    unknown : int
        Children whose value is not known.
    thresholds : sequence of int
        For each ``t``, report how many known children have a value ``>= t``,
        as a proportion of the known children with a Wilson 95% interval.

    References
    ----------
    Newcombe RG (1998). Stat Med 17:857-872 (Wilson intervals).

    Examples
    --------
    >>> s = summarise_counts({1: 4, 2: 3, 5: 2, 11: 1}, unknown=2, thresholds=[5])
    >>> s.n, s.n_known, s.mean, s.median, s.min, s.max
    (12, 10, 3.1, 2.0, 1, 11)
    >>> row = s.at_or_above[0]
    >>> row["threshold"], row["n"], row["pct"], [round(x, 3) for x in row["ci95"]]
    (5, 3, 0.3, [0.108, 0.603])
    """
    checked = _checked_freq(freq)
    unknown = _as_count("unknown", unknown)
    if isinstance(thresholds, (str, bytes)):
        raise ValueError("thresholds must be a sequence of integers")
    n_known = sum(checked.values())
    mean, median = _mean_median(checked)
    present = [value for value, count in checked.items() if count > 0]
    rows = []
    for threshold in thresholds:
        if isinstance(threshold, bool):
            raise ValueError(f"threshold must be an integer, got {threshold!r}")
        try:
            threshold = operator.index(threshold)
        except TypeError:
            raise ValueError(f"threshold must be an integer, got {threshold!r}") from None
        hits = sum(count for value, count in checked.items() if value >= threshold)
        rows.append(
            {
                "threshold": threshold,
                "n": hits,
                "pct": hits / n_known if n_known else None,
                "ci95": wilson_interval(hits, n_known),
            }
        )
    return CountSummary(
        n=n_known + unknown,
        n_known=n_known,
        unknown=unknown,
        mean=mean,
        median=median,
        min=min(present) if present else None,
        max=max(present) if present else None,
        at_or_above=tuple(rows),
    )


@dataclass(frozen=True)
class ScoreSummary:
    """Distribution of a derived score (e.g. ACE score) over bands.

    ``n_with_unknown`` children had at least one "not known" among the score's
    items, so their score is a lower bound. ``to_dict()`` puts the band labels
    at the top level (``d["4+"]``), as the published JSON contract expects.
    """

    n: int
    bands: dict[str, int]
    mean: float | None
    median: float | None
    n_with_unknown: int

    def to_dict(self) -> dict[str, Any]:
        """Band counts under their labels, then n, mean, median, n_with_unknown."""
        return {
            **self.bands,
            "n": self.n,
            "mean": self.mean,
            "median": self.median,
            "n_with_unknown": self.n_with_unknown,
        }


def summarise_score(
    freq: Mapping[int, int], bands: Sequence[str], n_with_unknown: int
) -> ScoreSummary:
    """Band a derived score and give its mean and median.

    Parameters
    ----------
    freq : mapping of int to int
        ``{score: number_of_children}``.
    bands : sequence of str
        Band labels, e.g. ``["0", "1", "2-3", "4+"]`` (see `validate_bands`).
    n_with_unknown : int
        Children (included in ``freq``) whose score is a lower bound because at
        least one of its items was not known; at most ``n``.

    References
    ----------
    Felitti VJ et al. (1998). Am J Prev Med 14:245-258 (the ACE score).

    Examples
    --------
    >>> s = summarise_score({0: 3, 1: 5, 2: 4, 3: 3, 4: 6, 7: 3}, ["0", "1", "2-3", "4+"], 2)
    >>> d = s.to_dict()
    >>> d["4+"], d["n"], round(d["mean"], 2), d["median"], d["n_with_unknown"]
    (9, 24, 2.79, 2.5, 2)
    """
    counts = band_counts(freq, bands)
    checked = _checked_freq(freq)
    n = sum(checked.values())
    n_with_unknown = _as_count("n_with_unknown", n_with_unknown)
    if n_with_unknown > n:
        raise ValueError(f"n_with_unknown ({n_with_unknown}) must not exceed n ({n})")
    mean, median = _mean_median(checked)
    return ScoreSummary(n=n, bands=counts, mean=mean, median=median, n_with_unknown=n_with_unknown)
