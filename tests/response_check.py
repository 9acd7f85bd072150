"""Real responses against the served OpenAPI documents: a test-only middleware checks every
JSON answer of a declared operation (its status is documented, its body matches the schema)
and keeps the mismatches for the test fixture to fail on."""

from __future__ import annotations

import json

import jsonschema_rs
from aiohttp import web

from httpcommon.contract import operation_of
from httpcommon.openapi import served_document


class ResponseCheck:
    """Collects the responses that do not match their documented operation. Every test's app
    serves the same documents, so they and their compiled validators are kept for the session
    (by the document's path prefix)."""

    _documents: dict[str, dict] = {}
    _validators: dict[tuple, jsonschema_rs.Draft202012Validator] = {}

    def __init__(self):
        self.mismatches: list[str] = []

    @web.middleware
    async def middleware(self, request: web.Request, handler):
        response = await handler(request)
        route = request.match_info.route
        if operation_of(route.handler) is not None and isinstance(response, web.Response):
            problem = self._problem(request, response)
            if problem:
                self.mismatches.append(f"{request.method} {request.path} "
                                       f"[{response.status}]: {problem}"[:2000])
        return response

    def _problem(self, request: web.Request, response: web.Response) -> str | None:
        app = request.match_info.apps[-1]
        prefix = _prefix(app)
        document = self._document(prefix, app)
        path = request.match_info.route.resource.canonical
        responses = document["paths"][path][request.method.lower()]["responses"]
        documented = responses.get(str(response.status))
        if documented is None and response.status < 400:
            return f"status not documented (documented: {sorted(responses)})"
        documented = documented or responses["default"]
        schema = documented.get("content", {}).get(response.content_type, {}).get("schema")
        if schema is None or response.content_type != "application/json":
            return None
        key = (prefix, path, request.method, response.status)
        if key not in self._validators:  # compiling is the slow part: once per operation
            self._validators[key] = jsonschema_rs.Draft202012Validator(
                {**schema, "components": document["components"]})
        errors = [f"{'/'.join(map(str, e.instance_path))}: {e.message}"
                  for e in self._validators[key].iter_errors(json.loads(response.body))]
        return "; ".join(errors[:5]) or None

    def _document(self, prefix: str, app: web.Application) -> dict:
        if prefix not in self._documents:
            self._documents[prefix] = served_document(app)
        return self._documents[prefix]


def _prefix(app: web.Application) -> str:
    """The path prefix of the document ``app`` serves (its openapi route's meta)."""
    for route in app.router.routes():
        meta = getattr(route.handler, "meta", None)
        if meta is not None:
            return meta["prefix"]
    raise LookupError("the app serves no OpenAPI document")
