"""The README documents every command a practitioner can run."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from altar.cli import cli

README = Path(__file__).resolve().parent.parent / "README.md"


def _command_paths(command: click.Command, path: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    if isinstance(command, click.Group):
        ctx = click.Context(command)  # the root group loads its commands on request
        for name in command.list_commands(ctx):
            yield (*path, name)
            yield from _command_paths(command.get_command(ctx, name), (*path, name))


COMMANDS = list(_command_paths(cli))


def test_readme_exists():
    assert README.is_file()


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_readme_mentions_every_command(path):
    text = README.read_text(encoding="utf-8")
    words = r"\s+".join(re.escape(part) for part in path)
    if len(path) == 1:
        # a top-level name is a common word ("import", "export"), so look for it
        # used as a command: `altar NAME`, options allowed between (`altar --db x.db init`)
        pattern = r"\baltar\b[^\n]*?(?<![-\w])" + words + r"\b"
    else:
        # a subcommand is distinctive as "GROUP NAME" (e.g. "case list")
        pattern = r"(?<![-\w])" + words + r"\b"
    assert re.search(pattern, text), f"README.md never shows `altar {' '.join(path)}`"
