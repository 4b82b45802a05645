"""Scheduling rules (contract §8): trainer settings and date overrides, time off, and the
buffered end that PostgreSQL's exclusion constraint keeps apart.

Revision ID: 0005_scheduling_rules
Revises: 0004_login_failures_by_account

Existing sessions get ``buffered_end = scheduled_end`` (every trainer's buffer starts at
0), so the new constraint holds for every row the old one held for.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from mectofitness.db import UTCDateTime

revision = '0005_scheduling_rules'
down_revision = '0004_login_failures_by_account'
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _exclusion(end_column: str) -> str:
    return (
        "ALTER TABLE training_sessions ADD CONSTRAINT ex_training_sessions_no_overlap "
        f"EXCLUDE USING gist (trainer_id WITH =, tstzrange(scheduled_start, {end_column}, '[)') WITH &&) "
        "WHERE (status <> 'cancelled')"
    )


def upgrade() -> None:
    with op.batch_alter_table('trainers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('working_hours_overrides', _JSON, nullable=True))
        batch_op.add_column(sa.Column('buffer_minutes', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('min_notice_minutes', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('horizon_days', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('slot_step_minutes', sa.Integer(), server_default='15', nullable=False))
        batch_op.add_column(sa.Column('cancel_notice_minutes', sa.Integer(), server_default='0', nullable=False))

    op.create_table('time_off',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trainer_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=True),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_time_off_order')),
    sa.ForeignKeyConstraint(['trainer_id'], ['trainers.id'], name=op.f('fk_time_off_trainer_id_trainers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_time_off'))
    )
    with op.batch_alter_table('time_off', schema=None) as batch_op:
        batch_op.create_index('ix_time_off_trainer_start', ['trainer_id', 'starts_at', 'id'], unique=False)

    with op.batch_alter_table('training_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('buffered_end', UTCDateTime(timezone=True), nullable=True))
    op.execute("UPDATE training_sessions SET buffered_end = scheduled_end")
    with op.batch_alter_table('training_sessions', schema=None) as batch_op:
        batch_op.alter_column('buffered_end', existing_type=UTCDateTime(timezone=True), nullable=False)

    if op.get_bind().dialect.name == "postgresql":
        # The same rule over the buffered range: two occupying sessions of one trainer
        # conflict when either starts before the other's buffered end. GREATEST: a row
        # whose end was changed around the service (by hand) still covers its own time.
        op.execute("ALTER TABLE training_sessions DROP CONSTRAINT ex_training_sessions_no_overlap")
        op.execute(_exclusion("GREATEST(buffered_end, scheduled_end)"))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE training_sessions DROP CONSTRAINT ex_training_sessions_no_overlap")
        op.execute(_exclusion("scheduled_end"))
    with op.batch_alter_table('training_sessions', schema=None) as batch_op:
        batch_op.drop_column('buffered_end')

    with op.batch_alter_table('time_off', schema=None) as batch_op:
        batch_op.drop_index('ix_time_off_trainer_start')
    op.drop_table('time_off')

    with op.batch_alter_table('trainers', schema=None) as batch_op:
        batch_op.drop_column('cancel_notice_minutes')
        batch_op.drop_column('slot_step_minutes')
        batch_op.drop_column('horizon_days')
        batch_op.drop_column('min_notice_minutes')
        batch_op.drop_column('buffer_minutes')
        batch_op.drop_column('working_hours_overrides')
