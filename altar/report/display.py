"""How numbers and categories read in a report: plain text, no markup.

Counts that could identify a child go through ``altar.disclosure`` first;
what is formatted here (intervals, p-values, category names) is either
derived from figures already shown or not a count of children.
"""

from __future__ import annotations

from collections.abc import Sequence

from altar.vocab import AGE_MAX, AGE_MIN

# Age at screening, in the bands the cohort tables use (AGE_MIN to AGE_MAX is all the store allows).
AGE_BANDS = ((f"{AGE_MIN}-13", AGE_MIN, 13), ("14-15", 14, 15), (f"16-{AGE_MAX}", 16, AGE_MAX))
AGE_UNKNOWN = "Not recorded"
ALL_LABEL = "All children"


def age_band(age: int | None) -> str:
    """The band of the cohort tables an age falls in.

    >>> age_band(15), age_band(None)
    ('14-15', 'Not recorded')
    """
    if age is None:
        return AGE_UNKNOWN
    for label, low, high in AGE_BANDS:
        if low <= age <= high:
            return label
    return AGE_UNKNOWN


def pct(p: float | None, decimals: int = 1) -> str:
    """A proportion as a percentage.

    >>> pct(0.4952), pct(0.4952, 0), pct(None)
    ('49.5%', '50%', '')
    """
    return "" if p is None else f"{100 * p:.{decimals}f}%"


def interval(ci: Sequence[float] | None) -> str:
    """A 95% interval in percentage points.

    >>> interval([0.40147, 0.58933])
    '40.1\u201358.9'
    """
    return "" if not ci else f"{100 * ci[0]:.1f}\u2013{100 * ci[1]:.1f}"


def p_value(p: float | None) -> str:
    """A p-value as a report prints it.

    >>> p_value(0.00004), p_value(0.0123), p_value(0.41), p_value(None)
    ('< 0.001', '0.012', '0.41', '')
    """
    if p is None:
        return ""
    if p < 0.001:
        return "< 0.001"
    return f"{p:.3f}" if p < 0.1 else f"{p:.2f}"


def number(n: int) -> str:
    """A whole number with thousands separators.

    >>> number(100000)
    '100,000'
    """
    return f"{n:,}"


def join_words(words: Sequence[str]) -> str:
    """A list in a sentence.

    >>> join_words(["a"]), join_words(["a", "b", "c"])
    ('a', 'a, b and c')
    """
    words = list(words)
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]
