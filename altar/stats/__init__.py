"""Pure statistics for altar: proportions, distributions, group comparisons.

Every function takes plain ints, mappings or sequences and returns plain
values or a frozen dataclass with ``to_dict()``; nothing here touches the
database, files or global state.
"""

from altar.stats.baseline import BaselineComparison, compare_with_baseline
from altar.stats.comparisons import (
    GroupComparison,
    TrendTest,
    compare_proportions,
    holm,
    linear_by_linear,
)
from altar.stats.describe import Description, describe, quantile
from altar.stats.distributions import (
    CountSummary,
    ScoreSummary,
    band_counts,
    parse_band,
    summarise_counts,
    summarise_score,
    validate_bands,
)
from altar.stats.proportions import BinaryTally, wilson_interval

__all__ = [
    "BaselineComparison",
    "BinaryTally",
    "CountSummary",
    "Description",
    "GroupComparison",
    "ScoreSummary",
    "TrendTest",
    "band_counts",
    "compare_proportions",
    "compare_with_baseline",
    "describe",
    "holm",
    "linear_by_linear",
    "parse_band",
    "quantile",
    "summarise_counts",
    "summarise_score",
    "validate_bands",
    "wilson_interval",
]
