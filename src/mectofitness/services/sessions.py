"""Training sessions: list, get, book, change, cancel and delete, with the rule that an
occupying session is booked, moved or un-cancelled only into a free interval (no other
occupying session within the trainer's buffer, no time off: ``scheduling.ensure_free``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, asc, desc, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.interfaces import LoaderOption

from .. import timeutil
from ..domain import SessionFilter, SessionStatus, is_storable_id, time_order_problems
from ..errors import Conflict, InvalidInput
from ..models import Client, Trainer, TrainingSession
from . import scheduling
from .clients import bookable_client
from .ownership import get_owned_or_raise, scope_to_actor, target_trainer

NOUN = "session"
# The PostgreSQL exclusion constraint that makes overlapping bookings impossible.
OVERLAP_CONSTRAINT = "ex_training_sessions_no_overlap"
# The fields a client writes as wall-clock times (see ``resolve_times``).
TIME_FIELDS = ("scheduled_start", "scheduled_end", "actual_start", "actual_end")


def filter_sessions(stmt: Select[Any], *, actor: Trainer, filters: SessionFilter) -> Select[Any]:
    """``stmt`` limited to the sessions ``actor`` may see that match ``filters``.

    Written on the table's columns: a statement that selects no mapped entity (statistics)
    then stays plain Core, whose execution costs a third less than the ORM's for the same
    SQL (stats of one month at 1,000,000 sessions, in process: 3.6 -> 2.6 ms); in a
    statement that selects sessions they filter the same."""
    columns = TrainingSession.__table__.c
    stmt = scope_to_actor(stmt, TrainingSession, actor=actor, trainer_id=filters.trainer_id)
    if filters.client_id is not None:
        stmt = stmt.where(columns.client_id == filters.client_id)
    if filters.status is not None:
        stmt = stmt.where(columns.status == filters.status)
    if filters.session_type is not None:
        stmt = stmt.where(columns.session_type == filters.session_type)
    if filters.start is not None:
        stmt = stmt.where(columns.scheduled_start >= filters.start)
    if filters.end_exclusive is not None:
        stmt = stmt.where(columns.scheduled_start < filters.end_exclusive)
    return stmt


def related(*, include_client: bool, include_trainer: bool) -> list[LoaderOption]:
    """Loader options for a session's client and trainer when asked for, in the same
    query. Both are many-to-one, so a join adds no rows; selectinload's extra queries cost
    more than the SQL itself (in process at 1,000,000 sessions: one session with both
    3.9 -> 2.0 ms). The list reads rows instead (``sessions_query``, ``related_by_id``)."""
    options: list[LoaderOption] = []
    if include_client:
        options.append(joinedload(TrainingSession.client))
    if include_trainer:
        options.append(joinedload(TrainingSession.trainer))
    return options


def sessions_query(
    *,
    actor: Trainer,
    filters: SessionFilter,
    sort_by: str = "scheduled_start",
    sort_order: str = "desc",
) -> Select[Any]:
    """The sessions ``actor`` may see that match ``filters``, in a stable order (ties
    broken by id in the same direction), as rows of the table's columns.

    The list's fast path (issue 13, item 1): its page is read as plain rows and written by
    ``schemas.session.session_items``, not loaded as objects and validated one
    ``SessionOut`` each. Per list request of 20 items at 10,000 sessions on SQLite,
    counted by callgrind: 17.8M instructions with objects and ``SessionOut``, 14.7M with
    rows (4eeef10, before the objects: 13.8M, three fields fewer); in the load run the
    object path lost 19-24% of the list's throughput (docs/benchmarks.md)."""
    columns = TrainingSession.__table__.c
    stmt = filter_sessions(select(*columns), actor=actor, filters=filters)
    direction = asc if sort_order == "asc" else desc
    return stmt.order_by(direction(columns[sort_by]), direction(columns.id))


