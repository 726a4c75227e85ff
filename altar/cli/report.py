"""altar report regional|authority: the documents the research publishes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from altar.cli.common import (
    Settings,
    baseline_dir_option,
    include_in_progress_option,
    pass_settings,
)
from altar.cli.output import note, progress
from altar.errors import RenderError

if TYPE_CHECKING:
    from altar.report import Document, ReportOptions

FORMATS = ("html", "pdf", "both")


def format_choice() -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--format html|pdf|both`` for documents (``output_formats`` reads it)."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        help="html, pdf or both. Default: both when PDF is available (WeasyPrint), else html.",
    )


def report_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """The options both documents share."""
    options: list[Callable[[Callable[..., Any]], Callable[..., Any]]] = [
        click.option(
            "--out",
            "out",
            type=click.Path(file_okay=False, path_type=Path),
            default=Path("reports"),
            show_default=True,
            help="The folder to write into (created if missing).",
        ),
        format_choice(),
        click.option(
            "--suppress-below",
            type=click.IntRange(min=2),
            default=6,
            show_default=True,
            metavar="N",
            help="Show counts from 1 to N-1 as c (6: the Department for Education's rule; 10 for the "
            "ONS threshold).",
        ),
        click.option(
            "--no-suppress",
            is_flag=True,
            help="Show every count: an internal working copy, stamped OFFICIAL-SENSITIVE on every page.",
        ),
        click.option(
            "--region",
            default="West Midlands",
            show_default=True,
            envvar="ALTAR_REGION",
            show_envvar=True,
            help="The region's name on the title page.",
        ),
        baseline_dir_option("A folder of extra general-population baselines, as for altar stats."),
        include_in_progress_option("the method section"),
    ]
    for option in reversed(options):
        f = option(f)
    return f


@click.group()
def report() -> None:
    """The regional report and each local authority's summary.

    Each is one self-contained HTML file (opens offline, prints cleanly) and
    a PDF of the same content. Small numbers are suppressed by default:
    counts from 1 to 5 are shown as c, with further cells withheld where a
    total would reveal them. Case references never appear. Lead researcher
    and admin only.

    \b
    Examples:
      altar report regional
      altar report authority dudley
      altar report authority --all --out reports/2021
    """


@report.command("regional")
@report_options
@pass_settings
def regional(
    settings: Settings,
    out: Path,
    fmt: str | None,
    suppress_below: int,
    no_suppress: bool,
    region: str,
    baseline_dirs: tuple[Path, ...],
    include_in_progress: bool,
) -> None:
    """The regional report: the cohort, ACEs, wider adversity, specific
    groups, differences between strata and sexes, and data quality.

    Writes regional-report.html (and .pdf) into the --out folder and prints
    the paths written.

    \b
    Examples:
      altar report regional
      altar report regional --format html --out /secure/share/reports
      altar report regional --no-suppress      # internal working copy
    """
    options, formats = _options(suppress_below, no_suppress, region), output_formats(fmt)
    _write(
        _release(
            settings,
            options,
            baseline_dirs,
            authorities=(),
            include_in_progress=include_in_progress,
        ),
        out,
        formats,
        options,
    )


@report.command("authority")
@click.argument("authorities", nargs=-1, metavar="[CODE]...")
@click.option(
    "--all", "every", is_flag=True, help="A summary for every authority with screened children."
)
@report_options
@pass_settings
def authority(
    settings: Settings,
    authorities: tuple[str, ...],
    every: bool,
    out: Path,
    fmt: str | None,
    suppress_below: int,
    no_suppress: bool,
    region: str,
    baseline_dirs: tuple[Path, ...],
    include_in_progress: bool,
) -> None:
    """Each local authority's summary of its findings, set against the region.

    CODE is an authority's code or name (see altar authority list). Writes
    summary-CODE.html (and .pdf) into the --out folder and prints the paths
    written.

    \b
    Examples:
      altar report authority dudley
      altar report authority --all
      altar report authority walsall --suppress-below 10
    """
    if every == bool(authorities):
        raise click.UsageError("name one or more authorities, or use --all")
    options, formats = _options(suppress_below, no_suppress, region), output_formats(fmt)
    documents = _release(
        settings,
        options,
        baseline_dirs,
        regional=False,
        authorities=None if every else list(authorities),
        include_in_progress=include_in_progress,
    )
    _write(documents, out, formats, options)


def _release(
    settings: Settings,
    options: ReportOptions,
    baseline_dirs: tuple[Path, ...],
    *,
    regional: bool = True,
    authorities: Sequence[str] | None,
    include_in_progress: bool,
) -> list[Document]:
    from altar.access import Permission
    from altar.db.tallies import Counting
    from altar.report import release

    with settings.database(needs=Permission.REGION).reader() as session:
        return release(
            session,
            options,
            regional=regional,
            authorities=authorities,
            baseline_dirs=baseline_dirs,
            counting=Counting.chosen(include_in_progress),
        )


def _options(suppress_below: int, no_suppress: bool, region: str) -> ReportOptions:
    from altar.disclosure import Rule
    from altar.report import ReportOptions, generated_at

    if no_suppress and suppress_below != 6:
        raise click.UsageError("--no-suppress and --suppress-below cannot be used together")
    rule = Rule.off() if no_suppress else Rule(threshold=suppress_below)
    return ReportOptions(generated_at=generated_at(), rule=rule, region=region_name(region))


def region_name(region: str) -> str:
    """The region's name as given, its spacing tidied (the default when blank).

    >>> region_name("  West   Midlands ")
    'West Midlands'
    """
    return " ".join(region.split()) or "West Midlands"


def pdf_problem() -> str | None:
    """None when PDF can be written, else why not and how to fix it (the
    report package, with WeasyPrint behind it, loads only once asked)."""
    from altar.report import pdf_problem as problem

    return problem()


def output_formats(fmt: str | None) -> tuple[str, ...]:
    """The formats to write: an explicit pdf needs WeasyPrint; the default
    falls back to HTML, saying how to get PDF too."""
    problem = pdf_problem()
    if fmt is None:
        if problem:
            note(f"Writing HTML only. {problem}")
            return ("html",)
        return ("html", "pdf")
    if fmt in ("pdf", "both") and problem:
        raise RenderError(problem)
    return ("html", "pdf") if fmt == "both" else (fmt,)


def _write(
    documents: list[Document], out: Path, formats: tuple[str, ...], options: ReportOptions
) -> None:
    from altar.report import save_all

    with progress(len(documents), "Writing reports") as update:
        paths = save_all(documents, out, formats, private=not options.rule.enabled, progress=update)
    for path in paths:
        click.echo(path)
    if options.rule.enabled:
        note(f"Small numbers suppressed: counts from 1 to {options.rule.threshold - 1} shown as c.")
    else:
        note(
            "OFFICIAL-SENSITIVE: unsuppressed working copy (files readable by you only); not for publication."
        )
