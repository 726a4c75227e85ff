"""Reading and writing cases with their screenings.

Functions take an open Session inside the caller's transaction, so a whole
command commits or rolls back as one. Cases and screenings go in through
Core ``insert()`` with RETURNING, answers and scores straight to the driver
(``db.bulk``), rather than ORM objects one by one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Integer, delete, func, insert, select
from sqlalchemy.orm import Session

from altar.access import User, require_authority
from altar.db import audit
from altar.db.bulk import insert_rows
from altar.db.models import Answer as AnswerRow
from altar.db.models import Authority, Case, ChangeLog, InstrumentVersion, Screening, ScreeningScore
from altar.db.scope import case_filter, require_case
from altar.instrument import Codebook, all_codebooks
from altar.instrument.scoring import score_answers
from altar.records import Answer, CaseRecord
from altar.vocab import CASE_ATTRIBUTES

CHUNK = 500  # stay well under every database's bound-parameter limit
_SCREENING_FIELDS = ("screened_on", "screened_by", "instrument_version")


def _authority_ids(session: Session) -> dict[str, int]:
    return dict(session.execute(select(Authority.code, Authority.id)).all())


def _instrument_ids(session: Session) -> dict[int, int]:
    return dict(session.execute(select(InstrumentVersion.version, InstrumentVersion.id)).all())


def existing_refs(
    session: Session, refs: Iterable[str], visible: ColumnElement[bool] | None = None
) -> set[str]:
    """The references among ``refs`` that are taken: by any case, deleted
    or not (a reference stays unique), or only by cases matching ``visible``."""
    return set(case_ids(session, refs, visible))


def case_ids(
    session: Session, refs: Iterable[str], visible: ColumnElement[bool] | None = None
) -> dict[str, int]:
    """{case_ref: case id} for the references among ``refs`` that exist
    (only cases matching ``visible``, e.g. ``db.scope.case_filter``, if given)."""
    found: dict[str, int] = {}
    batch = sorted(set(refs))
    for start in range(0, len(batch), CHUNK):
        query = select(Case.case_ref, Case.id).where(
            Case.case_ref.in_(batch[start : start + CHUNK])
        )
        found.update(session.execute(query if visible is None else query.where(visible)).all())
    return found


def insert_records(
    session: Session, records: Sequence[CaseRecord], *, actor: str | None, command: str
) -> None:
    """Add new cases with their screenings, answers and scores in bulk.

    Cases and screenings go through Core ``insert()`` (their new ids come
    back with RETURNING); answers and scores, forty-odd rows per child, go
    straight to the driver (``db.bulk``).
    """
    authority_ids, instrument_ids = _authority_ids(session), _instrument_ids(session)
    books = all_codebooks()
    for start in range(0, len(records), CHUNK):
        chunk = records[start : start + CHUNK]
        case_ids = dict(
            session.execute(
                insert(Case.__table__).returning(
                    Case.case_ref, Case.id, sort_by_parameter_order=True
                ),
                [_case_values(r, authority_ids) for r in chunk],
            ).all()
        )
        screening_ids = dict(
            session.execute(
                insert(Screening.__table__).returning(
                    Screening.case_id, Screening.id, sort_by_parameter_order=True
                ),
                [_screening_values(r, case_ids[r.case_ref], instrument_ids, books) for r in chunk],
            ).all()
        )
        pairs = [(screening_ids[case_ids[r.case_ref]], r) for r in chunk]
        insert_rows(
            session,
            AnswerRow.__table__,
            _ANSWER_COLUMNS,
            (
                _answer_row(sid, code, value)
                for sid, r in pairs
                for code, value in r.answers.items()
            ),
        )
        insert_rows(
            session,
            ScreeningScore.__table__,
            _SCORE_COLUMNS,
            (
                row
                for sid, r in pairs
                for row in _score_rows(sid, books[r.instrument_version], r.answers)
            ),
        )
        session.execute(
            insert(ChangeLog.__table__),
            [
                dict(
                    actor=actor,
                    command=command,
                    action="insert",
                    entity="case",
                    case_ref=r.case_ref,
                )
                for r in chunk
            ],
        )


_ANSWER_COLUMNS = ("screening_id", "item_code", "value", "count")
_SCORE_COLUMNS = ("screening_id", "score_code", "on_yes", "on_yes_or_suspected", "incomplete")


def _answer_row(screening_id: int, code: str, value: Answer) -> tuple:
    # Binary answers are text; count answers are integers, None = unknown.
    if isinstance(value, str):
        return (screening_id, code, value, None)
    return (screening_id, code, None, value)


def _score_rows(screening_id: int, book: Codebook, answers: dict[str, Answer]) -> list[tuple]:
    return [
        (screening_id, code, v.on_yes, v.on_yes_or_suspected, v.incomplete)
        for code, v in score_answers(book, answers).items()
    ]


def _rewrite_scores(
    session: Session, screening_id: int, book: Codebook, answers: dict[str, Answer]
) -> None:
    session.execute(delete(ScreeningScore).where(ScreeningScore.screening_id == screening_id))
    insert_rows(
        session, ScreeningScore.__table__, _SCORE_COLUMNS, _score_rows(screening_id, book, answers)
    )


def update_record(session: Session, user: User, record: CaseRecord, *, command: str) -> int:
    """Make a stored case that ``user`` may see match ``record`` (its full
    new state) and log each changed value with its old and new text, so
    nothing entered is lost (a change of screening status too).

    An answer absent from ``record`` is cleared (back to "not answered").
    Returns the number of values changed.
    """
    case = require_case(session, user, record.case_ref)
    require_authority(user, record.authority)  # a practitioner cannot move a case away
    before = _record_from_case(session, case)
    changes = _diff(before, record)
    if not changes:
        return 0
    changed = len(changes)  # values typed; a status change follows from them
    _apply_case_fields(session, case, record)
    screening = _ensure_screening(session, case, record)
    for code in before.answers.keys() - record.answers.keys():
        session.delete(session.get(AnswerRow, (screening.id, code)))
    for code, value in record.answers.items():
        if code not in before.answers or before.answers[code] != value:
            session.merge(
                AnswerRow(**dict(zip(_ANSWER_COLUMNS, _answer_row(screening.id, code, value))))
            )
    session.flush()
    book = all_codebooks()[record.instrument_version]
    status = _status(session, screening, book)
    if status != screening.status:
        changes.append(("screening", "status", screening.status, status))
        screening.status = status
    _rewrite_scores(session, screening.id, book, record.answers)
    screening.revision += 1
    for entity, name, old, new in changes:
        audit.log(
            session,
            actor=user.name,
            command=command,
            action="update",
            entity=entity,
            case_ref=record.case_ref,
            field=name,
            old=old,
            new=new,
        )
    return changed


def _apply_case_fields(session: Session, case: Case, record: CaseRecord) -> None:
    case.authority_id = _authority_ids(session)[record.authority]
    for name in CASE_ATTRIBUTES[1:]:
        setattr(case, name, getattr(record, name))


def _ensure_screening(session: Session, case: Case, record: CaseRecord) -> Screening:
    instrument_id = _instrument_ids(session)[record.instrument_version]
    if case.screening is None:
        case.screening = Screening(
            instrument_version_id=instrument_id, screened_on=record.screened_on
        )
        session.flush()
    screening = case.screening
    screening.instrument_version_id = instrument_id
    screening.screened_on = record.screened_on
    screening.screened_by = record.screened_by
    return screening


def _status(session: Session, screening: Screening, book: Codebook) -> str:
    answered = session.scalar(select(func.count()).where(AnswerRow.screening_id == screening.id))
    return "complete" if answered == len(book.items) else "in_progress"


def _diff(before: CaseRecord, after: CaseRecord) -> list[tuple[str, str, str | None, str | None]]:
    changes = []
    for name in CASE_ATTRIBUTES + _SCREENING_FIELDS:
        old, new = getattr(before, name), getattr(after, name)
        if old != new:
            entity = "case" if name in CASE_ATTRIBUTES else "screening"
            changes.append((entity, name, _text(old), _text(new)))
    for code in sorted(before.answers.keys() | after.answers.keys()):
        old, new = before.answers.get(code, _UNANSWERED), after.answers.get(code, _UNANSWERED)
        if old != new:
            changes.append(("answer", code, _answer_text(old), _answer_text(new)))
    return changes


def _text(value: object) -> str | None:
    return None if value is None else str(value)


_UNANSWERED = object()


def _answer_text(value: object) -> str | None:
    # None in the log means "not answered"; a count of None is "unknown".
    if value is _UNANSWERED:
        return None
    return "unknown" if value is None else str(value)


def _case_values(record: CaseRecord, authority_ids: dict[str, int]) -> dict:
    return dict(
        case_ref=record.case_ref,
        authority_id=authority_ids[record.authority],
        stratum=record.stratum,
        cohort=record.cohort,
        sex=record.sex,
        ethnicity=record.ethnicity,
        age=record.age,
    )


def _screening_values(
    record: CaseRecord, case_id: int, instrument_ids: dict[int, int], books: dict[int, Codebook]
) -> dict:
    status = "complete" if record.is_complete(books[record.instrument_version]) else "in_progress"
    return dict(
        case_id=case_id,
        instrument_version_id=instrument_ids[record.instrument_version],
        screened_on=record.screened_on,
        screened_by=record.screened_by,
        status=status,
    )


def load_record(session: Session, user: User, case_ref: str) -> CaseRecord:
    """The case as ``user`` may see it, or NotFoundError (``db.scope.require_case``)."""
    return _record_from_case(session, require_case(session, user, case_ref))


def progress(stored_status: str | None, answered: int) -> str:
    """How far a screening has got, as lists show it (REDCap's form status):
    ``not_started`` while nothing is answered, else the stored status. The
    lead's completeness counts the same way (``tallies.screening_progress``)."""
    return stored_status if answered and stored_status else "not_started"


@dataclass(frozen=True)
class ScreeningState:
    """A screening's stored status and revision (one more on every save
    that changed something: a form's optimistic lock)."""

    status: str
    revision: int


def screening_state(session: Session, user: User, case_ref: str) -> ScreeningState:
    """The case's screening status and revision (``not_started``, 0 before it
    has a screening); NotFoundError for a case ``user`` may not see."""
    screening = require_case(session, user, case_ref).screening
    return (
        ScreeningState("not_started", 0)
        if screening is None
        else ScreeningState(screening.status, screening.revision)
    )


def _record_from_case(session: Session, case: Case) -> CaseRecord:
    return _with_answers(case, _answers_for(session, [case.case_ref]).get(case.case_ref, {}))


def iter_records(session: Session, user: User) -> Iterator[CaseRecord]:
    """Every case ``user`` may see, with its answers, in case_ref order, a chunk at a time."""
    refs = list(
        session.scalars(select(Case.case_ref).where(case_filter(user)).order_by(Case.case_ref))
    )
    for start in range(0, len(refs), CHUNK):
        chunk = refs[start : start + CHUNK]
        cases = session.scalars(
            select(Case).where(Case.case_ref.in_(chunk)).order_by(Case.case_ref)
        )
        answers = _answers_for(session, chunk)
        for case in cases:
            yield _with_answers(case, answers.get(case.case_ref, {}))


def _answers_for(session: Session, refs: list[str]) -> dict[str, dict[str, Answer]]:
    query = (
        select(Case.case_ref, AnswerRow.item_code, AnswerRow.value, AnswerRow.count)
        .join(Screening, Screening.case_id == Case.id)
        .join(AnswerRow, AnswerRow.screening_id == Screening.id)
        .where(Case.case_ref.in_(refs))
    )
    out: dict[str, dict[str, Answer]] = {}
    for ref, code, value, count in session.execute(query):
        out.setdefault(ref, {})[code] = value if value is not None else count
    return out


def _with_answers(case: Case, answers: dict[str, Answer]) -> CaseRecord:
    screening = case.screening
    return CaseRecord(
        case_ref=case.case_ref,
        authority=case.authority.code,
        stratum=case.stratum,
        cohort=case.cohort,
        sex=case.sex,
        ethnicity=case.ethnicity,
        age=case.age,
        # Every stored case has its screening (add_case and import make both), so
        # screened_on is a date; the None only keeps a broken row from crashing here.
        screened_on=screening.screened_on if screening else None,  # type: ignore[arg-type]
        screened_by=screening.screened_by if screening else None,
        instrument_version=screening.instrument.version if screening else max(all_codebooks()),
        answers=answers,
    )


@dataclass(frozen=True)
class CaseSummary:
    case_ref: str
    authority: str
    stratum: str
    cohort: str
    sex: str
    ethnicity: str
    age: int | None
    screened_on: str | None
    screened_by: str | None
    instrument_version: int | None
    status: str
    answered: int
    unknown: int


def list_cases(
    session: Session,
    user: User,
    *,
    authority: str | None = None,
    stratum: str | None = None,
    cohort: str | None = None,
    status: str | None = None,
    case_ref: str | None = None,
    refs: Sequence[str] | None = None,
) -> list[CaseSummary]:
    """One line per case ``user`` may see, with screening progress, for `altar case list`
    (and, with ``case_ref``, for one case's page on the web)."""
    # The outer join gives a case with no answers one all-NULL row: not an unknown.
    count_unknown = (
        AnswerRow.item_code.is_not(None) & AnswerRow.value.is_(None) & AnswerRow.count.is_(None)
    )
    unknown = func.sum(((AnswerRow.value == "unknown") | count_unknown).cast(Integer))
    query = (
        select(
            Case.case_ref,
            Authority.code,
            Case.stratum,
            Case.cohort,
            Case.sex,
            Case.ethnicity,
            Case.age,
            Screening.screened_on,
            Screening.screened_by,
            InstrumentVersion.version,
            Screening.status,
            func.count(AnswerRow.item_code),
            func.coalesce(unknown, 0),
        )
        .join(Authority, Authority.id == Case.authority_id)
        .outerjoin(Screening, Screening.case_id == Case.id)
        .outerjoin(InstrumentVersion, InstrumentVersion.id == Screening.instrument_version_id)
        .outerjoin(AnswerRow, AnswerRow.screening_id == Screening.id)
        .where(case_filter(user))
        .group_by(Case.id, Authority.code, Screening.id, InstrumentVersion.version)
        .order_by(Case.case_ref)
    )
    if authority:
        query = query.where(Authority.code == authority)
    if stratum:
        query = query.where(Case.stratum == stratum)
    if cohort:
        query = query.where(Case.cohort == cohort)
    if case_ref is not None:
        query = query.where(Case.case_ref == case_ref)
    if refs is not None:
        query = query.where(Case.case_ref.in_(refs))
    rows = [
        CaseSummary(
            r[0],
            r[1],
            r[2],
            r[3],
            r[4],
            r[5],
            r[6],
            r[7].isoformat() if r[7] else None,
            r[8],
            r[9],
            progress(r[10], r[11]),
            r[11],
            int(r[12]),
        )
        for r in session.execute(query)
    ]
    return [r for r in rows if status is None or r.status == status]


def lock_case(session: Session, case_ref: str) -> None:
    """Make a colleague's save of the same case wait until this one commits.

    Without it, on PostgreSQL two saves could both pass the conflict check
    and the later silently overwrite the earlier. SQLite has one writer at a
    time, and SQLAlchemy renders no FOR UPDATE for it.
    """
    session.execute(select(Case.id).where(Case.case_ref == case_ref).with_for_update())
