"""Section 6 of the regional report, "Specific groups of children"
(``regional/groups.html``): the groups the research found most abused or
over-represented (girls, children from ethnic minorities, children who
migrated), each set beside the other children: how many ACEs and how many
types of abuse, in bands, each protected as one table so that every group's
size is its column total."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from altar.db.tallies import ScoreDistribution
from altar.disclosure import Rule, protect
from altar.instrument import Codebook, Item
from altar.report import charts
from altar.report import findings as words
from altar.report.charts import ChartView
from altar.report.data import RegionData, groups_of
from altar.report.findings import GroupShare
from altar.report.sections.aces import band_cross
from altar.report.sections.cohort import TableBlock
from altar.report.tables import (
    ALL,
    Number,
    PrevalenceTable,
    ProtectedCross,
    ProtectedPrevalence,
    RowSpec,
    Tally,
    count_number,
    prevalence_table,
)
from altar.stats import summarise_score
from altar.stats.document import GroupFigures
from altar.vocab import ETHNICITY_LABELS

# Girls are set beside all the other children (boys, and any whose sex is
# recorded otherwise or not at all: a category of one or two children would
# otherwise cost the girls' figures their place in every row).
GIRLS_GROUPS = [("female", "Girls"), ("rest", "All other children")]


@dataclass(frozen=True)
class GroupStudy:
    """A specific group of children set beside the others: how many ACEs and
    how many types of abuse (score bands by group, protected as one table
    each, so every group's size is its column total), for girls each type of
    abuse too, a chart of the ACE bands, and a sentence."""

    id: str
    title: str
    size: Number
    bands: tuple[TableBlock, ...]
    items: PrevalenceTable | None
    chart: ChartView | None
    finding: str


def specific_groups(data: RegionData, rule: Rule) -> tuple[GroupStudy, ...]:
    return (_girls(data, rule), _ethnic_minorities(data, rule), _migrated(data, rule))


def _girls(data: RegionData, rule: Rule) -> GroupStudy:
    """Girls and all other children: score bands, and each type of abuse."""
    assert data.by_sex is not None
    book = data.book
    abuse_items = [
        book.item(code) for c in book.score("abuse_types").components for code in c.any_of
    ]
    everyone = _bands(data.by_sex.groups[ALL])
    female = data.by_sex.groups.get("female")
    girls = _no_children(book) if female is None else _bands(female)
    per_group = {"female": girls, "rest": _less(book, everyone, girls)}
    ace, abuse = _band_tables(per_group, GIRLS_GROUPS, book, rule)
    items = girls_table(data, rule, abuse_items)
    f = words.group_finding(
        GroupShare("female", "girls", abuse.cell("4+", "female")),
        GroupShare("rest", "other children", abuse.cell("4+", "rest")),
        "were known or suspected to have experienced four or more types of abuse",
    )
    return GroupStudy(
        "girls",
        "Girls",
        count_number(ace.column_total("female")),
        _band_blocks(ace, abuse, "girls", "Girls"),
        items.view,
        _band_chart(
            "ACE score: girls and all other children, known or suspected", ace, book, GIRLS_GROUPS
        ),
        f.text if f else "",
    )


def _ethnic_minorities(data: RegionData, rule: Rule) -> GroupStudy:
    """Children from ethnic minorities, group by group."""
    assert data.by_ethnicity is not None
    book, eth = data.book, data.by_ethnicity
    groups = [(g, ETHNICITY_LABELS.get(g, g)) for g in groups_of(eth)]
    ace, abuse = _band_tables({g: _bands(eth.groups[g]) for g, _ in groups}, groups, book, rule)
    minority = sum(eth.groups[g].n for g, _ in groups if g not in ("white", "unknown"))
    return GroupStudy(
        "ethnicity",
        "Children from ethnic minorities",
        count_number(protect(minority, None, rule)),
        _band_blocks(ace, abuse, "ethnicity", "Ethnicity"),
        None,
        _band_chart("ACE score by ethnicity, known or suspected", ace, book, groups),
        "",
    )


def _migrated(data: RegionData, rule: Rule) -> GroupStudy:
    """Children who migrated (defined by the screening's migration items) and the others."""
    assert data.migrated is not None
    book = data.book
    sizes, scores = data.migrated
    groups = [("with", "Migrated"), ("without", "Did not migrate, or not known")]
    per_group: dict[str, ScoreBands] = {}
    for g, _ in groups:
        per: ScoreBands = {}
        for key in ("ace_score_incl_suspected", "abuse_types_incl_suspected"):
            score = book.score(key.removesuffix("_incl_suspected"))
            dist = scores.get(key, {}).get(g, ScoreDistribution())
            per[key] = (
                summarise_score(dist.freq, score.bands, dist.n_with_unknown).bands
                if dist.freq
                else dict.fromkeys(score.bands, 0)
            )
        per_group[g] = per
    ace, abuse = _band_tables(per_group, groups, book, rule)
    return GroupStudy(
        "migrated",
        "Children who migrated",
        count_number(ace.column_total("with")),
        _band_blocks(ace, abuse, "migrated", "Migration"),
        None,
        _band_chart(
            "ACE score: children who migrated and the others, known or suspected", ace, book, groups
        ),
        "",
    )


# A group's children by band of each score: score code -> band -> children.
ScoreBands = dict[str, Mapping[str, int]]


def _bands(figures_: GroupFigures) -> ScoreBands:
    return {code: score.bands for code, score in figures_.scores.items()}


def _no_children(book: Codebook) -> ScoreBands:
    return {f"{s.code}_incl_suspected": dict.fromkeys(s.bands, 0) for s in book.scores}


def _less(book: Codebook, everyone: ScoreBands, group: ScoreBands) -> ScoreBands:
    """All children less one group: the band counts of the others."""
    out: ScoreBands = {}
    for s in book.scores:
        key = f"{s.code}_incl_suspected"
        out[key] = {b: everyone[key][b] - group[key][b] for b in s.bands}
    return out


def _band_tables(
    per_group: Mapping[str, ScoreBands],
    groups: Sequence[tuple[str, str]],
    book: Codebook,
    rule: Rule,
) -> tuple[ProtectedCross, ProtectedCross]:
    """ACE score and types of abuse (known or suspected), bands by group, each one protected table."""
    ace, abuse = book.score("ace_score"), book.score("abuse_types")

    def bands(key: str) -> dict[str, Mapping[str, int]]:
        return {g: per_group[g][key] for g, _ in groups}

    return (
        band_cross(bands("ace_score_incl_suspected"), ace.bands, groups, rule, "ACEs"),
        band_cross(bands("abuse_types_incl_suspected"), abuse.bands, groups, rule, "types"),
    )


def _band_blocks(
    ace: ProtectedCross, abuse: ProtectedCross, key: str, title: str
) -> tuple[TableBlock, ...]:
    return (
        TableBlock(f"table-{key}-aces", f"{title}: ACE score, known or suspected", ace.view),
        TableBlock(
            f"table-{key}-abuse", f"{title}: types of abuse, known or suspected", abuse.view
        ),
    )


def _band_chart(
    title: str, ace: ProtectedCross, book: Codebook, groups: Sequence[tuple[str, str]]
) -> ChartView | None:
    score = book.score("ace_score")
    return charts.bands(
        title,
        ace,
        score.bands,
        groups,
        xlabel=f"ACE score (how many of the {len(score.components)} ACEs)",
    )


def _girls_specs(data: RegionData, items: Sequence[Item]) -> list[RowSpec]:
    """Girls (from the document by sex) and all other children (all children
    less the girls, counted from the same document), per item."""
    assert data.by_sex is not None
    doc = data.by_sex
    girls = doc.groups.get("female")
    everyone = doc.groups[ALL]
    specs = []
    for item in items:
        t_all = everyone.items[item.code]
        t_g = None if girls is None else girls.items.get(item.code)
        # No girls in the cohort: none with the item, none answered, no interval.
        g = 0 if t_g is None else t_g.yes + t_g.suspected
        answered = 0 if t_g is None else t_g.answered
        a = t_all.yes + t_all.suspected
        specs.append(
            RowSpec(
                item.code,
                item.label,
                item.protective,
                {
                    "female": Tally(
                        g, answered, None if t_g is None else t_g.ci95_known_or_suspected
                    ),
                    "rest": Tally(a - g, t_all.answered - answered),
                    ALL: Tally(a, t_all.answered, t_all.ci95_known_or_suspected),
                },
            )
        )
    return specs


def girls_table(data: RegionData, rule: Rule, items: Sequence[Item]) -> ProtectedPrevalence:
    """Items for girls and for all other children, protected row by row."""
    assert data.by_sex is not None
    female = data.by_sex.groups.get("female")
    girls = 0 if female is None else female.n
    sizes = {"female": girls, "rest": data.by_sex.groups[ALL].n - girls}
    return prevalence_table(_girls_specs(data, items), GIRLS_GROUPS, sizes, rule)
