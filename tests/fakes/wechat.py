"""A fake WeChat API server (official account + mini-program) for tests and sandbox mode.

It runs as an aiohttp app on 127.0.0.1 in its own thread with its own event loop, so the
synchronous wechatpy SDK (requests) can talk to it from a thread pool while the test's event
loop keeps running::

    with FakeWeChat() as fake:
        gateway = WeChatGateway(OA_APPID, OA_SECRET, fake.base_url,
                                mp_appid=MP_APPID, mp_secret=MP_SECRET)
        fake.register_code("c1", "openid-1", unionid="u-1")

Endpoints (relative to ``base_url``, as the real API): ``cgi-bin/token``, ``sns/jscode2session``,
``cgi-bin/user/info``, ``cgi-bin/message/template/send``, ``cgi-bin/message/subscribe/send``,
``wxa/getwxacodeunlimit``.

Followers: ``subscribe_event(openid, unionid=...)`` / ``unsubscribe_event(openid)`` make the XML
WeChat pushes to the callback and change the follower's state as the real platform does; then
``cgi-bin/user/info`` answers ``subscribe`` 1 or 0, and a template message to a follower who left
is refused with 43004. A unionid is given (by user/info and jscode2session) only while
``open_platform`` is True, as WeChat does only for apps bound to an open-platform account.

Every request is recorded in ``fake.requests`` and every accepted
message in ``fake.sent``. Faults are injected with ``fail_next``, ``rate_limit_next``,
``expire_tokens``, ``reject_tokens`` and ``latency``. All control methods are thread-safe.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import itertools
import json
import struct
import threading
import zlib
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tests.fakes.threaded import ThreadedServer, take_fault

# The default apps match tally.settings.Settings' demo credentials, so the sandbox and tests
# work out of the box; pass ``apps=`` (or call register_app) for others.
OA_APPID = "wx-demo-official"
OA_SECRET = "demo-official-secret"
MP_APPID = "wx-demo-miniapp"
MP_SECRET = "demo-miniapp-secret"

ERRMSG = {
    40001: "invalid credential, access_token is invalid or not latest",
    40002: "invalid grant_type",
    40013: "invalid appid",
    40003: "invalid openid",
    40029: "invalid code",
    40125: "invalid appsecret",
    40163: "code been used",
    40169: "invalid length for scene",
    41001: "access_token missing",
    41008: "missing code",
    42001: "access_token expired",
    43004: "require subscribe hint",
    45009: "reach max api daily quota limit",
    47001: "data format error",
}


def wechat_error(errcode: int) -> web.Response:
    """A WeChat-style error answer (HTTP 200 with errcode/errmsg, like the real API)."""
    return web.json_response({"errcode": errcode, "errmsg": ERRMSG[errcode]})


def png_bytes(text: str = "") -> bytes:
    """A valid 1x1 PNG that carries ``text`` in a tEXt chunk (keyword 'scene')."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"tEXt", b"scene\x00" + text.encode("latin-1", "replace"))
        + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + chunk(b"IEND", b"")
    )


@dataclass
class _Fault:
    remaining: int
    path: str | None
    status: int | None = None  # an HTTP status; None means "errcode 45009"


def _norm(path: str) -> str:
    return path.lstrip("/")


