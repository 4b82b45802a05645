"""Failed-login throttling per account (contract §15), kept in the database so that every
server process (and every machine) counts the same attempts.

An attempt is written down as a failure *before* its password is checked, in a short
transaction that first takes a lock on its account: counting the account's recent
failures and adding this one is then one step across every process, so no more attempts
are ever checked than the limits allow, however many arrive at once. A right password
deletes the failures again (``forget``). See docs/decisions.md, "Failed logins".
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import ColumnElement, Table, delete, func, insert, select
from sqlalchemy.orm import Session

from .. import timeutil
from ..errors import TooManyRequests
from ..models import LoginFailure
from ..models.login_failure import ADDRESS_LENGTH

# The first key of pg_advisory_xact_lock(int, int): the login throttle's own space of
# locks, apart from the migrations' lock (migrations/env.py).
_PG_LOCK_SPACE = 72_616_002
# Core statements on the table: nothing here loads or tracks ORM objects.
_table = cast(Table, LoginFailure.__table__)
_failures = _table.c


@dataclass(frozen=True)
class Limit:
    """At most ``failures`` failed attempts within any ``window_seconds``."""

    failures: int
    window_seconds: int

    @property
    def window(self) -> timedelta:
        return timedelta(seconds=self.window_seconds)


def account_key(*, trainer_id: int | None, login_name: str) -> str:
    """What failures are counted by: the trainer, whichever of their names was typed; an
    unknown name by itself, so unknown names are throttled alike (hashed: people type
    passwords into that field)."""
    if trainer_id is not None:
        return f"trainer:{trainer_id}"
    return "name:" + hashlib.sha256(login_name.encode()).hexdigest()


def record_attempt(
    db: Session, *, account: str, address: str, per_address: Limit, per_account: Limit
) -> None:
    """Count an attempt on ``account`` from ``address`` as failed, before its password is
    checked; or raise TooManyRequests (with the seconds until one of the failures ages
    out) when ``per_address`` or ``per_account`` is already used up.

    The caller commits straight after, so that the lock taken here is held only for these
    few statements, not during the password check."""
    _lock_account(db, account)
    now = timeutil.now()
    address = address[:ADDRESS_LENGTH]
    waits = [
        _wait(db, now, per_address, _failures.account == account, _failures.address == address),
        _wait(db, now, per_account, _failures.account == account),
    ]
    if any(waits):
        raise TooManyRequests(retry_after=math.ceil(max(waits)))
    db.execute(insert(_table).values(account=account, address=address, at=now))
    _prune(db, older_than=now - max(per_address.window, per_account.window))


def forget(db: Session, *, account: str, address: str) -> None:
    """After a right password: the account's failures from that address stop counting."""
    _lock_account(db, account)
    db.execute(
        delete(_table).where(_failures.account == account, _failures.address == address[:ADDRESS_LENGTH])
    )


def _lock_account(db: Session, account: str) -> None:
    """Serialize writers of one account's failures until the transaction ends. Login is a
    POST, so its unit of work is a write transaction (see ``transactions``): in a read-only
    one PostgreSQL would run in autocommit and the lock would end with its statement."""
    if db.get_bind().dialect.name == "postgresql":
        # An advisory lock covers unknown names too (they have no row to lock); accounts
        # whose hashes collide only wait for each other a moment.
        key = int.from_bytes(hashlib.sha256(account.encode()).digest()[:4], "big", signed=True)
        db.execute(select(func.pg_advisory_xact_lock(_PG_LOCK_SPACE, key)))
    # SQLite: the request's write transaction (BEGIN IMMEDIATE, transactions.configure_sqlite) already
    # holds the database's single write lock.


def _wait(db: Session, now: datetime, limit: Limit, *where: ColumnElement[bool]) -> float:
    """Seconds until fewer than ``limit.failures`` failures matching ``where`` lie within
    the window; 0 when fewer already do. The limit-th most recent one decides: once it
    ages out, a slot is free (an index range scan of at most ``limit.failures`` rows)."""
    nth_latest = db.scalar(
        select(_failures.at)
        .where(*where, _failures.at > now - limit.window)
        .order_by(_failures.at.desc())
        .offset(limit.failures - 1)
        .limit(1)
    )
    if nth_latest is None:
        return 0.0
    return (nth_latest + limit.window - now).total_seconds()


def _prune(db: Session, *, older_than: datetime) -> None:
    """Delete failures that no window counts any more. Rows another transaction is
    deleting are skipped (PostgreSQL; SQLite has a single writer): the next attempt takes
    them, and no attempt ever waits for another account's lock here."""
    stale = select(_failures.id).where(_failures.at <= older_than).with_for_update(skip_locked=True)
    db.execute(delete(_table).where(_failures.id.in_(stale)))
