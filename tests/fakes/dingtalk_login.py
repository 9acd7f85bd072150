"""The fake DingTalk's sign-in: 免登 auth codes and QR login (OAuth 2), served by FakeDingTalk on
its one base URL (which stands for the oapi, api and login hosts alike).

免登. Inside the DingTalk app an H5 page asks the app for an auth code
(``dd.runtime.permission.requestAuthCode({corpId})``); the app issues one for the person signed
in to it. ``issue_auth_code(userid, corp_id)`` is that step (``tests/fakes/dingtalk_app.js`` hands
the code to the page in Chromium). The server exchanges it on the oapi host with the app's oapi
token (``GET /gettoken``, see dingtalk_contacts):
``POST /topapi/v2/user/getuserinfo?access_token=…`` body ``{"code": …}`` →
``{"errcode": 0, "errmsg": "ok", "result": {"userid", "unionid", "name", "device_id", "sys",
"sys_level", "associated_unionid"}, "request_id"}``; a code never issued, used once already or
older than 5 minutes → ``{"errcode": 40078, "errmsg": "不存在的临时授权码"}`` (HTTP 200, as every
oapi answer). Fields and the 5-minute, one-use life:
https://open.dingtalk.com/document/orgapp/obtain-the-userid-of-a-user-by-using-the-log-free ;
40078 from DingTalk's global error codes (全局错误码,
https://open.dingtalk.com/document/orgapp/server-api-error-codes-1).

QR login. ``GET /oauth2/auth?redirect_uri=…&response_type=code&client_id=…&scope=openid&state=…
&prompt=consent`` is DingTalk's login page: it shows a QR code, the person scans it with the app
and confirms, and the browser goes to ``redirect_uri?authCode=…&state=…`` (declined:
``?error=…&state=…``),
https://open.dingtalk.com/document/orgapp/tutorial-obtaining-user-personal-information .
Here the page lists the org's people to "scan as", standing in for the phone; choosing one
(``POST /oauth2/auth/scan``, the fake's own) redirects exactly so. Then:
``POST /v1.0/oauth2/userAccessToken`` ``{clientId, clientSecret, code, grantType:
"authorization_code"}`` → ``{accessToken, refreshToken, expireIn, corpId}``
(https://open.dingtalk.com/document/orgapp/obtain-user-token); a wrong client → 400
``invalidClientIdOrSecret``; an authCode unknown, used or expired → 400 in the OpenAPI's error
shape ``{code, message, requestid}`` (the doc names no code string for it: the client must treat
any 4xx as a refusal). ``GET /v1.0/contact/users/me`` with ``x-acs-dingtalk-access-token: <the
user's token>`` → ``{nick, avatarUrl, mobile, openId, unionId, email, stateCode}``
(https://open.dingtalk.com/document/orgapp/dingtalk-retrieve-user-information); another token →
401 ``InvalidAuthentication``.
"""

from __future__ import annotations

import html
import itertools
import json
import secrets
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from yarl import URL

from tests.fakes.dingtalk_cards import CORP_ID
from tests.fakes.dingtalk_contacts import FakeContacts

AUTH_CODE_USER_PATH = "/topapi/v2/user/getuserinfo"
AUTH_PAGE_PATH = "/oauth2/auth"
SCAN_PATH = "/oauth2/auth/scan"  # the fake's own: "this person scanned and confirmed"
USER_TOKEN_PATH = "/v1.0/oauth2/userAccessToken"
USER_ME_PATH = "/v1.0/contact/users/me"
CODE_TTL_SECONDS = 300  # both kinds of code live 5 minutes and serve once
USER_TOKEN_TTL_SECONDS = 7200
NO_SUCH_CODE = (40078, "不存在的临时授权码")
BAD_TOKEN = (40014, "不合法的access_token")


@dataclass
class _Code:
    userid: str
    issued: float
    client_id: str = ""  # a QR login's code belongs to the app whose page issued it


