"""Reading path and query values with clear 400s instead of 500s."""

from __future__ import annotations

import re
from datetime import date

from aiohttp import web

from domain.common_errors import BAD_DATE
from domain.limits import ID_MAX
from httpcommon.error_codes import BAD_TEXT, NOT_FOUND

DIGITS = re.compile(r"-?[0-9]{1,20}")  # ASCII only: str.isdigit and int() take '³', '٣'
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def path_id(request: web.Request, name: str = "id") -> int:
    """A path id of ASCII digits within the store's id range, else a 404."""
    raw = request.match_info[name]
    if not DIGITS.fullmatch(raw) or not 0 < int(raw) <= ID_MAX:
        raise NOT_FOUND(f"{name} 不存在: {raw[:40]}")
    return int(raw)


def path_text(request: web.Request, name: str, max_len: int) -> str:
    """A path segment that fits its column (``max_len``), else a 404: nothing can match it."""
    raw = request.match_info[name]
    if len(raw) > max_len or "\x00" in raw:
        raise NOT_FOUND(f"{name} 不存在: {raw[:40]}")
    return raw






def parse_date(value, name: str) -> date:
    """A date written YYYY-MM-DD (a bare number such as 20261105 is not one)."""
    try:
        if not ISO_DATE.fullmatch(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise BAD_DATE(f"{name} 必须是日期 YYYY-MM-DD: {value!r}"[:200]) from None


















REFUSES_NUL_ITSELF = "refuses_nul_itself"


def refuses_nul_itself(handler):
    """Mark a page that reads every path and query value itself and refuses a bad one as a
    page of its own (refuse_nul_middleware then leaves NUL to it)."""
    setattr(handler, REFUSES_NUL_ITSELF, True)
    return handler


@web.middleware
async def refuse_nul_middleware(request: web.Request, handler):
    """No column holds a NUL character: one in the path or the query is a 400 up front. A
    sub-app that runs this middleware itself, or a page marked ``refuses_nul_itself``, is left
    to refuse it in its own words (the workbench: a page in Chinese, not JSON)."""
    inner = request.match_info.apps[-1] if request.match_info.apps else request.app
    if (inner is not request.app and refuse_nul_middleware in inner.middlewares) \
            or getattr(request.match_info.handler, REFUSES_NUL_ITSELF, False):
        return await handler(request)
    if "\x00" in request.path or any("\x00" in k + v for k, v in request.query.items()):
        raise BAD_TEXT("路径或查询参数不能包含 NUL 字符")
    return await handler(request)
