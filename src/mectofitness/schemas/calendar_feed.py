"""Calendar feeds (contract §12): create body, list query, and the objects."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from .common import BodyModel, DbId, LocalDateTime, PageQuery, Pagination, StrictDbId


class CalendarFeedCreate(BodyModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "My phone"}]})
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    trainer_id: StrictDbId | None = Field(None, description="Admins only: the trainer whose calendar it shows")


class CalendarFeedListQuery(PageQuery):
    trainer_id: DbId | None = Field(None, description="Admins only: one trainer's feeds")


class CalendarFeedOut(BaseModel):
    """A feed as listed: contract §12's object without its ``url``."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    created_at: LocalDateTime


class CalendarFeedPage(BaseModel):
    calendar_feeds: list[CalendarFeedOut]
    pagination: Pagination


class CalendarFeedCreatedOut(BaseModel):
    """The answer to a create, exactly contract §12's keys in its order."""

    id: int
    name: str
    url: str = Field(description="The feed's address, holding its secret; shown only in this response")
    created_at: LocalDateTime
