"""Comparison of a cohort's prevalence with a general-population baseline.

Baselines (e.g. the Welsh ACE study or the CDC-Kaiser study) are adults'
retrospective self-reports, not case-file evidence about children; the
numbers here are descriptive context, and reports must say so.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from scipy import special

from altar.stats.proportions import _as_count, _interval_list, wilson_interval

__all__ = ["BaselineComparison", "binomial_test_two_sided", "compare_with_baseline"]


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
    outcomes no more likely than the one observed), computed as R's
    binom.test and SciPy's binomtest do (see ``binomial_test_two_sided``).

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
        raise ValueError(
            f"baseline must be strictly between 0 and 1 (a proportion, not a percentage), got {baseline!r}"
        )
    if n == 0:
        return BaselineComparison(
            successes,
            n,
            None,
            None,
            baseline,
            None,
            "not_testable",
            None,
            "no children in the cohort (n is 0)",
        )
    prevalence = successes / n
    p = binomial_test_two_sided(successes, n, baseline)
    return BaselineComparison(
        successes,
        n,
        prevalence,
        wilson_interval(successes, n),
        baseline,
        prevalence / baseline,
        "exact binomial",
        p,
        None,
    )


# Outcomes within this relative distance of the observed one's probability
# count as equally likely (R's binom.test and SciPy use the same tolerance).
_RELATIVE_TIE = 1 + 1e-7


def binomial_test_two_sided(k: int, n: int, p: float) -> float:
    """Exact two-sided binomial p-value of ``k`` successes in ``n`` trials
    under H0: probability ``p``: the total probability of the outcomes no
    more likely than ``k`` (R's binom.test; SciPy's binomtest). The other
    tail is found by bisection, as the probabilities fall away from the
    mean, so a million trials cost a few dozen evaluations.

    Written with ``scipy.special`` rather than ``scipy.stats``, whose import
    alone takes most of a second of every ``altar stats``.

    >>> round(binomial_test_two_sided(682, 925, 0.75), 4)  # R's binom.test example
    0.3825
    """
    d = _pmf(k, n, p) * _RELATIVE_TIE
    mean = n * p
    if k == mean:
        return 1.0
    if k < mean:
        first = _bisect(
            lambda i: _pmf(i, n, p) <= d, math.ceil(mean), n + 1
        )  # first unlikely-enough above
        upper = float(special.bdtrc(first - 1, n, p)) if first <= n else 0.0
        return min(1.0, float(special.bdtr(k, n, p)) + upper)
    # Last outcome at or below the mean as unlikely as k: the first that is more likely, minus one.
    last = _bisect(lambda i: _pmf(i, n, p) > d, 0, math.floor(mean) + 1) - 1
    lower = float(special.bdtr(last, n, p)) if last >= 0 else 0.0
    return min(1.0, lower + float(special.bdtrc(k - 1, n, p)))


def _pmf(i: int, n: int, p: float) -> float:
    log = special.gammaln(n + 1) - special.gammaln(i + 1) - special.gammaln(n - i + 1)
    return math.exp(log + i * math.log(p) + (n - i) * math.log1p(-p))


def _bisect(condition: Callable[[int], bool], lo: int, hi: int) -> int:
    """The first i in [lo, hi) for which ``condition`` holds (it holds for
    every i after that one); hi when it holds for none."""
    while lo < hi:
        mid = (lo + hi) // 2
        if condition(mid):
            hi = mid
        else:
            lo = mid + 1
    return lo
