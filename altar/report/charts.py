"""The report's charts, drawn by ``altar.charts.bars`` from the same
protected figures the tables print: a value a table withholds is None here
(drawn as ``c``, no bar), and a group whose size is withheld is left out of
the chart, since every legend entry states its n."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from altar.charts import bars
from altar.report.tables import ALL, ProtectedCross, ProtectedPrevalence, RowSpec


@dataclass(frozen=True)
class ChartView:
    """A chart as the HTML embeds it: an ``<img>`` source (an SVG data URI), its alt text and title."""

    src: str
    alt: str
    title: str


def view(chart: bars.Chart) -> ChartView:
    return ChartView(chart.data_uri(), chart.alt, chart.title)


def prevalence(
    title: str,
    table: ProtectedPrevalence,
    specs: Sequence[RowSpec],
    groups: Sequence[tuple[str, str]],
    *,
    measure: str = "known or suspected",
) -> ChartView | None:
    """Items by group, with 95% intervals; groups whose size is withheld are
    left out, and with fewer than two groups left there is no comparison to
    draw (None)."""
    shown = [(key, label) for key, label in groups if not table.sizes[key].suppressed]
    if len(shown) < 2:
        return None
    items = [
        (spec.label, {key: table.values[(spec.code, key)] for key, _ in shown}) for spec in specs
    ]
    sized = [(key, label, table.sizes[key].count) for key, label in shown]
    return view(bars.prevalence_chart(title, items, sized, measure=measure))


def bands(
    title: str,
    table: ProtectedCross,
    band_labels: Sequence[str],
    groups: Sequence[tuple[str, str]],
    *,
    xlabel: str,
) -> ChartView | None:
    """Score bands by group (and ``all``, the row totals), as percentages of
    each group; a group whose table prints no percentages (its size withheld
    or below the rule's base), or none but zeros, is left out, and with
    fewer than two groups left there is nothing to compare (None)."""
    series = []
    for key, label in groups:
        if key == ALL:
            total = table.grand_total()
            cells = {b: table.row_total(b) for b in band_labels}
        else:
            total = table.column_total(key)
            cells = {b: table.cell(b, key) for b in band_labels}
        if total.suppressed or total.pct is None:
            continue  # its size is withheld, or too small for the table to print percentages
        if all(f.suppressed or not f.count for f in cells.values()):
            continue  # nothing but zeros and withheld cells: no bar to draw
        series.append(
            (
                key,
                label,
                total.count,
                {b: None if f.suppressed else f.count for b, f in cells.items()},
            )
        )
    if len(series) < 2:
        return None
    return view(bars.band_chart(title, list(band_labels), series, xlabel=xlabel))


def baseline(
    title: str,
    rows: Sequence[tuple[str, bars.Prevalence | None, float, str]],
    *,
    cohort_label: str,
    cohort_n: int | None,
) -> ChartView:
    return view(bars.baseline_chart(title, rows, cohort_label=cohort_label, cohort_n=cohort_n))


def comparison(
    title: str,
    rows: Sequence[tuple[str, bars.Prevalence | None, bars.Prevalence | None]],
    local_label: str,
    region_label: str,
    *,
    local_n: int | None,
    region_n: int | None,
) -> ChartView:
    return view(
        bars.comparison_chart(
            title, rows, local_label, region_label, local_n=local_n, region_n=region_n
        )
    )
