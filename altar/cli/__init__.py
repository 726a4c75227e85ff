"""The ``altar`` command. Each command group lives in its own module here;
commands only parse options, call the library and print.

``altar --help`` and ``altar GROUP --help`` must start in a blink, so a
command's module is imported only when that command is run or asked for
(``COMMANDS`` lists them with their one-line help), and it imports the
library (with SQLAlchemy, SciPy and matplotlib behind it) inside each command.
tests/test_cli_startup.py keeps both true.
"""

from __future__ import annotations

import importlib
from typing import Any

import click

from altar import __version__
from altar.cli.common import Settings, UserName
from altar.errors import AltarError, ValidationError

# Every top-level command: its name, where it is defined and its one-line
# help, shown by `altar --help` without importing it (the test checks that
# each line is the command's own).
COMMANDS: dict[str, tuple[str, str]] = {
    "audit": (
        "altar.cli.audit:audit",
        "The audit trail: who added, changed or deleted what, when (UTC), with which command, "
        "and the value before and after.",
    ),
    "authority": (
        "altar.cli.authority:authority",
        "The local authorities whose youth justice services take part.",
    ),
    "backup": (
        "altar.cli.maintenance:backup_command",
        "Copy the database to FILE, safely while others are using it.",
    ),
    "case": (
        "altar.cli.cases:case",
        "Cases: one child each, known only by a pseudonymous reference.",
    ),
    "check": (
        "altar.cli.maintenance:check_command",
        "Check the database's integrity and consistency; exit 1 on any problem.",
    ),
    "chronology": (
        "altar.cli.chronology:chronology",
        "Chronologies: the dated events of a child's life with each agency.",
    ),
    "db": (
        "altar.cli.database:db",
        "Look after the database schema (upgrades after installing a new altar).",
    ),
    "demo": (
        "altar.cli.demo:demo",
        "Build a demonstration database of a SYNTHETIC cohort in DIRECTORY.",
    ),
    "export": ("altar.cli.transfer:export_command", "Export every case and screening you can see."),
    "import": (
        "altar.cli.transfer:import_command",
        "Import screenings from a CSV file, one row per case.",
    ),
    "init": (
        "altar.cli.database:init",
        "Create the database, or bring an existing one up to date.",
    ),
    "instrument": (
        "altar.cli.instrument:instrument",
        "The screening instrument: every item a case file is screened for.",
    ),
    "penpicture": (
        "altar.cli.pen_pictures:penpicture",
        "Pen-pictures: short anonymised portraits drawn from the case stories.",
    ),
    "report": (
        "altar.cli.report:report",
        "The regional report and each local authority's summary.",
    ),
    "restore": (
        "altar.cli.maintenance:restore_command",
        "Replace the database with the backup FILE, after checking it.",
    ),
    "screening": (
        "altar.cli.screening:screening",
        "Screenings: which adversities a child's case files evidence.",
    ),
    "serve": (
        "altar.cli.web:serve",
        "Run the web pages for practitioners and the lead researcher on this database, with "
        "waitress (a production WSGI server), until Ctrl+C.",
    ),
    "stats": (
        "altar.cli.stats:stats",
        "How much abuse, loss and trauma the children carry, group by group.",
    ),
    "story": (
        "altar.cli.stories:story",
        "Case stories: the narrative of a child's life and the professional involvements, "
        "written section by section from a template.",
    ),
    "template": ("altar.cli.transfer:template", "Blank files to fill in."),
    "themes": (
        "altar.cli.themes:themes",
        "Themes: code passages of the case stories, as in NVivo or Taguette.",
    ),
    "user": ("altar.cli.users:user", "The people who may use this database, and their roles."),
}


class AltarGroup(click.Group):
    """Loads a command only when it is run (click's lazy group), and turns
    a user's mistake into a one-line message and an exit status."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, _, attribute = COMMANDS[cmd_name][0].partition(":")
        command: click.Command = getattr(importlib.import_module(module), attribute)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The commands with their one-line help, from ``COMMANDS`` (click's
        own listing would import every command to read its help)."""
        limit = formatter.width - 6 - max(map(len, COMMANDS))
        rows = [
            (name, click.Command(name, help=summary).get_short_help_str(limit))
            for name, (_, summary) in sorted(COMMANDS.items())
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except AltarError as exc:
            settings = ctx.find_object(Settings)
            if settings is not None and settings.traceback:
                raise
            click.echo(f"Error: {exc}", err=True)
            if isinstance(exc, ValidationError):
                for problem in exc.problems:
                    click.echo(f"  {problem}", err=True)
            ctx.exit(exc.exit_code)


@click.group(cls=AltarGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    envvar="ALTAR_DB",
    show_envvar=True,
    metavar="PATH|URL",
    help="The database: a file path (default ./altar.db) or a SQLAlchemy URL such as "
    "postgresql+psycopg://user@host/altar.",
)
@click.option(
    "--user",
    envvar="ALTAR_USER",
    show_envvar=True,
    metavar="NAME",
    type=UserName(),
    help="Your user name, recorded with every change you make (default: your login name). Once the "
    "database has users (altar user), it must be one of them.",
)
@click.option(
    "--traceback", is_flag=True, help="Show the full Python traceback on errors (for bug reports)."
)
@click.version_option(__version__, prog_name="altar")
@click.pass_context
def cli(ctx: click.Context, db: str | None, user: str | None, traceback: bool) -> None:
    """altar: screen youth justice case files for abuse, loss, trauma,
    attachment and resilience (ALTAR), and analyse what the children have
    lived through.

    \b
    Examples, in the order a research project goes:
      altar init                      create the database (./altar.db)
      altar template csv > cases.csv  a blank spreadsheet to fill in
      altar import cases.csv          load the screenings
      altar case add / screening enter    or enter cases one by one
      altar stats                     adversity by stratum, with tests and baselines
      altar report regional           the regional report (HTML and PDF)
      altar export --format csv       everything, for checking or archiving

    Try `altar demo` to see it all on a SYNTHETIC cohort.
    """
    ctx.obj = Settings(db, user, traceback)


def main() -> None:
    cli(prog_name="altar")


if __name__ == "__main__":  # pragma: no cover
    main()
