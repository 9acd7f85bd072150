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
LIMIT = {"type": "integer", "minimum": 1, "maximum": 500}  # query_int(..., lo=1, hi=500)
OFFSET = {"type": "integer", "minimum": 0, "maximum": 10**9}
POSITIVE_AMOUNT = {"type": "string", "description": "CNY, > 0", "pattern": (
    rf"^(0*[1-9]\d{{0,{MAX_DIGITS - 3}}}(\.\d{{1,2}})?"
    rf"|0{{1,{MAX_DIGITS - 2}}}\.(0[1-9]|[1-9]\d?))$")}


# Python's whitespace (str.strip, re's \s), spelled out: JSON Schema's \s leaves out \x1c-\x1f
SPACE = r"\t\n\x0b\x0c\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
NOT_BLANK = {"type": "string", "minLength": 1, "pattern": rf"^[^\x00]*[^\x00{SPACE}][^\x00]*$"}


def path_text(max_len: int) -> dict:
    """A path segment the handler strips: not blank, no "/", at most ``max_len``."""
    return {"type": "string", "minLength": 1, "maxLength": max_len,
            "pattern": rf"^[^\x00/]*[^\x00/{SPACE}][^\x00/]*$"}


def text(max_len: int, **extra) -> dict:
    """A required text the handler strips: not blank, at most ``max_len`` (a column's length)."""
    return {**NOT_BLANK, "maxLength": max_len, **extra}


PATH_PARAMS = {
    "id": {**ID, "minimum": 1}, "link_id": {**ID, "minimum": 1},
    "task_id": {**ID, "minimum": 1}, "year": {"type": "integer", "minimum": 1, "maximum": 9999},
    "date": DATE,
}

NO_NUL = r"^[^\x00]*$"  # read_json refuses NUL in any text or key of a body (no column holds one)

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


def query_param(name: str, schema: dict, description: str = "", *,
                required: bool = False) -> dict:
    return {"name": name, "in": "query", "required": required, "schema": schema,
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
        params += [{**q, "schema": without_nul(q["schema"])} for q in doc.get("query", [])]
        if params:
            op["parameters"] = params
        if "body" in doc:
            op["requestBody"] = {"required": True, "content": {
                "application/json": {"schema": without_nul(doc["body"])}}}
        if path in meta.get("public", ()):
            op["security"] = []
        paths.setdefault(prefix + path, {})[method] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": meta["title"], "version": "1.0.0"},
        "paths": paths,
        "components": {"securitySchemes": meta["security_schemes"], "schemas": NO_NUL_SCHEMAS},
        "security": [{name: []} for name in meta["security_schemes"]],
    }


NO_NUL_JSON = {"$ref": "#/components/schemas/NoNulJson"}
NO_NUL_SCHEMAS = {"NoNulJson": {
    "description": "any JSON value without NUL in its texts or keys",
    "anyOf": [{"type": ["number", "boolean", "null"]}, {"type": "string", "pattern": NO_NUL},
              {"type": "array", "items": NO_NUL_JSON},
              {"type": "object", "propertyNames": {"pattern": NO_NUL},
               "additionalProperties": NO_NUL_JSON}]}}
_SUBSCHEMA = ("items", "additionalProperties", "not", "contains", "propertyNames")
_SUBSCHEMAS = ("anyOf", "oneOf", "allOf", "prefixItems")


def without_nul(schema):
    """A copy of a request-body schema stating what every body is held to: no NUL in any text,
    property names included, however deep (a text that already has a pattern states its own
    characters; values the schema leaves open are any JSON without NUL)."""
    if not isinstance(schema, dict):
        return schema
    if not schema or set(schema) <= {"description", "title"}:
        return {**schema, **NO_NUL_JSON}
    out = dict(schema)
    if "properties" in schema:
        out["properties"] = {name: without_nul(sub) for name, sub in schema["properties"].items()}
    for key in _SUBSCHEMA:
        if isinstance(schema.get(key), dict):
            out[key] = without_nul(schema[key])
    for key in _SUBSCHEMAS:
        if key in schema:
            out[key] = [without_nul(sub) for sub in schema[key]]
    types = schema.get("type")
    types = types if isinstance(types, list) else [types]
    if "string" in types and "pattern" not in schema:
        out["pattern"] = NO_NUL
    if "object" in types:
        out.setdefault("propertyNames", {"pattern": NO_NUL})
        out.setdefault("additionalProperties", NO_NUL_JSON)
    if "array" in types:
        out.setdefault("items", NO_NUL_JSON)
    return out


def _path_params(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{")]


def openapi_route(meta: dict):
    async def openapi(request: web.Request) -> web.Response:
        return json_response(build_document(request.app, meta))

    return openapi
