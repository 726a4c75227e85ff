"""altar stats: adversity tallies, comparisons and baselines."""

import json
import sys
from pathlib import Path

import click

from altar.capture.csvio import write_csv
from altar.cli.common import (
    Settings,
    baseline_dir_option,
    include_in_progress_option,
    pass_settings,
)
from altar.vocab import BREAKDOWNS, COHORTS, STRATA


@click.command()
@click.option(
    "--by",
    type=click.Choice(BREAKDOWNS),
    default="stratum",
    show_default=True,
    help="Which groups to compare.",
)
@click.option("--authority", help="Only this authority's children.")
@click.option("--stratum", type=click.Choice(STRATA), help="Only this stratum.")
@click.option("--cohort", type=click.Choice(COHORTS), help="Only this cohort.")
@click.option(
    "--json", "fmt", flag_value="json", help="One JSON document (the contract reports read)."
)
@click.option("--csv", "fmt", flag_value="csv", help="Long-form CSV: one row per group and item.")
@baseline_dir_option("A folder of extra baseline files (format: altar/data/baselines/README.md).")
@include_in_progress_option("the document")
@pass_settings
def stats(
    settings: Settings,
    by: str,
    authority: str | None,
    stratum: str | None,
    cohort: str | None,
    fmt: str | None,
    baseline_dirs: tuple[Path, ...],
    include_in_progress: bool,
) -> None:
    """How much abuse, loss and trauma the children carry, group by group.

    For every item: yes, suspected, no and unknown counts, the share known
    and known-or-suspected among children whose records answer it, with 95%
    Wilson intervals. Then ACE score and abuse-type bands, count items,
    tests of difference between groups (chi-square, or Fisher's exact test
    for small numbers; p-values Holm-adjusted across items), trends across
    strata, and comparison with general-population ACE studies. Last, the
    measures derived from the children's chronologies (`altar chronology`):
    age at first contact with children's social care, agencies involved,
    school moves and exclusions before the first offence, years from first
    agency contact to first offence (median, quartiles, mean, range; a
    child without a chronology is missing, never zero).

    These are working figures with small numbers unsuppressed:
    OFFICIAL-SENSITIVE. Lead researcher and admin only.

    Only children whose screening is complete are counted; the cases left
    out are counted in the document ("left_out"); the lead's completeness
    page shows how far the rest have got.

    \b
    Examples:
      altar stats
      altar stats --by sex --authority dudley
      altar stats --json > stats.json
      altar stats --include-in-progress
      altar stats --csv > tallies.csv
    """
    from altar.access import Permission
    from altar.analysis import LONG_COLUMNS, long_rows, resolve_filters, stats_document
    from altar.baselines import load_baselines
    from altar.cli.stats_text import render_stats
    from altar.db.tallies import Counting, Filters
    from altar.instrument import current_codebook

    database = settings.database(needs=Permission.REGION)
    filters = Filters(
        authority=authority,
        stratum=stratum,
        cohort=cohort,
        counting=Counting.chosen(include_in_progress),
    )
    book = current_codebook()
    with database.reader() as session:
        doc = stats_document(
            session,
            book,
            by=by,
            filters=resolve_filters(session, filters),
            baselines=load_baselines(baseline_dirs),
            chronologies=True,
        )
    if fmt == "json":
        click.echo(json.dumps(doc.to_dict(), indent=2))
    elif fmt == "csv":
        write_csv(sys.stdout, LONG_COLUMNS, long_rows(doc, book))
    else:
        click.echo(render_stats(doc, book))
