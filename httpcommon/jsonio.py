"""JSON in and out: decimals stay Decimal, dates are ISO strings; and browser forms in."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from functools import partial

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from multidict import MultiDict

from domain.money import fmt
from httpcommon.error_codes import BAD_FORM_BODY, BAD_JSON


def _default(value):
    if isinstance(value, Decimal):
        return fmt(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


MAX_DEPTH = 32  # no request has a use for more; deeper JSON only tests the parser's stack

dumps = partial(json.dumps, ensure_ascii=False, default=_default, separators=(",", ":"))


def json_response(data, status: int = 200, **kwargs) -> web.Response:
    return web.json_response(data, status=status, dumps=dumps, **kwargs)


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def is_form(request: web.Request) -> bool:
    return request.content_type in FORM_TYPES


async def read_form(request: web.Request) -> dict[str, str]:
    """A browser form's text fields, line breaks as "\n" (a textarea posts "\r\n"); files are
    left out; of a repeated field, the first. A broken body is refused, never a 500."""
    fields: dict[str, str] = {}
    for key, value in (await read_form_fields(request)).items():
        fields.setdefault(key, value)
    return fields


async def read_form_fields(request: web.Request) -> MultiDict[str]:
    """Every text field of a browser form, repeated ones (ticked checkboxes) kept, line breaks
    as "\n"; files are left out. A body that is no form (a broken multipart) is refused."""
    try:
        posted = await request.post()
    except (ValueError, HttpProcessingError):
        raise BAD_FORM_BODY("表单无法解析") from None
    if any("\x00" in key + value for key, value in posted.items() if isinstance(value, str)):
        raise BAD_FORM_BODY("表单不能包含 NUL 字符")  # no column holds one
    return MultiDict((key, value.replace("\r\n", "\n").replace("\r", "\n"))
                     for key, value in posted.items() if isinstance(value, str))


async def read_json(request: web.Request) -> dict:
    """The request body as a JSON object; numbers with a point become Decimal, never float."""
    raw = await request.read()
    if not raw:
        return {}
    try:
        body = json.loads(raw, parse_float=Decimal)
    except RecursionError:
        raise BAD_JSON(f"请求体嵌套超过 {MAX_DEPTH} 层") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise BAD_JSON(f"请求体不是合法的 JSON: {exc}"[:300]) from exc
    if not isinstance(body, dict):
        raise BAD_JSON("请求体必须是 JSON 对象")
    _check_shape(body)
    return body


def _check_shape(body: dict) -> None:
    """Refuse nesting deeper than MAX_DEPTH and text with NUL characters (no column holds one)."""
    pending = [(body, 1)]
    while pending:
        value, depth = pending.pop()
        if depth > MAX_DEPTH:
            raise BAD_JSON(f"请求体嵌套超过 {MAX_DEPTH} 层")
        if isinstance(value, str) and "\x00" in value:
            raise BAD_JSON("文本不能包含 NUL 字符")
        if isinstance(value, dict):
            pending.extend((k, depth) for k in value)
            pending.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            pending.extend((v, depth + 1) for v in value)
