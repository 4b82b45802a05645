"""Calendar feeds (contract §12) and each session's iCalendar SEQUENCE.

Revision ID: 0008_calendar_feeds
Revises: 0007_series

Depends on nothing of 0007 (recurring series): at the merge it is re-pointed to follow
0007_series.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from mectofitness.db import UTCDateTime

revision = '0008_calendar_feeds'
down_revision = '0007_series'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('calendar_feeds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trainer_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['trainer_id'], ['trainers.id'], name=op.f('fk_calendar_feeds_trainer_id_trainers'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_feeds')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_calendar_feeds_token_hash'))
    )
    with op.batch_alter_table('calendar_feeds', schema=None) as batch_op:
        batch_op.create_index('ix_calendar_feeds_trainer_id', ['trainer_id', 'id'], unique=False)
    with op.batch_alter_table('training_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sequence', sa.Integer(), server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('training_sessions', schema=None) as batch_op:
        batch_op.drop_column('sequence')
    op.drop_table('calendar_feeds')  # its index goes with it
