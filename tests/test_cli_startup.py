"""`altar --help` and `altar GROUP --help` start without the heavy libraries.

The root help lists the commands from ``altar.cli.COMMANDS`` without
importing them, and each command module imports the library inside its
commands, so help never loads SQLAlchemy, SciPy, matplotlib, Flask or
WeasyPrint. Measured structurally (which modules a fresh process holds),
never by the clock; benchmarks/startup.py times it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest

import altar.cli
from altar.cli import COMMANDS, cli

HEAVY = ("sqlalchemy", "scipy", "matplotlib", "flask", "weasyprint", "alembic", "psycopg")
# The library modules behind the commands (each imports some of HEAVY).
LIBRARY = ("altar.db", "altar.analysis", "altar.report", "altar.access", "altar.web")

# Runs help for each command path in one fresh process; prints, for each,
# the heavy and library modules loaded so far.
PROBE = r"""
import json, sys
from altar.cli import cli
watched = json.loads(sys.argv[1])
seen = {}
for path in json.loads(sys.argv[2]):
    try:
        cli([*path, "--help"], prog_name="altar")
    except SystemExit as exit:
        assert exit.code == 0, (path, exit.code)
    seen[" ".join(path) or "altar"] = {
        "loaded": sorted(m for m in watched if m in sys.modules),
        "cli": sorted(m for m in sys.modules if m.startswith("altar.cli.")),
    }
print(json.dumps(seen))
"""


def _help_in_fresh_process(paths: list[list[str]]) -> dict[str, dict[str, list[str]]]:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps([*HEAVY, *LIBRARY]), json.dumps(paths)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    seen: dict[str, dict[str, list[str]]] = json.loads(proc.stdout.splitlines()[-1])
    return seen


def _command_paths(command: click.Command, path: tuple[str, ...] = ()) -> list[list[str]]:
    paths = [list(path)]
    if isinstance(command, click.Group):
        ctx = click.Context(command)
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            assert sub is not None, name
            paths += _command_paths(sub, (*path, name))
    return paths


def test_root_help_imports_no_command_and_no_heavy_library():
    seen = _help_in_fresh_process([[]])["altar"]
    assert seen["loaded"] == []
    assert seen["cli"] == ["altar.cli.common"]


def test_every_help_imports_no_heavy_library():
    """Help for every command and subcommand, in order in one process:
    the first to load a heavy module is the one named."""
    seen = _help_in_fresh_process(_command_paths(cli))
    assert "stats" in seen and "story terms add" in seen
    assert {path: s["loaded"] for path, s in seen.items() if s["loaded"]} == {}


def _listing(group_format_commands, width: int) -> str:  # type: ignore[no-untyped-def]
    formatter = click.HelpFormatter(width=width)
    group_format_commands(click.Context(cli), formatter)
    return formatter.getvalue()


@pytest.mark.parametrize("width", [50, 80, 120])
def test_root_help_lists_the_commands_as_click_would(width):
    """The listing from COMMANDS equals click's own, which imports every
    command to read its help: the registry's one-line help is each command's."""
    ours = _listing(cli.format_commands, width)
    theirs = _listing(lambda ctx, f: click.Group.format_commands(cli, ctx, f), width)
    assert ours == theirs
    assert "  stats " in ours


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_registry_names_each_command_with_its_own_help(name):
    command = cli.get_command(click.Context(cli), name)
    assert command is not None
    assert command.name == name
    assert COMMANDS[name][1] == command.get_short_help_str(limit=sys.maxsize)


def test_every_command_module_is_in_the_registry():
    folder = Path(altar.cli.__file__).parent
    modules = {f"altar.cli.{p.stem}" for p in folder.glob("*.py")} - {
        "altar.cli.__init__",
        "altar.cli.common",
        "altar.cli.output",
        "altar.cli.stats_text",  # how `altar stats` prints its document, not a command
    }
    assert {target.partition(":")[0] for target, _ in COMMANDS.values()} == modules


def test_unknown_command_is_a_usage_error(run):
    result = run(["statz"])
    assert result.exit_code == 2
    assert "No such command 'statz'" in result.stderr
