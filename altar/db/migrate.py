"""Alembic, driven from code: the revisions live in the top-level
``migrations/`` folder (shipped inside the wheel as ``altar/_migrations``)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection

from altar.resources import migrations_dir


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config(str(migrations_dir() / "alembic.ini"))
    config.set_main_option("script_location", str(migrations_dir()))
    # env.py runs on this connection, so the upgrade is part of the caller's
    # transaction and sees the same pragmas.
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    if len(heads) != 1:
        raise RuntimeError(f"migrations have {len(heads)} heads; merge them")
    return heads[0]


def is_known(revision: str) -> bool:
    """Whether this altar's migrations include ``revision``."""
    try:
        return ScriptDirectory.from_config(alembic_config()).get_revision(revision) is not None
    except CommandError:  # alembic's ResolutionError for an unknown id
        return False


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def upgrade_to_head(connection: Connection) -> None:
    command.upgrade(alembic_config(connection), "head")


def downgrade_to(connection: Connection, revision: str) -> None:
    command.downgrade(alembic_config(connection), revision)
