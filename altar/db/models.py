"""The store's tables. The schema itself is made only by Alembic migrations
(``migrations/``); a test checks these models and the migrations agree.

No table holds a child's name or date of birth: a case is known only by its
pseudonymous ``case_ref``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# The CHECK constraints below spell each vocabulary as it stands in altar.vocab.
from altar.vocab import (
    AGE_MAX,
    AGE_MIN,
    AGENCIES,
    DATE_PRECISIONS,
    ETHNICITIES,
    EVENT_TYPES,
    IDENTIFIER_KINDS,
    ROLES,
    SCREENING_STATUSES,
    SEXES,
)

# Names every constraint so migrations can alter them on SQLite (batch mode)
# and on PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


ANSWER_VALUE_CHECK = (
    "value IS NULL OR value = 'yes' OR value = 'suspected' OR value = 'no' OR value = 'unknown'"
)


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)

    if TYPE_CHECKING:
        # Every model here is mapped to a Table (DeclarativeBase allows any
        # FromClause), so its columns, name and Core insert() are typed as a Table's.
        __table__: ClassVar[Table]


def max_length(column: Column[Any]) -> int:
    """The length a String column is declared with (PostgreSQL enforces it; SQLite does not)."""
    if not isinstance(column.type, String) or column.type.length is None:
        raise TypeError(f"{column} is not a String column with a length")
    return column.type.length


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
    __table_args__ = (
        UniqueConstraint("name", "version", name="uq_instrument_version_name_version"),
    )

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
    # A soft delete (``altar case delete``): the case leaves every list,
    # statistic, report and export but can be undeleted; ``altar case purge``
    # is the erasure.
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime)
    deleted_by: Mapped[str | None] = mapped_column(String(60))

    authority: Mapped[Authority] = relationship()
    screening: Mapped[Screening | None] = relationship(back_populates="case", uselist=False)


class Screening(Base):
    """The case screening ("risk matrix"): one per case, pinned to its codebook version."""

    __tablename__ = "screening"
    __table_args__ = (CheckConstraint(_one_of("status", SCREENING_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), unique=True)
    instrument_version_id: Mapped[int] = mapped_column(
        ForeignKey("instrument_version.id"), index=True
    )
    screened_on: Mapped[date] = mapped_column(Date)
    screened_by: Mapped[str | None] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(12), default="in_progress")
    # Optimistic locking for forms left open (the web): one more on every
    # save that changes something (db.cases.update_record).
    revision: Mapped[int] = mapped_column(server_default="1")
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

    screening_id: Mapped[int] = mapped_column(
        ForeignKey("screening.id", ondelete="CASCADE"), primary_key=True
    )
    item_code: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str | None] = mapped_column(String(10))
    count: Mapped[int | None] = mapped_column(Integer)


class ScreeningScore(Base):
    """A child's derived score, kept beside the answers it is computed from
    (``instrument.scoring``) and rewritten whenever they change, so the
    statistics read one row per child and score instead of every answer."""

    __tablename__ = "screening_score"
    __table_args__ = ({"sqlite_with_rowid": False},)

    screening_id: Mapped[int] = mapped_column(
        ForeignKey("screening.id", ondelete="CASCADE"), primary_key=True
    )
    score_code: Mapped[str] = mapped_column(String(60), primary_key=True)
    on_yes: Mapped[int] = mapped_column(Integer)
    on_yes_or_suspected: Mapped[int] = mapped_column(Integer)
    incomplete: Mapped[bool] = mapped_column(Boolean)


class ChangeLog(Base):
    """Append-only record of every insert, amendment and deletion: what a
    value was before and after, who changed it, when (UTC) and with which
    command.

    Migration 0004 adds triggers that refuse any UPDATE, and any DELETE
    except of a purged case's entries (after its purge record is written);
    the purge record itself cannot be deleted.
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


