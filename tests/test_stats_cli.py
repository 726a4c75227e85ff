"""`altar stats` on an imported cohort, checked against an independent
computation from the CSV with pandas, statsmodels and SciPy (never against
altar's own functions)."""

from __future__ import annotations

import csv
import io
import json
import math
import re

import pandas as pd
import pytest
from scipy.stats import binomtest, chi2_contingency
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

from altar.instrument import current_codebook
from altar.synthetic import scaled_rows

ACE = [
    "ace_emotional_abuse",
    "ace_physical_abuse",
    "ace_sexual_abuse",
    "ace_emotional_neglect",
    "ace_physical_neglect",
    "ace_domestic_violence",
    "ace_household_substance_misuse",
    "ace_household_mental_illness",
    "ace_parental_separation",
    "ace_household_incarceration",
]
# The definition: neglect counts once whichever kind.
ABUSE_TYPES = [
    ["ace_physical_abuse"],
    ["ace_emotional_abuse"],
    ["ace_sexual_abuse"],
    ["ace_physical_neglect", "ace_emotional_neglect"],
    ["ace_domestic_violence"],
    ["criminal_exploitation"],
    ["sexual_exploitation"],
]


def band(score: int, bands: list[str]) -> str:
    for label in bands:
        if label.endswith("+") and score >= int(label[:-1]):
            return label
        lo, _, hi = label.partition("-")
        if int(lo) <= score <= int(hi or lo):
            return label
    raise AssertionError(score)


@pytest.fixture(scope="module")
def cohort(tmp_path_factory, module_db):
    """A 400-child synthetic cohort as a CSV, and a database it was imported into."""
    from click.testing import CliRunner

    from altar.cli import cli

    folder = tmp_path_factory.mktemp("cohort")
    rows = list(scaled_rows(current_codebook(), 400, seed=11))
    path = folder / "cohort.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    db = module_db
    result = CliRunner().invoke(cli, ["--db", str(db), "import", str(path)])
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    # The CSV contract: an empty binary cell means unknown.
    for code in [i.code for i in current_codebook().items if i.type == "binary"]:
        frame[code] = frame[code].replace("", "unknown")
    return db, frame


