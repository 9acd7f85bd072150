"""Reading path and query values with clear 400s instead of 500s."""

from __future__ import annotations

from datetime import date

from aiohttp import web

from domain.errors import Invalid, NotFound
from domain.money import to_amount


def path_id(request: web.Request, name: str = "id") -> int:
    raw = request.match_info[name]
    if not raw.isdigit():
        raise NotFound("not_found", f"{name} 必须是数字: {raw}")
    return int(raw)


def query_int(request: web.Request, name: str, default: int, *, lo: int = 0, hi: int = 1000):
    raw = request.query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise Invalid("bad_query", f"{name} 必须是整数") from None
    if not lo <= value <= hi:
        raise Invalid("bad_query", f"{name} 必须在 {lo} 到 {hi} 之间")
    return value


def parse_date(value, name: str) -> date:
    try:
        return date.fromisoformat(str(value))
    except (TypeError, ValueError):
        raise Invalid("bad_date", f"{name} 必须是日期 YYYY-MM-DD: {value!r}") from None


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


def int_value(value, name: str) -> int:
    """A JSON integer (not a bool), else a 400 naming the field."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid("bad_field", f"{name} 必须是整数")
    return value


def body_int(body: dict, name: str, default: int | None = None, *,
             optional: bool = False) -> int | None:
    """``body[name]`` as an integer (``default`` when absent); ``optional``: None may stay."""
    value = body.get(name, default)
    if value is None and optional:
        return None
    return int_value(value, name)


def body_text(body: dict, name: str, default: str = "", max_len: int = 2000) -> str:
    value = body.get(name, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise Invalid("bad_field", f"{name} 必须是字符串")
    if len(value) > max_len:
        raise Invalid("bad_field", f"{name} 不能超过 {max_len} 个字符")
    return value


def flag(request: web.Request, name: str) -> bool:
    return request.query.get(name, "").lower() in {"1", "true", "yes"}
