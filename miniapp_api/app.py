"""The customer-facing side: the mini-program sub-application and the H5 share pages."""

from __future__ import annotations

from aiohttp import web

from httpcommon.idempotency import idempotency_middleware
from httpcommon.openapi import openapi_route
from miniapp_api import h5_routes, mp_routes, subscriptions
from miniapp_api.openapi_spec import OPENAPI

PREFIX = "/api/mp/v1"


def create_mp_app() -> web.Application:
    app = web.Application(middlewares=[mp_routes.session_middleware, idempotency_middleware])
    app.router.add_routes(mp_routes.routes)
    app.router.add_routes(subscriptions.routes)
    app.router.add_get("/openapi.json", openapi_route(OPENAPI))
    return app


def add_h5_routes(app: web.Application) -> None:
    app.router.add_routes(h5_routes.routes)
