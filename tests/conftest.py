"""Shared fixtures for the altar test suite.

Every test that touches a database gets its own SQLite file in tmp_path,
made by the real ``altar init``. Expectations are computed here from the
issue's specification (item codes, groups, answer spellings), never copied
from altar's own output; stored values are read back with the stdlib
``sqlite3`` module.
"""

from __future__ import annotations

import csv
import io
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from altar.cli import cli

# The instrument as the issue specifies it: group -> [(item code, type)], in
# codebook order.
SPEC_GROUPS: dict[str, list[tuple[str, str]]] = {
    "ace": [
        ("ace_emotional_abuse", "binary"),
        ("ace_physical_abuse", "binary"),
        ("ace_sexual_abuse", "binary"),
        ("ace_emotional_neglect", "binary"),
        ("ace_physical_neglect", "binary"),
        ("ace_domestic_violence", "binary"),
        ("ace_household_substance_misuse", "binary"),
        ("ace_household_mental_illness", "binary"),
        ("ace_parental_separation", "binary"),
        ("ace_household_incarceration", "binary"),
    ],
    "abuse_exploitation": [
        ("criminal_exploitation", "binary"),
        ("sexual_exploitation", "binary"),
        ("community_violence_witnessed", "binary"),
        ("bullying", "binary"),
        ("victim_serious_violence", "binary"),
    ],
    "loss": [
        ("parent_death", "binary"),
        ("other_bereavement", "binary"),
        ("parent_contact_lost", "binary"),
        ("pregnancy_loss", "binary"),
        ("is_parent", "binary"),
    ],
    "migration": [("conflict_migration", "binary"), ("unaccompanied_asylum", "binary")],
    "education": [
        ("excluded_primary", "binary"),
        ("excluded_permanent", "binary"),
        ("not_in_education", "binary"),
        ("send", "binary"),
        ("speech_language_needs", "binary"),
        ("exclusions_fixed_term_count", "count"),
        ("secondary_schools_count", "count"),
    ],
    "health": [
        ("unmet_health_needs", "binary"),
        ("mental_health_needs", "binary"),
        ("substance_misuse", "binary"),
        ("self_harm", "binary"),
        ("parent_physical_illness", "binary"),
        ("neurodivergence", "binary"),
        ("traumatic_brain_injury", "binary"),
    ],
    "social_care": [
        ("poverty", "binary"),
        ("known_to_childrens_services", "binary"),
        ("child_protection_plan", "binary"),
        ("looked_after", "binary"),
        ("unstable_housing", "binary"),
    ],
    "attachment_resilience": [
        ("attachment_difficulties", "binary"),
        ("trusted_adult", "binary"),
        ("positive_activity", "binary"),
    ],
}
SPEC_ITEMS: list[str] = [code for items in SPEC_GROUPS.values() for code, _ in items]
SPEC_TYPES: dict[str, str] = {code: kind for items in SPEC_GROUPS.values() for code, kind in items}
SPEC_ITEM_GROUP: dict[str, str] = {code: g for g, items in SPEC_GROUPS.items() for code, _ in items}
COUNT_ITEMS = [code for code in SPEC_ITEMS if SPEC_TYPES[code] == "count"]
BINARY_ITEMS = [code for code in SPEC_ITEMS if SPEC_TYPES[code] == "binary"]

CASE_COLUMNS = ["case_ref", "authority", "stratum", "cohort", "sex", "ethnicity", "age", "screened_on"]
AUTHORITY_CODES = [
    "birmingham", "coventry", "dudley", "sandwell", "solihull",
    "walsall", "wolverhampton", "warwickshire", "west_mercia",
]  # fmt: skip
STRATA = ["custody", "community", "out_of_court"]
COHORTS = ["main", "gang_lens"]


class Spec:
    """The issue's specification, handed to tests as a fixture (test modules
    cannot import conftest under --import-mode=importlib)."""

    groups = SPEC_GROUPS
    items = SPEC_ITEMS
    types = SPEC_TYPES
    item_group = SPEC_ITEM_GROUP
    count_items = COUNT_ITEMS
    binary_items = BINARY_ITEMS
    case_columns = CASE_COLUMNS
    authorities = AUTHORITY_CODES
    strata = STRATA
    cohorts = COHORTS


@pytest.fixture(scope="session")
def spec() -> type[Spec]:
    return Spec


# --- running the CLI -------------------------------------------------------

# Variables from the developer's shell must not leak into a test.
_CLEAN_ENV = {"ALTAR_DB": None, "ALTAR_USER": None, "VISUAL": None, "EDITOR": None}


