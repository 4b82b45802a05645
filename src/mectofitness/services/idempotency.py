"""Idempotency keys (contract §10): a retried POST replays its first answer instead of
running again. Kept in the database, so every server process agrees.

A request *claims* its key before it runs, in a short transaction of its own: one row per
(caller, key), inserted under a unique constraint, so of any number of racing requests,
across processes, exactly one gets the claim. The answer is written into that row by the
request's own commit (``complete``), together with what the request changed: a crash
before that commit leaves neither a change nor an answer, only a claim with no answer,
which a retry takes over once it is ``STALE_CLAIM`` old (until then it answers 409, "in
progress"). A request whose claim was taken over meanwhile cannot commit (``complete``
finds the claim is no longer its own), so a key never runs two requests to the end.
See docs/decisions.md, "Idempotency keys".
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from .. import timeutil
from ..errors import Conflict, Unprocessable
from ..models import IdempotencyKey

LIFETIME = timedelta(hours=24)
# A claim without an answer this old belongs to a request that died (gunicorn stops a
# worker after 30 s); a retry may take it over.
STALE_CLAIM = timedelta(seconds=60)
# Expired keys deleted by each claim: a bounded amount of work per request, and enough to
# keep up with any rate of new keys (each new key deletes up to this many old ones).
PRUNE_BATCH = 100
IN_PROGRESS = "A request with this Idempotency-Key is in progress"
REUSED = "Idempotency-Key was already used with a different request"

_table = cast(Table, IdempotencyKey.__table__)
_keys = _table.c


@dataclass(frozen=True)
class Claim:
    """This request holds the key: it runs, then ``complete`` or ``release``."""

    id: int
    token: str


@dataclass(frozen=True)
class Answer:
    """The stored answer of the request that used the key first."""

    status: int
    body: bytes
    headers: dict[str, str]


def fingerprint(*, method: str, path: str, query: bytes, body: bytes) -> str:
    """What makes two requests "the same request": method, path, query string and body."""
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), query, body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def claim(db: Session, *, trainer_id: int, key: str, fingerprint: str) -> Claim | Answer:
    """Claim ``key`` for ``trainer_id``'s request, or return the answer already stored for
    it. Raises Unprocessable (422) when the key was used with a different request, and
    Conflict (409) while the request that claimed it is still running.

    The caller commits straight after, so the claim is visible to every process before the
    request runs."""
    now = timeutil.now()
    _prune(db, older_than=now - LIFETIME)
    # This caller's own expired use of the key, whatever the batch above took.
    db.execute(delete(_table).where(_keys.trainer_id == trainer_id, _keys.key == key,
                                    _keys.created_at <= now - LIFETIME))
    token = secrets.token_hex(16)
    for _ in range(2):  # a claim released between the insert and the read: insert again
        claimed = db.scalar(_insert_new(db, trainer_id=trainer_id, key=key, fingerprint=fingerprint,
                                        token=token, now=now))
        if claimed is not None:
            return Claim(claimed, token)
        row = db.execute(select(_table).where(_keys.trainer_id == trainer_id, _keys.key == key)).first()
        if row is not None:
            break
    else:
        raise Conflict(IN_PROGRESS)
    if row.fingerprint != fingerprint:
        raise Unprocessable(REUSED)
    if row.status is not None:
        return Answer(row.status, bytes(row.body or b""), dict(row.headers or {}))
    if row.claimed_at > now - STALE_CLAIM:
        raise Conflict(IN_PROGRESS)
    # Its request died before committing (it changed nothing): this one runs instead.
    taken = db.execute(
        update(_table)
        .where(_keys.id == row.id, _keys.claim == row.claim, _keys.status.is_(None))
        .values(claim=token, claimed_at=now)
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(IN_PROGRESS)
    return Claim(row.id, token)


def complete(db: Session, held: Claim, *, status: int, body: bytes, headers: dict[str, str]) -> None:
    """Store the request's answer, in the request's own transaction. Raises Conflict when
    the claim is no longer this request's (taken over as stale): its work must not commit."""
    done = db.execute(
        update(_table)
        .where(_keys.id == held.id, _keys.claim == held.token, _keys.status.is_(None))
        .values(status=status, body=body, headers=headers)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(IN_PROGRESS)


def release(db: Session, held: Claim) -> None:
    """Give the key back after a failure that is not an answer (5xx): a retry runs anew."""
    db.execute(delete(_table).where(_keys.id == held.id, _keys.claim == held.token, _keys.status.is_(None)))


def _insert_new(db: Session, *, trainer_id: int, key: str, fingerprint: str, token: str, now: datetime) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING id: the id when this request inserted
    the row, none when the (caller, key) row exists (on PostgreSQL, waiting for a racing
    insert's transaction to end first)."""
    insert = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    return (
        insert(_table)
        .values(trainer_id=trainer_id, key=key, fingerprint=fingerprint, claim=token, claimed_at=now, created_at=now)
        .on_conflict_do_nothing(index_elements=["trainer_id", "key"])
        .returning(_keys.id)
    )


def _prune(db: Session, *, older_than: datetime) -> None:
    """Delete up to PRUNE_BATCH expired keys; rows another transaction holds are skipped
    (PostgreSQL; SQLite has one writer), so a claim never waits for another's prune."""
    stale = (
        select(_keys.id).where(_keys.created_at <= older_than).limit(PRUNE_BATCH).with_for_update(skip_locked=True)
    )
    db.execute(delete(_table).where(_keys.id.in_(stale)))
