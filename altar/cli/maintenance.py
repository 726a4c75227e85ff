"""altar backup, altar restore, altar check."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from altar.cli.common import Settings, pass_settings
from altar.cli.output import emit, note
from altar.errors import DatabaseError, MigrationNeeded

if TYPE_CHECKING:
    from altar.db.checks import CheckReport
    from altar.db.maintenance import CopyInfo


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace FILE if it already exists.")
@pass_settings
def backup_command(settings: Settings, file: Path, force: bool) -> None:
    """Copy the database to FILE, safely while others are using it.

    Uses SQLite's online backup, so the copy is consistent even during an
    import. FILE is readable by its owner only: it holds everything the
    database holds. For a PostgreSQL database altar prints the pg_dump
    command to use instead (and exits with status 4). Admins only, once
    the database has users.

    \b
    Examples:
      altar backup /secure/backups/altar-2021-03-31.db
      altar backup nightly.db --force
    """
    from altar.db.maintenance import backup

    _require_backup_rights(settings)
    result = backup(settings.db, file, force=force)
    note(
        f"Backed up to {result.path} ({result.size:,} bytes). Check it with: altar --db {result.path} check"
    )


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_settings
def restore_command(settings: Settings, file: Path, yes: bool) -> None:
    """Replace the database with the backup FILE, after checking it.

    FILE must be an altar SQLite database that passes SQLite's integrity
    check and every `altar check`, at a schema revision this altar knows (a
    backup from a newer altar is refused; an older one is restored and then
    needs `altar db upgrade`). The current database is first backed up beside
    itself (altar.db.pre-restore.<time>.bak), then replaced in one step.
    Ask everyone to stop using the database first. Admins only, once the
    database has users.

    \b
    Example:
      altar restore /secure/backups/altar-2021-03-31.db
    """
    from altar.db.maintenance import restore

    def confirm(info: CopyInfo) -> bool:
        note(
            f"{info.source} passed its checks: schema {info.revision}"
            + (
                f", {info.cases} case(s)."
                if info.cases is not None
                else " (older than this altar)."
            )
        )
        return yes or click.confirm(f"Replace {info.target} with it?", default=False, err=True)

    _require_backup_rights(settings)
    result = restore(settings.db, file, confirm=confirm)
    if result is None:
        note("Nothing was restored.")
        return
    if result.previous:
        note(f"The database as it was is kept in {result.previous}")
    note(f"Restored {result.copy.target} from {result.copy.source}.")
    if result.copy.needs_upgrade:
        note(
            f"The backup is from an older altar (schema {result.copy.revision}, this altar needs "
            f"{result.copy.head}): run `altar db upgrade`, then `altar check`."
        )


def _require_backup_rights(settings: Settings) -> None:
    """Once the database has users, only an admin backs up or restores. A
    database that cannot be opened has no users to ask: its file's owner
    restores it, and a server out of reach gets the pg_dump guidance."""
    from altar.access import Permission

    with contextlib.suppress(DatabaseError, MigrationNeeded):
        settings.database(needs=Permission.BACKUP)


@click.command("check")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="table for reading, json for other programs.",
)
@pass_settings
def check_command(settings: Settings, fmt: str) -> None:
    """Check the database's integrity and consistency; exit 1 on any problem.

    On SQLite: PRAGMA integrity_check and foreign_key_check. On both
    backends: no row points at a missing parent (every screening has its
    case), every answer is an item of its screening's codebook version with
    the right kind of value, stored scores and screening status agree with
    the answers, chronology events use the fixed vocabularies, and tagged
    story passages belong to their story. Prints each problem with where it
    is; at most 100 per check.

    \b
    Examples:
      altar check
      altar check --format json
    """
    from altar.db.checks import run_checks

    with settings.database().reader() as session:
        report = run_checks(session)
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "ok": report.ok,
                    "checks": report.checks,
                    "counts": report.counts,
                    "problems": [vars(f) for f in report.findings],
                },
                indent=2,
            )
        )
    elif report.findings:
        emit(report.findings, "table")
    if report.findings:
        note(f"{len(report.findings)} problem(s) found by altar check.")
        if any(f.check == "integrity" for f in report.findings):
            note(
                "The file is damaged: restore the latest backup (altar restore FILE), which is checked first."
            )
        raise SystemExit(1)
    if fmt == "table":
        click.echo(_summary(report))


def _summary(report: CheckReport) -> str:
    held = ", ".join(f"{n:,} {name.replace('_', ' ')}" for name, n in report.counts.items())
    return (
        f"OK: {len(report.checks)} checks ({', '.join(report.checks)}) found no problem in {held}."
    )
