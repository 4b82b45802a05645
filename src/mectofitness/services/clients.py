"""Clients of a trainer."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import Session

from .. import timeutil
from ..domain import CLIENT_INACTIVE, CLIENT_NOT_FOUND, ClientStatus, is_storable_id
from ..errors import Conflict
from ..models import Client, Trainer, TrainingSession
from .ownership import get_owned_or_raise, scope_to_actor, target_trainer


def clients_query(
    *, actor: Trainer, status: str | None = None, search: str | None = None, trainer_id: int | None = None
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


def get_client(db: Session, *, actor: Trainer, client_id: int, action: str = "view") -> Client:
    return get_owned_or_raise(db, Client, client_id, actor=actor, action=action, noun="client")


def bookable_client(db: Session, *, client_id: int, trainer_id: int) -> tuple[Client | None, dict[str, str]]:
    """The trainer's own client named in a session body, or the field error saying why it
    cannot be booked: not theirs (or not there), or inactive."""
    client = db.get(Client, client_id) if is_storable_id(client_id) else None
    if client is None or client.trainer_id != trainer_id:
        return None, {"client_id": CLIENT_NOT_FOUND}
    if client.status == ClientStatus.INACTIVE:
        return client, {"client_id": CLIENT_INACTIVE}
    return client, {}


def create_client(db: Session, *, actor: Trainer, fields: dict[str, Any]) -> Client:
    owner = target_trainer(db, actor=actor, trainer_id=fields.pop("trainer_id", None))
    now = timeutil.now()
    client = Client(trainer_id=owner.id, created_at=now, updated_at=now, **_normalized(fields))
    db.add(client)
    db.flush()
    return client


def update_client(db: Session, *, actor: Trainer, client_id: int, changes: dict[str, Any]) -> Client:
    client = get_client(db, actor=actor, client_id=client_id, action="update")
    for name, value in _normalized(changes).items():
        setattr(client, name, value)
    client.updated_at = timeutil.revised(client.updated_at)
    db.flush()
    return client


def delete_client(db: Session, *, actor: Trainer, client_id: int) -> None:
    """Delete a client who has no sessions; one with history is refused (retire them
    with ``status: inactive`` instead). The foreign key refuses it too, under races."""
    client = get_client(db, actor=actor, client_id=client_id, action="delete")
    if db.scalar(select(exists().where(TrainingSession.client_id == client.id))):
        raise Conflict(
            "Client has sessions and cannot be deleted; set status to inactive to retire them"
        )
    db.delete(client)
    db.flush()


def _normalized(fields: dict[str, Any]) -> dict[str, Any]:
    out = dict(fields)
    if out.get("email"):
        out["email"] = out["email"].strip().lower()
    for key in ("phone", "notes"):
        if key in out and out[key] == "":
            out[key] = None
    return out
