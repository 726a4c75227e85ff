"""One output path for every listing command: data to stdout as a table,
JSON or CSV; messages to stderr."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, is_dataclass
from typing import Any, TypeVar

import click

from altar.capture.csvio import write_csv

FORMATS = ("table", "json", "csv")

_Command = TypeVar("_Command", bound=Callable[..., Any])


def format_option(default: str = "table") -> Callable[[_Command], _Command]:
    """``--format table|json|csv`` with ``--json`` and ``--csv`` as short forms."""

    def decorate(f: _Command) -> _Command:
        f = click.option("--csv", "fmt", flag_value="csv", help="Same as --format csv.")(f)
        f = click.option("--json", "fmt", flag_value="json", help="Same as --format json.")(f)
        return click.option(
            "--format",
            "fmt",
            type=click.Choice(FORMATS),
            default=default,
            show_default=True,
            help="table for reading, json or csv for other programs.",
        )(f)

    return decorate


def as_dict(row: Any) -> dict[str, Any]:
    # A dataclass instance, never the class itself (is_dataclass is true for both).
    return asdict(row) if is_dataclass(row) and not isinstance(row, type) else dict(row)


def emit(rows: Sequence[Any], fmt: str, columns: Sequence[str] | None = None) -> None:
    data = [as_dict(r) for r in rows]
    columns = list(columns or (data[0].keys() if data else []))
    if fmt == "json":
        click.echo(json.dumps(data, indent=2, default=str))
    elif fmt == "csv":
        write_csv(sys.stdout, columns, ({k: _text(r.get(k)) for k in columns} for r in data))
    else:
        click.echo(table(data, columns))


def table(data: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    if not data:
        return "(none)"
    cells = [[_text(r.get(c)) for c in columns] for r in data]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip() for row in cells]
    return "\n".join(lines)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def note(message: str) -> None:
    """A message for the person at the terminal, never mixed into data."""
    click.echo(message, err=True)


@contextmanager
def progress(length: int, label: str) -> Iterator[Callable[[int], None] | None]:
    """A progress bar on stderr for long jobs, only when a person is
    watching (stderr is a terminal); yields ``update(done)`` or None."""
    if not sys.stderr.isatty() or length <= 0:
        yield None
        return
    with click.progressbar(length=length, label=label, file=sys.stderr) as bar:

        def update(done: int) -> None:
            bar.update(done - bar.pos)

        yield update
