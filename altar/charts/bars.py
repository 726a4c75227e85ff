"""Charts for the regional report and the per-authority summaries.

Each function takes plain numbers (no database) and returns a :class:`Chart`:
SVG text to inline in the HTML report (or to put in an ``<img>`` through
:meth:`Chart.data_uri`), a plain-English ``alt`` text with the key numbers for
screen readers, and the ``marks`` actually drawn, so tests and report checks
can see what the chart shows without parsing paths.

Conventions every chart follows:

- matplotlib only, through :class:`matplotlib.figure.Figure` and the Agg
  canvas, never ``pyplot``: no global figure registry, nothing leaks. Style is
  set inside :func:`matplotlib.rc_context` for the one chart being drawn (and
  a lock keeps two threads from drawing at once, since rcParams are global).
- 16 cm wide (A4 text width at 1:1 in the PDF), text 8-11 pt, text kept as
  SVG ``<text>`` in a generic sans-serif family so it is small, selectable and
  rendered by browsers and WeasyPrint alike. Layout is measured with DejaVu
  Sans, the widest common sans-serif, so a reader's substitute font fits.
- Okabe-Ito colours (safe for the common colour-vision deficiencies), one
  fixed colour per stratum and per comparison series (:data:`SERIES_COLOURS`).
- Percentages on a 0-100% axis, the value printed at the end of each bar,
  95% intervals as black lines where given, n in every legend entry.
- ``None`` for a value means *withheld* (small-number suppression, shown as
  ``c``): no bar and no interval is drawn for it, only a ``c`` where the bar
  would start, and the alt text says figures were withheld. Nothing drawn
  has a length that reveals a withheld count.
- The same input gives byte-identical SVG: no dates or version metadata, and
  the SVG's internal ids are derived from the input, prefixed with the chart's
  own id so that several charts can be inlined in one HTML page.

Example:

>>> chart = comparison_chart(
...     "Key findings: Dudley and the region",
...     [("Known or suspected abuse", Prevalence(0.9, 0.74, 0.97), Prevalence(0.85, 0.8, 0.89)),
...      ("Child sexual exploitation", None, Prevalence(0.12, 0.08, 0.17))],
...     "Dudley", "West Midlands region", local_n=30, region_n=110)
>>> chart.svg.startswith("<svg")
True
>>> [(m.series, m.value) for m in chart.marks if m.category == "Child sexual exploitation"]
[('local', None), ('region', 0.12)]
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import json
import math
import re
import textwrap
import threading
from collections.abc import Mapping, Sequence
from dataclasses import astuple, dataclass
from types import MappingProxyType
from typing import Any

import matplotlib
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator, PercentFormatter

__all__ = [
    "OKABE_ITO",
    "SERIES_COLOURS",
    "WIDTH_CM",
    "Chart",
    "Mark",
    "Prevalence",
    "band_chart",
    "baseline_chart",
    "comparison_chart",
    "prevalence_chart",
]

# Okabe M, Ito K (2008). Color Universal Design (CUD): how to make figures and
# presentations that are friendly to colorblind people. https://jfly.uni-koeln.de/color/
OKABE_ITO: Mapping[str, str] = MappingProxyType(
    {
        "black": "#000000",
        "orange": "#E69F00",
        "sky_blue": "#56B4E9",
        "bluish_green": "#009E73",
        "yellow": "#F0E442",
        "blue": "#0072B2",
        "vermillion": "#D55E00",
        "reddish_purple": "#CC79A7",
    }
)

# One colour per group, the same in every chart. The strata run dark to light
# (custody, community, out of court), so they stay in order when printed in grey.
SERIES_COLOURS: Mapping[str, str] = MappingProxyType(
    {
        "custody": OKABE_ITO["blue"],
        "community": OKABE_ITO["bluish_green"],
        "out_of_court": OKABE_ITO["orange"],
        "all": OKABE_ITO["reddish_purple"],  # the whole research cohort
        "local": OKABE_ITO["vermillion"],  # one authority's children
        "region": OKABE_ITO["sky_blue"],  # the region they are compared with
        "baseline": OKABE_ITO["black"],  # general-population figure (drawn hollow)
    }
)

# Colours for groups without a fixed one (e.g. by sex), taken in this order
# from those not already used in the chart. Yellow is left out: too pale on white.
_SPARE = tuple(
    OKABE_ITO[c]
    for c in ("vermillion", "reddish_purple", "sky_blue", "blue", "bluish_green", "orange", "black")
)
MAX_GROUPS = len(_SPARE)

WIDTH_CM = 16.0
_WIDTH_IN = WIDTH_CM / 2.54
_INK = "#1a1a1a"
_GRID = "#d9d9d9"
_TITLE_PT, _TEXT_PT, _SMALL_PT = 11, 9, 8
_BAR_IN = 0.14  # thickness of one horizontal bar (holds an 8 pt value label)
_GAP_IN = 0.16  # space between the bar blocks of two items
_LABEL_WRAP = 30  # characters per line of an item label
_TITLE_WRAP = 66  # bold 11 pt across 16 cm
_WITHHELD = "c"
_NOTE_ANSWERED = "Percentages are of the children whose records answer the item."
_NOTE_CI = "Black lines: 95% confidence intervals."
_NOTE_WITHHELD = "c: figure withheld to protect confidentiality."
_ALT_WITHHELD = "Some figures are withheld to protect confidentiality (shown as c)."
_NO_METADATA = {"Creator": None, "Date": None, "Format": None, "Type": None}
_LOCK = threading.RLock()


@dataclass(frozen=True)
class Prevalence:
    """A proportion (0..1) with its 95% interval, e.g. known-or-suspected.

    ``low`` and ``high`` are the interval's ends, both or neither (no error
    bar is drawn without them). From an ``altar stats`` item:
    ``Prevalence(item["pct_known_or_suspected"], *item["ci95_known_or_suspected"])``.
    """

    pct: float
    low: float | None = None
    high: float | None = None

    def __post_init__(self) -> None:
        for name in ("pct", "low", "high"):
            value = getattr(self, name)
            if value is None and name != "pct":
                continue
            if (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or not math.isfinite(value)
            ):
                raise ValueError(f"Prevalence.{name} must be a finite number, got {value!r}")
            if not 0 <= value <= 1:
                raise ValueError(
                    f"Prevalence.{name} must be a proportion between 0 and 1, got {value!r}"
                )
        if (self.low is None) != (self.high is None):
            raise ValueError("Prevalence needs both ends of the interval or neither")
        if (
            self.low is not None
            and self.high is not None
            and not self.low - 1e-9 <= self.pct <= self.high + 1e-9
        ):
            raise ValueError(
                f"Prevalence interval [{self.low}, {self.high}] does not contain {self.pct}"
            )


@dataclass(frozen=True)
class Mark:
    """One cell of a chart: a drawn bar, or a withheld value shown as ``c``.

    ``series`` is the group key (or ``local``/``region``/``all``/``baseline``),
    ``category`` the item or band label, ``value`` the drawn bar's length as a
    proportion, or None when the value was withheld and no bar was drawn.
    """

    series: str
    category: str
    value: float | None


@dataclass(frozen=True)
class Chart:
    """A rendered chart.

    ``svg`` is a standalone ``<svg>`` element (no XML prologue) to inline in
    HTML; it carries ``<title>`` and ``<desc>`` for assistive technology and
    an ``id`` (``altar-chart-...``) that prefixes every id inside it. ``alt``
    is the text for ``alt=``/``aria-label``; ``title`` the chart's title;
    ``marks`` what was drawn, in drawing order.
    """

    svg: str
    alt: str
    title: str
    marks: tuple[Mark, ...] = ()

    @property
    def id(self) -> str:
        """The root ``<svg>`` element's id."""
        found = re.search(r'<svg [^>]*\bid="([^"]+)"', self.svg)
        return found.group(1) if found else ""

    def data_uri(self) -> str:
        """The SVG as a ``data:image/svg+xml;base64,...`` URI for ``<img src>``."""
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode("utf-8")).decode(
            "ascii"
        )


