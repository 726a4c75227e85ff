"""The screening form of the web front end (``altar serve``): what it shows,
how a posted form becomes answers, and saving it under an optimistic lock.

The form is the whole screening: every item of the case's own codebook
version, so what is posted is the screening's full new state (an item left
blank is *not yet answered*; ``unknown`` is an answer). Its fields:

- a binary item ``<code>``: one of yes / suspected / no / unknown (radios);
- a count item ``<code>``: the number as typed, and ``<code>-unknown`` =
  ``yes`` (a checkbox) for a deliberate "unknown", since an empty number
  box has to mean "not yet answered";
- ``revision``: the screening revision the form was opened at;
- ``opened-<code>``: each answer as stored when the form was opened, so a
  conflicting save can say exactly which items someone else changed (the
  change log is ordered by time, not by revision, and would also list a
  value changed and changed back);
- ``action``: ``draft`` or ``complete`` (the button pressed);
- ``screened_on`` and ``screened_by`` (with ``opened-`` twins): the
  screening's date and who screened the files, as `altar screening enter`
  edits them. A post without them leaves them as stored.

Values are judged by ``capture.values`` as everywhere else; the page is
rendered by ``templates/web/screening/form.html``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from enum import Enum
from typing import Final, TypedDict

from sqlalchemy.orm import Session

from altar.access import User, parse_user
from altar.capture import values
from altar.capture.records import Answer, CaseRecord
from altar.db import cases as store
from altar.errors import ConflictError, FieldProblem, ValidationError
from altar.instrument import Codebook, Item, all_codebooks
from altar.vocab import COLUMN_LABELS

UNKNOWN = "-unknown"
OPENED = "opened-"
ACTIONS = ("draft", "complete")
DETAILS = {name: COLUMN_LABELS[name] for name in ("screened_on", "screened_by")}
_IGNORED = ("csrf_token",)  # checked by the web layer before the view runs
_NOT_ANSWERED = "not answered"


class Details(TypedDict, total=False):
    """The screening's own fields as a form sent them, judged."""

    screened_on: date
    screened_by: str | None


@dataclass(frozen=True)
class PostedScreening:
    """A posted screening form, read. ``answers`` is the screening as
    submitted (an absent code: not yet answered), ``opened`` the answers
    stored when the form was opened, ``texts`` every item field as typed
    (to show the form again)."""

    answers: dict[str, Answer]
    opened: dict[str, Answer]
    details: Details  # as sent, judged (absent: not sent)
    opened_details: dict[str, str]  # and as opened, as text
    revision: int | None
    complete: bool
    texts: dict[str, str]
    problems: tuple[FieldProblem, ...]


def answers_from_form(fields: Mapping[str, Sequence[str]], book: Codebook) -> PostedScreening:
    """Read a posted form (field name -> every value sent) against ``book``.

    Pure. Every problem is returned, none raised: a value the item does not
    allow (a count of -1 or 'abc', a binary answer not in the list), a field
    sent twice, and any field this codebook version's form does not have (a
    crafted post, an item code of another version).
    """
    problems: list[FieldProblem] = []
    single: dict[str, str] = {}
    for name, sent in fields.items():
        if name in _IGNORED:
            continue
        if not _known_field(name, book):
            problems.append(
                FieldProblem(
                    None,
                    f"{_shown(name)} is not a field of this screening ({book.title}, "
                    f"version {book.version}): reload the page and try again",
                )
            )
        elif len(sent) > 1:
            problems.append(
                FieldProblem(
                    _id(name), f"{_label(name, book)}: sent {len(sent)} times; give one answer"
                )
            )
        else:
            single[name] = sent[0] if sent else ""
    texts = {
        name: text
        for name, text in single.items()
        if name in book.item_codes() or name.endswith(UNKNOWN) or name in DETAILS
    }
    answers = _answers(single, book, problems)
    details = _details(single, problems)
    opened = _opened(single, book, problems)
    revision = _revision(single.get("revision"), problems)
    action = single.get("action", "draft")
    if action not in ACTIONS:
        problems.append(
            FieldProblem(
                None,
                f"{_shown(action)} is not something this form can do (save as draft or mark complete)",
            )
        )
    opened_details = {name: single[OPENED + name] for name in DETAILS if OPENED + name in single}
    return PostedScreening(
        answers,
        opened,
        details,
        opened_details,
        revision,
        action == "complete",
        texts,
        tuple(problems),
    )


def _known_field(name: str, book: Codebook) -> bool:
    if name in ("revision", "action") or name in DETAILS:
        return True
    codes = book.item_codes()
    if name.startswith(OPENED):
        return name[len(OPENED) :] in codes or name[len(OPENED) :] in DETAILS
    if name.endswith(UNKNOWN):
        code = name[: -len(UNKNOWN)]
        return code in codes and book.item(code).type == "count"
    return name in codes


