"""altar authority list|add."""

import click

from altar.cli.common import Settings, pass_settings
from altar.cli.output import emit, format_option, note


@click.group()
def authority() -> None:
    """The local authorities whose youth justice services take part.

    \b
    Examples:
      altar authority list
      altar authority add stoke_on_trent "Stoke-on-Trent"
    """


@authority.command("list")
@format_option()
@pass_settings
def authority_list(settings: Settings, fmt: str) -> None:
    """List the authorities with their codes and how many cases each has.

    A practitioner sees their own authority only. Deleted cases are not counted.

    \b
    Example:
      altar authority list
    """
    from altar.db.authorities import list_authorities

    with settings.database().reader() as session:
        emit(list_authorities(session, settings.acting_user), fmt)


@authority.command("add")
@click.argument("code")
@click.argument("name")
@click.option(
    "--note", "note_text", help="A short description, e.g. which areas the service covers."
)
@pass_settings
def authority_add(settings: Settings, code: str, name: str, note_text: str | None) -> None:
    """Add a local authority that is joining the research.

    CODE is a short lower-case code used in files (e.g. stoke_on_trent);
    NAME is how reports show it. Lead researcher and admin only.

    \b
    Example:
      altar authority add stoke_on_trent "Stoke-on-Trent"
    """
    from altar.db.authorities import add_authority

    with settings.database().transaction() as session:
        row = add_authority(session, settings.acting_user, code, name, note_text)
    note(f"Added authority {row.code} ({row.name}).")
