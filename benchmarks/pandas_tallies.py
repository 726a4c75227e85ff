"""What a researcher would write in pandas for `altar stats --json`'s tallies,
from the CSV `altar export` writes: per stratum and for all children, each
yes/suspected/no item's counts, shares and 95% Wilson intervals, each count
item's summary, and the ACE score and abuse-type bands (with and without
suspected answers), printed as JSON.

Written for speed as a pandas user would: the answers read as categories
(compared as integer codes), each tally one vectorised group-by for every
group at once. With ``text`` the cells are read as strings instead, as
tests/test_stats_cli.py reads the same CSV (without pyarrow, pandas
compares such strings one Python object at a time). It leaves out what altar stats also does (tests between
strata, trends, baselines, chronology measures), so it is a floor for altar
rather than a peer. benchmarks/run.py times it against altar stats on the
same cases and checks that their common numbers agree.

Usage: python benchmarks/pandas_tallies.py EXPORT.csv SPEC.json [text]
SPEC (written by run.py from the codebook): {"binary": [codes], "counts":
{code: [thresholds]}, "scores": {code: {"components": [[codes]], "bands": [...]}}}
"""

from __future__ import annotations

import json
import sys

import numpy as np
import pandas as pd

ANSWERS = ("yes", "suspected", "no", "unanswered")
PRESENT = {"": ("yes",), "_incl_suspected": ("yes", "suspected")}
Z = 1.959963984540054  # the 97.5th centile of the normal distribution
ALL = "all"


def wilson(k: pd.DataFrame, n: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    p = k / n
    centre = (p + Z**2 / (2 * n)) / (1 + Z**2 / n)
    half = Z * np.sqrt(p * (1 - p) / n + Z**2 / (4 * n**2)) / (1 + Z**2 / n)
    return centre - half, centre + half


def with_all(table: pd.DataFrame) -> pd.DataFrame:
    """Per-group sums, and their total as the group "all"."""
    return pd.concat([table, table.sum().to_frame(ALL).T])


def binary_tallies(frame: pd.DataFrame, by: pd.Series, codes: list[str]) -> dict:
    answers = frame[codes]
    n = with_all(by.value_counts().to_frame("n"))["n"]
    tally = {a: with_all(answers.eq(a).groupby(by, observed=True).sum()) for a in ANSWERS}
    answered = tally["yes"] + tally["suspected"] + tally["no"]
    either = tally["yes"] + tally["suspected"]
    known_ci, either_ci = wilson(tally["yes"], answered), wilson(either, answered)
    return {
        group: {
            code: {
                "yes": int(tally["yes"].at[group, code]),
                "suspected": int(tally["suspected"].at[group, code]),
                "no": int(tally["no"].at[group, code]),
                "unknown": int(
                    n[group] - answered.at[group, code] - tally["unanswered"].at[group, code]
                ),
                "answered": int(answered.at[group, code]),
                "pct_known": tally["yes"].at[group, code] / answered.at[group, code],
                "ci95": [known_ci[0].at[group, code], known_ci[1].at[group, code]],
                "pct_known_or_suspected": either.at[group, code] / answered.at[group, code],
                "ci95_known_or_suspected": [
                    either_ci[0].at[group, code],
                    either_ci[1].at[group, code],
                ],
                "pct_all": tally["yes"].at[group, code] / n[group],
            }
            for code in codes
        }
        for group in n.index
    }


def count_summaries(frame: pd.DataFrame, by: pd.Series, counts: dict[str, list[int]]) -> dict:
    out: dict = {}
    for code, thresholds in counts.items():
        values = pd.to_numeric(frame[code].astype(str), errors="coerce")
        for group, part in [*values.groupby(by, observed=True), (ALL, values)]:
            known = part.dropna()
            out.setdefault(group, {})[code] = {
                "n_known": len(known),
                "unknown": len(part) - len(known),
                "mean": known.mean(),
                "median": known.median(),
                "min": known.min(),
                "max": known.max(),
                "at_or_above": [{"threshold": t, "n": int((known >= t).sum())} for t in thresholds],
            }
    return out


def score_bands(frame: pd.DataFrame, by: pd.Series, scores: dict) -> dict:
    out: dict = {}
    for code, score in scores.items():
        columns = sorted({c for component in score["components"] for c in component})
        lows = [int(b.rstrip("+").partition("-")[0]) for b in score["bands"]]
        for suffix, present in PRESENT.items():
            hit = frame[columns].isin(present)
            values = sum(hit[c].any(axis=1).astype(int) for c in score["components"])
            bands = pd.cut(values, [*(lo - 0.5 for lo in lows), np.inf], labels=score["bands"])
            table = with_all(pd.crosstab(by, bands))
            stats = values.groupby(by, observed=True).agg(["mean", "median"])
            stats.loc[ALL] = [values.mean(), values.median()]
            for group in table.index:
                out.setdefault(group, {})[code + suffix] = {
                    **{b: int(table.at[group, b]) for b in score["bands"]},
                    "mean": stats.at[group, "mean"],
                    "median": stats.at[group, "median"],
                }
    return out


def main(path: str, spec_path: str, cells: str = "category") -> None:
    with open(spec_path, encoding="utf-8") as f:
        spec = json.load(f)
    frame = pd.read_csv(path, dtype=str if cells == "text" else "category", keep_default_na=False)
    by = frame["stratum"]
    items = binary_tallies(frame, by, spec["binary"])
    counts = count_summaries(frame, by, spec["counts"])
    scores = score_bands(frame, by, spec["scores"])
    sizes = by.value_counts()
    groups = {
        str(group): {
            "n": int(len(frame) if group == ALL else sizes[group]),
            "items": items[group],
            "counts": counts[group],
            **scores[group],
        }
        for group in items
    }
    json.dump({"n_cases": len(frame), "groups": groups}, sys.stdout, indent=2, default=float)


if __name__ == "__main__":
    main(*sys.argv[1:])