# --- the four charts ---------------------------------------------------------------------------------------------


def prevalence_chart(
    title: str,
    items: Sequence[tuple[str, Mapping[str, Prevalence | None]]],
    groups: Sequence[tuple[str, str, int]],
    *,
    measure: str = "known or suspected",
) -> Chart:
    """Horizontal grouped bars: for each item, the share of each group's children.

    Parameters
    ----------
    title : str
        Shown above the chart.
    items : sequence of ``(item label, {group key: Prevalence | None})``
        In display order, top to bottom. Every group key must be present;
        None means withheld. E.g. the ten ACEs, or one wider-adversity group.
    groups : sequence of ``(group key, display label, n)``
        In display order; n is the number of children in the group, shown as
        "Custody (n = 38)". Strata keys (``custody``, ``community``,
        ``out_of_court``) get their fixed colours. A group with n = 0 draws no
        bars (its values must be None) and is named in a note.
    measure : str
        What the percentage counts, for the axis and the alt text.
    """
    groups = _check_groups(groups)
    keys = [key for key, _, _ in groups]
    rows: list[tuple[str, list[Prevalence | None]]] = []
    for label, values in items:
        _check_keys(f"item {label!r}", values, keys)
        rows.append(
            (
                str(label),
                [_check_prevalence(values[k], f"item {label!r}, group {k!r}") for k in keys],
            )
        )
    empty = [(key, label) for key, label, n in groups if n == 0]
    for label, values_ in rows:
        for (key, _, n), value in zip(groups, values_):
            if n == 0 and value is not None:
                raise ValueError(
                    f"item {label!r}: group {key!r} has no children but a value {value.pct}"
                )
    shown = [(i, g) for i, g in enumerate(groups) if g[2] > 0]
    spec = (
        "prevalence",
        title,
        measure,
        [(lab, [_plain(v) for v in values_]) for lab, values_ in rows],
        groups,
    )
    if not rows or not shown:
        return _no_data(
            title, spec, "No items to show." if not rows else "No children in any group."
        )

    colours = _colours(keys)
    series = [_Series(key, _with_n(label, n), colours[i]) for i, (key, label, n) in shown]
    cells = [[_Cell(cells_[i]) for i, _ in shown] for _, cells_ in rows]
    categories = [label for label, _ in rows]
    extra = [_NOTE_ANSWERED] + (
        [f"No children in: {', '.join(lab for _, lab in empty)}."] if empty else []
    )
    notes = _notes(cells, ci=True, extra=extra)

    def draw(fig: Figure) -> list[Mark]:
        return _hbars(fig, categories, series, cells, f"Children {measure} (%)")

    alt = [
        f"Horizontal bar chart: for each of {_count(len(rows), 'item')}, the percentage of children for whom it "
        f"is {measure}, in {_and([s.label for s in series])}."
    ]
    for j, s in enumerate(series):
        known = [
            (categories[r], v) for r in range(len(rows)) if (v := cells[r][j].value) is not None
        ]
        top = sorted(known, key=lambda kv: -kv[1].pct)[:3]
        if top:
            lead = "most often " if len(known) > 3 else ""
            alt.append(f"{s.label}: {lead}{_and([f'{lab} {_pct(v.pct)}' for lab, v in top])}.")
    alt += [f"No children in {_and([lab for _, lab in empty])}."] if empty else []
    return _render(
        spec, title, series, draw, _hbar_height(len(rows), series, title, notes), notes, alt, cells
    )


