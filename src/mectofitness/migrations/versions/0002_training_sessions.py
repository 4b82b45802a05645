"""Training sessions, with the no-double-booking constraint on PostgreSQL.

Revision ID: 0002_training_sessions
Revises: 0001_foundation
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from mectofitness.db import UTCDateTime

revision = '0002_training_sessions'
down_revision = '0001_foundation'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('training_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trainer_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('session_type', sa.String(length=16), nullable=False),
    sa.Column('location', sa.String(length=200), nullable=True),
    sa.Column('scheduled_start', UTCDateTime(timezone=True), nullable=False),
    sa.Column('scheduled_end', UTCDateTime(timezone=True), nullable=False),
    sa.Column('actual_start', UTCDateTime(timezone=True), nullable=True),
    sa.Column('actual_end', UTCDateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('exercises_performed', sa.Text(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('client_feedback', sa.Text(), nullable=True),
    sa.Column('trainer_notes', sa.Text(), nullable=True),
    sa.Column('google_event_id', sa.String(length=255), nullable=True),
    sa.Column('outlook_event_id', sa.String(length=255), nullable=True),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("session_type IN ('personal', 'group', 'online', 'assessment', 'consultation')", name=op.f('ck_training_sessions_session_type')),
    sa.CheckConstraint("status IN ('scheduled', 'completed', 'cancelled', 'no-show')", name=op.f('ck_training_sessions_status')),
    sa.CheckConstraint('actual_start IS NULL OR actual_end IS NULL OR actual_end > actual_start', name=op.f('ck_training_sessions_actual_order')),
    sa.CheckConstraint('scheduled_end > scheduled_start', name=op.f('ck_training_sessions_scheduled_order')),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_training_sessions_client_id_clients'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['trainer_id'], ['trainers.id'], name=op.f('fk_training_sessions_trainer_id_trainers'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_sessions'))
    )
    with op.batch_alter_table('training_sessions', schema=None) as batch_op:
        batch_op.create_index('ix_training_sessions_client_id', ['client_id'], unique=False)
        batch_op.create_index('ix_training_sessions_trainer_client_start', ['trainer_id', 'client_id', 'scheduled_start'], unique=False)
        batch_op.create_index('ix_training_sessions_trainer_start', ['trainer_id', 'scheduled_start', 'id'], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        # Double booking made impossible by the database itself, whatever races above it:
        # no two non-cancelled sessions of one trainer may overlap as [start, end).
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(
            "ALTER TABLE training_sessions ADD CONSTRAINT ex_training_sessions_no_overlap "
            "EXCLUDE USING gist (trainer_id WITH =, tstzrange(scheduled_start, scheduled_end, '[)') WITH &&) "
            "WHERE (status <> 'cancelled')"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE training_sessions DROP CONSTRAINT IF EXISTS ex_training_sessions_no_overlap")
    with op.batch_alter_table('training_sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_training_sessions_trainer_start')
        batch_op.drop_index('ix_training_sessions_trainer_client_start')
        batch_op.drop_index('ix_training_sessions_client_id')

    op.drop_table('training_sessions')
