"""Section 7 of the regional report, "Differences between strata and between
sexes" (``regional/differences.html``), and the summary's differences from
the region (``authority/differences.html``): the ``altar stats`` document's
tests in plain words. A difference is called clear only when its
Holm-adjusted p is below 0.05, and never a cause; an authority differs from
the region when the region's figure lies outside the authority's own 95%
interval."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from altar.disclosure import Rule, protect
from altar.instrument import Item
from altar.report import findings as words
from altar.report.data import AuthorityData, RegionData
from altar.report.display import p_value
from altar.report.findings import GroupShare, KeyFinding
from altar.report.protected import LocalFigures, RegionFigures
from altar.report.sections.groups import GIRLS_GROUPS, girls_table
from altar.report.tables import ALL, Column, Number, ProtectedPrevalence, pct_number
from altar.stats.document import ItemComparison, StatsDocument


@dataclass(frozen=True)
class DifferenceRow:
    label: str
    cells: tuple[Number, ...]
    test: str
    p: str
    p_adjusted: str
    clear: bool
    words: str


@dataclass(frozen=True)
class Differences:
    """Tests of difference between groups, item by item, in words."""

    by: str
    columns: tuple[Column, ...]
    rows: tuple[DifferenceRow, ...]
    clear: tuple[str, ...]  # sentences for the clear differences
    trends: tuple[KeyFinding, ...]
    tested: int


def regional_differences(
    data: RegionData, region: RegionFigures, rule: Rule
) -> tuple[Differences, ...]:
    """Between strata (every adversity, then the protective factors) and between sexes (every binary item)."""
    binary = [i for i in data.book.items if i.type == "binary"]
    ordered = [i for i in binary if not i.protective] + [i for i in binary if i.protective]
    return (
        differences(data.by_stratum, region.items, region.strata, "stratum", ordered, rule),
        sex_differences(data, rule, binary),
    )


def differences(
    doc: StatsDocument,
    table: ProtectedPrevalence,
    groups: Sequence[tuple[str, str]],
    by: str,
    items: Sequence[Item],
    rule: Rule,
) -> Differences:
    """Each item's test of difference across the groups (known or suspected
    against no), with the groups' percentages as the tables print them."""
    tests = {c.item: c for c in doc.comparisons}
    phrases = _group_words(by)
    rows, clear = [], []
    for item in items:
        c = tests.get(item.code)
        if c is None:
            continue
        shares = [
            GroupShare(g, phrases.get(g, label.lower()), table.figures[(item.code, g)])
            for g, label in groups
        ]
        text = words.difference_words(c, shares)
        is_clear = c.p_holm is not None and c.p_holm < words.SIGNIFICANT
        rows.append(
            DifferenceRow(
                item.label,
                tuple(pct_number(table.figures[(item.code, g)], rule) for g, _ in groups),
                _test_name(c),
                p_value(c.result.p),
                p_value(c.p_holm),
                is_clear,
                words.difference_words(c, shares, short=True),
            )
        )
        if is_clear:
            clear.append(f"{item.label}: {text[0].lower()}{text[1:]}")
    columns = tuple(c for c in table.view.columns if c.key != ALL)
    return Differences(
        by, columns, tuple(rows), tuple(clear), tuple(_trends(doc, phrases, rule)), len(rows)
    )


def _trends(doc: StatsDocument, phrases: Mapping[str, str], rule: Rule) -> list[KeyFinding]:
    """The trend tests across ordered groups, for four or more ACEs and four or more types of abuse."""
    trends = []
    for t in doc.trends:
        if (
            t.result is None
            or t.result.test != "linear_by_linear"
            or t.score not in ("ace_score_incl_suspected", "abuse_types_incl_suspected")
        ):
            continue
        what = "four or more ACEs" if t.score.startswith("ace") else "four or more types of abuse"
        shares = []
        for g in t.groups:
            dist = doc.groups[g].scores[t.score]
            shares.append(GroupShare(g, phrases.get(g, g), protect(dist.bands["4+"], dist.n, rule)))
        f = words.trend_finding(t.result, shares, what=what)
        if f:
            trends.append(f)
    return trends


def sex_differences(data: RegionData, rule: Rule, items: Sequence[Item]) -> Differences:
    """The tests across every recorded sex, shown with the girls' and all
    other children's figures (the tables of section 6)."""
    assert data.by_sex is not None
    table = girls_table(data, rule, items)
    return differences(data.by_sex, table, GIRLS_GROUPS, "sex", items, rule)


def _group_words(by: str) -> dict[str, str]:
    if by == "stratum":
        return dict(words.STRATUM_PHRASES)
    if by == "sex":
        return {
            "male": "among boys",
            "female": "among girls",
            "rest": "among the other children",
            "other": "among children of another sex",
            "unknown": "where sex was not recorded",
        }
    return {}


def _test_name(c: ItemComparison) -> str:
    return {"chi_square": "Chi-square", "fisher_exact": "Fisher's exact"}.get(
        c.result.test, c.result.test
    )


def region_differences(
    data: RegionData,
    region: RegionFigures,
    local: AuthorityData,
    mine: LocalFigures,
    region_name: str,
) -> tuple[list[str], int]:
    """Sentences for the items where the authority differs from the region,
    and how many items could be compared (both figures printed)."""
    sentences, compared = [], 0
    items = local.doc.groups[ALL].items
    for i in (i for i in data.book.items if i.type == "binary"):
        fig = (mine.protective if i.protective else mine.items).figures[(i.code, local.code)]
        ci = items[i.code].ci95 if i.protective else items[i.code].ci95_known_or_suspected
        regional = (region.protective if i.protective else region.items).figures[(i.code, ALL)]
        if fig.pct is None or regional.pct is None:
            continue
        compared += 1
        sentence = words.region_difference(
            i.label, fig, ci, regional.pct, local.name, f"the {region_name}"
        )
        if sentence:
            sentences.append(sentence)
    return sentences, compared
