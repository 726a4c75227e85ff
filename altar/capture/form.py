"""The screening form a practitioner fills in their editor (as ``git
commit`` does): every item with its label and help, pre-filled with what
is already stored, re-opened with errors marked until it is right.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from altar.access import parse_user
from altar.capture import values
from altar.capture.records import UNANSWERED, Answer, CaseRecord, Problem
from altar.errors import ValidationError
from altar.instrument import Codebook, Group

ERROR_MARK = "# !! "
_RULE = "# " + "=" * 74
_FIELDS = ("screened_on", "screened_by")
_T = TypeVar("_T")


def render_form(
    record: CaseRecord,
    book: Codebook,
    *,
    heading: str,
    groups: Sequence[Group] | None = None,
    problems: Sequence[Problem] = (),
    texts: dict[str, str] | None = None,
) -> str:
    """The form's text. ``texts`` (what was typed last time) wins over stored
    values so a re-opened form keeps the practitioner's typing."""
    errors = {p.field: p.message for p in problems}
    shown = dict(_stored_texts(record, book))
    shown.update(texts or {})
    lines = _preamble(book, heading, len(problems))
    for name in _FIELDS:
        lines += _field(name, shown.get(name, ""), errors.get(name))
    for group in groups or book.groups:
        lines += ["", _RULE, f"# {group.title}", *_wrap(group.description), _RULE]
        for item in group.items:
            lines += [""] + [
                f"# {item.label}" + ("  [protective factor]" if item.protective else "")
            ]
            lines += _wrap(item.help, indent="#   ")
            if item.type == "count":
                lines.append("#   A whole number, or unknown.")
            lines += _field(
                item.code, shown.get(item.code, ""), errors.get(item.code), blank_line=False
            )
    return "\n".join(lines) + "\n"


def _preamble(book: Codebook, heading: str, n_problems: int) -> list[str]:
    lines = [f"# {heading}", f"# Instrument: {book.title}, version {book.version}", "#"]
    if n_problems:
        lines += [
            f"{ERROR_MARK}{n_problems} answer(s) need attention: look for lines starting '{ERROR_MARK.strip()}'.",
            "#",
        ]
    lines += ["# Write each answer after its colon. Binary items take one of:"]
    lines += [f"#   {code:<10} {meaning}" for code, meaning in book.answers.items()]
    lines += [
        "#   (y, s, n and u are understood too.)",
        "# Leave an answer blank to come back to it later: the screening stays",
        "# 'in progress' until every item has an answer (unknown is an answer).",
        "# A blank never erases a stored answer; write 'unanswered' to withdraw one.",
        "# Lines starting with # are guidance and are ignored. Save and close the",
        "# editor to store the answers; quit without saving to change nothing.",
        "",
    ]
    return lines


def _field(name: str, text: str, error: str | None, blank_line: bool = False) -> list[str]:
    lines = [""] if blank_line else []
    if error:
        lines.append(f"{ERROR_MARK}{error}")
    lines.append(f"{name}: {text}".rstrip())
    return lines


def _wrap(text: str, indent: str = "# ") -> list[str]:
    return textwrap.wrap(text, width=78, initial_indent=indent, subsequent_indent=indent)


def _stored_texts(record: CaseRecord, book: Codebook) -> dict[str, str]:
    texts = {
        "screened_on": record.screened_on.isoformat() if record.screened_on else "",
        "screened_by": record.screened_by or "",
    }
    for code, value in record.answers.items():
        texts[code] = values.format_answer(value, book.item(code))
    return texts


_SHORT = {"u": "unknown"}


def parse_form(
    text: str, record: CaseRecord, book: Codebook, groups: Sequence[Group] | None = None
) -> tuple[CaseRecord | None, dict[str, str], list[Problem]]:
    """Read a filled form back. Returns (updated record or None, the texts
    typed, problems). Items not on the form keep their stored answers."""
    texts, problems = _read_lines(text, book)
    shown = [item for group in (groups or book.groups) for item in group.items]
    # A blank never erases a stored answer (it may be a colleague's, saved
    # while this form was open); 'unanswered' withdraws one on purpose.
    answers: dict[str, Answer] = dict(record.answers)
    for item in shown:
        typed = texts.get(item.code, "").strip()
        if not typed:
            continue
        if typed.lower() == UNANSWERED:
            answers.pop(item.code, None)
            continue
        try:
            answers[item.code] = values.parse_answer(_SHORT.get(typed.lower(), typed), item)
        except ValueError as exc:
            problems.append(Problem(item.code, str(exc), value=typed))
    screened_on = _typed("screened_on", values.parse_date, record.screened_on, texts, problems)
    screened_by = _typed("screened_by", parse_user, record.screened_by, texts, problems)
    if problems:
        return None, texts, problems
    from dataclasses import replace

    updated = replace(record, answers=answers, screened_on=screened_on, screened_by=screened_by)
    return updated, texts, []


def _typed(
    name: str,
    parser: Callable[[str], _T],
    stored: _T,
    texts: dict[str, str],
    problems: list[Problem],
) -> _T:
    """The value typed on a field's line, or the stored one if the line was
    deleted (or is wrong: then the problem is added)."""
    if name not in texts:
        return stored
    try:
        return parser(texts[name])
    except ValueError as exc:
        problems.append(Problem(name, str(exc), value=texts[name]))
        return stored


def _read_lines(text: str, book: Codebook) -> tuple[dict[str, str], list[Problem]]:
    allowed = set(_FIELDS) | set(book.item_codes())
    texts: dict[str, str] = {}
    problems: list[Problem] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        name, colon, typed = stripped.partition(":")
        name = name.strip()
        if not colon or name not in allowed:
            problems.append(
                Problem(
                    f"line {number}",
                    "not a form line (expected 'item_code: answer')",
                    value=stripped,
                )
            )
        elif name in texts:
            problems.append(
                Problem(name, f"answered twice (again on line {number})", value=typed.strip())
            )
        else:
            texts[name] = typed.strip()
    return texts, problems


def is_blank(text: str) -> bool:
    """A form emptied of every non-comment line means: cancel."""
    return all(not line.strip() or line.lstrip().startswith("#") for line in text.splitlines())


def read_typed_file(path: Path) -> str:
    """Text a person typed and saved as a file: a filled-in form (``altar
    screening enter --from``), a story or a pen-picture (``--from-file``).
    UTF-8, with or without the byte-order mark word processors write."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            f"{path.name} is not UTF-8 text (byte {exc.start + 1} cannot be read): save it as UTF-8; nothing was saved"
        ) from None
