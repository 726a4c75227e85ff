"""A child's chronology as a timeline, for the working case file only.

One lane per agency, one marker per event labelled with its type; offending
events (offence, arrest, caution, court outcome, custody) are drawn in
vermillion diamonds and the first of them is marked with a dotted line.
A date known only to the month is drawn hollow at the first of the month.
Every figure is stamped "Working case file: not for publication": it names
the case and shows dates, so it never belongs in a published report.

Conventions as in :mod:`altar.charts.bars`: matplotlib's ``Figure`` on the
Agg canvas (no pyplot), style set only inside ``rc_context``, Okabe-Ito
colours, 16 cm wide, and byte-identical output for the same input (no dates
or software versions in the file, SVG ids derived from the input).

>>> from datetime import date
>>> png = timeline_chart("Chronology: DUD-017", [("police", "Police")],
...     [TimelineEvent(date(2019, 3, 4), "day", "police", "Arrest", offending=True)], fmt="png")
>>> png[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
True
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Sequence
from dataclasses import astuple, dataclass
from datetime import date, timedelta
from typing import Any

import matplotlib
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from altar.charts.bars import _LOCK, _NO_METADATA, OKABE_ITO, WIDTH_CM, _rc

__all__ = ["FORMATS", "STAMP", "TimelineEvent", "timeline_chart"]

FORMATS = ("png", "svg")
STAMP = "Working case file: not for publication"
_EVENT, _OFFENDING, _STAMP_COLOUR = (
    OKABE_ITO["blue"],
    OKABE_ITO["vermillion"],
    OKABE_ITO["vermillion"],
)
_LANE_IN, _FRAME_IN = 0.62, 1.5  # height per agency lane; title, stamp, axis and legend
_STAGGER = (
    0.1,
    0.36,
    0.62,
)  # label heights above the lane: a label close after another goes up a step
_NEAR = 0.09  # "close": within this share of the time axis (about one label's width)
_DPI = 150


@dataclass(frozen=True)
class TimelineEvent:
    """One marker: when (``precision`` 'day' or 'month'), in which lane
    (an agency key of ``lanes``), its label, and whether it is offending."""

    when: date
    precision: str
    lane: str
    label: str
    offending: bool = False


def timeline_chart(
    title: str,
    lanes: Sequence[tuple[str, str]],
    events: Sequence[TimelineEvent],
    *,
    fmt: str = "png",
) -> bytes:
    """The timeline as PNG or SVG bytes. ``lanes``: (key, label) top to
    bottom; every event's lane must be one of them."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    keys = [key for key, _ in lanes]
    if not events:
        raise ValueError("no events to draw")
    if unknown := sorted({e.lane for e in events} - set(keys)):
        raise ValueError(f"events in lanes that are not drawn: {unknown}")
    spec = json.dumps([title, list(lanes), [astuple(e) for e in events]], default=str)
    digest = hashlib.sha256(spec.encode("utf-8")).hexdigest()
    with _LOCK, matplotlib.rc_context(_rc(salt=digest, uid=f"altar-timeline-{digest[:12]}")):
        fig = Figure(
            figsize=(WIDTH_CM / 2.54, _FRAME_IN + _LANE_IN * max(len(lanes), 1)),
            layout="constrained",
        )
        FigureCanvasAgg(fig)
        _draw(fig, title, keys, [label for _, label in lanes], events)
        buffer = io.BytesIO()
        metadata = _NO_METADATA if fmt == "svg" else {"Software": None}
        fig.savefig(buffer, format=fmt, dpi=_DPI, metadata=metadata)
    return buffer.getvalue()


def _draw(
    fig: Figure, title: str, keys: list[str], labels: list[str], events: Sequence[TimelineEvent]
) -> None:
    fig.suptitle(title, x=0.01, ha="left", fontsize=11, fontweight="bold")
    fig.text(
        0.99,
        0.995,
        STAMP,
        ha="right",
        va="top",
        fontsize=9,
        fontweight="bold",
        color=_STAMP_COLOUR,
        gid="stamp",
    )
    ax = fig.add_subplot()
    row = {key: len(keys) - 1 - i for i, key in enumerate(keys)}  # first lane on top
    ax.set_yticks(range(len(keys)), labels[::-1])
    ax.set_ylim(-0.5, len(keys) - 0.5 + 0.6)
    for y in range(len(keys)):
        ax.axhline(y, color="#d9d9d9", linewidth=0.8, zorder=0)
    near = timedelta(days=_NEAR * _span_days(events))
    last: dict[str, tuple[date, int]] = {}  # per lane: the last label's date and step
    for event in sorted(events, key=lambda e: (e.when, e.lane, e.label)):
        y = row[event.lane]
        colour = _OFFENDING if event.offending else _EVENT
        previous = last.get(event.lane)
        step = (
            (previous[1] + 1) % len(_STAGGER) if previous and event.when - previous[0] < near else 0
        )
        last[event.lane] = (event.when, step)
        ax.plot(
            [_x(event.when)],
            [y],
            marker="D" if event.offending else "o",
            markersize=7 if event.offending else 6,
            color=colour,
            markerfacecolor="white" if event.precision == "month" else colour,
            markeredgewidth=1.4,
            linestyle="none",
            zorder=3,
        )
        ax.text(
            _x(event.when),
            y + _STAGGER[step],
            event.label,
            fontsize=7,
            rotation=25,
            rotation_mode="anchor",
            ha="left",
            va="bottom",
            color=colour,
            fontweight="bold" if event.offending else "normal",
        )
    _first_offence(ax, events)
    _dates_axis(ax, events)
    ax.legend(
        handles=_legend(events),
        loc="upper center",
        bbox_to_anchor=(0.5, -0.12),
        ncols=4,
        frameon=False,
        fontsize=8,
    )


def _x(when: date) -> Any:
    """A date as an x position: matplotlib converts dates through its units
    registry, which its type stubs do not model (they ask for a float)."""
    return when


def _first_offence(ax: Axes, events: Sequence[TimelineEvent]) -> None:
    offending = [e.when for e in events if e.offending]
    if offending:
        ax.axvline(_x(min(offending)), color=_OFFENDING, linestyle=":", linewidth=1, zorder=1)


def _dates_axis(ax: Axes, events: Sequence[TimelineEvent]) -> None:
    whens = [e.when for e in events]
    span = _span_days(events)
    ax.set_xlim(
        _x(min(whens) - timedelta(days=span // 20 + 30)),
        _x(max(whens) + timedelta(days=span // 6 + 60)),
    )
    locator = AutoDateLocator(maxticks=12)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator, show_offset=False))
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", length=0)


def _span_days(events: Sequence[TimelineEvent]) -> int:
    whens = [e.when for e in events]
    return max((max(whens) - min(whens)).days, 365)


def _legend(events: Sequence[TimelineEvent]) -> list[Line2D]:
    def marker(label: str, shape: str, colour: str, filled: bool = True) -> Line2D:
        return Line2D(
            [],
            [],
            marker=shape,
            linestyle="none",
            color=colour,
            markeredgewidth=1.4,
            markerfacecolor=colour if filled else "white",
            label=label,
        )

    handles = [
        marker("Event", "o", _EVENT),
        marker("Offending (first: dotted line)", "D", _OFFENDING),
    ]
    if any(e.precision == "month" for e in events):
        handles.append(marker("Month known, not the day", "o", _EVENT, filled=False))
    return handles
