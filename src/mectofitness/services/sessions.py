"""Training sessions: list, get, book, change, cancel and delete, with the rule that a
trainer's occupying sessions never overlap (see ``scheduling``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypedDict
from zoneinfo import ZoneInfo

from sqlalchemy import Select, asc, desc, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import timeutil
from ..db import is_storable_id
from ..errors import Conflict, InvalidInput
from ..models import Client, SessionStatus, Trainer, TrainingSession
from ..schemas.session import ACTUAL_END_AFTER_START, END_AFTER_START
from . import scheduling
from .clients import find_client_for_trainer
from .ownership import Actor, get_owned_or_raise, get_owned_row_or_raise, owner_id, scope_to_actor

NOUN = "session"


class _Slot(TypedDict, total=False):
    """The interval a write would occupy on a trainer's calendar."""

    trainer_id: int
    start: datetime
    end: datetime
    exclude_id: int | None
# The PostgreSQL exclusion constraint that makes overlapping bookings impossible.
OVERLAP_CONSTRAINT = "ex_training_sessions_no_overlap"
# Reads are written on the table's columns, not the mapped attributes: a statement that
# names a mapped attribute takes the ORM's execution path even when it selects plain
# columns, which costs more than the query itself.
_columns = TrainingSession.__table__.c


def filter_sessions(
    stmt: Select[Any],
    *,
    actor: Actor,
    trainer_id: int | None = None,
    client_id: int | None = None,
    status: str | None = None,
    session_type: str | None = None,
    start: datetime | None = None,
    end_exclusive: datetime | None = None,
) -> Select[Any]:
    """``stmt`` limited to the sessions ``actor`` may see that match the list and stats
    filters; dates select by ``scheduled_start`` in ``[start, end_exclusive)``."""
    stmt = scope_to_actor(stmt, TrainingSession, actor=actor, trainer_id=trainer_id)
    if client_id is not None:
        stmt = stmt.where(_columns.client_id == client_id)
    if status is not None:
        stmt = stmt.where(_columns.status == status)
    if session_type is not None:
        stmt = stmt.where(_columns.session_type == session_type)
    if start is not None:
        stmt = stmt.where(_columns.scheduled_start >= start)
    if end_exclusive is not None:
        stmt = stmt.where(_columns.scheduled_start < end_exclusive)
    return stmt


def sessions_query(
    *,
    actor: Actor,
    trainer_id: int | None = None,
    client_id: int | None = None,
    status: str | None = None,
    session_type: str | None = None,
    start: datetime | None = None,
    end_exclusive: datetime | None = None,
    sort_by: str = "scheduled_start",
    sort_order: str = "desc",
) -> Select[Any]:
    """The sessions ``actor`` may see, filtered by the list's parameters, in a stable order
    (ties broken by id in the same direction). It selects the table's columns, not ORM
    objects: a list page only reads them, and plain rows cost a third as much to load."""
    stmt = filter_sessions(
        select(*_columns),
        actor=actor,
        trainer_id=trainer_id,
        client_id=client_id,
        status=status,
        session_type=session_type,
        start=start,
        end_exclusive=end_exclusive,
    )
    direction = asc if sort_order == "asc" else desc
    return stmt.order_by(direction(_columns[sort_by]), direction(_columns.id))


def related_rows(
    session: Session, rows: Sequence[Any], *, include_client: bool, include_trainer: bool
) -> tuple[dict[int, Any], dict[int, Any]]:
    """The clients and trainers of a page of sessions, by id, when asked for: one query
    each, whatever the page's length."""
    clients = _by_id(session, Client, {row.client_id for row in rows}) if include_client else {}
    trainers = _by_id(session, Trainer, {row.trainer_id for row in rows}) if include_trainer else {}
    return clients, trainers


def _by_id(session: Session, model: type[Client | Trainer], ids: set[int]) -> dict[int, Any]:
    """Rows of ``model``'s table by id (none asked, no query)."""
    if not ids:
        return {}
    table = model.__table__
    return {row.id: row for row in session.execute(select(*table.columns).where(table.c.id.in_(ids)))}


