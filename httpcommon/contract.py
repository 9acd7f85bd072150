"""Each HTTP route declares its contract once: request types, response type, status. The
handler gets the parsed, typed request; the OpenAPI document (httpcommon.openapi) is generated
from the same declarations.

How to declare a route::

    routes = Routes()

    class NewThing(Body):                      # httpcommon.fields: Body, Query, Reply, types
        name: not_blank(100)
        amount: PositiveAmount
        note: text(2000) = ""

    class Thing(Reply):
        id: Id
        amount: Money

    @routes.post("/things", summary="新建", body=NewThing, response=Thing, status=201)
    async def create_thing(request: web.Request, body: NewThing) -> web.Response:
        ...                                    # body is parsed; return json_response(view)

``query=SomeQuery`` passes ``query=``; path parameters are read as before (``path_id``) and
documented by name (httpcommon.fields.PATH_PARAMS, or ``path={"number": path_text(64)}``).
``response`` is a ``Reply`` model (``Items[Thing]`` for ``{"items": [...]}``), or None with
``content="application/pdf"`` for a file; ``also=(200,)``: other statuses answering it;
``responses`` adds other documented statuses (e.g. a 423's description).

A refused value answers the code its validator raised (``bad(BAD_AMOUNT, ...)``), else the
field's ``Code(SOME_CODE)`` metadata, else ``bad_field`` (``bad_query`` in a query); a missing
field answers its ``Code``, else ``missing_field``. Every code is a catalogue ``ErrorCode``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from pydantic import BaseModel, ValidationError

from domain.common_errors import BAD_FIELD, BAD_QUERY, MISSING_FIELD
from domain.errors import DomainError, ErrorCode
from httpcommon.fields import Code, refused_code
from httpcommon.jsonio import read_json


@dataclass(frozen=True)
class Operation:
    """What one route takes and answers, as the document states it."""

    method: str
    path: str
    summary: str = ""
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    also: tuple[int, ...] = ()  # other statuses answering the same response body
    content: str = "application/json"
    path_params: dict = field(default_factory=dict)
    responses: dict = field(default_factory=dict)


class Routes(web.RouteTableDef):
    """A route table whose routes declare their contract (see the module docstring)."""

    def get(self, path: str, /, **contract) -> Any:
        return self._declare("GET", path, contract)

    def post(self, path: str, /, **contract) -> Any:
        return self._declare("POST", path, contract)

    def put(self, path: str, /, **contract) -> Any:
        return self._declare("PUT", path, contract)

    def patch(self, path: str, /, **contract) -> Any:
        return self._declare("PATCH", path, contract)

    def delete(self, path: str, /, **contract) -> Any:
        return self._declare("DELETE", path, contract)

    def _declare(self, method: str, path: str, contract: dict):
        contract["path_params"] = contract.pop("path", {})
        route = {"name": contract.pop("name")} if "name" in contract else {}  # aiohttp's
        operation = Operation(method, path, **contract)

        def register(handler):
            parsing = parsed(handler, operation)
            getattr(super(Routes, self), method.lower())(path, **route)(parsing)
            return parsing

        return register


def parsed(handler, operation: Operation):
    """``handler`` called with the request's body and query parsed by ``operation``'s types."""

    @functools.wraps(handler)
    async def handle(request: web.Request) -> web.StreamResponse:
        typed = {}
        if operation.query is not None:
            typed["query"] = parse_query(request, operation.query)
        if operation.body is not None:
            typed["body"] = await parse_body(request, operation.body)
        return await handler(request, **typed)

    handle.operation = operation  # type: ignore[attr-defined]
    return handle


def operation_of(handler) -> Operation | None:
    """The declared contract of a route's handler (None: not declared)."""
    return getattr(handler, "operation", None)


async def parse_body(request: web.Request, model: type[BaseModel]) -> BaseModel:
    """The JSON body (read_json: an object, no NUL, not too deep) as ``model``."""
    return validated(model, await read_json(request), BAD_FIELD)


def parse_query(request: web.Request, model: type[BaseModel]) -> BaseModel:
    return validated(model, dict(request.query), BAD_QUERY)


def validated(model: type[BaseModel], data: dict, default_code: ErrorCode) -> BaseModel:
    """``data`` as ``model``, or the first refusal as a 400 with the field's error code."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        raise _refusal(model, error, default_code) from None


def _refusal(model: type[BaseModel], error: dict, default_code: ErrorCode) -> DomainError:
    name = ".".join(str(part) for part in error["loc"])
    code = _field_code(model, error["loc"])
    if error["type"] == "missing":
        return (code or MISSING_FIELD)(f"缺少字段 {name}")
    refused, detail = refused_code(error.get("ctx") or {})
    if refused is not None:  # a validator's own code and detail (bad(...))
        return refused(f"{name}: {error['msg']}"[:300], **detail)
    return (code or default_code)(f"{name}: {error['msg']}"[:300])


def _field_code(model: type[BaseModel], loc: tuple) -> ErrorCode | None:
    fields = [info for name, info in model.model_fields.items()
              if loc and str(loc[0]) in (name, info.alias)]
    found = [meta.code for info in fields for meta in info.metadata if isinstance(meta, Code)]
    return found[0] if found else None
