"""users with roles, soft delete of cases, and a change log the database
keeps append-only

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 17:18:10

Why: several authorities' practitioners share one store of special-category
data about children, and the lead must be able to show that none saw
another authority's children and who changed what. ``users`` holds who may
work and in which role (while it is empty altar runs in single-user mode,
as before); ``cases.deleted_at/by`` make deleting a case a recorded,
reversible step, with ``altar case purge`` as the lawful erasure.

The change log gets triggers that refuse every UPDATE, and every DELETE
except of a purged case's entries older than its purge record (the one
thing the lawful erasure must remove); the purge record itself, and
entries about no case (user management), cannot be deleted. This guards
against mistakes and careless tools, not against someone who owns the
file or the server: they can drop the triggers. A later migration that
rebuilds change_log in batch mode on SQLite must create them again.

Existing rows do not change: no case is deleted, no user exists.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_REFUSAL = "change_log is append-only: only the entries of a purged case may be deleted, after its purge record"

_SQLITE_TRIGGERS = (
    f"""CREATE TRIGGER change_log_no_update BEFORE UPDATE ON change_log
    BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END""",
    f"""CREATE TRIGGER change_log_no_delete BEFORE DELETE ON change_log
    WHEN OLD.action = 'purge' OR OLD.case_ref IS NULL OR NOT EXISTS (
        SELECT 1 FROM change_log AS p WHERE p.action = 'purge' AND p.case_ref = OLD.case_ref AND p.id > OLD.id)
    BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END""",
)

# Nested IFs: OLD is not assigned in the statement-level TRUNCATE trigger.
_PG_FUNCTION = f"""CREATE FUNCTION altar_change_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.action <> 'purge' AND OLD.case_ref IS NOT NULL AND EXISTS (
            SELECT 1 FROM change_log AS p WHERE p.action = 'purge' AND p.case_ref = OLD.case_ref AND p.id > OLD.id
        ) THEN
            RETURN OLD;
        END IF;
    END IF;
    RAISE EXCEPTION '{_REFUSAL}';
END $$"""
_PG_TRIGGERS = (
    _PG_FUNCTION,
    """CREATE TRIGGER change_log_append_only BEFORE UPDATE OR DELETE ON change_log
    FOR EACH ROW EXECUTE FUNCTION altar_change_log_append_only()""",
    """CREATE TRIGGER change_log_no_truncate BEFORE TRUNCATE ON change_log
    FOR EACH STATEMENT EXECUTE FUNCTION altar_change_log_append_only()""",
)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("role", sa.String(length=12), nullable=False),
        sa.Column("authority_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=60), nullable=True),
        sa.Column("disabled_at", sa.DateTime(), nullable=True),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.CheckConstraint(
            "(role = 'practitioner' AND authority_id IS NOT NULL) OR (role <> 'practitioner' AND authority_id IS NULL)",
            name=op.f("ck_users_authority"),
        ),
        sa.CheckConstraint("role IN ('practitioner', 'lead', 'admin')", name=op.f("ck_users_role")),
        sa.ForeignKeyConstraint(["authority_id"], ["authority.id"], name=op.f("fk_users_authority_id_authority")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("name", name=op.f("uq_users_name")),
    )
    op.create_index(op.f("ix_users_authority_id"), "users", ["authority_id"], unique=False)
    # Nullable columns: a plain ALTER TABLE ADD COLUMN on both backends.
    op.add_column("cases", sa.Column("deleted_at", sa.DateTime(), nullable=True))
    op.add_column("cases", sa.Column("deleted_by", sa.String(length=60), nullable=True))
    for statement in _SQLITE_TRIGGERS if _sqlite() else _PG_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    if _sqlite():
        op.execute("DROP TRIGGER change_log_no_update")
        op.execute("DROP TRIGGER change_log_no_delete")
    else:
        op.execute("DROP FUNCTION altar_change_log_append_only() CASCADE")  # and its triggers
    # Not batch mode: rebuilding `cases` on SQLite would DROP it with foreign
    # keys on, deleting every screening by cascade. SQLite (3.35+) drops a
    # plain column in place.
    op.drop_column("cases", "deleted_by")
    op.drop_column("cases", "deleted_at")
    op.drop_index(op.f("ix_users_authority_id"), table_name="users")
    op.drop_table("users")


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"
