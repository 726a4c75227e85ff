"""`altar demo DIR`: a clearly labelled SYNTHETIC cohort built through the real paths."""

from __future__ import annotations

import json
import shutil
import sqlite3

import pytest
from click.testing import CliRunner

from altar.cli import cli


def _rows(path, sql, params=()):  # type: ignore[no-untyped-def]
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def demo_dir(demo_release):
    """The session's demo (conftest), read only."""
    return demo_release


@pytest.fixture(scope="module")
def second_demo(demo_release, tmp_path_factory):
    """`altar demo DIR --format html` where a demo was already built: a copy of
    the session's database, without its reports, so that the folder shows
    what this run wrote."""
    directory = tmp_path_factory.mktemp("second") / "demo"
    shutil.copytree(demo_release[0], directory, ignore=shutil.ignore_patterns("reports"))
    (n_first,) = _rows(directory / "altar.db", "SELECT count(*) FROM cases")[0]
    result = CliRunner().invoke(
        cli, ["demo", str(directory), "--format", "html"], env={"ALTAR_DB": None}, prog_name="altar"
    )
    assert result.exit_code == 0, result.output
    return directory, result, n_first


def test_demo_builds_a_database_of_about_110_cases(demo_dir):
    directory, _ = demo_dir
    db = directory / "altar.db"
    assert db.exists()
    (n,) = _rows(db, "SELECT count(*) FROM cases")[0]
    assert 100 <= n <= 120


def test_demo_covers_every_authority_stratum_and_cohort(demo_dir, spec):
    db = demo_dir[0] / "altar.db"
    authorities = {
        code
        for (code,) in _rows(
            db, "SELECT DISTINCT a.code FROM cases c JOIN authority a ON a.id = c.authority_id"
        )
    }
    assert authorities == set(spec.authorities)
    assert {s for (s,) in _rows(db, "SELECT DISTINCT stratum FROM cases")} == set(spec.strata)
    assert {c for (c,) in _rows(db, "SELECT DISTINCT cohort FROM cases")} == set(spec.cohorts)


def test_demo_has_unknown_and_suspected_answers(demo_dir, spec):
    db = demo_dir[0] / "altar.db"
    assert _rows(db, "SELECT count(*) FROM answer WHERE value = 'unknown'")[0][0] > 0
    assert _rows(db, "SELECT count(*) FROM answer WHERE value = 'suspected'")[0][0] > 0
    assert _rows(db, "SELECT count(*) FROM answer WHERE value IS NULL AND count IS NULL")[0][0] > 0
    # every case has a complete screening
    (n_cases,) = _rows(db, "SELECT count(*) FROM cases")[0]
    assert _rows(db, "SELECT count(*) FROM answer")[0][0] == n_cases * len(spec.items)


def test_demo_case_refs_are_synthetic(demo_dir):
    refs = [r for (r,) in _rows(demo_dir[0] / "altar.db", "SELECT case_ref FROM cases")]
    assert refs and all(ref.startswith("SYN-") for ref in refs)


def test_demo_is_marked_synthetic(demo_dir):
    _, result = demo_dir
    assert "SYNTHETIC" in result.stderr
    meta = dict(_rows(demo_dir[0] / "altar.db", "SELECT key, value FROM meta"))
    assert meta.get("synthetic") == "true"


def test_demo_database_works_with_other_commands(demo_dir, run):
    db = demo_dir[0] / "altar.db"
    result = run(["--db", db, "case", "list", "--json", "--authority", "dudley"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows and {r["authority"] for r in rows} == {"dudley"}
    assert {r["status"] for r in rows} == {"complete"}


def test_demo_html_only_writes_no_pdf(second_demo):
    directory, result, _ = second_demo
    written = sorted(p.name for p in (directory / "reports").iterdir())
    assert len(written) == 10 and all(name.endswith(".html") for name in written)
    assert ".pdf" not in result.stdout


def test_demo_twice_replaces_the_demo(second_demo):
    directory, _, n_first = second_demo
    assert _rows(directory / "altar.db", "SELECT count(*) FROM cases") == [(n_first,)]
    assert _rows(
        directory / "altar.db", "SELECT count(*) FROM cases WHERE case_ref NOT LIKE 'SYN-%'"
    ) == [(0,)]


def test_demo_refuses_to_replace_a_real_database(run, tmp_path, init_db, assert_user_error):
    directory = tmp_path / "project"
    directory.mkdir()
    real = init_db(directory / "altar.db")
    added = run(
        ["--db", real, "case", "add", "REAL-1", "--authority", "dudley", "--stratum", "custody"]
    )
    assert added.exit_code == 0, added.output
    before = real.read_bytes()

    result = run(["demo", directory])

    assert_user_error(result, "not a demo database")
    assert real.read_bytes() == before
    assert _rows(real, "SELECT case_ref FROM cases") == [("REAL-1",)]
    assert _rows(real, "SELECT count(*) FROM meta WHERE key = 'synthetic'") == [(0,)]
    assert not (directory / "synthetic_cohort.csv").exists()


def test_demo_asked_for_pdf_without_weasyprint_builds_nothing(
    run, tmp_path, monkeypatch, assert_user_error
):
    import altar.cli.report as command

    monkeypatch.setattr(
        command, "pdf_problem", lambda: "PDF output needs WeasyPrint: pip install 'altar[pdf]'"
    )
    directory = tmp_path / "demo"
    assert_user_error(
        run(["demo", directory, "--format", "pdf"]), "pip install 'altar[pdf]'", exit_code=8
    )
    assert not directory.exists()


def test_demo_has_chronologies_stories_and_approved_pen_pictures(demo_dir):
    directory, result = demo_dir
    db = directory / "altar.db"
    (children,) = _rows(db, "SELECT count(*) FROM cases")[0]
    with_events = _rows(db, "SELECT count(DISTINCT case_id) FROM chronology_event")[0][0]
    assert 0.8 * children <= with_events < children  # some case files hold no chronology
    assert _rows(db, "SELECT count(DISTINCT case_id) FROM story_version")[0][0] >= 10
    titles = [
        t for (t,) in _rows(db, "SELECT title FROM pen_picture WHERE approved_at IS NOT NULL")
    ]
    assert len(titles) == 3
    regional = (directory / "reports" / "regional-report.html").read_text(encoding="utf-8")
    assert all(title.replace("'", "&#39;") in regional for title in titles)
    # Every event comes before its child's screening.
    late = _rows(
        db,
        "SELECT count(*) FROM chronology_event e JOIN screening s ON s.case_id = e.case_id "
        "WHERE e.occurred_on > s.screened_on",
    )
    assert late == [(0,)]
    assert "story show" in result.output
