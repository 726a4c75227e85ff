"""altar themes [summary|add|list|tag|untag|extracts|export]: qualitative coding of the case stories."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import click

from altar.cli.common import Settings, command_name, pass_settings
from altar.cli.output import emit, format_option, note
from altar.vocab import BREAKDOWNS

TABLE_EXTRACT = 70  # characters of an extract shown in a table; json and csv carry it whole
WORKING_FILE = "working figures and extracts for analysis, not for publication (OFFICIAL-SENSITIVE)"


@click.group(invoke_without_command=True)
@click.pass_context
def themes(ctx: click.Context) -> None:
    """Themes: code passages of the case stories, as in NVivo or Taguette.

    Without a subcommand, the same as `altar themes summary`. Anyone may list
    themes and tag their own cases' stories; adding themes, the summary,
    extracts and export are a lead's or admin's.

    \b
    Examples:
      altar themes add missed_opportunity --label "Missed opportunity"
      altar themes tag DUD-017 missed_opportunity --section education --quote "no referral was made"
      altar themes summary --by stratum
      altar themes export extracts.csv
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(summary_command)


@themes.command("summary")
@click.option(
    "--by",
    type=click.Choice(BREAKDOWNS),
    default="stratum",
    show_default=True,
    help="Break each theme down by this attribute of the children.",
)
@format_option()
@pass_settings
def summary_command(settings: Settings, by: str = "stratum", fmt: str = "table") -> None:
    """Each theme: children tagged, children with a story, passages tagged.

    One row for all children, then one per group (stratum by default).

    \b
    Examples:
      altar themes summary
      altar themes summary --by authority --format csv > themes.csv
    """
    from altar.stories import themes as coding

    with settings.database().reader() as session:
        rows = coding.summary(session, settings.acting_user, by)
    emit(
        rows,
        fmt,
        None if fmt == "json" else ("theme", "label", by, "children", "stories", "extracts"),
    )
    if fmt == "table":
        note(
            f"children: with the theme tagged; stories: children with a case story. These are {WORKING_FILE}."
        )


@themes.command("add")
@click.argument("code")
@click.option(
    "--label", required=True, help='The theme as a reader sees it, e.g. "Missed opportunity".'
)
@click.option("--description", help="When to apply it: what coders should look for.")
@pass_settings
def add(settings: Settings, code: str, label: str, description: str | None) -> None:
    """Add a theme to the codebook.

    CODE is 2-60 lower-case letters, digits and _.

    \b
    Example:
      altar themes add school_exclusion_turning_point --label "School exclusion as turning point"
    """
    from altar.stories import themes as coding

    with settings.database().transaction() as session:
        theme = coding.add_theme(
            session, settings.acting_user, code, label, description, command=command_name()
        )
    note(f"Added theme {theme.code} ({theme.label}).")


@themes.command("list")
@format_option()
@pass_settings
def list_command(settings: Settings, fmt: str) -> None:
    """List the themes with how many children and passages each is tagged on.

    \b
    Example:
      altar themes list
    """
    from altar.stories import themes as coding

    with settings.database().reader() as session:
        rows = coding.list_themes(session, settings.acting_user)
    emit(rows, fmt)


@themes.command("tag")
@click.argument("case_ref")
@click.argument("theme")
@click.option(
    "--section", required=True, help="The story section the passage is in, e.g. education."
)
@click.option(
    "--quote",
    required=True,
    help="The passage, as written (line breaks and extra spaces may differ).",
)
@click.option(
    "--occurrence",
    type=click.IntRange(min=1),
    help="Which occurrence, when the passage occurs more than once (the error lists them by line).",
)
@pass_settings
def tag(
    settings: Settings, case_ref: str, theme: str, section: str, quote: str, occurrence: int | None
) -> None:
    """Tag a passage of a child's latest story version with a theme.

    \b
    Example:
      altar themes tag DUD-017 missed_opportunity --section education --quote "no referral was made"
    """
    from altar.stories import themes as coding

    with settings.database().transaction() as session:
        done = coding.tag_passage(
            session,
            settings.acting_user,
            case_ref,
            theme,
            section,
            quote,
            occurrence,
            command=command_name(),
        )
    note(
        f"Tag {done.id}: {done.theme} on {done.case_ref}, {done.section} (story version {done.version}, "
        f"line {done.passage.line})."
    )


@themes.command("untag")
@click.argument("tag_id", metavar="TAG_ID", type=int)
@pass_settings
def untag(settings: Settings, tag_id: int) -> None:
    """Remove a tag (see `altar themes extracts` for the ids).

    \b
    Example:
      altar themes untag 12
    """
    from altar.stories import themes as coding

    with settings.database().transaction() as session:
        removed = coding.untag(session, settings.acting_user, tag_id, command=command_name())
    note(f"Removed tag {tag_id} ({removed.theme_code}).")


@themes.command("extracts")
@click.argument("theme", required=False)
@format_option()
@pass_settings
def extracts_command(settings: Settings, theme: str | None, fmt: str) -> None:
    """List the tagged passages, of one theme or all, with their case references.

    For internal analysis: the case reference leads back to the story. A tag
    on an earlier story version shows "tagged on version N".

    \b
    Examples:
      altar themes extracts missed_opportunity
      altar themes extracts --format json
    """
    from altar.stories import themes as coding

    with settings.database().reader() as session:
        found = coding.extracts(session, settings.acting_user, theme)
    rows: Sequence[object] = found
    if fmt == "table":
        rows = [{**vars(r), "extract": _shortened(r.extract)} for r in found]
    emit(rows, fmt, None if fmt == "json" else coding.EXPORT_COLUMNS)


def _shortened(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= TABLE_EXTRACT else line[: TABLE_EXTRACT - 1] + "…"


@themes.command("export")
@click.argument("path", metavar="FILE.csv", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--theme", help="Only this theme's extracts.")
@pass_settings
def export(settings: Settings, path: Path, theme: str | None) -> None:
    """Write the tagged extracts to a CSV file for analysis.

    Columns: tag_id, theme, theme_label, case_ref, authority, stratum,
    section, version, note, extract. It holds case references and story
    text, so it is readable by you only: keep it on the secure share.

    \b
    Example:
      altar themes export extracts.csv
    """
    from altar.stories import themes as coding

    with settings.database().reader() as session:
        rows = coding.extracts(session, settings.acting_user, theme)
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # an existing file keeps its mode through O_TRUNC
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as stream:
        count = coding.write_extracts(stream, rows)
    note(f"Wrote {count} extract(s) to {path}: {WORKING_FILE}.")