def body_client_problems(
    session: Session, *, actor: Actor, raw: dict[str, Any], session_id: int | None = None
) -> dict[str, str]:
    """The client check for a body the schema refused: whether its integer ``client_id`` is
    a client of the trainer the session is (or would be) on."""
    client_id = raw.get("client_id")
    if type(client_id) is not int:
        return {}
    if session_id is not None:
        trainer_id = get_session(session, actor=actor, session_id=session_id, action="update").trainer_id
    else:
        wanted = raw.get("trainer_id")
        trainer_id = actor.id
        if actor.is_admin and wanted is not None:
            if type(wanted) is not int or not is_storable_id(wanted) or session.get(Trainer, wanted) is None:
                return {}  # the trainer_id is what is wrong; its own error says so
            trainer_id = wanted
    return client_problems(session, client_id=client_id, trainer_id=trainer_id)


def get_session(session: Session, *, actor: Actor, session_id: int, action: str = "view") -> TrainingSession:
    """One session ``actor`` may ``action``: 404 when missing, 403 when another trainer's."""
    return get_owned_or_raise(session, TrainingSession, session_id, actor=actor, action=action, noun=NOUN)


def read_session(session: Session, *, actor: Actor, session_id: int) -> Any:
    """``get_session`` for an answer that only reads it: the row of its columns, the form a
    list page has (``schemas.session.session_json`` writes either)."""
    return get_owned_row_or_raise(session, TrainingSession, session_id, actor=actor, action="view", noun=NOUN)


def related(
    session: Session, row: Any, *, include_client: bool, include_trainer: bool
) -> tuple[Any | None, Any | None]:
    """One session's client and trainer when asked for."""
    clients, trainers = related_rows(session, [row], include_client=include_client, include_trainer=include_trainer)
    return clients.get(row.client_id), trainers.get(row.trainer_id)


def create_session(session: Session, *, actor: Actor, fields: dict[str, Any], tz: ZoneInfo) -> TrainingSession:
    """Book a session on the actor's calendar (or, for an admin, ``fields['trainer_id']``'s).

    Raises InvalidInput for a client that is not the trainer's, and Conflict naming the
    earliest occupying session that overlaps ``[scheduled_start, scheduled_end)``."""
    owner = owner_id(session, actor=actor, trainer_id=fields.pop("trainer_id", None))
    _check_times(fields, client_problems(session, client_id=fields["client_id"], trainer_id=owner))
    now = timeutil.now()
    row = TrainingSession(trainer_id=owner, created_at=now, updated_at=now, **fields)
    slot: _Slot = {"trainer_id": owner, "start": row.scheduled_start, "end": row.scheduled_end}
    if scheduling.occupies(row.status):
        ensure_free(session, tz=tz, **slot)
    _write_or_conflict(session, lambda: session.add(row), tz=tz, **slot)
    return row


def update_session(
    session: Session, *, actor: Actor, session_id: int, changes: dict[str, Any], tz: ZoneInfo
) -> TrainingSession:
    """Apply a partial update. Moving, lengthening or un-cancelling a session is checked
    for conflicts like a new booking (the session itself excluded)."""
    row = get_session(session, actor=actor, session_id=session_id, action="update")
    wrong_client: dict[str, str] = {}
    if "client_id" in changes and changes["client_id"] != row.client_id:
        wrong_client = client_problems(session, client_id=changes["client_id"], trainer_id=row.trainer_id)
    after = {key: getattr(row, key) for key in ("scheduled_start", "scheduled_end", "actual_start", "actual_end", "status")}
    after.update(changes)
    _check_times(after, wrong_client)
    moved = any(key in changes for key in ("scheduled_start", "scheduled_end"))
    slot: _Slot = {
        "trainer_id": row.trainer_id,
        "start": after["scheduled_start"],
        "end": after["scheduled_end"],
        "exclude_id": row.id,
    }
    if scheduling.occupies(after["status"]) and (moved or not scheduling.occupies(row.status)):
        ensure_free(session, tz=tz, **slot)

    def apply() -> None:
        for key, value in changes.items():
            setattr(row, key, value)
        row.updated_at = timeutil.now()

    _write_or_conflict(session, apply, tz=tz, **slot)
    return row


