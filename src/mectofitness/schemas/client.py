"""Clients: create, update, list query and the two output forms."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from ..domain import ClientStatus
from .common import BodyModel, DbId, LocalDateTime, PageQuery, Pagination, StrictDbId

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), Field(title="Name")]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=50)]
Notes = Annotated[str, StringConstraints(max_length=10_000)]

READ_ONLY = frozenset({"id", "trainer_id", "created_at", "updated_at"})


class ClientCreate(BodyModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{'name': 'John Doe', 'email': 'john@example.com', 'phone': '+1-555-0123'}]})
    ignored_fields: ClassVar[frozenset[str]] = READ_ONLY - {"trainer_id"}
    name: Name
    email: EmailStr | None = None
    phone: Phone | None = None
    status: ClientStatus = ClientStatus.ACTIVE
    notes: Notes | None = None
    trainer_id: StrictDbId | None = Field(None, description="Admins only: the trainer who owns the client")


class ClientUpdate(BodyModel):
    """Every field optional; ``null`` clears the optional ones."""
    model_config = ConfigDict(json_schema_extra={"examples": [{'phone': '+1-555-0199', 'status': 'inactive'}]})

    ignored_fields: ClassVar[frozenset[str]] = READ_ONLY
    name: Name = None  # type: ignore[assignment]
    email: EmailStr | None = None
    phone: Phone | None = None
    status: ClientStatus = None  # type: ignore[assignment]
    notes: Notes | None = None


class ClientListQuery(PageQuery):
    status: ClientStatus | None = Field(None, description="Filter by status")
    search: str | None = Field(None, max_length=200, description="Case-insensitive match on name or e-mail")
    trainer_id: DbId | None = Field(None, description="Admins only: one trainer's clients")


class ClientBrief(BaseModel):
    """The nested form (``include_client=true``)."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    email: str | None
    phone: str | None
    status: ClientStatus


class ClientOut(ClientBrief):
    trainer_id: int
    notes: str | None
    created_at: LocalDateTime
    updated_at: LocalDateTime


class ClientPage(BaseModel):
    clients: list[ClientOut]
    pagination: Pagination
