"""What each report template is given: one frozen dataclass per document
(:class:`RegionalReport`, :class:`AuthoritySummary`), built from

- ``altar stats`` documents (``analysis.stats_document``): every percentage,
  interval, score band and test is the document's, never recomputed here;
- the cohort's make-up, counted in the database (``db.tallies.cross_tab``)
  and added up to the margins a table prints;
- a few facts about the store (screening dates, newest change, whether it is
  a SYNTHETIC demonstration database).

Reading (``read_region``, ``read_authority``) is kept apart from building
(``regional_report``, ``authority_summary``), so that the region is read
once for the regional report and every summary, and building is pure.

Every count of children goes through ``altar.disclosure`` (``report.tables``)
before it reaches a view; the views hold printable text, never true counts.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from sqlalchemy.orm import Session

from altar.analysis import stats_document
from altar.baselines import Baseline
from altar.db import tallies
from altar.db.authorities import authority_names
from altar.db.models import COHORTS, ETHNICITIES, SEXES, STRATA
from altar.db.tallies import Filters, ScoreDistribution, StoreState
from altar.disclosure import Figure, Rule, figure, suppress_table
from altar.errors import NotFoundError
from altar.instrument import Codebook, Item
from altar.render.charts import Prevalence
from altar.report import figures as charts
from altar.report import findings as words
from altar.report.display import (
    AGE_BANDS, AGE_UNKNOWN, ALL_LABEL, COHORT_LABELS, ETHNICITY_LABELS, SEX_LABELS, STRATUM_LABELS, age_band,
    interval, number, p_value, pct,
)  # fmt: skip
from altar.report.figures import ChartView
from altar.report.pen_pictures import (
    PenPictureView, PublishedPenPicture, authority_stories, read_published, regional_stories,
)  # fmt: skip
from altar.report.findings import Finding, GroupShare
from altar.report.tables import (
    ALL, BLANK, Column, CountCell, CrossTable, Number, PrevalenceCell, PrevalenceTable, ProtectedCross,
    ProtectedPrevalence, RowSpec, Tally, count_cell, count_number, cross_table, denominator_number, pct_number,
    prevalence_table,
)  # fmt: skip
from altar.stats import summarise_score

COHORT_ATTRIBUTES = ("authority", "stratum", "cohort", "sex", "ethnicity", "age")
MIGRATION_ITEMS = ("conflict_migration", "unaccompanied_asylum")
KNOWN_OR_SUSPECTED = ("yes", "suspected")
TOP_ITEMS = 4  # adversities named among the key findings
BASELINE_PREFERENCE = "the most recent confirmed general-population figure"


# --- options and what is read from the store -----------------------------------------------------------------------


@dataclass(frozen=True)
class ReportOptions:
    """How to render: the disclosure rule (``Rule.off()`` for an
    unsuppressed working copy), the region's name, and the generated-at
    stamp (UTC; the only thing that differs between two renderings of the
    same data)."""

    generated_at: datetime
    rule: Rule = field(default_factory=Rule)
    region: str = "West Midlands"


@dataclass(frozen=True)
class RegionData:
    """Everything a report reads about the region, read once."""

    book: Codebook
    baselines: tuple[Baseline, ...]
    by_stratum: dict
    by_sex: dict | None
    by_ethnicity: dict | None
    cohort: dict[tuple, int]  # COHORT_ATTRIBUTES -> children
    migrated: tuple[dict[str, int], dict[str, dict[str, ScoreDistribution]]] | None
    dates: dict[str, tuple[date, date]]  # "all" and each authority
    state: StoreState
    authorities: dict[str, str]  # code -> name, authorities with screened children
    pen_pictures: tuple[PublishedPenPicture, ...] = ()  # approved pen-pictures (report.pen_pictures), in approval order

    @property
    def synthetic(self) -> bool:
        return self.state.meta.get("synthetic") == "true"


def read_region(session: Session, book: Codebook, baselines: Sequence[Baseline] = (), *,
                full: bool = True) -> RegionData:  # fmt: skip
    """Three ``altar stats`` documents (by stratum; with ``full``, also by sex
    and by ethnicity, which only the regional report needs), one GROUP BY for
    the cohort's make-up, one pass for the children who migrated, and the
    store's dates and state. A store with no screened children has nothing
    to report (``NotFoundError``)."""
    by_stratum = stats_document(session, book, by="stratum", baselines=baselines)
    if not by_stratum["n_cases"]:
        raise NotFoundError("no screened children in the database: nothing to report")
    by_sex = stats_document(session, book, by="sex", baselines=baselines) if full else None
    by_ethnicity = stats_document(session, book, by="ethnicity", baselines=baselines) if full else None
    migrated = (tallies.scores_by_answer(session, book.scores, MIGRATION_ITEMS, KNOWN_OR_SUSPECTED)
                if full else None)  # fmt: skip
    cohort = tallies.cross_tab(session, COHORT_ATTRIBUTES)
    dates = tallies.screening_dates(session, by="authority")
    everyone = tallies.screening_dates(session).get(tallies.ALL)
    if everyone:
        dates[ALL] = everyone
    present = {key[0] for key in cohort}
    names = {code: name for code, name in authority_names(session).items() if code in present}
    return RegionData(book, tuple(baselines), by_stratum, by_sex, by_ethnicity, cohort, migrated, dates,
                      tallies.store_state(session), dict(sorted(names.items())), read_published(session))  # fmt: skip


@dataclass(frozen=True)
class AuthorityData:
    code: str
    name: str
    doc: dict  # its ``altar stats --authority CODE`` document


def read_authority(session: Session, book: Codebook, code: str, region: RegionData) -> AuthorityData:
    """One filtered ``altar stats`` document for the authority."""
    doc = stats_document(session, book, by="stratum", filters=Filters(authority=code), baselines=region.baselines)
    return AuthorityData(code, region.authorities.get(code, code), doc)


# --- fingerprint -----------------------------------------------------------------------------------------------------


def fingerprint(*figures: object, state: StoreState) -> str:
    """A short hash that tells two copies of a report apart.

    SHA-256 of (1) the figures the document is built from: the ``altar
    stats`` documents, the cohort's make-up, the screening dates and the
    authorities' names, as canonical JSON; and (2) the store's newest change
    (the id and time of its latest change-log entry, which every import and
    amendment writes). The first 16 hex digits, in groups of four. It costs
    one index look-up and hashing what has already been computed, so it is
    as cheap at 100,000 children as at 100; it does not depend on the
    rendering options (suppression, region name, time of rendering).

    >>> s = StoreState(7, datetime(2026, 1, 2, 3, 4, 5), {})
    >>> fingerprint({"n": 1}, state=s) == fingerprint({"n": 1}, state=s) != fingerprint({"n": 2}, state=s)
    True
    >>> len(fingerprint({"n": 1}, state=s))
    19
    """
    at = state.latest_change_at.isoformat() if state.latest_change_at else None
    payload = {"figures": figures, "store": {"latest_change": [state.latest_change_id, at]}}
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=_jsonable, ensure_ascii=False)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    return " ".join(digest[i : i + 4] for i in range(0, 16, 4))


def _jsonable(value: object) -> object:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, ScoreDistribution):
        return {"freq": sorted(value.freq.items()), "n_with_unknown": value.n_with_unknown}
    raise TypeError(f"cannot fingerprint {type(value).__name__}")


def _cohort_rows(cohort: Mapping[tuple, int]) -> list:
    return sorted(([*key, n] for key, n in cohort.items()), key=lambda row: [str(v) for v in row])


# --- views shared by both documents --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TitlePage:
    title: str
    subtitle: str
    region: str
    date_range: str
    instrument: str
    n_cases: Number
    generated_at: str
    generated_at_iso: str
    fingerprint: str


@dataclass(frozen=True)
class Suppression:
    """The disclosure rule as the report states it."""

    enabled: bool
    threshold: int
    min_denominator: int
    symbol: str
    footnotes: tuple[str, ...]


@dataclass(frozen=True)
class Instrument:
    """The screening instrument as a report names it."""

    title: str
    name: str
    version: int
    released: str
    n_items: int
    n_groups: int


@dataclass(frozen=True)
class TableBlock:
    """A cross-tabulation with its id (for links) and caption."""

    id: str
    caption: str
    table: CrossTable


@dataclass(frozen=True)
class CountItem:
    """A count item (e.g. secondary schools attended): children with a known
    value, their median, and the share at or above each threshold."""

    label: str
    known: Number
    base: Number
    median: Number
    range: str
    thresholds: tuple[tuple[str, PrevalenceCell], ...]


@dataclass(frozen=True)
class GroupBlock:
    """One group of the instrument: its items by group of children, a chart, and any count items."""

    code: str
    title: str
    description: str
    table: PrevalenceTable
    chart: ChartView | None
    counts: tuple[CountItem, ...]


@dataclass(frozen=True)
class CompletenessRow:
    label: str
    cells: tuple[Number, ...]  # unknown (not answered included) as "n (x%)" per column


# --- the regional report ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BaselineRow:
    label: str
    source_item: str
    baseline: str
    confirmed: bool
    known: Number
    cohort: PrevalenceCell
    p: str
    note: str


@dataclass(frozen=True)
class BaselineBlock:
    key: str
    title: str
    short: str
    year: int
    population: str
    citation: str
    url: str
    method_note: str
    rows: tuple[BaselineRow, ...]
    not_measured: tuple[str, ...]
    chart: ChartView | None


@dataclass(frozen=True)
class AceSection:
    prevalence: PrevalenceTable
    prevalence_chart: ChartView | None
    bands: CrossTable
    bands_known: CrossTable
    bands_chart: ChartView | None
    abuse_bands: CrossTable
    abuse_bands_chart: ChartView | None
    abuse_types: tuple[str, ...]
    baselines: tuple[BaselineBlock, ...]


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
    trends: tuple[Finding, ...]
    tested: int


@dataclass(frozen=True)
class RegionalReport:
    """The context of ``report/regional.html`` (documented at the top of that template)."""

    document_title: str
    title_page: TitlePage
    suppression: Suppression
    synthetic: bool
    findings: tuple[Finding, ...]
    cohort_tables: tuple[TableBlock, ...]
    strata: tuple[Column, ...]
    aces: AceSection
    wider: tuple[GroupBlock, ...]
    attachment: GroupBlock
    protective: GroupBlock
    groups: tuple[GroupStudy, ...]
    differences: tuple[Differences, ...]
    stories: tuple[PenPictureView, ...]
    completeness: tuple[CompletenessRow, ...]
    unknown_share: str
    instrument: Instrument
    sources: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class RegionFigures:
    """The region's protected figures, shared by the regional report and the summaries."""

    n: int
    strata: list[tuple[str, str]]
    items: ProtectedPrevalence  # every binary item, known or suspected, by stratum
    protective: ProtectedPrevalence  # protective items, known, by stratum
    headline: ProtectedPrevalence  # abuse and score headlines by stratum
    headline_specs: list[RowSpec]
    cohort: dict[str, ProtectedCross]  # attribute x stratum


