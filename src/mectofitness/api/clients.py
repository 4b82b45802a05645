"""Clients: list, get, create, update, delete."""

from __future__ import annotations

from flask import Blueprint, Response

from ..extensions import db
from ..models import Client
from ..schemas.client import ClientCreate, ClientListQuery, ClientOut, ClientPage, ClientUpdate
from ..security import current_trainer
from ..services import clients
from .http import Versioned, caller_zone, dump, endpoint, ok, paginate

bp = Blueprint("clients", __name__, url_prefix="/clients")
# One client's ETag (contract §10), on its GET, PUT, PATCH and DELETE.
CLIENT = Versioned(Client, "client_id")


@bp.get("")
@endpoint(query=ClientListQuery, response=ClientPage, errors=(400, 401))
def list_clients(query: ClientListQuery) -> Response:
    """List the caller's clients, paginated, by name."""
    stmt = clients.clients_query(
        actor=current_trainer(), status=query.status, search=query.search, trainer_id=query.trainer_id
    )
    items, pagination = paginate(stmt, query)
    tz = caller_zone()
    return ok({"clients": [dump(ClientOut.model_validate(c), tz=tz) for c in items], "pagination": pagination})


@bp.get("/<int:client_id>")
@endpoint(response=ClientOut, errors=(401, 403, 404), versioned=CLIENT)
def get_client(client_id: int) -> Response:
    """One client."""
    client = clients.get_client(db.session(), actor=current_trainer(), client_id=client_id)
    return ok(dump(ClientOut.model_validate(client)))


@bp.post("")
@endpoint(body=ClientCreate, response=ClientOut, status=201, errors=(400, 401, 415))
def create_client(body: ClientCreate) -> Response:
    """Add a client."""
    client = clients.create_client(
        db.session(), actor=current_trainer(), fields=body.model_dump(exclude_unset=True)
    )
    return ok(dump(ClientOut.model_validate(client)), message="Client created successfully", status=201)


@bp.route("/<int:client_id>", methods=["PATCH", "PUT"])
@endpoint(body=ClientUpdate, response=ClientOut, errors=(400, 401, 403, 404, 415), versioned=CLIENT)
def update_client(client_id: int, body: ClientUpdate) -> Response:
    """Update a client (partial: only the fields given change)."""
    client = clients.update_client(
        db.session(),
        actor=current_trainer(),
        client_id=client_id,
        changes=body.model_dump(exclude_unset=True),
    )
    return ok(dump(ClientOut.model_validate(client)), message="Client updated successfully")


@bp.delete("/<int:client_id>")
@endpoint(errors=(401, 403, 404, 409), versioned=CLIENT)
def delete_client(client_id: int) -> Response:
    """Delete a client who has no sessions (409 otherwise: set status inactive instead)."""
    clients.delete_client(db.session(), actor=current_trainer(), client_id=client_id)
    return ok(message="Client deleted successfully")
