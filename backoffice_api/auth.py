"""API-key authentication for the back office; the role table (httpcommon.roles) admits."""

from __future__ import annotations

from aiohttp import web

from domain.access import require_role
from domain.actors import Actor
from domain.apikeys import authenticate
from domain.errors import Unauthorized
from httpcommon.error_codes import MISSING_API_KEY, ROUTE_NOT_IN_ROLE_TABLE
from httpcommon.keys import ACTOR, IDEMPOTENCY_SCOPE
from httpcommon.ratelimit import BAD_API_KEY, count_failure, refuse_if_exhausted
from httpcommon.roles import roles_for
from httpcommon.routes import is_public_route

OPENAPI_ROUTE = "openapi"  # the only route served without a key
PUBLIC_ROUTES = frozenset({OPENAPI_ROUTE})


def _bearer(request: web.Request) -> str:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.headers.get("X-API-Key", "").strip()


@web.middleware
async def api_key_middleware(request: web.Request, handler):
    if is_public_route(request, PUBLIC_ROUTES):
        return await handler(request)
    key = _bearer(request)
    if not key:
        raise MISSING_API_KEY("缺少 API 密钥 (Authorization: Bearer …)")
    refuse_if_exhausted(request, BAD_API_KEY)  # once locked out, right keys wait too
    try:
        record, actor = await authenticate(key)
    except Unauthorized:
        count_failure(request, BAD_API_KEY)
        raise
    _require_route_role(request, actor)
    request[ACTOR] = actor
    request[IDEMPOTENCY_SCOPE] = f"key:{record.id}"
    return await handler(request)


def _require_route_role(request: web.Request, actor: Actor) -> None:
    """The role table (httpcommon.roles) admits this key's role to the matched route."""
    resource = request.match_info.route.resource
    if resource is None:  # no such route: the router's 404 / 405 follows
        return
    roles = roles_for(request.method, resource.canonical)
    if not roles:
        raise ROUTE_NOT_IN_ROLE_TABLE("此接口未列入角色表", role=actor.role)
    require_role(actor, *roles)


def actor_with(request: web.Request, *roles: str) -> Actor:
    """The caller, provided its key has one of these roles."""
    actor: Actor = request[ACTOR]
    require_role(actor, *roles)
    return actor
