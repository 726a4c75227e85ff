"""altar case add|list|show|delete|undelete|purge."""

import json

import click

from altar.cli.common import Settings, command_name, pass_settings, write_as_user
from altar.cli.output import emit, format_option, note
from altar.vocab import COHORTS, ETHNICITIES, SEXES, STATUS_LABELS, STRATA

LIST_COLUMNS = (
    "case_ref",
    "authority",
    "stratum",
    "cohort",
    "sex",
    "age",
    "status",
    "answered",
    "unknown",
    "screened_on",
)


@click.group()
def case() -> None:
    """Cases: one child each, known only by a pseudonymous reference.

    \b
    Examples:
      altar case add DUD-017 --authority dudley --stratum community
      altar case list --status in_progress
      altar case show DUD-017
      altar case delete DUD-017
    """


@case.command("add")
@click.argument("case_ref")
@click.option("--authority", required=True, help="Authority code or name, e.g. dudley.")
@click.option("--stratum", required=True, type=click.Choice(STRATA), help="The child's disposal.")
@click.option(
    "--cohort", default="main", show_default=True, type=click.Choice(COHORTS), help="Sampling lens."
)
@click.option("--sex", default="unknown", show_default=True, type=click.Choice(SEXES))
@click.option(
    "--ethnicity",
    default="unknown",
    show_default=True,
    type=click.Choice(ETHNICITIES),
    help="ONS high-level ethnic group.",
)
@click.option(
    "--age", default="unknown", show_default=True, help="Age in whole years (10-18) at screening."
)
@click.option("--screened-on", help="Date of the screening, YYYY-MM-DD (default: today).")
@pass_settings
def case_add(settings: Settings, /, case_ref: str, screened_on: str | None, **fields: str) -> None:
    """Add a child's case, ready to screen with `altar screening enter`.

    CASE_REF is your pseudonymous reference for the child. Never use a name,
    initials or a date of birth: the reference must not identify the child
    outside your service.

    \b
    Example:
      altar case add DUD-017 --authority dudley --stratum community --sex male --age 15
      altar screening enter DUD-017
    """
    from altar.capture.entry import add_case

    with settings.database().transaction() as session:
        record = add_case(
            session,
            settings.acting_user,
            {"case_ref": case_ref, "screened_on": screened_on, **fields},
            command=command_name(),
        )
    note(f"Added case {record.case_ref}. Next: altar screening enter {record.case_ref}")


@case.command("list")
@click.option("--authority", help="Only this authority's cases (its code or name).")
@click.option("--stratum", type=click.Choice(STRATA))
@click.option("--cohort", type=click.Choice(COHORTS))
@click.option("--status", type=click.Choice(tuple(STATUS_LABELS)))
@format_option()
@pass_settings
def case_list(settings: Settings, /, fmt: str, **filters: str | None) -> None:
    """List cases with their screening progress.

    'answered' counts items with an answer (unknown is an answer); a
    screening is complete when every item has one.

    \b
    Examples:
      altar case list --authority dudley --status in_progress
      altar case list --format csv > caseload.csv
    """
    from altar.db import cases as store
    from altar.db.authorities import resolve_authority

    with settings.database().reader() as session:
        if filters["authority"]:
            # Named as everywhere else, so "Dudley" is not an empty list but Dudley's cases.
            filters["authority"] = resolve_authority(session, filters["authority"])
        rows = store.list_cases(session, settings.acting_user, **filters)
    emit(rows, fmt, None if fmt == "json" else LIST_COLUMNS)
    if fmt == "table":
        note(f"{len(rows)} case(s)")


@case.command("show")
@click.argument("case_ref")
@click.option("--json", "as_json", is_flag=True, help="As JSON.")
@pass_settings
def case_show(settings: Settings, case_ref: str, as_json: bool) -> None:
    """Show one case and its screening answers, group by group.

    \b
    Example:
      altar case show DUD-017
    """
    from altar.capture.exporter import case_document
    from altar.capture.values import format_answer
    from altar.db import cases as store
    from altar.instrument import all_codebooks

    with settings.database().reader() as session:
        record = store.load_record(session, settings.acting_user, case_ref)
    book = all_codebooks()[record.instrument_version]
    if as_json:
        click.echo(json.dumps(case_document(record), indent=2))
        return
    click.echo(
        f"{record.case_ref}: {record.authority}, {record.stratum}, {record.cohort}, sex {record.sex}, "
        f"ethnicity {record.ethnicity}, age {record.age if record.age is not None else 'unknown'}"
    )
    click.echo(
        f"screened on {record.screened_on} by {record.screened_by or 'unrecorded'} "
        f"with {book.name} v{book.version}"
    )
    for group in book.groups:
        click.echo(f"\n{group.title}")
        for item in group.items:
            shown = (
                format_answer(record.answers[item.code], item)
                if item.code in record.answers
                else "(not answered)"
            )
            click.echo(f"  {item.label:<58} {shown}")


@case.command("delete")
@click.argument("case_ref")
@pass_settings
def case_delete(settings: Settings, case_ref: str) -> None:
    """Delete a case: it leaves every list, statistic, report and export.

    Nothing is erased: the lead researcher can bring it back with `altar
    case undelete`, and the deletion is in the audit trail. To erase a
    child's data for good (a lawful erasure request), an admin uses
    `altar case purge`.

    \b
    Example:
      altar case delete DUD-017
    """
    from altar.db.lifecycle import delete_case

    write_as_user(
        settings,
        delete_case,
        case_ref,
        done=f"Deleted case {case_ref}. (A lead or admin can undo this: altar case undelete {case_ref})",
    )


@case.command("undelete")
@click.argument("case_ref")
@pass_settings
def case_undelete(settings: Settings, case_ref: str) -> None:
    """Bring back a deleted case, with all its data (lead or admin).

    \b
    Example:
      altar case undelete DUD-017
    """
    from altar.db.lifecycle import undelete_case

    write_as_user(settings, undelete_case, case_ref, done=f"Undeleted case {case_ref}.")


@case.command("purge")
@click.argument("case_ref")
@click.confirmation_option(
    prompt="Erase this child's data for good? It cannot be undone.",
    help="Confirm without being asked.",
)
@pass_settings
def case_purge(settings: Settings, case_ref: str) -> None:
    """Erase a case and all of its data for good (admin only).

    For a lawful erasure request. Removes the case (deleted or not), its
    screening, answers, scores, story, chronology, pen-pictures and tags,
    and the old and new values of its audit entries. One audit entry
    remains: that CASE_REF was purged, by whom, when and with which
    command. Backups taken before the purge still hold the data.

    \b
    Example:
      altar --user admin case purge DUD-017 --yes
    """
    from altar.db.lifecycle import purge_case

    database = settings.database()
    result = purge_case(database, settings.acting_user, case_ref, command=command_name())
    note(
        f"Purged case {result.case_ref}: its data and {result.log_entries_removed} audit entries' content "
        "are erased; the audit trail keeps a record of the purge."
    )
