"""One error middleware: domain errors and HTTP errors become `{"error": {code, message}}`."""

from __future__ import annotations

import logging

from aiohttp import web
from tortoise.exceptions import ValidationError

from domain.common_errors import BAD_FIELD
from domain.errors import DomainError
from httpcommon.jsonio import json_response

log = logging.getLogger(__name__)

STATUS_BY_KIND = {
    "invalid": 400,
    "unauthorized": 401,
    "forbidden": 403,
    "not_found": 404,
    "conflict": 409,
    "gone": 410,
    "locked": 423,
    "rate_limited": 429,
    "upstream": 502,
}


def status_of(exc: DomainError) -> int:
    """The HTTP status of a domain error: its kind's (400 for an unknown kind)."""
    return STATUS_BY_KIND.get(exc.kind, 400)


def error_body(code: str, message: str, **detail) -> dict:
    error = {"code": code, "message": message}
    if detail:
        error["detail"] = detail
    return {"error": error}


def _retry_after(exc: DomainError) -> dict[str, str] | None:
    seconds = exc.detail.get("retry_after") if exc.kind == "rate_limited" else None
    return {"Retry-After": str(seconds)} if seconds is not None else None


def _domain_error_response(exc: DomainError) -> web.Response:
    status = STATUS_BY_KIND.get(exc.kind, 400)
    return json_response(error_body(exc.code, exc.message, **exc.detail), status=status,
                         headers=_retry_after(exc))


@web.middleware
async def error_middleware(request: web.Request, handler):
    try:
        return await handler(request)
    except DomainError as exc:
        return _domain_error_response(exc)
    except ValidationError as exc:  # a value beyond a column's limit, caught by the store
        return _domain_error_response(BAD_FIELD(str(exc)[:300]))
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        code = exc.reason.lower().replace(" ", "_")
        return json_response(error_body(code, exc.text or exc.reason), status=exc.status)
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return json_response(error_body("internal_error", "服务器内部错误"), status=500)
