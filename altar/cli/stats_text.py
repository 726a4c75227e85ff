"""The ``altar stats`` document as aligned plain-text tables for a terminal.

Percentages have one decimal, intervals are in brackets; every figure comes
from the document, nothing is recomputed here.
"""

from __future__ import annotations

from collections.abc import Sequence

from altar.instrument import Codebook
from altar.stats.describe import Description
from altar.stats.document import ScoreBaseline, StatsDocument


def pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}"


def pct_ci(value: float | None, ci: Sequence[float] | None) -> str:
    if value is None:
        return "-"
    return f"{pct(value)} [{pct(ci[0])}, {pct(ci[1])}]" if ci else pct(value)


def p_value(p: float | None) -> str:
    if p is None:
        return "-"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def grid(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = lambda cells: "  ".join(  # noqa: E731
        str(c).ljust(w) if i == 0 else str(c).rjust(w)
        for i, (c, w) in enumerate(zip(cells, widths))
    ).rstrip()
    return [line(header), "  ".join("-" * w for w in widths), *(line(r) for r in rows)]


def render_stats(doc: StatsDocument, book: Codebook) -> str:
    groups = list(doc.groups)
    out = [
        f"ALTAR adversity statistics: {doc.instrument.name} v{doc.instrument.version}, "
        f"{doc.n_cases} children, by {doc.by}",
        "Filters: " + (", ".join(f"{k}={v}" for k, v in doc.filters.items()) or "none"),
        "Children: " + ", ".join(f"{g} {doc.groups[g].n}" for g in groups),
        doc.who_counts,
    ]
    for title, known_only in (
        ("Known or suspected: % of children whose records answer the item [95% CI]", False),
        (
            "Known (evidenced in the records): % of children whose records answer the item [95% CI]",
            True,
        ),
    ):
        out += ["", title]
        for group in book.groups:
            rows = [
                [
                    _label(item.label + (" (protective)" if item.protective else "")),
                    *(
                        pct_ci(t.pct_known, t.ci95)
                        if known_only
                        else pct_ci(t.pct_known_or_suspected, t.ci95_known_or_suspected)
                        for t in (doc.groups[g].items[item.code] for g in groups)
                    ),
                ]
                for item in group.items
                if item.type == "binary"
            ]
            if rows:
                out += ["", f"  {group.title}"] + ["  " + r for r in grid(["item", *groups], rows)]
    out += _scores(doc, book, groups) + _counts(doc, book, groups) + _chronology(doc, groups)
    out += _comparisons(doc) + _trends(doc) + _baselines(doc)
    out += ["", *(f"Note: {n}" for n in doc.notes)]
    return "\n".join(out)


def _scores(doc: StatsDocument, book: Codebook, groups: list[str]) -> list[str]:
    out = []
    for score in book.scores:
        for code, title in (
            (score.code, "yes answers"),
            (f"{score.code}_incl_suspected", "yes or suspected"),
        ):
            rows = []
            for band in score.bands:
                cells = []
                for g in groups:
                    dist = doc.groups[g].scores[code]
                    count = dist.bands[band]
                    cells.append(f"{count} ({pct(count / dist.n if dist.n else None)}%)")
                rows.append([band, *cells])
            rows.append(["mean", *(_num(doc.groups[g].scores[code].mean) for g in groups)])
            rows.append(
                ["with unknowns", *(str(doc.groups[g].scores[code].n_with_unknown) for g in groups)]
            )
            out += ["", f"{score.label}, counting {title}: children (%)"] + grid(
                ["band", *groups], rows
            )
    return out


def _counts(doc: StatsDocument, book: Codebook, groups: list[str]) -> list[str]:
    rows = []
    for item in book.items:
        if item.type != "count":
            continue
        summaries = [doc.groups[g].counts[item.code] for g in groups]
        rows.append(
            [
                _label(item.label) + ": median (n known)",
                *(f"{_num(s.median)} ({s.n_known})" for s in summaries),
            ]
        )
        for i, threshold in enumerate(item.thresholds):
            rows.append(
                [f"  {threshold} or more: %", *(pct(s.at_or_above[i]["pct"]) for s in summaries)]
            )
    return ["", "Counts"] + grid(["item", *groups], rows) if rows else []


def _chronology(doc: StatsDocument, groups: list[str]) -> list[str]:
    section = doc.chronology  # None unless asked for
    if section is None:
        return []
    figures = [section.groups[g] for g in groups]
    title = "Chronologies: median [quartiles] (children with a value)"
    if not any(f.n_with_chronology for f in figures):
        return [
            "",
            title,
            "  No child in this selection has a chronology (altar chronology add|import).",
        ]
    rows = [["children with a chronology", *(f"{f.n_with_chronology} of {f.n}" for f in figures)]]
    for code, about in section.measures.items():
        rows.append([_label(about.label), *(_quartiles(f.measures[code]) for f in figures)])
    return ["", title] + grid(["measure", *groups], rows) + [f"  Note: {n}" for n in section.notes]


def _quartiles(d: Description) -> str:
    if not d.n:
        return "- (0)"
    return f"{_num(d.median)} [{_num(d.q1)}, {_num(d.q3)}] ({d.n})"


def _comparisons(doc: StatsDocument) -> list[str]:
    rows = [
        [
            _label(c.label),
            c.result.test,
            p_value(c.result.p),
            p_value(c.p_holm),
            c.result.method or c.result.reason or "",
        ]
        for c in doc.comparisons
    ]
    return ["", f"Differences between groups ({doc.by}), known or suspected vs no"] + grid(
        ["item", "test", "p", "p (Holm)", "method"], rows
    )


def _trends(doc: StatsDocument) -> list[str]:
    rows = [
        [
            t.score,
            " < ".join(t.groups) or "-",
            _num(t.result.statistic if t.result else None),
            p_value(t.p),
            t.reason or (t.result.method if t.result else None) or "",
        ]
        for t in doc.trends
    ]
    return ["", "Trend in score bands across ordered groups (linear-by-linear association)"] + grid(
        ["score", "order", "M2", "p", "method"], rows
    )


def _baselines(doc: StatsDocument) -> list[str]:
    rows = []
    for b in doc.baseline:
        ks = b.known_or_suspected
        if b.baseline_prevalence is None or ks is None:
            continue
        rows.append(
            [
                b.item,
                b.baseline,
                pct(b.baseline_prevalence),
                pct_ci(ks.prevalence, ks.ci95),
                _ratio(ks.ratio),
                p_value(ks.p),
                "" if b.confirmed else "unconfirmed",
            ]
        )
    if not rows:
        return []
    notes = sorted(
        {
            f"{b.baseline}: {b.note}"
            for b in doc.baseline
            if isinstance(b, ScoreBaseline) and b.items_measured and b.note
        }
    )
    return [
        "",
        "Against general-population baselines (adults' retrospective self-reports, not case-file evidence "
        "about children): known or suspected %",
        *grid(
            ["item", "baseline", "baseline %", "cohort % [95% CI]", "ratio", "p (exact)", "figure"],
            rows,
        ),
        *(f"  ({n})" for n in notes),
        "  'unconfirmed': seen only in a secondary source; check the study before citing (see the baseline file).",
    ]


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}".rstrip("0").rstrip(".")


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _label(text: str, width: int = 46) -> str:
    return text if len(text) <= width else text[: width - 3].rstrip() + "..."
