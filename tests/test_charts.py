"""The report charts (altar.charts.bars), checked by the structure of the SVG
they produce: parsed with xml.etree, bars found by the ids the charts set,
text read from the <text> elements. Expected numbers are written out here
from the inputs, never taken from the module."""

from __future__ import annotations

import base64
import concurrent.futures
import logging
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import matplotlib
import pytest

from altar.charts.bars import (
    SERIES_COLOURS,
    Chart,
    Prevalence,
    band_chart,
    baseline_chart,
    comparison_chart,
    prevalence_chart,
)

SVG = "{http://www.w3.org/2000/svg}"
STRATA = [
    ("custody", "Custody", 35),
    ("community", "Community", 42),
    ("out_of_court", "Out of court", 33),
]
ITEMS = [
    (
        "Emotional abuse",
        {
            "custody": Prevalence(0.64, 0.47, 0.78),
            "community": Prevalence(0.5, 0.35, 0.65),
            "out_of_court": Prevalence(0.45, 0.3, 0.62),
        },
    ),
    (
        "Sexual abuse",
        {
            "custody": Prevalence(0.35, 0.21, 0.52),
            "community": Prevalence(0.28, 0.16, 0.43),
            "out_of_court": None,
        },
    ),
    (
        "Household member in prison",
        {
            "custody": Prevalence(0.7, 0.53, 0.83),
            "community": None,
            "out_of_court": Prevalence(0.3, 0.17, 0.48),
        },
    ),
]
BANDS = ["0", "1", "2-3", "4+"]
BAND_GROUPS = [
    ("custody", "Custody", 35, {"0": 0, "1": 3, "2-3": 8, "4+": 24}),
    ("community", "Community", 42, {"0": 1, "1": 8, "2-3": 17, "4+": 16}),
    ("out_of_court", "Out of court", 33, {"0": 5, "1": 10, "2-3": 8, "4+": 10}),
]


# --- helpers ---------------------------------------------------------------------------------------------------


def parse(chart: Chart) -> ET.Element:
    root = ET.fromstring(chart.svg)
    assert root.tag == f"{SVG}svg"
    return root


def texts(chart: Chart) -> list[str]:
    """The visible text, one string per <text> element (a wrapped label is several)."""
    return ["".join(t.itertext()) for t in parse(chart).iter(f"{SVG}text")]


def ids(chart: Chart, kind: str) -> dict[str, ET.Element]:
    """Elements whose id is <chart id>-<kind>-<series>-<index>, keyed by '<series>-<index>'."""
    prefix = f"{chart.id}-{kind}-"
    return {
        e.get("id")[len(prefix) :]: e
        for e in parse(chart).iter()
        if (e.get("id") or "").startswith(prefix)
    }


def fill(element: ET.Element) -> str:
    path = element.find(f"{SVG}path")
    assert path is not None
    return re.search(r"fill: (#[0-9a-f]{6})", path.get("style")).group(1)


# --- prevalence_chart -------------------------------------------------------------------------------------------


def test_prevalence_chart_is_svg_with_title_n_labels_and_values():
    chart = prevalence_chart("ACEs by stratum", ITEMS, STRATA)
    words = texts(chart)
    assert "ACEs by stratum" in words
    for label in ("Custody (n = 35)", "Community (n = 42)", "Out of court (n = 33)"):
        assert label in words
    for value in ("64%", "50%", "45%", "35%", "28%", "70%", "30%"):
        assert value in words
    assert "Emotional abuse" in words
    assert [w for w in words if w in {"0%", "25%", "50%", "75%", "100%"}][:5] == [
        "0%",
        "25%",
        "50%",
        "75%",
        "100%",
    ]
    assert chart.title == "ACEs by stratum"
    root = parse(chart)
    assert root.find(f"{SVG}title").text == "ACEs by stratum"
    assert root.find(f"{SVG}desc").text == chart.alt