def band_chart(
    title: str,
    bands: Sequence[str],
    groups: Sequence[tuple[str, str, int, Mapping[str, int | None]]],
    *,
    xlabel: str = "Score band",
) -> Chart:
    """Vertical grouped bars: the percentage of each group's children in each score band.

    Parameters
    ----------
    title : str
        Shown above the chart.
    bands : sequence of str
        Band labels in order, e.g. ``["0", "1", "2-3", "4+"]``. The bands must
        cover every child: each group's counts add up to its n.
    groups : sequence of ``(group key, display label, n, {band: count | None})``
        n children in the group; a count of None is withheld. A group with
        exactly one withheld band is refused (``ValueError``): n minus the
        others would reveal it, so a second band must be withheld too
        (secondary suppression). A group with n = 0 draws no bars.
    xlabel : str
        The score's name, e.g. "ACE score (how many of the ten ACEs)".

    Percentages are count / n for each group.
    """
    bands = [str(b) for b in bands]
    if len(set(bands)) != len(bands):
        raise ValueError(f"band labels must be unique, got {bands}")
    checked = _check_groups([(key, label, n) for key, label, n, *_ in groups])
    keys = [key for key, _, _ in checked]
    table: list[list[int | None]] = []
    for key, _, n, counts in groups:
        _check_keys(f"group {key!r}", counts, bands)
        row = [_check_count(counts[b], f"group {key!r}, band {b!r}") for b in bands]
        known = sum(c for c in row if c is not None)
        withheld = sum(c is None for c in row)
        if known > n or (withheld == 0 and bands and known != n):
            raise ValueError(f"group {key!r}: band counts add up to {known}, but n is {n}")
        if withheld == 1 and n > 0:
            raise ValueError(
                f"group {key!r}: only one band is withheld, so n minus the other bands reveals it; "
                "withhold a second band (secondary suppression)"
            )
        table.append(row)
    spec = (
        "band",
        title,
        xlabel,
        bands,
        [(k, lab, n, row) for (k, lab, n), row in zip(checked, table)],
    )
    shown = [i for i, (_, _, n) in enumerate(checked) if n > 0]
    if not bands or not shown:
        return _no_data(
            title, spec, "No score bands to show." if not bands else "No children in any group."
        )

    colours = _colours(keys)
    series = [_Series(keys[i], _with_n(checked[i][1], checked[i][2]), colours[i]) for i in shown]

    def share(count: int | None, n: int) -> _Cell:
        return _Cell(None if count is None else Prevalence(count / n))

    cells = [[share(table[i][b], checked[i][2]) for i in shown] for b in range(len(bands))]
    empty = [checked[i][1] for i in range(len(checked)) if i not in shown]
    notes = _notes(cells, ci=False, extra=[f"No children in: {', '.join(empty)}."] if empty else [])

    def draw(fig: Figure) -> list[Mark]:
        return _vbars(fig, bands, series, cells, xlabel, "Children in the group (%)")

    alt = [
        f"Vertical bar chart of the percentage of children by {_lower_first(xlabel)} ({_and(bands)}), "
        f"for {_and([s.label for s in series])}."
    ]
    for j, s in enumerate(series):
        values = [_pct(v.pct) if (v := row[j].value) is not None else "withheld" for row in cells]
        alt.append(f"{s.label}: {_and(values)}{' respectively' if len(bands) > 1 else ''}.")
    alt += [f"No children in {_and(empty)}."] if empty else []
    height = _frame_in(series, title, notes) + 0.6 + 2.6
    return _render(spec, title, series, draw, height, notes, alt, cells)


