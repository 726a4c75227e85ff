"""The identifying-detail check: does a story's text look as if it names a
child, a family member or a school, or gives a date of birth, a postcode, a
phone number or an email address?

Stories are free text about children, and only anonymised extracts may ever
leave the working store, so saving a story that trips this check needs the
writer's conscious ``--force``. The check is deliberately simple (regular
expressions and word lists): it catches the obvious, and stays quiet on
ordinary case-story prose ("She moved to a new school in Year 7", "Mum's
partner", "Christmas"). All functions here are pure.

Names come from two lists: common UK first names shipped with altar
(``altar/data/identifiers/first_names.txt``) and the project's own names,
held only as SHA-256 digests of their normalised form (see
``name_digest``), so the store holds no names. Names are matched only when
written with a capital letter, as names are. School names are the
project's list (matched in any case) plus anything shaped like one
("Oakfield Academy", "St Mary's Catholic Primary School").
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache

from altar.resources import identifier_lists_dir

# Each kind in words, for a reader ("looks like a date of birth").
KIND_WORDS = {
    "name": "a name",
    "date_of_birth": "a date of birth",
    "postcode": "a postcode",
    "phone": "a phone number",
    "email": "an email address",
    "school": "a school's name",
}
MAX_NAME_WORDS = 4


@dataclass(frozen=True)
class IdentifierMatch:
    """Something that looks identifying: its kind, section, line (1-based, within the section) and text."""

    kind: str
    section: str
    line: int
    text: str

    def __str__(self) -> str:
        return (
            f"section {self.section}, line {self.line}: {self.kind.replace('_', ' ')} {self.text!r}"
        )

    @property
    def what(self) -> str:
        """The kind in words: 'a date of birth'."""
        return KIND_WORDS[self.kind]


@dataclass(frozen=True)
class Watchlist:
    """What to look for: first names (plain, case-folded), the project's
    names (digests only) and school names (as written)."""

    first_names: frozenset[str] = frozenset()
    name_digests: frozenset[str] = frozenset()
    schools: tuple[str, ...] = ()


# --- names ---------------------------------------------------------------------------

_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_POSSESSIVE = re.compile(r"['’]s$", re.IGNORECASE)


def normalise_name(term: str) -> str:
    """A name as it is digested: its words, case-folded, one space apart
    (so "O’Connor", "o'connor " and "O'CONNOR" are one name)."""
    return " ".join(w.casefold().replace("’", "'") for w in _WORD.findall(term))


def name_digest(term: str) -> str:
    return hashlib.sha256(normalise_name(term).encode("utf-8")).hexdigest()


@lru_cache(maxsize=1)
def shipped_first_names() -> frozenset[str]:
    """altar's list of common UK first names, case-folded."""
    text = (identifier_lists_dir() / "first_names.txt").read_text(encoding="utf-8")
    return frozenset(
        line.strip().casefold()
        for line in text.splitlines()
        if line.strip() and not line.startswith("#")
    )


def _words(line: str) -> list[tuple[int, int, str]]:
    """Capitalised-or-not words of a line with their spans, a possessive 's dropped."""
    words = []
    for m in _WORD.finditer(line):
        word = _POSSESSIVE.sub("", m.group())
        words.append((m.start(), m.start() + len(word), word))
    return words


def _names(line: str, watch: Watchlist) -> Iterator[tuple[int, int, str]]:
    """Runs of capitalised words that are a project name (longest first), or a listed first name."""
    words = _words(line)
    taken = -1
    for i, (start, end, word) in enumerate(words):
        if start < taken or not word[0].isupper():
            continue
        for n in range(min(MAX_NAME_WORDS, len(words) - i), 0, -1):
            run = words[i : i + n]
            if (
                all(w[2][0].isupper() for w in run)
                and name_digest(" ".join(w[2] for w in run)) in watch.name_digests
            ):
                taken = run[-1][1]
                yield start, taken, line[start:taken]
                break
        else:
            if word.casefold() in watch.first_names:
                yield start, end, word


# --- dates of birth ------------------------------------------------------------------

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"(?:0?[1-9]|[12]\d|3[01])"
_FULL_DATE = re.compile(
    rf"\b(?:{_DAY}[/.\-](?:0?[1-9]|1[0-2])[/.\-](?:\d{{4}}|\d{{2}})"  # 12/03/2009, 12.03.09, 12-3-2009
    rf"|\d{{4}}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])"  # 2009-03-12
    rf"|{_DAY}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?\s+\d{{4}}"  # 12 March 2009, 12th of Mar 2009
    rf"|{_MONTH}\s+{_DAY}(?:st|nd|rd|th)?,?\s+\d{{4}})(?!\d)",  # March 12, 2009
    re.IGNORECASE,
)
_BIRTH = re.compile(r"\b(?:born|birth\w*|date\s+of\s+birth|d\.?\s?o\.?\s?b\b\.?)", re.IGNORECASE)
_NEAR = 50  # characters between a date and a word about birth, on the same line