def cancel_session(session: Session, *, actor: Actor, session_id: int) -> TrainingSession:
    """Soft delete: the session stays, as cancelled, and frees its slot. Idempotent."""
    row = get_session(session, actor=actor, session_id=session_id, action="delete")
    if row.status != SessionStatus.CANCELLED:
        row.status = SessionStatus.CANCELLED.value
        row.updated_at = timeutil.now()
        session.flush()
    return row


def delete_session(session: Session, *, actor: Actor, session_id: int) -> None:
    """Permanent delete: the row is gone."""
    row = get_session(session, actor=actor, session_id=session_id, action="delete")
    session.delete(row)
    session.flush()


def ensure_free(
    session: Session,
    *,
    trainer_id: int,
    start: datetime,
    end: datetime,
    tz: ZoneInfo,
    exclude_id: int | None = None,
) -> None:
    """Raise Conflict naming the earliest occupying session of the trainer that overlaps
    ``[start, end)``. On SQLite the request's write transaction (BEGIN IMMEDIATE) makes
    this check and the write one step; on PostgreSQL the exclusion constraint backs it."""
    stmt = select(TrainingSession).where(
        TrainingSession.trainer_id == trainer_id, scheduling.overlap_clause(start, end)
    )
    if exclude_id is not None:
        stmt = stmt.where(TrainingSession.id != exclude_id)
    with session.no_autoflush:
        clash = session.scalars(stmt.order_by(TrainingSession.scheduled_start, TrainingSession.id).limit(1)).first()
    if clash is not None:
        raise Conflict(
            f'Scheduling conflict detected with session "{clash.title}" at '
            f"{timeutil.format_local(clash.scheduled_start, tz)}"
        )


def _write_or_conflict(
    session: Session,
    change: Callable[[], None],
    *,
    trainer_id: int,
    start: datetime,
    end: datetime,
    tz: ZoneInfo,
    exclude_id: int | None = None,
) -> None:
    """Make ``change`` and flush it inside a savepoint. If a concurrent booking won the
    race (PostgreSQL's exclusion constraint refused this write), answer with the same
    Conflict as the pre-check, naming the session that won."""
    try:
        with session.begin_nested():  # flushes earlier work first, so change comes inside
            change()
            session.flush()
    except IntegrityError as exc:
        if OVERLAP_CONSTRAINT not in str(exc.orig):
            raise
        ensure_free(session, trainer_id=trainer_id, start=start, end=end, tz=tz, exclude_id=exclude_id)
        raise Conflict("Scheduling conflict detected with another session") from exc


def client_problems(session: Session, *, client_id: int, trainer_id: int) -> dict[str, str]:
    """A body's ``client_id`` that is not the trainer's client, as field errors to report
    together with the others (``{}`` when it is theirs)."""
    try:
        find_client_for_trainer(session, client_id=client_id, trainer_id=trainer_id)
    except InvalidInput as exc:
        return dict(exc.errors or {})
    return {}


def _check_times(values: dict[str, Any], problems: dict[str, str]) -> None:
    """Order and length rules that need both ends (on update one may come from the row),
    raised with ``problems`` already found so every bad field is named at once."""
    problems = dict(problems)
    start, end = values.get("scheduled_start"), values.get("scheduled_end")
    if start is not None and end is not None:
        if end <= start:
            problems["scheduled_end"] = END_AFTER_START
        elif end - start > scheduling.MAX_SESSION_LENGTH:
            problems["scheduled_end"] = "A session may last at most 24 hours"
    actual_start, actual_end = values.get("actual_start"), values.get("actual_end")
    if actual_start is not None and actual_end is not None and actual_end <= actual_start:
        problems["actual_end"] = ACTUAL_END_AFTER_START
    if problems:
        raise InvalidInput(problems)