def _oapi(errcode: int = 0, errmsg: str = "ok", **more: Any) -> web.Response:
    return web.json_response({"errcode": errcode, "errmsg": errmsg, **more,
                              "request_id": uuid.uuid4().hex[:12]})


def _refuse(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"code": code, "message": message,
                              "requestid": str(uuid.uuid4()).upper()}, status=status)


class FakeLogin:
    """Auth codes, login codes and user tokens, and their routes."""

    def __init__(self, apps: dict[str, str], contacts: FakeContacts) -> None:
        self._lock = threading.Lock()
        self._apps = apps  # client id -> secret
        self._contacts = contacts
        self._ids = itertools.count(1)
        self._auth_codes: dict[str, _Code] = {}
        self._login_codes: dict[str, _Code] = {}
        self._user_tokens: dict[str, tuple[str, float]] = {}  # token -> (userid, issued)
        self.exchanged: list[dict[str, str]] = []  # each code spent: kind, userid

    # ----- control (thread-safe) -----

    def issue_auth_code(self, userid: str, corp_id: str = CORP_ID) -> str:
        """What the DingTalk app does when a page asks for an auth code for ``corp_id``: one
        for the person signed in to the app. Refused (LookupError) for another org's corp id or
        a person not in the directory, as the app refuses."""
        if corp_id != CORP_ID:
            raise LookupError(f"corpId {corp_id!r} is not this org's ({CORP_ID})")
        if self._contacts.person(userid) is None:
            raise LookupError(f"{userid} is not in the org")
        code = secrets.token_hex(16)
        with self._lock:
            self._auth_codes[code] = _Code(userid, time.monotonic())
        return code

    def expire_codes(self) -> None:
        """Every code issued so far is now older than 5 minutes."""
        with self._lock:
            for code in (*self._auth_codes.values(), *self._login_codes.values()):
                code.issued -= CODE_TTL_SECONDS + 1

    # ----- routes -----

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post(AUTH_CODE_USER_PATH, self._user_of_auth_code)
        app.router.add_get(AUTH_PAGE_PATH, self._auth_page)
        app.router.add_post(SCAN_PATH, self._scan)
        app.router.add_post(USER_TOKEN_PATH, self._user_token)
        app.router.add_get(USER_ME_PATH, self._me)

    def _spend(self, codes: dict[str, _Code], code: str) -> _Code | None:
        """The code's record, used up; None when unknown, used or expired."""
        with self._lock:
            found = codes.pop(code, None)
        if found is None or time.monotonic() - found.issued > CODE_TTL_SECONDS:
            return None
        return found

    async def _user_of_auth_code(self, request: web.Request) -> web.Response:
        if not self._contacts.token_valid(request.query.get("access_token", "")):
            return _oapi(*BAD_TOKEN)
        body = await _json(request)
        found = self._spend(self._auth_codes, str(body.get("code") or ""))
        person = self._contacts.person(found.userid) if found else None
        if person is None:
            return _oapi(*NO_SUCH_CODE)
        self.exchanged.append({"kind": "auth_code", "userid": person["userid"]})
        return _oapi(result={
            "userid": person["userid"], "unionid": person["unionid"], "name": person["name"],
            "device_id": uuid.uuid5(uuid.NAMESPACE_DNS, person["userid"]).hex,
            "sys": False, "sys_level": 0, "associated_unionid": ""})

    async def _auth_page(self, request: web.Request) -> web.Response:
        query = request.query
        problem = self._auth_request_problem(query)
        if problem:
            return _page("钉钉登录", f'<p class="error">{html.escape(problem)}</p>', status=400)
        hidden = "".join(f'<input type="hidden" name="{name}" value="{html.escape(query[name])}">'
                         for name in ("redirect_uri", "client_id", "state") if name in query)
        people = "".join(
            f'<li><button name="userid" value="{html.escape(p["userid"])}">'
            f'{html.escape(p["name"])}<small>{html.escape(p["title"])}</small></button></li>'
            for p in self._contacts.people())
        body = (f'<h1>钉钉扫码登录</h1><p>模拟钉钉：选择用手机扫码并确认登录的人</p>'
                f'<form method="post" action="{SCAN_PATH}">{hidden}<ul>{people}</ul>'
                f'<button name="decline" value="1" class="decline">取消登录</button></form>')
        return _page("钉钉扫码登录", body)

    def _auth_request_problem(self, query: Any) -> str:
        if query.get("client_id") not in self._apps:
            return "应用不存在（client_id 无效）"
        if query.get("response_type") != "code":
            return "response_type 只支持 code"
        if "openid" not in query.get("scope", "").split():
            return "scope 须包含 openid"
        if not query.get("redirect_uri", "").startswith(("http://", "https://")):
            return "redirect_uri 无效"
        return ""

    async def _scan(self, request: web.Request) -> web.Response:
        form = await request.post()
        back = URL(str(form.get("redirect_uri", "")))
        state = str(form.get("state", ""))
        if form.get("decline"):
            raise web.HTTPFound(back.update_query(error="access_denied", state=state))
        userid, client_id = str(form.get("userid", "")), str(form.get("client_id", ""))
        if self._contacts.person(userid) is None or client_id not in self._apps:
            return _page("钉钉扫码登录", '<p class="error">此人不在组织中</p>', status=400)
        code = secrets.token_hex(16)
        with self._lock:
            self._login_codes[code] = _Code(userid, time.monotonic(), client_id)
        raise web.HTTPFound(back.update_query(authCode=code, state=state))

    async def _user_token(self, request: web.Request) -> web.Response:
        body = await _json(request)
        client_id = str(body.get("clientId") or "")
        if not client_id or self._apps.get(client_id) != body.get("clientSecret"):
            return _refuse(400, "invalidClientIdOrSecret", "无效的clientId或clientSecret")
        if body.get("grantType") != "authorization_code":
            return _refuse(400, "invalidParameter.grantType", "grantType 参数不合法")
        found = self._spend(self._login_codes, str(body.get("code") or ""))
        if found is None or found.client_id != client_id:
            return _refuse(400, "invalidParameter.code", "临时授权码无效或已过期")
        token = f"fake-user-token-{next(self._ids)}-{secrets.token_hex(8)}"
        with self._lock:
            self._user_tokens[token] = (found.userid, time.monotonic())
        self.exchanged.append({"kind": "login_code", "userid": found.userid})
        return web.json_response({"accessToken": token, "refreshToken": secrets.token_hex(16),
                                  "expireIn": USER_TOKEN_TTL_SECONDS, "corpId": CORP_ID})

    async def _me(self, request: web.Request) -> web.Response:
        with self._lock:
            held = self._user_tokens.get(request.headers.get("x-acs-dingtalk-access-token", ""))
        fresh = held is not None and time.monotonic() - held[1] < USER_TOKEN_TTL_SECONDS
        person = self._contacts.person(held[0]) if held and fresh else None
        if person is None:
            return _refuse(401, "InvalidAuthentication", "不合法的access_token")
        return web.json_response({
            "nick": person["name"], "avatarUrl": "", "mobile": "", "stateCode": "86",
            "openId": f"open-{person['userid']}", "unionId": person["unionid"], "email": ""})


async def _json(request: web.Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.read() or b"null")
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


PAGE_STYLE = ("body{font-family:sans-serif;max-width:420px;margin:32px auto;padding:0 16px}"
              "ul{list-style:none;padding:0}li{margin:8px 0}"
              "button{width:100%;padding:12px;font-size:16px;text-align:left;cursor:pointer}"
              "small{color:#888;margin-left:8px}.decline{text-align:center}.error{color:#c00}")


def _page(title: str, body: str, status: int = 200) -> web.Response:
    text = (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{html.escape(title)}</title><style>{PAGE_STYLE}</style></head>'
            f'<body>{body}</body></html>')
    return web.Response(text=text, content_type="text/html", status=status)
