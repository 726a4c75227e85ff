"""tally layout: answers clustered by screening with a covering tally index;
each child's derived scores kept in screening_score

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 15:30:00

Why: at 100,000 children the statistics read every answer twice (once for
the tallies, once for the scores). The covering index lets the tallies scan
answers in item order without sorting; storing each child's scores lets the
score distributions read one row per child. Existing screenings get their
scores here, computed in SQL from each stored instrument definition (so the
migration does not depend on today's Python scoring code; a test checks the
two agree).
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_DETERMINED = "('yes', 'suspected', 'no')"
_VALUE_IN = "value IS NULL OR value IN ('yes', 'suspected', 'no', 'unknown')"
_VALUE_OR = "value IS NULL OR value = 'yes' OR value = 'suspected' OR value = 'no' OR value = 'unknown'"


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    # On SQLite the table is rebuilt WITHOUT ROWID (its primary key becomes
    # the table itself); elsewhere only the indexes change.
    with op.batch_alter_table(
        "answer", recreate="always" if sqlite else "auto", table_kwargs={"sqlite_with_rowid": False}
    ) as batch_op:
        batch_op.drop_index("ix_answer_item_code")
        batch_op.create_index("ix_answer_tally", ["item_code", "value", "count", "screening_id"], unique=False)
        # The same rule spelled with OR: SQLite builds a temporary table for
        # a CHECK's IN list on every row inserted (a third of an import).
        batch_op.drop_constraint(op.f("ck_answer_value"), type_="check")
        batch_op.create_check_constraint("value", sa.text(_VALUE_OR))
    op.create_table(
        "screening_score",
        sa.Column("screening_id", sa.Integer(), nullable=False),
        sa.Column("score_code", sa.String(length=60), nullable=False),
        sa.Column("on_yes", sa.Integer(), nullable=False),
        sa.Column("on_yes_or_suspected", sa.Integer(), nullable=False),
        sa.Column("incomplete", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["screening_id"], ["screening.id"], name="fk_screening_score_screening_id_screening", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("screening_id", "score_code", name="pk_screening_score"),
        sqlite_with_rowid=False,
    )
    _backfill_scores()


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.drop_table("screening_score")
    with op.batch_alter_table(
        "answer", recreate="always" if sqlite else "auto", table_kwargs={"sqlite_with_rowid": True}
    ) as batch_op:
        batch_op.drop_index("ix_answer_tally")
        batch_op.create_index("ix_answer_item_code", ["item_code"], unique=False)
        batch_op.drop_constraint(op.f("ck_answer_value"), type_="check")
        batch_op.create_check_constraint("value", sa.text(_VALUE_IN))


def _backfill_scores() -> None:
    bind = op.get_bind()
    for version_id, definition in bind.execute(sa.text("SELECT id, definition FROM instrument_version")).all():
        for score in json.loads(definition)["scores"]:
            bind.execute(sa.text(_score_sql(score)), {"version_id": version_id, "code": score["code"]})


def _score_sql(score: dict) -> str:
    """INSERT ... SELECT computing one score for every screening of one
    instrument version: a component is present when any of its items has
    the answer; incomplete when any of the score's items is not yes,
    suspected or no (unknown, or not answered)."""

    def listed(codes) -> str:
        return "(" + ", ".join(f"'{code}'" for code in codes) + ")"  # codes are [a-z0-9_] (codebook rule)

    def total(answers: str) -> str:
        return " + ".join(
            f"MAX(CASE WHEN a.item_code IN {listed(c['any_of'])} AND a.value IN {answers} THEN 1 ELSE 0 END)"
            for c in score["components"]
        )

    items = sorted({code for c in score["components"] for code in c["any_of"]})
    determined = f"SUM(CASE WHEN a.item_code IN {listed(items)} AND a.value IN {_DETERMINED} THEN 1 ELSE 0 END)"
    return f"""
        INSERT INTO screening_score (screening_id, score_code, on_yes, on_yes_or_suspected, incomplete)
        SELECT s.id, :code, {total("('yes')")}, {total("('yes', 'suspected')")},
               CASE WHEN COALESCE({determined}, 0) < {len(items)} THEN TRUE ELSE FALSE END
        FROM screening s LEFT JOIN answer a ON a.screening_id = s.id
        WHERE s.instrument_version_id = :version_id
        GROUP BY s.id
    """
