"""Entering one case by hand: ``altar case add`` and ``altar screening
enter``, and the web's new-case and details forms. Both front ends call
these; they share the row rules in ``records`` so a value is judged the
same wherever it is typed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy.orm import Session

from altar.access import User, require_authority
from altar.capture import form
from altar.capture.records import CaseRecord, Problem, case_fields, validate_row
from altar.db import cases as store
from altar.db.authorities import authority_lookup
from altar.errors import ConflictError, NotFoundError, ValidationError
from altar.instrument import Codebook, Group, all_codebooks
from altar.vocab import CASE_ATTRIBUTES


def add_case(
    session: Session, user: User, fields: Mapping[str, str | None], *, command: str
) -> CaseRecord:
    """Validate and store a new case, of an authority ``user`` works in,
    with an empty, in-progress screening (a field given as None is left out)."""
    actor = user.name
    given = {
        "screened_on": date.today().isoformat(),
        **{k: v for k, v in fields.items() if v is not None},
    }
    record, problems = validate_row(
        given,
        authorities=authority_lookup(session),
        books=all_codebooks(),
        default_version=max(all_codebooks()),
        default_user=actor,
        blank_is_unknown=False,
    )
    if record is None:
        raise ValidationError(f"case not added: {len(problems)} problem(s)", located=problems)
    require_authority(user, record.authority)
    if store.existing_refs(session, [record.case_ref]):
        taken = Problem(
            "case_ref",
            "a case with this reference already exists (perhaps "
            "deleted: a deleted case keeps its reference); choose another",
            value=record.case_ref,
        )
        raise ValidationError(
            f"case {record.case_ref!r} already exists; amend it with `altar screening enter` "
            "(a deleted case keeps its reference: a lead can `altar case undelete` it)",
            [],
            located=[taken],
        )
    store.insert_records(session, [record], actor=actor, command=command)
    return record


@dataclass(frozen=True)
class FormSession:
    """What the editor needs to show one case's form."""

    record: CaseRecord
    book: Codebook
    groups: tuple[Group, ...] | None
    heading: str

    def render(self, problems: Sequence[Problem] = (), texts: dict[str, str] | None = None) -> str:
        return form.render_form(
            self.record,
            self.book,
            heading=self.heading,
            groups=self.groups,
            problems=problems,
            texts=texts,
        )


def open_form(session: Session, user: User, case_ref: str, group: str | None = None) -> FormSession:
    record = store.load_record(session, user, case_ref)
    book = all_codebooks()[record.instrument_version]
    groups = None
    if group:
        try:
            groups = (book.group(group),)
        except KeyError:
            known = ", ".join(g.code for g in book.groups)
            raise NotFoundError(
                f"no group {group!r} in instrument v{book.version} (groups: {known})"
            ) from None
    answered = sum(1 for item in book.items if item.code in record.answers)
    heading = (
        f"ALTAR case screening for {record.case_ref} ({record.authority}, {record.stratum}, {record.cohort}); "
        f"{answered} of {len(book.items)} items answered"
    )
    return FormSession(record, book, groups, heading)


@dataclass(frozen=True)
class SaveResult:
    case_ref: str
    changed: int
    answered: int
    total: int

    @property
    def complete(self) -> bool:
        return self.answered == self.total


def save_form(
    session: Session, user: User, opened: FormSession, text: str, *, command: str
) -> tuple[SaveResult | None, dict[str, str], list[Problem]]:
    """Validate a filled form; store it if it is right, else return the problems.

    The editor runs outside any transaction (a form can stay open for an
    hour), so the case is re-read here: if someone changed it meanwhile,
    ConflictError, rather than silently overwriting their work.
    """
    store.lock_case(session, opened.record.case_ref)
    if store.load_record(session, user, opened.record.case_ref) != opened.record:
        raise ConflictError(
            f"{opened.record.case_ref} was changed by someone else while the form was open"
        )
    record, texts, problems = form.parse_form(text, opened.record, opened.book, opened.groups)
    if record is None:
        return None, texts, problems
    changed = store.update_record(session, user, record, command=command)
    answered = sum(1 for item in opened.book.items if item.code in record.answers)
    return SaveResult(record.case_ref, changed, answered, len(opened.book.items)), texts, []


# What a case's details page corrects: everything `altar case add` asked for
# but the reference (the case's identity) and the screening's own fields.
DETAILS = CASE_ATTRIBUTES


def change_details(
    session: Session, user: User, case_ref: str, typed: Mapping[str, str], *, command: str
) -> int:
    """Correct a stored case's details (``DETAILS``; a name left out keeps its
    value), judged as `altar case add` judges them, keeping its screening.
    Returns how many values changed. ValidationError locates every problem; moving a
    case to an authority the user does not work in is AccessDenied."""
    store.lock_case(session, case_ref)
    record = store.load_record(session, user, case_ref)
    row = _texts(record) | {name: typed[name] for name in DETAILS if name in typed}
    checked, problems = validate_row(
        row,
        authorities=authority_lookup(session),
        books=all_codebooks(),
        default_version=record.instrument_version,
        blank_is_unknown=False,
    )
    if checked is None:
        raise ValidationError(
            f"case {case_ref!r} not changed: {len(problems)} problem(s)", located=problems
        )
    changed = replace(record, **{name: getattr(checked, name) for name in DETAILS})
    return store.update_record(session, user, changed, command=command)


def detail_texts(session: Session, user: User, case_ref: str) -> dict[str, str]:
    """A case's ``DETAILS`` as its details form shows them (NotFoundError
    outside ``user``'s scope)."""
    texts = _texts(store.load_record(session, user, case_ref))
    return {name: texts[name] for name in DETAILS}


def _texts(record: CaseRecord) -> dict[str, str]:
    return {k: "" if v is None else str(v) for k, v in case_fields(record).items()}
