"""Who may touch what: the one ownership check every resource uses."""

from __future__ import annotations

from functools import cache
from typing import Any, Protocol, TypeVar

from sqlalchemy import Row, Select, bindparam, false, select
from sqlalchemy.orm import Session

from ..db import is_storable_id
from ..errors import Forbidden, InvalidInput, NotFound
from ..models import Client, Trainer, TrainingSession

O = TypeVar("O", Client, TrainingSession)


class Actor(Protocol):
    """Who is acting, as these rules see them: a Trainer, or the caller's credential row
    (``services.auth.Caller``)."""

    @property
    def id(self) -> int: ...

    @property
    def is_admin(self) -> bool: ...


def get_owned_or_raise(session: Session, model: type[O], obj_id: int, *, actor: Actor, action: str, noun: str) -> O:
    """The ``model`` row ``obj_id`` if ``actor`` may ``action`` it.

    Raises NotFound ("<Noun> not found") when it does not exist and Forbidden ("You do not
    have permission to <action> this <noun>") when it belongs to another trainer; admins
    may act on every trainer's rows."""
    obj = session.get(model, obj_id) if is_storable_id(obj_id) else None
    return _owned(obj, actor=actor, action=action, noun=noun)


def get_owned_row_or_raise(
    session: Session, model: type[Client | TrainingSession], obj_id: int, *, actor: Actor, action: str, noun: str
) -> Row[Any]:
    """``get_owned_or_raise`` for a caller that only reads: the row's columns, not a mapped
    object (half the cost: no identity map, no attribute instrumentation)."""
    row = session.execute(_row_by_id(model), {"id": obj_id}).first() if is_storable_id(obj_id) else None
    return _owned(row, actor=actor, action=action, noun=noun)


@cache
def _row_by_id(model: type[Client | TrainingSession]) -> Select[Any]:
    # Built once per model: a reused statement skips SQLAlchemy's construction and cache-key work.
    table = model.__table__
    return select(*table.columns).where(table.c.id == bindparam("id"))


R = TypeVar("R")


def _owned(obj: R | None, *, actor: Actor, action: str, noun: str) -> R:
    if obj is None:
        raise NotFound(f"{noun.capitalize()} not found")
    if obj.trainer_id != actor.id and not actor.is_admin:  # type: ignore[attr-defined]
        raise Forbidden(f"You do not have permission to {action} this {noun}")
    return obj


def scope_to_actor(stmt: Select, model: type[Client | TrainingSession], *, actor: Actor, trainer_id: int | None) -> Select:
    """Limit a list query to what ``actor`` may see: their own rows, or for an admin
    every trainer's rows (one trainer's when ``trainer_id`` is given)."""
    owner = model.__table__.c.trainer_id  # the table's column: keeps a Core statement Core
    if actor.is_admin:
        if trainer_id is None:
            return stmt
        return stmt.where(owner == trainer_id if is_storable_id(trainer_id) else false())
    return stmt.where(owner == actor.id)


def owner_id(session: Session, *, actor: Actor, trainer_id: int | None) -> int:
    """The id of the trainer a new row (or a question) belongs to: the actor's, or for an
    admin the existing trainer named in the request."""
    if trainer_id is None or not actor.is_admin or trainer_id == actor.id:
        return actor.id
    if not is_storable_id(trainer_id) or session.get(Trainer, trainer_id) is None:
        raise InvalidInput({"trainer_id": "Trainer not found"})
    return trainer_id


A = TypeVar("A", bound=Actor)


def target_trainer(session: Session, *, actor: A, trainer_id: int | None) -> A | Trainer:
    """``owner_id``'s trainer: the actor themself (no query), or the admin's named trainer."""
    wanted = owner_id(session, actor=actor, trainer_id=trainer_id)
    return actor if wanted == actor.id else session.get_one(Trainer, wanted)
