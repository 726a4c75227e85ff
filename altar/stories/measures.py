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
from dataclasses import dataclass, replace
from datetime import date

from altar.stats.describe import describe
from altar.stories.chronology import Event

OFFENCE_TYPES = frozenset({"offence", "arrest", "caution", "court_outcome", "custody"})

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


def certainly_before(a: Event, b: Event) -> bool:
    """Is ``a`` before ``b`` whatever day a month-precision date stands for?"""
    if "month" in (a.precision, b.precision):
        return (a.occurred_on.year, a.occurred_on.month) < (b.occurred_on.year, b.occurred_on.month)
    return a.occurred_on < b.occurred_on


def age_at(event: Event, age: int | None, screened_on: date) -> float | None:
    """Approximate age at an event from the age in whole years at screening."""
    return None if age is None else age - months_between(event.occurred_on, screened_on) / 12


def child_measures(events: Sequence[Event], age: int | None, screened_on: date) -> ChildMeasures:
    """All the measures for one child (events in any order)."""
    if not events:
        return ChildMeasures()
    ordered = sorted(events, key=lambda e: e.occurred_on)
    social_care = next((e for e in ordered if e.agency == "social_care"), None)
    offence = next((e for e in ordered if e.event_type in OFFENCE_TYPES), None)
    measures = ChildMeasures(
        age_first_social_care=age_at(social_care, age, screened_on) if social_care else None,
        agencies=len({e.agency for e in events}),
    )
    if offence is None:
        return measures
    before = [e.event_type for e in ordered if certainly_before(e, offence)]
    return replace(
        measures,
        school_moves_before_offence=before.count("school_move"),
        exclusions_before_offence=before.count("exclusion"),
        years_contact_to_offence=months_between(ordered[0].occurred_on, offence.occurred_on) / 12,
    )


def summarise_measures(children: Sequence[ChildMeasures], n: int) -> dict:
    """A group's figures for ``altar stats``: of its ``n`` children, how many
    have a chronology, and each measure described over the children it can
    be computed for (the rest, with or without a chronology, are missing)."""
    if len(children) > n:
        raise ValueError(f"{len(children)} children with a chronology in a group of {n}")
    out: dict = {"n": n, "n_with_chronology": len(children), "measures": {}}
    for code in MEASURES:
        values = [v for child in children if (v := getattr(child, code)) is not None]
        out["measures"][code] = describe(values, missing=n - len(values)).to_dict()
    return out
