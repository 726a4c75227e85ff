"""A case with its screening, as one validated record: what the store
writes and reads, and what import, export and the forms produce and take.
``altar.capture.records`` turns text into one (``validate_row``) and back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from altar.instrument import Codebook

# An item's answer: yes/suspected/no/unknown for a binary item, a count or
# None (unknown) for a count item.
Answer = str | int | None


@dataclass
class CaseRecord:
    case_ref: str
    authority: str
    stratum: str
    cohort: str
    sex: str
    ethnicity: str
    age: int | None
    screened_on: date
    screened_by: str | None
    instrument_version: int
    # item code -> answer; an absent code means "not yet answered".
    answers: dict[str, Answer] = field(default_factory=dict)

    def is_complete(self, book: Codebook) -> bool:
        return all(code in self.answers for code in book.item_codes())
