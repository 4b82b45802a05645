"""Calendar feeds (contract §12): create, list and revoke feeds, and the public feed itself."""

from __future__ import annotations

from flask import Blueprint, Response, request, url_for

from ..errors import NotFound
from ..extensions import db
from ..schemas.calendar_feed import (
    CalendarFeedCreate,
    CalendarFeedCreatedOut,
    CalendarFeedListQuery,
    CalendarFeedOut,
    CalendarFeedPage,
)
from ..security import current_trainer
from ..services import calendar_feeds
from .http import caller_zone, dump, endpoint, ok, paginate

bp = Blueprint("calendar_feeds", __name__, url_prefix="/calendar-feeds")
CALENDAR_TYPE = "text/calendar; charset=utf-8"


@bp.post("")
@endpoint(body=CalendarFeedCreate, response=CalendarFeedCreatedOut, status=201, errors=(400, 401, 409, 415))
def create_calendar_feed(body: CalendarFeedCreate) -> Response:
    """Create a calendar feed; its secret URL is shown in this response only."""
    feed, secret = calendar_feeds.create_feed(
        db.session(), actor=current_trainer(), name=body.name, trainer_id=body.trainer_id
    )
    url = url_for(".read_calendar_feed", secret=secret, _external=True)
    out = CalendarFeedCreatedOut(**CalendarFeedOut.model_validate(feed).model_dump(), url=url)
    return ok(dump(out), message="Calendar feed created successfully", status=201)


@bp.get("")
@endpoint(query=CalendarFeedListQuery, response=CalendarFeedPage, errors=(400, 401))
def list_calendar_feeds(query: CalendarFeedListQuery) -> Response:
    """The caller's calendar feeds, without their URLs, paginated, oldest first."""
    stmt = calendar_feeds.feeds_query(actor=current_trainer(), trainer_id=query.trainer_id)
    feeds, pagination = paginate(stmt, query)
    tz = caller_zone()
    return ok({"calendar_feeds": [dump(CalendarFeedOut.model_validate(f), tz=tz) for f in feeds],
               "pagination": pagination})


@bp.delete("/<int:feed_id>")
@endpoint(errors=(401, 403, 404))
def revoke_calendar_feed(feed_id: int) -> Response:
    """Revoke a calendar feed: its URL answers 404 from now on."""
    calendar_feeds.revoke_feed(db.session(), actor=current_trainer(), feed_id=feed_id)
    return ok(message="Calendar feed revoked")


@bp.get("/<string:secret>.ics")
@endpoint(public=True, errors=(404,), media_type="text/calendar")
def read_calendar_feed(secret: str) -> Response:
    """The feed: the trainer's sessions and time off as an iCalendar (RFC 5545) file."""
    session = db.session()
    state = calendar_feeds.feed_state(session, secret=secret)
    if state is None:
        raise NotFound("Calendar feed not found")
    if request.if_none_match.contains_weak(state.etag):
        not_modified = Response(status=304)
        not_modified.set_etag(state.etag)
        return not_modified
    response = Response(calendar_feeds.feed_calendar(session, state=state), content_type=CALENDAR_TYPE)
    response.set_etag(state.etag)
    # Private: the URL is a credential; pollers revalidate with If-None-Match.
    response.headers["Cache-Control"] = "private, no-cache"
    return response
