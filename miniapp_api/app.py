"""The customer-facing side: the mini-program sub-application and the H5 share pages."""

from __future__ import annotations

from aiohttp import web

from httpcommon.idempotency import idempotency_middleware
from httpcommon.openapi import openapi_route
from miniapp_api import bind_qr_routes, h5_routes, mp_routes, subscriptions

PREFIX = "/api/mp/v1"
# the document is generated from the routes' declared types (httpcommon.contract)
OPENAPI = {
    "title": "Tally mini-program API",
    "prefix": PREFIX,
    "public": ("/login",),
    "security_schemes": {"session": {"type": "http", "scheme": "bearer"}},
}


def create_mp_app() -> web.Application:
    app = web.Application(middlewares=[mp_routes.session_middleware, idempotency_middleware])
    app.router.add_routes(mp_routes.routes)
    app.router.add_routes(subscriptions.routes)
    app.router.add_get("/openapi.json", openapi_route(OPENAPI), name=mp_routes.OPENAPI_ROUTE)
    return app


# The share URL is a bearer token: never framed (clickjacking the answer buttons), never sent
# on as a Referer, and served only as the type it says it is.
H5_HEADERS = {
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


def add_h5_routes(app: web.Application) -> None:
    """The share pages, each response (errors too) with the H5 security headers."""
    h5_resources = {route.resource for route in app.router.add_routes(h5_routes.routes)}
    h5_resources |= {route.resource for route in app.router.add_routes(bind_qr_routes.routes)}

    async def secure(request: web.Request, response: web.StreamResponse) -> None:
        if request.match_info.route.resource in h5_resources:
            response.headers.update(H5_HEADERS)

    app.on_response_prepare.append(secure)