@pytest.fixture
def run() -> Callable[..., Result]:
    """run(args, env=None, input=None): invoke the real CLI through CliRunner."""
    runner = CliRunner()

    def invoke(args: Sequence[str], *, env: dict[str, str | None] | None = None, input: str | None = None) -> Result:
        return runner.invoke(
            cli, [str(a) for a in args], env={**_CLEAN_ENV, **(env or {})}, input=input, prog_name="altar"
        )

    return invoke


@pytest.fixture
def init_db(run) -> Callable[[Path], Path]:
    """init_db(path): run `altar init` on path and return it."""

    def make(path: Path) -> Path:
        result = run(["--db", path, "init"])
        assert result.exit_code == 0, result.output
        return path

    return make


@pytest.fixture
def db_path(tmp_path, init_db) -> Path:
    return init_db(tmp_path / "altar.db")


@pytest.fixture
def altar(run, db_path) -> Callable[..., Result]:
    """altar(*args, env=None, input=None): the CLI against this test's database."""

    def invoke(*args: object, env: dict[str, str | None] | None = None, input: str | None = None) -> Result:
        return run(["--db", db_path, *map(str, args)], env=env, input=input)

    return invoke


@pytest.fixture
def query(db_path) -> Callable[..., list[tuple]]:
    """query(sql, params=(), db=db_path): rows read with the stdlib sqlite3 module."""

    def fetch(sql: str, params: Sequence[object] = (), db: Path | None = None) -> list[tuple]:
        conn = sqlite3.connect(db or db_path)
        try:
            return conn.execute(sql, tuple(params)).fetchall()
        finally:
            conn.close()

    return fetch


def _assert_user_error(result: Result, *fragments: str, exit_code: int | None = None) -> None:
    """A mistake the user can fix: non-zero exit, 'Error: ...' on stderr, no traceback."""
    assert result.exit_code != 0, result.output
    if exit_code is not None:
        assert result.exit_code == exit_code, result.output
    # An uncaught exception would be here instead of SystemExit.
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    assert result.stderr.startswith("Error: "), result.output
    for fragment in fragments:
        assert fragment in result.stderr, f"{fragment!r} not in: {result.stderr}"


@pytest.fixture(scope="session")
def assert_user_error() -> Callable[..., None]:
    return _assert_user_error


# --- CSV files ---------------------------------------------------------------


def _valid_row(case_ref: str, **overrides: str) -> dict[str, str]:
    """A complete, valid import row: every item answered 'no', counts 0."""
    row = {
        "case_ref": case_ref, "authority": "dudley", "stratum": "community", "cohort": "main",
        "sex": "male", "ethnicity": "white", "age": "15", "screened_on": "2021-03-04",
    }  # fmt: skip
    row.update({code: ("0" if SPEC_TYPES[code] == "count" else "no") for code in SPEC_ITEMS})
    row.update(overrides)
    return row


@pytest.fixture(scope="session")
def valid_row() -> Callable[..., dict[str, str]]:
    return _valid_row


def _write_csv(
    path: Path,
    rows: Iterable[dict[str, str]],
    *,
    header: Sequence[str] | None = None,
    bom: bool = False,
    crlf: bool = False,
    trailing_empty_rows: int = 0,
    encoding: str = "utf-8",
) -> Path:
    header = list(header or (CASE_COLUMNS + SPEC_ITEMS))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n" if crlf else "\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(column, "") for column in header])
    for _ in range(trailing_empty_rows):
        writer.writerow([""] * len(header))
    data = buffer.getvalue().encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


@pytest.fixture(scope="session")
def write_csv() -> Callable[..., Path]:
    """write_csv(path, rows, header=None, bom=False, crlf=False, trailing_empty_rows=0, encoding='utf-8')."""
    return _write_csv


def _read_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


@pytest.fixture(scope="session")
def read_csv() -> Callable[[str], list[list[str]]]:
    return _read_csv


@pytest.fixture
def stored_answers(query) -> Callable[..., dict[str, dict[str, tuple]]]:
    """stored_answers(db=None): {case_ref: {item_code: (value, count)}} straight from SQLite."""

    def read(db: Path | None = None) -> dict[str, dict[str, tuple]]:
        out: dict[str, dict[str, tuple]] = {}
        rows = query(
            "SELECT c.case_ref, a.item_code, a.value, a.count FROM answer a "
            "JOIN screening s ON s.id = a.screening_id JOIN cases c ON c.id = s.case_id",
            db=db,
        )
        for ref, code, value, count in rows:
            out.setdefault(ref, {})[code] = (value, count)
        return out

    return read
