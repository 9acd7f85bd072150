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
``wxa/getwxacodeunlimit``, ``cgi-bin/qrcode/create`` and ``cgi-bin/showqrcode`` (the real one is on
mp.weixin.qq.com). ``scan_event_xml`` is the event WeChat pushes when someone scans a parametric
QR code this fake made.

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
import re
import string
import struct
import threading
import time
import zlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

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
    40169: "invalid length for scene, or the data is not json string",
    41001: "access_token missing",
    41008: "missing code",
    41030: "invalid page",
    42001: "access_token expired",
    43004: "require subscribe hint",
    45009: "reach max api daily quota limit",
    47001: "data format error",
    47003: "argument invalid!",
}

# What a typed field (thing1, amount3, …) may hold: (longest value or None, pattern). The table
# 参数值内容限制说明 of the subscribe-message document, which new-style official-account templates
# (类目模板) share; a value that breaks it is refused with 47003 "argument invalid!
# data.thing1.value invalid" and nothing is sent (seen in developers' reports on
# developers.weixin.qq.com/community for both APIs):
# https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/mp-message-management/subscribe-message/sendMessage.html
# https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Template_Message_Interface.html
_HAN = "\u4e00-\u9fff"
_DAY = (r"(\d{4}年\d{1,2}月(\d{1,2}日)?|\d{1,2}月\d{1,2}日|\d{4}[-/.]\d{1,2}([-/.]\d{1,2})?"
        r"|\d{1,2}[-/.]\d{1,2})")
_CLOCK = r"\d{1,2}:\d{2}(:\d{2})?"
_DATE = rf"{_DAY}(\s?{_CLOCK})?"
_TIME = rf"({_DAY}\s?)?{_CLOCK}"
FIELD_RULES: dict[str, tuple[int | None, str]] = {
    "thing": (20, r"[^\r\n]+"),
    "number": (32, r"\d+(\.\d+)?"),
    "letter": (32, r"[A-Za-z]+"),
    "symbol": (5, r"[^\w\s]+"),
    "character_string": (32, r"[\x21-\x7e]+"),
    "time": (None, rf"{_TIME}(\s?~\s?{_TIME})?"),
    "date": (None, rf"{_DATE}(\s?~\s?{_DATE})?"),
    "amount": (None, r"[¥￥$]?\d{1,10}(\.\d{1,2})?元?"),
    "phone_number": (17, r"[\d+\-() ]+"),
    "car_number": (8, rf"[{_HAN}]?[A-Za-z0-9]+[{_HAN}]?"),
    "name": (None, rf"[{_HAN}][{_HAN}A-Za-z·. ]{{0,9}}|[A-Za-z·. '-]{{1,20}}"),
    "phrase": (5, rf"[{_HAN}]+"),
}
TYPED_FIELD = re.compile(r"(?P<type>[a-z_]+?)\d+")
# Historical templates (first / keywordN / remark): since 2023-05-04 first and remark are not
# shown, colours are dropped and each keyword is folded after 20 characters, without an error
# (公众平台《关于规范公众号模板消息的再次公告》 https://mp.weixin.qq.com/s/hvLO4Vs75NXDA__SxuyKXw).
HIDDEN_FIELDS = ("first", "remark")
LEGACY_FIELD = re.compile(r"first|remark|keyword\d+")
FOLD_AFTER = 20


def wechat_error(errcode: int, detail: str = "") -> web.Response:
    """A WeChat-style error answer (HTTP 200 with errcode/errmsg, like the real API)."""
    message = f"{ERRMSG[errcode]} {detail}".strip()
    return web.json_response({"errcode": errcode, "errmsg": message})


def typed_rule(name: str) -> tuple[int | None, str] | None:
    """The rule of a typed field name (thing1 → thing's), None for any other name."""
    match = TYPED_FIELD.fullmatch(name)
    return FIELD_RULES.get(match["type"]) if match else None


def refused_field(name: str, entry: Any) -> str | None:
    """Why WeChat refuses ``data[name]`` (the 47003 errmsg's tail), None when it is accepted.
    Names that are no typed field are not checked: WeChat fills only the template's own."""
    rule = typed_rule(name)
    if rule is None:
        return None
    value = entry.get("value") if isinstance(entry, dict) else None
    if value in (None, ""):
        return f"data.{name}.value is empty"
    limit, pattern = rule
    text = str(value)
    if (limit is not None and len(text) > limit) or not re.fullmatch(pattern, text):
        return f"data.{name}.value invalid"
    return None


def visible_lines(data: dict[str, Any], *, legacy: bool) -> dict[str, str]:
    """What the user sees of accepted data, by field: typed fields as sent; with ``legacy``
    (official-account templates) the historical keywords folded after 20 characters, never
    first/remark; no colours."""
    shown = {}
    for name, entry in data.items():
        value = " ".join(str(entry.get("value", "") if isinstance(entry, dict) else "").split())
        if typed_rule(name) is not None:
            shown[name] = value
        elif legacy and LEGACY_FIELD.fullmatch(name) and name not in HIDDEN_FIELDS:
            shown[name] = value if len(value) <= FOLD_AFTER else value[:FOLD_AFTER] + "…"
    return shown


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