def baseline_chart(
    title: str,
    rows: Sequence[tuple[str, Prevalence | None, float, str]],
    *,
    cohort_label: str = "Children in the research",
    cohort_n: int | None = None,
    measure: str = "known or suspected",
) -> Chart:
    """Paired horizontal bars: the cohort's prevalence against a general-population figure.

    Parameters
    ----------
    title : str
        Shown above the chart.
    rows : sequence of ``(item label, cohort Prevalence | None, baseline pct, source)``
        The cohort's share with its 95% interval (None: withheld), the
        published general-population proportion (0..1) and a short name of
        its source shown beside it, e.g. "CDC-Kaiser 1998".
    cohort_label, cohort_n : str, int
        The legend entry for the cohort, shown as "label (n = cohort_n)".
    measure : str
        What the cohort percentage counts, for the axis and the alt text.

    The baseline bars are hollow (no interval), and the chart and its alt
    text say that the baselines are adults' recall of their own childhood,
    not case records about children.
    """
    checked: list[tuple[str, Prevalence | None, Prevalence, str]] = []
    for label, cohort, baseline, source in rows:
        cohort = _check_prevalence(cohort, f"row {label!r}")
        if baseline is None:
            raise ValueError(
                f"row {label!r}: a baseline proportion is required (leave out items without one)"
            )
        checked.append(
            (
                str(label),
                cohort,
                Prevalence(baseline),  # its own checks name the bad value
                str(source),
            )
        )
    if cohort_n is not None:
        _check_count(cohort_n, "cohort_n")
    spec = (
        "baseline",
        title,
        cohort_label,
        cohort_n,
        measure,
        [(lab, _plain(c), b.pct, src) for lab, c, b, src in checked],
    )
    if not checked:
        return _no_data(title, spec, "No items to show.")

    sources = sorted({src for *_, src in checked})
    one_source = f" ({sources[0]})" if len(sources) == 1 else ""  # else each bar names its source
    series = [
        _Series("all", _with_n(cohort_label, cohort_n), SERIES_COLOURS["all"]),
        _Series(
            "baseline",
            f"General population{one_source}: adults recalling their own childhood",
            SERIES_COLOURS["baseline"],
            hollow=True,
        ),
    ]
    cells = [
        [_Cell(c), _Cell(b, text=None if one_source else f"{_pct(b.pct)} ({src})")]
        for _, c, b, src in checked
    ]
    categories = [label for label, *_ in checked]
    caveat = (
        "General-population figures are adults' recall of their own childhood in surveys, "
        "not case records about children: the comparison is indicative only."
    )
    notes = _notes(cells, ci=True, extra=[_NOTE_ANSWERED, caveat])

    def draw(fig: Figure) -> list[Mark]:
        return _hbars(
            fig, categories, series, cells, f"Children {measure} / general population (%)"
        )

    alt = [
        f"Horizontal bar chart comparing the percentage of {series[0].label.lower()} {measure} "
        f"with general-population figures, for {_count(len(checked), 'item')}."
    ]
    for label, cohort, base, src in checked:
        alt.append(f"{label}: {_pct_ci(cohort)} against {_pct(base.pct)} ({src}).")
    alt.append(caveat)
    return _render(
        spec,
        title,
        series,
        draw,
        _hbar_height(len(checked), series, title, notes),
        notes,
        alt,
        cells,
    )


