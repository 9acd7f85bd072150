"""Rendering workbench pages: one ``render`` that every screen uses (layout, who is signed in,
the CSRF token, the navigation the person's role allows, messages carried over a redirect), and
the refusal page a domain error becomes (a 4xx in Chinese, never a 500 and never JSON here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import aiohttp_jinja2
from aiohttp import web
from aiohttp_session import get_session

from domain.actors import Actor
from domain.errors import DomainError
from httpcommon.errors import status_of
from httpcommon.keys import ACTOR
from workbench.guard import csrf_token, may
from workbench.paths import PREFIX

SESSION_FLASH = "flash"
# Private pages of one person: never framed by another site, never cached, no Referer out.
HEADERS = {
    "Content-Security-Policy": ("default-src 'self'; img-src 'self' data:; style-src 'self'; "
                                "script-src 'self'; object-src 'none'; form-action 'self'; "
                                "frame-ancestors 'none'; base-uri 'none'"),
    "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


@dataclass(frozen=True)
class NavItem:
    label: str
    path: str
    operation: str  # the API operation whose roles may see this screen

    def allows(self, actor: Actor | None) -> bool:
        return may(actor, self.operation)


NAV = (
    NavItem("对账", f"{PREFIX}/statements", "GET /statements"),
    NavItem("客户", f"{PREFIX}/customers", "GET /customers"),
    NavItem("发送记录", f"{PREFIX}/deliveries", "GET /deliveries"),
    NavItem("交款交账", f"{PREFIX}/handover", "GET /handover/days"),
    NavItem("审批", f"{PREFIX}/approvals", "GET /approvals"),
)


async def flash(request: web.Request, text: str, level: str = "ok") -> None:
    """A message for the next page this person sees (after a post's redirect)."""
    session = await get_session(request)
    session[SESSION_FLASH] = [*session.get(SESSION_FLASH, []), [level, text]]


async def _take_flashes(request: web.Request) -> list[list[str]]:
    session = await get_session(request)
    return session.pop(SESSION_FLASH, []) if SESSION_FLASH in session else []


async def render(request: web.Request, template: str, context: dict[str, Any] | None = None,
                 *, status: int = 200) -> web.Response:
    actor = request.get(ACTOR)
    page = {
        "actor": actor, "csrf": await csrf_token(request), "prefix": PREFIX,
        "nav": [item for item in NAV if item.allows(actor)], "path": request.path,
        "flashes": await _take_flashes(request), "is_htmx": is_htmx(request),
        **(context or {}),
    }
    response = aiohttp_jinja2.render_template(template, request, page, status=status)
    response.headers.update(HEADERS)
    return response


def is_htmx(request: web.Request) -> bool:
    """An htmx swap wants a fragment; htmx restoring history (Back) wants the whole page."""
    return (request.headers.get("HX-Request") == "true"
            and "HX-History-Restore-Request" not in request.headers)


def redirect(request: web.Request, path: str) -> web.HTTPException:
    """After a post: see the result at ``path`` (htmx: a full navigation, not a swap)."""
    if is_htmx(request):
        return web.HTTPOk(headers={"HX-Redirect": path})
    return web.HTTPSeeOther(location=path)


async def refusal(request: web.Request, message: str, status: int) -> web.Response:
    """A refused page: a whole page, or the message alone into the page's alert area (htmx)."""
    if is_htmx(request):
        response = await render(request, "_alert.html", {"level": "error", "text": message},
                                status=status)
        response.headers.update({"HX-Retarget": "#alerts", "HX-Reswap": "innerHTML"})
        return response
    return await render(request, "error.html", {"message": message}, status=status)


@web.middleware
async def page_errors_middleware(request: web.Request, handler):
    try:
        return await handler(request)
    except DomainError as exc:
        return await refusal(request, exc.message, status_of(exc))
    except web.HTTPException as exc:
        if exc.status < 400 or exc.headers.get("HX-Redirect"):
            raise
        message = "页面不存在" if exc.status == 404 else (exc.text or exc.reason)
        return await refusal(request, message, exc.status)


def money(value: Decimal | int | str | None) -> str:
    """For people: thousands separated, 2 decimals (1,234.50)."""
    if value is None or value == "":
        return ""
    return f"{Decimal(value):,.2f}"


def day(value: date | datetime | None) -> str:
    return value.strftime("%Y-%m-%d") if value else ""


def moment(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


FILTERS = {"money": money, "day": day, "moment": moment}
