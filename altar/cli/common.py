"""What every command shares: the global settings and how to open the store."""

from __future__ import annotations

import getpass
from dataclasses import dataclass

import click

from altar.db import Database, connect


@dataclass(frozen=True)
class Settings:
    db: str | None
    user: str | None
    traceback: bool

    @property
    def actor(self) -> str | None:
        """Who is working: recorded with every change they make."""
        if self.user:
            return self.user
        try:
            return getpass.getuser()
        except Exception:  # no login name on some containers
            return None

    def database(self) -> Database:
        return connect(self.db)


pass_settings = click.make_pass_decorator(Settings)


def command_name() -> str:
    """The command being run, as recorded in the change log (e.g. 'altar import')."""
    return click.get_current_context().command_path
