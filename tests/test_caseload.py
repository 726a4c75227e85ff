"""The caseload query behind the web's cases pages (altar.db.caseload): each
case a user may see with its screening progress, its story's latest version
and its chronology's event count."""

from __future__ import annotations

from pathlib import Path

import pytest

from altar.db import connect
from altar.db.caseload import CaseWork, case_overview, case_work, caseload
from altar.db.scope import resolve_user
from altar.errors import NotFoundError
from altar.stories.template import current_template

CASES = (
    ("DUD-1", "dudley", "custody"),
    ("DUD-2", "dudley", "community"),
    ("WAL-1", "walsall", "custody"),
)


@pytest.fixture
def store(db, altar, web_users, tmp_path):  # type: ignore[no-untyped-def]
    """Three cases (two Dudley, one Walsall); DUD-1 with a story of two
    versions and three chronology events; WAL-1 with one event."""
    for ref, authority, stratum in CASES:
        result = altar(
            "--user", "boss", "case", "add", ref, "--authority", authority, "--stratum", stratum
        )
        assert result.exit_code == 0, result.output
    add_story_version(altar, tmp_path, "DUD-1", "First words.")
    add_story_version(altar, tmp_path, "DUD-1", "Second words.")
    for ref, date in (
        ("DUD-1", "2019-03"),
        ("DUD-1", "2019-04-02"),
        ("DUD-1", "2020-01"),
        ("WAL-1", "2018-05"),
    ):
        result = altar(
            "--user",
            "boss",
            "chronology",
            "add",
            ref,
            "--date",
            date,
            "--agency",
            "education",
            "--type",
            "exclusion",
        )
        assert result.exit_code == 0, result.output
    database = connect(str(db))
    yield database
    database.engine.dispose()


def add_story_version(altar, folder: Path, ref: str, text: str) -> None:  # type: ignore[no-untyped-def]
    """Save one new version of ``ref``'s story through the CLI."""
    path = folder / f"story-{ref.replace('/', '_')}.md"
    path.write_text(
        f"## {current_template().section('family').title}\n\n{text}\n", encoding="utf-8"
    )
    result = altar("--user", "boss", "story", "edit", ref, "--from-file", path)
    assert result.exit_code == 0, result.output
    path.unlink()


def _as(database, name: str):  # type: ignore[no-untyped-def]
    with database.reader() as session:
        return resolve_user(session, name)


def test_case_work_counts_story_versions_and_events_in_the_users_scope(store):
    with store.reader() as session:
        pat = case_work(session, _as(store, "pat"))
        lena = case_work(session, _as(store, "lena"))
    assert pat == {"DUD-1": CaseWork(2, 3), "DUD-2": CaseWork(None, 0)}
    assert lena == {"DUD-1": CaseWork(2, 3), "DUD-2": CaseWork(None, 0), "WAL-1": CaseWork(None, 1)}


def test_caseload_rows_join_screening_progress_and_filters(store):
    with store.reader() as session:
        pat = caseload(session, _as(store, "pat"))
        custody = caseload(session, _as(store, "lena"), stratum="custody")
        walsall_for_pat = caseload(session, _as(store, "pat"), authority="walsall")
        complete = caseload(session, _as(store, "lena"), status="complete")
    assert [r.case.case_ref for r in pat] == ["DUD-1", "DUD-2"]
    assert [r.case.case_ref for r in custody] == ["DUD-1", "WAL-1"]
    assert walsall_for_pat == [] and complete == []
    first = pat[0]
    assert (
        first.case.status,
        first.case.answered,
        first.work.story_version,
        first.work.chronology_events,
    ) == ("not_started", 0, 2, 3)
    assert first.items > 0


def test_a_deleted_case_leaves_the_caseload(store, altar):
    assert altar("--user", "boss", "case", "delete", "DUD-1").exit_code == 0
    with store.reader() as session:
        assert [r.case.case_ref for r in caseload(session, _as(store, "pat"))] == ["DUD-2"]
        assert "DUD-1" not in case_work(session, _as(store, "lena"))


def test_case_overview_is_not_found_outside_the_users_scope(store):
    with store.reader() as session:
        assert case_overview(session, _as(store, "pat"), "DUD-1").work.story_version == 2
        with pytest.raises(NotFoundError) as other:
            case_overview(session, _as(store, "pat"), "WAL-1")
        with pytest.raises(NotFoundError) as missing:
            case_overview(session, _as(store, "pat"), "NOPE-1")
    assert str(other.value) == str(missing.value).replace("NOPE-1", "WAL-1")
