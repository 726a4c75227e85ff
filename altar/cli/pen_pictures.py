"""altar penpicture add|edit|approve|withdraw|list|show."""

from __future__ import annotations

import shlex
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from altar.cli.common import Settings, command_name, keep_typed_text, pass_settings
from altar.cli.output import emit, format_option, note
from altar.errors import ConflictError, ValidationError

if TYPE_CHECKING:
    from altar.db.pen_pictures import PenPictureRow

LIST_COLUMNS = (
    "id",
    "case_ref",
    "authority",
    "stratum",
    "status",
    "title",
    "approved_by",
    "approved_at",
)
FROM_FILE = click.option(
    "--from-file",
    "from_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read the text from this file (UTF-8) instead of opening the editor.",
)


@click.group("penpicture")
def penpicture() -> None:
    """Pen-pictures: short anonymised portraits drawn from the case stories.

    A pen-picture is linked to its case but published without the case
    reference, and only once approved: approved pen-pictures appear in the
    regional report and in the summary of the child's authority. Pen-pictures
    are the lead researcher's: a lead or admin writes, lists and approves them.

    \b
    Examples:
      altar penpicture add DUD-017 --title "Excluded at eleven"
      altar penpicture approve 3
      altar penpicture list --unapproved
    """


def _typed(from_file: Path | None, starting_text: str) -> str | None:
    """The text from the file, or typed in $EDITOR; None when the editor was closed without saving."""
    from altar.capture.form import read_typed_file

    if from_file:
        return read_typed_file(from_file)
    return click.edit(starting_text, extension=".txt", require_save=True)


@contextmanager
def _kept_on_failure(text: str, label: str, command: str, *, typed: bool) -> Iterator[None]:
    """Typed work is never lost: when it cannot be saved, it is kept in a
    private file, and the error says how to apply it once corrected."""
    try:
        yield
    except (ValidationError, ConflictError) as exc:
        if not typed:
            raise
        kept = keep_typed_text(f"altar-penpicture-{label}", text)
        message = (
            f"{exc}. Your text is kept in {kept}: correct it, then run {command} --from-file {kept}"
        )
        if isinstance(exc, ValidationError):
            raise ValidationError(message, exc.problems) from None
        raise ConflictError(message) from None


@penpicture.command("add")
@click.argument("case_ref")
@click.option(
    "--title", required=True, help="A short title (at most 120 characters), published with it."
)
@FROM_FILE
@pass_settings
def add(settings: Settings, case_ref: str, title: str, from_file: Path | None) -> None:
    """Write a new pen-picture of a case, in $EDITOR or from a file.

    The editor opens with guidance as comment lines (starting with #), which
    are left out. At most 2,000 characters; no names, places, dates or case
    references. A new pen-picture is a draft until approved.

    \b
    Examples:
      altar penpicture add DUD-017 --title "Excluded at eleven"
      altar penpicture add DUD-017 --title "Excluded at eleven" --from-file dud-017.txt
    """
    from altar.stories import pen_pictures as pictures

    database = settings.database()
    with database.reader() as session:
        start = pictures.new_text(session, settings.acting_user, case_ref)
    text = _typed(from_file, start)  # outside any transaction: writing takes a while
    if text is None or not pictures.clean_text(text):
        if from_file:
            raise ValidationError(f"{from_file} holds no text; nothing was saved")
        note("Nothing written: no pen-picture saved.")
        return
    with (
        _kept_on_failure(
            text,
            case_ref,
            f"altar penpicture add {case_ref} --title {shlex.quote(title)}",
            typed=not from_file,
        ),
        database.transaction() as session,
    ):
        row = pictures.add(
            session, settings.acting_user, case_ref, title, text, command=command_name()
        )
    note(
        f"Added pen-picture {row.id} of {row.case_ref} ({len(row.body):,} characters), not yet approved. "
        f"Next: altar penpicture approve {row.id}"
    )


