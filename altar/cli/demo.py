"""altar demo: a SYNTHETIC cohort to try the toolkit on."""

from pathlib import Path

import click

from altar.cli.output import note
from altar.db import connect
from altar.db import cases as store
from altar.demo import build_demo


@click.command()
@click.argument("directory", default="demo", type=click.Path(file_okay=False, path_type=Path))
@click.option("--seed", default=2021, show_default=True, help="Random seed: the same seed builds the same cohort.")
def demo(directory: Path, seed: int) -> None:
    """Build a demonstration database of a SYNTHETIC cohort in DIRECTORY.

    About 110 invented children across the nine authorities, three strata
    and both cohorts, with plausible prevalences and some unknowns. No row
    describes a real child. An earlier demo in the folder is replaced; a
    real database never is.

    \b
    Example:
      altar demo
      altar --db demo/altar.db case list
    """
    result = build_demo(directory, seed=seed)
    note(f"SYNTHETIC demo cohort: {result.imported.added} cases imported from {result.csv}")
    database = connect(str(result.database))
    with database.reader() as session:
        rows = store.list_cases(session)
    database.engine.dispose()
    _print_cohort(rows)
    note(f"\nDatabase: {result.database}\nTry:\n  altar --db {result.database} case list --authority dudley\n"
         f"  altar --db {result.database} case show {rows[0].case_ref}\n"
         f"  altar --db {result.database} stats\n"
         f"  altar --db {result.database} export --format csv | head -3")  # fmt: skip


def _print_cohort(rows: list) -> None:  # type: ignore[type-arg]
    strata = ("custody", "community", "out_of_court")
    counts: dict[str, dict[str, int]] = {}
    for row in rows:
        counts.setdefault(row.authority, dict.fromkeys(strata, 0))[row.stratum] += 1
    click.echo(f"{'authority':<15}" + "".join(f"{s:>14}" for s in strata) + f"{'total':>8}")
    for authority in sorted(counts):
        c = counts[authority]
        click.echo(f"{authority:<15}" + "".join(f"{c[s]:>14}" for s in strata) + f"{sum(c.values()):>8}")
    totals = [sum(counts[a][s] for a in counts) for s in strata]
    click.echo(f"{'all':<15}" + "".join(f"{t:>14}" for t in totals) + f"{sum(totals):>8}")


def register(cli: click.Group) -> None:
    cli.add_command(demo)
