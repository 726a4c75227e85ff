"""A child's derived scores (ACE score, abuse types) from their answers.

Pure functions: the store calls ``score_answers`` whenever a screening's
answers are written and keeps the result beside them (``screening_score``),
so the statistics count children per score without re-reading every answer.

>>> from altar.instrument import current_codebook
>>> book = current_codebook()
>>> answers = {code: "no" for code in book.item_codes() if book.item(code).type == "binary"}
>>> answers.update(ace_physical_abuse="yes", ace_emotional_abuse="suspected")
>>> ace = score_answers(book, answers)["ace_score"]
>>> (ace.on_yes, ace.on_yes_or_suspected, ace.incomplete)
(1, 2, False)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from altar.instrument.codebook import Codebook, Score

_DETERMINED = frozenset(("yes", "suspected", "no"))


@dataclass(frozen=True)
class ScoreValue:
    """One score for one child, counted on yes answers and on yes-or-suspected
    answers. ``incomplete``: some of the score's items are unknown or not yet
    answered, so both numbers are lower bounds."""

    on_yes: int
    on_yes_or_suspected: int
    incomplete: bool


def score_answers(book: Codebook, answers: Mapping[str, object]) -> dict[str, ScoreValue]:
    """Every score of ``book`` for one child's answers ({item code: answer};
    an item absent from the mapping is not answered)."""
    return {score.code: _score(score, answers) for score in book.scores}


def _score(score: Score, answers: Mapping[str, object]) -> ScoreValue:
    # A component counts once however many of its items are present
    # (neglect is one abuse type whether emotional, physical or both).
    on_yes = sum(any(answers.get(code) == "yes" for code in c.any_of) for c in score.components)
    on_either = sum(
        any(answers.get(code) in ("yes", "suspected") for code in c.any_of)
        for c in score.components
    )
    incomplete = any(answers.get(code) not in _DETERMINED for code in score.items)
    return ScoreValue(on_yes, on_either, incomplete)
