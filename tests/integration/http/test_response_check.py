"""The response check that every integration test's client carries catches an answer unlike
its declared response type."""

from __future__ import annotations

from aiohttp import web

from httpcommon.contract import Routes
from httpcommon.fields import Id, Reply
from httpcommon.jsonio import json_response
from httpcommon.openapi import openapi_route
from tests.response_check import ResponseCheck

PREFIX = "/response-check-test"
routes = Routes()


class Thing(Reply):
    id: Id
    name: str


@routes.get("/things/{id}", summary="一件", response=Thing)
async def get_thing(request: web.Request) -> web.Response:
    if request.match_info["id"] == "1":
        return json_response({"id": 1, "name": "螺丝"})
    return json_response({"id": "two"})  # not what Thing says


async def test_an_answer_unlike_its_declared_type_is_reported(aiohttp_client):
    api = web.Application()
    api.router.add_routes(routes)
    api.router.add_get("/openapi.json", openapi_route(
        {"title": "test", "prefix": PREFIX, "security_schemes": {}}))
    app = web.Application()
    app.add_subapp(PREFIX, api)
    check = ResponseCheck()
    app.middlewares.append(check.middleware)
    client = await aiohttp_client(app)

    assert (await client.get(f"{PREFIX}/things/1")).status == 200
    assert check.mismatches == []
    assert (await client.get(f"{PREFIX}/things/2")).status == 200
    [mismatch] = check.mismatches
    assert mismatch.startswith(f"GET {PREFIX}/things/2 [200]") and "id" in mismatch
