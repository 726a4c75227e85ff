"""``altar check``: does the store still say what was entered?

Each check is a query (or, for derived scores, a recomputation) inside the
caller's read transaction, returning :class:`CheckProblem` rows that say what is
wrong and where. The database enforces most of these rules itself (foreign
keys, CHECK constraints); the checks find what got past them: a file edited
by another tool with foreign keys off, a copy restored from elsewhere, a bug.

Checks that cost one pass over a table report at most ``LIMIT`` rows each,
so a badly broken store gives a readable list, not millions of lines.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, and_, exists, extract, func, not_, or_, select
from sqlalchemy.exc import DatabaseError as SQLAlchemyDatabaseError
from sqlalchemy.orm import Session

from altar.db.models import (
    Answer,
    Base,
    Case,
    ChronologyEvent,
    InstrumentVersion,
    Screening,
    ScreeningScore,
    StorySection,
    StoryTag,
    StoryVersion,
)
from altar.instrument import Codebook, all_codebooks
from altar.instrument.scoring import score_answers
from altar.vocab import AGENCIES, DATE_PRECISIONS, EVENT_TYPES

LIMIT = 100  # rows reported per check
_CHUNK = 500  # screenings recomputed per query


@dataclass(frozen=True)
class CheckProblem:
    """One problem: which check found it, where, and what is wrong."""

    check: str
    where: str
    problem: str


@dataclass(frozen=True)
class CheckReport:
    findings: tuple[CheckProblem, ...]
    checks: tuple[str, ...]
    counts: dict[str, int]

    @property
    def ok(self) -> bool:
        return not self.findings


def run_checks(session: Session) -> CheckReport:
    """Every check this store's backend supports, and what the store holds.

    A SQLite file that fails its integrity check is reported on that alone:
    queries over damaged pages fail or mislead, and the remedy (restore a
    backup) is the same whatever else is wrong."""
    done: list[str] = []
    if session.get_bind().dialect.name == "sqlite":
        damaged = list(sqlite_integrity(session))
        done.append("integrity")
        if damaged:
            return CheckReport(tuple(damaged), tuple(done), {})
    checks: list[tuple[str, Iterator[CheckProblem]]] = [
        ("orphans", orphans(session)),
        ("answers", answers_match_codebook(session)),
        ("scores_and_status", scores_and_status(session)),
        ("chronology", chronology_vocabularies(session)),
        ("story_tags", story_tags(session)),
    ]
    if done:
        checks.insert(0, ("foreign_keys", sqlite_foreign_keys(session)))
    findings = tuple(f for _, found in checks for f in found)
    return CheckReport(findings, (*done, *(name for name, _ in checks)), counts(session))


def counts(session: Session) -> dict[str, int]:
    tables = {
        "cases": Case,
        "screenings": Screening,
        "answers": Answer,
        "story_versions": StoryVersion,
        "chronology_events": ChronologyEvent,
    }
    return {
        name: session.scalar(select(func.count()).select_from(model)) or 0
        for name, model in tables.items()
    }


# --- SQLite's own checks ------------------------------------------------------


def sqlite_integrity(session: Session) -> Iterator[CheckProblem]:
    """PRAGMA integrity_check: the file's pages, indexes and constraints."""
    try:
        messages = (
            session.connection().exec_driver_sql(f"PRAGMA integrity_check({LIMIT})").scalars().all()
        )
    except SQLAlchemyDatabaseError as exc:  # damaged beyond what the check can walk
        messages = [str(exc.orig)]
    # One row per problem, or (some versions) one row of lines.
    for line in (line for message in messages for line in message.splitlines()):
        if line != "ok" and not line.startswith("*** in database"):
            yield CheckProblem("integrity", "database file", line)


def sqlite_foreign_keys(session: Session) -> Iterator[CheckProblem]:
    """PRAGMA foreign_key_check: rows whose parent is missing (possible only
    if someone wrote to the file with foreign keys switched off)."""
    rows = session.connection().exec_driver_sql("PRAGMA foreign_key_check").fetchmany(LIMIT)
    for table, rowid, parent, _ in rows:
        where = f"{table}" + (f" row {rowid}" if rowid is not None else "")
        yield CheckProblem("foreign_keys", where, f"refers to a missing row of {parent}")


# --- checks on both backends ---------------------------------------------------


