"""The store's tables. The schema itself is made only by Alembic migrations
(``migrations/``); a test checks these models and the migrations agree.

No table holds a child's name or date of birth: a case is known only by its
pseudonymous ``case_ref``.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Names every constraint so migrations can alter them on SQLite (batch mode)
# and on PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

STRATA = ("custody", "community", "out_of_court")
COHORTS = ("main", "gang_lens")
SEXES = ("male", "female", "other", "unknown")
ETHNICITIES = ("white", "mixed", "asian", "black", "other", "unknown")
SCREENING_STATUSES = ("in_progress", "complete")
AGE_MIN, AGE_MAX = 10, 18


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


ANSWER_VALUE_CHECK = "value IS NULL OR value = 'yes' OR value = 'suspected' OR value = 'no' OR value = 'unknown'"


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Authority(Base):
    """A local authority that owns a youth justice service."""

    __tablename__ = "authority"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    note: Mapped[str | None] = mapped_column(Text)


class Stratum(Base):
    """Sampling stratum: the child's disposal (custody, community, out of court)."""

    __tablename__ = "stratum"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    label: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(Integer)


class Cohort(Base):
    """Sampling lens: the main sample or the gang-involved sample."""

    __tablename__ = "cohort"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    label: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(Integer)


class InstrumentVersion(Base):
    """A codebook version as it was when screenings were captured with it.

    Its full definition is kept so old screenings are never reinterpreted
    under a newer codebook.
    """

    __tablename__ = "instrument_version"
    __table_args__ = (UniqueConstraint("name", "version", name="uq_instrument_version_name_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    version: Mapped[int] = mapped_column(Integer)
    digest: Mapped[str] = mapped_column(String(64))
    definition: Mapped[str] = mapped_column(Text)
    registered_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Case(Base):
    """One child in the sample, by pseudonymous reference only."""

    __tablename__ = "cases"
    __table_args__ = (
        CheckConstraint(_one_of("sex", SEXES), name="sex"),
        CheckConstraint(_one_of("ethnicity", ETHNICITIES), name="ethnicity"),
        CheckConstraint(f"age IS NULL OR (age >= {AGE_MIN} AND age <= {AGE_MAX})", name="age"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_ref: Mapped[str] = mapped_column(String(40), unique=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authority.id"), index=True)
    stratum: Mapped[str] = mapped_column(ForeignKey("stratum.code"), index=True)
    cohort: Mapped[str] = mapped_column(ForeignKey("cohort.code"), index=True)
    sex: Mapped[str] = mapped_column(String(10))
    ethnicity: Mapped[str] = mapped_column(String(10))
    # None means the age is not known; never a date of birth.
    age: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    authority: Mapped[Authority] = relationship()
    screening: Mapped[Screening | None] = relationship(back_populates="case", uselist=False)


class Screening(Base):
    """The case screening ("risk matrix"): one per case, pinned to its codebook version."""

    __tablename__ = "screening"
    __table_args__ = (CheckConstraint(_one_of("status", SCREENING_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), unique=True)
    instrument_version_id: Mapped[int] = mapped_column(ForeignKey("instrument_version.id"), index=True)
    screened_on: Mapped[date] = mapped_column(Date)
    screened_by: Mapped[str | None] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(12), default="in_progress")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    case: Mapped[Case] = relationship(back_populates="screening")
    instrument: Mapped[InstrumentVersion] = relationship()


class Answer(Base):
    """One item's answer. A missing row means "not yet answered", which is
    different from a deliberate ``unknown``.

    Binary items hold ``value`` (yes / suspected / no / unknown) and no count;
    count items hold ``count``, where NULL means unknown, and no value.
    """

    __tablename__ = "answer"
    __table_args__ = (
        # Spelled out with OR: SQLite evaluates a CHECK's IN list by building
        # a temporary table for every row inserted, which made this one
        # constraint cost as much as the rest of an import.
        CheckConstraint(ANSWER_VALUE_CHECK, name="value"),
        CheckConstraint("count IS NULL OR count >= 0", name="count"),
        CheckConstraint("value IS NULL OR count IS NULL", name="value_or_count"),
        # The tallies read only this index, in item order, so counting every
        # answer needs no sort (see db/tallies.py).
        Index("ix_answer_tally", "item_code", "value", "count", "screening_id"),
        # On SQLite the primary key is the table: one b-tree, not two.
        {"sqlite_with_rowid": False},
    )

    screening_id: Mapped[int] = mapped_column(ForeignKey("screening.id", ondelete="CASCADE"), primary_key=True)
    item_code: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str | None] = mapped_column(String(10))
    count: Mapped[int | None] = mapped_column(Integer)


class ScreeningScore(Base):
    """A child's derived score, kept beside the answers it is computed from
    (``instrument.scoring``) and rewritten whenever they change, so the
    statistics read one row per child and score instead of every answer."""

    __tablename__ = "screening_score"
    __table_args__ = ({"sqlite_with_rowid": False},)

    screening_id: Mapped[int] = mapped_column(ForeignKey("screening.id", ondelete="CASCADE"), primary_key=True)
    score_code: Mapped[str] = mapped_column(String(60), primary_key=True)
    on_yes: Mapped[int] = mapped_column(Integer)
    on_yes_or_suspected: Mapped[int] = mapped_column(Integer)
    incomplete: Mapped[bool] = mapped_column(Boolean)


class ChangeLog(Base):
    """Append-only record of amendments: what a value was before and after.

    Amending a screening never loses the earlier answer; it is kept here with
    who changed it, when and with which command.
    """

    __tablename__ = "change_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor: Mapped[str | None] = mapped_column(String(60))
    command: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(10))
    entity: Mapped[str] = mapped_column(String(30))
    case_ref: Mapped[str | None] = mapped_column(String(40), index=True)
    field: Mapped[str | None] = mapped_column(String(60))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)


class Meta(Base):
    """Small key/value facts about this database (e.g. that it is synthetic)."""

    __tablename__ = "meta"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
