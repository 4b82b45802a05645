"""Trainers: created by an operator, then edited by themselves through ``me``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from .. import timeutil
from ..errors import Conflict
from ..models import Trainer
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
    days not mentioned keep their hours. A new password needs the current one."""
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
