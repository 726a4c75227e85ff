"""The lead researcher's completeness view: how far the screenings have got
in each authority and stratum, and how many answers each codebook item is
still missing (deliberately unknown, or not yet answered).

These are working figures for chasing up missing data, shown only to
those who may see the whole region (``Permission.REGION``); they are not
suppressed and are never for publication (the reports are).

The counting is the database's (``db.tallies.screening_progress``, and the
same one-pass answer counts ``altar stats`` uses); this module checks the
filters and puts the figures in codebook and reference order.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from altar.access import Permission, User, require
from altar.capture.values import parse_stratum
from altar.db import tallies
from altar.db.authorities import authority_names, resolve_authority
from altar.errors import FieldProblem, ValidationError
from altar.instrument import Codebook, current_codebook
from altar.vocab import STRATA


@dataclass(frozen=True)
class Progress:
    """Cases of one authority and stratum (or a total: ``authority`` or
    ``stratum`` None) by how far their screening has got."""

    authority: str | None
    stratum: str | None
    complete: int = 0
    in_progress: int = 0
    not_started: int = 0

    @property
    def cases(self) -> int:
        return self.complete + self.in_progress + self.not_started


@dataclass(frozen=True)
class ItemGaps:
    """One codebook item: of the screenings counted, how many answer it
    ``unknown`` and how many have no answer to it yet."""

    code: str
    label: str
    group: str  # the codebook group's title
    unknown: int
    not_answered: int


@dataclass(frozen=True)
class Completeness:
    """The completeness view for the filters given (None: all)."""

    authority: str | None
    stratum: str | None
    authority_names: dict[str, str]  # code -> name, every authority
    progress: tuple[Progress, ...]  # authority x stratum, only combinations with cases
    total: Progress
    screenings: int  # the screenings ``items`` counts over (cases with a screening)
    items: tuple[ItemGaps, ...]  # in codebook order


def parse_filters(session: Session, authority: str | None, stratum: str | None) -> tallies.Filters:
    """The filters as typed (an authority's code or name, a stratum; blank
    is no filter), or ValidationError naming each bad one."""
    problems: list[FieldProblem] = []
    values = {}
    if authority and authority.strip():
        try:
            values["authority"] = resolve_authority(session, authority)
        except ValidationError as exc:
            problems += exc.located
    if stratum and stratum.strip():
        try:
            values["stratum"] = parse_stratum(stratum)
        except ValueError as exc:
            problems.append(FieldProblem("stratum", str(exc)))
    if problems:
        raise ValidationError("the filter is not right; nothing is shown", located=problems)
    return tallies.Filters(authority=values.get("authority"), stratum=values.get("stratum"))


def completeness(
    session: Session,
    user: User,
    *,
    authority: str | None = None,
    stratum: str | None = None,
    book: Codebook | None = None,
) -> Completeness:
    """Screening progress by authority x stratum and unknowns per item of
    ``book`` (the current codebook), over the live cases in the filters."""
    require(user, Permission.REGION)
    filters = parse_filters(session, authority, stratum)
    progress = _progress(tallies.screening_progress(session, filters))
    # Gaps are looked for in every screening, finished or not: finishing them
    # is what this view is for.
    everything = replace(filters, counting=tallies.Counting.EVERY)
    with tallies.scope(session, None, everything) as scope:
        counts = tallies.answer_counts(session, scope)
    screenings = scope.sizes.get(tallies.ALL, 0)
    return Completeness(
        filters.authority,
        filters.stratum,
        authority_names(session),
        progress,
        _sum(progress),
        screenings,
        _gaps(book or current_codebook(), counts, screenings),
    )


def _progress(counts: dict[tuple[str, str, str], int]) -> tuple[Progress, ...]:
    strata = list(STRATA)
    pairs = sorted(
        {(a, s) for a, s, _ in counts}, key=lambda pair: (pair[0], strata.index(pair[1]))
    )
    return tuple(
        Progress(a, s, **{p: counts.get((a, s, p), 0) for p in tallies.PROGRESS}) for a, s in pairs
    )


def _sum(rows: tuple[Progress, ...]) -> Progress:
    return Progress(None, None, **{p: sum(getattr(r, p) for r in rows) for p in tallies.PROGRESS})


def _gaps(book: Codebook, counts: tallies.AnswerCounts, screenings: int) -> tuple[ItemGaps, ...]:
    binary, numeric = counts.binary.get(tallies.ALL, {}), counts.counts.get(tallies.ALL, {})
    out = []
    for group in book.groups:
        for item in group.items:
            if item.type == "binary":
                answers = binary.get(item.code, {})
                unknown, stored = answers.get("unknown", 0), sum(answers.values())
            else:
                dist = numeric.get(item.code, tallies.CountDistribution())
                unknown, stored = dist.unknown, dist.unknown + sum(dist.freq.values())
            out.append(ItemGaps(item.code, item.label, group.title, unknown, screenings - stored))
    return tuple(out)
