"""A child's chronology: dated events with the agencies in their life, as
typed by a practitioner, judged the same way whether they come from the
command line or a spreadsheet row.

Pure: no database, no files. Every parser raises ``ValueError`` whose
message is the reason, written for the practitioner; ``validate_event``
collects them as located ``Problem`` values, as ``capture.records`` does for
screenings.

Dates are ``YYYY-MM-DD`` or, when the record gives only the month,
``YYYY-MM`` (stored as the first of the month with precision ``month``,
and always shown as ``YYYY-MM``). A note is one line of at most
:data:`NOTE_MAX` characters: a chronology is read as one event per line, and
a pasted paragraph belongs in the case story instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from altar.capture.records import Problem
from altar.vocab import AGENCIES, AGENCY_LABELS, EVENT_TYPE_LABELS, EVENT_TYPES

EARLIEST_YEAR = 1990  # before any child on a youth justice caseload today was born
NOTE_MAX = 500
COLUMNS = ("case_ref", "date", "agency", "event_type", "note")
_T = TypeVar("_T")

# Other spellings practitioners use, after normalising (see _key).
_AGENCY_ALIASES = {
    "childrens_services": "social_care",
    "csc": "social_care",
    "school": "education",
    "court": "courts",
    "yot": "youth_justice",
    "yjs": "youth_justice",
    "voluntary_sector": "voluntary",
}
_EVENT_ALIASES = {
    "cin_plan": "child_in_need_plan",
    "cp_plan": "child_protection_plan",
    "missing": "missing_episode",
    "court": "court_outcome",
    "entered_care": "care_entry",
    "left_care": "care_exit",
}
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")  # fromisoformat alone also takes 20190314 and week dates
_DATE_FORMAT = "give the date as YYYY-MM-DD, or YYYY-MM when only the month is known"


@dataclass(frozen=True)
class Event:
    """One validated chronology event (not yet stored)."""

    occurred_on: date
    precision: str  # 'day' or 'month'
    agency: str
    event_type: str
    note: str | None = None

    @property
    def shown_date(self) -> str:
        return format_event_date(self.occurred_on, self.precision)

    def describe(self) -> str:
        """The event as one line, for the change log."""
        text = f"{self.shown_date} {self.agency} {self.event_type}"
        return f"{text}: {self.note}" if self.note else text


def format_event_date(value: date, precision: str) -> str:
    """``2019-03`` for a month-precision date, else ``2019-03-14``."""
    return value.isoformat()[:7] if precision == "month" else value.isoformat()


def parse_event_date(text: str, today: date | None = None) -> tuple[date, str]:
    """``YYYY-MM-DD`` -> (that day, 'day'); ``YYYY-MM`` -> (first of the month, 'month').

    >>> parse_event_date("2019-03", today=date(2024, 1, 1))
    (datetime.date(2019, 3, 1), 'month')
    """
    key, today = text.strip(), today or date.today()
    month = _MONTH.match(key)
    if not month and not _DAY.match(key):
        raise ValueError(_DATE_FORMAT)
    try:
        value = date(int(month[1]), int(month[2]), 1) if month else date.fromisoformat(key)
    except ValueError:
        raise ValueError(f"{key} is not a date in the calendar; {_DATE_FORMAT}") from None
    precision = "month" if month else "day"
    if (value.year, value.month) > (today.year, today.month) or (
        precision == "day" and value > today
    ):
        raise ValueError("the date is in the future")
    if value.year < EARLIEST_YEAR:
        raise ValueError(f"the date is before {EARLIEST_YEAR}; check for a typing slip")
    return value, precision


def _key(text: str) -> str:
    """Lower case, apostrophes dropped, any run of other punctuation or space as one '_'."""
    return re.sub(r"[^a-z0-9]+", "_", re.sub(r"['\u2019]", "", text.strip().lower())).strip("_")


def _vocabulary(labels: Mapping[str, str], aliases: Mapping[str, str]) -> dict[str, str]:
    return {
        **{_key(label): code for code, label in labels.items()},
        **aliases,
        **{c: c for c in labels},
    }


_AGENCY_LOOKUP = _vocabulary(AGENCY_LABELS, _AGENCY_ALIASES)
_EVENT_LOOKUP = _vocabulary(EVENT_TYPE_LABELS, _EVENT_ALIASES)


def parse_agency(text: str) -> str:
    if (code := _AGENCY_LOOKUP.get(_key(text))) is None:
        raise ValueError(
            f"agency must be one of {', '.join(AGENCIES)} (or its name, e.g. children's social care)"
        )
    return code


def parse_event_type(text: str) -> str:
    if (code := _EVENT_LOOKUP.get(_key(text))) is None:
        raise ValueError(f"event type must be one of {', '.join(EVENT_TYPES)}")
    return code


def parse_note(text: str) -> str | None:
    note = text.strip()
    if "\n" in note or "\r" in note:
        raise ValueError("write the note on one line (the case story is the place for more)")
    if len(note) > NOTE_MAX:
        raise ValueError(f"the note has {len(note)} characters; keep it to {NOTE_MAX}")
    return note or None


def validate_event(
    fields: Mapping[str, str | None], *, row_number: int | None = None, today: date | None = None
) -> tuple[Event | None, list[Problem]]:
    """Check a typed event's date, agency, event_type and note; return the
    event, or every problem found (located by ``row_number`` and column)."""
    problems: list[Problem] = []

    def parsed(column: str, parser: Callable[[str], _T]) -> _T | None:
        """The column's value, or None with its problem added."""
        text = fields.get(column) or ""
        if column != "note" and not text.strip():
            problems.append(
                Problem(
                    column, f"{column.replace('_', ' ')} is required", row=row_number, value=text
                )
            )
            return None
        try:
            return parser(text)
        except ValueError as exc:
            problems.append(Problem(column, str(exc), row=row_number, value=text))
            return None

    when = parsed("date", lambda t: parse_event_date(t, today))
    agency = parsed("agency", parse_agency)
    event_type = parsed("event_type", parse_event_type)
    note = parsed("note", parse_note)
    # Each is None only with a problem added (a blank note is None, and valid).
    if problems or when is None or agency is None or event_type is None:
        return None, problems
    occurred_on, precision = when
    return Event(occurred_on, precision, agency, event_type, note), []