def comparison_chart(
    title: str,
    rows: Sequence[tuple[str, Prevalence | None, Prevalence | None]],
    local_label: str,
    region_label: str,
    *,
    local_n: int | None = None,
    region_n: int | None = None,
) -> Chart:
    """Paired horizontal bars: an authority's key figures next to the region's.

    Parameters
    ----------
    title : str
        Shown above the chart.
    rows : sequence of ``(label, local Prevalence | None, region Prevalence | None)``
        One key figure per row, e.g. "Known or suspected abuse"; None is
        withheld. The region's figure is rarely withheld, but may be.
    local_label, region_label : str
        Legend names, e.g. "Dudley" and "West Midlands region".
    local_n, region_n : int, optional
        Children in each, shown as "Dudley (n = 12)". Give them: every
        legend entry of a published chart should carry its n.
    """
    checked = [
        (
            str(label),
            _check_prevalence(local, f"row {label!r}: local"),
            _check_prevalence(region, f"row {label!r}: region"),
        )
        for label, local, region in rows
    ]
    for name, n in (("local_n", local_n), ("region_n", region_n)):
        if n is not None:
            _check_count(n, name)
    spec = (
        "comparison",
        title,
        local_label,
        region_label,
        local_n,
        region_n,
        [(lab, _plain(lo), _plain(re_)) for lab, lo, re_ in checked],
    )
    if not checked:
        return _no_data(title, spec, "No figures to show.")

    series = [
        _Series("local", _with_n(local_label, local_n), SERIES_COLOURS["local"]),
        _Series("region", _with_n(region_label, region_n), SERIES_COLOURS["region"]),
    ]
    cells = [[_Cell(lo), _Cell(re_)] for _, lo, re_ in checked]
    categories = [label for label, *_ in checked]
    notes = _notes(cells, ci=True)

    def draw(fig: Figure) -> list[Mark]:
        return _hbars(fig, categories, series, cells, "Children (%)")

    alt = [
        f"Horizontal bar chart comparing {series[0].label} with {series[1].label}, "
        f"for {_count(len(checked), 'figure')}."
    ]
    for label, lo, re_ in checked:
        alt.append(f"{label}: {local_label} {_pct_ci(lo)}, {region_label} {_pct_ci(re_)}.")
    return _render(
        spec,
        title,
        series,
        draw,
        _hbar_height(len(checked), series, title, notes),
        notes,
        alt,
        cells,
    )


# --- drawing -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Series:
    key: str
    label: str  # legend text, with n
    colour: str
    hollow: bool = False  # outline only: a reference figure without an interval


@dataclass(frozen=True)
class _Cell:
    value: Prevalence | None  # None: withheld
    text: str | None = None  # value label, if not just the percentage


def _hbars(
    fig: Figure, categories: list[str], series: list[_Series], cells: list[list[_Cell]], xlabel: str
) -> list[Mark]:
    """Grouped horizontal bars, first category at the top, series top to bottom within it."""
    ax = fig.add_subplot()
    k = len(series)
    pitch = k * _BAR_IN + _GAP_IN
    thick = _BAR_IN / pitch  # one bar, in data units (one category = 1)
    marks = []
    for i, row in enumerate(cells):
        for j, (s, cell) in enumerate(zip(series, row)):
            y = i - k * thick / 2 + (j + 0.5) * thick
            gid = f"{_slug(s.key)}-{i}"
            v = cell.value
            if v is None:
                ax.text(
                    0.006,
                    y,
                    _WITHHELD,
                    ha="left",
                    va="center",
                    fontsize=_SMALL_PT,
                    fontstyle="italic",
                    gid=f"withheld-{gid}",
                )
                marks.append(Mark(s.key, categories[i], None))
                continue
            style = (
                dict(facecolor="white", edgecolor=s.colour, linewidth=0.9)
                if s.hollow
                else dict(color=s.colour)
            )
            (bar,) = ax.barh(y, v.pct, height=thick * 0.88, gid=f"bar-{gid}", **style)
            marks.append(Mark(s.key, categories[i], float(bar.get_width())))
            end = v.pct
            if v.low is not None and v.high is not None:
                cap = thick * 0.28
                ax.plot(
                    [v.low, v.high, math.nan, v.low, v.low, math.nan, v.high, v.high],
                    [y, y, math.nan, y - cap, y + cap, math.nan, y - cap, y + cap],
                    color=_INK,
                    linewidth=0.9,
                    solid_capstyle="butt",
                    gid=f"ci-{gid}",
                )
                end = max(end, v.high)
            ax.text(
                end + 0.012,
                y,
                cell.text or _pct(v.pct),
                ha="left",
                va="center",
                fontsize=_SMALL_PT,
                clip_on=False,
                gid=f"value-{gid}",
            )
    ax.set_ylim(len(categories) - 0.5, -0.5)
    ax.set_yticks(range(len(categories)), [_wrap(c, _LABEL_WRAP) for c in categories])
    ax.tick_params(axis="y", length=0, pad=6)
    _percent_axis(ax.xaxis, ax)
    ax.grid(axis="x", color=_GRID, linewidth=0.6)
    ax.set_xlabel(xlabel, loc="left")
    return marks