class FakeWeChat(ThreadedServer):
    """Fake WeChat API. ``start()`` returns the base URL ("http://127.0.0.1:PORT/")."""

    name = "fake-wechat"
    trailing_slash = True

    def __init__(
        self,
        apps: dict[str, str] | None = None,
        *,
        accept_unregistered_codes: bool = True,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        super().__init__(host, port)
        self._lock = threading.Lock()
        self._apps = dict(apps) if apps is not None else {OA_APPID: OA_SECRET, MP_APPID: MP_SECRET}
        self.accept_unregistered_codes = accept_unregistered_codes
        self.latency = 0.0
        self._codes: dict[str, tuple[str, str | None]] = {}
        self._used_codes: set[str] = set()
        self._tokens: dict[str, tuple[str, bool]] = {}  # token -> (appid, expired)
        self._reject_all_tokens = False
        self._faults: list[_Fault] = []
        self._requests: list[dict[str, Any]] = []
        self._sent: list[dict[str, Any]] = []
        self._counter = itertools.count(1)
        self._followers: dict[str, dict[str, Any]] = {}  # openid -> {subscribed, unionid}
        self.open_platform = True  # both apps bound to one open-platform account

    # ----- control API (thread-safe) -----

    def subscribe_event(self, openid: str, unionid: str | None = None, scene: str = "",
                        to: str = "gh_tally") -> str:
        """``openid`` follows the official account (through a QR code with ``scene``): the
        event XML WeChat pushes to the callback (plain mode). Events carry only the openid;
        the unionid is for cgi-bin/user/info.
        https://developers.weixin.qq.com/doc/service/Account_Management/Wechat_Accreditation_Event_Push.html
        """
        with self._lock:
            known = self._followers.get(openid, {})
            self._followers[openid] = {"subscribed": True,
                                       "unionid": unionid or known.get("unionid")}
        extra = (f"<EventKey><![CDATA[qrscene_{scene}]]></EventKey>"
                 f"<Ticket><![CDATA[ticket-{scene}]]></Ticket>") if scene else ""
        return self._event_xml(openid, "subscribe", extra, to)

    def unsubscribe_event(self, openid: str, to: str = "gh_tally") -> str:
        """``openid`` leaves the official account: the event XML; template messages to them
        are refused with 43004 from now on."""
        with self._lock:
            self._followers.setdefault(openid, {"unionid": None})["subscribed"] = False
        return self._event_xml(openid, "unsubscribe", "", to)

    def _event_xml(self, openid: str, event: str, extra: str, to: str) -> str:
        stamp = 1_700_000_000 + next(self._counter)
        return (f"<xml><ToUserName><![CDATA[{to}]]></ToUserName>"
                f"<FromUserName><![CDATA[{openid}]]></FromUserName>"
                f"<CreateTime>{stamp}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
                f"<Event><![CDATA[{event}]]></Event>{extra}</xml>")

    def register_app(self, appid: str, secret: str) -> None:
        with self._lock:
            self._apps[appid] = secret

    def register_code(self, code: str, openid: str, unionid: str | None = None) -> None:
        """Make ``code`` log in as ``openid`` (single use, like the real code)."""
        with self._lock:
            self._codes[code] = (openid, unionid)
            self._used_codes.discard(code)

    def fail_next(self, n: int = 1, status: int = 500, path: str | None = None) -> None:
        """Answer the next ``n`` requests (to ``path`` if given) with HTTP ``status``."""
        with self._lock:
            self._faults.append(_Fault(n, _norm(path) if path else None, status))

    def rate_limit_next(self, n: int = 1, path: str | None = None) -> None:
        """Answer the next ``n`` requests (to ``path`` if given) with errcode 45009."""
        with self._lock:
            self._faults.append(_Fault(n, _norm(path) if path else None))

    def expire_tokens(self) -> None:
        """Every token issued so far now gets errcode 42001; new tokens work."""
        with self._lock:
            self._tokens = {tok: (appid, True) for tok, (appid, _) in self._tokens.items()}

    def reject_tokens(self, reject: bool = True) -> None:
        """While set, every token (even a fresh one) gets errcode 40001."""
        with self._lock:
            self._reject_all_tokens = reject

    def reset(self) -> None:
        """Forget recorded requests, sent messages, codes, faults and latency (keeps apps and
        issued tokens), e.g. between tests sharing one server."""
        with self._lock:
            self._requests.clear()
            self._sent.clear()
            self._codes.clear()
            self._used_codes.clear()
            self._faults.clear()
            self._followers.clear()
            self._reject_all_tokens = False
        self.latency = 0.0
        self.open_platform = True

    @property
    def requests(self) -> list[dict[str, Any]]:
        """Copies of recorded requests: {method, path, query, json} (path without leading /)."""
        with self._lock:
            return [dict(r) for r in self._requests]

    @property
    def sent(self) -> list[dict[str, Any]]:
        """Accepted messages: {kind: 'template'|'subscribe', appid, msgid, payload}."""
        with self._lock:
            return [dict(s) for s in self._sent]

    def count(self, path: str) -> int:
        """How many requests reached ``path`` (e.g. 'cgi-bin/token')."""
        path = _norm(path)
        with self._lock:
            return sum(1 for r in self._requests if r["path"] == path)

    def issued_tokens(self) -> list[str]:
        with self._lock:
            return list(self._tokens)

    # ----- the aiohttp app -----

    def make_app(self) -> web.Application:
        app = web.Application(middlewares=[self._middleware])
        app.router.add_get("/cgi-bin/token", self._token)
        app.router.add_get("/sns/jscode2session", self._jscode2session)
        app.router.add_get("/cgi-bin/user/info", self._user_info)
        app.router.add_post("/cgi-bin/message/template/send", self._template_send)
        app.router.add_post("/cgi-bin/message/subscribe/send", self._subscribe_send)
        app.router.add_post("/wxa/getwxacodeunlimit", self._wxacode_unlimit)
        return app

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        path = _norm(request.path)
        await self._record(request, path)
        if self.latency:
            await asyncio.sleep(self.latency)
        fault = self._take_fault(path)
        if fault is None:
            return await handler(request)
        if fault.status is None:
            return wechat_error(45009)
        return web.Response(status=fault.status, text="fake WeChat failure")

    async def _record(self, request: web.Request, path: str) -> None:
        raw = await request.read()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        entry = {"method": request.method, "path": path, "query": dict(request.query), "json": body}
        with self._lock:
            self._requests.append(entry)

    def _take_fault(self, path: str) -> _Fault | None:
        with self._lock:
            return take_fault(self._faults, path)

    def _check_app(self, query: Any) -> int | None:
        secret = self._apps.get(query.get("appid", ""))
        if secret is None:
            return 40013
        return None if query.get("secret") == secret else 40125

    def _check_token(self, request: web.Request) -> tuple[str | None, int | None]:
        token = request.query.get("access_token")
        if not token:
            return None, 41001
        with self._lock:
            appid, expired = self._tokens.get(token, (None, False))
            if appid is None or self._reject_all_tokens:
                return None, 40001
        return (None, 42001) if expired else (appid, None)

    async def _token(self, request: web.Request) -> web.Response:
        if request.query.get("grant_type") != "client_credential":
            return wechat_error(40002)
        errcode = self._check_app(request.query)
        if errcode:
            return wechat_error(errcode)
        with self._lock:
            token = f"fake-token-{next(self._counter)}"
            self._tokens[token] = (request.query["appid"], False)
        return web.json_response({"access_token": token, "expires_in": 7200})

    async def _jscode2session(self, request: web.Request) -> web.Response:
        errcode = self._check_app(request.query)
        if errcode:
            return wechat_error(errcode)
        code = request.query.get("js_code", "")
        if not code:
            return wechat_error(41008)
        answer = self._use_code(code)
        return wechat_error(answer) if isinstance(answer, int) else web.json_response(answer)

    def _use_code(self, code: str) -> dict[str, Any] | int:
        with self._lock:
            if code in self._used_codes:
                return 40163
            known = self._codes.get(code)
            if known is None and (code.startswith("bad") or not self.accept_unregistered_codes):
                return 40029
            self._used_codes.add(code)
        openid, unionid = known or ("o-" + code, None)
        digest = hashlib.sha256(code.encode()).digest()[:16]
        # https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/user-login/code2Session.html
        answer = {"openid": openid, "session_key": base64.b64encode(digest).decode()}
        if unionid and self.open_platform:
            answer["unionid"] = unionid
        return answer

    async def _user_info(self, request: web.Request) -> web.Response:
        """GET cgi-bin/user/info?access_token=&openid=&lang=zh_CN
        https://developers.weixin.qq.com/doc/service/api/usermanage/userinfo/api_userinfo.html
        (no nickname or avatar since 2021-12-27; nothing but subscribe/openid for one who left)
        """
        _, errcode = self._check_token(request)
        if errcode:
            return wechat_error(errcode)
        openid = request.query.get("openid", "")
        with self._lock:
            follower = dict(self._followers.get(openid) or {})
        if not follower:
            return wechat_error(40003)
        if not follower["subscribed"]:
            return web.json_response({"subscribe": 0, "openid": openid})
        answer = {"subscribe": 1, "openid": openid, "language": "zh_CN",
                  "subscribe_time": 1_700_000_000, "remark": "", "groupid": 0,
                  "tagid_list": [], "subscribe_scene": "ADD_SCENE_QR_CODE", "qr_scene": 0,
                  "qr_scene_str": ""}
        if follower["unionid"] and self.open_platform:
            answer["unionid"] = follower["unionid"]
        return web.json_response(answer)

    async def _send(self, request: web.Request, kind: str, required: tuple[str, ...]):
        appid, errcode = self._check_token(request)
        if errcode:
            return wechat_error(errcode)
        payload = await self._json(request)
        if payload is None or any(not payload.get(key) for key in required):
            return wechat_error(47001)
        with self._lock:
            msgid = next(self._counter)
            self._sent.append({"kind": kind, "appid": appid, "msgid": msgid, "payload": payload})
        return web.json_response({"errcode": 0, "errmsg": "ok", "msgid": msgid})

    async def _template_send(self, request: web.Request) -> web.Response:
        """https://developers.weixin.qq.com/doc/service/api/notify/template/api_sendtemplatemessage.html
        43004 to a follower who left; a ``miniprogram`` jump must name a known mini-program
        (40013 otherwise) and a page."""
        _, errcode = self._check_token(request)
        if errcode:
            return wechat_error(errcode)
        payload = await self._json(request) or {}
        with self._lock:
            follower = self._followers.get(str(payload.get("touser", "")))
            apps = set(self._apps)
        jump = payload.get("miniprogram")
        if jump is not None and (not isinstance(jump, dict) or not jump.get("pagepath")):
            return wechat_error(47001)
        if jump is not None and jump.get("appid") not in apps:
            return wechat_error(40013)
        if follower is not None and not follower["subscribed"]:
            return wechat_error(43004)
        return await self._send(request, "template", ("touser", "template_id"))

    async def _subscribe_send(self, request: web.Request) -> web.Response:
        return await self._send(request, "subscribe", ("touser", "template_id", "data"))

    async def _wxacode_unlimit(self, request: web.Request) -> web.Response:
        _, errcode = self._check_token(request)
        if errcode:
            return wechat_error(errcode)
        payload = await self._json(request) or {}
        scene = str(payload.get("scene", ""))
        if not 1 <= len(scene) <= 32:
            return wechat_error(40169)
        return web.Response(body=png_bytes(scene), content_type="image/png")

    @staticmethod
    async def _json(request: web.Request) -> dict[str, Any] | None:
        try:
            body = json.loads(await request.read())
        except ValueError:
            return None
        return body if isinstance(body, dict) else None
