"""The templates' contract with their contexts, the Jinja environment, and
the protected tables the contexts are built from."""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime
from pathlib import Path

import pytest
from jinja2 import UndefinedError

from altar.db.tallies import StoreState
from altar.disclosure import Rule
from altar.report.context import AuthoritySummary, RegionalReport
from altar.report.render import environment, render_html
from altar.report.sections.title import fingerprint
from altar.report.tables import RowSpec, Tally, cross_table, prevalence_table
from altar.resources import templates_dir

TEMPLATES = templates_dir() / "report"
CONTEXTS = {"regional.html": RegionalReport, "authority.html": AuthoritySummary}
PARTIALS = {
    "regional": [RegionalReport],
    "authority": [AuthoritySummary],
    "shared": [RegionalReport, AuthoritySummary],
}


def documented(template: Path) -> list[str]:
    """The context fields a template's opening comment lists (two-space indented names)."""
    comment = re.match(r"\{#-(.*?)-#\}", template.read_text(encoding="utf-8"), re.S).group(1)
    return re.findall(r"^  ([a-z_]+)\s{2,}", comment, re.M)


@pytest.mark.parametrize("name", sorted(CONTEXTS))
def test_each_document_template_documents_exactly_its_context(name):
    fields = [f.name for f in dataclasses.fields(CONTEXTS[name])]
    assert documented(TEMPLATES / name) == fields


@pytest.mark.parametrize(
    "path", sorted(p.relative_to(TEMPLATES) for p in TEMPLATES.rglob("*.html")), ids=str
)
def test_every_template_starts_with_its_documented_context(path):
    text = (TEMPLATES / path).read_text(encoding="utf-8")
    assert text.startswith("{#-"), f"{path} must open with a comment documenting its context"
    assert "Context" in text.split("-#}")[0] or path.name == "macros.html"


@pytest.mark.parametrize("folder", sorted(PARTIALS))
def test_partials_read_only_fields_their_documents_have(folder):
    for path in sorted((TEMPLATES / folder).glob("*.html")):
        used = set(re.findall(r"(?<![\w.])report\.([a-z_]+)", path.read_text(encoding="utf-8")))
        for context in PARTIALS[folder]:
            fields = {f.name for f in dataclasses.fields(context)}
            assert used <= fields, (
                f"{path.name} reads {sorted(used - fields)} not in {context.__name__}"
            )


def test_environment_escapes_everything_and_refuses_missing_figures():
    env = environment()
    assert env.autoescape is True
    template = env.from_string("{{ report.name }}|{{ report.missing }}")
    with pytest.raises(UndefinedError):
        template.render(report={"name": "x"})
    assert env.from_string("{{ x }}").render(x="<b>") == "&lt;b&gt;"


def test_a_context_missing_a_field_fails_the_render():
    @dataclasses.dataclass
    class Partial:
        document_title: str = "t"

    with pytest.raises(UndefinedError):
        render_html("report/regional.html", Partial())


# --- protected tables ---------------------------------------------------------------------------------------------


def test_cross_table_shows_zero_hides_small_counts_and_protects_totals():
    counts = {("a", "x"): 3, ("a", "y"): 12, ("b", "x"): 9, ("b", "y"): 11, ("c", "y"): 7}
    t = cross_table(
        counts,
        [("a", "A"), ("b", "B"), ("c", "C")],
        [("x", "X"), ("y", "Y")],
        Rule(),
        row_heading="R",
    ).view
    cells = {(r.key, c.key): cell for r in t.rows for c, cell in zip(t.columns, r.cells)}
    assert cells[("a", "x")].count.text == "c" and cells[("a", "x")].count.withheld
    assert cells[("c", "x")].count.text == "0" and not cells[("c", "x")].count.withheld
    # Row a's total (15) and column x's total (12) are shown, so a second cell in each is withheld.
    assert cells[("a", "y")].count.withheld and cells[("b", "x")].count.withheld
    assert t.withheld
    assert t.totals.total.count.text == "42"


def test_prevalence_row_protects_the_children_without_the_item_too():
    # 33 of 35 in custody: the 2 without it are as identifying as 2 with it.
    spec = RowSpec(
        "poverty",
        "Poverty",
        False,
        {
            "custody": Tally(33, 35, (0.8, 0.99)),
            "community": Tally(20, 40, (0.35, 0.65)),
            "out_of_court": Tally(10, 30, (0.19, 0.51)),
            "all": Tally(63, 105, (0.5, 0.69)),
        },
    )
    groups = [("custody", "Custody"), ("community", "Community"), ("out_of_court", "Out of court")]
    table = prevalence_table(
        [spec], groups, {"custody": 35, "community": 40, "out_of_court": 30}, Rule()
    )
    cells = dict(zip([c.key for c in table.view.columns], table.view.rows[0].cells))
    assert cells["custody"].count.withheld and cells["custody"].ci == ""
    assert table.values[("poverty", "custody")] is None
    # and one more cell, so the all-children total cannot give custody away
    assert sum(c.count.withheld for c in cells.values()) >= 2
    shown = [c for c in cells.values() if not c.count.withheld]
    assert all(c.ci for c in shown if c.pct.text)


def test_prevalence_table_unsuppressed_shows_everything():
    spec = RowSpec("x", "X", False, {"a": Tally(2, 5, (0.1, 0.7)), "all": Tally(2, 5, (0.1, 0.7))})
    table = prevalence_table([spec], [("a", "A")], {"a": 5}, Rule.off())
    cell = table.view.rows[0].cells[0]
    assert (cell.count.text, cell.answered.text, cell.pct.text) == ("2", "5", "40.0%")
    assert not table.view.withheld


def test_fingerprint_depends_on_figures_and_the_latest_change_only():
    state = StoreState(10, datetime(2026, 1, 1, 12, 0), {"synthetic": "true"})
    base = fingerprint({"n": 110}, [("dudley", 10)], state=state)
    assert base == fingerprint(
        {"n": 110}, [("dudley", 10)], state=StoreState(10, datetime(2026, 1, 1, 12, 0), {})
    )
    assert base != fingerprint({"n": 111}, [("dudley", 10)], state=state)
    assert base != fingerprint(
        {"n": 110}, [("dudley", 10)], state=StoreState(11, datetime(2026, 1, 1, 12, 5), {})
    )
    assert re.fullmatch(r"[0-9a-f]{4}( [0-9a-f]{4}){3}", base)
