"""altar demo: a SYNTHETIC cohort to try the toolkit on."""

from pathlib import Path

import click

from altar.cli.output import note, progress
from altar.cli.report import format_choice, output_formats
from altar.vocab import STRATA


@click.command()
@click.argument("directory", default="demo", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--seed",
    default=2021,
    show_default=True,
    help="Random seed: the same seed builds the same cohort.",
)
@format_choice()
def demo(directory: Path, seed: int, fmt: str | None) -> None:
    """Build a demonstration database of a SYNTHETIC cohort in DIRECTORY.

    About 110 invented children across the nine authorities, three strata
    and both cohorts, with plausible prevalences and some unknowns. No row
    describes a real child. An earlier demo in the folder is replaced; a
    real database never is. The regional report and the nine authority
    summaries are rendered into DIRECTORY/reports (HTML, and PDF when
    WeasyPrint is installed, unless --format says otherwise); their paths
    are printed.

    \b
    Examples:
      altar demo
      altar demo --format html       # quicker: no PDFs
      altar --db demo/altar.db case list
    """
    from altar.demo import build_demo, cases_by_authority_and_stratum, render_demo_reports
    from altar.report import generated_at

    formats = output_formats(
        fmt
    )  # before building, so a PDF asked for but unavailable fails at once
    result = build_demo(directory, seed=seed)
    note(f"SYNTHETIC demo cohort: {result.imported.added} cases imported from {result.csv}")
    cohort = cases_by_authority_and_stratum(result.database)
    _print_cohort(cohort)
    with progress(
        1 + len(cohort), "Writing reports"
    ) as update:  # the regional report and one per authority
        paths = render_demo_reports(
            result.database,
            directory / "reports",
            generated_at=generated_at(),
            formats=formats,
            progress=update,
        )
    click.echo("\nReports (SYNTHETIC data):")
    for path in paths:
        click.echo(f"  {path}")
    note(
        f"\nDatabase: {result.database}\nTry:\n  altar --db {result.database} case list --authority dudley\n"
        f"  altar --db {result.database} case show {result.example_case}\n"
        f"  altar --db {result.database} story show {result.example_case}\n"
        f"  altar --db {result.database} chronology list {result.example_case}\n"
        f"  altar --db {result.database} penpicture list\n"
        f"  altar --db {result.database} stats\n"
        f"  altar --db {result.database} report regional --out {directory / 'reports'}\n"
        f"  altar --db {result.database} export --format csv | head -3\n"
        f"The web pages: add yourself (it asks for a web password), then serve and open http://127.0.0.1:8000/\n"
        f"  altar --db {result.database} user add me --role admin\n"
        f"  altar --db {result.database} serve"
    )


def _print_cohort(counts: dict[str, dict[str, int]]) -> None:
    click.echo(f"{'authority':<15}" + "".join(f"{s:>14}" for s in STRATA) + f"{'total':>8}")
    for authority in sorted(counts):
        c = counts[authority]
        click.echo(
            f"{authority:<15}" + "".join(f"{c[s]:>14}" for s in STRATA) + f"{sum(c.values()):>8}"
        )
    totals = [sum(counts[a][s] for a in counts) for s in STRATA]
    click.echo(f"{'all':<15}" + "".join(f"{t:>14}" for t in totals) + f"{sum(totals):>8}")
