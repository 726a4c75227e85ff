"""Section 9 of the regional report, "Method and data quality"
(``regional/method.html``), and the summary's "Method" and "Completeness"
(``authority/method.html``, ``authority/completeness.html``): the
instrument, the disclosure rule as the report states it, the sources of the
general-population figures, and the share of answers that are unknown."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from altar.baselines import Baseline
from altar.disclosure import Rule
from altar.instrument import Codebook
from altar.report.display import number, pct
from altar.report.sections.aces import short_source
from altar.report.sections.title import long_date
from altar.report.tables import Number
from altar.stats.document import GroupFigures


@dataclass(frozen=True)
class Suppression:
    """The disclosure rule as the report states it."""

    enabled: bool
    threshold: int
    min_denominator: int
    symbol: str
    footnotes: tuple[str, ...]


def suppression(rule: Rule) -> Suppression:
    return Suppression(
        rule.enabled,
        rule.threshold,
        rule.min_denominator,
        rule.symbol,
        tuple(rule.footnotes().values()) if rule.enabled else (),
    )


@dataclass(frozen=True)
class Instrument:
    """The screening instrument as a report names it."""

    title: str
    name: str
    version: int
    released: str
    n_items: int
    n_groups: int


def instrument(book: Codebook) -> Instrument:
    """The instrument, its release date as a report prints dates ("23 November 2026")."""
    released = long_date(
        date.fromisoformat(book.released)
    )  # the codebook loader checked it is an ISO date
    return Instrument(
        book.title, book.name, book.version, released, len(book.items), len(book.groups)
    )


def sources(baselines: Sequence[Baseline]) -> list[tuple[str, str]]:
    """(short name, citation) of each general-population study."""
    return [(short_source(b), b.citation) for b in baselines]


@dataclass(frozen=True)
class CompletenessRow:
    label: str
    cells: tuple[Number, ...]  # unknown (not answered included) as "n (x%)" per column


def completeness(book: Codebook, groups: Sequence[GroupFigures]) -> list[CompletenessRow]:
    """Unknown answers per item (not yet answered counted with them), for each
    group of figures given. These count records that could not answer an
    item, not children with a characteristic, and are printed as they are."""
    rows = []
    for item in book.items:
        cells = []
        for g in groups:
            t = g.items[item.code] if item.type == "binary" else g.counts[item.code]
            unknown, n = t.unknown, g.n
            cells.append(Number(f"{number(unknown)} ({pct(unknown / n, 0)})" if n else "z"))
        rows.append(CompletenessRow(item.label, tuple(cells)))
    return rows


def unknown_share(book: Codebook, g: GroupFigures) -> str:
    """The share of all item answers that are unknown or not yet answered."""
    slots = g.n * len(book.items)
    if not slots:
        return "z"
    unknown = sum(
        (g.items[i.code] if i.type == "binary" else g.counts[i.code]).unknown for i in book.items
    )
    return pct(unknown / slots)
