"""altar screening enter|form: fill in a case's screening in your editor."""

import sys
from pathlib import Path

import click

from altar.cli.common import Settings, command_name, keep_typed_text, pass_settings
from altar.cli.output import note
from altar.errors import ConflictError, ValidationError


@click.group()
def screening() -> None:
    """Screenings: which adversities a child's case files evidence.

    \b
    Examples:
      altar screening enter DUD-017
      altar screening form DUD-017 > form.txt
    """


@screening.command("enter")
@click.argument("case_ref")
@click.option(
    "--group", help="Open one group only (e.g. ace, education); the rest are kept as they are."
)
@click.option(
    "--from",
    "from_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read a filled-in form from this file instead of opening the editor.",
)
@pass_settings
def screening_enter(
    settings: Settings, case_ref: str, group: str | None, from_file: Path | None
) -> None:
    """Enter or amend a case's screening in your text editor.

    The form lists every item with its guidance, filled in with what is
    already stored. Answer yes, suspected, no or unknown; leave an item blank
    to come back to it later. If an answer is not understood the form opens
    again with the problem marked. Earlier answers are kept in the change log.

    The editor is $VISUAL or $EDITOR (e.g. EDITOR=nano).

    \b
    Examples:
      altar screening enter DUD-017
      altar screening enter DUD-017 --group education
      altar screening enter DUD-017 --from dud-017-form.txt
    """
    from altar.capture.entry import open_form, save_form
    from altar.capture.form import is_blank, read_typed_file

    database = settings.database()
    user = settings.acting_user
    with database.reader() as session:
        opened = open_form(session, user, case_ref, group)
    text = read_typed_file(from_file) if from_file else _edit(opened.render())
    while text is not None and not is_blank(text):
        try:
            with database.transaction() as session:
                result, texts, problems = save_form(
                    session, user, opened, text, command=command_name()
                )
        except ConflictError as exc:
            kept = keep_typed_text(f"altar-form-{case_ref}", text)
            raise ConflictError(
                f"{exc}; nothing was saved. Your form is kept in {kept}: "
                f"run `altar screening enter {case_ref} --from {kept}` to apply it"
            ) from None
        if result is not None:
            note(
                f"Saved {result.case_ref}: {result.changed} value(s) changed; "
                f"{result.answered} of {result.total} items answered"
                + (" (complete)." if result.complete else " (in progress).")
            )
            return
        if from_file or not _can_reopen():
            raise ValidationError(
                f"{case_ref}: the form has {len(problems)} problem(s); nothing was saved",
                [str(p) for p in problems],
            )
        for problem in problems:
            note(f"  {problem}")
        if not click.confirm("Re-open the form to correct these?", default=True, err=True):
            break
        text = _edit(opened.render(problems, texts))
    note(f"No changes saved to {case_ref}.")


def _edit(text: str) -> str | None:
    return click.edit(text, extension=".txt", require_save=True)


def _can_reopen() -> bool:
    return sys.stdin.isatty()


@screening.command("form")
@click.argument("case_ref")
@click.option("--group", help="One group only.")
@pass_settings
def screening_form(settings: Settings, case_ref: str, group: str | None) -> None:
    """Print a case's screening form, to fill in and load with `enter --from`.

    \b
    Example:
      altar screening form DUD-017 > dud-017-form.txt
      (edit the file)
      altar screening enter DUD-017 --from dud-017-form.txt
    """
    from altar.capture.entry import open_form

    with settings.database().reader() as session:
        opened = open_form(session, settings.acting_user, case_ref, group)
    click.echo(opened.render(), nl=False)
