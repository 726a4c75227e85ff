"""altar init, altar db upgrade, altar db current."""

import click

from altar.cli.common import Settings, pass_settings
from altar.cli.output import note
from altar.db import open_existing, open_for_upgrade, revision_state, upgrade
from altar.db.setup import initialise


@click.command()
@pass_settings
def init(settings: Settings) -> None:
    """Create the database, or bring an existing one up to date.

    Safe to run again: it adds only what is missing (the local authorities,
    strata, cohorts and screening instrument versions). A new SQLite file is
    readable by its owner only.

    \b
    Example:
      altar init
      altar --db /secure/share/westmids.db init
    """
    result = initialise(settings.db)
    action = "created" if result.created else "checked"
    note(f"Database {action}: {result.database}")
    if result.revision_before != result.revision_after:
        note(f"Schema upgraded from {result.revision_before or 'empty'} to {result.revision_after}")
    if result.backup:
        note(f"Backup made first: {result.backup}")
    note(f"Added {result.authorities_added} authorities and {result.instruments_added} instrument version(s).")


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

    \b
    Example:
      altar db upgrade
    """
    before, after, backup = upgrade(open_for_upgrade(settings.db))
    if backup:
        note(f"Backup made: {backup}")
    note(f"Schema at {after}" + ("" if before == after else f" (was {before or 'empty'})"))


@db.command("current")
@pass_settings
def db_current(settings: Settings) -> None:
    """Print the database's schema revision and the one this altar needs.

    \b
    Example:
      altar db current
    """
    state = revision_state(open_existing(settings.db))
    click.echo(f"current: {state.current or '(empty: run altar init)'}")
    click.echo(f"head:    {state.head}")
    if state.current != state.head:
        raise SystemExit(1)


def register(cli: click.Group) -> None:
    cli.add_command(init)
    cli.add_command(db)