def region_figures(data: RegionData, rule: Rule) -> RegionFigures:
    doc, book = data.by_stratum, data.book
    strata = [(g, STRATUM_LABELS.get(g, g)) for g in _groups(doc)]
    sizes = {g: doc["groups"][g]["n"] for g, _ in strata}
    binary = [i for i in book.items if i.type == "binary"]
    items = prevalence_table(item_specs(doc, binary, strata), strata, sizes, rule)
    protective_items = [i for i in binary if i.protective]
    protective = prevalence_table(item_specs(doc, protective_items, strata, known=True), strata, sizes, rule)
    headline_specs = headline(doc, [g for g, _ in strata])
    head = prevalence_table(headline_specs, strata, sizes, rule)
    cohort = {attribute: _cohort_cross(data, attribute, rule) for attribute in ("authority", "cohort", "sex",
                                                                                "ethnicity", "age")}  # fmt: skip
    return RegionFigures(doc["n_cases"], strata, items, protective, head, headline_specs, cohort)


def regional_report(data: RegionData, options: ReportOptions) -> RegionalReport:
    """The regional report's context, from what ``read_region(full=True)`` read."""
    if data.by_sex is None or data.by_ethnicity is None or data.migrated is None:
        raise ValueError("the regional report needs read_region(full=True)")
    rule, book, doc = options.rule, data.book, data.by_stratum
    region = region_figures(data, rule)
    strata = region.strata
    binary = [i for i in book.items if i.type == "binary"]
    adversity = [i for i in binary if not i.protective]

    def block(code: str, title: str, description: str, items: Sequence[Item], counts: Sequence[Item]) -> GroupBlock:
        specs = [s for s in item_specs(doc, items, strata)]
        view = _subset(region.items, [i.code for i in items])
        chart = charts.prevalence(title, region.items, specs, [*strata, (ALL, ALL_LABEL)]) if items else None
        return GroupBlock(code, title, description, view, chart, tuple(count_items(doc, counts, rule)))

    wider = tuple(
        block(g.code, g.title, g.description, [i for i in g.items if i.type == "binary"],
              [i for i in g.items if i.type == "count"])
        for g in book.groups if g.code not in ("ace", "attachment_resilience")
    )  # fmt: skip
    ar = book.group("attachment_resilience") if "attachment_resilience" in {g.code for g in book.groups} else None
    ar_items = [i for i in (ar.items if ar else ()) if i.type == "binary" and not i.protective]
    attachment = block("attachment", ar.title if ar else "Attachment", ar.description if ar else "", ar_items, [])
    protective_items = [i for i in binary if i.protective]
    protective_specs = item_specs(doc, protective_items, strata, known=True)
    protective = GroupBlock(
        "protective", "Protective factors", "", region.protective.view,
        charts.prevalence("Protective factors recorded (known)", region.protective, protective_specs,
                          [*strata, (ALL, ALL_LABEL)], measure="known") if protective_items else None,
        (),
    )  # fmt: skip
    everyone = doc["groups"][ALL]
    cohort_tables = _cohort_blocks(region)
    title_page = _title_page(
        "Abuse, loss, trauma, attachment and resilience of children in youth justice",
        f"Regional report: {options.region}", options, data, ALL, count_number(figure(everyone["n"], None, rule)),
        fingerprint(doc, data.by_sex, data.by_ethnicity, data.migrated, _cohort_rows(data.cohort), data.dates,
                    data.authorities, state=data.state),
    )  # fmt: skip
    return RegionalReport(
        document_title=f"{options.region}: regional report on the adversity of children in youth justice",
        title_page=title_page,
        suppression=_suppression(rule),
        synthetic=data.synthetic,
        findings=tuple(regional_findings(data, region, rule)),
        cohort_tables=cohort_tables,
        strata=region.headline.view.columns,
        aces=_aces(data, region, rule),
        wider=wider,
        attachment=attachment,
        protective=protective,
        groups=_specific_groups(data, region, rule),
        differences=(_differences(doc, region.items, strata, "stratum", adversity + protective_items, rule),
                     _sex_differences(data, rule, binary)),  # fmt: skip
        stories=regional_stories(data.pen_pictures, doc, rule),
        completeness=tuple(_completeness(book, [everyone])),
        unknown_share=_unknown_share(book, everyone),
        instrument=_instrument(book),
        sources=tuple(_sources(book, data.baselines)),
    )