def _id(name: str) -> str:
    """The item code a field is about (its input's id), else the name."""
    if name.startswith(OPENED):
        return name[len(OPENED) :]
    return name[: -len(UNKNOWN)] if name.endswith(UNKNOWN) else name


def _label(name: str, book: Codebook) -> str:
    code = _id(name)
    return book.item(code).label if code in book.item_codes() else DETAILS.get(code, name)


def _shown(text: str) -> str:
    """Text from a post, safe to quote in a message."""
    text = text if text.isprintable() else repr(text)[1:-1]
    return f"“{text[:40]}…”" if len(text) > 40 else f"“{text}”"


def _answers(
    single: dict[str, str], book: Codebook, problems: list[FieldProblem]
) -> dict[str, Answer]:
    answers: dict[str, Answer] = {}
    for item in book.items:
        text = single.get(item.code, "").strip()
        unknown = single.get(item.code + UNKNOWN, "") if item.type == "count" else ""
        try:
            answer = _answer(item, text, unknown)
        except ValueError as exc:
            problems.append(FieldProblem(item.code, f"{item.label}: {exc}"))
            continue
        if answer is not _BLANK:
            answers[item.code] = answer
    return answers


class _Blank(Enum):
    # An enum member, not a bare object(), so that `is not _BLANK` narrows the type.
    BLANK = 0


_BLANK: Final = _Blank.BLANK  # not yet answered


def _details(single: dict[str, str], problems: list[FieldProblem]) -> Details:
    details = Details()
    if "screened_on" in single:
        try:
            details["screened_on"] = _screened_on(single["screened_on"])
        except ValueError as exc:
            problems.append(FieldProblem("screened_on", f"{DETAILS['screened_on']}: {exc}"))
    if "screened_by" in single:
        try:
            details["screened_by"] = parse_user(single["screened_by"])
        except ValueError as exc:
            problems.append(FieldProblem("screened_by", f"{DETAILS['screened_by']}: {exc}"))
    return details


def _screened_on(text: str) -> date:
    if not text.strip():
        raise ValueError("enter the date the case files were screened, as YYYY-MM-DD")
    return values.parse_date(text)


def _answer(item: Item, text: str, unknown: str) -> Answer | _Blank:
    if unknown not in ("", "yes"):
        raise ValueError(f"“Unknown” is either ticked or not, not {_shown(unknown)}")
    if item.type == "binary":
        if text and text not in values.CANONICAL_BINARY:
            raise ValueError(
                f"{_shown(text)} is not an answer: choose yes, suspected, no or unknown"
            )
        return text or _BLANK
    if text and unknown:
        raise ValueError("give the number or tick “Unknown”, not both")
    if unknown:
        return None
    return values.parse_number(text, item, otherwise=", or tick “Unknown”") if text else _BLANK


def _opened(
    single: dict[str, str], book: Codebook, problems: list[FieldProblem]
) -> dict[str, Answer]:
    """The answers as opened (the ``opened-<detail>`` fields stay text: they
    are only compared, never stored)."""
    opened: dict[str, Answer] = {}
    for item in book.items:
        text = single.get(OPENED + item.code)
        if text is None:
            continue
        try:
            if not text:  # parse_answer would read a blank as unknown
                raise ValueError("blank")
            opened[item.code] = values.parse_answer(text, item)
        except ValueError:
            problems.append(
                FieldProblem(
                    None,
                    f"the form's record of {item.label!r} as opened is damaged: reload the page",
                )
            )
    return opened


def _revision(text: str | None, problems: list[FieldProblem]) -> int | None:
    if text is not None and text.isascii() and text.isdigit():
        return int(text)
    problems.append(
        FieldProblem(
            None,
            "the form does not say which revision of the screening it was opened at: "
            "reload the page and try again",
        )
    )
    return None


def missing_answers(book: Codebook, answers: Mapping[str, Answer]) -> list[FieldProblem]:
    """One problem per item without an answer, in form order ("Mark complete")."""
    return [
        FieldProblem(item.code, _missing(item)) for item in book.items if item.code not in answers
    ]


def _missing(item: Item) -> str:
    if item.type == "count":
        return f"{item.label}: give the number, or tick “Unknown”"
    return f"{item.label}: choose yes, suspected, no or unknown"


def answer_texts(book: Codebook, answers: Mapping[str, Answer]) -> dict[str, str]:
    """What each item field shows for stored answers (the inverse of
    ``answers_from_form``)."""
    texts: dict[str, str] = {}
    for code, answer in answers.items():
        if book.item(code).type == "count" and answer is None:
            texts[code + UNKNOWN] = "yes"
        else:
            texts[code] = str(answer)
    return texts


def opened_fields(book: Codebook, answers: Mapping[str, Answer]) -> dict[str, str]:
    """The hidden fields that carry the answers as opened."""
    return {
        OPENED + code: values.format_answer(answer, book.item(code))
        for code, answer in answers.items()
    }


