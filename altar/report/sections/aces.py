"""Section 3 of the regional report, "Adverse childhood experiences"
(``regional/aces.html``): each of the ten ACEs by stratum, the ACE score and
the number of types of abuse in bands by stratum, and the children set
beside adults in general-population studies (the ``baseline`` entries of the
``altar stats`` document), each study with its source."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from altar.baselines import Baseline
from altar.charts.bars import Prevalence
from altar.disclosure import Rule, protect
from altar.report import charts
from altar.report.charts import ChartView
from altar.report.data import RegionData
from altar.report.display import ALL_LABEL, interval, p_value, pct
from altar.report.protected import RegionFigures, item_specs, subset
from altar.report.tables import (
    ALL,
    CrossTable,
    Number,
    PrevalenceCell,
    PrevalenceTable,
    ProtectedCross,
    count_number,
    cross_table,
    denominator_number,
    pct_number,
)
from altar.stats.document import ItemBaseline

SCORE_BAND_LABELS = {
    "0": "No ACEs",
    "1": "One ACE",
    "2-3": "Two or three ACEs",
    "4+": "Four or more ACEs",
    "1+": "At least one ACE",
}


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


def band_cross(
    per_group: Mapping[str, Mapping[str, int]],
    bands: Sequence[str],
    groups: Sequence[tuple[str, str]],
    rule: Rule,
    noun: str,
) -> ProtectedCross:
    """A score's bands by group (``per_group``: each group's children by
    band, e.g. a stats document's ``scores["ace_score_incl_suspected"].bands``),
    protected as one table."""
    counts = {(b, g): per_group[g][b] for b in bands for g, _ in groups}
    return cross_table(
        counts, [(b, band_label(b, noun)) for b in bands], groups, rule, row_heading="Score"
    )


def band_label(band: str, noun: str) -> str:
    """A score band as a row of a table: a plural noun, singular for one.

    >>> band_label("0", "ACEs"), band_label("1", "types"), band_label("4+", "ACEs")
    ('0 ACEs', '1 type', '4+ ACEs')
    """
    return f"{band} {noun.removesuffix('s') if band == '1' else noun}"


def aces(data: RegionData, region: RegionFigures, rule: Rule) -> AceSection:
    doc, book, strata = data.by_stratum, data.book, region.strata
    ace_items = [i for i in book.group("ace").items if i.type == "binary"]
    specs = item_specs(doc, ace_items, strata)
    groups_all = [*strata, (ALL, ALL_LABEL)]
    ace = book.score("ace_score")
    abuse = book.score("abuse_types")

    def per_stratum(key: str) -> dict[str, Mapping[str, int]]:
        return {g: doc.groups[g].scores[key].bands for g, _ in strata}

    bands = band_cross(per_stratum("ace_score_incl_suspected"), ace.bands, strata, rule, "ACEs")
    known = band_cross(per_stratum("ace_score"), ace.bands, strata, rule, "ACEs")
    abuse_bands = band_cross(
        per_stratum("abuse_types_incl_suspected"), abuse.bands, strata, rule, "types"
    )
    return AceSection(
        prevalence=subset(region.items, [i.code for i in ace_items]),
        prevalence_chart=charts.prevalence(
            "The ten ACEs, known or suspected, by stratum", region.items, specs, groups_all
        ),
        bands=bands.view,
        bands_known=known.view,
        bands_chart=charts.bands(
            "ACE score, known or suspected, by stratum",
            bands,
            ace.bands,
            groups_all,
            xlabel=f"ACE score (how many of the {len(ace.components)} ACEs)",
        ),
        abuse_bands=abuse_bands.view,
        abuse_bands_chart=charts.bands(
            "Types of abuse, known or suspected, by stratum",
            abuse_bands,
            abuse.bands,
            groups_all,
            xlabel=f"Types of abuse (how many of {len(abuse.components)})",
        ),
        abuse_types=tuple(c.label for c in abuse.components),
        baselines=tuple(baselines(data, rule)),
    )


def baselines(data: RegionData, rule: Rule) -> list[BaselineBlock]:
    """One block per general-population study: each figure it measured beside
    the children's (known or suspected, with the test against the study's
    figure), and what it did not measure."""
    book, doc = data.book, data.by_stratum
    n = doc.n_cases
    blocks = []
    for baseline in data.baselines:
        entries = [e for e in doc.baseline if e.baseline == baseline.key]
        rows, chart_rows, not_measured = [], [], []
        for e in entries:
            code = e.item
            if code.startswith("ace_score "):
                label = SCORE_BAND_LABELS.get(code.split(" ", 1)[1], code)
            else:
                label = book.item(code).label
            ks, kn = e.known_or_suspected, e.known
            if e.baseline_prevalence is None or ks is None or kn is None:
                not_measured.append(label)
                continue
            fig = protect(ks.successes, ks.n, rule)
            known_fig = protect(kn.successes, kn.n, rule)
            shown = fig.pct is not None
            cell = PrevalenceCell(
                count_number(fig),
                denominator_number(fig, rule),
                pct_number(fig, rule),
                interval(ks.ci95) if shown and ks.ci95 else "",
            )
            source_item, mapping_note = (
                (e.source_item, e.mapping_note) if isinstance(e, ItemBaseline) else (None, None)
            )
            note = " ".join(x for x in (mapping_note, e.note) if x)
            rows.append(
                BaselineRow(
                    label,
                    source_item or label,
                    pct(e.baseline_prevalence),
                    bool(e.confirmed),
                    pct_number(known_fig, rule),
                    cell,
                    p_value(ks.p) if shown else "",
                    note,
                )
            )
            value = (
                None
                if fig.pct is None
                else (Prevalence(fig.pct, *ks.ci95) if ks.ci95 else Prevalence(fig.pct))
            )
            chart_rows.append((label, value, e.baseline_prevalence, short_source(baseline)))
        title = f"Children in the research and adults in the general population: {baseline.title} ({baseline.year})"
        chart = (
            charts.baseline(title, chart_rows, cohort_label="Children in the research", cohort_n=n)
            if chart_rows
            else None
        )
        blocks.append(
            BaselineBlock(
                baseline.key,
                baseline.title,
                short_source(baseline),
                baseline.year,
                baseline.population,
                baseline.citation,
                baseline.url or "",
                baseline.method_note,
                tuple(rows),
                tuple(not_measured),
                chart,
            )
        )
    return blocks


def short_source(baseline: Baseline) -> str:
    """A citation's first author and year: "Felitti et al. 1998"."""
    first = baseline.citation.split(",")[0].split(" ")[0]
    return f"{first} et al. {baseline.year}"
