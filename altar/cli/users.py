"""altar user add|list|disable|enable|role."""

import sys

import click

from altar.cli.common import Settings, command_name, pass_settings, write_as_user
from altar.cli.output import emit, format_option, note
from altar.errors import ValidationError
from altar.vocab import ROLES


@click.group()
def user() -> None:
    """The people who may use this database, and their roles.

    \b
    practitioner  one authority's cases: add, amend, see, delete, export
    lead          every authority, statistics, reports, exports, undelete
    admin         what a lead may, and users, purge, backup and restore

    With no users, altar runs in single-user mode (anyone may do anything).
    The first user must be an admin; from then on only an admin manages
    users, and everyone works as a user known here (--user or ALTAR_USER,
    else the login name). Passwords are for signing in to the web
    (`altar serve`); the command line trusts --user: see "Data protection"
    in the README for what roles do and do not protect against.

    \b
    Examples:
      altar user add rk_admin --role admin
      altar --user rk_admin user add pat --role practitioner --authority dudley
      altar --user rk_admin user list
    """


@user.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(ROLES), help="What they may do.")
@click.option(
    "--authority", help="A practitioner's authority (code or name); not for leads or admins."
)
@click.option("--no-password", is_flag=True, help="No web password: a command-line-only user.")
@pass_settings
def user_add(
    settings: Settings, name: str, role: str, authority: str | None, no_password: bool
) -> None:
    """Add a user (admin only; the first user must be an admin). Asks for
    their web sign-in password twice, without showing it (from a script,
    pipe it in: it is never given on the command line).

    \b
    Examples:
      altar user add rk_admin --role admin
      altar --user rk_admin user add pat --role practitioner --authority dudley
      altar --user rk_admin user add alex --role lead --no-password
    """
    from altar.db.users import add_user

    database = settings.database()
    password = None if no_password else _ask_password(name)
    with database.transaction() as session:
        row = add_user(
            session,
            settings.acting_user,
            name,
            role,
            authority,
            command=command_name(),
            password=password,
        )
    note(f"Added user {row.name} ({row.role}{f', {row.authority}' if row.authority else ''}).")
    if not settings.acting_user.registered:
        note(
            f"This database now has users: work as one of them, e.g. --user {row.name} or ALTAR_USER={row.name}."
        )


@user.command("passwd")
@click.argument("name")
@click.option("--remove", is_flag=True, help="Remove the web password: no more web sign-in.")
@pass_settings
def user_passwd(settings: Settings, name: str, remove: bool) -> None:
    """Set a user's web sign-in password (your own, or anyone's as an
    admin); asks for it twice without showing it. Sessions signed in with
    the old password end.

    \b
    Examples:
      altar --user pat user passwd pat
      altar --user rk_admin user passwd pat --remove
    """
    from altar.db.users import set_password

    settings.database()
    password = None if remove else _ask_password(name)
    write_as_user(
        settings,
        set_password,
        name,
        password,
        done=f"Removed {name}'s web password." if remove else f"Set {name}'s web password.",
    )


def _ask_password(name: str) -> str:
    stdin = sys.stdin
    if stdin.isatty():  # a hidden prompt, typed twice
        return click.prompt(f"Web password for {name}", hide_input=True, confirmation_prompt=True)
    # From a script: two lines, read without a prompt (getpass would warn that
    # it cannot hide what a pipe sends, which is not being typed anyway).
    first, second = (stdin.readline().rstrip("\r\n") for _ in range(2))
    if not first:
        raise ValidationError(
            f"no web password for {name} on standard input: send it twice, one line each "
            "(or give --no-password)"
        )
    if first != second:
        raise ValidationError("the two passwords on standard input differ: send the same one twice")
    return first


@user.command("list")
@format_option()
@pass_settings
def user_list(settings: Settings, fmt: str) -> None:
    """List the users with their roles and authorities (admin only).

    \b
    Example:
      altar user list
    """
    from altar.db.users import list_users

    with settings.database().reader() as session:
        emit(list_users(session, settings.acting_user), fmt)


@user.command("disable")
@click.argument("name")
@pass_settings
def user_disable(settings: Settings, name: str) -> None:
    """Stop a user from working here (admin only); their entries in the
    audit trail stay. The last enabled admin cannot be disabled.

    \b
    Example:
      altar user disable pat
    """
    from altar.db.users import set_disabled

    write_as_user(settings, set_disabled, name, True, done=f"Disabled user {name}.")


@user.command("enable")
@click.argument("name")
@pass_settings
def user_enable(settings: Settings, name: str) -> None:
    """Let a disabled user work here again (admin only).

    \b
    Example:
      altar user enable pat
    """
    from altar.db.users import set_disabled

    write_as_user(settings, set_disabled, name, False, done=f"Enabled user {name}.")


@user.command("role")
@click.argument("name")
@click.argument("role", type=click.Choice(ROLES))
@click.option("--authority", help="The authority, when the new role is practitioner.")
@pass_settings
def user_role(settings: Settings, name: str, role: str, authority: str | None) -> None:
    """Change a user's role (admin only).

    \b
    Examples:
      altar user role pat lead
      altar user role sam practitioner --authority walsall
    """
    from altar.db.users import set_role

    where = f" for {authority}" if authority else ""
    write_as_user(
        settings,
        set_role,
        name,
        role,
        authority,
        done=f"{name} is now {'an' if role == 'admin' else 'a'} {role}{where}.",
    )
