"""Clients of a trainer."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import Session

from .. import timeutil
from ..db import is_storable_id
from ..errors import Conflict, InvalidInput
from ..models import Client, TrainingSession
from .ownership import Actor, get_owned_or_raise, owner_id, scope_to_actor


def clients_query(
    *, actor: Actor, status: str | None = None, search: str | None = None, trainer_id: int | None = None
) -> Select[tuple[Client]]:
    """The clients ``actor`` may see, filtered, ordered by name then id."""
    stmt = scope_to_actor(select(Client), Client, actor=actor, trainer_id=trainer_id)
    if status is not None:
        stmt = stmt.where(Client.status == status)
    if search:
        needle = search.lower()  # matched literally: % and _ are not wildcards here
        stmt = stmt.where(
            or_(
                func.lower(Client.name).contains(needle, autoescape=True),
                func.lower(Client.email).contains(needle, autoescape=True),
            )
        )
    return stmt.order_by(Client.name, Client.id)


def get_client(session: Session, *, actor: Actor, client_id: int, action: str = "view") -> Client:
    return get_owned_or_raise(session, Client, client_id, actor=actor, action=action, noun="client")


def find_client_for_trainer(session: Session, *, client_id: int, trainer_id: int) -> Client:
    """The trainer's own client named in a request body, else a validation error."""
    client = session.get(Client, client_id) if is_storable_id(client_id) else None
    if client is None or client.trainer_id != trainer_id:
        raise InvalidInput({"client_id": "Client not found"})
    return client


def create_client(session: Session, *, actor: Actor, fields: dict[str, Any]) -> Client:
    owner = owner_id(session, actor=actor, trainer_id=fields.pop("trainer_id", None))
    now = timeutil.now()
    client = Client(trainer_id=owner, created_at=now, updated_at=now, **_normalized(fields))
    session.add(client)
    session.flush()
    return client


def update_client(session: Session, *, actor: Actor, client_id: int, changes: dict[str, Any]) -> Client:
    client = get_client(session, actor=actor, client_id=client_id, action="update")
    for name, value in _normalized(changes).items():
        setattr(client, name, value)
    client.updated_at = timeutil.now()
    session.flush()
    return client


def delete_client(session: Session, *, actor: Actor, client_id: int) -> None:
    """Delete a client who has no sessions; one with history is refused (retire them
    with ``status: inactive`` instead). The foreign key refuses it too, under races."""
    client = get_client(session, actor=actor, client_id=client_id, action="delete")
    if session.scalar(select(exists().where(TrainingSession.client_id == client.id))):
        raise Conflict(
            "Client has sessions and cannot be deleted; set status to inactive to retire them"
        )
    session.delete(client)
    session.flush()


def _normalized(fields: dict[str, Any]) -> dict[str, Any]:
    out = dict(fields)
    if out.get("email"):
        out["email"] = out["email"].strip().lower()
    for key in ("phone", "notes"):
        if key in out and out[key] == "":
            out[key] = None
    return out