def related_by_id(
    db: Session, rows: Sequence[Any], *, include_client: bool, include_trainer: bool
) -> tuple[dict[int, Client], dict[int, Trainer]]:
    """The clients and trainers of a page of session rows, by id, when asked for: one
    query each, whatever the page's length."""
    clients: dict[int, Client] = {}
    trainers: dict[int, Trainer] = {}
    if include_client and rows:
        ids = {row.client_id for row in rows}
        clients = {client.id: client for client in db.scalars(select(Client).where(Client.id.in_(ids)))}
    if include_trainer and rows:
        ids = {row.trainer_id for row in rows}
        trainers = {trainer.id: trainer for trainer in db.scalars(select(Trainer).where(Trainer.id.in_(ids)))}
    return clients, trainers


def get_session(
    db: Session,
    *,
    actor: Trainer,
    session_id: int,
    action: str = "view",
    include_client: bool = False,
    include_trainer: bool = False,
) -> TrainingSession:
    """One session ``actor`` may ``action``: 404 when missing, 403 when another trainer's."""
    options = related(include_client=include_client, include_trainer=include_trainer)
    return get_owned_or_raise(db, TrainingSession, session_id, actor=actor, action=action, noun=NOUN, options=options)


def resolve_times(values: Mapping[str, Any], tz: ZoneInfo, *, current: TrainingSession | None = None) -> dict[str, Any]:
    """``values`` with its wall-clock times as UTC instants. A time that reads exactly as
    the session shows it now keeps that instant (``timeutil.from_wall_clock``), so writing
    back what was read changes nothing, even in the repeated hour of a fall-back night."""
    out = dict(values)
    for name in TIME_FIELDS:
        if out.get(name) is not None:
            shown = getattr(current, name) if current is not None else None
            out[name] = timeutil.from_wall_clock(out[name], tz, shown=shown)
    return out


def session_problems(
    db: Session, *, trainer_id: int, values: Mapping[str, Any], current: TrainingSession | None = None
) -> tuple[Client | None, dict[str, str]]:
    """The checks of a session's fields that need more than the field itself, as field
    errors: the client (the trainer's own, active) and the order of its times, with the
    stored session's values filling in what a partial update leaves out. Also returns the
    newly named client, when there is one."""
    client: Client | None = None
    problems: dict[str, str] = {}
    if "client_id" in values and (current is None or values["client_id"] != current.client_id):
        client, problems = bookable_client(db, client_id=values["client_id"], trainer_id=trainer_id)
    merged = {name: values[name] if name in values else getattr(current, name, None) for name in TIME_FIELDS}
    return client, problems | time_order_problems(merged)


def body_problems(
    db: Session,
    *,
    actor: Trainer,
    values: Mapping[str, Any],
    tz: ZoneInfo,
    trainer_id: Any = None,
    session_id: int | None = None,
) -> dict[str, str]:
    """``session_problems`` for a body the schema refused (``values`` holds its fields that
    were valid), so that one answer names every offending field at once."""
    current = None
    if session_id is not None:
        current = get_session(db, actor=actor, session_id=session_id, action="update")
        owner = current.trainer_id
    elif actor.is_admin and trainer_id is not None:
        if type(trainer_id) is not int or not is_storable_id(trainer_id) or db.get(Trainer, trainer_id) is None:
            values = {k: v for k, v in values.items() if k != "client_id"}  # its own error names the trainer
        owner = trainer_id
    else:
        owner = actor.id
    return session_problems(db, trainer_id=owner, values=resolve_times(values, tz, current=current), current=current)[1]


def create_session(db: Session, *, actor: Trainer, fields: dict[str, Any], tz: ZoneInfo) -> TrainingSession:
    """Book a session on the actor's calendar (or, for an admin, ``fields['trainer_id']``'s).

    Raises InvalidInput for a client that is not the trainer's or is inactive, and
    Conflict naming the earliest occupying session that overlaps the new one."""
    trainer = target_trainer(db, actor=actor, trainer_id=fields.pop("trainer_id", None))
    values = resolve_times(fields, tz)
    client, problems = session_problems(db, trainer_id=trainer.id, values=values)
    if problems:
        raise InvalidInput(problems)
    values.pop("client_id")
    now = timeutil.now()
    row = TrainingSession(trainer=trainer, client=client, created_at=now, updated_at=now, **values)
    row.buffered_end = row.scheduled_end + scheduling.Rules.of(trainer).buffer
    slot = Slot(trainer, row.scheduled_start, row.scheduled_end)
    if scheduling.occupies(row.status):
        ensure_free(db, slot, tz=tz)
    _write_or_conflict(db, lambda: db.add(row), slot, tz=tz)
    return row


