"""Proportions with Wilson score intervals, and the screening-item tally.

A screening item is answered yes / suspected / no / not known for each child.
The research reports two figures for each item, "known" and "known or
suspected", both over the children for whom the item was answered, plus a
conservative figure over all children (treating "not known" as "no").
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass
from typing import Any

from scipy import special

__all__ = ["BinaryTally", "wilson_interval"]


def _as_count(name: str, value: Any) -> int:
    """Return ``value`` as a non-negative int, or raise ValueError.

    Accepts Python and NumPy integers; rejects bools and floats so that a
    proportion passed by mistake is not silently truncated.
    """
    if isinstance(value, bool):
        raise ValueError(f"{name} must be an integer count, got {value!r}")
    try:
        count = operator.index(value)
    except TypeError:
        raise ValueError(f"{name} must be an integer count, got {value!r}") from None
    if count < 0:
        raise ValueError(f"{name} must not be negative, got {count}")
    return count


def _ratio(numerator: int, denominator: int) -> float | None:
    return None if denominator == 0 else numerator / denominator


def _interval_list(interval: tuple[float, float] | None) -> list[float] | None:
    return None if interval is None else [interval[0], interval[1]]


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float] | None:
    """Wilson score interval for a binomial proportion (no continuity correction).

    Parameters
    ----------
    successes : int
        Number of successes, ``0 <= successes <= n``.
    n : int
        Number of trials.
    confidence : float
        Two-sided confidence level, strictly between 0 and 1.

    Returns
    -------
    tuple of float or None
        ``(low, high)`` within [0, 1], or None when ``n == 0`` (no data, no
        interval).

    References
    ----------
    Wilson EB (1927). Probable inference, the law of succession, and
    statistical inference. JASA 22:209-212.
    Newcombe RG (1998). Two-sided confidence intervals for the single
    proportion: comparison of seven methods. Stat Med 17:857-872 (method 3).

    Examples
    --------
    >>> low, high = wilson_interval(81, 263)
    >>> round(low, 4), round(high, 4)
    (0.2553, 0.3662)
    >>> wilson_interval(0, 20)[0]
    0.0
    >>> wilson_interval(0, 0) is None
    True
    """
    successes = _as_count("successes", successes)
    n = _as_count("n", n)
    if successes > n:
        raise ValueError(f"successes ({successes}) must not exceed n ({n})")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be strictly between 0 and 1, got {confidence!r}")
    if n == 0:
        return None
    z = float(special.ndtri(0.5 + confidence / 2.0))
    p = successes / n
    denominator = 1.0 + z * z / n
    centre = (p + z * z / (2.0 * n)) / denominator
    half = z / denominator * math.sqrt(p * (1.0 - p) / n + z * z / (4.0 * n * n))
    # At 0 or n successes the bound is exactly 0 or 1 in theory; rounding
    # error would otherwise leave values like 1e-17 in published tables.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return (low, high)


@dataclass(frozen=True)
class BinaryTally:
    """Answers to one screening item in one group of children.

    ``pct_known`` and ``pct_known_or_suspected`` are over the children for
    whom the item was answered (``answered``); ``pct_all`` is over every child
    and treats "not known" as "no", so it is a conservative lower bound.
    Proportions are 0..1 floats, None when their denominator is 0.

    References
    ----------
    Newcombe RG (1998). Stat Med 17:857-872 (Wilson intervals).

    Examples
    --------
    >>> t = BinaryTally(yes=12, suspected=3, no=4, unknown=1)
    >>> t.n, t.answered
    (20, 19)
    >>> round(t.pct_known, 3), round(t.pct_known_or_suspected, 3), t.pct_all
    (0.632, 0.789, 0.6)
    >>> [round(x, 3) for x in t.ci95]
    [0.41, 0.809]
    >>> BinaryTally(0, 0, 0, 5).pct_known is None
    True
    """

    yes: int
    suspected: int
    no: int
    unknown: int

    def __post_init__(self) -> None:
        for name in ("yes", "suspected", "no", "unknown"):
            # object.__setattr__ because the dataclass is frozen; normalises
            # NumPy integers to plain ints so to_dict() is JSON-ready.
            object.__setattr__(self, name, _as_count(name, getattr(self, name)))

    @property
    def n(self) -> int:
        return self.yes + self.suspected + self.no + self.unknown

    @property
    def answered(self) -> int:
        return self.yes + self.suspected + self.no

    @property
    def pct_known(self) -> float | None:
        return _ratio(self.yes, self.answered)

    @property
    def ci95(self) -> tuple[float, float] | None:
        return wilson_interval(self.yes, self.answered)

    @property
    def pct_known_or_suspected(self) -> float | None:
        return _ratio(self.yes + self.suspected, self.answered)

    @property
    def ci95_known_or_suspected(self) -> tuple[float, float] | None:
        return wilson_interval(self.yes + self.suspected, self.answered)

    @property
    def pct_all(self) -> float | None:
        return _ratio(self.yes, self.n)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready plain values; intervals as ``[low, high]`` or None."""
        return {
            "yes": self.yes,
            "suspected": self.suspected,
            "no": self.no,
            "unknown": self.unknown,
            "n": self.n,
            "answered": self.answered,
            "pct_known": self.pct_known,
            "ci95": _interval_list(self.ci95),
            "pct_known_or_suspected": self.pct_known_or_suspected,
            "ci95_known_or_suspected": _interval_list(self.ci95_known_or_suspected),
            "pct_all": self.pct_all,
        }
