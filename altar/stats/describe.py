"""Describing a measured quantity (an age, a number of events): how many
children have it, its median and quartiles, mean and range.

Children without a value are counted as ``missing``, never as zero.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from altar.stats.proportions import _as_count

__all__ = ["Description", "describe", "quantile"]


def quantile(ordered: Sequence[float], p: float) -> float:
    """The ``p`` quantile of sorted values by linear interpolation between
    order statistics: Hyndman & Fan's definition 7, the default of R's
    ``quantile()``, NumPy's ``percentile`` and Excel's ``QUARTILE.INC``
    (``statistics.quantiles(method="inclusive")`` in Python).

    References
    ----------
    Hyndman RJ, Fan Y (1996). Sample quantiles in statistical packages.
    The American Statistician 50:361-365.

    Examples
    --------
    >>> quantile([1, 2, 4, 7], 0.25), quantile([1, 2, 4, 7], 0.5), quantile([1, 2, 4, 7], 0.75)
    (1.75, 3.0, 4.75)
    """
    if not ordered:
        raise ValueError("no values to take a quantile of")
    if not 0 <= p <= 1:
        raise ValueError(f"p must be between 0 and 1, got {p!r}")
    position = (len(ordered) - 1) * p
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass(frozen=True)
class Description:
    """``n`` children with a value, ``missing`` without; the rest describe
    the ``n`` values and are None when n is 0. Quartiles by :func:`quantile`."""

    n: int
    missing: int
    median: float | None
    q1: float | None
    q3: float | None
    mean: float | None
    min: float | None
    max: float | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def describe(values: Sequence[float], missing: int = 0) -> Description:
    """Median, quartiles, mean, minimum and maximum of ``values``.

    Examples
    --------
    >>> d = describe([3, 1, 2, 7], missing=2)
    >>> d.n, d.missing, d.median, d.q1, d.q3, d.mean, d.min, d.max
    (4, 2, 2.5, 1.75, 4.0, 3.25, 1, 7)
    """
    missing = _as_count("missing", missing)
    ordered = sorted(_as_number(v) for v in values)
    if not ordered:
        return Description(0, missing, None, None, None, None, None, None)
    return Description(
        n=len(ordered),
        missing=missing,
        median=quantile(ordered, 0.5),
        q1=quantile(ordered, 0.25),
        q3=quantile(ordered, 0.75),
        mean=math.fsum(ordered) / len(ordered),
        min=ordered[0],
        max=ordered[-1],
    )


def _as_number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"values must be finite numbers, got {value!r}")
    return value
