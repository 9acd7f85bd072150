"""API-key administration (admin only); a new key is shown once."""

from __future__ import annotations

from aiohttp import web

from backoffice_api.auth import actor_with
from domain.actors import ADMIN
from domain.apikeys import create_api_key, revoke_api_key
from domain.errors import Invalid
from domain.models import ApiKey
from httpcommon.idempotency import carries_secrets
from httpcommon.jsonio import json_response, read_json
from httpcommon.keys import now
from httpcommon.params import body_int, body_text, path_id

routes = web.RouteTableDef()


@routes.post("/api-keys")
async def create(request: web.Request) -> web.Response:
    actor_with(request, ADMIN)
    body = await read_json(request)
    staff_id = body_int(body, "staff_id", optional=True)
    name = body_text(body, "name", max_len=100).strip()
    if not name:
        raise Invalid("missing_field", "缺少字段 name")
    record, key = await create_api_key(name, body_text(body, "role"), staff_id)
    carries_secrets(request, "key")
    return json_response({"id": record.id, "name": record.name, "role": record.role,
                          "key": key}, status=201)


@routes.get("/api-keys")
async def list_keys(request: web.Request) -> web.Response:
    actor_with(request, ADMIN)
    keys = await ApiKey.all().order_by("id")
    return json_response({"items": [
        {"id": k.id, "name": k.name, "role": k.role, "prefix": k.prefix,
         "staff_id": k.staff_id, "created_at": k.created_at, "revoked_at": k.revoked_at}
        for k in keys
    ]})


@routes.post("/api-keys/{id}/revoke")
async def revoke(request: web.Request) -> web.Response:
    actor_with(request, ADMIN)
    await revoke_api_key(path_id(request), now(request))
    return json_response({"revoked": True})
