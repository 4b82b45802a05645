"""Login failures counted by account (username and e-mail alike), not by the name typed.

Revision ID: 0004_login_failures_by_account
Revises: 0003_session_calendar_index

The table is made anew: its rows were keyed by the login name as typed and matter for an
hour at most, so starting the count afresh at the upgrade loses nothing worth a
conversion (the downgrade likewise).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from mectofitness.db import UTCDateTime

revision = '0004_login_failures_by_account'
down_revision = '0003_session_calendar_index'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_table('login_failures')  # its indexes go with it
    op.create_table('login_failures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account', sa.String(length=80), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('at', UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failures'))
    )
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.create_index('ix_login_failures_account_address_at', ['account', 'address', 'at'], unique=False)
        batch_op.create_index('ix_login_failures_account_at', ['account', 'at'], unique=False)
        batch_op.create_index('ix_login_failures_at', ['at'], unique=False)


def downgrade() -> None:
    op.drop_table('login_failures')
    op.create_table('login_failures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=254), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('at', UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failures'))
    )
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.create_index('ix_login_failures_address_at', ['address', 'at'], unique=False)
        batch_op.create_index('ix_login_failures_username_at', ['username', 'at'], unique=False)

