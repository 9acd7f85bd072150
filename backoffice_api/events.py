"""The events feed for the ERP (``GET /events?after=<cursor>``), and each event type's schema
for the OpenAPI document: the feed's items and the webhooks' bodies are one model per type
(``Event_<type>``), generated from the catalogue (``domain.events.catalogue``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from aiohttp import web
from pydantic import Field, create_model

from domain.events.catalogue import CATALOGUE, EventType
from domain.events.feed import events_after, parse_cursor
from httpcommon.contract import Routes
from httpcommon.fields import Limit, Query, Reply, query_text
from httpcommon.jsonio import json_response

routes = Routes()


def event_model_name(event_type: EventType) -> str:
    return "Event_" + event_type.value.replace(".", "_")


def _event_model(event_type: EventType) -> type[Reply]:
    spec = CATALOGUE[event_type]
    fields: dict[str, Any] = {
        "id": (int, Field(description="the event's id: the feed's cursor, the same in webhooks")),
        "type": (Literal[event_type.value], ...),  # type: ignore[valid-type]
        "occurred_at": (str, Field(description="ISO 8601 with offset")),
        "data": (spec.payload, ...),
    }
    model = create_model(event_model_name(event_type), __base__=Reply, **fields)
    model.__doc__ = spec.summary
    return model


EVENT_MODELS: dict[EventType, type[Reply]] = {t: _event_model(t) for t in EventType}
AnyEvent = Annotated[Union[tuple(EVENT_MODELS.values())],  # type: ignore[valid-type]  # noqa: UP007
                     Field(discriminator="type")]


class EventFeed(Reply):
    events: list[AnyEvent]  # type: ignore[valid-type]
    next: int = Field(description="pass as after= on the next call (the last id, else after)")


class EventsQuery(Query):
    after: Annotated[query_text(20, {"type": "string", "pattern": "^[0-9]{1,18}$"}),  # < 2**63
                     Field(description="the last page's next (absent or 0: from the oldest "
                                       "event kept)")] = ""
    limit: Annotated[Limit, Field(description="events per page (default 100)")] = 100


@routes.get("/events", summary="事件流：after 游标之后的事件（按 id 升序）", query=EventsQuery,
            response=EventFeed)
async def list_events(request: web.Request, query: EventsQuery) -> web.Response:
    page = await events_after(parse_cursor(query.after), query.limit)
    return json_response({"events": page.events, "next": page.next})


def webhooks() -> dict[str, type[Reply]]:
    """The OpenAPI ``webhooks``: one POST per event type, its body the type's model."""
    return {t.value: EVENT_MODELS[t] for t in EventType}