def test_prevalence_chart_draws_a_bar_and_an_interval_for_every_shown_value_only():
    chart = prevalence_chart("ACEs by stratum", ITEMS, STRATA)
    assert set(ids(chart, "bar")) == {
        "custody-0",
        "community-0",
        "out_of_court-0",
        "custody-1",
        "community-1",
        "custody-2",
        "out_of_court-2",
    }
    assert set(ids(chart, "ci")) == set(ids(chart, "bar"))
    assert set(ids(chart, "withheld")) == {"out_of_court-1", "community-2"}
    for element in ids(chart, "withheld").values():
        assert "".join(element.itertext()).strip() == "c"
        assert element.find(f".//{SVG}path") is None  # a label, no shape
    drawn = {(m.series, m.category): m.value for m in chart.marks}
    assert drawn[("custody", "Emotional abuse")] == pytest.approx(0.64)
    assert drawn[("out_of_court", "Sexual abuse")] is None
    assert drawn[("community", "Household member in prison")] is None
    assert len(chart.marks) == 9


def test_withheld_values_are_said_in_the_alt_text_and_noted():
    chart = prevalence_chart("ACEs by stratum", ITEMS, STRATA)
    assert "withheld to protect confidentiality" in chart.alt
    assert any("withheld to protect confidentiality" in t for t in texts(chart))
    shown = prevalence_chart("ACEs by stratum", ITEMS[:1], STRATA)
    assert "withheld" not in shown.alt
    assert not ids(shown, "withheld")


def test_prevalence_alt_text_names_the_groups_and_the_highest_figures():
    chart = prevalence_chart("ACEs by stratum", ITEMS, STRATA)
    assert "3 items" in chart.alt
    assert "Custody (n = 35)" in chart.alt and "Out of court (n = 33)" in chart.alt
    # Custody's three values in descending order; the others only have two shown.
    assert (
        "Custody (n = 35): Household member in prison 70%, Emotional abuse 64% and Sexual abuse 35%."
        in chart.alt
    )
    assert "Community (n = 42): Emotional abuse 50% and Sexual abuse 28%." in chart.alt
    more = ITEMS + [("Physical abuse", {k: Prevalence(0.1) for k, _, _ in STRATA})]
    assert (
        "Custody (n = 35): most often Household member in prison 70%"
        in prevalence_chart("t", more, STRATA).alt
    )


def test_strata_keep_their_colours_in_every_chart():
    prevalence = prevalence_chart("p", ITEMS, STRATA)
    bands = band_chart("b", BANDS, BAND_GROUPS)
    for key in ("custody", "community", "out_of_court"):
        assert fill(ids(prevalence, "bar")[f"{key}-0"]) == SERIES_COLOURS[key].lower()
        assert fill(ids(bands, "bar")[f"{key}-3"]) == SERIES_COLOURS[key].lower()
    # Order does not matter: a group's colour follows its key.
    reordered = prevalence_chart("p", ITEMS, list(reversed(STRATA)))
    assert fill(ids(reordered, "bar")["custody-0"]) == SERIES_COLOURS["custody"].lower()


def test_other_groups_get_distinct_palette_colours():
    groups = [("female", "Girls", 20), ("male", "Boys", 90)]
    items = [("Sexual abuse", {"female": Prevalence(0.4), "male": Prevalence(0.2)})]
    chart = prevalence_chart("By sex", items, groups)
    colours = {fill(e) for e in ids(chart, "bar").values()}
    assert len(colours) == 2
    assert not ids(chart, "ci")  # no interval given, none drawn
    with pytest.raises(ValueError, match="at most"):
        prevalence_chart("t", [], [(f"g{i}", f"G{i}", 1) for i in range(8)])