# --- the authority summary -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DistributionRow:
    label: str
    local: CountCell
    region: Number


@dataclass(frozen=True)
class Distribution:
    """One attribute of the authority's children (e.g. sex), beside the region's percentages."""

    title: str
    rows: tuple[DistributionRow, ...]
    total: CountCell


@dataclass(frozen=True)
class ComparisonRow:
    code: str
    label: str
    protective: bool
    local: PrevalenceCell
    region: PrevalenceCell


@dataclass(frozen=True)
class ComparisonGroup:
    title: str
    rows: tuple[ComparisonRow, ...]


@dataclass(frozen=True)
class AuthoritySummary:
    """The context of ``report/authority.html`` (documented at the top of that template)."""

    document_title: str
    title_page: TitlePage
    suppression: Suppression
    synthetic: bool
    authority: str
    authority_code: str
    region: str
    n: Number
    findings: tuple[Finding, ...]
    cohort: tuple[Distribution, ...]
    headline: tuple[ComparisonRow, ...]
    charts: tuple[ChartView, ...]
    items: tuple[ComparisonGroup, ...]
    differences: tuple[str, ...]
    compared: int
    completeness: tuple[CompletenessRow, ...]
    unknown_share: str
    region_unknown_share: str
    stories: tuple[PenPictureView, ...]
    instrument: Instrument


def authority_summary(data: RegionData, region: RegionFigures, local: AuthorityData,
                      options: ReportOptions) -> AuthoritySummary:  # fmt: skip
    """One authority's summary against the region (``region``: ``region_figures(data, options.rule)``)."""
    rule, book, doc = options.rule, data.book, local.doc
    n = doc["n_cases"]
    me = [(local.code, local.name)]
    binary = [i for i in book.items if i.type == "binary"]
    mine = doc["groups"][ALL]
    table = prevalence_table([_as_local(s, local.code) for s in item_specs(doc, binary, [])],
                             me, {local.code: n}, rule, with_all=False)  # fmt: skip
    protective_items = [i for i in binary if i.protective]
    protective = prevalence_table([_as_local(s, local.code) for s in item_specs(doc, protective_items, [], known=True)],
                                  me, {local.code: n}, rule, with_all=False)  # fmt: skip
    head = prevalence_table([_as_local(s, local.code) for s in headline(doc, [])], me, {local.code: n}, rule,
                            with_all=False)  # fmt: skip

    def comparison(code: str, label: str, protective_item: bool, mine_: ProtectedPrevalence,
                   theirs: ProtectedPrevalence) -> ComparisonRow:  # fmt: skip
        return ComparisonRow(code, label, protective_item, _cell(mine_, code, local.code), _cell(theirs, code, ALL))

    headline_rows = tuple(comparison(s.code, s.label, False, head, region.headline) for s in region.headline_specs)
    groups = []
    for g in book.groups:
        rows = tuple(
            comparison(i.code, i.label, i.protective, protective if i.protective else table,
                       region.protective if i.protective else region.items)
            for i in g.items if i.type == "binary"
        )  # fmt: skip
        if rows:
            groups.append(ComparisonGroup(g.title, rows))
    region_name = f"{options.region} region"
    n_local = head.sizes[local.code]
    n_region = region.headline.sizes[ALL]
    ace_items = [i for i in binary if i.group == "ace"]
    wider_items = sorted((i for i in binary if i.group != "ace" and not i.protective),
                         key=lambda i: -(region.items.figures[(i.code, ALL)].pct or 0))[:10]  # fmt: skip

    def chart(title: str, rows: Iterable[tuple[str, ProtectedPrevalence, ProtectedPrevalence, str]]) -> ChartView:
        return charts.comparison(
            title, [(label, mine_.values[(code, local.code)], theirs.values[(code, ALL)])
                    for code, mine_, theirs, label in rows],
            local.name, region_name,
            local_n=None if n_local.suppressed else n_local.count,
            region_n=None if n_region.suppressed else n_region.count,
        )  # fmt: skip

    key_chart = chart(f"Key figures: {local.name} and the {region_name}",
                      [(s.code, head, region.headline, s.label) for s in region.headline_specs]
                      + [(i.code, table, region.items, i.label) for i in ace_items])  # fmt: skip
    wider_chart = chart(f"Wider adversity: {local.name} and the {region_name}",
                        [(i.code, table, region.items, i.label) for i in wider_items])  # fmt: skip
    differences = []
    compared = 0
    for i in binary:
        source = protective if i.protective else table
        fig = source.figures[(i.code, local.code)]
        item = mine["items"][i.code]
        ci = item["ci95"] if i.protective else item["ci95_known_or_suspected"]
        regional = (region.protective if i.protective else region.items).figures[(i.code, ALL)]
        if fig.pct is None or regional.pct is None:
            continue
        compared += 1
        sentence = words.region_difference(i.label, fig, ci, regional.pct, local.name, f"the {region_name}")
        if sentence:
            differences.append(sentence)
    everyone = data.by_stratum["groups"][ALL]
    title_page = _title_page(
        f"Summary of local findings: {local.name}",
        f"Abuse, loss, trauma, attachment and resilience of children in youth justice, {options.region}",
        options, data, local.code, count_number(n_local),
        fingerprint(doc, data.by_stratum, _cohort_rows(data.cohort), data.dates, data.authorities, local.name,
                    state=data.state),
    )  # fmt: skip
    return AuthoritySummary(
        document_title=f"{local.name}: summary of local findings ({options.region})",
        title_page=title_page,
        suppression=_suppression(rule),
        synthetic=data.synthetic,
        authority=local.name,
        authority_code=local.code,
        region=options.region,
        n=count_number(n_local),
        findings=tuple(authority_findings(data, region, local, head, table, protective, rule, region_name)),
        cohort=tuple(_distributions(data, region, local.code, rule)),
        headline=headline_rows,
        charts=(key_chart, wider_chart),
        items=tuple(groups),
        differences=tuple(differences),
        compared=compared,
        completeness=tuple(_completeness(book, [mine, everyone])),
        unknown_share=_unknown_share(book, mine),
        region_unknown_share=_unknown_share(book, everyone),
        stories=authority_stories(data.pen_pictures, local.code),
        instrument=_instrument(book),
    )


