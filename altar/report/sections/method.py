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
from altar.stats.document import GroupFigures, StatsDocument


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


def who_counts(doc: StatsDocument, rule: Rule) -> str:
    """Which children are counted and how many cases were left out, as a
    published document may say it: a number of cases left out that the rule
    would hide as a count is given as its band, and the breakdown by progress
    is dropped when any part of it is small.

    >>> from dataclasses import replace
    >>> from altar.stats.document import InstrumentVersion
    >>> doc = StatsDocument(InstrumentVersion("altar", 1), 31, "stratum", {}, {}, (), (), (), ())
    >>> who_counts(replace(doc, left_out={"in_progress": 1, "not_started": 1}), Rule())
    'Only children whose screening is complete are counted: fewer than 6 cases whose screening is not complete are not counted.'
    >>> who_counts(replace(doc, left_out={"in_progress": 7, "not_started": 2}), Rule())
    'Only children whose screening is complete are counted: 9 cases whose screening is not complete are not counted.'
    >>> who_counts(replace(doc, left_out={"in_progress": 1}), Rule.off())
    'Only children whose screening is complete are counted: 1 case whose screening is not complete is not counted (1 in progress).'
    """
    if not any(rule.small(count) for count in doc.left_out.values()):
        return doc.who_counts
    n = doc.n_left_out
    if doc.included == "complete":
        counted, state = "Only children whose screening is complete are counted", "is not complete"
    else:
        counted = "Screenings still in progress are counted with the complete ones, so some answers are not final"
        state = "has not started"
    many = f"fewer than {rule.threshold}" if rule.small(n) else str(n)
    return f"{counted}: {many} cases whose screening {state} are not counted."
