"""Reference data every altar database starts with, seeded idempotently by
``altar init``: authorities, strata, cohorts and the shipped codebook
versions."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from altar.db.models import Authority, Cohort, InstrumentVersion, Stratum
from altar.errors import CodebookError
from altar.instrument import Codebook, all_codebooks
from altar.vocab import COHORT_LABELS, STRATUM_LABELS

AUTHORITIES = (
    ("birmingham", "Birmingham", "WMCA constituent authority"),
    ("coventry", "Coventry", "WMCA constituent authority"),
    ("dudley", "Dudley", "WMCA constituent authority"),
    ("sandwell", "Sandwell", "WMCA constituent authority"),
    ("solihull", "Solihull", "WMCA constituent authority"),
    ("walsall", "Walsall", "WMCA constituent authority"),
    ("wolverhampton", "Wolverhampton", "WMCA constituent authority"),
    ("warwickshire", "Warwickshire", "non-constituent authority"),
    (
        "west_mercia",
        "West Mercia",
        "non-constituent; one youth justice service covering Herefordshire, Shropshire, "
        "Telford & Wrekin and Worcestershire",
    ),
)
# The stratum and cohort tables hold each code with its label, in listing order.
STRATA = tuple(STRATUM_LABELS.items())
COHORTS = tuple(COHORT_LABELS.items())


@dataclass(frozen=True)
class SeedResult:
    authorities_added: int
    instruments_added: int


def seed_reference(session: Session) -> SeedResult:
    """Add whatever reference rows are missing; never overwrite a region's edits."""
    have = set(session.scalars(select(Authority.code)))
    new_authorities = [
        Authority(code=c, name=n, note=note) for c, n, note in AUTHORITIES if c not in have
    ]
    session.add_all(new_authorities)
    _seed_codes(session, Stratum, STRATA)
    _seed_codes(session, Cohort, COHORTS)
    added = sum(register_codebook(session, book) for book in all_codebooks().values())
    session.flush()
    return SeedResult(len(new_authorities), added)


def _seed_codes(
    session: Session, model: type[Stratum] | type[Cohort], rows: tuple[tuple[str, str], ...]
) -> None:
    have = set(session.scalars(select(model.code)))
    session.add_all(
        model(code=c, label=label, position=i) for i, (c, label) in enumerate(rows) if c not in have
    )


def register_codebook(session: Session, book: Codebook) -> bool:
    """Record a codebook version; refuse if a released version's file changed.

    A released codebook must never change under stored screenings (ODK users
    lost data when forms shifted under them), so a changed file is an error,
    not an update.
    """
    row = session.scalars(
        select(InstrumentVersion).filter_by(name=book.name, version=book.version)
    ).one_or_none()
    if row is not None:
        if row.digest != book.digest:
            raise CodebookError(
                f"{book.name} v{book.version} differs from the version already used in this database; "
                "release a new version instead of editing a released one"
            )
        return False
    session.add(
        InstrumentVersion(
            name=book.name,
            version=book.version,
            digest=book.digest,
            definition=json.dumps(_definition(book)),
        )
    )
    return True


def _definition(book: Codebook) -> dict:
    from dataclasses import asdict

    return asdict(book)
