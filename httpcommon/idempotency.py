"""`Idempotency-Key` on mutating calls: a replay returns the first answer, nothing runs twice."""

from __future__ import annotations

import hashlib
import json

from aiohttp import web
from tortoise.exceptions import IntegrityError

from domain.system.models import IdempotencyRecord
from httpcommon.error_codes import IDEMPOTENCY_KEY_REUSED, REQUEST_IN_PROGRESS
from httpcommon.jsonio import dumps
from httpcommon.keys import IDEMPOTENCY_SCOPE, SECRET_FIELDS, now

MUTATING = {"POST", "PUT", "PATCH", "DELETE"}
REDACTED_MESSAGE = "重放的应答不含密钥等机密字段（只在第一次应答中显示）"


def carries_secrets(request: web.Request, *fields: str) -> None:
    """This answer's top-level `fields` are secrets: an idempotency record keeps them out."""
    request[SECRET_FIELDS] = fields


@web.middleware
async def idempotency_middleware(request: web.Request, handler):
    key = request.headers.get("Idempotency-Key")
    if not key or request.method not in MUTATING:
        return await handler(request)
    scope = request.get(IDEMPOTENCY_SCOPE, "anonymous")
    fingerprint = hashlib.sha256(
        request.method.encode() + request.path_qs.encode() + await request.read()
    ).hexdigest()
    try:
        record = await IdempotencyRecord.create(
            scope=scope, key=key[:128], fingerprint=fingerprint,
            created_at=now(request),
        )
    except IntegrityError:
        return await _replay(scope, key[:128], fingerprint)
    try:
        response = await handler(request)
    except BaseException:
        await record.delete()
        raise
    if not 200 <= response.status < 300 or not isinstance(response, web.Response):
        await record.delete()
        return response
    record.status_code = response.status
    record.body = _storable(request, response.text or "")
    await record.save(update_fields=["status_code", "body"])
    return response


def _storable(request: web.Request, text: str) -> str:
    """The answer as recorded for replays: secret fields null, and a note saying which."""
    fields = request.get(SECRET_FIELDS)
    if not fields:
        return text
    body = json.loads(text)
    redacted = [name for name in fields if body.get(name) is not None]
    body.update(dict.fromkeys(redacted))
    body["redacted"] = {"fields": redacted, "message": REDACTED_MESSAGE}
    return dumps(body)


async def _replay(scope: str, key: str, fingerprint: str) -> web.Response:
    record = await IdempotencyRecord.get(scope=scope, key=key)
    if record.fingerprint != fingerprint:
        raise IDEMPOTENCY_KEY_REUSED("Idempotency-Key 已用于另一个请求")
    if record.status_code is None:
        raise REQUEST_IN_PROGRESS("同一 Idempotency-Key 的请求正在处理中")
    return web.Response(
        text=record.body, status=record.status_code, content_type="application/json",
        headers={"Idempotent-Replayed": "true"},
    )