def update_session(
    db: Session,
    *,
    actor: Trainer,
    session_id: int,
    changes: dict[str, Any],
    tz: ZoneInfo,
    include_client: bool = False,
    include_trainer: bool = False,
) -> TrainingSession:
    """Apply a partial update. Moving, lengthening or un-cancelling a session is checked
    for conflicts like a new booking (the session itself excluded), and then stamped with
    the trainer's current buffer (``buffered_end``); other changes leave its slot as it is."""
    row = get_session(
        db, actor=actor, session_id=session_id, action="update",
        include_client=include_client, include_trainer=include_trainer,
    )
    changes = resolve_times(changes, tz, current=row)
    client, problems = session_problems(db, trainer_id=row.trainer_id, values=changes, current=row)
    if problems:
        raise InvalidInput(problems)
    start = changes.get("scheduled_start", row.scheduled_start)
    end = changes.get("scheduled_end", row.scheduled_end)
    status = changes.get("status", row.status)
    moved = "scheduled_start" in changes or "scheduled_end" in changes
    # The calendar's owner (the actor unless an admin acts; then one lookup by key).
    owner = db.get(Trainer, row.trainer_id)
    assert owner is not None  # the foreign key
    slot = Slot(owner, start, end, exclude_id=row.id)
    checked = scheduling.occupies(status) and (moved or not scheduling.occupies(row.status))
    if checked:
        ensure_free(db, slot, tz=tz)

    # A change of time or status is a new version of the calendar event (contract §12).
    rescheduled = (start, end, status) != (row.scheduled_start, row.scheduled_end, row.status)

    def apply() -> None:
        if rescheduled:
            row.sequence = (row.sequence or 0) + 1
        for key, value in changes.items():
            setattr(row, key, value)
        if checked or moved:
            row.buffered_end = end + scheduling.Rules.of(owner).buffer
        if client is not None:
            row.client = client  # keeps the loaded relationship in step with client_id
        row.updated_at = timeutil.revised(row.updated_at)

    _write_or_conflict(db, apply, slot, tz=tz)
    return row


def cancel_session(db: Session, *, actor: Trainer, session_id: int, **include: bool) -> TrainingSession:
    """Soft delete: the session stays, as cancelled, and frees its slot. Idempotent."""
    row = get_session(db, actor=actor, session_id=session_id, action="delete", **include)
    if row.status != SessionStatus.CANCELLED:
        row.status = SessionStatus.CANCELLED.value
        row.sequence = (row.sequence or 0) + 1
        row.updated_at = timeutil.revised(row.updated_at)
        db.flush()
    return row


def delete_session(db: Session, *, actor: Trainer, session_id: int) -> None:
    """Permanent delete: the row is gone."""
    row = get_session(db, actor=actor, session_id=session_id, action="delete")
    db.delete(row)
    db.flush()


@dataclass(frozen=True)
class Slot:
    """The interval a write would occupy on a trainer's calendar (``exclude_id``: the
    session being moved, which does not conflict with itself)."""

    trainer: Trainer
    start: datetime
    end: datetime
    exclude_id: int | None = None


def ensure_free(db: Session, slot: Slot, *, tz: ZoneInfo) -> None:
    """The scheduling rule's *free* check for ``slot`` (``scheduling.ensure_free``)."""
    scheduling.ensure_free(
        db, trainer=slot.trainer, start=slot.start, end=slot.end, tz=tz, exclude_id=slot.exclude_id
    )


def _write_or_conflict(db: Session, change: Callable[[], None], slot: Slot, *, tz: ZoneInfo) -> None:
    """Make ``change`` and flush it inside a savepoint. If a concurrent booking won the
    race (PostgreSQL's exclusion constraint refused this write), answer with the same
    Conflict as the pre-check, naming the session that won."""
    try:
        with db.begin_nested():  # flushes earlier work first, so change comes inside
            change()
            db.flush()
    except IntegrityError as exc:
        if OVERLAP_CONSTRAINT not in str(exc.orig):
            raise
        ensure_free(db, slot, tz=tz)
        raise Conflict("Scheduling conflict detected with another session") from exc
