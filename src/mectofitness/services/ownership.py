"""Who may touch what: the one ownership check every resource uses."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import Select, false
from sqlalchemy.orm import Session

from ..domain import is_storable_id
from ..errors import Forbidden, InvalidInput, NotFound
from ..models import CalendarFeed, Client, Series, TimeOff, Trainer, TrainingSession

O = TypeVar("O", Client, TrainingSession, TimeOff, Series, CalendarFeed)


def get_owned_or_raise(
    db: Session, model: type[O], obj_id: int, *, actor: Trainer, action: str, noun: str, options: Sequence[Any] = ()
) -> O:
    """The ``model`` row ``obj_id`` (loaded with ``options``) if ``actor`` may ``action`` it.

    Raises NotFound ("<Noun> not found") when it does not exist and Forbidden ("You do not
    have permission to <action> this <noun>") when it belongs to another trainer; admins
    may act on every trainer's rows."""
    obj = db.get(model, obj_id, options=options) if is_storable_id(obj_id) else None
    if obj is None:
        raise NotFound(f"{noun.capitalize()} not found")
    if obj.trainer_id != actor.id and not actor.is_admin:
        raise Forbidden(f"You do not have permission to {action} this {noun}")
    return obj


def scope_to_actor(stmt: Select, model: type[Client | TrainingSession | TimeOff | CalendarFeed], *, actor: Trainer, trainer_id: int | None) -> Select:
    """Limit a list query to what ``actor`` may see: their own rows, or for an admin
    every trainer's rows (one trainer's when ``trainer_id`` is given)."""
    owner = model.__table__.c.trainer_id  # the table's column keeps a Core statement Core
    if actor.is_admin:
        if trainer_id is None:
            return stmt
        return stmt.where(owner == trainer_id if is_storable_id(trainer_id) else false())
    return stmt.where(owner == actor.id)


def target_trainer(db: Session, *, actor: Trainer, trainer_id: int | None) -> Trainer:
    """The trainer a new row (or a question) belongs to: the actor, or for an admin the
    existing trainer named in the request."""
    if trainer_id is None or not actor.is_admin or trainer_id == actor.id:
        return actor
    trainer = db.get(Trainer, trainer_id) if is_storable_id(trainer_id) else None
    if trainer is None:
        raise InvalidInput({"trainer_id": "Trainer not found"})
    return trainer
