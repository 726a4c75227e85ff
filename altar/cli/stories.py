"""altar story edit|show|history|diff|import|terms: the case story."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from altar.cli.common import Settings, command_name, keep_typed_text, pass_settings
from altar.cli.output import emit, format_option, note
from altar.errors import ConflictError, ValidationError
from altar.vocab import IDENTIFIER_KINDS

if TYPE_CHECKING:
    from altar.stories.casestory import SaveOutcome

FORCE_HELP = "Keep text that looks identifying (names, dates of birth, postcodes...); the override is recorded."


@click.group()
def story() -> None:
    """Case stories: the narrative of a child's life and the professional
    involvements, written section by section from a template. Every save is a
    new version; earlier versions are kept.

    \b
    Examples:
      altar story edit DUD-017
      altar story edit DUD-017 --section education
      altar story show DUD-017
      altar story history DUD-017
      altar story diff DUD-017 1
      altar story import stories/
    """


@story.command("edit")
@click.argument("case_ref")
@click.option(
    "--section", help="Open one section only (e.g. education); the others are kept as they are."
)
@click.option(
    "--from-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read the story (the editor form or plain '## Title' Markdown) from this file instead of "
    "opening the editor.",
)
@click.option("--force", is_flag=True, help=FORCE_HELP)
@pass_settings
def story_edit(
    settings: Settings, case_ref: str, section: str | None, from_file: Path | None, force: bool
) -> None:
    """Write or revise a case's story in your text editor ($VISUAL or $EDITOR).

    The story opens as Markdown: one '## heading' per section of the
    template, with questions to consider shown as comments (they are never
    saved). Saving stores a new version; closing without saving changes
    nothing. Text that looks identifying (a name, a date of birth, a
    postcode, a phone number, an email address, a school's name) stops the
    save unless you give --force. If the text cannot be saved, it is kept in
    a file readable only by you, and the message says where.

    \b
    Examples:
      altar story edit DUD-017
      altar story edit DUD-017 --section practitioner_reflections
      altar story edit DUD-017 --from-file dud-017.md
    """
    from altar.capture.form import read_typed_file
    from altar.stories.casestory import open_story, save_story

    database = settings.database()
    with database.reader() as session:
        opened = open_story(session, settings.acting_user, case_ref, section)
    text = (
        read_typed_file(from_file)
        if from_file
        else click.edit(opened.render(), extension=".md", require_save=True)
    )
    if text is None or not text.strip():
        note(f"No changes saved to the story of {case_ref}.")
        return
    try:
        with database.transaction() as session:
            outcome = save_story(
                session, settings.acting_user, opened, text, force=force, command=command_name()
            )
    except (ConflictError, ValidationError) as exc:
        if from_file:
            raise
        raise _with_kept_text(exc, case_ref, section, text) from None
    _report(outcome)


def _with_kept_text(
    exc: ConflictError | ValidationError, case_ref: str, section: str | None, text: str
) -> ConflictError | ValidationError:
    """The same error, saying where the typed story was kept and how to apply it."""
    kept = keep_typed_text(f"altar-story-{case_ref}", text, suffix=".md")
    retry = (
        f"altar story edit {case_ref}"
        + (f" --section {section}" if section else "")
        + f" --from-file {kept}"
    )
    message = f"{exc}. Your text is kept in {kept}: edit it, then run `{retry}`"
    if isinstance(exc, ConflictError):
        return ConflictError(
            f"{message} (see what changed with `altar story diff {case_ref} 1`: applying your "
            "file replaces the sections it holds)"
        )
    return ValidationError(message, exc.problems)


def _report(outcome: SaveOutcome) -> None:
    if outcome.version is None:
        note(f"The story of {outcome.case_ref} is unchanged: nothing was saved.")
        return
    note(
        f"Saved version {outcome.version} of the story of {outcome.case_ref}; changed: {', '.join(outcome.changed)}."
    )
    if outcome.kept_findings:
        note(
            f"Kept on purpose (--force), and recorded with the version: {len(outcome.kept_findings)} "
            "identifying-looking detail(s)."
        )


@story.command("show")
@click.argument("case_ref")
@click.option(
    "--version", type=click.IntRange(min=1), help="A given version (default: the latest)."
)
@click.option("--section", help="One section only (e.g. education).")
@pass_settings
def story_show(settings: Settings, case_ref: str, version: int | None, section: str | None) -> None:
    """Print a case's story as Markdown (importable again as it is).

    \b
    Examples:
      altar story show DUD-017
      altar story show DUD-017 --version 2 --section education
    """
    from altar.stories.casestory import show_story

    with settings.database().reader() as session:
        click.echo(show_story(session, settings.acting_user, case_ref, version, section), nl=False)


@story.command("history")
@click.argument("case_ref")
@format_option()
@pass_settings
def story_history(settings: Settings, case_ref: str, fmt: str) -> None:
    """List the versions of a case's story: who wrote each, when, which
    sections it changed, and any identifying details kept on purpose.

    \b
    Example:
      altar story history DUD-017
    """
    from altar.db import stories as store

    with settings.database().reader() as session:
        rows = store.history(session, settings.acting_user, case_ref)
    emit(
        rows,
        fmt,
        columns=("version", "written_by", "written_at", "template", "sections_changed", "override"),
    )


@story.command("diff")
@click.argument("case_ref")
@click.argument("old", type=click.IntRange(min=1))
@click.argument("new", type=click.IntRange(min=1), required=False)
@pass_settings
def story_diff(settings: Settings, case_ref: str, old: int, new: int | None) -> None:
    """Show what changed between two versions of a story (NEW: the latest),
    as a unified diff for each section that changed.

    \b
    Examples:
      altar story diff DUD-017 1        version 1 against the latest
      altar story diff DUD-017 2 3
    """
    from altar.stories.casestory import diff_story

    with settings.database().reader() as session:
        text = diff_story(session, settings.acting_user, case_ref, old, new)
    if text:
        click.echo(text)
    else:
        note("No differences.")


@story.command("import")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help=FORCE_HELP)
@pass_settings
def story_import(settings: Settings, folder: Path, force: bool) -> None:
    """Import stories written elsewhere: a folder of Markdown files named
    CASE_REF.md, each with one '## heading' per template section (as
    `altar story show` prints them; save from a word processor as Markdown
    or plain UTF-8 text). Each file becomes a new version of that case's
    story; a section the file leaves out is kept as it was. Every file is checked
    first: one problem anywhere and nothing is imported.

    \b
    Example:
      altar story import stories/
    """
    from altar.stories.casestory import import_stories

    with settings.database().transaction() as session:
        rows = import_stories(
            session, settings.acting_user, folder, force=force, command=command_name()
        )
    saved = [r for r in rows if r.version is not None]
    for row in saved:
        note(
            f"{row.case_ref}: version {row.version}"
            + (f" ({row.kept_findings} kept with --force)" if row.kept_findings else "")
        )
    note(
        f"Imported {len(saved)} stor{'y' if len(saved) == 1 else 'ies'}; {len(rows) - len(saved)} unchanged."
    )


@story.group("terms")
def terms() -> None:
    """Names and school names the identifying-detail check looks for, beside
    altar's list of common first names. Names are kept only as a one-way
    digest (the database holds no names); school names as written.

    \b
    Examples:
      altar story terms add --kind name Kai Okafor
      altar story terms add --kind school "Oakfield Academy"
      altar story terms list
    """


_KIND = click.option(
    "--kind", type=click.Choice(IDENTIFIER_KINDS), required=True, help="name or school."
)


@terms.command("add")
@_KIND
@click.argument("term", nargs=-1, required=True)
@pass_settings
def terms_add(settings: Settings, kind: str, term: tuple[str, ...]) -> None:
    """Add names or school names (one per argument: quote a name of several words).

    \b
    Example:
      altar story terms add --kind name Kai "Kai Okafor" Okafor
    """
    from altar.db import stories as store

    with settings.database().transaction() as session:
        added = store.add_terms(session, settings.acting_user, kind, term, command=command_name())
    note(f"Added {added} {kind}(s); {len(term) - added} already on the list.")


@terms.command("list")
@format_option()
@pass_settings
def terms_list(settings: Settings, fmt: str) -> None:
    """List the school names, and how many names (names are never shown: only digests are kept).

    \b
    Example:
      altar story terms list --format csv > schools.csv
    """
    from altar.db import stories as store

    with settings.database().reader() as session:
        schools, names = store.list_terms(session)
    emit(schools, fmt, columns=("kind", "term", "added_by", "added_at"))
    note(f"{names} name(s) on the list (kept as digests, so not shown).")


@terms.command("remove")
@_KIND
@click.argument("term", nargs=-1, required=True)
@pass_settings
def terms_remove(settings: Settings, kind: str, term: tuple[str, ...]) -> None:
    """Remove names or school names from the list (all or none). A lead's
    or admin's: it weakens the check for every story.

    \b
    Example:
      altar story terms remove --kind school "Oakfield Academy"
    """
    from altar.db import stories as store

    with settings.database().transaction() as session:
        removed = store.remove_terms(
            session, settings.acting_user, kind, term, command=command_name()
        )
    note(f"Removed {removed} {kind}(s).")
