"""JSON in and out: decimals stay Decimal, dates are ISO strings."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from functools import partial

from aiohttp import web

from domain.errors import Invalid
from domain.money import fmt


def _default(value):
    if isinstance(value, Decimal):
        return fmt(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


dumps = partial(json.dumps, ensure_ascii=False, default=_default, separators=(",", ":"))


def json_response(data, status: int = 200, **kwargs) -> web.Response:
    return web.json_response(data, status=status, dumps=dumps, **kwargs)


async def read_json(request: web.Request) -> dict:
    """The request body as a JSON object; numbers with a point become Decimal, never float."""
    raw = await request.read()
    if not raw:
        return {}
    try:
        body = json.loads(raw, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError) as exc:
        raise Invalid("bad_json", f"请求体不是合法的 JSON: {exc}") from exc
    if not isinstance(body, dict):
        raise Invalid("bad_json", "请求体必须是 JSON 对象")
    return body
