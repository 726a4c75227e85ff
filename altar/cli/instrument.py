"""altar instrument show|export: the screening instrument (codebook)."""

from __future__ import annotations

import json
import sys
import textwrap
from typing import TYPE_CHECKING

import click

from altar.capture.csvio import write_csv
from altar.cli.output import note

if TYPE_CHECKING:
    from altar.instrument import Codebook


def _book(version: int | None) -> Codebook:
    from altar.instrument import codebook, current_codebook

    return current_codebook() if version is None else codebook(version)


version_option = click.option(
    "--version",
    "version",
    type=int,
    help="An earlier instrument version (default: the current one).",
)


@click.group()
def instrument() -> None:
    """The screening instrument: every item a case file is screened for.

    \b
    Examples:
      altar instrument show --group ace
      altar instrument export --format csv --out data_dictionary.csv
    """


@instrument.command("show")
@version_option
@click.option("--group", help="Show one group only, e.g. ace or education.")
@click.option("--json", "as_json", is_flag=True, help="The whole codebook as JSON.")
def instrument_show(version: int | None, group: str | None, as_json: bool) -> None:
    """Print the codebook: groups, items, what each answer means, and scores.

    \b
    Examples:
      altar instrument show
      altar instrument show --group ace
    """
    from altar.instrument.dictionary import codebook_document

    book = _book(version)
    if as_json:
        click.echo(json.dumps(codebook_document(book), indent=2))
        return
    click.echo(render_codebook(book, group))


def render_codebook(book: Codebook, group: str | None = None) -> str:
    lines = [f"{book.title} (version {book.version}, released {book.released})", ""]
    lines += textwrap.wrap(book.description, 78) + ["", "Answers:"]
    lines += [f"  {code:<10} {meaning}" for code, meaning in book.answers.items()]
    groups = [book.group(group)] if group else book.groups
    for g in groups:
        lines += [
            "",
            f"== {g.code}: {g.title}",
            *textwrap.wrap(g.description, 78, initial_indent="   ", subsequent_indent="   "),
        ]
        for item in g.items:
            kind = "count" if item.type == "count" else "yes/suspected/no/unknown"
            flag = ", protective factor" if item.protective else ""
            lines += ["", f"  {item.code}  [{kind}{flag}]", f"    {item.label}"]
            lines += textwrap.wrap(item.help, 78, initial_indent="    ", subsequent_indent="    ")
    if not group:
        lines += ["", "== Derived scores"]
        for score in book.scores:
            parts = ", ".join(c.label for c in score.components)
            lines += [
                "",
                f"  {score.code}: {score.label}; bands {' / '.join(score.bands)}",
                *textwrap.wrap(
                    f"counts: {parts}", 78, initial_indent="    ", subsequent_indent="    "
                ),
            ]
    return "\n".join(lines)


@instrument.command("export")
@version_option
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True),
    help="Write to this file instead of the screen.",
)
def instrument_export(version: int | None, fmt: str, out: str | None) -> None:
    """Write the codebook as a data dictionary (one row per item).

    \b
    Examples:
      altar instrument export --format csv --out data_dictionary.csv
      altar instrument export --format json
    """
    from altar.instrument.dictionary import (
        DICTIONARY_COLUMNS,
        codebook_document,
        dictionary_rows,
    )

    book = _book(version)
    stream = open(out, "w", encoding="utf-8", newline="") if out else sys.stdout  # noqa: SIM115
    try:
        if fmt == "csv":
            write_csv(stream, DICTIONARY_COLUMNS, dictionary_rows(book))
        else:
            json.dump(codebook_document(book), stream, indent=2)
            stream.write("\n")
    finally:
        if out:
            stream.close()
    if out:
        note(f"Wrote the data dictionary for {book.name} v{book.version} to {out}")