def test_a_group_without_children_draws_nothing_and_is_named():
    groups = [("custody", "Custody", 35), ("community", "Community", 0)]
    items = [("Emotional abuse", {"custody": Prevalence(0.64, 0.47, 0.78), "community": None})]
    chart = prevalence_chart("t", items, groups)
    assert set(ids(chart, "bar")) == {"custody-0"}
    assert not ids(chart, "withheld")  # nothing was withheld: there is nobody to count
    assert "No children in Community." in chart.alt
    assert "withheld" not in chart.alt
    with pytest.raises(ValueError, match="no children"):
        prevalence_chart("t", [("x", {"custody": None, "community": Prevalence(0.5)})], groups)


@pytest.mark.parametrize(
    "chart",
    [
        lambda: prevalence_chart("Nothing yet", [], STRATA),
        lambda: prevalence_chart("Nothing yet", [("Emotional abuse", {})], []),
        lambda: prevalence_chart(
            "Nothing yet", [("Emotional abuse", {"custody": None})], [("custody", "Custody", 0)]
        ),
        lambda: band_chart("Nothing yet", [], [(k, lab, n, {}) for k, lab, n in STRATA]),
        lambda: band_chart(
            "Nothing yet", BANDS, [(k, lab, 0, dict.fromkeys(BANDS, 0)) for k, lab, _ in STRATA]
        ),
        lambda: baseline_chart("Nothing yet", []),
        lambda: comparison_chart("Nothing yet", [], "Dudley", "Region"),
    ],
)
def test_empty_input_gives_a_no_data_chart(chart):
    chart = chart()
    words = texts(chart)
    assert "Nothing yet" in words
    assert any(w.startswith("No data to show.") for w in words)
    assert chart.alt.startswith("No data to show.")
    assert chart.marks == ()
    assert not ids(chart, "bar")


# --- band_chart -------------------------------------------------------------------------------------------------


def test_band_chart_shows_each_group_as_percentages_of_its_n():
    chart = band_chart("ACE score by stratum", BANDS, BAND_GROUPS, xlabel="ACE score")
    drawn = {(m.series, m.category): m.value for m in chart.marks}
    assert drawn[("custody", "4+")] == pytest.approx(24 / 35)
    assert drawn[("community", "0")] == pytest.approx(1 / 42)
    assert drawn[("out_of_court", "1")] == pytest.approx(10 / 33)
    assert len(ids(chart, "bar")) == 12
    words = texts(chart)
    for word in (
        "ACE score by stratum",
        "Custody (n = 35)",
        "Community (n = 42)",
        "Out of court (n = 33)",
        "ACE score",
        "0",
        "1",
        "2-3",
        "4+",
        "69%",
        "2%",
        "30%",
    ):
        assert word in words
    assert "Custody (n = 35): 0%, 9%, 23% and 69% respectively." in chart.alt
    assert "Out of court (n = 33): 15%, 30%, 24% and 30% respectively." in chart.alt


def test_band_chart_withholds_without_revealing():
    groups = [
        ("custody", "Custody", 35, {"0": None, "1": None, "2-3": 8, "4+": 24}),
        *BAND_GROUPS[1:],
    ]
    chart = band_chart("ACE score", BANDS, groups)
    assert set(ids(chart, "withheld")) == {"custody-0", "custody-1"}
    assert "custody-0" not in ids(chart, "bar") and "custody-1" not in ids(chart, "bar")
    assert "Custody (n = 35): withheld, withheld, 23% and 69% respectively." in chart.alt
    assert "withheld to protect confidentiality" in chart.alt


def test_band_chart_refuses_a_single_withheld_band_that_n_would_reveal():
    groups = [("custody", "Custody", 35, {"0": None, "1": 3, "2-3": 8, "4+": 24})]
    with pytest.raises(ValueError, match="secondary suppression"):
        band_chart("ACE score", BANDS, groups)