def _dates_of_birth(line: str) -> Iterator[tuple[int, int, str]]:
    births = [m.span() for m in _BIRTH.finditer(line)]
    for m in _FULL_DATE.finditer(line):
        if any(
            b_start - m.end() <= _NEAR and m.start() - b_end <= _NEAR for b_start, b_end in births
        ):
            yield m.start(), m.end(), m.group()


# --- postcodes, phone numbers, email addresses -----------------------------------------

# Upper case only: written in lower case, "m25 4th" is prose, not a postcode.
_POSTCODE = re.compile(r"\b(?:[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?\s?\d[ABD-HJLNP-UW-Z]{2})\b")
_PHONE = re.compile(r"(?<![\w+])(?:\+44\s?(?:\(0\)\s?)?|\(?0)(?:\d[ \-)]?){8,9}\d(?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def _phones(line: str) -> Iterator[tuple[int, int, str]]:
    for m in _PHONE.finditer(line):
        digits = re.sub(r"\D", "", m.group())
        national = digits[2:].removeprefix("0") if m.group().startswith("+") else digits[1:]
        if len(national) in (9, 10) and national[0] in "1235789":
            yield m.start(), m.end(), m.group()


def _pattern(regex: re.Pattern[str]) -> Callable[[str], Iterator[tuple[int, int, str]]]:
    def find(line: str) -> Iterator[tuple[int, int, str]]:
        for m in regex.finditer(line):
            yield m.start(), m.end(), m.group()

    return find


# --- schools ---------------------------------------------------------------------------------

# Capitalised words ending in School, Academy or College: "Oakfield Academy".
_SCHOOL_SHAPE = re.compile(r"((?:[A-Z][\w'’.&-]*\s+){1,6}?)(?:School|Academy|College)\b")
# Words that describe a school without naming it: "the Virtual School", "Sixth Form College".
_GENERIC = frozenset(
    [
        "a",
        "an",
        "the",
        "new",
        "old",
        "local",
        "my",
        "his",
        "her",
        "their",
        "our",
        "another",
        "this",
        "that",
        "its",
        "primary",
        "secondary",
        "high",
        "junior",
        "infant",
        "infants",
        "first",
        "middle",
        "upper",
        "lower",
        "special",
        "specialist",
        "grammar",
        "independent",
        "mainstream",
        "alternative",
        "residential",
        "boarding",
        "community",
        "faith",
        "catholic",
        "church",
        "state",
        "private",
        "virtual",
        "sunday",
        "forest",
        "hospital",
        "sixth",
        "form",
        "further",
        "education",
        "training",
        "day",
        "summer",
        "night",
        "language",
        "secure",
        "free",
        "studio",
        "technical",
        "girls",
        "boys",
        "girls'",
        "boys'",
        "year",
        "she",
        "he",
        "they",
        "then",
        "when",
        "after",
        "before",
        "at",
        "in",
    ]
)


def _schools(line: str, watch: Watchlist) -> Iterator[tuple[int, int, str]]:
    for school in watch.schools:
        words = school.split()
        if words:
            pattern = r"(?<!\w)" + r"\s+".join(re.escape(w) for w in words) + r"(?!\w)"
            for m in re.finditer(pattern, line, re.IGNORECASE):
                yield m.start(), m.end(), m.group()
    for m in _SCHOOL_SHAPE.finditer(line):
        named = [w for w in m.group(1).split() if w.casefold().rstrip(".") not in _GENERIC]
        if named:
            start = m.start() + m.group(1).index(named[0])
            yield start, m.end(), line[start : m.end()]


# --- the check -------------------------------------------------------------------------


def find_identifying_details(
    text_by_section: Mapping[str, str], watchlist: Watchlist
) -> list[IdentifierMatch]:
    """Every identifying-looking detail, by section (in the mapping's order),
    line and position. A stretch of text is reported once, under the first
    kind that claims it (an email address is not also a name)."""
    findings: list[IdentifierMatch] = []
    for section, text in text_by_section.items():
        for number, line in enumerate(text.splitlines(), start=1):
            findings += _in_line(section, number, line, watchlist)
    return findings


def _in_line(section: str, number: int, line: str, watch: Watchlist) -> list[IdentifierMatch]:
    finders = (
        ("email", _pattern(_EMAIL)),
        ("date_of_birth", _dates_of_birth),
        ("phone", _phones),
        ("postcode", _pattern(_POSTCODE)),
        ("school", lambda text: _schools(text, watch)),
        ("name", lambda text: _names(text, watch)),
    )
    claimed: list[tuple[int, int]] = []
    found: list[tuple[int, IdentifierMatch]] = []
    for kind, finder in finders:
        for start, end, text in finder(line):
            if not any(start < c_end and c_start < end for c_start, c_end in claimed):
                claimed.append((start, end))
                found.append((start, IdentifierMatch(kind, section, number, text)))
    return [finding for _, finding in sorted(found, key=lambda pair: pair[0])]


def describe(findings: Iterable[IdentifierMatch]) -> list[str]:
    """One line per finding, for an error message and the override record."""
    return [str(f) for f in findings]