def _vbars(
    fig: Figure,
    bands: list[str],
    series: list[_Series],
    cells: list[list[_Cell]],
    xlabel: str,
    ylabel: str,
) -> list[Mark]:
    """Grouped vertical bars, one block per band, series left to right within it."""
    ax = fig.add_subplot()
    k = len(series)
    width = 0.84 / k
    # A value label must fit across its bar (about 4 characters of 8 pt text), else it stands upright.
    bar_pt = (_WIDTH_IN * 72 - 80) / len(bands) * width
    rotation = 0 if bar_pt >= 4 * 0.62 * _SMALL_PT else 90
    marks = []
    for b, row in enumerate(cells):
        for j, (s, cell) in enumerate(zip(series, row)):
            x = b - k * width / 2 + (j + 0.5) * width
            gid = f"{_slug(s.key)}-{b}"
            v = cell.value
            if v is None:
                ax.text(
                    x,
                    0.008,
                    _WITHHELD,
                    ha="center",
                    va="bottom",
                    fontsize=_SMALL_PT,
                    fontstyle="italic",
                    gid=f"withheld-{gid}",
                )
                marks.append(Mark(s.key, bands[b], None))
                continue
            (bar,) = ax.bar(x, v.pct, width=width * 0.9, color=s.colour, gid=f"bar-{gid}")
            marks.append(Mark(s.key, bands[b], float(bar.get_height())))
            ax.text(
                x,
                v.pct + 0.012,
                _pct(v.pct),
                ha="center",
                va="bottom",
                fontsize=_SMALL_PT,
                rotation=rotation,
                clip_on=False,
                gid=f"value-{gid}",
            )
    ax.set_xlim(-0.5, len(bands) - 0.5)
    ax.set_xticks(range(len(bands)), bands)
    ax.tick_params(axis="x", length=0, pad=5)
    _percent_axis(ax.yaxis, ax)
    ax.grid(axis="y", color=_GRID, linewidth=0.6)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return marks


def _percent_axis(axis: Any, ax: Axes) -> None:
    (ax.set_xlim if axis is ax.xaxis else ax.set_ylim)(0, 1)
    axis.set_major_locator(FixedLocator([0, 0.25, 0.5, 0.75, 1]))
    axis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
    ax.set_axisbelow(True)


def _legend(fig: Figure, series: list[_Series], title: str) -> None:
    """The title and below it the legend, at the top left, in as many columns as fit the width.

    The title is the legend's title so that the two never overlap (a figure
    legend placed outside the plot and a ``suptitle`` do).
    """
    handles = [
        Patch(facecolor="white", edgecolor=s.colour, linewidth=0.9, label=s.label)
        if s.hollow
        else Patch(color=s.colour, label=s.label)
        for s in series
    ]
    ncols = _legend_columns(series)
    handles = [
        h for j in range(ncols) for h in handles[j::ncols]
    ]  # matplotlib fills columns first: read across rows
    fig.legend(
        handles=handles,
        loc="outside upper left",
        ncols=ncols,
        frameon=False,
        title=_wrap(title, _TITLE_WRAP),
        alignment="left",
        borderaxespad=0.3,
        labelspacing=0.7,
        title_fontproperties={"size": _TITLE_PT, "weight": "bold"},
        handlelength=1.4,
        handleheight=0.9,
        columnspacing=1.8,
        fontsize=_TEXT_PT,
    )


def _legend_columns(series: list[_Series]) -> int:
    """As many as fit across the figure (DejaVu Sans averages under 0.6 em a character)."""
    widths = [
        len(s.label) * 0.6 * _TEXT_PT + 36 for s in series
    ]  # label, handle and spacing, in points
    ncols = len(series)
    while (
        ncols > 1
        and max(sum(widths[i : i + ncols]) for i in range(0, len(widths), ncols))
        > (_WIDTH_IN - 0.2) * 72
    ):
        ncols -= 1
    return ncols