@pytest.mark.parametrize(
    ("counts", "match"),
    [
        ({"0": 0, "1": 3, "2-3": 8, "4+": 20}, "add up to 31, but n is 35"),
        ({"0": 10, "1": 3, "2-3": 8, "4+": 24}, "add up to 45"),
        ({"0": 0, "1": 3, "2-3": 8}, "missing"),
        ({"0": 0, "1": 3, "2-3": 8, "4+": 24, "5+": 0}, "unexpected"),
        ({"0": 0, "1": 3.0, "2-3": 8, "4+": 24}, "count"),
        ({"0": 0, "1": -3, "2-3": 8, "4+": 30}, "count"),
    ],
)
def test_band_chart_rejects_inconsistent_counts(counts, match):
    with pytest.raises(ValueError, match=match):
        band_chart("t", BANDS, [("custody", "Custody", 35, counts)])


# --- baseline_chart ---------------------------------------------------------------------------------------------


BASELINE_ROWS = [
    ("Emotional abuse", Prevalence(0.58, 0.49, 0.67), 0.106, "CDC-Kaiser 1998"),
    ("Physical abuse", Prevalence(0.50, 0.40, 0.59), 0.283, "CDC-Kaiser 1998"),
    ("Household member in prison", None, 0.047, "CDC-Kaiser 1998"),
]


def test_baseline_chart_pairs_the_cohort_with_hollow_baseline_bars():
    chart = baseline_chart("Against the general population", BASELINE_ROWS, cohort_n=110)
    bars = ids(chart, "bar")
    assert set(bars) == {"all-0", "all-1", "baseline-0", "baseline-1", "baseline-2"}
    assert fill(bars["all-0"]) == SERIES_COLOURS["all"].lower()
    assert fill(bars["baseline-0"]) == "#ffffff"  # hollow: a reference without an interval
    assert set(ids(chart, "ci")) == {"all-0", "all-1"}
    assert set(ids(chart, "withheld")) == {"all-2"}
    drawn = {(m.series, m.category): m.value for m in chart.marks}
    assert drawn[("baseline", "Household member in prison")] == pytest.approx(0.047)
    words = texts(chart)
    assert "Children in the research (n = 110)" in words
    assert any(
        "CDC-Kaiser 1998" in w and "adults recalling" in w for w in words
    )  # one source: in the legend
    assert {"58%", "11%", "50%", "28%", "5%"} <= set(words)


def test_baseline_alt_text_gives_both_figures_and_the_caveat():
    chart = baseline_chart("t", BASELINE_ROWS, cohort_n=110)
    assert "Emotional abuse: 58% (95% CI 49 to 67%) against 11% (CDC-Kaiser 1998)." in chart.alt
    assert "Household member in prison: withheld against 5% (CDC-Kaiser 1998)." in chart.alt
    assert "not case records about children" in chart.alt
    assert "withheld to protect confidentiality" in chart.alt
    assert any("not case records about children" in t for t in texts(chart))


def test_baseline_chart_names_each_source_when_they_differ():
    rows = [BASELINE_ROWS[0], ("Physical abuse", Prevalence(0.5, 0.4, 0.59), 0.17, "Wales 2015")]
    words = texts(baseline_chart("t", rows))
    assert "11% (CDC-Kaiser 1998)" in words and "17% (Wales 2015)" in words


def test_baseline_chart_needs_a_baseline_figure():
    with pytest.raises(ValueError, match="baseline proportion is required"):
        baseline_chart("t", [("Emotional neglect", Prevalence(0.49), None, "Wales 2015")])
    with pytest.raises(ValueError, match="between 0 and 1"):
        baseline_chart("t", [("Emotional neglect", Prevalence(0.49), 14.0, "Wales 2015")])


# --- comparison_chart -------------------------------------------------------------------------------------------


COMPARISON_ROWS = [
    ("Poverty", Prevalence(0.7, 0.4, 0.89), Prevalence(0.65, 0.55, 0.74)),
    ("Looked after (in care)", None, Prevalence(0.38, 0.29, 0.47)),
    ("Child sexual exploitation", Prevalence(0.0, 0.0, 0.32), Prevalence(0.17, 0.11, 0.25)),
]


