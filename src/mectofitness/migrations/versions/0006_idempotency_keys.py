"""Idempotency keys (contract §10).

Revision ID: 0006_idempotency_keys
Revises: 0005_scheduling_rules

The new table depends on nothing but ``trainers``, so this revision may follow any other
(at the merge with issue 14 it is re-pointed to follow 0005_scheduling_rules).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from mectofitness.db import UTCDateTime

revision = '0006_idempotency_keys'
down_revision = '0005_scheduling_rules'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('idempotency_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trainer_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('claim', sa.String(length=32), nullable=False),
    sa.Column('claimed_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.Integer(), nullable=True),
    sa.Column('body', sa.LargeBinary(), nullable=True),
    sa.Column('headers', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['trainer_id'], ['trainers.id'], name=op.f('fk_idempotency_keys_trainer_id_trainers'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idempotency_keys')),
    sa.UniqueConstraint('trainer_id', 'key', name=op.f('uq_idempotency_keys_trainer_id'))
    )
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.create_index('ix_idempotency_keys_created_at', ['created_at'], unique=False)


def downgrade() -> None:
    op.drop_table('idempotency_keys')  # its index goes with it