# --- building blocks -------------------------------------------------------------------------------------------------


def _groups(doc: dict) -> list[str]:
    return [g for g in doc["groups"] if g != ALL]


def item_specs(doc: dict, items: Sequence[Item], groups: Sequence[tuple[str, str]], *,
               known: bool = False) -> list[RowSpec]:  # fmt: skip
    """Rows of "children with the item (known or suspected; ``known``: yes
    only) of those whose records answer it", per group and for all, from the
    document."""
    specs = []
    for item in items:
        tallies_: dict[str, Tally] = {}
        for g in [*(k for k, _ in groups), ALL]:
            t = doc["groups"][g]["items"][item.code]
            count = t["yes"] if known else t["yes"] + t["suspected"]
            ci = t["ci95"] if known else t["ci95_known_or_suspected"]
            tallies_[g] = Tally(count, t["answered"], ci)
        _check_partition(item.code, tallies_, groups)
        specs.append(RowSpec(item.code, item.label, item.protective, tallies_))
    return specs


HEADLINES = (
    ("any_abuse", "Known or suspected abuse (any type)"),
    ("abuse_4plus", "Four or more types of abuse, known or suspected"),
    ("ace_4plus", "Four or more ACEs, known or suspected"),
)


def headline(doc: dict, groups: Sequence[str]) -> list[RowSpec]:
    """The research's headline measures, per group and for all: children with
    any abuse, with four or more types of abuse, with four or more ACEs (all
    known or suspected), of all the children in the group."""
    rows = []
    for code, label in HEADLINES:
        per: dict[str, Tally] = {}
        for g in [*groups, ALL]:
            figures_ = doc["groups"][g]
            per[g] = Tally(_headline_count(code, figures_), figures_["n"])
        rows.append(RowSpec(code, label, False, per))
    return rows


def _headline_count(code: str, figures_: Mapping) -> int:
    if code == "any_abuse":
        return figures_["summary"]["any_abuse_incl_suspected"] or 0
    if code == "abuse_4plus":
        return figures_["abuse_types_incl_suspected"]["4+"]
    return figures_["ace_score_incl_suspected"]["4+"]


def _check_partition(code: str, per: Mapping[str, Tally], groups: Sequence[tuple[str, str]]) -> None:
    # The "all" column is printed as the row total of the groups: it must be their sum.
    if groups and (sum(per[g].count for g, _ in groups) != per[ALL].count
                   or sum(per[g].base for g, _ in groups) != per[ALL].base):  # fmt: skip
        raise ValueError(f"{code}: the groups do not add up to all children")


def _as_local(spec: RowSpec, code: str) -> RowSpec:
    return RowSpec(spec.code, spec.label, spec.protective, {code: spec.tallies[ALL]})


def _cell(table: ProtectedPrevalence, code: str, group: str) -> PrevalenceCell:
    column = next(i for i, c in enumerate(table.view.columns) if c.key == group)
    row = next(r for r in table.view.rows if r.code == code)
    return row.cells[column]


def _subset(table: ProtectedPrevalence, codes: Sequence[str]) -> PrevalenceTable:
    rows = {r.code: r for r in table.view.rows}
    return PrevalenceTable(table.view.columns, tuple(rows[c] for c in codes))


def count_items(doc: dict, items: Sequence[Item], rule: Rule) -> list[CountItem]:
    """Count items for all children: the median is printed only over a base
    the rule allows a percentage for, the range (which names one child's
    value) only in an unsuppressed copy."""
    out = []
    for item in items:
        c = doc["groups"][ALL]["counts"][item.code]
        base = figure(c["n_known"], c["n"], rule, protect_complement=False)
        thresholds = []
        for step in c["at_or_above"]:
            fig = figure(step["n"], c["n_known"], rule)
            ci = interval(step["ci95"]) if fig.pct is not None else ""
            thresholds.append((f"{step['threshold']} or more",
                               PrevalenceCell(count_number(fig), denominator_number(fig, rule),
                                              pct_number(fig, rule), ci)))  # fmt: skip
        enough = not rule.enabled or c["n_known"] >= rule.min_denominator
        median = BLANK if c["median"] is None else Number(f"{c['median']:g}") if enough else Number(rule.symbol, True)
        spread = "" if c["min"] is None or rule.enabled else f"{c['min']}\u2013{c['max']}"
        out.append(CountItem(item.label, count_number(base), Number(number(c["n"])), median, spread,
                             tuple(thresholds)))  # fmt: skip
    return out


def _cohort_cross(data: RegionData, attribute: str, rule: Rule) -> ProtectedCross:
    index = COHORT_ATTRIBUTES.index(attribute)
    counts: Counter = Counter()
    for key, n in data.cohort.items():
        value = key[index]
        counts[(age_band(value) if attribute == "age" else value, key[1])] += n
    rows = _categories(data, attribute, {k[0] for k in counts})
    strata = [(g, STRATUM_LABELS.get(g, g)) for g in _groups(data.by_stratum)]
    heading = {"authority": "Authority", "cohort": "Sample", "sex": "Sex", "ethnicity": "Ethnicity",
               "age": "Age at screening"}[attribute]  # fmt: skip
    return cross_table(counts, rows, strata, rule, row_heading=heading)