def orphans(session: Session) -> Iterator[CheckProblem]:
    """Every foreign key of the schema, on both backends: a row pointing at a
    parent that is not there (a screening without its case, an answer
    without its screening, a section without its story version...)."""
    for table in Base.metadata.sorted_tables:
        for fk in sorted(table.foreign_keys, key=lambda k: k.parent.name):
            child, parent = fk.parent, fk.column
            keys = list(table.primary_key.columns)
            query = (
                select(*keys, child)
                .where(child.is_not(None), ~exists().where(parent == child))
                .order_by(*keys)
                .limit(LIMIT)
            )
            for row in session.execute(query):
                where = f"{table.name} " + ", ".join(f"{k.name}={v}" for k, v in zip(keys, row))
                yield CheckProblem(
                    "orphans", where, f"{child.name}={row[-1]} is not in {parent.table.name}"
                )


def _instrument_ids_by_version(session: Session) -> dict[int, list[int]]:
    """The instrument_version ids of each codebook version stored."""
    rows = session.execute(select(InstrumentVersion.version, InstrumentVersion.id))
    out: dict[int, list[int]] = {}
    for version, ident in rows:
        out.setdefault(version, []).append(ident)
    return out


def answers_match_codebook(session: Session) -> Iterator[CheckProblem]:
    """Each answer names an item of its screening's own codebook version and
    holds the item's kind of value: a word for a binary item, a count (or
    NULL for unknown) within the item's maximum for a count item."""
    books = all_codebooks()
    for version, ids in _instrument_ids_by_version(session).items():
        book = books.get(version)
        if book is None:
            yield from _unknown_version(session, version, ids)
            continue
        for rule, reason in _answer_rules(book):
            query = _answer_query(ids).where(rule).limit(LIMIT)
            for ref, code, value, count in session.execute(query):
                shown = value if value is not None else count
                yield CheckProblem(
                    "answers", f"case {ref}, item {code}", f"{shown!r}: {reason} (v{version})"
                )


def _answer_rules(book: Codebook) -> list[tuple[ColumnElement[bool], str]]:
    binary = [i.code for i in book.items if i.type == "binary"]
    counts = [i for i in book.items if i.type == "count"]
    rules: list[tuple[ColumnElement[bool], str]] = [
        (Answer.item_code.not_in(book.item_codes()), "not an item of this screening's codebook"),
        (
            and_(
                Answer.item_code.in_(binary), or_(Answer.value.is_(None), Answer.count.is_not(None))
            ),
            "a yes/suspected/no/unknown item holds a count or nothing",
        ),
        (
            and_(Answer.item_code.in_([i.code for i in counts]), Answer.value.is_not(None)),
            "a count item holds a word",
        ),
    ]
    rules += [
        (
            and_(Answer.item_code == item.code, Answer.count > item.max),
            f"more than the item's maximum of {item.max}",
        )
        for item in counts
        if item.max is not None
    ]
    return rules


def _answer_query(instrument_ids: Sequence[int]) -> Select:
    return (
        select(Case.case_ref, Answer.item_code, Answer.value, Answer.count)
        .join(Screening, Screening.id == Answer.screening_id)
        .join(Case, Case.id == Screening.case_id)
        .where(Screening.instrument_version_id.in_(instrument_ids))
        .order_by(Case.case_ref, Answer.item_code)
    )


def _unknown_version(session: Session, version: int, ids: list[int]) -> Iterator[CheckProblem]:
    query = (
        select(Case.case_ref)
        .join(Screening, Screening.case_id == Case.id)
        .where(Screening.instrument_version_id.in_(ids))
        .limit(LIMIT)
    )
    for ref in session.scalars(query):
        yield CheckProblem(
            "answers",
            f"case {ref}",
            f"screened with codebook v{version}, which this altar does not have",
        )


def scores_and_status(session: Session) -> Iterator[CheckProblem]:
    """Recompute every screening's scores from its stored answers (the same
    ``score_answers`` the write paths use) and compare them with
    ``screening_score``; a screening is complete exactly when every item of
    its codebook is answered. Reads a chunk of screenings at a time."""
    books = all_codebooks()
    query = (
        select(Screening.id, Case.case_ref, InstrumentVersion.version, Screening.status)
        .join(Case, Case.id == Screening.case_id)
        .join(InstrumentVersion, InstrumentVersion.id == Screening.instrument_version_id)
        .order_by(Screening.id)
        .limit(_CHUNK)
    )
    found, last = 0, None
    while found < LIMIT:
        # Keyset pages, so memory stays flat however many children there are.
        page = session.execute(query if last is None else query.where(Screening.id > last)).all()
        if not page:
            return
        last = page[-1].id
        chunk = [s for s in page if s.version in books]  # an unknown version is the answers check's
        answers, scores = _answers_and_scores(session, [s.id for s in chunk])
        for sid, ref, version, status in chunk:
            for problem in _screening_problems(
                books[version], answers.get(sid, {}), scores.get(sid, {}), status
            ):
                yield CheckProblem("scores_and_status", f"case {ref}", problem)
                found += 1


