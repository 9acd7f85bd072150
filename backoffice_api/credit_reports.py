"""Credit report routes: 赊销总览 (seed 002) for admin and finance, and for sales over their own
customers."""

from __future__ import annotations

from datetime import date

from aiohttp import web

from backoffice_api.auth import actor_with
from domain.actors import ADMIN, FINANCE, SALES
from domain.credit.overview import credit_overview
from httpcommon.jsonio import json_response
from httpcommon.keys import now
from httpcommon.params import query_date, query_int

routes = web.RouteTableDef()


@routes.get("/credit/overview")
async def overview(request: web.Request) -> web.Response:
    """?date= (default today) for what is owed and overdue; ?from=&to= (default this year up
    to that date) for lending; ?top= customers in the rankings (default 20)."""
    actor = actor_with(request, ADMIN, FINANCE, SALES)
    on = query_date(request, "date") or now(request).date()
    date_from = query_date(request, "from") or date(on.year, 1, 1)
    date_to = query_date(request, "to") or max(on, date_from)
    top = query_int(request, "top", 20, lo=1, hi=500)
    return json_response(await credit_overview(actor, on, date_from, date_to, top))
