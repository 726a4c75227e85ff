"""The title page both documents open with (``shared/title_page.html``):
title, region, the screenings' date range, instrument, number of children,
when the document was generated, and the data fingerprint that tells two
copies apart."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime

from altar.db.tallies import ScoreDistribution, StoreState
from altar.report.data import RegionData, ReportOptions
from altar.report.tables import Number
from altar.stats.document import StatsDocument


@dataclass(frozen=True)
class TitlePage:
    title: str
    subtitle: str
    region: str
    date_range: str
    instrument: str
    n_cases: Number
    generated_at: str
    generated_at_iso: str
    fingerprint: str


def title_page(
    title: str,
    subtitle: str,
    options: ReportOptions,
    data: RegionData,
    dates_key: str,
    n: Number,
    print_: str,
) -> TitlePage:
    """The title page of a document covering ``dates_key``'s screenings ("all", or an authority's code)."""
    dates = data.dates.get(dates_key)
    if dates is None:
        span = "no screenings"
    else:
        first, last = dates
        span = long_date(first) if first == last else f"{long_date(first)} to {long_date(last)}"
    stamp = options.generated_at.astimezone(UTC)
    book = data.book
    return TitlePage(
        title=title,
        subtitle=subtitle,
        region=options.region,
        date_range=span,
        instrument=f"{book.title} ({book.name}, version {book.version})",
        n_cases=n,
        generated_at=f"{long_date(stamp.date())}, {stamp:%H:%M} UTC",
        generated_at_iso=stamp.replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        fingerprint=print_,
    )


def long_date(d: date) -> str:
    """A date as a report prints it.

    >>> long_date(date(2021, 3, 4))
    '4 March 2021'
    """
    return f"{d.day} {d:%B %Y}"


def fingerprint(*figures: object, state: StoreState) -> str:
    """A short hash that tells two copies of a report apart.

    SHA-256 of (1) the figures the document is built from: the ``altar
    stats`` documents, the cohort's make-up, the screening dates and the
    authorities' names, as canonical JSON; and (2) the store's newest change
    (the id and time of its latest change-log entry, which every import and
    amendment writes). The first 16 hex digits, in groups of four. It costs
    one index look-up and hashing what has already been computed, so it is
    as cheap at 100,000 children as at 100; it does not depend on the
    rendering options (suppression, region name, time of rendering).

    >>> s = StoreState(7, datetime(2026, 1, 2, 3, 4, 5), {})
    >>> fingerprint({"n": 1}, state=s) == fingerprint({"n": 1}, state=s) != fingerprint({"n": 2}, state=s)
    True
    >>> len(fingerprint({"n": 1}, state=s))
    19
    """
    at = state.latest_change_at.isoformat() if state.latest_change_at else None
    payload = {"figures": figures, "store": {"latest_change": [state.latest_change_id, at]}}
    text = json.dumps(
        payload, sort_keys=True, separators=(",", ":"), default=_jsonable, ensure_ascii=False
    )
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    return " ".join(digest[i : i + 4] for i in range(0, 16, 4))


def _jsonable(value: object) -> object:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, StatsDocument):
        return value.to_dict()
    if isinstance(value, ScoreDistribution):
        return {"freq": sorted(value.freq.items()), "n_with_unknown": value.n_with_unknown}
    raise TypeError(f"cannot fingerprint {type(value).__name__}")


def cohort_rows(cohort: Mapping[tuple, int]) -> list:
    """The cohort's make-up as sorted rows, for the fingerprint."""
    return sorted(([*key, n] for key, n in cohort.items()), key=lambda row: [str(v) for v in row])
