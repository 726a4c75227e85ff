"""altar chronology add|list|edit|remove|import|template|chart."""

import os
import sys
from pathlib import Path

import click

from altar.capture.csvio import write_csv
from altar.cli.common import Settings, command_name, pass_settings
from altar.cli.output import emit, format_option, note


@click.group()
def chronology() -> None:
    """Chronologies: the dated events of a child's life with each agency.

    Dates are YYYY-MM-DD, or YYYY-MM when the records give only the month.
    Agencies: social_care (children's social care), education, health,
    police, youth_justice, courts, housing, voluntary, other. Event types:
    referral, assessment, early_help, child_in_need_plan,
    child_protection_plan, care_entry, care_exit, placement_move, exclusion,
    school_move, missing_episode, bereavement, offence, arrest, caution,
    court_outcome, custody, release, other. Readable names work too
    ("children's social care", "child protection plan").

    \b
    Examples:
      altar chronology add DUD-017 --date 2019-03 --agency education --type exclusion
      altar chronology list DUD-017
      altar chronology edit DUD-017 12 --date 2019-04
      altar chronology import dudley_chronologies.csv
      altar chronology chart DUD-017 --out DUD-017.png
    """


@chronology.command("add")
@click.argument("case_ref")
@click.option(
    "--date",
    "date_text",
    required=True,
    metavar="YYYY-MM[-DD]",
    help="When it happened (YYYY-MM when the day is not known).",
)
@click.option(
    "--agency", required=True, help='Which agency, e.g. education or "children\'s social care".'
)
@click.option(
    "--type", "event_type", required=True, help="What happened, e.g. exclusion, arrest, care_entry."
)
@click.option(
    "--note", "note_text", help="A short note on one line (at most 500 characters). No names."
)
@pass_settings
def chronology_add(
    settings: Settings,
    case_ref: str,
    date_text: str,
    agency: str,
    event_type: str,
    note_text: str | None,
) -> None:
    """Add one event to a child's chronology.

    \b
    Examples:
      altar chronology add DUD-017 --date 2019-03 --agency education --type exclusion
      altar chronology add DUD-017 --date 2020-11-02 --agency police --type arrest --note "first arrest"
    """
    from altar.stories import chronology_entry as chronology_store

    fields = {"date": date_text, "agency": agency, "event_type": event_type, "note": note_text}
    with settings.database().transaction() as session:
        added = chronology_store.add_event(
            session, settings.acting_user, case_ref, fields, command=command_name()
        )
    note(f"Added event {added.id} to {case_ref}: {added.date} {added.agency} {added.event_type}")


@chronology.command("list")
@click.argument("case_ref")
@format_option()
@pass_settings
def chronology_list(settings: Settings, case_ref: str, fmt: str) -> None:
    """List a child's chronology, earliest first.

    A date known only to the month is shown as YYYY-MM. The id is what
    `altar chronology remove` takes.

    \b
    Examples:
      altar chronology list DUD-017
      altar chronology list DUD-017 --format csv > DUD-017_chronology.csv
    """
    from altar.stories import chronology_entry as chronology_store

    with settings.database().reader() as session:
        rows = chronology_store.list_events(session, settings.acting_user, case_ref)
    emit(rows, fmt, chronology_store.LIST_COLUMNS)
    if fmt == "table":
        note(f"{len(rows)} event(s)")


