"""The back-office sub-application: API-key auth, idempotency, one route table per resource."""

from __future__ import annotations

from aiohttp import web

from backoffice_api import (
    apikeys,
    approvals,
    billing,
    bind_qr,
    credit,
    credit_reports,
    customers,
    events,
    handover,
    handover_reports,
    ingest,
    letterhead,
    payments,
    reports,
    statements,
    tiers,
)
from backoffice_api.auth import OPENAPI_ROUTE, api_key_middleware
from backoffice_api.openapi_spec import OPENAPI
from httpcommon.idempotency import idempotency_middleware
from httpcommon.openapi import openapi_route
from httpcommon.roles import PREFIX as PREFIX  # where tally.app mounts this app

ROUTE_TABLES = (ingest.routes, customers.routes, statements.routes, reports.routes,
                apikeys.routes, credit.routes, approvals.routes, credit_reports.routes,
                billing.routes, tiers.routes, payments.routes, handover.routes,
                handover_reports.routes, bind_qr.routes, letterhead.routes, events.routes)


def create_backoffice_app() -> web.Application:
    app = web.Application(middlewares=[api_key_middleware, idempotency_middleware])
    for table in ROUTE_TABLES:
        app.router.add_routes(table)
    app.router.add_get("/openapi.json", openapi_route(OPENAPI), name=OPENAPI_ROUTE)
    return app
