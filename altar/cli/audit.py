"""altar audit: read the change log."""

from datetime import datetime

import click

from altar.cli.common import Settings, pass_settings
from altar.cli.output import emit, format_option

COLUMNS = ("at", "actor", "command", "action", "entity", "case_ref", "field", "old", "new")


@click.command()
@click.option("--case", "case_ref", metavar="REF", help="Only this case's entries.")
@click.option("--user", "actor", metavar="NAME", help="Only changes made by this user.")
@click.option(
    "--since",
    type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]),
    help="Only changes at or after this UTC date or time (YYYY-MM-DD[THH:MM:SS]).",
)
@format_option()
@pass_settings
def audit(
    settings: Settings, case_ref: str | None, actor: str | None, since: datetime | None, fmt: str
) -> None:
    """The audit trail: who added, changed or deleted what, when (UTC), with
    which command, and the value before and after.

    A lead or admin sees every entry; a practitioner only those about their
    own authority's cases. A purged case keeps one entry saying it was
    purged, by whom and when, without its content.

    \b
    Examples:
      altar audit --case DUD-017
      altar audit --user pat --since 2021-03-01
      altar audit --since 2021-03-01 --format csv > audit.csv
    """
    from altar.db import audit as change_log

    with settings.database().reader() as session:
        entries = change_log.read(
            session, settings.acting_user, case_ref=case_ref, actor=actor, since=since
        )
    emit(entries, fmt, None if fmt == "json" else COLUMNS)