class UserAccount(Base):
    """Someone who may use this database (``altar user``), with their role.

    While the table is empty altar runs in single-user mode, as before users
    existed. A practitioner belongs to exactly one authority; a lead or an
    admin to none (they see every authority)."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(_one_of("role", ROLES), name="role"),
        CheckConstraint(
            "(role = 'practitioner' AND authority_id IS NOT NULL) OR (role <> 'practitioner' AND authority_id IS NULL)",
            name="authority",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    role: Mapped[str] = mapped_column(String(12))
    authority_id: Mapped[int | None] = mapped_column(ForeignKey("authority.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(60))
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The web sign-in's argon2 hash (altar.passwords); NULL: no web sign-in.
    password_hash: Mapped[str | None] = mapped_column(String(255))

    authority: Mapped[Authority | None] = relationship()


class StoryVersion(Base):
    """One saved version of a child's case story. Versions are never changed
    or deleted (short of a lawful purge): a revision is a new row, with every
    section's text copied forward, so any version reads back whole."""

    __tablename__ = "story_version"
    __table_args__ = (
        UniqueConstraint("case_id", "version", name="uq_story_version_case_id_version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    template_name: Mapped[str] = mapped_column(String(60))
    template_version: Mapped[int] = mapped_column(Integer)
    written_by: Mapped[str | None] = mapped_column(String(60))
    written_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # What the identifying-detail check found and the writer kept on purpose
    # (--force), as text; NULL when the check found nothing.
    override: Mapped[str | None] = mapped_column(Text)

    sections: Mapped[list[StorySection]] = relationship(
        back_populates="story_version",
        cascade="all, delete-orphan",
        order_by="StorySection.position",
    )


class StorySection(Base):
    """The text of one template section in one story version (Markdown)."""

    __tablename__ = "story_section"
    __table_args__ = ({"sqlite_with_rowid": False},)

    story_version_id: Mapped[int] = mapped_column(
        ForeignKey("story_version.id", ondelete="CASCADE"), primary_key=True
    )
    section_code: Mapped[str] = mapped_column(String(60), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)

    story_version: Mapped[StoryVersion] = relationship(back_populates="sections")


class ChronologyEvent(Base):
    """A dated event in a child's history with an agency. A date known only
    to the month is stored as the first of that month with precision 'month'."""

    __tablename__ = "chronology_event"
    __table_args__ = (
        CheckConstraint(_one_of("agency", AGENCIES), name="agency"),
        CheckConstraint(_one_of("event_type", EVENT_TYPES), name="event_type"),
        CheckConstraint(_one_of("date_precision", DATE_PRECISIONS), name="date_precision"),
        Index("ix_chronology_event_case_date", "case_id", "occurred_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    occurred_on: Mapped[date] = mapped_column(Date)
    date_precision: Mapped[str] = mapped_column(String(5))
    agency: Mapped[str] = mapped_column(String(20))
    event_type: Mapped[str] = mapped_column(String(30))
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str | None] = mapped_column(String(60))
    recorded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class PenPicture(Base):
    """A short anonymised pen-picture the lead researcher draws from a story.
    Linked to its case, but published without the case reference, and only
    once approved (approved_at set). Editing the text withdraws approval."""

    __tablename__ = "pen_picture"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    written_by: Mapped[str | None] = mapped_column(String(60))
    written_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    approved_by: Mapped[str | None] = mapped_column(String(60))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime)


class Theme(Base):
    """A qualitative code (as in NVivo or Taguette) for tagging story passages."""

    __tablename__ = "theme"

    code: Mapped[str] = mapped_column(String(60), primary_key=True)
    label: Mapped[str] = mapped_column(String(120))
    description: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class StoryTag(Base):
    """A theme applied to a passage of a story section: characters
    [start, end) of that section's text in the version it was tagged on,
    with the extract kept so it reads back even after later revisions."""

    __tablename__ = "story_tag"
    __table_args__ = (
        CheckConstraint("start_offset >= 0 AND end_offset > start_offset", name="span"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    story_version_id: Mapped[int] = mapped_column(
        ForeignKey("story_version.id", ondelete="CASCADE"), index=True
    )
    section_code: Mapped[str] = mapped_column(String(60))
    theme_code: Mapped[str] = mapped_column(ForeignKey("theme.code"), index=True)
    start_offset: Mapped[int] = mapped_column(Integer)
    end_offset: Mapped[int] = mapped_column(Integer)
    extract: Mapped[str] = mapped_column(Text)
    tagged_by: Mapped[str | None] = mapped_column(String(60))
    tagged_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class IdentifierTerm(Base):
    """A term the identifying-detail check looks for in stories: a personal
    name or a school name added by this project. Names are kept only as a
    SHA-256 digest of their normalised form, so the store holds no names;
    school names (not personal data) are kept as written, to be listed."""

    __tablename__ = "identifier_term"
    __table_args__ = (
        CheckConstraint(_one_of("kind", IDENTIFIER_KINDS), name="kind"),
        UniqueConstraint("kind", "digest", name="uq_identifier_term_kind_digest"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    digest: Mapped[str] = mapped_column(String(64))
    term: Mapped[str | None] = mapped_column(String(200))
    added_by: Mapped[str | None] = mapped_column(String(60))
    added_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Meta(Base):
    """Small key/value facts about this database (e.g. that it is synthetic)."""

    __tablename__ = "meta"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
