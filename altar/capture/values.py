"""Turning what a practitioner typed (in a form or a spreadsheet cell) into
stored values, with a reason when it cannot be done.

Every parser raises ``ValueError`` whose message is the reason, written for
the practitioner; callers add the row and column.
"""

from __future__ import annotations

import re
from datetime import date

from altar.instrument import Item
from altar.vocab import AGE_MAX, AGE_MIN, COHORTS, ETHNICITIES, SEXES, STRATA

_BINARY = {
    "yes": "yes",
    "y": "yes",
    "1": "yes",
    "true": "yes",
    "known": "yes",
    "suspected": "suspected",
    "s": "suspected",
    "no": "no",
    "n": "no",
    "0": "no",
    "false": "no",
    "unknown": "unknown",
    "": "unknown",
}
CANONICAL_BINARY = frozenset(("yes", "suspected", "no", "unknown"))
_SEX = {"m": "male", "f": "female"}
# Pseudonymous reference: letters, digits and . _ - / ; starts with a letter
# or digit, so it can never be read as a spreadsheet formula.
_CASE_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,39}$")
# A reference that embeds a full date is probably a date of birth.
_DATE_IN_REF = re.compile(
    r"(19|20)\d\d[-_./]?(0[1-9]|1[0-2])[-_./]?(0[1-9]|[12]\d|3[01])|\d{1,2}[-_./]\d{1,2}[-_./]\d{2,4}"
)
_USER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,59}$")


def parse_binary(text: str) -> str:
    key = text.strip().lower()
    if key not in _BINARY:
        raise ValueError(
            "answer yes, suspected, no or unknown (or y/s/n, 1/0, true/false; blank means unknown)"
        )
    return _BINARY[key]


def parse_count(text: str, item: Item) -> int | None:
    """A whole number >= 0; blank or 'unknown' means unknown (None)."""
    key = text.strip().lower()
    if key in ("", "unknown"):
        return None
    return parse_number(key, item, otherwise=", or leave blank if unknown")


def parse_number(text: str, item: Item, *, otherwise: str = "") -> int:
    """A count item's known value, a whole number >= 0. ``otherwise`` ends
    the message with how the caller's input says "unknown"."""
    key = text.strip()
    # isdigit() alone lets through superscripts ('²'), which int() refuses.
    if not (key.isascii() and key.isdigit()):
        raise ValueError(f"give a whole number of 0 or more{otherwise}")
    value = int(key)
    if item.max is not None and value > item.max:
        raise ValueError(
            f"{value} is more than {item.max}, the most this item allows; check for a typing slip"
        )
    return value


def parse_answer(text: str, item: Item) -> str | int | None:
    return parse_binary(text) if item.type == "binary" else parse_count(text, item)


def format_answer(value: str | int | None, item: Item) -> str:
    """The canonical text of a stored answer (inverse of parse_answer)."""
    if item.type == "binary":
        return str(value)
    return "unknown" if value is None else str(value)


def parse_case_ref(text: str) -> str:
    ref = text.strip()
    if not ref:
        raise ValueError("a case reference is required")
    if not _CASE_REF.match(ref):
        raise ValueError("use up to 40 letters, digits and . _ - / starting with a letter or digit")
    if _DATE_IN_REF.search(ref):
        raise ValueError(
            "looks like it contains a date; never use a date of birth in a case reference"
        )
    return ref


def _choice(
    text: str, choices: tuple[str, ...], what: str, aliases: dict[str, str] | None = None
) -> str:
    key = re.sub(r"[\s-]+", "_", text.strip().lower())
    key = (aliases or {}).get(key, key)
    if key not in choices:
        raise ValueError(f"{what} must be one of {', '.join(choices)}")
    return key


def parse_stratum(text: str) -> str:
    return _choice(text, STRATA, "stratum")


def parse_cohort(text: str) -> str:
    return _choice(text, COHORTS, "cohort")


def parse_sex(text: str) -> str:
    return _choice(text or "unknown", SEXES, "sex", _SEX)


def parse_ethnicity(text: str) -> str:
    return _choice(text or "unknown", ETHNICITIES, "ethnicity")


def parse_age(text: str) -> int | None:
    key = text.strip().lower()
    if key in ("", "unknown"):
        return None
    if not key.isdigit() or not AGE_MIN <= int(key) <= AGE_MAX:
        raise ValueError(
            f"age must be a whole number of years from {AGE_MIN} to {AGE_MAX}, or unknown"
        )
    return int(key)


def parse_date(text: str, today: date | None = None) -> date:
    try:
        value = date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError("give the date as YYYY-MM-DD (ISO 8601), e.g. 2020-06-30") from None
    if value > (today or date.today()):
        raise ValueError("the screening date is in the future")
    if value.year < 2000:
        raise ValueError("the screening date is before 2000; check for a typing slip")
    return value


def parse_user(text: str) -> str | None:
    name = text.strip()
    if not name:
        return None
    if not _USER.match(name):
        raise ValueError(
            "a practitioner is named by a short user name: up to 60 letters, digits and . _ @ -"
        )
    return name


def parse_authority(text: str, known: dict[str, str]) -> str:
    """Accept an authority's code or display name, in any case.

    ``known`` maps each code and each lower-cased display name to the code.
    """
    key = text.strip().lower()
    code = known.get(key) or known.get(re.sub(r"[\s-]+", "_", key))
    if code is None:
        raise ValueError(
            "not a known authority (see `altar authority list`, or add it with `altar authority add`)"
        )
    return code
