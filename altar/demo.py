"""``altar demo``: a clearly labelled SYNTHETIC cohort, built through the
same init and import paths a real project uses, so a newcomer sees the
whole toolkit working at once."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from altar.access import single_user
from altar.capture.csvio import write_csv
from altar.capture.exporter import export_header
from altar.capture.importer import ImportResult, import_csv
from altar.db import cases as store
from altar.db import connect
from altar.db.setup import initialise
from altar.errors import ValidationError
from altar.instrument import current_codebook
from altar.report import ReportOptions, release, save_all
from altar.stories import pen_pictures
from altar.stories.casestory import import_stories
from altar.stories.chronology import COLUMNS as EVENT_COLUMNS
from altar.stories.chronology_entry import import_events
from altar.stories.editor import render_plain
from altar.stories.template import current_template
from altar.synthetic import (
    SYNTHETIC_PEN_PICTURES,
    synthetic_chronology,
    synthetic_rows,
    synthetic_story,
)
from altar.vocab import STRATA

SYNTHETIC_MARK = "synthetic"


@dataclass(frozen=True)
class DemoResult:
    directory: Path
    database: Path
    csv: Path
    imported: ImportResult
    example_case: str


def build_demo(directory: Path, *, seed: int = 2021) -> DemoResult:
    directory.mkdir(parents=True, exist_ok=True)
    db_path, csv_path = directory / "altar.db", directory / "synthetic_cohort.csv"
    _remove_old_demo(db_path)
    book = current_codebook()
    rows = list(synthetic_rows(book, seed=seed))
    with csv_path.open("w", encoding="utf-8", newline="") as stream:
        write_csv(stream, export_header(), rows)
    initialise(str(db_path), meta={SYNTHETIC_MARK: "true", "synthetic_seed": str(seed)})
    database = connect(str(db_path))
    try:
        imported = import_csv(database, csv_path, user=single_user("demo"), command="altar demo")
        with database.transaction() as session:
            _add_case_files(session, directory, rows, seed)
    finally:
        database.engine.dispose()
    return DemoResult(directory, db_path, csv_path, imported, rows[0]["case_ref"])


# How many synthetic children get a written case story (a few, as in a real study's first months).
DEMO_STORIES = 12


def _add_case_files(
    session: Session, directory: Path, rows: list[dict[str, str]], seed: int
) -> None:
    """The qualitative half, through the same import paths a project uses:
    every child's chronology, a case story for some, and three approved
    pen-pictures (all SYNTHETIC)."""
    user, command = single_user("demo"), "altar demo"
    events = directory / "synthetic_chronology.csv"
    with events.open("w", encoding="utf-8", newline="") as stream:
        write_csv(stream, list(EVENT_COLUMNS), synthetic_chronology(rows, seed=seed))
    import_events(session, user, events, command=command)
    stories, template = directory / "synthetic_stories", current_template()
    stories.mkdir(exist_ok=True)
    for row in rows[:: max(1, len(rows) // DEMO_STORIES)][:DEMO_STORIES]:
        text = render_plain(template, synthetic_story(row), title="Case story (SYNTHETIC)")
        (stories / f"{row['case_ref']}.md").write_text(text, encoding="utf-8")
    import_stories(session, user, stories, force=False, command=command)
    for row, (title, body) in zip(rows[1::37], SYNTHETIC_PEN_PICTURES):
        picture = pen_pictures.add(session, user, row["case_ref"], title, body, command=command)
        pen_pictures.set_approved(session, user, picture.id, True, command=command)


def render_demo_reports(
    db_path: Path,
    folder: Path,
    *,
    generated_at: datetime,
    formats: Sequence[str] = ("html", "pdf"),
    progress: Callable[[int], None] | None = None,
) -> list[Path]:
    """The regional report and every authority's summary of the demo cohort,
    in ``folder`` in each of ``formats`` ("html", "pdf"), with the default
    suppression; every page says the data are SYNTHETIC. ``progress(n)``
    is told how many documents are written so far."""
    database = connect(str(db_path))
    try:
        with database.reader() as session:
            documents = release(session, ReportOptions(generated_at=generated_at))
    finally:
        database.engine.dispose()
    return save_all(documents, folder, formats, progress=progress)


def cases_by_authority_and_stratum(db_path: Path) -> dict[str, dict[str, int]]:
    """{authority: {stratum: cases}} for the summary `altar demo` prints."""
    database = connect(str(db_path))
    try:
        with database.reader() as session:
            # a fresh demonstration database has no users: single-user mode
            rows = store.list_cases(session, single_user(None))
    finally:
        database.engine.dispose()
    counts: dict[str, dict[str, int]] = {}
    for row in rows:
        counts.setdefault(row.authority, dict.fromkeys(STRATA, 0))[row.stratum] += 1
    return counts


def _remove_old_demo(db_path: Path) -> None:
    """Replace an earlier demo, but never a database holding real data."""
    if not db_path.exists():
        return
    try:
        with sqlite3.connect(db_path) as conn:
            mark = conn.execute(
                "SELECT value FROM meta WHERE key = ?", (SYNTHETIC_MARK,)
            ).fetchone()
    except sqlite3.Error:
        mark = None
    if not mark:
        raise ValidationError(f"{db_path} exists and is not a demo database; choose another folder")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