def stats_json(db, *args):
    from click.testing import CliRunner

    from altar.cli import cli

    result = CliRunner().invoke(cli, ["--db", str(db), "stats", "--json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def groups_of(frame: pd.DataFrame, by: str):
    yield from frame.groupby(by)
    yield "all", frame


@pytest.mark.parametrize("by", ["stratum", "authority", "sex"])
def test_binary_tallies_match_pandas_and_statsmodels(cohort, by):
    db, frame = cohort
    doc = stats_json(db, "--by", by)
    assert doc["n_cases"] == len(frame) and doc["by"] == by
    binary = [i.code for i in current_codebook().items if i.type == "binary"]
    for name, part in groups_of(frame, by):
        group = doc["groups"][name]
        assert group["n"] == len(part)
        for code in binary:
            counts = part[code].value_counts()
            yes, sus, no = (int(counts.get(a, 0)) for a in ("yes", "suspected", "no"))
            got = group["items"][code]
            assert (got["yes"], got["suspected"], got["no"], got["unknown"]) == (
                yes,
                sus,
                no,
                len(part) - yes - sus - no,
            )
            answered = yes + sus + no
            assert got["answered"] == answered
            assert got["pct_known"] == pytest.approx(yes / answered, abs=1e-9)
            assert got["pct_known_or_suspected"] == pytest.approx((yes + sus) / answered, abs=1e-9)
            assert got["pct_all"] == pytest.approx(yes / len(part), abs=1e-9)
            assert got["ci95"] == pytest.approx(
                list(proportion_confint(yes, answered, method="wilson")), abs=1e-9
            )
            assert got["ci95_known_or_suspected"] == pytest.approx(
                list(proportion_confint(yes + sus, answered, method="wilson")), abs=1e-9
            )


def assert_scores_match_a_hand_count(doc, frame):
    for present, suffix in ((("yes",), ""), (("yes", "suspected"), "_incl_suspected")):
        ace = frame[ACE].isin(present).sum(axis=1)
        abuse = sum(frame[c].isin(present).any(axis=1).astype(int) for c in ABUSE_TYPES)
        for name, part in groups_of(frame, "stratum"):
            for code, scores, bands, items in (
                ("ace_score", ace, ["0", "1", "2-3", "4+"], ACE),
                ("abuse_types", abuse, ["0", "1", "2", "3", "4+"], sum(ABUSE_TYPES, [])),
            ):
                got = doc["groups"][name][code + suffix]
                mine = scores.loc[part.index]
                expected = dict.fromkeys(bands, 0)
                for s in mine:
                    expected[band(int(s), bands)] += 1
                assert {b: got[b] for b in bands} == expected
                assert got["mean"] == pytest.approx(mine.mean(), abs=1e-9)
                assert got["median"] == pytest.approx(mine.median(), abs=1e-9)
                unknowns = (~part[items].isin(["yes", "suspected", "no"])).any(axis=1).sum()
                assert got["n_with_unknown"] == unknowns


def test_score_bands_match_a_hand_count(cohort):
    db, frame = cohort
    assert_scores_match_a_hand_count(stats_json(db), frame)


def test_scores_follow_amendments(cohort, tmp_path, run, init_db):
    """Scores are kept with each screening: an --update that changes answers
    (and one that moves a child to another stratum) must move them too."""
    _, frame = cohort
    db = init_db(tmp_path / "amend.db")
    original = tmp_path / "original.csv"
    frame.replace("unknown", "").to_csv(original, index=False)
    assert run(["--db", db, "import", original]).exit_code == 0
    amended = frame.copy()
    amended.loc[0:39, ACE] = "yes"
    amended.loc[40:79, ["ace_physical_abuse", "criminal_exploitation"]] = "suspected"
    amended.loc[80:99, "stratum"] = "custody"
    changed = tmp_path / "amended.csv"
    amended.replace("unknown", "").to_csv(changed, index=False)
    result = run(["--db", db, "import", "--update", changed])
    assert result.exit_code == 0, result.output
    assert_scores_match_a_hand_count(stats_json(db), amended)


def test_count_items_match_pandas(cohort):
    db, frame = cohort
    doc = stats_json(db)
    for name, part in groups_of(frame, "stratum"):
        values = pd.to_numeric(part["secondary_schools_count"], errors="coerce").dropna()
        got = doc["groups"][name]["counts"]["secondary_schools_count"]
        assert got["n_known"] == len(values)
        assert got["unknown"] == len(part) - len(values)
        assert got["mean"] == pytest.approx(values.mean(), abs=1e-9)
        assert got["median"] == pytest.approx(values.median(), abs=1e-9)
        assert (got["min"], got["max"]) == (values.min(), values.max())
        three = next(t for t in got["at_or_above"] if t["threshold"] == 3)
        assert three["n"] == (values >= 3).sum()


def test_comparisons_use_chi_square_or_fisher_and_holm(cohort):
    db, frame = cohort
    doc = stats_json(db)
    assert any("Holm" in note for note in doc["notes"])
    raw = [c["p"] for c in doc["comparisons"]]
    assert [c["p_holm"] for c in doc["comparisons"]] == pytest.approx(
        list(multipletests(raw, method="holm")[1]), abs=1e-12
    )
    checked = 0
    for entry in doc["comparisons"]:
        table = []
        for _, part in frame.groupby("stratum"):
            present = part[entry["item"]].isin(["yes", "suspected"]).sum()
            table.append([present, (part[entry["item"]] == "no").sum()])
        chi2, p, dof, expected = chi2_contingency(table, correction=False)
        if expected.min() >= 5:
            assert entry["test"] == "chi_square"
            assert entry["statistic"] == pytest.approx(chi2, rel=1e-9)
            assert entry["p"] == pytest.approx(p, rel=1e-9)
            checked += 1
        else:
            assert entry["test"] == "fisher_exact"
            assert entry["method"].startswith("exact")
    assert checked > 20


def test_baseline_uses_exact_binomial_tests(cohort):
    db, frame = cohort
    doc = stats_json(db)
    entry = next(
        b
        for b in doc["baseline"]
        if b["baseline"] == "cdc_kaiser_1998" and b["item"] == "ace_physical_abuse"
    )
    assert entry["baseline_prevalence"] == 0.283
    col = frame["ace_physical_abuse"]
    k, n = col.isin(["yes", "suspected"]).sum(), col.isin(["yes", "suspected", "no"]).sum()
    got = entry["known_or_suspected"]
    assert got["prevalence"] == pytest.approx(k / n, abs=1e-12)
    assert got["ratio"] == pytest.approx(k / n / 0.283, abs=1e-12)
    assert got["p"] == pytest.approx(binomtest(int(k), int(n), 0.283).pvalue, rel=1e-7)
    neglect = [
        b
        for b in doc["baseline"]
        if b["baseline"] == "wales_2015" and b["item"] == "ace_emotional_neglect"
    ]
    assert neglect and neglect[0]["baseline_prevalence"] is None and "known" not in neglect[0]


def test_filters_and_empty_groups(run, db, write_csv, valid_row, tmp_path):
    rows = [
        valid_row(f"A{i}", stratum="custody", ace_physical_abuse="yes" if i < 3 else "no")
        for i in range(5)
    ]
    rows.append(
        valid_row("B1", stratum="community", authority="coventry", ace_physical_abuse="suspected")
    )
    assert run(["--db", db, "import", write_csv(tmp_path / "c.csv", rows)]).exit_code == 0
    doc = json.loads(run(["--db", db, "stats", "--json"]).stdout)
    assert list(doc["groups"]) == ["custody", "community", "out_of_court", "all"]
    empty = doc["groups"]["out_of_court"]
    assert empty["n"] == 0 and empty["items"]["ace_physical_abuse"]["pct_known"] is None
    assert empty["items"]["ace_physical_abuse"]["ci95"] is None and empty["ace_score"]["4+"] == 0
    one = doc["groups"]["community"]["items"]["ace_physical_abuse"]
    assert (one["n"], one["pct_known"], one["pct_known_or_suspected"]) == (1, 0.0, 1.0)
    only = json.loads(run(["--db", db, "stats", "--json", "--authority", "coventry"]).stdout)
    assert only["n_cases"] == 1 and only["filters"] == {"authority": "coventry"}


def test_unanswered_items_count_as_unknown_and_are_reported(run, db, tmp_path):
    # A screening in progress counts only when asked for (issue 17); then its
    # unanswered items are unknown, never no.
    add = ["--db", db, "case", "add", "X1", "--authority", "dudley", "--stratum", "custody"]
    assert run(add).exit_code == 0
    form = run(["--db", db, "screening", "form", "X1"]).stdout
    (tmp_path / "form.txt").write_text(
        re.sub(r"(?m)^poverty:.*$", "poverty: no", form), encoding="utf-8"
    )
    entered = run(["--db", db, "screening", "enter", "X1", "--from", tmp_path / "form.txt"])
    assert entered.exit_code == 0, entered.output
    default = json.loads(run(["--db", db, "stats", "--json"]).stdout)
    assert default["n_cases"] == 0 and default["left_out"] == {"in_progress": 1, "not_started": 0}
    doc = json.loads(run(["--db", db, "stats", "--json", "--include-in-progress"]).stdout)
    item = doc["groups"]["custody"]["items"]["bullying"]
    assert (item["unknown"], item["not_answered"], item["answered"]) == (1, 1, 0)
    assert doc["groups"]["custody"]["ace_score"]["0"] == 1
    assert doc["groups"]["custody"]["ace_score"]["n_with_unknown"] == 1


def test_human_table_and_long_csv(cohort):
    from click.testing import CliRunner

    from altar.cli import cli

    db, frame = cohort
    table = CliRunner().invoke(cli, ["--db", str(db), "stats"])
    assert table.exit_code == 0, table.output
    assert "Known or suspected" in table.stdout and "Holm" in table.stdout
    physical = frame["ace_physical_abuse"]
    share = (
        physical.isin(["yes", "suspected"]).sum() / physical.isin(["yes", "suspected", "no"]).sum()
    )
    assert f"{100 * share:.1f} [" in table.stdout
    long = CliRunner().invoke(cli, ["--db", str(db), "stats", "--csv"])
    rows = list(csv.DictReader(io.StringIO(long.stdout)))
    assert len(rows) == 4 * len(current_codebook().items)  # three strata and all
    row = next(r for r in rows if r["group"] == "all" and r["item"] == "ace_physical_abuse")
    assert math.isclose(float(row["pct_known_or_suspected"]), share, abs_tol=1e-12)


def test_unknown_authority_filter_is_a_clear_error(altar, assert_user_error):
    assert_user_error(altar("stats", "--authority", "atlantis"), "atlantis")


@pytest.mark.parametrize("by", ["stratum", "authority", "cohort", "sex", "ethnicity"])
def test_stats_on_an_empty_database_is_not_an_error(altar, by):
    result = altar("stats", "--json", "--by", by)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["n_cases"] == 0 and doc["groups"]["all"]["n"] == 0


@pytest.mark.parametrize("by", ["stratum", "authority", "sex"])
def test_the_cli_prints_the_typed_document_and_its_attributes_are_the_json(cohort, by):
    """Reports read the typed document's attributes, outside checks the JSON:
    the two must be the same figures, key for key and in the same order."""
    from click.testing import CliRunner

    from altar.analysis import stats_document
    from altar.baselines import load_baselines
    from altar.cli import cli
    from altar.db import connect
    from altar.stats.document import ScoreBaseline

    db, _ = cohort
    printed = CliRunner().invoke(cli, ["--db", str(db), "stats", "--json", "--by", by])
    assert printed.exit_code == 0, printed.output
    with connect(str(db)).reader() as session:
        doc = stats_document(
            session, current_codebook(), by=by, baselines=load_baselines(), chronologies=True
        )
    assert printed.stdout == json.dumps(doc.to_dict(), indent=2) + "\n"
    data = json.loads(printed.stdout)
    assert (doc.n_cases, doc.by, list(doc.groups)) == (data["n_cases"], by, list(data["groups"]))
    for name, group in doc.groups.items():
        shown = data["groups"][name]
        assert group.n == shown["n"]
        assert (
            group.scores["ace_score_incl_suspected"].bands["4+"]
            == (shown["ace_score_incl_suspected"]["4+"])
        )
        assert (
            group.summary.any_abuse_incl_suspected == (shown["summary"]["any_abuse_incl_suspected"])
        )
        physical = group.items["ace_physical_abuse"]
        assert (physical.yes, physical.not_answered, physical.pct_known_or_suspected) == (
            shown["items"]["ace_physical_abuse"]["yes"],
            shown["items"]["ace_physical_abuse"]["not_answered"],
            shown["items"]["ace_physical_abuse"]["pct_known_or_suspected"],
        )
        schools = group.counts["secondary_schools_count"]
        assert (schools.median, schools.not_answered) == (
            shown["counts"]["secondary_schools_count"]["median"],
            shown["counts"]["secondary_schools_count"]["not_answered"],
        )
    assert [(c.item, c.result.p, c.p_holm) for c in doc.comparisons] == [
        (c["item"], c["p"], c["p_holm"]) for c in data["comparisons"]
    ]
    assert [(t.score, t.test, t.p) for t in doc.trends] == [
        (t["score"], t["test"], t.get("p")) for t in data["trends"]
    ]
    scored = [b for b in doc.baseline if isinstance(b, ScoreBaseline)]
    assert scored and [b.known_or_suspected.prevalence for b in scored] == [
        b["known_or_suspected"]["prevalence"] for b in data["baseline"] if "cohort_items" in b
    ]
    assert doc.chronology is not None
    assert doc.chronology.groups["all"].n == data["chronology"]["groups"]["all"]["n"]
