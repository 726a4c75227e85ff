"""initial schema: authorities, strata, cohorts, instrument versions, cases,
screenings, answers, change log

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 14:41:10.399040
"""

from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('authority',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_authority')),
    sa.UniqueConstraint('code', name=op.f('uq_authority_code'))
    )
    op.create_table('change_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor', sa.String(length=60), nullable=True),
    sa.Column('command', sa.String(length=120), nullable=False),
    sa.Column('action', sa.String(length=10), nullable=False),
    sa.Column('entity', sa.String(length=30), nullable=False),
    sa.Column('case_ref', sa.String(length=40), nullable=True),
    sa.Column('field', sa.String(length=60), nullable=True),
    sa.Column('old_value', sa.Text(), nullable=True),
    sa.Column('new_value', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_change_log'))
    )
    with op.batch_alter_table('change_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_change_log_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_change_log_case_ref'), ['case_ref'], unique=False)

    op.create_table('cohort',
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('label', sa.String(length=80), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_cohort'))
    )
    op.create_table('instrument_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('definition', sa.Text(), nullable=False),
    sa.Column('registered_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_instrument_version')),
    sa.UniqueConstraint('name', 'version', name='uq_instrument_version_name_version')
    )
    op.create_table('meta',
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_meta'))
    )
    op.create_table('stratum',
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('label', sa.String(length=80), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_stratum'))
    )
    op.create_table('cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_ref', sa.String(length=40), nullable=False),
    sa.Column('authority_id', sa.Integer(), nullable=False),
    sa.Column('stratum', sa.String(length=20), nullable=False),
    sa.Column('cohort', sa.String(length=20), nullable=False),
    sa.Column('sex', sa.String(length=10), nullable=False),
    sa.Column('ethnicity', sa.String(length=10), nullable=False),
    sa.Column('age', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("ethnicity IN ('white', 'mixed', 'asian', 'black', 'other', 'unknown')", name=op.f('ck_cases_ethnicity')),
    sa.CheckConstraint("sex IN ('male', 'female', 'other', 'unknown')", name=op.f('ck_cases_sex')),
    sa.CheckConstraint('age IS NULL OR (age >= 10 AND age <= 18)', name=op.f('ck_cases_age')),
    sa.ForeignKeyConstraint(['authority_id'], ['authority.id'], name=op.f('fk_cases_authority_id_authority')),
    sa.ForeignKeyConstraint(['cohort'], ['cohort.code'], name=op.f('fk_cases_cohort_cohort')),
    sa.ForeignKeyConstraint(['stratum'], ['stratum.code'], name=op.f('fk_cases_stratum_stratum')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases')),
    sa.UniqueConstraint('case_ref', name=op.f('uq_cases_case_ref'))
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cases_authority_id'), ['authority_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_cohort'), ['cohort'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_stratum'), ['stratum'], unique=False)

    op.create_table('screening',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('instrument_version_id', sa.Integer(), nullable=False),
    sa.Column('screened_on', sa.Date(), nullable=False),
    sa.Column('screened_by', sa.String(length=60), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("status IN ('in_progress', 'complete')", name=op.f('ck_screening_status')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_screening_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['instrument_version_id'], ['instrument_version.id'], name=op.f('fk_screening_instrument_version_id_instrument_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_screening')),
    sa.UniqueConstraint('case_id', name=op.f('uq_screening_case_id'))
    )
    with op.batch_alter_table('screening', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_screening_instrument_version_id'), ['instrument_version_id'], unique=False)

    op.create_table('answer',
    sa.Column('screening_id', sa.Integer(), nullable=False),
    sa.Column('item_code', sa.String(length=60), nullable=False),
    sa.Column('value', sa.String(length=10), nullable=True),
    sa.Column('count', sa.Integer(), nullable=True),
    sa.CheckConstraint("value IS NULL OR value IN ('yes', 'suspected', 'no', 'unknown')", name=op.f('ck_answer_value')),
    sa.CheckConstraint('count IS NULL OR count >= 0', name=op.f('ck_answer_count')),
    sa.CheckConstraint('value IS NULL OR count IS NULL', name=op.f('ck_answer_value_or_count')),
    sa.ForeignKeyConstraint(['screening_id'], ['screening.id'], name=op.f('fk_answer_screening_id_screening'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('screening_id', 'item_code', name=op.f('pk_answer'))
    )
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_answer_item_code'), ['item_code'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_answer_item_code'))

    op.drop_table('answer')
    with op.batch_alter_table('screening', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_screening_instrument_version_id'))

    op.drop_table('screening')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_stratum'))
        batch_op.drop_index(batch_op.f('ix_cases_cohort'))
        batch_op.drop_index(batch_op.f('ix_cases_authority_id'))

    op.drop_table('cases')
    op.drop_table('stratum')
    op.drop_table('meta')
    op.drop_table('instrument_version')
    op.drop_table('cohort')
    with op.batch_alter_table('change_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_change_log_case_ref'))
        batch_op.drop_index(batch_op.f('ix_change_log_at'))

    op.drop_table('change_log')
    op.drop_table('authority')
