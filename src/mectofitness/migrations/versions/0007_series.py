"""Recurring sessions (contract §9): the series table and each session's ``series_id``.

Revision ID: 0007_series
Revises: 0006_idempotency_keys

Existing sessions are one-offs (``series_id`` NULL). A series' occurrences are ordinary
rows of ``training_sessions``, so the exclusion constraint of 0005 keeps them apart too.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from mectofitness.db import UTCDateTime

revision = '0007_series'
down_revision = '0006_idempotency_keys'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('series',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trainer_id', sa.Integer(), nullable=False),
    sa.Column('rrule', sa.String(length=500), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['trainer_id'], ['trainers.id'], name=op.f('fk_series_trainer_id_trainers'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_series'))
    )
    with op.batch_alter_table('series', schema=None) as batch_op:
        batch_op.create_index('ix_series_trainer_id', ['trainer_id'], unique=False)

    with op.batch_alter_table('training_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('series_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_training_sessions_series_start', ['series_id', 'scheduled_start'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_training_sessions_series_id_series'), 'series', ['series_id'], ['id'],
                                    ondelete='SET NULL')


def downgrade() -> None:
    with op.batch_alter_table('training_sessions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_training_sessions_series_id_series'), type_='foreignkey')
        batch_op.drop_index('ix_training_sessions_series_start')
        batch_op.drop_column('series_id')

    with op.batch_alter_table('series', schema=None) as batch_op:
        batch_op.drop_index('ix_series_trainer_id')
    op.drop_table('series')
