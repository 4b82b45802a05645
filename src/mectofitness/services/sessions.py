"""Training sessions: list, get, book, change, cancel and delete, with the rule that an
occupying session is booked, moved or un-cancelled only into a free interval (no other
occupying session within the trainer's buffer, no time off: ``scheduling.ensure_free``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, asc, desc, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.interfaces import LoaderOption

from .. import timeutil
from ..domain import SessionFilter, SessionStatus, is_storable_id, time_order_problems
from ..errors import Conflict, InvalidInput
from ..models import Client, Series, Trainer, TrainingSession
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
    if filters.series_id is not None:
        stmt = stmt.where(columns.series_id == filters.series_id)
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
    scope: str = "this",
    include_client: bool = False,
    include_trainer: bool = False,
) -> TrainingSession:
    """Apply a partial update. Moving, lengthening or un-cancelling a session is checked
    for conflicts like a new booking (the session itself excluded), and then stamped with
    the trainer's current buffer (``buffered_end``); other changes leave its slot as it is.

    For an occurrence of a series, ``scope`` ``following`` or ``all`` applies the change to
    the scheduled occurrences of that scope instead (``_update_scoped``)."""
    row = get_session(
        db, actor=actor, session_id=session_id, action="update",
        include_client=include_client, include_trainer=include_trainer,
    )
    changes = resolve_times(changes, tz, current=row)
    if scope != "this" and row.series_id is not None:
        return _update_scoped(db, row=row, changes=changes, tz=tz, scope=scope)
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
        if row.series_id is not None:
            _touch_series(db, [row.series_id])

    _write_or_conflict(db, apply, slot, tz=tz)
    return row


def cancel_session(
    db: Session, *, actor: Trainer, session_id: int, scope: str = "this", **include: bool
) -> TrainingSession:
    """Soft delete: the session stays, as cancelled, and frees its slot. Idempotent. For an
    occurrence of a series, ``scope`` ``following`` or ``all`` cancels the scheduled
    occurrences of that scope (the session itself among them when it is scheduled)."""
    row = get_session(db, actor=actor, session_id=session_id, action="delete", **include)
    targets = scoped_occurrences(db, row=row, scope=scope) if scope != "this" and row.series_id else [row]
    changed = [target for target in targets if target.status != SessionStatus.CANCELLED]
    for target in changed:
        target.status = SessionStatus.CANCELLED.value
        target.sequence = (target.sequence or 0) + 1
        target.updated_at = timeutil.revised(target.updated_at)
    if changed:
        if row.series_id is not None:
            _touch_series(db, [row.series_id])
        db.flush()
    return row


def delete_session(db: Session, *, actor: Trainer, session_id: int, scope: str = "this") -> None:
    """Permanent delete: the row is gone. For an occurrence of a series, ``scope``
    ``following`` or ``all`` deletes the scheduled occurrences of that scope instead."""
    row = get_session(db, actor=actor, session_id=session_id, action="delete")
    targets = scoped_occurrences(db, row=row, scope=scope) if scope != "this" and row.series_id else [row]
    if row.series_id is not None:
        _touch_series(db, [row.series_id])
    for target in targets:
        db.delete(target)
    db.flush()


def scoped_occurrences(db: Session, *, row: TrainingSession, scope: str) -> list[TrainingSession]:
    """The occurrences of ``row``'s series a ``scope``d change applies to, earliest first:
    the scheduled ones (a completed, cancelled or no-show occurrence is history, never
    changed by a scope), from ``row``'s start on for ``following``; one query."""
    stmt = select(TrainingSession).where(
        TrainingSession.series_id == row.series_id, TrainingSession.status == SessionStatus.SCHEDULED.value
    )
    if scope == "following":
        stmt = stmt.where(TrainingSession.scheduled_start >= row.scheduled_start)
    return list(db.scalars(stmt.order_by(TrainingSession.scheduled_start, TrainingSession.id)))


