"""Comparison of a cohort's prevalence with a general-population baseline.

Baselines (e.g. the Welsh ACE study or the CDC-Kaiser study) are adults'
retrospective self-reports, not case-file evidence about children; the
numbers here are descriptive context, and reports must say so.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any

from scipy import stats

from altar.stats.proportions import _as_count, _interval_list, wilson_interval

__all__ = ["BaselineComparison", "compare_with_baseline"]


@dataclass(frozen=True)
class BaselineComparison:
    """A cohort prevalence set against a baseline proportion.

    ``prevalence`` is successes / n with a Wilson 95% interval (``ci95``);
    ``ratio`` is prevalence / baseline. ``test`` is "exact binomial" (two-sided,
    H0: p = baseline) or "not_testable" when n is 0, in which case the
    prevalence, interval, ratio and p are None and ``reason`` says why.
    """

    successes: int
    n: int
    prevalence: float | None
    ci95: tuple[float, float] | None
    baseline: float
    ratio: float | None
    test: str
    p: float | None
    reason: str | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready plain values; the interval as ``[low, high]`` or None."""
        return {
            "successes": self.successes,
            "n": self.n,
            "prevalence": self.prevalence,
            "ci95": _interval_list(self.ci95),
            "baseline": self.baseline,
            "ratio": self.ratio,
            "test": self.test,
            "p": self.p,
            "reason": self.reason,
        }


def compare_with_baseline(successes: int, n: int, baseline: float) -> BaselineComparison:
    """Compare a cohort prevalence with a baseline proportion.

    The p-value is from the exact two-sided binomial test of H0: p = baseline
    (the "minimum likelihood" two-sided p-value: the total probability of
    outcomes no more likely than the one observed), via
    ``scipy.stats.binomtest``.

    Parameters
    ----------
    successes : int
        Children in the cohort with the characteristic.
    n : int
        Children in the cohort for whom it is known.
    baseline : float
        Population proportion, strictly between 0 and 1.

    References
    ----------
    Conover WJ (1999). Practical Nonparametric Statistics, 3rd ed., Wiley,
    chapter 3 (the binomial test); the two-sided p-value is the one R's
    binom.test and SciPy's binomtest compute.
    Newcombe RG (1998). Stat Med 17:857-872 (Wilson interval).

    Examples
    --------
    >>> res = compare_with_baseline(14, 20, 0.16)
    >>> res.prevalence, round(res.ratio, 2), res.test
    (0.7, 4.38, 'exact binomial')
    >>> res.p < 1e-6
    True
    >>> compare_with_baseline(0, 0, 0.16).test
    'not_testable'
    """
    successes = _as_count("successes", successes)
    n = _as_count("n", n)
    if successes > n:
        raise ValueError(f"successes ({successes}) must not exceed n ({n})")
    if isinstance(baseline, bool) or not isinstance(baseline, numbers.Real):
        raise ValueError(f"baseline must be a proportion, got {baseline!r}")
    baseline = float(baseline)
    if not (math.isfinite(baseline) and 0.0 < baseline < 1.0):
        raise ValueError(f"baseline must be strictly between 0 and 1 (a proportion, not a percentage), got {baseline!r}")
    if n == 0:
        return BaselineComparison(successes, n, None, None, baseline, None,
                                  "not_testable", None, "no children in the cohort (n is 0)")
    prevalence = successes / n
    p = float(stats.binomtest(successes, n, baseline).pvalue)
    return BaselineComparison(successes, n, prevalence, wilson_interval(successes, n), baseline,
                              prevalence / baseline, "exact binomial", p, None)
