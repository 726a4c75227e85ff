"""a revision number on each screening, for the web form's optimistic locking

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 09:20:00

Why: the web form (``altar serve``) stays open in a browser for as long as
a practitioner takes over a case file, while a colleague may save the same
screening. The form carries the revision it was opened at; a save at an
older revision is refused and shown what changed, instead of silently
overwriting the colleague's answers. Every save that changes something
adds one (``db.cases.update_record``), whichever interface made it.

Existing screenings start at revision 1.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


# Plain ALTER TABLE, not batch mode: rebuilding ``screening`` on SQLite would
# drop the old table, and with foreign keys on that cascades to every answer.


def upgrade() -> None:
    op.add_column("screening", sa.Column("revision", sa.Integer(), server_default="1", nullable=False))


def downgrade() -> None:
    op.drop_column("screening", "revision")
