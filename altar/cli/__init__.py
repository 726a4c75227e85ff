"""The ``altar`` command. Each command group lives in its own module here;
commands only parse options, call the library and print."""

from __future__ import annotations

import sys

import click

from altar import __version__
from altar.cli.common import Settings, UserName
from altar.errors import AltarError, ValidationError


class AltarGroup(click.Group):
    """Turns a user's mistake into a one-line message and an exit status."""

    def invoke(self, ctx: click.Context):  # type: ignore[no-untyped-def]
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


def _register() -> None:
    from altar.cli import (
        audit,
        authority,
        cases,
        chronology,
        database,
        demo,
        instrument,
        maintenance,
        pen_pictures,
        report,
        screening,
        stats,
        stories,
        themes,
        transfer,
        users,
        web,
    )

    for module in (
        database,
        users,
        authority,
        instrument,
        cases,
        screening,
        stories,
        chronology,
        pen_pictures,
        themes,
        transfer,
        stats,
        report,
        demo,
        audit,
        maintenance,
        web,
    ):
        module.register(cli)


_register()

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
