"""The ``altar stats`` document as types: what ``analysis.stats_document``
builds and the reports, the terminal tables and the long-form CSV read.
Pure data, like the rest of ``altar.stats``: it imports nothing else of
altar, so every layer that reads figures may import it.

Frozen dataclasses, each with ``to_dict()``: :meth:`StatsDocument.to_dict`
is the published JSON contract of ``altar stats --json`` (key for key, in
the same order), so a reader in Python reads attributes that mypy checks
(``doc.groups[g].scores["ace_score_incl_suspected"].bands["4+"]``) while
outside readers keep their JSON. The leaves are the result dataclasses of
``altar.stats`` (a binary item *is* a :class:`~altar.stats.BinaryTally`
with two more facts), so nothing is copied or recomputed here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from altar.stats.baseline import BaselineComparison
from altar.stats.comparisons import GroupComparison, TrendTest
from altar.stats.describe import Description
from altar.stats.distributions import CountSummary, ScoreSummary
from altar.stats.proportions import BinaryTally


@dataclass(frozen=True, slots=True)
class InstrumentVersion:
    """The codebook the figures were counted with."""

    name: str
    version: int

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "version": self.version}


@dataclass(frozen=True)
class ItemFigures(BinaryTally):
    """One binary item in one group: its tally, the children with no answer
    stored for it (counted as ``unknown`` too), and whether it is protective."""

    not_answered: int
    protective: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            **BinaryTally.to_dict(self),
            "not_answered": self.not_answered,
            "protective": self.protective,
        }


@dataclass(frozen=True)
class CountFigures(CountSummary):
    """One count item in one group, with the children who have no answer
    stored for it (counted as ``unknown`` too)."""

    not_answered: int

    @classmethod
    def of(cls, summary: CountSummary, not_answered: int) -> CountFigures:
        return cls(
            **{f.name: getattr(summary, f.name) for f in fields(summary)},
            not_answered=not_answered,
        )

    def to_dict(self) -> dict[str, Any]:
        return {**CountSummary.to_dict(self), "not_answered": self.not_answered}


@dataclass(frozen=True, slots=True)
class Headlines:
    """The headline counts a report states in words; None where the
    codebook has no such score."""

    abuse_types_4plus: int | None
    abuse_types_none: int | None
    abuse_types_4plus_incl_suspected: int | None
    abuse_types_none_incl_suspected: int | None
    ace_4plus: int | None
    ace_none: int | None
    ace_4plus_incl_suspected: int | None
    ace_none_incl_suspected: int | None
    any_abuse_incl_suspected: int | None

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True, slots=True)
class GroupFigures:
    """Everything about one group of children (or all of them): ``items``
    (binary) and ``counts`` by item code, ``scores`` by score code (each
    score twice: ``ace_score`` counts yes answers, ``ace_score_incl_suspected``
    yes or suspected), and the headline counts."""

    n: int
    items: Mapping[str, ItemFigures]
    counts: Mapping[str, CountFigures]
    scores: Mapping[str, ScoreSummary]
    summary: Headlines

    def to_dict(self) -> dict[str, Any]:
        # The JSON puts each score at the group's top level, as it always has.
        return {
            "n": self.n,
            "items": {code: t.to_dict() for code, t in self.items.items()},
            "counts": {code: c.to_dict() for code, c in self.counts.items()},
            **{code: s.to_dict() for code, s in self.scores.items()},
            "summary": self.summary.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class ItemComparison:
    """One binary item compared across the groups, with its p-value adjusted
    (Holm) over all the items."""

    item: str
    label: str
    measure: str
    result: GroupComparison
    p_holm: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "item": self.item,
            "label": self.label,
            "measure": self.measure,
            **self.result.to_dict(),
            "p_holm": self.p_holm,
        }


@dataclass(frozen=True, slots=True)
class ScoreTrend:
    """A score's bands across ordered ``groups``: the test (``result``), or,
    when the breakdown's groups have no order, ``result`` None and why."""

    score: str
    groups: tuple[str, ...] = ()
    bands: tuple[str, ...] = ()
    result: TrendTest | None = None
    unordered: str | None = None

    @property
    def test(self) -> str:
        return self.result.test if self.result else "not_testable"

    @property
    def p(self) -> float | None:
        return self.result.p if self.result else None

    @property
    def reason(self) -> str | None:
        return self.result.reason if self.result else self.unordered

    def to_dict(self) -> dict[str, Any]:
        if self.result is None:
            return {"score": self.score, "test": "not_testable", "reason": self.unordered}
        return {
            "score": self.score,
            "groups": list(self.groups),
            "bands": list(self.bands),
            **self.result.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class BaselineEntry:
    """The cohort (all children) set against one general-population figure
    (``baseline_prevalence``): the exact binomial tests on the yes answers
    (``known``) and on yes or suspected (``known_or_suspected``)."""

    baseline: str  # the baseline file's key
    item: str
    confirmed: bool
    note: str | None


@dataclass(frozen=True, slots=True)
class ItemBaseline(BaselineEntry):
    """A codebook item against the study's item it maps to; when the study
    has no figure for it, no tests and the ``reason``."""

    baseline_prevalence: float | None
    known: BaselineComparison | None
    known_or_suspected: BaselineComparison | None
    source_item: str | None
    mapping_note: str | None
    reason: str | None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "baseline": self.baseline,
            "item": self.item,
            "source_item": self.source_item,
            "baseline_prevalence": self.baseline_prevalence,
            "confirmed": self.confirmed,
            "mapping_note": self.mapping_note,
            "note": self.note,
        }
        if self.known is None or self.known_or_suspected is None:
            out["reason"] = self.reason
        else:
            out["known"] = self.known.to_dict()
            out["known_or_suspected"] = self.known_or_suspected.to_dict()
        return out