def _categories(data: RegionData, attribute: str, present: set) -> list[tuple[str, str]]:
    """The rows of a cohort table in their natural order, named for readers."""
    if attribute == "authority":
        return [(code, name) for code, name in sorted(data.authorities.items(), key=lambda kv: kv[1].lower())]
    if attribute == "age":
        bands = [label for label, _, _ in AGE_BANDS] + [AGE_UNKNOWN]
        return [(b, b) for b in bands if b in present]
    order, labels = {"stratum": (STRATA, STRATUM_LABELS), "cohort": (COHORTS, COHORT_LABELS),
                     "sex": (SEXES, SEX_LABELS), "ethnicity": (ETHNICITIES, ETHNICITY_LABELS)}[attribute]  # fmt: skip
    return [(v, labels.get(v, v)) for v in order if v in present]


def _cohort_blocks(region: RegionFigures) -> tuple[TableBlock, ...]:
    captions = {
        "authority": "Children by local authority and stratum",
        "cohort": "Children by sample (main sample or gang-involved lens) and stratum",
        "sex": "Children by sex and stratum",
        "ethnicity": "Children by ethnicity and stratum",
        "age": "Children by age at screening and stratum",
    }
    return tuple(TableBlock(f"cohort-{key}", captions[key], cross.view) for key, cross in region.cohort.items())


def _distributions(data: RegionData, region: RegionFigures, code: str, rule: Rule) -> list[Distribution]:
    """The authority's children attribute by attribute, each protected as one
    column with its total, beside the region's percentages (from the
    regional report's own protected tables)."""
    out = []
    titles = {"stratum": "Stratum", "cohort": "Sample", "sex": "Sex", "ethnicity": "Ethnicity",
              "age": "Age at screening"}  # fmt: skip
    for attribute in ("stratum", "cohort", "sex", "ethnicity", "age"):
        index = COHORT_ATTRIBUTES.index(attribute)
        counts: Counter = Counter()
        for key, n in data.cohort.items():
            if key[0] == code:
                value = key[index]
                counts[age_band(value) if attribute == "age" else value] += n
        if attribute == "stratum":
            rows = [(g, STRATUM_LABELS.get(g, g)) for g in _groups(data.by_stratum)]
            regional = {g: region.cohort["authority"].column_total(g) for g, _ in rows}
        else:
            cross = region.cohort[attribute]
            rows = [(r.key, r.label) for r in cross.view.rows]
            regional = {k: cross.row_total(k) for k, _ in rows}
        table = suppress_table([[counts.get(k, 0)] for k, _ in rows], [k for k, _ in rows], [code], rule=rule,
                               row_totals=False, column_totals=True, percent_of="column")  # fmt: skip
        out.append(Distribution(
            titles[attribute],
            tuple(DistributionRow(label, count_cell(table.cell(k, code), rule), _region_pct(regional[k], region, rule))
                  for k, label in rows),
            count_cell(table.column_total(code), rule),
        ))  # fmt: skip
    return out


def _region_pct(fig: Figure, region: RegionFigures, rule: Rule) -> Number:
    """A regional total as a percentage of all the region's children (withheld with the total)."""
    if fig.suppressed:
        return Number(rule.symbol, True)
    total = region.cohort["authority"].table.grand_total  # type: ignore[attr-defined]
    return pct_number(figure(fig.count, total.count, rule, protect_complement=False), rule)


def _title_page(title: str, subtitle: str, options: ReportOptions, data: RegionData, dates_key: str, n: Number,
                print_: str) -> TitlePage:  # fmt: skip
    first, last = data.dates.get(dates_key, (None, None))
    span = "no screenings" if first is None else (
        _long_date(first) if first == last else f"{_long_date(first)} to {_long_date(last)}")  # fmt: skip
    stamp = options.generated_at.astimezone(timezone.utc)
    book = data.book
    return TitlePage(
        title=title, subtitle=subtitle, region=options.region, date_range=span,
        instrument=f"{book.title} ({book.name}, version {book.version})", n_cases=n,
        generated_at=f"{_long_date(stamp.date())}, {stamp:%H:%M} UTC",
        generated_at_iso=stamp.replace(microsecond=0).isoformat().replace("+00:00", "Z"), fingerprint=print_,
    )  # fmt: skip


def _long_date(d: date) -> str:
    return f"{d.day} {d:%B %Y}"


def _suppression(rule: Rule) -> Suppression:
    return Suppression(rule.enabled, rule.threshold, rule.min_denominator, rule.symbol,
                       tuple(rule.footnotes().values()) if rule.enabled else ())  # fmt: skip


def _instrument(book: Codebook) -> Instrument:
    return Instrument(book.title, book.name, book.version, book.released, len(book.items), len(book.groups))


def _sources(book: Codebook, baselines: Sequence[Baseline]) -> list[tuple[str, str]]:
    return [(short_source(b), b.citation) for b in baselines]


def short_source(baseline: Baseline) -> str:
    """A citation's first author and year: "Felitti et al. 1998"."""
    first = baseline.citation.split(",")[0].split(" ")[0]
    return f"{first} et al. {baseline.year}"


def _completeness(book: Codebook, groups: Sequence[Mapping]) -> list[CompletenessRow]:
    """Unknown answers per item (not yet answered counted with them), for each
    group of figures given. These count records that could not answer an
    item, not children with a characteristic, and are printed as they are."""
    rows = []
    for item in book.items:
        cells = []
        for g in groups:
            t = g["items"][item.code] if item.type == "binary" else g["counts"][item.code]
            unknown, n = t["unknown"], g["n"]
            cells.append(Number(f"{number(unknown)} ({pct(unknown / n, 0)})" if n else "z"))
        rows.append(CompletenessRow(item.label, tuple(cells)))
    return rows


def _unknown_share(book: Codebook, g: Mapping) -> str:
    """The share of all item answers that are unknown or not yet answered."""
    slots = g["n"] * len(book.items)
    if not slots:
        return "z"
    unknown = sum((g["items"][i.code] if i.type == "binary" else g["counts"][i.code])["unknown"] for i in book.items)
    return pct(unknown / slots)


# --- sections of the regional report ---------------------------------------------------------------------------------


def _band_cross(doc: dict, key: str, bands: Sequence[str], strata: Sequence[tuple[str, str]], rule: Rule,
                noun: str) -> ProtectedCross:  # fmt: skip
    counts = {(b, g): doc["groups"][g][key][b] for b in bands for g, _ in strata}
    return cross_table(counts, [(b, f"{b} {noun}") for b in bands], strata, rule, row_heading="Score")


