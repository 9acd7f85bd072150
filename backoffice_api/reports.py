"""Report routes: the delivery ledger per day and period summaries."""

from __future__ import annotations

from aiohttp import web

from backoffice_api.auth import actor_with
from domain import reports
from domain.actors import ADMIN, FINANCE, SALES
from domain.errors import Invalid
from httpcommon.jsonio import json_response
from httpcommon.keys import SETTINGS, now
from httpcommon.params import query_date, query_int

routes = web.RouteTableDef()


def _period(request: web.Request):
    date_from, date_to = query_date(request, "from"), query_date(request, "to")
    if date_from is None or date_to is None:
        raise Invalid("missing_query", "需要 from 和 to (YYYY-MM-DD)")
    return date_from, date_to


@routes.get("/deliveries")
async def delivery_ledger(request: web.Request) -> web.Response:
    actor_with(request, ADMIN, FINANCE)
    day = query_date(request, "date") or now(request).date()
    items = await reports.delivery_ledger(
        day, limit=query_int(request, "limit", 500, lo=1, hi=5000),
        offset=query_int(request, "offset", 0, hi=10**9),
    )
    return json_response({"date": day, "items": items})


@routes.get("/reports/deliveries")
async def delivery_summary(request: web.Request) -> web.Response:
    actor_with(request, ADMIN, FINANCE)
    return json_response({"items": await reports.delivery_summary(*_period(request))})


@routes.get("/reports/statements")
async def statement_summary(request: web.Request) -> web.Response:
    actor = actor_with(request, ADMIN, FINANCE, SALES)
    summary = await reports.statement_summary(
        actor, *_period(request), request.config_dict[SETTINGS].timezone)
    return json_response(summary)
