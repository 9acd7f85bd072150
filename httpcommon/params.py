"""Reading path and query values with clear 400s instead of 500s."""

from __future__ import annotations

import re
from datetime import date

from aiohttp import web

from domain.errors import Invalid, NotFound
from domain.limits import ID_MAX, INT_MAX, INT_MIN, TEXT_MAX, check_text, whole
from domain.money import to_amount

DIGITS = re.compile(r"-?[0-9]{1,20}")  # ASCII only: str.isdigit and int() take '³', '٣'
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def path_id(request: web.Request, name: str = "id") -> int:
    """A path id of ASCII digits within the store's id range, else a 404."""
    raw = request.match_info[name]
    if not DIGITS.fullmatch(raw) or not 0 < int(raw) <= ID_MAX:
        raise NotFound("not_found", f"{name} 不存在: {raw[:40]}")
    return int(raw)


def path_text(request: web.Request, name: str, max_len: int) -> str:
    """A path segment that fits its column (``max_len``), else a 404: nothing can match it."""
    raw = request.match_info[name]
    if len(raw) > max_len or "\x00" in raw:
        raise NotFound("not_found", f"{name} 不存在: {raw[:40]}")
    return raw


def query_int(request: web.Request, name: str, default: int, *, lo: int = 0, hi: int = 1000):
    raw = request.query.get(name)
    if raw is None or raw == "":
        return default
    if not DIGITS.fullmatch(raw):
        raise Invalid("bad_query", f"{name} 必须是整数")
    value = int(raw)
    if not lo <= value <= hi:
        raise Invalid("bad_query", f"{name} 必须在 {lo} 到 {hi} 之间")
    return value


def query_text(request: web.Request, name: str, max_len: int = TEXT_MAX) -> str | None:
    """A query value that fits its column (``max_len``), without NUL; None when absent."""
    raw = request.query.get(name)
    if raw is None:
        return None
    try:
        return check_text(raw, name, max_len)
    except ValueError as exc:
        raise Invalid("bad_query", str(exc)) from None


def parse_date(value, name: str) -> date:
    """A date written YYYY-MM-DD (a bare number such as 20261105 is not one)."""
    try:
        if not ISO_DATE.fullmatch(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise Invalid("bad_date", f"{name} 必须是日期 YYYY-MM-DD: {value!r}"[:200]) from None


def query_date(request: web.Request, name: str, default: date | None = None) -> date | None:
    raw = request.query.get(name)
    return default if not raw else parse_date(raw, name)


def body_date(body: dict, name: str) -> date:
    if name not in body:
        raise Invalid("missing_field", f"缺少字段 {name}")
    return parse_date(body[name], name)


def body_amount(body: dict, name: str):
    try:
        return to_amount(body[name])
    except KeyError:
        raise Invalid("missing_field", f"缺少字段 {name}") from None
    except ValueError as exc:
        raise Invalid("bad_amount", f"{name}: {exc}") from None


def int_value(value, name: str, *, lo: int = INT_MIN, hi: int = INT_MAX) -> int:
    """A JSON integer (not a bool) the store can hold, else a 400 naming the field. As in JSON
    Schema, a number with a zero fraction (``3.0``) is an integer too."""
    value = whole(value)  # read_json reads every number with a point as a Decimal
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid("bad_field", f"{name} 必须是整数")
    if not lo <= value <= hi:
        raise Invalid("bad_field", f"{name} 必须在 {lo} 到 {hi} 之间")
    return value


def body_int(body: dict, name: str, default: int | None = None, *,
             optional: bool = False) -> int | None:
    """``body[name]`` as an integer (``default`` when absent); ``optional``: None may stay."""
    value = body.get(name, default)
    if value is None and optional:
        return None
    return int_value(value, name)


def body_bool(body: dict, name: str, default: bool | None = None, *,
              required: bool = False) -> bool | None:
    """``body[name]`` as true / false (``default`` when absent); null only where the field
    may be left out (not ``required``, no default), since the column holds no null."""
    value = body.get(name, default)
    if value is None and (required or default is not None):
        raise Invalid("bad_field", f"{name} 必须是 true 或 false")
    if value is not None and not isinstance(value, bool):
        raise Invalid("bad_field", f"{name} 必须是 true 或 false")
    return value


def body_text(body: dict, name: str, default: str = "", max_len: int = 2000) -> str:
    value = body.get(name, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise Invalid("bad_field", f"{name} 必须是字符串")
    try:
        return check_text(value, name, max_len)
    except ValueError as exc:
        raise Invalid("bad_field", str(exc)) from None


def flag(request: web.Request, name: str) -> bool:
    return request.query.get(name, "").lower() in {"1", "true", "yes"}


@web.middleware
async def refuse_nul_middleware(request: web.Request, handler):
    """No column holds a NUL character: one in the path or the query is a 400 up front."""
    if "\x00" in request.path or any("\x00" in k + v for k, v in request.query.items()):
        raise Invalid("bad_text", "路径或查询参数不能包含 NUL 字符")
    return await handler(request)
