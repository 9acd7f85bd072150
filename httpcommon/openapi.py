"""OpenAPI 3.1 documents built from the live router, so the paths always match the routes; each
route's schemas are generated from its declared request and response models (httpcommon.contract);
test_openapi checks that every route is declared."""

from __future__ import annotations

from aiohttp import web
from pydantic.json_schema import models_json_schema

from httpcommon.contract import Operation, operation_of
from httpcommon.fields import KEY_TEXT, PATH_PARAMS
from httpcommon.jsonio import json_response

NO_NUL = r"^[^\x00]*$"  # read_json refuses NUL in any text or key of a body (no column holds one)

ERROR = {
    "type": "object",
    "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
        "code": {"type": "string"}, "message": {"type": "string"},
        "detail": {"type": "object"}}}},
}


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
    prefix = meta["prefix"]
    routes = [(method, mounted.removeprefix(prefix), handler)  # mounted routes carry the prefix
              for method, mounted, handler in operations(app)]
    declared = [op for _, _, handler in routes if (op := operation_of(handler))]
    hooks = meta["webhooks"]() if "webhooks" in meta else {}
    refs, schemas = _components(declared, hooks.values())
    paths: dict[str, dict] = {}
    for method, path, handler in routes:
        declaration = operation_of(handler)
        op = _declared_operation(declaration, refs) if declaration else _undeclared(path)
        op["summary"] = op.get("summary") or (handler.__doc__ or handler.__name__).strip()
        op["operationId"] = handler.__name__ + "_" + method
        op["responses"].setdefault("default", {
            "description": "错误", "content": {"application/json": {"schema": ERROR}}})
        if path in meta.get("public", ()):
            op["security"] = []
        paths.setdefault(prefix + path, {})[method] = op
    document = {
        "openapi": "3.1.0",
        "info": {"title": meta["title"], "version": "1.0.0"},
        "paths": paths,
        "components": {"securitySchemes": meta["security_schemes"],
                       "schemas": {**schemas, **NO_NUL_SCHEMAS}},
        "security": [{name: []} for name in meta["security_schemes"]],
    }
    if hooks:
        document["webhooks"] = {name: _webhook(name, model, refs) for name, model in hooks.items()}
    return document


def _webhook(name: str, model, refs: dict) -> dict:
    """An OpenAPI 3.1 webhook: what Tally POSTs to the configured endpoint for ``name``."""
    return {"post": {
        "summary": (model.__doc__ or name).strip(), "operationId": f"webhook_{model.__name__}",
        "parameters": [{"name": header, "in": "header", "required": True,
                        "schema": {"type": "string"}, "description": text}
                       for header, text in WEBHOOK_HEADERS.items()],
        "requestBody": {"required": True, "content": {
            "application/json": {"schema": refs[(model, "serialization")]}}},
        "responses": {"2XX": {"description": "received (anything else is retried, but 4XX "
                                             "other than 408 and 429, which gives up)"}},
        "security": []}}


WEBHOOK_HEADERS = {
    "X-Tally-Event": "the event's type",
    "X-Tally-Delivery": "this delivery's id, the same on every retry",
    "X-Tally-Timestamp": "Unix seconds when this attempt was signed",
    "X-Tally-Signature": "sha256=<hex HMAC-SHA256(secret, timestamp + '.' + body)>",
}


def _components(declared: list[Operation], extra=()) -> tuple[dict, dict]:
    """The component schemas of the declared bodies and responses (and ``extra`` models, e.g.
    the webhooks' bodies), and a $ref to each model. Every request text is held to "no NUL"
    (read_json); responses hold none either."""
    models = {(op.body, "validation") for op in declared if op.body}
    models |= {(op.response, "serialization") for op in declared if op.response}
    models |= {(model, "serialization") for model in extra}
    if not models:
        return {}, {}
    refs, document = models_json_schema(sorted(models, key=lambda m: (m[0].__name__, m[1])),
                                        ref_template="#/components/schemas/{model}")
    return refs, {name: without_nul(schema)
                  for name, schema in document.get("$defs", {}).items()}


def _declared_operation(declaration: Operation, refs: dict) -> dict:
    op: dict = {"summary": declaration.summary, "responses": {
        str(status): _response(declaration, refs)
        for status in (declaration.status, *declaration.also)} | declaration.responses}
    params = _path_parameters(declaration.path, declaration.path_params)
    if declaration.query:
        params += _query_parameters(declaration.query)
    if params:
        op["parameters"] = params
    if declaration.body:
        op["requestBody"] = {"required": True, "content": {
            "application/json": {"schema": refs[(declaration.body, "validation")]}}}
    return op


def _response(declaration: Operation, refs: dict) -> dict:
    if declaration.response is None:
        content = {} if declaration.content == "application/json" else {declaration.content: {}}
        return {"description": "OK", **({"content": content} if content else {})}
    return {"description": "OK", "content": {declaration.content: {
        "schema": refs[(declaration.response, "serialization")]}}}


def _query_parameters(model) -> list[dict]:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    required = set(schema.get("required", ()))
    return [{"name": name, "in": "query", "required": name in required,
             "schema": without_nul(_bare(sub)), "description": sub.get("description", "")}
            for name, sub in schema.get("properties", {}).items()]


def _bare(schema: dict) -> dict:
    """A parameter's schema without what pydantic adds for the body (title, default)."""
    return {key: value for key, value in schema.items() if key not in ("title", "default")}


def _path_parameters(path: str, declared: dict) -> list[dict]:
    return [{"name": n, "in": "path", "required": True,
             "schema": declared.get(n) or PATH_PARAMS.get(n, KEY_TEXT)}
            for n in _path_params(path)]


def _undeclared(path: str) -> dict:
    """A route without a declaration (test_openapi refuses one): its path parameters only."""
    op: dict = {"responses": {"200": {"description": "OK"}}}
    if params := _path_parameters(path, {}):
        op["parameters"] = params
    return op


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
    built: list[dict] = []  # the router is frozen once the app runs: build the document once

    async def openapi(request: web.Request) -> web.Response:
        if not built:
            built.append(build_document(request.app, meta))
        return json_response(built[0])

    openapi.meta = meta  # type: ignore[attr-defined]  (served_document finds it)
    return openapi


def served_document(app: web.Application) -> dict | None:
    """The OpenAPI document ``app`` serves (None: it serves none)."""
    for route in app.router.routes():
        meta = getattr(route.handler, "meta", None)
        if meta is not None:
            return build_document(app, meta)
    return None
