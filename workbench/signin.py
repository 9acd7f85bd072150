"""Signing in and out. Inside DingTalk the page signs the person in without a password (免登,
``workbench.dingtalk_login``); in a browser, DingTalk's QR login or, for people not on DingTalk,
a password set from the CLI (``tally workbench-user``). Failed sign-ins count against the
same per-client limit as bad API keys."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp_session import get_session
from yarl import URL

from domain.errors import DomainError
from domain.signin import Who, sign_in_with_password
from httpcommon.errors import status_of
from httpcommon.jsonio import read_form
from httpcommon.keys import SETTINGS
from httpcommon.ratelimit import BAD_API_KEY, give_back, take_try
from workbench.guard import public, safe_next, session_actor, sign_in
from workbench.pages import redirect, render
from workbench.paths import PREFIX

routes = web.RouteTableDef()


@routes.get("/login", name="sign_in")
@public
async def sign_in_page(request: web.Request) -> web.Response:
    target = safe_next(request.query.get("next"))
    if await session_actor(request) is not None:
        raise web.HTTPSeeOther(location=target)
    return await login_page(request, target)


@routes.post("/login/password")
@public
async def sign_in_by_password(request: web.Request) -> web.Response:
    fields = await read_form(request)
    login, target = fields.get("login", "").strip(), safe_next(fields.get("next"))
    return await sign_in_counted(
        request, target, lambda: sign_in_with_password(login, fields.get("password", "")),
        login=login)


async def sign_in_counted(request: web.Request, target: str, who: Callable[[], Awaitable[Who]],
                          *, login: str = "") -> web.Response:
    """Sign in whom ``who`` vouches for, or show the sign-in page with the reason. Each try is
    taken from the client's allowance before the work (so concurrent guesses are counted too)
    and given back when it succeeds: only failures count."""
    try:
        take_try(request, BAD_API_KEY)
        found = await who()
    except DomainError as exc:
        return await login_page(request, target, login=login, error=exc.message,
                                status=status_of(exc))
    give_back(request, BAD_API_KEY)
    await sign_in(request, found)
    raise redirect(request, target)


async def login_page(request: web.Request, target: str, *, login: str = "", error: str = "",
                     status: int = 200) -> web.Response:
    """The sign-in page, coming back to ``target``; with ``error``, the reason the last try
    failed (and then 免登 does not try again by itself: the person chooses)."""
    return await render(request, "login.html", {
        "next": target, "login": login, "error": error,
        "dingtalk": _dingtalk_sign_in(request, target, again=not error),
    }, status=status)


def _dingtalk_sign_in(request: web.Request, target: str, *, again: bool) -> dict:
    """What the page needs for DingTalk: the corp id 免登 asks a code for, the QR login link."""
    qr = URL(f"{PREFIX}/login/dingtalk-qr").with_query(next=target)
    return {"corp_id": request.config_dict[SETTINGS].dingtalk_corp_id, "qr_url": str(qr),
            "auto": again}


@routes.post("/logout", name="sign_out")
@public
async def sign_out(request: web.Request) -> web.Response:
    (await get_session(request)).invalidate()
    raise redirect(request, f"{PREFIX}/login")
