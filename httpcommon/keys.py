"""Typed application keys for everything the edges share, declared in one place."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from aiohttp import web

SETTINGS: web.AppKey[Any] = web.AppKey("settings", object)
CLOCK: web.AppKey[Callable[[], datetime]] = web.AppKey("clock", object)
WECHAT: web.AppKey[Any] = web.AppKey("wechat", object)
DINGTALK: web.AppKey[Any] = web.AppKey("dingtalk", object)
VIEW_COUNTER: web.AppKey[Any] = web.AppKey("view_counter", object)
LINE_CACHE: web.AppKey[Any] = web.AppKey("line_cache", object)
VIEW_CACHE: web.AppKey[Any] = web.AppKey("view_cache", object)
RATE_LIMITER: web.AppKey[Any] = web.AppKey("rate_limiter", object)
METRICS: web.AppKey[Any] = web.AppKey("metrics", object)
# (official-account template id, mini-program template id) of each customer notice: which
# subscribe consents the mini-program asks for (domain.subscriptions.templates_to_request)
SUBSCRIBE_TEMPLATES: web.AppKey[Any] = web.AppKey("subscribe_templates", object)
STREAM: web.AppKey[Any] = web.AppKey("dingtalk_stream", object)  # its `connected` state


def now(request: web.Request) -> datetime:
    """The current time by the app's clock (fixed in tests)."""
    return request.config_dict[CLOCK]()


ACTOR: web.RequestKey[Any] = web.RequestKey("actor", object)
IDEMPOTENCY_SCOPE: web.RequestKey[str] = web.RequestKey("idempotency_scope", str)
MP_SESSION: web.RequestKey[Any] = web.RequestKey("mp_session", object)
SECRET_FIELDS: web.RequestKey[tuple] = web.RequestKey("secret_fields", tuple)


async def statement_lines(request: web.Request, statement_id: int) -> list[dict]:
    return await request.config_dict[LINE_CACHE].lines(statement_id)