def test_comparison_chart_puts_the_authority_beside_the_region():
    chart = comparison_chart(
        "Dudley and the region",
        COMPARISON_ROWS,
        "Dudley",
        "West Midlands",
        local_n=10,
        region_n=110,
    )
    words = texts(chart)
    assert {
        "Dudley and the region",
        "Dudley (n = 10)",
        "West Midlands (n = 110)",
        "70%",
        "65%",
        "38%",
    } <= set(words)
    bars = ids(chart, "bar")
    assert set(bars) == {"local-0", "region-0", "region-1", "local-2", "region-2"}
    assert fill(bars["local-0"]) == SERIES_COLOURS["local"].lower()
    assert fill(bars["region-0"]) == SERIES_COLOURS["region"].lower()
    assert set(ids(chart, "withheld")) == {"local-1"}
    # A true zero is a figure (a zero-length bar labelled 0%), not a withheld one.
    assert {(m.series, m.category): m.value for m in chart.marks}[
        ("local", "Child sexual exploitation")
    ] == 0.0
    assert "0%" in words


def test_comparison_alt_text():
    chart = comparison_chart(
        "t", COMPARISON_ROWS, "Dudley", "West Midlands", local_n=10, region_n=110
    )
    assert chart.alt.startswith(
        "Horizontal bar chart comparing Dudley (n = 10) with West Midlands (n = 110)"
    )
    assert (
        "Poverty: Dudley 70% (95% CI 40 to 89%), West Midlands 65% (95% CI 55 to 74%)." in chart.alt
    )
    assert (
        "Looked after (in care): Dudley withheld, West Midlands 38% (95% CI 29 to 47%)."
        in chart.alt
    )
    assert "withheld to protect confidentiality" in chart.alt


def test_comparison_region_may_be_withheld_too():
    chart = comparison_chart(
        "t", [("Unaccompanied asylum-seeking child", None, None)], "Dudley", "Region"
    )
    assert set(ids(chart, "withheld")) == {"local-0", "region-0"}
    assert not ids(chart, "bar")


# --- output properties shared by every chart --------------------------------------------------------------------


def render_all() -> list[Chart]:
    return [
        prevalence_chart("ACEs by stratum", ITEMS, STRATA),
        band_chart("ACE score", BANDS, BAND_GROUPS),
        baseline_chart("Baselines", BASELINE_ROWS, cohort_n=110),
        comparison_chart("Dudley", COMPARISON_ROWS, "Dudley", "Region", local_n=10, region_n=110),
        prevalence_chart("Empty", [], STRATA),
    ]


@pytest.fixture(scope="module")
def charts() -> list[Chart]:
    """One of each chart (charts are immutable, so tests can share them)."""
    return render_all()


def test_same_input_gives_byte_identical_svg(charts):
    first, second = charts, render_all()
    for a, b in zip(first, second):
        assert a.svg == b.svg
        assert a.alt == b.alt
    svg = first[0].svg
    assert "<metadata" not in svg and "Matplotlib" not in svg and "<dc:date" not in svg
    assert not svg.startswith("<?xml")


def test_different_charts_have_different_ids_and_every_reference_resolves(charts):
    assert len({c.id for c in charts}) == len(charts)
    for chart in charts:
        assert chart.id.startswith("altar-chart-")
        found = [e.get("id") for e in parse(chart).iter() if e.get("id")]
        assert len(found) == len(set(found)), "duplicate ids"
        assert all(i == chart.id or i.startswith(chart.id + "-") for i in found)
        refs = re.findall(r'url\(#([^)]+)\)|href="#([^"]+)"', chart.svg)
        assert {a or b for a, b in refs} <= set(found)
        assert f"#{chart.id} *{{" in chart.svg  # matplotlib's stylesheet is scoped to this chart


def test_charts_are_16_cm_wide_with_text_of_at_least_8_pt(charts):
    for chart in charts:
        root = parse(chart)
        assert float(root.get("width").removesuffix("pt")) == pytest.approx(16 / 2.54 * 72)
        assert root.get("viewBox").split()[2] == root.get("width").removesuffix(
            "pt"
        )  # 1 user unit = 1 pt
        sizes = [float(m) for m in re.findall(r"font-size: ([0-9.]+)px", chart.svg)]
        assert sizes and min(sizes) >= 8
        assert (
            "font-family: 'DejaVu Sans'" in chart.svg and "sans-serif" in chart.svg
        )  # text, generic fallback
        assert root.find(f".//{SVG}text") is not None