@chronology.command("edit")
@click.argument("case_ref")
@click.argument("event_id", type=int)
@click.option(
    "--date",
    "date_text",
    metavar="YYYY-MM[-DD]",
    help="The corrected date (YYYY-MM when the day is not known).",
)
@click.option("--agency", help="The corrected agency.")
@click.option("--type", "event_type", help="The corrected event type.")
@click.option(
    "--note", "note_text", help='A new note on one line (--note "" removes it). No names.'
)
@pass_settings
def chronology_edit(
    settings: Settings,
    case_ref: str,
    event_id: int,
    date_text: str | None,
    agency: str | None,
    event_type: str | None,
    note_text: str | None,
) -> None:
    """Correct one event (by the id `altar chronology list` shows).

    Only the options given change; the change log keeps each old value.

    \b
    Examples:
      altar chronology edit DUD-017 12 --date 2019-04-02
      altar chronology edit DUD-017 12 --type school_move --note ""
    """
    from altar.stories import chronology_entry as chronology_store

    fields = {"date": date_text, "agency": agency, "event_type": event_type, "note": note_text}
    with settings.database().transaction() as session:
        edited = chronology_store.edit_event(
            session, settings.acting_user, case_ref, event_id, fields, command=command_name()
        )
    note(
        f"Event {edited.id} of {case_ref} is now: {edited.date} {edited.agency} {edited.event_type}"
    )


@chronology.command("remove")
@click.argument("case_ref")
@click.argument("event_id", type=int)
@pass_settings
def chronology_remove(settings: Settings, case_ref: str, event_id: int) -> None:
    """Remove one event (by the id `altar chronology list` shows).

    The change log keeps what the event said, who removed it and when.

    \b
    Example:
      altar chronology remove DUD-017 12
    """
    from altar.stories import chronology_entry as chronology_store

    with settings.database().transaction() as session:
        removed = chronology_store.remove_event(
            session, settings.acting_user, case_ref, event_id, command=command_name()
        )
    note(
        f"Removed event {removed.id} from {case_ref}: {removed.date} {removed.agency} {removed.event_type}"
    )


@chronology.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--case",
    "case_ref",
    metavar="CASE_REF",
    help="Every row is about this case (the file has no case_ref column).",
)
@pass_settings
def chronology_import(settings: Settings, file: Path, case_ref: str | None) -> None:
    """Import chronology events from a CSV file, one row per event.

    Columns: case_ref, date, agency, event_type, note (note may be left
    out; case_ref too, with --case). `altar chronology template` writes the
    header. Every row is checked first: if any is wrong nothing is imported,
    and each problem is listed with its row number.

    \b
    Examples:
      altar chronology import dudley_chronologies.csv
      altar chronology import DUD-017.csv --case DUD-017
    """
    from altar.stories import chronology_entry as chronology_store

    with settings.database().transaction() as session:
        result = chronology_store.import_events(
            session, settings.acting_user, file, case_ref=case_ref, command=command_name()
        )
    note(f"{file.name}: imported {result.events} event(s) for {result.cases} case(s).")


@chronology.command("template")
@click.option(
    "--case", "case_ref", metavar="CASE_REF", help="For a file about one case: no case_ref column."
)
def chronology_template(case_ref: str | None) -> None:
    """Write the header of a blank chronology CSV to fill in.

    \b
    Examples:
      altar chronology template > chronologies.csv
      altar chronology template --case DUD-017 > DUD-017.csv
    """
    from altar.stories import chronology_entry as chronology_store

    write_csv(sys.stdout, chronology_store.template_header(case_ref), [])


@chronology.command("chart")
@click.argument("case_ref")
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The image to write: .png or .svg.",
)
@pass_settings
def chronology_chart(settings: Settings, case_ref: str, out: Path) -> None:
    """Draw a child's chronology as a timeline: agencies as lanes, events
    labelled by type, offending highlighted.

    For the working case file only: the image names the case and shows
    dates, and is stamped "Working case file: not for publication". It is
    written readable by you alone.

    \b
    Example:
      altar chronology chart DUD-017 --out DUD-017_timeline.png
    """
    from altar.charts.timeline import FORMATS
    from altar.stories import chronology_entry as chronology_store

    fmt = out.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise click.BadParameter(
            f"{out.name}: give a file name ending .png or .svg", param_hint="--out"
        )
    with settings.database().reader() as session:
        image = chronology_store.case_timeline(session, settings.acting_user, case_ref, fmt)
    with os.fdopen(os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as stream:
        stream.write(image)
    note(f"Wrote {out} (working case file: not for publication)")
