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
    """Collects the responses that do not match their documented operation."""

    def __init__(self):
        self.mismatches: list[str] = []
        self._documents: dict[int, dict | None] = {}

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
        document = self._document(request.match_info.apps[-1])
        path = request.match_info.route.resource.canonical
        responses = document["paths"][path][request.method.lower()]["responses"]
        documented = responses.get(str(response.status))
        if documented is None and response.status < 400:
            return f"status not documented (documented: {sorted(responses)})"
        documented = documented or responses["default"]
        schema = documented.get("content", {}).get(response.content_type, {}).get("schema")
        if schema is None:
            return None
        if response.content_type != "application/json":
            return None
        body = json.loads(response.body)
        validator = jsonschema_rs.Draft202012Validator(
            {**schema, "components": document["components"]})
        errors = [f"{'/'.join(map(str, e.instance_path))}: {e.message}"
                  for e in validator.iter_errors(body)]
        return "; ".join(errors[:5]) or None

    def _document(self, app: web.Application) -> dict:
        if id(app) not in self._documents:
            self._documents[id(app)] = served_document(app)
        return self._documents[id(app)]
