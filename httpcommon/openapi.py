"""OpenAPI 3.1 documents built from the live router, so the paths always match the routes;
each API package supplies the schemas of its operations (tests check none is missing)."""

from __future__ import annotations

from aiohttp import web

from domain.limits import ID_MAX
from domain.money import MAX_DIGITS
from httpcommon.jsonio import json_response

# the shared value schemas state the store's limits, so generated valid input is accepted
ID = {"type": "integer", "minimum": 0, "maximum": ID_MAX}
MONEY = {"type": "string", "pattern": rf"^-?\d{{1,{MAX_DIGITS - 2}}}\.\d{{2}}$",
         "description": "CNY, 2 decimals"}
DATE = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
KEY_TEXT = {"type": "string", "minLength": 1, "maxLength": 64, "pattern": r"^[^\x00/]+$"}
PATH_PARAMS = {
    "id": {**ID, "minimum": 1}, "link_id": {**ID, "minimum": 1},
    "task_id": {**ID, "minimum": 1}, "year": {"type": "integer", "minimum": 1, "maximum": 9999},
    "date": DATE,
}

ERROR = {
    "type": "object",
    "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
        "code": {"type": "string"}, "message": {"type": "string"},
        "detail": {"type": "object"}}}},
}


def ok(schema: dict, status: str = "200", description: str = "OK") -> dict:
    return {status: {"description": description,
                     "content": {"application/json": {"schema": schema}}}}


def items_of(item: dict) -> dict:
    return {"type": "object", "properties": {"items": {"type": "array", "items": item}}}


def query_param(name: str, schema: dict, description: str = "") -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema,
            "description": description}


def operations(app: web.Application) -> list[tuple[str, str, object]]:
    """(method, path, handler) of every documented route of a sub-application."""
    found = []
    for route in app.router.routes():
        if route.method in ("HEAD", "OPTIONS"):
            continue
        path = route.resource.canonical if route.resource else ""
        if path.endswith("/openapi.json"):
            continue
        found.append((route.method.lower(), path, route.handler))
    return found


def build_document(app: web.Application, meta: dict) -> dict:
    prefix, docs = meta["prefix"], meta["operations"]
    paths: dict[str, dict] = {}
    for method, mounted, handler in operations(app):
        path = mounted.removeprefix(prefix)  # once mounted, routes carry the prefix
        doc = docs.get(f"{method.upper()} {path}", {})
        op = {
            "summary": doc.get("summary") or (handler.__doc__ or handler.__name__).strip(),
            "operationId": handler.__name__ + "_" + method,
            "responses": doc.get("responses") or {"200": {"description": "OK"}},
        }
        op["responses"].setdefault("default", {
            "description": "错误", "content": {"application/json": {"schema": ERROR}}})
        params = [{"name": n, "in": "path", "required": True,
                   "schema": doc.get("path", {}).get(n) or PATH_PARAMS.get(n, KEY_TEXT)}
                  for n in _path_params(path)]
        params += doc.get("query", [])
        if params:
            op["parameters"] = params
        if "body" in doc:
            op["requestBody"] = {"required": True, "content": {
                "application/json": {"schema": doc["body"]}}}
        if path in meta.get("public", ()):
            op["security"] = []
        paths.setdefault(prefix + path, {})[method] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": meta["title"], "version": "1.0.0"},
        "paths": paths,
        "components": {"securitySchemes": meta["security_schemes"]},
        "security": [{name: []} for name in meta["security_schemes"]],
    }


def _path_params(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{")]


def openapi_route(meta: dict):
    async def openapi(request: web.Request) -> web.Response:
        return json_response(build_document(request.app, meta))

    return openapi
