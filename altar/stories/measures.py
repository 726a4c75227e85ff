"""Measures derived from one child's chronology, for the statistics.

Pure functions of a child's events, age and screening date; None wherever a
measure cannot be computed (no events, no offence, no children's social
care event, age not known). Definitions, as the research asks them:

- **first offence**: the earliest event of type offence, arrest, caution,
  court outcome or custody, whichever agency recorded it (the first time
  the child's offending is on record, which may be the arrest rather than
  the offence).
- **first agency contact**: the earliest event of any type with any agency;
  it can be the first offence itself (years to first offence = 0).
- **age at first contact with children's services**: age at the earliest
  children's social care event. The store holds no date of birth, only the
  age in whole years at screening, so this is that age minus the time from
  the event to the screening (in whole months / 12). A child aged 15 may be
  anywhere from 15 to just under 16, so the true age at the event lies
  between this figure and one year more: approximate to within a year. A
  negative value means an event before birth (a pre-birth assessment).
- **agencies involved**: distinct agencies in the chronology ("other"
  counts once, however many agencies it stands for).
- **school moves / exclusions before first offence**: events of that type
  certainly before the first offence. When either date is known only to the
  month, an event in the same month is not counted: it may have come after.
- **years from first agency contact to first offence**: whole months / 12.

Month-precision dates are taken as the first of the month for the time
between two events (at most a month's error, well inside the age's year).

>>> from datetime import date
>>> from altar.stories.chronology import Event
>>> events = [Event(date(2010, 3, 1), "month", "social_care", "referral"),
...           Event(date(2017, 9, 1), "month", "education", "exclusion"),
...           Event(date(2019, 3, 4), "day", "police", "arrest")]
>>> m = child_measures(events, age=15, screened_on=date(2021, 3, 4))
>>> m.age_first_social_care, m.agencies, m.exclusions_before_offence, m.years_contact_to_offence
(4.0, 3, 1, 9.0)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from datetime import date
from typing import Any

from altar.stats.describe import describe
from altar.stats.document import MeasureSummary
from altar.stories.chronology import Event
from altar.vocab import OFFENCE_TYPES

# code -> (label, unit), in the order the statistics show them.
MEASURES: dict[str, tuple[str, str]] = {
    "age_first_social_care": ("Age at first social care contact (approx.)", "years"),
    "agencies": ("Agencies involved", "agencies"),
    "school_moves_before_offence": ("School moves before first offence", "moves"),
    "exclusions_before_offence": ("Exclusions before first offence", "exclusions"),
    "years_contact_to_offence": ("Years, first agency contact to first offence", "years"),
}


@dataclass(frozen=True)
class ChildMeasures:
    """One child's derived measures; None where it cannot be computed."""

    age_first_social_care: float | None = None
    agencies: int | None = None
    school_moves_before_offence: int | None = None
    exclusions_before_offence: int | None = None
    years_contact_to_offence: float | None = None


def months_between(earlier: date, later: date) -> int:
    """Whole months from ``earlier`` to ``later`` (negative if ``later`` is earlier).

    >>> months_between(date(2011, 6, 15), date(2021, 3, 4)), months_between(date(2021, 3, 4), date(2020, 3, 1))
    (116, -12)
    """
    if later < earlier:
        return -months_between(later, earlier)
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    return months - 1 if later.day < earlier.day else months


def certainly_before(a: date, a_precision: str, b: date, b_precision: str) -> bool:
    """Is ``a`` before ``b`` whatever day a month-precision date stands for?"""
    if "month" in (a_precision, b_precision):
        return (a.year, a.month) < (b.year, b.month)
    return a < b


@dataclass(frozen=True)
class ChronologyFacts:
    """What the measures need from one child's chronology: its events
    reduced to a few dates and counts. ``db.chronology.scoped_facts`` reads
    the same from the database for every child at once (a test checks the
    two agree)."""

    first_contact: date
    agencies: int
    first_social_care: date | None = None
    first_offence: date | None = None
    school_moves_before_offence: int = 0
    exclusions_before_offence: int = 0


FACT_FIELDS = tuple(f.name for f in fields(ChronologyFacts))


def chronology_facts(events: Sequence[Event]) -> ChronologyFacts | None:
    """Reduce a child's events (in any order); None when there are none.

    The first offence counts as known only to the month when any offending
    event on its date is."""
    if not events:
        return None
    offending = [e for e in events if e.event_type in OFFENCE_TYPES]
    social_care = [e.occurred_on for e in events if e.agency == "social_care"]
    facts = ChronologyFacts(
        min(e.occurred_on for e in events),
        len({e.agency for e in events}),
        min(social_care, default=None),
    )
    if not offending:
        return facts
    first = min(e.occurred_on for e in offending)
    precision = (
        "month"
        if any(e.precision == "month" for e in offending if e.occurred_on == first)
        else "day"
    )
    before = [
        e.event_type
        for e in events
        if certainly_before(e.occurred_on, e.precision, first, precision)
    ]
    return replace(
        facts,
        first_offence=first,
        school_moves_before_offence=before.count("school_move"),
        exclusions_before_offence=before.count("exclusion"),
    )


def age_at(when: date, age: int | None, screened_on: date) -> float | None:
    """Approximate age at a date from the age in whole years at screening."""
    return None if age is None else age - months_between(when, screened_on) / 12


def measures_from_facts(
    facts: ChronologyFacts | None, age: int | None, screened_on: date
) -> ChildMeasures:
    """The measures from a child's reduced chronology (None: no chronology)."""
    if facts is None:
        return ChildMeasures()
    measures = ChildMeasures(
        age_first_social_care=age_at(facts.first_social_care, age, screened_on)
        if facts.first_social_care
        else None,
        agencies=facts.agencies,
    )
    if facts.first_offence is None:
        return measures
    return replace(
        measures,
        school_moves_before_offence=facts.school_moves_before_offence,
        exclusions_before_offence=facts.exclusions_before_offence,
        years_contact_to_offence=months_between(facts.first_contact, facts.first_offence) / 12,
    )


def child_measures(events: Sequence[Event], age: int | None, screened_on: date) -> ChildMeasures:
    """All the measures for one child (events in any order)."""
    return measures_from_facts(chronology_facts(events), age, screened_on)


def measure_summary(children: Sequence[ChildMeasures], n: int) -> MeasureSummary:
    """A group's figures for ``altar stats``: of its ``n`` children, how many
    have a chronology, and each measure described over the children it can
    be computed for (the rest, with or without a chronology, are missing)."""
    if len(children) > n:
        raise ValueError(f"{len(children)} children with a chronology in a group of {n}")
    measures = {}
    for code in MEASURES:
        values = [v for child in children if (v := getattr(child, code)) is not None]
        measures[code] = describe(values, missing=n - len(values))
    return MeasureSummary(n, len(children), measures)


def summarise_measures(children: Sequence[ChildMeasures], n: int) -> dict[str, Any]:
    """:func:`measure_summary` as JSON-ready plain values."""
    return measure_summary(children, n).to_dict()
