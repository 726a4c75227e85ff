"""What each report template is given: one frozen dataclass per document
(:class:`RegionalReport` for ``report/regional.html``,
:class:`AuthoritySummary` for ``report/authority.html``), put together from
the sections of ``report.sections`` (one module per section: see that
package's table).

Every figure comes from ``altar stats`` documents and the cohort's make-up
(``report.data``), never recomputed; every count of children goes through
``altar.disclosure`` (``report.tables``, ``report.protected``) before it
reaches a view, so the views hold printable text, never true counts.
Building is pure: ``report.data`` reads the store once for the regional
report and every summary.
"""

from __future__ import annotations

from dataclasses import dataclass

from altar.disclosure import protect
from altar.report.charts import ChartView
from altar.report.data import AuthorityData, RegionData, ReportOptions
from altar.report.findings import KeyFinding
from altar.report.pen_pictures import PenPictureView, authority_stories, regional_stories
from altar.report.protected import RegionFigures, local_figures, region_figures
from altar.report.sections import adversity, comparison, method, summary
from altar.report.sections.aces import AceSection, aces
from altar.report.sections.cohort import Distribution, TableBlock, cohort_blocks, distributions
from altar.report.sections.comparison import ComparisonGroup, ComparisonRow
from altar.report.sections.differences import Differences, region_differences, regional_differences
from altar.report.sections.groups import GroupStudy, specific_groups
from altar.report.sections.method import (
    CompletenessRow,
    Instrument,
    Suppression,
    completeness,
    instrument,
    sources,
    suppression,
    unknown_share,
)
from altar.report.sections.title import TitlePage, cohort_rows, fingerprint, title_page
from altar.report.tables import ALL, Column, Number, count_number

SUBJECT = "Abuse, loss, trauma, attachment and resilience of children in youth justice"


@dataclass(frozen=True)
class RegionalReport:
    """The context of ``report/regional.html`` (documented at the top of that template)."""

    document_title: str
    title_page: TitlePage
    suppression: Suppression
    synthetic: bool
    findings: tuple[KeyFinding, ...]
    cohort_tables: tuple[TableBlock, ...]
    strata: tuple[Column, ...]
    aces: AceSection
    wider: tuple[adversity.GroupBlock, ...]
    attachment: adversity.GroupBlock
    protective: adversity.GroupBlock
    groups: tuple[GroupStudy, ...]
    differences: tuple[Differences, ...]
    stories: tuple[PenPictureView, ...]
    completeness: tuple[CompletenessRow, ...]
    unknown_share: str
    instrument: Instrument
    who_counts: str  # which children are counted, and how many cases were left out
    sources: tuple[tuple[str, str], ...]


def regional_report(data: RegionData, options: ReportOptions) -> RegionalReport:
    """The regional report's context, from what ``read_region(full=True)`` read."""
    if data.by_sex is None or data.by_ethnicity is None or data.migrated is None:
        raise ValueError("the regional report needs read_region(full=True)")
    rule, book, doc = options.rule, data.book, data.by_stratum
    region = region_figures(data, rule)
    everyone = doc.groups[ALL]
    print_ = fingerprint(
        doc,
        data.by_sex,
        data.by_ethnicity,
        data.migrated,
        cohort_rows(data.cohort),
        data.dates,
        data.authorities,
        state=data.state,
    )
    return RegionalReport(
        document_title=f"{options.region}: regional report on the adversity of children in youth justice",
        title_page=title_page(
            SUBJECT,
            f"Regional report: {options.region}",
            options,
            data,
            ALL,
            count_number(protect(everyone.n, None, rule)),
            print_,
        ),
        suppression=suppression(rule),
        synthetic=data.synthetic,
        findings=tuple(summary.regional_findings(data, region, rule)),
        cohort_tables=cohort_blocks(region),
        strata=region.headline.view.columns,
        aces=aces(data, region, rule),
        wider=adversity.wider(data, region, rule),
        attachment=adversity.attachment(data, region, rule),
        protective=adversity.protective(data, region),
        groups=specific_groups(data, rule),
        differences=regional_differences(data, region, rule),
        stories=regional_stories(data.pen_pictures, doc, rule),
        completeness=tuple(completeness(book, [everyone])),
        unknown_share=unknown_share(book, everyone),
        instrument=instrument(book),
        who_counts=method.who_counts(doc, rule),
        sources=tuple(sources(data.baselines)),
    )


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
    findings: tuple[KeyFinding, ...]
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
    who_counts: str  # which of its children are counted, and how many cases were left out


def authority_summary(
    data: RegionData, region: RegionFigures, local: AuthorityData, options: ReportOptions
) -> AuthoritySummary:
    """One authority's summary against the region (``region``: ``region_figures(data, options.rule)``)."""
    rule, book, doc = options.rule, data.book, local.doc
    mine = local_figures(data, local, rule)
    region_name = f"{options.region} region"
    n_local = count_number(mine.headline.sizes[local.code])
    everyone, own = data.by_stratum.groups[ALL], doc.groups[ALL]
    differences, compared = region_differences(data, region, local, mine, region_name)
    print_ = fingerprint(
        doc,
        data.by_stratum,
        cohort_rows(data.cohort),
        data.dates,
        data.authorities,
        local.name,
        state=data.state,
    )
    return AuthoritySummary(
        document_title=f"{local.name}: summary of local findings ({options.region})",
        title_page=title_page(
            f"Summary of local findings: {local.name}",
            f"{SUBJECT}, {options.region}",
            options,
            data,
            local.code,
            n_local,
            print_,
        ),
        suppression=suppression(rule),
        synthetic=data.synthetic,
        authority=local.name,
        authority_code=local.code,
        region=options.region,
        n=n_local,
        findings=tuple(summary.authority_findings(data, region, local, mine, rule, region_name)),
        cohort=tuple(distributions(data, region, local.code, rule)),
        headline=comparison.headline_rows(region, mine),
        charts=comparison.comparison_charts(data, region, mine, region_name),
        items=comparison.item_groups(data, region, mine),
        differences=tuple(differences),
        compared=compared,
        completeness=tuple(completeness(book, [own, everyone])),
        unknown_share=unknown_share(book, own),
        region_unknown_share=unknown_share(book, everyone),
        stories=authority_stories(data.pen_pictures, local.code),
        instrument=instrument(book),
        who_counts=method.who_counts(doc, rule),
    )


__all__ = ["AuthoritySummary", "RegionalReport", "authority_summary", "regional_report"]