def detail_texts(record: CaseRecord) -> dict[str, str]:
    """What the screening date and screened-by fields show for a stored record."""
    return {"screened_on": record.screened_on.isoformat(), "screened_by": record.screened_by or ""}


# --- the page and saving it ---------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """A field someone else changed while the form was open: an item, or
    the screening date or screener (``field`` is its input's id)."""

    field: str
    label: str
    opened: str
    now: str


@dataclass(frozen=True)
class ScreeningPage:
    """Everything the form page shows. ``record`` holds the case and its
    stored answers; ``texts`` what each field shows (stored or as typed);
    ``revision`` and ``opened`` what the form carries in hidden fields."""

    record: CaseRecord
    book: Codebook
    status: str
    revision: int | None
    texts: dict[str, str]
    opened: dict[str, str]
    problems: tuple[FieldProblem, ...] = ()
    changes: tuple[Change, ...] = field(default=())

    @property
    def answered(self) -> int:
        return len(self.record.answers)

    @property
    def unknown(self) -> int:
        return sum(1 for answer in self.record.answers.values() if answer in (None, "unknown"))


class ScreeningInvalid(ValidationError):
    """Nothing saved: values wrong, or items missing for "Mark complete"."""

    def __init__(self, page: ScreeningPage):
        super().__init__(
            f"screening of {page.record.case_ref} not saved: {len(page.problems)} problem(s)",
            [p.message for p in page.problems],
        )
        self.page = page


class ScreeningConflict(ConflictError):
    """Nothing saved: someone else saved the screening since the form was opened."""

    def __init__(self, page: ScreeningPage):
        super().__init__(f"screening of {page.record.case_ref} was saved by someone else meanwhile")
        self.page = page


def open_screening(session: Session, user: User, case_ref: str) -> ScreeningPage:
    """The form for a case ``user`` may see, with its stored answers,
    under the case's own codebook version (NotFoundError otherwise)."""
    record = store.load_record(session, user, case_ref)
    book = all_codebooks()[record.instrument_version]
    state = store.screening_state(session, user, case_ref)
    details = detail_texts(record)
    return ScreeningPage(
        record,
        book,
        store.progress(state.status, len(record.answers)),
        state.revision,
        answer_texts(book, record.answers) | details,
        opened_fields(book, record.answers) | _opened_details(details),
    )


def _opened_details(details: Mapping[str, str]) -> dict[str, str]:
    return {OPENED + name: text for name, text in details.items()}


@dataclass(frozen=True)
class Saved:
    changed: int
    status: str


def save_screening(
    session: Session,
    user: User,
    case_ref: str,
    fields: Mapping[str, Sequence[str]],
    *,
    command: str,
) -> Saved:
    """Store a posted form as the screening's answers, audited as ``user``.

    Raises ScreeningInvalid (bad values, or "Mark complete" with items
    unanswered) or ScreeningConflict (the screening's revision moved on
    since the form was opened); either carries the page to show again with
    the user's own answers, and nothing is written.
    """
    store.lock_case(session, case_ref)  # first, so everything below reads the state it will change
    page = open_screening(session, user, case_ref)
    posted = answers_from_form(fields, page.book)
    texts = posted.texts | {name: page.texts[name] for name in DETAILS if name not in posted.texts}
    typed = replace(
        page,
        texts=texts,
        revision=posted.revision,
        opened=opened_fields(page.book, posted.opened) | _opened_details(posted.opened_details),
    )
    if posted.problems:
        raise ScreeningInvalid(replace(typed, problems=posted.problems))
    if posted.revision != page.revision:
        changes = _changes(page.book, posted.opened, page.record.answers)
        changes += _detail_changes(posted.opened_details, detail_texts(page.record))
        raise ScreeningConflict(replace(page, texts=texts, changes=changes))
    if posted.complete and (missing := missing_answers(page.book, posted.answers)):
        raise ScreeningInvalid(replace(typed, problems=tuple(missing)))
    record = replace(page.record, answers=posted.answers, **posted.details)
    changed = store.update_record(session, user, record, command=command)
    return Saved(changed, store.screening_state(session, user, case_ref).status)


def _changes(
    book: Codebook, opened: Mapping[str, Answer], now: Mapping[str, Answer]
) -> tuple[Change, ...]:
    return tuple(
        Change(item.code, item.label, _text(opened, item), _text(now, item))
        for item in book.items
        if (item.code in opened, opened.get(item.code)) != (item.code in now, now.get(item.code))
    )


def _detail_changes(opened: Mapping[str, str], now: Mapping[str, str]) -> tuple[Change, ...]:
    return tuple(
        Change(name, label, opened[name] or "not recorded", now[name] or "not recorded")
        for name, label in DETAILS.items()
        if name in opened and opened[name] != now[name]
    )


def _text(answers: Mapping[str, Answer], item: Item) -> str:
    return values.format_answer(answers[item.code], item) if item.code in answers else _NOT_ANSWERED
