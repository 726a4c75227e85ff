"""The rules that turn a row of text (from a CSV file or a form) into a
validated ``CaseRecord`` (``altar.records``), and a record back into text.

``validate_row`` serves ``altar import``, ``altar case add`` and the web's
new-case and details forms; each cell goes through the parsers of
``capture.values``, which the editor form (``capture.form``) and the web's
screening form (``capture.web_form``) use answer by answer, so a value is
judged the same way wherever it is entered.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from altar.access import parse_user
from altar.capture import values
from altar.db.authorities import parse_authority
from altar.errors import FieldProblem
from altar.instrument import Codebook
from altar.records import Answer, CaseRecord

# Optional columns: who screened, and which codebook version the answers follow.
EXTRA_COLUMNS = ("screened_by", "instrument_version")
# The cell text for an item not yet answered. A blank cell means unknown (the
# import contract), so export needs a word for "not answered" to round-trip
# an in-progress screening.
UNANSWERED = "unanswered"


@dataclass(frozen=True)
class Problem(FieldProblem):
    """A FieldProblem in a file (or a form) of rows: ``field`` is the
    column, ``row`` its row (None in a form), ``value`` the text found there,
    so the person who must fix it can find it.

    >>> print(Problem("age", "too old", row=3, value="40"))
    row 3, column age: '40': too old
    """

    field: str
    row: int | None = None
    value: str = ""

    @property
    def column(self) -> str:
        return self.field

    def __str__(self) -> str:
        where = f"row {self.row}, " if self.row is not None else ""
        shown = self.value if len(self.value) <= 60 else self.value[:57] + "..."
        # A header cell can hold anything (NUL, a line break): never print it raw.
        column = self.field if self.field.isprintable() and self.field.strip() else repr(self.field)
        column = column if len(column) <= 60 else column[:57] + "..."
        return f"{where}column {column}: {shown!r}: {self.message}"


_CASE_PARSERS: dict[str, Callable[[str], object]] = {
    "case_ref": values.parse_case_ref,
    "stratum": values.parse_stratum,
    "cohort": values.parse_cohort,
    "sex": values.parse_sex,
    "ethnicity": values.parse_ethnicity,
    "age": values.parse_age,
    "screened_on": values.parse_date,
    "screened_by": parse_user,
}


def validate_row(
    row: Mapping[str, str],
    *,
    authorities: dict[str, str],
    books: Mapping[int, Codebook],
    default_version: int,
    default_user: str | None = None,
    row_number: int | None = None,
    blank_is_unknown: bool = True,
) -> tuple[CaseRecord | None, list[Problem]]:
    """Check every cell of one row; return the record, or every problem found.

    With ``blank_is_unknown`` (the CSV contract) an empty item cell means
    unknown; without it (the editor form) it means not yet answered.
    """
    problems: list[Problem] = []
    parsed: dict[str, object] = {}

    def attempt(column: str, parser: Callable[[str], object]) -> None:
        text = row.get(column, "") or ""
        try:
            parsed[column] = parser(text)
        except ValueError as exc:
            problems.append(Problem(column, str(exc), row=row_number, value=text))

    for column, parser in _CASE_PARSERS.items():
        attempt(column, parser)
    attempt("authority", lambda t: parse_authority(t, authorities))
    attempt("instrument_version", lambda t: _version(t, books, default_version))
    version = parsed.get("instrument_version")
    book = books.get(version) if isinstance(version, int) else None
    answers: dict[str, Answer] = {}
    if book is not None:
        for item in book.items:
            text = row.get(item.code, "") or ""
            # Fast path for a binary cell already spelled canonically (most
            # cells of a large import); anything else takes the full parse.
            if item.type == "binary" and text in values.CANONICAL_BINARY:
                answers[item.code] = text
                continue
            if text.strip().lower() == UNANSWERED or (not text.strip() and not blank_is_unknown):
                continue
            try:
                answers[item.code] = values.parse_answer(text, item)
            except ValueError as exc:
                problems.append(Problem(item.code, str(exc), row=row_number, value=text))
    if problems:
        return None, problems
    # Each value in parsed is its parser's result, of the field's own type
    # (_CASE_PARSERS, parse_authority, _version); a dict of mixed values is
    # more than mypy can follow, and the import's hot path stays a loop.
    record = CaseRecord(
        answers=answers,
        screened_by=parsed["screened_by"] or default_user,  # type: ignore[arg-type]
        **{k: parsed[k] for k in parsed if k != "screened_by"},  # type: ignore[arg-type]
    )
    return record, []


def _version(text: str, books: Mapping[int, Codebook], default: int) -> int:
    if not text.strip():
        return default
    if not text.strip().isdigit() or int(text) not in books:
        raise ValueError(
            f"instrument version must be one of {', '.join(str(v) for v in sorted(books))}"
        )
    return int(text)


def case_fields(record: CaseRecord) -> dict[str, str | int | None]:
    """The case and screening columns of a record, as typed values."""
    return {
        "case_ref": record.case_ref,
        "authority": record.authority,
        "stratum": record.stratum,
        "cohort": record.cohort,
        "sex": record.sex,
        "ethnicity": record.ethnicity,
        "age": record.age,
        "screened_on": record.screened_on.isoformat(),
        "screened_by": record.screened_by,
        "instrument_version": record.instrument_version,
    }


def record_to_row(record: CaseRecord, book: Codebook) -> dict[str, str]:
    """The CSV contract's text for a record: the inverse of validate_row.

    An item not yet answered is written as ``unanswered``.
    """
    row = {k: "" if v is None else str(v) for k, v in case_fields(record).items()}
    row["age"] = "unknown" if record.age is None else str(record.age)
    for item in book.items:
        answered = item.code in record.answers
        row[item.code] = (
            values.format_answer(record.answers[item.code], item) if answered else UNANSWERED
        )
    return row
