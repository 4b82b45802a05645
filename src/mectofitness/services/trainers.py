"""Trainers: created by an operator, then edited by themselves through ``me``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from .. import timeutil
from ..db import shifted
from ..errors import Conflict
from ..models import Trainer, TrainingSession
from . import auth


def create_trainer(
    db: Session,
    *,
    username: str,
    email: str,
    password: str,
    full_name: str | None,
    timezone: str,
    role: str,
    hash_method: str,
) -> Trainer:
    """A new trainer; raises Conflict when the username or e-mail is taken (checked here
    for the message, and by unique constraints for races)."""
    email = email.strip().lower()
    clash = db.scalars(
        select(Trainer).where(or_(func.lower(Trainer.username) == username.lower(), Trainer.email == email))
    ).first()
    if clash is not None:
        field = "username" if clash.username.lower() == username.lower() else "email"
        raise Conflict(f"A trainer with that {field} already exists")
    now = timeutil.now()
    trainer = Trainer(
        username=username,
        email=email,
        full_name=full_name,
        password_hash=auth.hash_password(password, method=hash_method),
        role=role,
        timezone=timezone,
        created_at=now,
        updated_at=now,
    )
    db.add(trainer)
    db.flush()
    return trainer


def update_profile(
    db: Session,
    *,
    trainer: Trainer,
    changes: dict[str, Any],
    hash_method: str,
    login_secret: str | None,
) -> Trainer:
    """Apply ``PATCH /auth/me`` changes (already validated). Working hours merge per day:
    days not mentioned keep their hours; date overrides merge per date (``null`` removes
    one); scheduling settings merge per key. A new password needs the current one."""
    if "email" in changes and changes["email"] is not None:
        email = changes["email"].strip().lower()
        taken = db.scalars(select(Trainer.id).where(Trainer.email == email, Trainer.id != trainer.id)).first()
        if taken is not None:
            raise Conflict("A trainer with that email already exists")
        trainer.email = email
    if "full_name" in changes:
        trainer.full_name = changes["full_name"] or None
    if changes.get("timezone") is not None:
        trainer.timezone = changes["timezone"]
    if changes.get("working_hours") is not None:
        trainer.working_hours = {**(trainer.working_hours or {}), **changes["working_hours"]}
    if changes.get("working_hours_overrides") is not None:
        overrides = dict(trainer.working_hours_overrides or {})
        for day, ranges in changes["working_hours_overrides"].items():
            if ranges is None:
                overrides.pop(day, None)
            else:
                overrides[day] = ranges
        trainer.working_hours_overrides = dict(sorted(overrides.items()))
    if changes.get("scheduling") is not None:
        change_scheduling(db, trainer=trainer, settings=changes["scheduling"])
    if "password" in changes:
        auth.change_password(
            db,
            trainer=trainer,
            current=changes.get("current_password"),
            new=changes["password"],
            method=hash_method,
            keep_login_secret=login_secret,
        )
    trainer.updated_at = timeutil.revised(trainer.updated_at)
    db.flush()
    return trainer


def change_scheduling(db: Session, *, trainer: Trainer, settings: dict[str, Any]) -> None:
    """Set the scheduling settings named in ``settings`` (validated), keeping the others.

    A smaller buffer re-stamps the trainer's sessions (``buffered_end``) with it, in one
    statement: a stamp never exceeds the buffer in force, so PostgreSQL's exclusion
    constraint never refuses a booking the rule allows. A larger one leaves them as they
    are: sessions booked closer than it stay (as sessions outside new working hours do),
    the service's check holds new bookings to it, and each booking, move or un-cancel is
    stamped with it from then on. See docs/decisions.md, "Buffers"."""
    old_buffer = trainer.buffer_minutes
    for name, value in settings.items():
        setattr(trainer, name, value)
    if trainer.buffer_minutes < old_buffer:
        db.flush()
        db.execute(
            update(TrainingSession)
            .where(
                TrainingSession.trainer_id == trainer.id,
                TrainingSession.buffered_end > TrainingSession.scheduled_end,
            )
            .values(buffered_end=shifted(TrainingSession.scheduled_end, trainer.buffer_minutes))
            .execution_options(synchronize_session=False)
        )
