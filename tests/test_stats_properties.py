"""Invariants of `altar stats` on random small cohorts, through the real
import and a real SQLite file (hypothesis)."""

from __future__ import annotations

import csv
import json
import tempfile
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from altar.capture.exporter import export_header
from altar.cli import cli
from altar.instrument import current_codebook

BOOK = current_codebook()
BINARY_CELLS = st.sampled_from(["yes", "Y", "suspected", "s", "no", "0", "unknown", ""])
COUNT_CELLS = st.one_of(st.just(""), st.integers(0, 12).map(str))


@st.composite
def cohorts(draw):
    n = draw(st.integers(1, 12))
    rows = []
    for i in range(n):
        row = {
            "case_ref": f"P{i}",
            "authority": draw(st.sampled_from(["dudley", "walsall"])),
            "stratum": draw(st.sampled_from(["custody", "community", "out_of_court"])),
            "cohort": "main",
            "sex": draw(st.sampled_from(["male", "female"])),
            "ethnicity": "unknown",
            "age": "",
            "screened_on": "2021-01-01",
        }
        for item in BOOK.items:
            row[item.code] = draw(BINARY_CELLS if item.type == "binary" else COUNT_CELLS)
        rows.append(row)
    return rows


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=cohorts(), by=st.sampled_from(["stratum", "sex", "authority"]))
def test_tallies_partition_every_group(rows, by):
    with tempfile.TemporaryDirectory() as folder:
        db, data = Path(folder) / "p.db", Path(folder) / "p.csv"
        with data.open("w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=export_header(), extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)
        runner = CliRunner()
        for args in (["init"], ["import", str(data)]):
            assert runner.invoke(cli, ["--db", str(db), *args]).exit_code == 0
        doc = json.loads(
            runner.invoke(cli, ["--db", str(db), "stats", "--json", "--by", by]).stdout
        )
    assert doc["groups"]["all"]["n"] == len(rows)
    assert sum(g["n"] for name, g in doc["groups"].items() if name != "all") == len(rows)
    for group in doc["groups"].values():
        for tally in group["items"].values():
            assert tally["yes"] + tally["suspected"] + tally["no"] + tally["unknown"] == group["n"]
            if tally["ci95"] is not None:
                assert tally["ci95"][0] <= tally["pct_known"] <= tally["ci95"][1]
        for score in BOOK.scores:
            for key in (score.code, f"{score.code}_incl_suspected"):
                assert sum(group[key][b] for b in score.bands) == group["n"]
            # Suspected answers can only add to a score.
            assert group[f"{score.code}_incl_suspected"]["mean"] is None or (
                group[f"{score.code}_incl_suspected"]["mean"] >= group[score.code]["mean"]
            )
    for comparison in doc["comparisons"]:
        assert comparison["p"] is None or 0 <= comparison["p"] <= comparison["p_holm"] <= 1