def _answers_and_scores(
    session: Session, ids: list[int]
) -> tuple[dict[int, dict[str, object]], dict[int, dict[str, tuple[int, int, bool]]]]:
    answers: dict[int, dict[str, object]] = {}
    for sid, code, value, count in session.execute(
        select(Answer.screening_id, Answer.item_code, Answer.value, Answer.count).where(
            Answer.screening_id.in_(ids)
        )
    ):
        answers.setdefault(sid, {})[code] = value if value is not None else count
    scores: dict[int, dict[str, tuple[int, int, bool]]] = {}
    score = ScreeningScore
    for sid, code, on_yes, either, incomplete in session.execute(
        select(
            score.screening_id,
            score.score_code,
            score.on_yes,
            score.on_yes_or_suspected,
            score.incomplete,
        ).where(score.screening_id.in_(ids))
    ):
        scores.setdefault(sid, {})[code] = (on_yes, either, bool(incomplete))
    return answers, scores


def _screening_problems(
    book: Codebook,
    answers: dict[str, object],
    stored: dict[str, tuple[int, int, bool]],
    status: str,
) -> Iterator[str]:
    expected = {
        code: (v.on_yes, v.on_yes_or_suspected, v.incomplete)
        for code, v in score_answers(book, answers).items()
    }
    for code in sorted(expected.keys() | stored.keys()):
        want, have = expected.get(code), stored.get(code)
        if want != have:
            yield f"score {code}: stored {_score_text(have)}, its answers give {_score_text(want)}"
    complete = all(code in answers for code in book.item_codes())
    if status != ("complete" if complete else "in_progress"):
        answered = sum(code in answers for code in book.item_codes())
        yield f"status is {status} but {answered} of {len(book.items)} items are answered"


def _score_text(value: tuple[int, int, bool] | None) -> str:
    if value is None:
        return "nothing"
    on_yes, either, incomplete = value
    return f"{on_yes} on yes, {either} on yes or suspected" + (
        " (incomplete)" if incomplete else ""
    )


def chronology_vocabularies(session: Session) -> Iterator[CheckProblem]:
    """Agencies, event types and date precisions from the fixed lists; a date
    known to the month only is stored as the first of that month."""
    rules = [
        (ChronologyEvent.agency.not_in(AGENCIES), "agency", "not a known agency"),
        (ChronologyEvent.event_type.not_in(EVENT_TYPES), "event_type", "not a known event type"),
        (
            ChronologyEvent.date_precision.not_in(DATE_PRECISIONS),
            "date_precision",
            "neither day nor month",
        ),
        (
            and_(
                ChronologyEvent.date_precision == "month",
                extract("day", ChronologyEvent.occurred_on) != 1,
            ),
            "occurred_on",
            "known to the month only, so stored as the first of the month",
        ),
    ]
    base = select(Case.case_ref, ChronologyEvent).join(Case, Case.id == ChronologyEvent.case_id)
    for rule, field, reason in rules:
        for ref, event in session.execute(
            base.where(rule).order_by(ChronologyEvent.id).limit(LIMIT)
        ):
            yield CheckProblem(
                "chronology",
                f"case {ref}, event {event.id}",
                f"{field} {getattr(event, field)!s}: {reason}",
            )


def story_tags(session: Session) -> Iterator[CheckProblem]:
    """A tagged passage belongs to a section of the story version it was
    tagged on, and to that story's case."""
    has_section = exists().where(
        StorySection.story_version_id == StoryTag.story_version_id,
        StorySection.section_code == StoryTag.section_code,
    )
    query = (
        select(StoryTag.id, StoryTag.section_code, StoryTag.case_id, StoryVersion.case_id)
        .join(StoryVersion, StoryVersion.id == StoryTag.story_version_id)
        .where(or_(not_(has_section), StoryTag.case_id != StoryVersion.case_id))
        .order_by(StoryTag.id)
        .limit(LIMIT)
    )
    for tag_id, section, tag_case, story_case in session.execute(query):
        problem = (
            f"tagged on case {tag_case} but its story belongs to case {story_case}"
            if tag_case != story_case
            else f"section {section!r} is not in the story version it was tagged on"
        )
        yield CheckProblem("story_tags", f"story tag {tag_id}", problem)