def _aces(data: RegionData, region: RegionFigures, rule: Rule) -> AceSection:
    doc, book, strata = data.by_stratum, data.book, region.strata
    ace_items = [i for i in book.group("ace").items if i.type == "binary"]
    specs = item_specs(doc, ace_items, strata)
    groups_all = [*strata, (ALL, ALL_LABEL)]
    ace = book.score("ace_score")
    abuse = book.score("abuse_types")
    bands = _band_cross(doc, "ace_score_incl_suspected", ace.bands, strata, rule, "ACEs")
    known = _band_cross(doc, "ace_score", ace.bands, strata, rule, "ACEs")
    abuse_bands = _band_cross(doc, "abuse_types_incl_suspected", abuse.bands, strata, rule, "types")
    return AceSection(
        prevalence=_subset(region.items, [i.code for i in ace_items]),
        prevalence_chart=charts.prevalence("The ten ACEs, known or suspected, by stratum", region.items, specs,
                                           groups_all),  # fmt: skip
        bands=bands.view,
        bands_known=known.view,
        bands_chart=charts.bands("ACE score, known or suspected, by stratum", bands, ace.bands, groups_all,
                                 xlabel=f"ACE score (how many of the {len(ace.components)} ACEs)"),  # fmt: skip
        abuse_bands=abuse_bands.view,
        abuse_bands_chart=charts.bands(
            "Types of abuse, known or suspected, by stratum", abuse_bands, abuse.bands, groups_all,
            xlabel=f"Types of abuse (how many of {len(abuse.components)})",
        ),
        abuse_types=tuple(c.label for c in abuse.components),
        baselines=tuple(_baselines(data, rule)),
    )


SCORE_BAND_LABELS = {"0": "No ACEs", "1": "One ACE", "2-3": "Two or three ACEs", "4+": "Four or more ACEs",
                     "1+": "At least one ACE"}  # fmt: skip


def _baselines(data: RegionData, rule: Rule) -> list[BaselineBlock]:
    book, doc = data.book, data.by_stratum
    n = doc["n_cases"]
    blocks = []
    for baseline in data.baselines:
        entries = [e for e in doc["baseline"] if e["baseline"] == baseline.key]
        rows, chart_rows, not_measured = [], [], []
        for e in entries:
            code = e["item"]
            if code.startswith("ace_score "):
                label = SCORE_BAND_LABELS.get(code.split(" ", 1)[1], code)
            else:
                label = book.item(code).label
            if e["baseline_prevalence"] is None or "known_or_suspected" not in e:
                not_measured.append(label)
                continue
            ks, kn = e["known_or_suspected"], e["known"]
            fig = figure(ks["successes"], ks["n"], rule)
            known_fig = figure(kn["successes"], kn["n"], rule)
            shown = fig.pct is not None
            cell = PrevalenceCell(count_number(fig), denominator_number(fig, rule), pct_number(fig, rule),
                                  interval(ks["ci95"]) if shown and ks["ci95"] else "")  # fmt: skip
            note = " ".join(x for x in (e.get("mapping_note"), e.get("note")) if x)
            rows.append(BaselineRow(label, e.get("source_item") or label, pct(e["baseline_prevalence"]),
                                    bool(e["confirmed"]), pct_number(known_fig, rule), cell,
                                    p_value(ks["p"]) if shown else "", note))  # fmt: skip
            value = (Prevalence(fig.pct, *ks["ci95"]) if ks["ci95"] else Prevalence(fig.pct)) if shown else None
            chart_rows.append((label, value, e["baseline_prevalence"], short_source(baseline)))
        title = f"Children in the research and adults in the general population: {baseline.title} ({baseline.year})"
        chart = (charts.baseline(title, chart_rows, cohort_label="Children in the research", cohort_n=n)
                 if chart_rows else None)  # fmt: skip
        blocks.append(BaselineBlock(baseline.key, baseline.title, short_source(baseline), baseline.year,
                                    baseline.population, baseline.citation, baseline.url or "", baseline.method_note,
                                    tuple(rows), tuple(not_measured), chart))  # fmt: skip
    return blocks


def _specific_groups(data: RegionData, region: RegionFigures, rule: Rule) -> tuple[GroupStudy, ...]:
    assert data.by_sex is not None and data.by_ethnicity is not None and data.migrated is not None
    book = data.book
    abuse_items = [book.item(code) for c in book.score("abuse_types").components for code in c.any_of]
    studies = []

    # Girls, set beside all the other children (boys, and any whose sex is
    # recorded otherwise or not at all: a category of one or two children
    # would otherwise cost the girls' figures their place in every row).
    everyone = data.by_sex["groups"][ALL]
    girls = data.by_sex["groups"].get("female") or _no_children(book)
    per_group = {"female": girls, "rest": _less(book, everyone, girls)}
    ace, abuse = _band_tables(book, per_group, GIRLS_GROUPS, rule, "girls")
    items = girls_table(data, rule, abuse_items)
    f = words.group_finding(GroupShare("female", "girls", abuse.figure("4+", "female")),
                            GroupShare("rest", "other children", abuse.figure("4+", "rest")),
                            "were known or suspected to have experienced four or more types of abuse")  # fmt: skip
    studies.append(GroupStudy(
        "girls", "Girls", count_number(ace.column_total("female")), _band_blocks(ace, abuse, "girls", "Girls"),
        items.view, _band_chart("ACE score: girls and all other children, known or suspected", ace, book,
                                GIRLS_GROUPS), f.text if f else "",
    ))  # fmt: skip

    # Children from ethnic minorities, group by group.
    eth = data.by_ethnicity
    groups = [(g, ETHNICITY_LABELS.get(g, g)) for g in _groups(eth)]
    ace, abuse = _band_tables(book, {g: eth["groups"][g] for g, _ in groups}, groups, rule, "ethnicity")
    minority = sum(eth["groups"][g]["n"] for g, _ in groups if g not in ("white", "unknown"))
    studies.append(GroupStudy(
        "ethnicity", "Children from ethnic minorities", count_number(figure(minority, None, rule)),
        _band_blocks(ace, abuse, "ethnicity", "Ethnicity"), None,
        _band_chart("ACE score by ethnicity, known or suspected", ace, book, groups), "",
    ))  # fmt: skip

    # Children who migrated (defined by the screening's migration items).
    sizes, scores = data.migrated
    groups = [("with", "Migrated"), ("without", "Did not migrate, or not known")]
    per_group = {}
    for g, _ in groups:
        per = {"n": sizes.get(g, 0)}
        for key in ("ace_score_incl_suspected", "abuse_types_incl_suspected"):
            score = book.score(key.removesuffix("_incl_suspected"))
            dist = scores.get(key, {}).get(g, ScoreDistribution())
            per[key] = (summarise_score(dist.freq, score.bands, dist.n_with_unknown).to_dict() if dist.freq
                        else dict.fromkeys(score.bands, 0))  # fmt: skip
        per_group[g] = per
    ace, abuse = _band_tables(book, per_group, groups, rule, "migrated")
    studies.append(GroupStudy(
        "migrated", "Children who migrated", count_number(ace.column_total("with")),
        _band_blocks(ace, abuse, "migrated", "Migration"), None,
        _band_chart("ACE score: children who migrated and the others, known or suspected", ace, book, groups), "",
    ))  # fmt: skip
    return tuple(studies)


