"""Alembic environment for altar.

altar passes its own connection in ``config.attributes["connection"]``;
a developer running the ``alembic`` command gets one from alembic.ini or
ALTAR_DB. Revisions never import the live models; only autogenerate
compares against them.
"""

from alembic import context
from sqlalchemy import create_engine

from altar.db.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode copies the table.
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    import os

    from altar.db import resolve_url

    url = (
        resolve_url(os.environ.get("ALTAR_DB"))
        if os.environ.get("ALTAR_DB")
        else config.get_main_option("sqlalchemy.url")
    )
    with create_engine(url).begin() as conn:
        _run(conn)
