"""Reference data seeded by `altar init`, and `altar authority list|add`."""

from __future__ import annotations

import json


def test_init_seeds_the_nine_authorities(query, spec):
    codes = [code for (code,) in query("SELECT code FROM authority")]
    assert sorted(codes) == sorted(spec.authorities)
    assert len(codes) == 9


def test_init_seeds_strata_and_cohorts(query, spec):
    assert {code for (code,) in query("SELECT code FROM stratum")} == set(spec.strata)
    assert {code for (code,) in query("SELECT code FROM cohort")} == set(spec.cohorts)


def test_init_registers_the_instrument_version(query):
    rows = query("SELECT name, version FROM instrument_version")
    assert rows == [("altar-screening", 1)]


def test_authority_list_json_has_every_code_with_zero_cases(altar, spec):
    result = altar("authority", "list", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert sorted(r["code"] for r in rows) == sorted(spec.authorities)
    assert {r["cases"] for r in rows} == {0}
    assert {r["name"] for r in rows if r["code"] == "west_mercia"} == {"West Mercia"}


def test_authority_list_counts_cases(altar):
    for ref in ("DUD-1", "DUD-2"):
        assert (
            altar("case", "add", ref, "--authority", "dudley", "--stratum", "custody").exit_code
            == 0
        )
    rows = {r["code"]: r["cases"] for r in json.loads(altar("authority", "list", "--json").stdout)}
    assert rows["dudley"] == 2
    assert rows["coventry"] == 0


def test_authority_add_then_list_shows_it(altar, query):
    result = altar("authority", "add", "stoke_on_trent", "Stoke-on-Trent")
    assert result.exit_code == 0, result.output
    assert "stoke_on_trent" in result.stderr
    assert query("SELECT name FROM authority WHERE code = 'stoke_on_trent'") == [
        ("Stoke-on-Trent",)
    ]
    listing = altar("authority", "list")
    assert listing.exit_code == 0, listing.output
    line = next(line for line in listing.stdout.splitlines() if line.startswith("stoke_on_trent"))
    assert "Stoke-on-Trent" in line


def test_added_authority_can_own_cases(altar, query):
    assert altar("authority", "add", "stoke_on_trent", "Stoke-on-Trent").exit_code == 0
    result = altar(
        "case", "add", "STK-1", "--authority", "Stoke-on-Trent", "--stratum", "community"
    )
    assert result.exit_code == 0, result.output
    assert query(
        "SELECT a.code FROM cases c JOIN authority a ON a.id = c.authority_id WHERE c.case_ref = 'STK-1'"
    ) == [("stoke_on_trent",)]


def test_authority_add_duplicate_code_fails_cleanly(altar, query, assert_user_error):
    result = altar("authority", "add", "dudley", "Dudley Again")
    assert_user_error(result, "dudley", "already exists")
    assert query("SELECT count(*) FROM authority") == [(9,)]


def test_authority_add_duplicate_name_fails_cleanly(altar, query, assert_user_error):
    result = altar("authority", "add", "westmercia2", "west mercia")
    assert_user_error(result, "already exists")
    assert query("SELECT count(*) FROM authority") == [(9,)]


def test_authority_add_twice_fails_second_time(altar, query, assert_user_error):
    assert altar("authority", "add", "stoke_on_trent", "Stoke-on-Trent").exit_code == 0
    assert_user_error(
        altar("authority", "add", "stoke_on_trent", "Stoke-on-Trent"), "stoke_on_trent"
    )
    assert query("SELECT count(*) FROM authority WHERE code = 'stoke_on_trent'") == [(1,)]


def test_authority_add_rejects_a_bad_code(altar, query, assert_user_error):
    result = altar("authority", "add", "Stoke On Trent", "Stoke-on-Trent")
    assert_user_error(result, "authority code")
    assert query("SELECT count(*) FROM authority") == [(9,)]


def test_authority_add_rejects_a_name_longer_than_the_column(altar, query, assert_user_error):
    # SQLite would store it; PostgreSQL enforces the length: both refuse it alike.
    assert_user_error(altar("authority", "add", "long_name", "N" * 121), "120")
    assert query("SELECT count(*) FROM authority") == [(9,)]