def test_data_uri_decodes_to_the_svg(charts):
    chart = charts[1]
    uri = chart.data_uri()
    assert uri.startswith("data:image/svg+xml;base64,")
    assert base64.b64decode(uri.split(",", 1)[1]).decode("utf-8") == chart.svg


def test_markup_in_labels_is_escaped():
    items = [("Abuse & <neglect> costs $5", {"custody": Prevalence(0.5)})]
    chart = prevalence_chart("Title & <b>", items, [("custody", "Custody & co", 3)])
    parse(chart)  # well-formed
    words = texts(chart)
    assert "Title & <b>" in words and "Custody & co (n = 3)" in words
    assert any("$5" in w for w in words)  # a dollar sign, not mathtext


def test_rendering_leaves_global_matplotlib_state_alone():
    before = dict(matplotlib.rcParams)
    band_chart("ACE score", BANDS, BAND_GROUPS)
    assert dict(matplotlib.rcParams) == before
    code = (
        "import sys; from altar.charts.bars import band_chart; "
        "band_chart('t', ['0'], [('custody', 'Custody', 1, {'0': 1})]); "
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot imported'"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_concurrent_rendering_is_deterministic():
    expected = prevalence_chart("ACEs by stratum", ITEMS, STRATA).svg
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        results = list(
            pool.map(lambda _: prevalence_chart("ACEs by stratum", ITEMS, STRATA).svg, range(8))
        )
    assert all(r == expected for r in results)


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ((1.2,), "between 0 and 1"),
        ((0.5, 0.6, 0.9), "does not contain"),
        ((0.5, 0.4), "both ends"),
        ((float("nan"),), "finite"),
        ((True,), "finite number"),
    ],
)
def test_prevalence_rejects_bad_numbers(args, match):
    with pytest.raises(ValueError, match=match):
        Prevalence(*args)


@pytest.mark.parametrize(
    ("items", "groups", "match"),
    [
        ([("x", {"custody": Prevalence(0.5)})], STRATA, "missing"),
        (
            [("x", {"custody": 0.5, "community": None, "out_of_court": None})],
            STRATA,
            "expected a Prevalence",
        ),
        ([], [("custody", "Custody", 3), ("custody", "Again", 4)], "unique"),
        ([], [("custody", "Custody", True)], "count"),
        ([], [("custody", "Custody", -1)], "count"),
    ],
)
def test_prevalence_chart_rejects_malformed_input(items, groups, match):
    with pytest.raises(ValueError, match=match):
        prevalence_chart("t", items, groups)


def test_weasyprint_renders_the_charts_inline_and_as_images(charts, caplog):
    weasyprint = pytest.importorskip("weasyprint")
    images = "".join(f'<figure><img src="{c.data_uri()}" alt="{c.alt}"></figure>' for c in charts)
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        document = weasyprint.HTML(string=f"<html><body>{images}</body></html>").render()
    assert not caplog.records, [r.getMessage() for r in caplog.records]  # the <img> route is clean
    assert document.write_pdf().startswith(b"%PDF")
    # Inline <svg> renders too; WeasyPrint's HTML cascade logs "unknown property" for the SVG
    # style attributes it then applies itself, so only errors are checked here.
    caplog.clear()
    inline = "".join(f"<figure>{c.svg}</figure>" for c in charts)
    with caplog.at_level(logging.ERROR, logger="weasyprint"):
        pdf = weasyprint.HTML(string=f"<html><body>{inline}</body></html>").write_pdf()
    assert pdf.startswith(b"%PDF")
    assert not caplog.records, [r.getMessage() for r in caplog.records]
