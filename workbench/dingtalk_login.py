"""Signing in through DingTalk, without a password.

Inside the DingTalk app (免登) the login page asks the app for a one-time auth code
(``workbench/assets/dingtalk.js``) and posts it here. In a desktop browser (QR login) the person
goes to DingTalk's OAuth page, scans its QR code with the DingTalk app and comes back to the
callback with an ``authCode`` and the ``state`` this browser was given. Either code is exchanged
with DingTalk (``request.config_dict[DINGTALK]``) for who the person is; a staff member is signed
in (``domain.signin.staff_signing_in``), anyone else is told why on the login page. Failures
count against the same per-client limit as wrong passwords.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from aiohttp_session import get_session
from yarl import URL

from domain.signin import Who, staff_signing_in
from httpcommon.error_codes import DINGTALK_LOGIN_FAILED, DINGTALK_LOGIN_STALE, DINGTALK_UNAVAILABLE
from httpcommon.jsonio import read_form
from httpcommon.keys import DINGTALK, SETTINGS
from httpcommon.upstream import UpstreamError
from workbench.guard import public, safe_next
from workbench.paths import PREFIX
from workbench.signin import sign_in_counted

log = logging.getLogger(__name__)
routes = web.RouteTableDef()
# DingTalk's OAuth 2 page (on TALLY_DINGTALK_LOGIN_BASE): it shows the QR code and, once the
# person confirms in the app, sends the browser to redirect_uri?authCode=…&state=… (or
# ?error=…&state=… when they decline).
# https://open.dingtalk.com/document/orgapp/tutorial-obtaining-user-personal-information
AUTH_PATH = "/oauth2/auth"
CALLBACK_PATH = "/login/dingtalk/callback"
SESSION_QR = "dingtalk_qr"  # this browser's QR login under way: its state and where to go after
MAX_CODE = 128  # DingTalk's codes are 32 hex digits; anything much longer is not one
Exchange = Callable[[str], Awaitable[Any]]


@routes.post("/login/dingtalk")
@public
async def sign_in_inside_dingtalk(request: web.Request) -> web.Response:
    """免登: the auth code the DingTalk app gave the login page, for the person's user id."""
    fields = await read_form(request)
    target, code = safe_next(fields.get("next")), fields.get("code", "").strip()

    async def who() -> Who:
        user = await _person(request.config_dict[DINGTALK].user_of_auth_code, code)
        return await staff_signing_in(userid=user.userid)

    return await sign_in_counted(request, target, who)


@routes.get("/login/dingtalk-qr")
@public
async def go_to_dingtalk_qr_login(request: web.Request) -> web.Response:
    """Off to DingTalk's QR login, with a state only this browser's session knows."""
    state = secrets.token_urlsafe(24)
    session = await get_session(request)
    session[SESSION_QR] = {"state": state, "next": safe_next(request.query.get("next"))}
    raise web.HTTPSeeOther(location=str(qr_login_url(request.config_dict[SETTINGS], state)))


@routes.get(CALLBACK_PATH)
@public
async def back_from_dingtalk_qr_login(request: web.Request) -> web.Response:
    """QR login's callback: the state must be the one this browser was sent with (once)."""
    started = (await get_session(request)).pop(SESSION_QR, None)
    started = started if isinstance(started, dict) else {}
    target, query = safe_next(started.get("next")), request.query

    async def who() -> Who:
        if not _same_state(started.get("state"), query.get("state")):
            raise DINGTALK_LOGIN_STALE("扫码登录已过期或不是从本页发起，请重新扫码登录")
        if query.get("error") or not query.get("authCode"):
            raise DINGTALK_LOGIN_FAILED("没有在钉钉上确认登录，请重新扫码登录")
        user = await _person(request.config_dict[DINGTALK].user_of_login_code,
                             query["authCode"].strip())
        return await staff_signing_in(unionid=user.unionid)

    return await sign_in_counted(request, target, who)


def qr_login_url(settings: Any, state: str) -> URL:
    """DingTalk's OAuth page for this app, coming back to this workbench's callback."""
    return URL(settings.dingtalk_login_base.rstrip("/") + AUTH_PATH).with_query({
        "redirect_uri": settings.public_base_url.rstrip("/") + PREFIX + CALLBACK_PATH,
        "response_type": "code", "client_id": settings.dingtalk_client_id, "scope": "openid",
        "state": state, "prompt": "consent",
    })


def _same_state(expected: object, sent: str | None) -> bool:
    return (isinstance(expected, str) and bool(expected) and sent is not None
            and sent.isascii() and hmac.compare_digest(expected.encode(), sent.encode()))


async def _person(exchange: Exchange, code: str) -> Any:
    """Who DingTalk says ``code`` stands for; its refusal is a 401, its silence a 502."""
    if not code or len(code) > MAX_CODE or not code.isascii():
        raise DINGTALK_LOGIN_FAILED("钉钉登录授权无效，请重新登录")
    try:
        return await exchange(code)
    except UpstreamError as exc:  # the detail (errcode, errmsg) is for our log only
        log.warning("DingTalk sign-in code not exchanged: %s", exc)
        if exc.status is None or exc.status >= 500 or exc.status == 429:
            raise DINGTALK_UNAVAILABLE("钉钉暂时没有回应，请稍后再试") from None
        raise DINGTALK_LOGIN_FAILED(
            "钉钉登录授权无效、已用过或已过期，请重新打开页面再试") from None