def _no_children(book: Codebook) -> dict:
    return {"n": 0, **{f"{s.code}_incl_suspected": dict.fromkeys(s.bands, 0) for s in book.scores}}


def _less(book: Codebook, everyone: Mapping, group: Mapping) -> dict:
    """All children less one group: the band counts of the others."""
    out: dict = {"n": everyone["n"] - group["n"]}
    for s in book.scores:
        key = f"{s.code}_incl_suspected"
        out[key] = {b: everyone[key][b] - group[key][b] for b in s.bands}
    return out


def _band_tables(book: Codebook, per_group: Mapping[str, Mapping], groups: Sequence[tuple[str, str]], rule: Rule,
                 _id: str) -> tuple[ProtectedCross, ProtectedCross]:  # fmt: skip
    """ACE score and types of abuse (known or suspected), bands by group, each one protected table."""
    out = []
    for code, noun in (("ace_score", "ACEs"), ("abuse_types", "types")):
        score = book.score(code)
        key = f"{code}_incl_suspected"
        counts = {(b, g): per_group[g][key][b] for b in score.bands for g, _ in groups}
        out.append(cross_table(counts, [(b, f"{b} {noun}") for b in score.bands], groups, rule, row_heading="Score"))
    return out[0], out[1]


def _band_blocks(ace: ProtectedCross, abuse: ProtectedCross, key: str, title: str) -> tuple[TableBlock, ...]:
    return (TableBlock(f"table-{key}-aces", f"{title}: ACE score, known or suspected", ace.view),
            TableBlock(f"table-{key}-abuse", f"{title}: types of abuse, known or suspected", abuse.view))  # fmt: skip


def _band_chart(title: str, ace: ProtectedCross, book: Codebook, groups: Sequence[tuple[str, str]]) -> ChartView | None:
    score = book.score("ace_score")
    return charts.bands(title, ace, score.bands, groups, xlabel=f"ACE score (how many of the {len(score.components)} ACEs)")


def _differences(doc: dict, table: ProtectedPrevalence, groups: Sequence[tuple[str, str]], by: str,
                 items: Sequence[Item], rule: Rule) -> Differences:  # fmt: skip
    """Each item's test of difference across the groups (known or suspected
    against no), with the groups' percentages as the tables print them."""
    tests = {c["item"]: c for c in doc["comparisons"]}
    phrases = _group_words(by)
    rows, clear = [], []
    for item in items:
        c = tests.get(item.code)
        if c is None:
            continue
        shares = [GroupShare(g, phrases.get(g, label.lower()), table.figures[(item.code, g)]) for g, label in groups]
        text = words.difference_words(c, shares)
        is_clear = c.get("p_holm") is not None and c["p_holm"] < words.SIGNIFICANT
        rows.append(DifferenceRow(
            item.label, tuple(pct_number(table.figures[(item.code, g)], rule) for g, _ in groups),
            _test_name(c), p_value(c.get("p")), p_value(c.get("p_holm")), is_clear,
            words.difference_words(c, shares, short=True),
        ))  # fmt: skip
        if is_clear:
            clear.append(f"{item.label}: {text[0].lower()}{text[1:]}")
    trends = []
    for t in doc["trends"]:
        if t.get("test") != "linear_by_linear" or t["score"] not in ("ace_score_incl_suspected",
                                                                     "abuse_types_incl_suspected"):  # fmt: skip
            continue
        what = "four or more ACEs" if t["score"].startswith("ace") else "four or more types of abuse"
        shares = []
        for g in t["groups"]:
            dist = doc["groups"][g][t["score"]]
            shares.append(GroupShare(g, phrases.get(g, g), figure(dist["4+"], dist["n"], rule)))
        f = words.trend_finding(t, shares, what=what)
        if f:
            trends.append(f)
    columns = tuple(c for c in table.view.columns if c.key != ALL)
    return Differences(by, columns, tuple(rows), tuple(clear), tuple(trends), len(rows))


GIRLS_GROUPS = [("female", "Girls"), ("rest", "All other children")]


def _girls_specs(data: RegionData, items: Sequence[Item]) -> list[RowSpec]:
    """Girls (from the document by sex) and all other children (all children
    less the girls, counted from the same document), per item."""
    assert data.by_sex is not None
    doc = data.by_sex
    girls = doc["groups"].get("female", {"items": {}})
    everyone = doc["groups"][ALL]
    specs = []
    for item in items:
        t_all = everyone["items"][item.code]
        t_g = girls["items"].get(item.code, {"yes": 0, "suspected": 0, "answered": 0, "ci95_known_or_suspected": None})
        g, a = t_g["yes"] + t_g["suspected"], t_all["yes"] + t_all["suspected"]
        specs.append(RowSpec(item.code, item.label, item.protective, {
            "female": Tally(g, t_g["answered"], t_g["ci95_known_or_suspected"]),
            "rest": Tally(a - g, t_all["answered"] - t_g["answered"]),
            ALL: Tally(a, t_all["answered"], t_all["ci95_known_or_suspected"]),
        }))  # fmt: skip
    return specs


def girls_table(data: RegionData, rule: Rule, items: Sequence[Item]) -> ProtectedPrevalence:
    """Items for girls and for all other children, protected row by row."""
    assert data.by_sex is not None
    girls = data.by_sex["groups"].get("female", {"n": 0})["n"]
    sizes = {"female": girls, "rest": data.by_sex["groups"][ALL]["n"] - girls}
    return prevalence_table(_girls_specs(data, items), GIRLS_GROUPS, sizes, rule)


def _sex_differences(data: RegionData, rule: Rule, items: Sequence[Item]) -> Differences:
    """The tests across every recorded sex, shown with the girls' and all
    other children's figures (the tables of section 6)."""
    assert data.by_sex is not None
    table = girls_table(data, rule, items)
    return _differences(data.by_sex, table, GIRLS_GROUPS, "sex", items, rule)


