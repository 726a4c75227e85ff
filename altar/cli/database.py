"""altar init, altar db upgrade, altar db current."""

import click

from altar.cli.common import Settings, closed_after_command, pass_settings
from altar.cli.output import note


@click.command()
@pass_settings
def init(settings: Settings) -> None:
    """Create the database, or bring an existing one up to date.

    Safe to run again: it adds only what is missing (the local authorities,
    strata, cohorts and screening instrument versions). A new SQLite file is
    readable by its owner only. On PostgreSQL, create the (empty) database
    first; altar creates the tables.

    \b
    Example:
      altar init
      altar --db /secure/share/westmids.db init
      altar --db postgresql+psycopg://altar@db.example.org/altar init
    """
    from altar.db.setup import initialise

    result = initialise(settings.db)
    action = "created" if result.created else "checked"
    note(f"Database {action}: {result.database}")
    if result.revision_before != result.revision_after:
        note(f"Schema upgraded from {result.revision_before or 'empty'} to {result.revision_after}")
    if result.backup:
        note(f"Backup made first: {result.backup}")
    note(
        f"Added {result.authorities_added} authorities and {result.instruments_added} instrument version(s)."
    )


@click.group()
def db() -> None:
    """Look after the database schema (upgrades after installing a new altar).

    \b
    Examples:
      altar db current
      altar db upgrade
    """


@db.command("upgrade")
@pass_settings
def db_upgrade(settings: Settings) -> None:
    """Upgrade the database schema to what this altar needs.

    A SQLite file is backed up beside itself first (altar.db.pre-upgrade-...bak).
    A PostgreSQL database is not: take a pg_dump before upgrading. Either way
    the upgrade runs in one transaction and is rolled back if it fails.

    \b
    Example:
      altar db upgrade
    """
    from altar.db import PG_BACKUP_ADVICE, open_for_upgrade, upgrade

    database = closed_after_command(open_for_upgrade(settings.db))
    before, after, backup = upgrade(database)
    if backup:
        note(f"Backup made: {backup}")
    elif not database.is_sqlite:
        note(PG_BACKUP_ADVICE)
    note(f"Schema at {after}" + ("" if before == after else f" (was {before or 'empty'})"))


@db.command("current")
@pass_settings
def db_current(settings: Settings) -> None:
    """Print the database's schema revision and the one this altar needs.

    \b
    Example:
      altar db current
    """
    from altar.db import open_existing, revision_state

    state = revision_state(closed_after_command(open_existing(settings.db)))
    click.echo(f"current: {state.current or '(empty: run altar init)'}")
    click.echo(f"head:    {state.head}")
    if state.current != state.head:
        raise SystemExit(1)
