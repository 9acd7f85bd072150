"""A fake DingTalk (OpenAPI + stream gateway + robot webhooks) for tests and sandbox mode.

It runs as an aiohttp app on 127.0.0.1 in its own thread with its own event loop, so the
service's event loop (and any blocking SDK call) can talk to it like to the real thing::

    with FakeDingTalk() as fake:
        api = DingTalkApi(CLIENT_ID, CLIENT_SECRET, ROBOT_CODE, fake.base_url)
        fake.add_group_robot("grp-token", "SEC-secret")

OpenAPI (relative to ``base_url``): ``POST /v1.0/oauth2/accessToken``,
``POST /v1.0/robot/oToMessages/batchSend``, and the card platform and to-dos of
``tests.fakes.dingtalk_cards``. Group robot: ``POST /robot/send?access_token=…&
timestamp=…&sign=…`` (signature checked as DingTalk does). Stream: ``POST
/v1.0/gateway/connections/open`` hands out a ticket for the websocket ``GET /connect``; the
control methods ``push_bot_message``, ``push_card_callback``, ``push_system_disconnect``,
``redeliver`` and ``drop_connections`` push frames in the real format and ``acks`` records what
the client acknowledged. Bot messages carry a session webhook (``POST /robot/session/<id>``)
whose replies land in ``replies``. Everything sent lands in ``sent``; card instances per
outTrackId in ``cards``, to-dos in ``todos``. Sign-in (``tests.fakes.dingtalk_login``): 免登 auth
codes (``issue_auth_code``) and their exchange, the OAuth page of QR login and its token and
profile calls. Faults: ``fail_next``, ``rate_limit_next``, ``expire_tokens``, ``latency``. All
control methods are thread-safe; the ``await_*`` helpers are coroutines for the test's own loop.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import itertools
import json
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

from aiohttp import WSMsgType, web

from tests.fakes.dingtalk_cards import CORP_ID, CardPlatform
from tests.fakes.dingtalk_contacts import FakeContacts
from tests.fakes.dingtalk_login import FakeLogin
from tests.fakes.threaded import ThreadedServer, take_fault

# The default app matches tally.settings.Settings' demo credentials.
CLIENT_ID = "ding-demo-app"
CLIENT_SECRET = "demo-dingtalk-secret"
ROBOT_CODE = "ding-demo-app"
BOT_TOPIC = "/v1.0/im/bot/messages/get"
GROUP_SIGN_WINDOW_MS = 3600 * 1000


@dataclass
class _Fault:
    remaining: int
    path: str | None
    status: int
    code: str


def _error(status: int, code: str, message: str) -> web.Response:
    return web.json_response(
        {"code": code, "message": message, "requestid": uuid.uuid4().hex}, status=status
    )


def _group_answer(errcode: int, errmsg: str) -> web.Response:
    return web.json_response({"errcode": errcode, "errmsg": errmsg})


def _now_ms() -> int:
    return int(time.time() * 1000)


def expected_group_sign(secret: str, timestamp: str) -> str:
    string_to_sign = f"{timestamp}\n{secret}"
    digest = hmac.new(secret.encode(), string_to_sign.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


class FakeDingTalk(CardPlatform, ThreadedServer):
    """Fake DingTalk. ``start()`` returns the base URL ("http://127.0.0.1:PORT")."""

    name = "fake-dingtalk"
    trailing_slash = False

    def __init__(
        self,
        apps: dict[str, str] | None = None,
        *,
        robot_code: str = ROBOT_CODE,
        disconnect_grace: float = 5.0,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        super().__init__(host, port)
        self._lock = threading.Lock()
        self._apps = dict(apps) if apps is not None else {CLIENT_ID: CLIENT_SECRET}
        self.robot_code = robot_code
        self.disconnect_grace = disconnect_grace
        self.latency = 0.0
        self._counter = itertools.count(1)
        self._tokens: dict[str, bool] = {}  # token -> expired
        self._tickets: set[str] = set()
        self._group_robots: dict[str, str] = {}
        self._faults: list[_Fault] = []
        self._requests: list[dict[str, Any]] = []
        self._sent: list[dict[str, Any]] = []
        self._init_cards()
        self._replies: list[dict[str, Any]] = []
        self._sessions: dict[str, dict[str, Any]] = {}
        self._frames: dict[str, dict[str, Any]] = {}
        self._acks: dict[str, list[dict[str, Any]]] = {}
        self._connections_opened = 0
        self._open_requests = 0
        self._sockets: set[web.WebSocketResponse] = set()
        self._pending: list[str] = []  # frames pushed while no client was connected
        self.contacts = FakeContacts(self._apps)  # the oapi contacts (通讯录), same base URL
        self.login = FakeLogin(self._apps, self.contacts)  # 免登 and QR login, same base URL

    # ----- control API (thread-safe) -----

    def add_group_robot(self, access_token: str, secret: str) -> str:
        """Register a group robot; returns its webhook URL (without timestamp and sign)."""
        with self._lock:
            self._group_robots[access_token] = secret
        return f"{self.base_url}/robot/send?access_token={access_token}"

    def issue_auth_code(self, userid: str, corp_id: str = CORP_ID) -> str:
        """A 免登 auth code for ``userid``, as the DingTalk app issues one when a page asks."""
        return self.login.issue_auth_code(userid, corp_id)

    def fail_next(self, n: int = 1, status: int = 500, path: str | None = None) -> None:
        """Answer the next ``n`` HTTP requests (to ``path`` if given) with ``status``."""
        with self._lock:
            self._faults.append(_Fault(n, path, status, "ServiceUnavailable"))

    def rate_limit_next(self, n: int = 1, path: str | None = None) -> None:
        """Answer the next ``n`` HTTP requests (to ``path`` if given) with 429 Throttling."""
        with self._lock:
            self._faults.append(_Fault(n, path, 429, "Throttling"))

    def expire_tokens(self) -> None:
        """Every access token issued so far is now refused (401); new tokens work."""
        with self._lock:
            self._tokens = {token: True for token in self._tokens}

    def reset(self) -> None:
        """Forget what was recorded and any pending faults (keeps apps, tokens, robots)."""
        with self._lock:
            for store in (self._requests, self._sent, self._replies, self._faults):
                store.clear()
            for mapping in (self._acks, self._frames):
                mapping.clear()
            self._reset_cards()
        self.latency = 0.0

    @property
    def requests(self) -> list[dict[str, Any]]:
        """Recorded HTTP requests: {method, path, query, json}."""
        with self._lock:
            return [dict(r) for r in self._requests]

    @property
    def sent(self) -> list[dict[str, Any]]:
        """Accepted sends: {kind: 'batch'|'card'|'card_update'|'group', payload, ...}."""
        with self._lock:
            return [dict(s) for s in self._sent]

    @property
    def replies(self) -> list[dict[str, Any]]:
        """Session-webhook replies: {session, user_id, conversation_id, msgtype, content, body}."""
        with self._lock:
            return [dict(r) for r in self._replies]

    @property
    def acks(self) -> dict[str, list[dict[str, Any]]]:
        """Acks received, by messageId (a redelivered frame may be acked more than once)."""
        with self._lock:
            return {key: list(value) for key, value in self._acks.items()}

    @property
    def connections_opened(self) -> int:
        """Websocket connections accepted so far."""
        with self._lock:
            return self._connections_opened

    @property
    def open_requests(self) -> int:
        with self._lock:
            return self._open_requests

    @property
    def connected(self) -> int:
        with self._lock:
            return len(self._sockets)

    def count(self, path: str) -> int:
        with self._lock:
            return sum(1 for r in self._requests if r["path"] == path)

    # ----- pushing frames -----

    def push_bot_message(
        self, user_id: str, text: str, conversation_type: str = "1", nick: str | None = None,
        *, message_id: str | None = None,
    ) -> str:
        """Push a text message to the bot from ``user_id``; returns the frame's messageId."""
        session_id = uuid.uuid4().hex
        conversation_id = f"cid-{user_id}" if conversation_type == "1" else "cid-group-1"
        with self._lock:
            self._sessions[session_id] = {"user_id": user_id, "conversation_id": conversation_id}
        data = {
            "conversationId": conversation_id,
            "chatbotCorpId": CORP_ID,
            "chatbotUserId": f"$:LWCP_v1:$bot-{self.robot_code}",
            "msgId": f"msg{uuid.uuid4().hex}",
            "senderNick": nick or user_id,
            "isAdmin": False,
            "senderStaffId": user_id,
            "sessionWebhookExpiredTime": _now_ms() + 90 * 60 * 1000,
            "createAt": _now_ms(),
            "senderCorpId": CORP_ID,
            "conversationType": conversation_type,
            "senderId": f"$:LWCP_v1:${hashlib.md5(user_id.encode()).hexdigest()}",
            "sessionWebhook": f"{self.base_url}/robot/session/{session_id}",
            "robotCode": self.robot_code,
            "msgtype": "text",
            "text": {"content": text},
        }
        if conversation_type == "2":
            data.update(isInAtList=True, conversationTitle="测试群")
        return self._push("CALLBACK", BOT_TOPIC, data, message_id)

    def push_system_disconnect(self) -> str:
        """Ask the client to reconnect; the fake closes the socket itself after the grace."""
        message_id = self._push("SYSTEM", "disconnect", {"reason": "server maintenance"}, None)
        self._call(self._close_later(self.disconnect_grace))
        return message_id

    def push_system_ping(self) -> str:
        return self._push("SYSTEM", "ping", {"opaque": uuid.uuid4().hex}, None)

    def redeliver(self, message_id: str) -> None:
        """Send an already pushed frame again, unchanged (as the gateway does without an ack)."""
        with self._lock:
            frame = self._frames[message_id]
        self._call(self._send_frame(json.dumps(frame, ensure_ascii=False)))

    def drop_connections(self) -> None:
        """Close every stream connection abruptly (no disconnect frame)."""
        self._call(self._close_sockets())

    def _push(self, kind: str, topic: str, data: dict, message_id: str | None) -> str:
        message_id = message_id or f"fake-{uuid.uuid4().hex}"
        frame = {
            "specVersion": "1.0",
            "type": kind,
            "headers": {
                "appId": CLIENT_ID,
                "connectionId": uuid.uuid4().hex,
                "contentType": "application/json",
                "messageId": message_id,
                "time": str(_now_ms()),
                "topic": topic,
            },
            "data": json.dumps(data, ensure_ascii=False),
        }
        with self._lock:
            self._frames[message_id] = frame
        self._call(self._send_frame(json.dumps(frame, ensure_ascii=False)))
        return message_id

    def _call(self, coro: Any) -> Any:
        if self._loop is None:
            coro.close()
            raise RuntimeError("FakeDingTalk is not running")
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(10)

    # ----- waiting (coroutines for the test's loop) -----

    async def await_ack(self, message_id: str, timeout: float = 5.0) -> dict[str, Any]:  # noqa: ASYNC109
        """The first ack for ``message_id``; raises TimeoutError if none comes in time."""
        await self._until(lambda: message_id in self.acks, timeout, f"ack of {message_id}")
        return self.acks[message_id][0]

    async def await_replies(self, count: int, timeout: float = 5.0) -> list[dict[str, Any]]:  # noqa: ASYNC109
        await self._until(lambda: len(self.replies) >= count, timeout, f"{count} replies")
        return self.replies

    async def await_sent(self, count: int, timeout: float = 5.0) -> list[dict[str, Any]]:  # noqa: ASYNC109
        await self._until(lambda: len(self.sent) >= count, timeout, f"{count} sends")
        return self.sent

    async def await_connections(self, count: int, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Until ``count`` connections were accepted and one is open."""
        await self._until(
            lambda: self.connections_opened >= count and self.connected > 0, timeout,
            f"{count} connections",
        )

    @staticmethod
    async def _until(condition: Any, timeout: float, what: str) -> None:  # noqa: ASYNC109
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError(f"fake DingTalk: no {what} within {timeout}s")
            await asyncio.sleep(0.01)

    async def before_shutdown(self) -> None:
        await self._close_sockets()

    # ----- the aiohttp app -----

    def make_app(self) -> web.Application:
        app = web.Application(middlewares=[self._middleware])
        app.router.add_post("/v1.0/oauth2/accessToken", self._access_token)
        app.router.add_post("/v1.0/gateway/connections/open", self._open_connection)
        app.router.add_get("/connect", self._connect)
        app.router.add_post("/robot/session/{session}", self._session_reply)
        app.router.add_post("/v1.0/robot/oToMessages/batchSend", self._batch_send)
        self.add_card_routes(app)
        app.router.add_post("/robot/send", self._group_send)
        self.contacts.add_routes(app)
        self.login.add_routes(app)
        return app

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        await self._record(request)
        if self.latency:
            await asyncio.sleep(self.latency)
        fault = self._take_fault(request.path)
        if fault is None:
            return await handler(request)
        return _error(fault.status, fault.code, "fake DingTalk failure")

    async def _record(self, request: web.Request) -> None:
        body = await self._json(request) if request.can_read_body else None
        entry = {"method": request.method, "path": request.path, "query": dict(request.query),
                 "json": body}
        with self._lock:
            self._requests.append(entry)

    def _take_fault(self, path: str) -> _Fault | None:
        with self._lock:
            return take_fault(self._faults, path)

    def _check_token(self, request: web.Request) -> web.Response | None:
        token = request.headers.get("x-acs-dingtalk-access-token", "")
        with self._lock:
            expired = self._tokens.get(token)
        if expired is None or expired:
            return _error(401, "InvalidAuthentication", "不合法的access_token")
        return None

    async def _access_token(self, request: web.Request) -> web.Response:
        body = await self._json(request) or {}
        if self._apps.get(body.get("appKey", "")) != body.get("appSecret") or not body:
            return _error(400, "invalidClientIdOrSecret", "无效的clientId或clientSecret")
        with self._lock:
            token = f"fake-dt-token-{next(self._counter)}"
            self._tokens[token] = False
        return web.json_response({"accessToken": token, "expireIn": 7200})

    async def _open_connection(self, request: web.Request) -> web.Response:
        body = await self._json(request) or {}
        if self._apps.get(body.get("clientId", "")) != body.get("clientSecret") or not body:
            return _error(401, "InvalidAuthentication", "clientId or clientSecret is invalid")
        ticket = uuid.uuid4().hex
        with self._lock:
            self._tickets.add(ticket)
            self._open_requests += 1
        endpoint = self.base_url.replace("http://", "ws://", 1) + "/connect"
        return web.json_response({"endpoint": endpoint, "ticket": ticket})

    async def _connect(self, request: web.Request) -> web.StreamResponse:
        with self._lock:
            ticket = request.query.get("ticket", "")
            valid = ticket in self._tickets
            self._tickets.discard(ticket)
        if not valid:
            return _error(401, "InvalidTicket", "ticket is invalid or used")
        ws = web.WebSocketResponse(heartbeat=None)
        await ws.prepare(request)
        with self._lock:
            self._connections_opened += 1
            self._sockets.add(ws)
            pending, self._pending = self._pending, []
        try:
            for raw in pending:
                await ws.send_str(raw)
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    self._record_ack(message.data)
        finally:
            with self._lock:
                self._sockets.discard(ws)
        return ws

    def _record_ack(self, raw: str) -> None:
        try:
            ack = json.loads(raw)
        except ValueError:
            return
        message_id = (ack.get("headers") or {}).get("messageId")
        if message_id:
            with self._lock:
                self._acks.setdefault(message_id, []).append(ack)

    async def _send_frame(self, raw: str) -> None:
        with self._lock:
            sockets = list(self._sockets)
            if not sockets:
                self._pending.append(raw)
        for ws in sockets[-1:]:  # the newest connection, as the gateway picks one
            await ws.send_str(raw)

    async def _close_later(self, delay: float) -> None:
        with self._lock:
            sockets = list(self._sockets)

        async def close() -> None:
            await asyncio.sleep(delay)
            for ws in sockets:
                await ws.close()

        asyncio.get_running_loop().create_task(close())

    async def _close_sockets(self) -> None:
        with self._lock:
            sockets = list(self._sockets)
        for ws in sockets:
            await ws.close(code=1011, message=b"fake gateway dropped the connection")

    async def _session_reply(self, request: web.Request) -> web.Response:
        with self._lock:
            session = self._sessions.get(request.match_info["session"])
        body = await self._json(request)
        if session is None:
            return _group_answer(300001, "session webhook not found")
        if not body or body.get("msgtype") not in ("text", "markdown"):
            return _group_answer(40035, "缺少参数 msgtype")
        kind = body["msgtype"]
        content = body["text"]["content"] if kind == "text" else body["markdown"]["text"]
        reply = {"session": request.match_info["session"], **session, "msgtype": kind,
                 "content": content, "body": body}
        with self._lock:
            self._replies.append(reply)
        return _group_answer(0, "ok")

    async def _batch_send(self, request: web.Request) -> web.Response:
        refused = self._check_token(request)
        if refused:
            return refused
        body = await self._json(request) or {}
        missing = [k for k in ("robotCode", "userIds", "msgKey", "msgParam") if not body.get(k)]
        if missing or body["robotCode"] != self.robot_code:
            return _error(400, "InvalidParameter", f"bad or missing: {missing or ['robotCode']}")
        key = f"pqk-{next(self._counter)}"
        entry = {"kind": "batch", "payload": body, "user_ids": list(body["userIds"]),
                 "msg_key": body["msgKey"], "param": json.loads(body["msgParam"]),
                 "process_query_key": key}
        with self._lock:
            self._sent.append(entry)
        return web.json_response(
            {"processQueryKey": key, "invalidStaffIdList": [], "flowControlledStaffIdList": []}
        )

    async def _group_send(self, request: web.Request) -> web.Response:
        query = request.query
        with self._lock:
            secret = self._group_robots.get(query.get("access_token", ""))
        if secret is None:
            return _group_answer(300001, "token is not exist")
        timestamp, sign = query.get("timestamp", ""), query.get("sign", "")
        if not timestamp.isdigit() or abs(_now_ms() - int(timestamp)) > GROUP_SIGN_WINDOW_MS:
            return _group_answer(310000, "sign not match, more: [timestamp is invalid]")
        if not hmac.compare_digest(sign, expected_group_sign(secret, timestamp)):
            return _group_answer(310000, "sign not match, more: [sign not match]")
        body = await self._json(request)
        if not body or body.get("msgtype") not in ("text", "markdown"):
            return _group_answer(40035, "缺少参数 msgtype")
        with self._lock:
            self._sent.append({"kind": "group", "payload": body,
                               "access_token": query["access_token"]})
        return _group_answer(0, "ok")

    @staticmethod
    async def _json(request: web.Request) -> dict[str, Any] | None:
        try:
            body = json.loads(await request.read() or b"null")
        except ValueError:
            return None
        return body if isinstance(body, dict) else None