def _hbar_height(n_items: int, series: list[_Series], title: str, notes: list[str]) -> float:
    item_in = max(len(series) * _BAR_IN + _GAP_IN, 0.36)  # at least two lines of label
    return n_items * item_in + _frame_in(series, title, notes) + 0.5  # x axis: ticks and label


def _frame_in(series: list[_Series], title: str, notes: list[str]) -> float:
    """Height of the title, legend, notes and margins, in inches."""
    title_lines = len(_wrap(title, _TITLE_WRAP).splitlines())
    legend_rows = math.ceil(len(series) / _legend_columns(series)) if series else 0
    note_lines = sum(len(n.splitlines()) for n in notes)
    return 0.15 + title_lines * 0.2 + legend_rows * 0.22 + note_lines * 0.16


# --- rendering ---------------------------------------------------------------------------------------------------


def _render(
    spec: Any,
    title: str,
    series: list[_Series],
    draw: Any,
    height_in: float,
    notes: list[str],
    alt: list[str],
    cells: list[list[_Cell]],
) -> Chart:
    withheld = any(c.value is None for row in cells for c in row)
    alt_text = " ".join(alt + ([_ALT_WITHHELD] if withheld else []))
    return _save(
        spec, title, alt_text, height_in, lambda fig: _finish(fig, draw(fig), series, title, notes)
    )


def _finish(
    fig: Figure, marks: list[Mark], series: list[_Series], title: str, notes: list[str]
) -> list[Mark]:
    _legend(fig, series, title)
    if notes:
        fig.supxlabel(
            "\n".join(notes),
            x=0.01,
            ha="left",
            fontsize=_SMALL_PT,
            color="#444444",
            linespacing=1.35,
        )
    return marks


def _no_data(title: str, spec: Any, reason: str) -> Chart:
    def draw(fig: Figure) -> list[Mark]:
        fig.suptitle(
            _wrap(title, _TITLE_WRAP), x=0.01, ha="left", fontsize=_TITLE_PT, fontweight="bold"
        )
        fig.text(
            0.5,
            0.45,
            f"No data to show. {reason}",
            ha="center",
            va="center",
            fontsize=_TEXT_PT,
            color="#444444",
            gid="no-data",
        )
        return []

    return _save(spec, title, f"No data to show. {reason}", 0.6 + _frame_in([], title, []), draw)


def _save(spec: Any, title: str, alt: str, height_in: float, draw: Any) -> Chart:
    digest = hashlib.sha256(
        json.dumps(spec, default=str, ensure_ascii=False).encode("utf-8")
    ).hexdigest()
    uid = f"altar-chart-{digest[:12]}"
    with _LOCK, matplotlib.rc_context(_rc(salt=digest, uid=uid)):
        fig = Figure(figsize=(_WIDTH_IN, height_in), layout="constrained")
        FigureCanvasAgg(fig)
        marks = draw(fig)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="svg", metadata=_NO_METADATA)
    svg = _inline_svg(buffer.getvalue().decode("utf-8"), uid, title, alt)
    return Chart(svg=svg, alt=alt, title=title, marks=tuple(marks))


def _rc(salt: str, uid: str) -> Any:  # matplotlib types rc keys as a Literal of every name
    return {
        "svg.fonttype": "none",  # text stays text
        "svg.hashsalt": salt,  # ids derived from the input: byte-identical output
        "svg.id": uid,
        "font.family": "sans-serif",
        "font.sans-serif": [
            "DejaVu Sans",
            "Arial",
            "Helvetica",
        ],  # metrics from DejaVu Sans, shipped with matplotlib
        "font.size": _TEXT_PT,
        "axes.labelsize": _TEXT_PT,
        "xtick.labelsize": _TEXT_PT,
        "ytick.labelsize": _TEXT_PT,
        "legend.fontsize": _TEXT_PT,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.linewidth": 0.8,
        "axes.edgecolor": _INK,
        "axes.labelcolor": _INK,
        "text.color": _INK,
        "xtick.color": _INK,
        "ytick.color": _INK,
        "figure.facecolor": "white",
        "savefig.facecolor": "white",
        "figure.constrained_layout.h_pad": 0.06,
        "figure.constrained_layout.w_pad": 0.06,
        "axes.unicode_minus": False,
        "text.parse_math": False,  # a "$" in a label is a dollar sign
    }