def _group_words(by: str) -> dict[str, str]:
    if by == "stratum":
        return dict(words.STRATUM_PHRASES)
    if by == "sex":
        return {"male": "among boys", "female": "among girls", "rest": "among the other children",
                "other": "among children of another sex", "unknown": "where sex was not recorded"}  # fmt: skip
    return {}


def _test_name(c: Mapping) -> str:
    return {"chi_square": "Chi-square", "fisher_exact": "Fisher's exact"}.get(c.get("test") or "", c.get("test") or "")


# --- key findings ----------------------------------------------------------------------------------------------------


def _baseline_for_findings(data: RegionData) -> words.BaselineFigure | None:
    """The general-population figure for four or more ACEs that a key finding
    cites: confirmed figures only, the most recent study first."""
    years = {b.key: b for b in data.baselines}
    candidates = [e for e in data.by_stratum["baseline"] if e["item"] == "ace_score 4+" and e["confirmed"]
                  and e["baseline"] in years]  # fmt: skip
    if not candidates:
        return None
    best = max(candidates, key=lambda e: (years[e["baseline"]].year, e["baseline"]))
    b = years[best["baseline"]]
    source = f"{b.title}, {short_source(b)}"
    return words.BaselineFigure(best["baseline_prevalence"], source, best.get("items_measured"))


def regional_findings(data: RegionData, region: RegionFigures, rule: Rule) -> list[Finding]:
    doc, book = data.by_stratum, data.book
    everyone = doc["groups"][ALL]
    n = everyone["n"]
    out = _common_findings(book, everyone, n, rule, baseline=_baseline_for_findings(data))
    top = _top_items(book, everyone, region.items)
    out += [words.item_finding(i.code, i.label, *_ks(everyone, i.code), rule) for i in top]
    out += _count_and_protective(book, everyone, rule)
    strata_trend = next((t for t in doc["trends"] if t["score"] == "ace_score_incl_suspected"), None)
    if strata_trend and strata_trend.get("test") == "linear_by_linear":
        shares = [GroupShare(g, words.STRATUM_PHRASES.get(g, g),
                             figure(doc["groups"][g]["ace_score_incl_suspected"]["4+"], doc["groups"][g]["n"], rule))
                  for g in strata_trend["groups"]]  # fmt: skip
        f = words.trend_finding(strata_trend, shares)
        if f:
            out.append(f)
    return out


def authority_findings(data: RegionData, region: RegionFigures, local: AuthorityData, head: ProtectedPrevalence,
                       table: ProtectedPrevalence, protective: ProtectedPrevalence, rule: Rule,
                       region_name: str) -> list[Finding]:  # fmt: skip
    book, mine = data.book, local.doc["groups"][ALL]
    n = mine["n"]

    def theirs(source: ProtectedPrevalence, code: str) -> str:
        fig = source.figures[(code, ALL)]
        return f"{region_name}: {fig.pct_shown}" if fig.pct is not None else ""

    summary, ace_ks, ace_known = mine["summary"], mine["ace_score_incl_suspected"], mine["ace_score"]
    types = [c.label.lower() for c in book.score("abuse_types").components]
    out = [
        words.abuse_finding(summary["any_abuse_incl_suspected"] or 0, n - mine["abuse_types"]["0"], n, types, rule,
                            region=theirs(region.headline, "any_abuse")),
        words.ace_finding(ace_ks["4+"], ace_known["4+"], n, len(book.score("ace_score").components), rule,
                          region=theirs(region.headline, "ace_4plus")),
        words.extremes_finding(mine["abuse_types_incl_suspected"]["4+"], mine["abuse_types_incl_suspected"]["0"], rule),
    ]  # fmt: skip
    for item in _top_items(book, mine, table, group=local.code):
        out.append(words.item_finding(item.code, item.label, *_ks(mine, item.code), rule,
                                      region=theirs(region.items, item.code)))  # fmt: skip
    for item in (i for i in book.items if i.type == "binary" and i.protective):
        t = mine["items"][item.code]
        out.append(words.protective_finding(item.code, item.label, t["yes"], t["answered"], rule,
                                            region=theirs(region.protective, item.code)))  # fmt: skip
    return out


def _common_findings(book: Codebook, everyone: Mapping, n: int, rule: Rule, *,
                     baseline: words.BaselineFigure | None) -> list[Finding]:  # fmt: skip
    summary = everyone["summary"]
    types = [c.label.lower() for c in book.score("abuse_types").components]
    return [
        words.abuse_finding(summary["any_abuse_incl_suspected"] or 0, n - everyone["abuse_types"]["0"], n, types, rule),
        words.ace_finding(everyone["ace_score_incl_suspected"]["4+"], everyone["ace_score"]["4+"], n,
                          len(book.score("ace_score").components), rule, baseline),
        words.extremes_finding(everyone["abuse_types_incl_suspected"]["4+"],
                               everyone["abuse_types_incl_suspected"]["0"], rule),
    ]  # fmt: skip


def _count_and_protective(book: Codebook, everyone: Mapping, rule: Rule) -> list[Finding]:
    out = []
    for item in (i for i in book.items if i.type == "count"):
        c = everyone["counts"][item.code]
        if c["at_or_above"] and c["n_known"]:
            step = c["at_or_above"][0]
            out.append(words.count_finding(item.code, item.label, step["threshold"], step["n"], c["n_known"], rule))
    for item in (i for i in book.items if i.type == "binary" and i.protective):
        t = everyone["items"][item.code]
        if t["answered"]:
            out.append(words.protective_finding(item.code, item.label, t["yes"], t["answered"], rule))
    return out


def _ks(figures_: Mapping, code: str) -> tuple[int, int]:
    t = figures_["items"][code]
    return t["yes"] + t["suspected"], t["answered"]


def _top_items(book: Codebook, figures_: Mapping, table: ProtectedPrevalence, *, group: str = ALL) -> list[Item]:
    """The most prevalent adversities outside the ACEs (the ACEs have their
    own finding), known or suspected, among those whose figure is printed
    and not zero; ties in codebook order."""
    candidates = [i for i in book.items if i.type == "binary" and not i.protective and i.group != "ace"
                  and table.figures[(i.code, group)].pct and not table.figures[(i.code, group)].suppressed]  # fmt: skip
    ranked = sorted(enumerate(candidates), key=lambda ic: (-figures_["items"][ic[1].code]["pct_known_or_suspected"],
                                                           ic[0]))  # fmt: skip
    return [i for _, i in ranked[:TOP_ITEMS]]


__all__ = [
    "AuthorityData", "AuthoritySummary", "RegionData", "RegionalReport", "ReportOptions", "authority_summary",
    "fingerprint", "read_authority", "read_region", "region_figures", "regional_report",
]  # fmt: skip
