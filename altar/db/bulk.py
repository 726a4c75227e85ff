"""Writing many rows at once, as fast as each database allows.

An import of 100,000 children writes about 4.4 million answers. Going
through SQLAlchemy's compiled ``insert()`` costs more per row than the
database does, so the hot paths hand plain tuples straight to the driver:
``executemany`` on SQLite, ``COPY`` on PostgreSQL. Both run on the
session's own connection, inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session


def insert_rows(
    session: Session, table: Table, columns: Sequence[str], rows: Iterable[tuple]
) -> None:
    """Insert ``rows`` (tuples in ``columns`` order) into ``table``."""
    connection = session.connection()
    dialect = connection.dialect.name
    if dialect == "sqlite":
        batch = list(rows)
        if batch:
            marks = ", ".join("?" * len(columns))
            connection.exec_driver_sql(
                f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})", batch
            )
    elif dialect == "postgresql":
        driver = connection.connection.driver_connection
        if driver is None:  # only once invalidated, which a session's live connection is not
            raise RuntimeError("the database connection was invalidated")
        cursor = driver.cursor()
        with cursor, cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:  # any other database SQLAlchemy speaks: correct, if slower
        values = [dict(zip(columns, row)) for row in rows]
        if values:
            connection.execute(insert(table), values)