@penpicture.command("edit")
@click.argument("picture_id", metavar="ID", type=int)
@click.option("--title", help="A new title.")
@FROM_FILE
@pass_settings
def edit(settings: Settings, picture_id: int, title: str | None, from_file: Path | None) -> None:
    """Change a pen-picture's text (in $EDITOR, or from a file) or its title.

    Any change withdraws its approval, so the published text is always the
    approved text: approve it again when it is ready. With only --title, the
    editor does not open.

    \b
    Examples:
      altar penpicture edit 3
      altar penpicture edit 3 --title "Out of school at eleven"
    """
    from altar.stories import pen_pictures as pictures

    database = settings.database()
    with database.reader() as session:
        before = pictures.show(session, settings.acting_user, picture_id)
    text = None
    if from_file or title is None:
        text = _typed(from_file, pictures.editor_text(before.case_ref, before.body))
        if text is None and title is None:
            note(f"Editor closed without saving: pen-picture {picture_id} unchanged.")
            return
    typed = text is not None and not from_file
    again = f"altar penpicture edit {picture_id}"
    with (
        _kept_on_failure(text or "", str(picture_id), again, typed=typed),
        database.transaction() as session,
    ):
        result = pictures.edit(
            session,
            settings.acting_user,
            picture_id,
            title=title,
            text=text,
            opened=None if from_file else before.body,
            command=command_name(),
        )
    if not result.changed:
        note(f"No change to pen-picture {picture_id}.")
        return
    note(f"Saved pen-picture {picture_id} ({', '.join(result.changed)} changed).")
    if result.withdrawn:
        note(
            f"Its approval is withdrawn: it will not appear in reports until approved again "
            f"(altar penpicture approve {picture_id})."
        )


@penpicture.command("approve")
@click.argument("picture_id", metavar="ID", type=int)
@pass_settings
def approve(settings: Settings, picture_id: int) -> None:
    """Approve a pen-picture for publication in the reports.

    \b
    Example:
      altar penpicture approve 3
    """
    row = _set_approved(settings, picture_id, True, "was already approved")
    if row:
        note(
            f"Pen-picture {picture_id} approved: it appears in the regional report and in the {row.authority} "
            "summary."
        )


@penpicture.command("withdraw")
@click.argument("picture_id", metavar="ID", type=int)
@pass_settings
def withdraw(settings: Settings, picture_id: int) -> None:
    """Withdraw a pen-picture's approval: reports leave it out from now on.

    \b
    Example:
      altar penpicture withdraw 3
    """
    if _set_approved(settings, picture_id, False, "was not approved"):
        note(f"Pen-picture {picture_id} withdrawn: reports leave it out.")


def _set_approved(
    settings: Settings, picture_id: int, approved: bool, unchanged: str
) -> PenPictureRow | None:
    """The pen-picture once changed, or None (saying so) when it already was."""
    from altar.stories import pen_pictures as pictures

    with settings.database().transaction() as session:
        row, changed = pictures.set_approved(
            session, settings.acting_user, picture_id, approved, command=command_name()
        )
    if not changed:
        note(f"Pen-picture {picture_id} {unchanged}.")
    return row if changed else None


@penpicture.command("list")
@click.option(
    "--approved", "approved", flag_value=True, default=None, help="Only approved pen-pictures."
)
@click.option("--unapproved", "approved", flag_value=False, help="Only drafts, not yet approved.")
@click.option("--authority", help="Only this authority's children (code or name).")
@format_option()
@pass_settings
def list_command(
    settings: Settings, approved: bool | None, authority: str | None, fmt: str
) -> None:
    """List pen-pictures with their case and whether they are approved.

    \b
    Examples:
      altar penpicture list --unapproved
      altar penpicture list --authority dudley --format csv
    """
    from altar.stories import pen_pictures as pictures

    with settings.database().reader() as session:
        rows = pictures.list_pen_pictures(
            session, settings.acting_user, approved=approved, authority=authority
        )
    # The table is for finding one; csv and json carry the text too.
    emit(rows, fmt, {"table": LIST_COLUMNS, "csv": (*LIST_COLUMNS, "body")}.get(fmt))
    if fmt == "table":
        note(f"{len(rows)} pen-picture(s)")


@penpicture.command("show")
@click.argument("picture_id", metavar="ID", type=int)
@pass_settings
def show(settings: Settings, picture_id: int) -> None:
    """Show one pen-picture in full, with its case and approval.

    \b
    Example:
      altar penpicture show 3
    """
    from altar.stories import pen_pictures as pictures

    with settings.database().reader() as session:
        row = pictures.show(session, settings.acting_user, picture_id)
    approval = (
        f"approved by {row.approved_by or 'unrecorded'} on {row.approved_at:%Y-%m-%d}"
        if row.approved_at
        else "draft, not approved"
    )
    click.echo(f"Pen-picture {row.id}: {row.title}")
    click.echo(
        f"case {row.case_ref} ({row.authority}, {row.stratum}); written by {row.written_by or 'unrecorded'} "
        f"on {row.written_at:%Y-%m-%d}; {approval}\n"
    )
    click.echo(row.body)
