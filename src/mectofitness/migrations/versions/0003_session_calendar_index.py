"""A covering index for a trainer's calendar: statistics read it alone.

Revision ID: 0003_session_calendar_index
Revises: 0002_training_sessions

Statistics group a trainer's sessions by status and type and add up completed time; with
only (trainer_id, scheduled_start, id) the database fetched every one of those rows from
the table, and in a large table a trainer's rows lie on as many different pages as there
are rows, so the cost grew with the table rather than with the trainer. This index holds
every column statistics read, so they scan one contiguous slice of it; availability and
the conflict check filter on status and end in it before fetching the rows they return.
"""

from __future__ import annotations

from alembic import op

revision = '0003_session_calendar_index'
down_revision = '0002_training_sessions'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('training_sessions', schema=None) as batch_op:
        batch_op.create_index(
            'ix_training_sessions_trainer_calendar',
            ['trainer_id', 'scheduled_start', 'status', 'session_type', 'scheduled_end'],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table('training_sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_training_sessions_trainer_calendar')