def _update_scoped(
    db: Session, *, row: TrainingSession, changes: dict[str, Any], tz: ZoneInfo, scope: str
) -> TrainingSession:
    """``changes`` (UTC instants already) applied to the scheduled occurrences of ``scope``,
    all or nothing. A new ``scheduled_start``/``scheduled_end`` for ``row`` becomes a shift
    of local wall-clock time in the trainer's zone, and every occurrence moves by the same
    shift (07:00 -> 07:30 on both sides of a DST change); each moved occurrence must be
    free (one check for the set, ``scheduling.conflicts``), else Conflict listing them all."""
    client, problems = session_problems(db, trainer_id=row.trainer_id, values=changes, current=row)
    if problems:
        raise InvalidInput(problems)
    targets = scoped_occurrences(db, row=row, scope=scope)
    if not targets:
        return row
    owner = db.get(Trainer, row.trainer_id)
    assert owner is not None  # the foreign key
    zone = timeutil.zone(owner.timezone)
    shifts: dict[str, timedelta] = {
        name: timeutil.to_local(changes[name], zone) - timeutil.to_local(getattr(row, name), zone)
        for name in ("scheduled_start", "scheduled_end") if name in changes
    }
    moved: dict[int, dict[str, datetime]] = {}
    problems = {}
    for target in targets:
        times: dict[str, datetime] = {}
        for name, shift in shifts.items():
            if target.id == row.id:
                times[name] = changes[name]
                continue
            try:
                times[name] = timeutil.local_to_utc(timeutil.to_local(getattr(target, name), zone) + shift, zone)
            except timeutil.TimeInputError as exc:
                problems.setdefault(name, f"The occurrence of {timeutil.format_local(target.scheduled_start, tz)}: {exc}")
        merged = {name: times.get(name, getattr(target, name)) for name in TIME_FIELDS} | {
            name: changes[name] for name in ("actual_start", "actual_end") if name in changes
        }
        for name, message in time_order_problems(merged).items():
            problems.setdefault(name, f"The occurrence of {timeutil.format_local(target.scheduled_start, tz)}: {message}")
        moved[target.id] = times
    if problems:
        raise InvalidInput(problems)
    status = changes.get("status", SessionStatus.SCHEDULED.value)
    if shifts and scheduling.occupies(status):
        intervals = [
            (moved[t.id].get("scheduled_start", t.scheduled_start), moved[t.id].get("scheduled_end", t.scheduled_end))
            for t in targets
        ]
        clashes = scheduling.conflicts(db, trainer=owner, intervals=intervals, tz=tz, exclude_ids=moved)
        if clashes:
            raise Conflict(
                clashes[min(clashes)],
                errors={timeutil.format_local(intervals[i][0], tz) or "": clashes[i] for i in sorted(clashes)},
            )
    buffer = scheduling.Rules.of(owner).buffer
    plain = {name: value for name, value in changes.items() if name not in shifts}
    # Moved later, the latest moves first (and earlier, the earliest), so that no row passes
    # through a slot a neighbour still holds (PostgreSQL checks its constraint row by row).
    later = shifts and next(iter(shifts.values())) > timedelta(0)
    try:
        with db.begin_nested():
            for target in reversed(targets) if later else targets:
                if shifts or plain.get("status", target.status) != target.status:
                    target.sequence = (target.sequence or 0) + 1  # a new version of its event (§12)
                for name, value in (plain | moved[target.id]).items():
                    setattr(target, name, value)
                if shifts:
                    target.buffered_end = target.scheduled_end + buffer
                if client is not None and target.id == row.id:
                    target.client = client
                target.updated_at = timeutil.revised(target.updated_at)
                db.flush()
            _touch_series(db, [row.series_id] if row.series_id is not None else [])
            db.flush()
    except IntegrityError as exc:
        if OVERLAP_CONSTRAINT not in str(exc.orig):
            raise
        raise Conflict("Scheduling conflict detected with another session") from exc
    return row


def _touch_series(db: Session, series_ids: list[int]) -> None:
    """A change to an occurrence is a change to its series: its version (ETag) moves."""
    for series_id in series_ids:
        series = db.get(Series, series_id)
        if series is not None:
            series.updated_at = timeutil.revised(series.updated_at)


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
