"""Section 1 of both documents, "Summary of key findings"
(``regional/findings.html``, ``authority/findings.html``): which findings
to state, in which order, from which figures. The sentences themselves are
written by ``report.findings``, in the research's "known or suspected"
terms; a summary's findings name the region's figure beside its own."""

from __future__ import annotations

from altar.disclosure import Rule, protect
from altar.instrument import Codebook, Item
from altar.report import findings as words
from altar.report.data import AuthorityData, RegionData
from altar.report.findings import GroupShare, KeyFinding
from altar.report.protected import LocalFigures, RegionFigures
from altar.report.sections.aces import short_source
from altar.report.tables import ALL, ProtectedPrevalence
from altar.stats.document import GroupFigures, ScoreBaseline

TOP_ITEMS = 4  # adversities named among the key findings


def regional_findings(data: RegionData, region: RegionFigures, rule: Rule) -> list[KeyFinding]:
    doc, book = data.by_stratum, data.book
    everyone = doc.groups[ALL]
    n = everyone.n
    out = _common_findings(book, everyone, n, rule, baseline=_baseline_for_findings(data))
    top = _top_items(book, everyone, region.items)
    out += [words.item_finding(i.code, i.label, *_ks(everyone, i.code), rule) for i in top]
    out += _count_and_protective(book, everyone, rule)
    strata_trend = next((t for t in doc.trends if t.score == "ace_score_incl_suspected"), None)
    if strata_trend and strata_trend.result and strata_trend.test == "linear_by_linear":
        shares = [
            GroupShare(
                g,
                words.STRATUM_PHRASES.get(g, g),
                protect(
                    doc.groups[g].scores["ace_score_incl_suspected"].bands["4+"],
                    doc.groups[g].n,
                    rule,
                ),
            )
            for g in strata_trend.groups
        ]
        f = words.trend_finding(strata_trend.result, shares)
        if f:
            out.append(f)
    return out


def authority_findings(
    data: RegionData,
    region: RegionFigures,
    local: AuthorityData,
    own: LocalFigures,
    rule: Rule,
    region_name: str,
) -> list[KeyFinding]:
    book, mine = data.book, local.doc.groups[ALL]
    n = mine.n

    def theirs(source: ProtectedPrevalence, code: str) -> str:
        fig = source.figures[(code, ALL)]
        return f"{region_name}: {fig.pct_shown}" if fig.pct is not None else ""

    summary, ace_ks, ace_known = (
        mine.summary,
        mine.scores["ace_score_incl_suspected"].bands,
        mine.scores["ace_score"].bands,
    )
    types = [c.label.lower() for c in book.score("abuse_types").components]
    out = [
        words.abuse_finding(
            summary.any_abuse_incl_suspected or 0,
            n - mine.scores["abuse_types"].bands["0"],
            n,
            types,
            rule,
            region=theirs(region.headline, "any_abuse"),
        ),
        words.ace_finding(
            ace_ks["4+"],
            ace_known["4+"],
            n,
            len(book.score("ace_score").components),
            rule,
            region=theirs(region.headline, "ace_4plus"),
        ),
        words.extremes_finding(
            mine.scores["abuse_types_incl_suspected"].bands["4+"],
            mine.scores["abuse_types_incl_suspected"].bands["0"],
            rule,
        ),
    ]
    for item in _top_items(book, mine, own.items, group=local.code):
        out.append(
            words.item_finding(
                item.code,
                item.label,
                *_ks(mine, item.code),
                rule,
                region=theirs(region.items, item.code),
            )
        )
    for item in (i for i in book.items if i.type == "binary" and i.protective):
        t = mine.items[item.code]
        out.append(
            words.protective_finding(
                item.code,
                item.label,
                t.yes,
                t.answered,
                rule,
                region=theirs(region.protective, item.code),
            )
        )
    return out


def _baseline_for_findings(data: RegionData) -> words.BaselineFigure | None:
    """The general-population figure for four or more ACEs that a key finding
    cites: confirmed figures only, the most recent study first."""
    years = {b.key: b for b in data.baselines}
    candidates = [
        e
        for e in data.by_stratum.baseline
        if isinstance(e, ScoreBaseline)
        and e.item == "ace_score 4+"
        and e.confirmed
        and e.baseline in years
    ]
    if not candidates:
        return None
    best = max(candidates, key=lambda e: (years[e.baseline].year, e.baseline))
    b = years[best.baseline]
    source = f"{b.title}, {short_source(b)}"
    return words.BaselineFigure(best.baseline_prevalence, source, best.items_measured)


def _common_findings(
    book: Codebook,
    everyone: GroupFigures,
    n: int,
    rule: Rule,
    *,
    baseline: words.BaselineFigure | None,
) -> list[KeyFinding]:
    summary = everyone.summary
    types = [c.label.lower() for c in book.score("abuse_types").components]
    return [
        words.abuse_finding(
            summary.any_abuse_incl_suspected or 0,
            n - everyone.scores["abuse_types"].bands["0"],
            n,
            types,
            rule,
        ),
        words.ace_finding(
            everyone.scores["ace_score_incl_suspected"].bands["4+"],
            everyone.scores["ace_score"].bands["4+"],
            n,
            len(book.score("ace_score").components),
            rule,
            baseline,
        ),
        words.extremes_finding(
            everyone.scores["abuse_types_incl_suspected"].bands["4+"],
            everyone.scores["abuse_types_incl_suspected"].bands["0"],
            rule,
        ),
    ]


def _count_and_protective(book: Codebook, everyone: GroupFigures, rule: Rule) -> list[KeyFinding]:
    out = []
    for item in (i for i in book.items if i.type == "count"):
        c = everyone.counts[item.code]
        if c.at_or_above and c.n_known:
            step = c.at_or_above[0]
            out.append(
                words.count_finding(
                    item.code, item.label, step["threshold"], step["n"], c.n_known, rule
                )
            )
    for item in (i for i in book.items if i.type == "binary" and i.protective):
        t = everyone.items[item.code]
        if t.answered:
            out.append(words.protective_finding(item.code, item.label, t.yes, t.answered, rule))
    return out


def _ks(figures_: GroupFigures, code: str) -> tuple[int, int]:
    t = figures_.items[code]
    return t.yes + t.suspected, t.answered


def _top_items(
    book: Codebook, figures_: GroupFigures, table: ProtectedPrevalence, *, group: str = ALL
) -> list[Item]:
    """The most prevalent adversities outside the ACEs (the ACEs have their
    own finding), known or suspected, among those whose figure is printed
    and not zero; ties in codebook order."""
    candidates = [
        i
        for i in book.items
        if i.type == "binary"
        and not i.protective
        and i.group != "ace"
        and table.figures[(i.code, group)].pct
        and not table.figures[(i.code, group)].suppressed
    ]
    ranked = sorted(
        enumerate(candidates),
        # a printed, non-zero figure has a percentage
        key=lambda ic: (-(figures_.items[ic[1].code].pct_known_or_suspected or 0.0), ic[0]),
    )
    return [i for _, i in ranked[:TOP_ITEMS]]
