"""Which matched route a request is on, by the route's name (never by how its path ends)."""

from __future__ import annotations

from aiohttp import web


def route_name(request: web.Request) -> str | None:
    """The name of the resource the request matched, or None (unnamed, 404 or 405)."""
    resource = request.match_info.route.resource
    return resource.name if resource is not None else None


def is_public_route(request: web.Request, public: frozenset[str]) -> bool:
    return route_name(request) in public