def _inline_svg(text: str, uid: str, title: str, alt: str) -> str:
    """matplotlib's SVG made fit to inline: no prologue, ids and the stylesheet scoped to this chart."""
    text = text[text.index("<svg") :]
    text = re.sub(rf'\bid="(?!{re.escape(uid)}")([^"]+)"', rf'id="{uid}-\1"', text)
    text = re.sub(r"url\(#([^)]+)\)", rf"url(#{uid}-\1)", text)
    text = re.sub(r'xlink:href="#([^"]+)"', rf'xlink:href="#{uid}-\1"', text)
    text = text.replace('<style type="text/css">*{', f'<style type="text/css">#{uid} *{{')
    head_end = text.index(">") + 1
    accessible = f"\n <title>{html.escape(title, quote=False)}</title>\n <desc>{html.escape(alt, quote=False)}</desc>"
    return (
        text[:head_end].replace(' version="1.1"', ' version="1.1" role="img"')
        + accessible
        + text[head_end:]
    )


# --- checks and words --------------------------------------------------------------------------------------------


def _check_groups(groups: Sequence[tuple[str, str, int]]) -> list[tuple[str, str, int]]:
    checked = [(str(key), str(label), _check_n(n, f"group {key!r} n")) for key, label, n in groups]
    keys = [key for key, _, _ in checked]
    if len(set(keys)) != len(keys) or len({_slug(k) for k in keys}) != len(keys):
        raise ValueError(f"group keys must be unique (letters, digits, _ and - count), got {keys}")
    if len(keys) > MAX_GROUPS:
        raise ValueError(
            f"at most {MAX_GROUPS} groups fit a colour-blind-safe palette, got {len(keys)}"
        )
    return checked


def _check_keys(what: str, values: Mapping[str, Any], expected: Sequence[str]) -> None:
    missing = [k for k in expected if k not in values]
    extra = [k for k in values if k not in expected]
    if missing or extra:
        raise ValueError(
            f"{what}: missing {missing}, unexpected {extra} (use None for a withheld value)"
        )


def _check_prevalence(value: Any, what: str) -> Prevalence | None:
    if value is None or isinstance(value, Prevalence):
        return value
    raise ValueError(f"{what}: expected a Prevalence or None, got {value!r}")


def _check_count(value: Any, what: str) -> int | None:
    """A count, or None (withheld, or not given)."""
    return None if value is None else _check_n(value, what)


def _check_n(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{what}: expected a count (a non-negative integer), got {value!r}")
    return value


def _colours(keys: Sequence[str]) -> list[str]:
    fixed = [SERIES_COLOURS.get(k) for k in keys]
    spare = iter(c for c in _SPARE if c not in fixed)
    return [c or next(spare) for c in fixed]


def _notes(cells: list[list[_Cell]], *, ci: bool, extra: Sequence[str] = ()) -> list[str]:
    notes = []
    if ci and any(c.value is not None and c.value.low is not None for row in cells for c in row):
        notes.append(_NOTE_CI)
    if any(c.value is None for row in cells for c in row):
        notes.append(_NOTE_WITHHELD)
    return [_wrap(n, 100) for n in [*notes, *extra]]


def _plain(value: Prevalence | None) -> tuple[float | None, ...] | None:
    return None if value is None else astuple(value)


def _slug(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "_", key) or "_"


def _wrap(text: str, width: int) -> str:
    """Wrap to lines of at most ``width`` characters, balanced so the last line is not a stray word."""
    lines = textwrap.wrap(text, width, break_on_hyphens=False)
    if len(lines) > 1:
        balanced = textwrap.wrap(
            text, math.ceil(len(text) / len(lines)) + 6, break_on_hyphens=False
        )
        lines = balanced if len(balanced) == len(lines) else lines
    return "\n".join(lines) or text


def _pct(p: float) -> str:
    return f"{100 * p:.0f}%"


def _pct_ci(v: Prevalence | None) -> str:
    if v is None:
        return "withheld"
    if v.low is None or v.high is None:
        return _pct(v.pct)
    return f"{_pct(v.pct)} (95% CI {100 * v.low:.0f} to {_pct(v.high)})"


def _lower_first(text: str) -> str:
    """Lower-case the first letter for use mid-sentence, unless the first word is an acronym (ACE)."""
    first = text.split(" ", 1)[0]
    return text if first.isupper() or not text else text[0].lower() + text[1:]


def _with_n(label: str, n: int | None) -> str:
    return label if n is None else f"{label} (n = {n:,})"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _and(words: Sequence[str]) -> str:
    words = list(words)
    return (
        words[0]
        if len(words) == 1
        else ", ".join(words[:-1]) + " and " + words[-1]
        if words
        else ""
    )