@dataclass(frozen=True, slots=True)
class ScoreBaseline(BaselineEntry):
    """A score band (``item`` "ace_score 4+", or "... 1+" for at least one)
    against the study's share of adults in it."""

    baseline_prevalence: float
    known: BaselineComparison
    known_or_suspected: BaselineComparison
    items_measured: int | None  # how many ACEs the study counted
    cohort_items: int  # how many the cohort's score counts

    def to_dict(self) -> dict[str, Any]:
        return {
            "baseline": self.baseline,
            "item": self.item,
            "baseline_prevalence": self.baseline_prevalence,
            "confirmed": self.confirmed,
            "items_measured": self.items_measured,
            "cohort_items": self.cohort_items,
            "note": self.note,
            "known": self.known.to_dict(),
            "known_or_suspected": self.known_or_suspected.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class MeasureLabel:
    label: str
    unit: str

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "unit": self.unit}


@dataclass(frozen=True, slots=True)
class MeasureSummary:
    """A group's chronology figures (``stories.measures.measure_summary``):
    of its ``n`` children, how many have a chronology, and each measure (by
    code) described over the children it can be computed for."""

    n: int
    n_with_chronology: int
    measures: Mapping[str, Description]

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "n_with_chronology": self.n_with_chronology,
            "measures": {code: d.to_dict() for code, d in self.measures.items()},
        }


@dataclass(frozen=True, slots=True)
class ChronologyFigures:
    """The measures derived from the children's chronologies, by group (and all)."""

    measures: Mapping[str, MeasureLabel]
    groups: Mapping[str, MeasureSummary]
    notes: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "measures": {code: m.to_dict() for code, m in self.measures.items()},
            "groups": {g: s.to_dict() for g, s in self.groups.items()},
            "notes": list(self.notes),
        }


@dataclass(frozen=True, slots=True)
class StatsDocument:
    """One breakdown's figures: ``groups`` in display order, then all the
    children (``"all"``); ``filters`` the selection's (name -> value, only
    those given); the comparisons between the groups, the trends across
    them, all children against the baselines, and (when asked for) the
    chronology measures. ``included``: which screenings count ("complete",
    or "complete_and_in_progress" when the lead chose so); ``left_out``: the
    live cases in the filters that are not counted, by how far their
    screening has got ("in_progress", "not_started")."""

    instrument: InstrumentVersion
    n_cases: int
    by: str
    filters: Mapping[str, str]
    groups: Mapping[str, GroupFigures]
    comparisons: tuple[ItemComparison, ...]
    trends: tuple[ScoreTrend, ...]
    baseline: tuple[ItemBaseline | ScoreBaseline, ...]
    notes: tuple[str, ...]
    chronology: ChronologyFigures | None = None
    included: str = "complete"
    left_out: Mapping[str, int] = field(default_factory=dict)

    @property
    def n_left_out(self) -> int:
        return sum(self.left_out.values())

    @property
    def who_counts(self) -> str:
        """Which children the figures count and how many cases were left
        out, as a sentence (``altar stats`` and the reports' method).

        >>> from dataclasses import replace
        >>> doc = StatsDocument(InstrumentVersion("altar", 1), 31, "stratum", {}, {}, (), (), (), ())
        >>> replace(doc, left_out={"in_progress": 1, "not_started": 1}).who_counts
        'Only children whose screening is complete are counted: 2 cases whose screening is not complete are not counted (1 in progress, 1 not started).'
        >>> replace(doc, included="complete_and_in_progress", left_out={"not_started": 1}).who_counts
        'Screenings still in progress are counted with the complete ones, so some answers are not final: 1 case whose screening has not started is not counted.'
        """
        n = self.n_left_out
        cases = f"{n} case whose screening" if n == 1 else f"{n} cases whose screening"
        verb = "is" if n == 1 else "are"
        if self.included == "complete":
            if not n:
                return (
                    "Only children whose screening is complete are counted; no case was left out."
                )
            parts = [
                f"{count} {state.replace('_', ' ')}"
                for state, count in self.left_out.items()
                if count
            ]
            return (
                f"Only children whose screening is complete are counted: {cases} is not "
                f"complete {verb} not counted ({', '.join(parts)})."
            )
        lead = "Screenings still in progress are counted with the complete ones, so some answers are not final"
        if not n:
            return f"{lead}; no case was left out."
        return f"{lead}: {cases} has not started {verb} not counted."

    def to_dict(self) -> dict[str, Any]:
        """The ``altar stats --json`` document."""
        out = {
            "instrument": self.instrument.to_dict(),
            "n_cases": self.n_cases,
            "by": self.by,
            "filters": dict(self.filters),
            "groups": {g: figures.to_dict() for g, figures in self.groups.items()},
            "comparisons": [c.to_dict() for c in self.comparisons],
            "trends": [t.to_dict() for t in self.trends],
            "baseline": [b.to_dict() for b in self.baseline],
            "notes": list(self.notes),
            "included": self.included,
            "left_out": dict(self.left_out),
        }
        if self.chronology is not None:
            out["chronology"] = self.chronology.to_dict()
        return out