# A 1x1 white baseline JPEG: what showqrcode answers is a JPEG image.
JPEG_BYTES = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb004300100b0c0e0c0a100e0d0e1211101318281a18161618"
    "3123251d283a333d3c3933383740485c4e404457453738506d51575f626768673e4d71797064785c656763ffc000"
    "0b080001000101011100ffc4001f0000010501010101010100000000000000000102030405060708090a0bffc400"
    "b5100002010303020403050504040000017d01020300041105122131410613516107227114328191a1082342b1c1"
    "1552d1f02433627282090a161718191a25262728292a3435363738393a434445464748494a535455565758595a63"
    "6465666768696a737475767778797a838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6"
    "b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9faffda0008"
    "010100003f00f40affd9")
# qrcode/create: https://developers.weixin.qq.com/doc/offiaccount/Account_Management/Generating_a_Parametric_QR_Code.html
QR_ACTIONS = ("QR_SCENE", "QR_STR_SCENE", "QR_LIMIT_SCENE", "QR_LIMIT_STR_SCENE")
QR_MAX_SECONDS = 2_592_000  # a temporary code lives at most 30 days
QR_DEFAULT_SECONDS = 60  # expire_seconds left out
# getUnlimitedQRCode: https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/qrcode-link/qr-code/getUnlimitedQRCode.html
SCENE_CHARS = frozenset(string.ascii_letters + string.digits + "!#$&'()*+,/:;=?@-._~")
MP_PAGES = ("pages/index/index", "pages/bind/index", "pages/statement/index")
MP_ENV_VERSIONS = ("release", "trial", "develop")
ACCOUNT_ID = "gh_fake_official"  # the official account's original id (ToUserName of events)


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
        self._qrcodes: dict[str, dict[str, Any]] = {}  # ticket -> {appid, scene, url, ...}
        self.mp_pages = set(MP_PAGES)  # the mini-program's published pages
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
            self._qrcodes.clear()
            self._followers.clear()
            self._reject_all_tokens = False
            self.mp_pages = set(MP_PAGES)
        self.latency = 0.0
        self.open_platform = True

    @property
    def requests(self) -> list[dict[str, Any]]:
        """Copies of recorded requests: {method, path, query, json} (path without leading /)."""
        with self._lock:
            return [dict(r) for r in self._requests]

    @property
    def sent(self) -> list[dict[str, Any]]:
        """Accepted messages: {kind: 'template'|'subscribe', appid, msgid, payload, visible};
        visible is what the user sees by field (no first/remark, keywords folded after 20)."""
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

    @property
    def qrcodes(self) -> list[dict[str, Any]]:
        """Parametric QR codes made: {ticket, appid, action_name, scene, expire_seconds, url}."""
        with self._lock:
            return [dict(q) for q in self._qrcodes.values()]

    def scan_event_xml(self, url: str, openid: str, *, following: bool = False,
                       unionid: str | None = None) -> str:
        """The event WeChat pushes to the account's callback when ``openid`` scans the QR code
        that encodes ``url``: ``subscribe`` with EventKey ``qrscene_<scene>`` for a new
        follower, ``SCAN`` with the bare scene for one who already follows. Either way the
        scanner follows afterwards, as cgi-bin/user/info then says.
        https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Receiving_event_pushes.html
        """
        with self._lock:
            [qr] = [q for q in self._qrcodes.values() if q["url"] == url]
            known = self._followers.get(openid, {})
            self._followers[openid] = {"subscribed": True,
                                       "unionid": unionid or known.get("unionid")}
        event, key = ("SCAN", qr["scene"]) if following else ("subscribe", f"qrscene_{qr['scene']}")
        return (
            f"<xml><ToUserName><![CDATA[{ACCOUNT_ID}]]></ToUserName>"
            f"<FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
            f"<Event><![CDATA[{event}]]></Event><EventKey><![CDATA[{key}]]></EventKey>"
            f"<Ticket><![CDATA[{qr['ticket']}]]></Ticket></xml>"
        )

    # ----- the aiohttp app -----

    def make_app(self) -> web.Application:
        app = web.Application(middlewares=[self._middleware])
        app.router.add_get("/cgi-bin/token", self._token)
        app.router.add_get("/sns/jscode2session", self._jscode2session)
        app.router.add_get("/cgi-bin/user/info", self._user_info)
        app.router.add_post("/cgi-bin/message/template/send", self._template_send)
        app.router.add_post("/cgi-bin/message/subscribe/send", self._subscribe_send)
        app.router.add_post("/wxa/getwxacodeunlimit", self._wxacode_unlimit)
        app.router.add_post("/cgi-bin/qrcode/create", self._qrcode_create)
        app.router.add_get("/cgi-bin/showqrcode", self._showqrcode)
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
        data = payload.get("data") or {}
        if not isinstance(data, dict):
            return wechat_error(47001)
        for name, entry in data.items():
            refused = refused_field(name, entry)
            if refused:
                return wechat_error(47003, refused)
        with self._lock:
            msgid = next(self._counter)
            self._sent.append({"kind": kind, "appid": appid, "msgid": msgid, "payload": payload,
                               "visible": visible_lines(data, legacy=kind == "template")})
        return web.json_response({"errcode": 0, "errmsg": "ok", "msgid": msgid})

    # https://developers.weixin.qq.com/doc/service/api/notify/template/api_sendtemplatemessage.html
    # {touser, template_id, url?, miniprogram?: {appid, pagepath}, data, client_msg_id?}
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

    # https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/mp-message-management/subscribe-message/sendMessage.html
    # {touser, template_id, page?, data, miniprogram_state?, lang?}
    async def _subscribe_send(self, request: web.Request) -> web.Response:
        return await self._send(request, "subscribe", ("touser", "template_id", "data"))

    async def _wxacode_unlimit(self, request: web.Request) -> web.Response:
        """The image, or {errcode, errmsg} with HTTP 200 (getUnlimitedQRCode, cited above)."""
        _, errcode = self._check_token(request)
        if errcode:
            return wechat_error(errcode)
        payload = await self._json(request)
        if payload is None:
            return wechat_error(47001)
        scene = payload.get("scene")
        if not isinstance(scene, str) or not 1 <= len(scene) <= 32 or set(scene) - SCENE_CHARS:
            return wechat_error(40169)
        errcode = self._check_page(payload)
        if errcode:
            return wechat_error(errcode)
        return web.Response(body=png_bytes(scene), content_type="image/png")

    def _check_page(self, payload: dict[str, Any]) -> int | None:
        """41030 for a page with a leading slash or a query, or (check_path, the default) one
        the published app lacks; 47001 for an unknown env_version."""
        if payload.get("env_version", "release") not in MP_ENV_VERSIONS:
            return 47001
        page = payload.get("page")
        if page is None:
            return None  # the app's home page
        if not isinstance(page, str) or page.startswith("/") or "?" in page:
            return 41030
        if payload.get("check_path", True) and page not in self.mp_pages:
            return 41030
        return None

    async def _qrcode_create(self, request: web.Request) -> web.Response:
        """A parametric QR code's ticket (qrcode/create, cited above)."""
        appid, errcode = self._check_token(request)
        if errcode:
            return wechat_error(errcode)
        payload = await self._json(request)
        made = self._qr_fields(payload) if payload is not None else None
        if made is None:
            return wechat_error(47001)
        with self._lock:
            number = next(self._counter)
            ticket = base64.b64encode(f"fake-ticket-{number}-{made['scene']}".encode()).decode()
            made.update(ticket=ticket, appid=appid, url=f"http://weixin.qq.com/q/fake{number:08d}")
            self._qrcodes[ticket] = made
        answer = {"ticket": ticket, "url": made["url"]}
        if made["expire_seconds"] is not None:
            answer["expire_seconds"] = made["expire_seconds"]
        return web.json_response(answer)

    @staticmethod
    def _qr_fields(payload: dict[str, Any]) -> dict[str, Any] | None:
        """The QR code a request asks for, or None when WeChat would refuse it (47001)."""
        action = payload.get("action_name")
        scene = (payload.get("action_info") or {}).get("scene") or {}
        if action not in QR_ACTIONS:
            return None
        value = scene.get("scene_str") if "STR" in action else scene.get("scene_id")
        if "STR" in action and not (isinstance(value, str) and 1 <= len(value) <= 64):
            return None
        if "STR" not in action and not (isinstance(value, int) and value > 0):
            return None
        seconds = None
        if action in ("QR_SCENE", "QR_STR_SCENE"):
            seconds = payload.get("expire_seconds", QR_DEFAULT_SECONDS)
            if not isinstance(seconds, int) or not 1 <= seconds <= QR_MAX_SECONDS:
                return None
        return {"action_name": action, "scene": str(value), "expire_seconds": seconds}

    async def _showqrcode(self, request: web.Request) -> web.Response:
        """The QR image for a ticket (a JPEG); HTTP 404 for a ticket WeChat never gave."""
        with self._lock:
            known = request.query.get("ticket", "") in self._qrcodes
        if not known:
            return web.Response(status=404, text="ticket not found")
        return web.Response(body=JPEG_BYTES, content_type="image/jpeg")

    def showqrcode_url(self, ticket: str) -> str:
        """Where this fake serves ``ticket``'s image (the real one: mp.weixin.qq.com)."""
        return f"{self.base_url}cgi-bin/showqrcode?ticket={quote(ticket)}"

    @staticmethod
    async def _json(request: web.Request) -> dict[str, Any] | None:
        try:
            body = json.loads(await request.read())
        except ValueError:
            return None
        return body if isinstance(body, dict) else None
