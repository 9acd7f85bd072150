"""API-key administration (admin only); a new key is shown once."""

from __future__ import annotations

from typing import Annotated

from aiohttp import web
from pydantic import ConfigDict, WithJsonSchema

from backoffice_api.auth import actor_with
from domain.actors import ADMIN, ROLES, SALES
from domain.apikeys import create_api_key, revoke_api_key
from domain.common_errors import BAD_ROLE
from domain.system.models import ApiKey
from httpcommon.contract import Routes
from httpcommon.fields import (
    ID,
    Body,
    Code,
    Id,
    Int,
    Items,
    Moment,
    OptionalMoment,
    Reply,
    Secret,
    required_text,
    text,
)
from httpcommon.idempotency import carries_secrets
from httpcommon.jsonio import json_response
from httpcommon.keys import now
from httpcommon.params import path_id

routes = Routes()


class NewApiKey(Body):
    # a sales key acts for one salesperson (domain.apikeys.create_api_key checks it too)
    model_config = ConfigDict(json_schema_extra={
        "if": {"properties": {"role": {"const": SALES}}}, "then": {"required": ["staff_id"]}})

    staff_id: Annotated[Int | None, WithJsonSchema(ID)] = None  # null: none, as if left out
    name: required_text(100)
    role: Annotated[text(), WithJsonSchema({"enum": list(ROLES)}), Code(BAD_ROLE)]


class ApiKeyView(Reply):
    id: Id
    name: str
    role: str


class CreatedApiKey(ApiKeyView):
    key: Secret


class ListedApiKey(ApiKeyView):
    prefix: str
    staff_id: Id | None
    created_at: Moment
    revoked_at: OptionalMoment


class Revoked(Reply):
    revoked: bool


@routes.post("/api-keys", summary="创建 API 密钥（仅显示一次）", body=NewApiKey,
             response=CreatedApiKey, status=201)
async def create(request: web.Request, body: NewApiKey) -> web.Response:
    actor_with(request, ADMIN)
    record, key = await create_api_key(body.name, body.role, body.staff_id)
    carries_secrets(request, "key")
    return json_response({"id": record.id, "name": record.name, "role": record.role,
                          "key": key}, status=201)


@routes.get("/api-keys", summary="API 密钥列表", response=Items[ListedApiKey])
async def list_keys(request: web.Request) -> web.Response:
    actor_with(request, ADMIN)
    keys = await ApiKey.all().order_by("id")
    return json_response({"items": [
        {"id": k.id, "name": k.name, "role": k.role, "prefix": k.prefix,
         "staff_id": k.staff_id, "created_at": k.created_at, "revoked_at": k.revoked_at}
        for k in keys
    ]})


@routes.post("/api-keys/{id}/revoke", summary="吊销 API 密钥", response=Revoked)
async def revoke(request: web.Request) -> web.Response:
    actor_with(request, ADMIN)
    await revoke_api_key(path_id(request), now(request))
    return json_response({"revoked": True})
