"""The request id and the timing of every request: one middleware, outermost.

The id comes from an incoming ``X-Request-Id`` (when it is a plain token of at most 64
characters) or is made here; it is echoed in the response header, set in
``domain.request_context`` for the handler's work (the outbox rows it queues carry it), and
handed with the route's canonical path (never the raw URL: share links carry tokens), the
status and the seconds taken to ``observe``.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable

from aiohttp import web

from domain.request_context import REQUEST_ID

HEADER = "X-Request-Id"
UNMATCHED = "unmatched"
_GOOD_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")

Observe = Callable[[str, str, int, float], None]  # route, method, status, seconds


def request_id_of(request: web.Request) -> str:
    """The caller's id if it is a plain token that fits the outbox column, else a new one."""
    given = request.headers.get(HEADER, "")
    return given if _GOOD_ID.fullmatch(given) else uuid.uuid4().hex


def route_of(request: web.Request) -> str:
    """The matched route's canonical path (``/s/{token}``), or 'unmatched'."""
    route = request.match_info.route
    resource = route.resource if route is not None else None
    if resource is None or request.match_info.http_exception is not None:
        return UNMATCHED
    return resource.canonical


def observing_middleware(observe: Observe):
    @web.middleware
    async def middleware(request: web.Request, handler):
        request_id = request_id_of(request)
        token = REQUEST_ID.set(request_id)
        started = time.perf_counter()
        status = 500
        try:
            response = await handler(request)
            status = response.status
        except web.HTTPException as exc:
            status = exc.status
            exc.headers[HEADER] = request_id
            raise
        finally:
            REQUEST_ID.reset(token)
            observe(route_of(request), request.method, status, time.perf_counter() - started)
        response.headers[HEADER] = request_id
        return response

    return middleware
