"""The DingTalk stream connection, owned by us: dingtalk-stream's frames, handlers and routing,
with our own connection loop.

dingtalk-stream 0.24.3's ``start()`` swallows ``CancelledError``, spawns untracked tasks and
opens the connection with a blocking ``requests.post`` to a base URL read from the environment
at import. ``StreamClient`` keeps the SDK's frame classes, ``route_message`` (acks included) and
handler registration, and replaces the loop: the connection is opened with aiohttp against an
explicit base URL, every frame is routed in a task the client tracks, a dropped or closed
connection is reopened with backoff, and cancelling ``run()`` stops it promptly (tracked tasks
are cancelled and awaited, the cancellation propagates).

Handlers derived from ``FastAckHandler`` acknowledge at once, run their work as tracked tasks,
and drop redeliveries (the same messageId) after recording each id in the domain's inbound log.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any
from urllib.parse import quote_plus

import aiohttp
import websockets
from dingtalk_stream import CallbackHandler, Credential, DingTalkStreamClient
from dingtalk_stream.frames import AckMessage, CallbackMessage

from domain.inbound import first_delivery

log = logging.getLogger(__name__)

OPEN_CONNECTION_PATH = "/v1.0/gateway/connections/open"
INBOUND_SOURCE = "dingtalk"


class StreamConnectError(Exception):
    """The gateway did not hand out a connection."""


NETWORK_ERRORS = (
    TimeoutError, OSError, aiohttp.ClientError, ValueError, websockets.WebSocketException,
    StreamConnectError,
)


class StreamClient(DingTalkStreamClient):
    """A DingTalk stream client whose ``run()`` can live in an aiohttp ``cleanup_ctx``."""

    def __init__(
        self,
        credential: Credential,
        openapi_base: str,
        *,
        open_timeout: float = 5.0,
        backoff: tuple[float, float] = (1.0, 60.0),
        close_timeout: float = 1.0,
        logger: logging.Logger | None = None,
    ) -> None:
        super().__init__(credential, logger or log)
        self.open_connection_url = openapi_base.rstrip("/") + OPEN_CONNECTION_PATH
        self._open_timeout = open_timeout
        self._backoff = backoff
        self._close_timeout = close_timeout
        self._tasks: set[asyncio.Task[Any]] = set()
        self._connected = asyncio.Event()
        self._http: aiohttp.ClientSession | None = None
        self.connections = 0

    # ----- SDK overrides -----

    def get_host_ip(self) -> str:
        # The SDK's version opens a UDP socket towards 8.8.8.8 to learn its address.
        return "127.0.0.1"

    def get_access_token(self) -> str:
        raise NotImplementedError("OpenAPI calls go through bot.dingtalk_api.DingTalkApi")

    async def start(self) -> None:
        await self.run()

    async def open_connection(self) -> dict[str, Any]:  # type: ignore[override]
        """Ask the gateway for an endpoint and ticket (the SDK's request, made with aiohttp)."""
        body = {
            "clientId": self.credential.client_id,
            "clientSecret": self.credential.client_secret,
            "subscriptions": self._subscriptions(),
            "ua": "tally/dingtalk-stream-0.24.3",
            "localIp": self.get_host_ip(),
        }
        timeout = aiohttp.ClientTimeout(total=self._open_timeout)
        if self._http is None:
            raise RuntimeError("open_connection() runs inside run()")
        async with self._http.post(self.open_connection_url, json=body, timeout=timeout) as resp:
            text = await resp.text()
            if resp.status >= 400:
                raise StreamConnectError(f"open connection: HTTP {resp.status} {text[:200]}")
        answer = json.loads(text)
        if not answer.get("endpoint") or not answer.get("ticket"):
            raise StreamConnectError(f"open connection: unexpected answer {text[:200]}")
        return answer

    def _subscriptions(self) -> list[dict[str, str]]:
        topics = [{"type": "EVENT", "topic": "*"}] if self._is_event_required else []
        topics += [{"type": "CALLBACK", "topic": t} for t in self.callback_handler_map]
        return topics

    # ----- our loop -----

    async def run(self) -> None:
        """Stay connected until cancelled; reconnect with backoff after any failure."""
        self.pre_start()
        low, high = self._backoff
        delay = low
        try:
            async with aiohttp.ClientSession() as self._http:
                while True:
                    before = self.connections
                    clean = await self._connect_once(delay)
                    if clean or self.connections > before:
                        delay = low  # it was connected: start the backoff afresh
                    await asyncio.sleep(delay)
                    if not clean:
                        delay = min(delay * 2, high)
        finally:
            self._http = None
            self._connected.clear()
            await self._cancel_tasks()

    async def _connect_once(self, delay: float) -> bool:
        """One connection's life: True if it was closed cleanly, False if it failed."""
        try:
            connection = await self.open_connection()
            await self._serve(connection)
        except NETWORK_ERRORS as exc:
            self.logger.warning("DingTalk stream: %r; retrying in %.1fs", exc, delay)
            return False
        except Exception:  # a bug must not end the stream for good; it is logged and retried
            self.logger.exception("DingTalk stream failed; retrying in %.1fs", delay)
            return False
        return True

    async def _serve(self, connection: dict[str, Any]) -> None:
        uri = f'{connection["endpoint"]}?ticket={quote_plus(connection["ticket"])}'
        async with websockets.connect(
            uri, open_timeout=self._open_timeout, close_timeout=self._close_timeout,
            max_size=4 * 1024**2,
        ) as websocket:
            self.websocket = websocket
            self.connections += 1
            self._connected.set()
            self.logger.info("DingTalk stream connected (%d)", self.connections)
            try:
                async for raw in websocket:
                    self.spawn(self._route(websocket, raw))
            finally:
                self._connected.clear()
        self.logger.info("DingTalk stream connection closed")

    async def _route(self, websocket: Any, raw: str | bytes) -> None:
        try:
            result = await self.route_message(json.loads(raw))
        except websockets.ConnectionClosed:
            self.logger.warning("DingTalk stream: connection closed before the ack was sent")
            return
        except Exception:  # one bad frame must not stop the others; the gateway redelivers
            self.logger.exception("DingTalk stream: routing a frame failed")
            return
        if result == DingTalkStreamClient.TAG_DISCONNECT:
            await websocket.close()

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run ``coro`` as a task this client tracks and cancels when it stops."""
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _cancel_tasks(self) -> None:
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    @property
    def connected(self) -> bool:
        """Whether a stream connection is open now."""
        return self._connected.is_set()

    async def wait_connected(self) -> None:
        """Until a stream connection is open (wrap in ``asyncio.timeout`` to bound it)."""
        await self._connected.wait()

    @property
    def pending_tasks(self) -> int:
        return len(self._tasks)

    async def drain(self) -> None:
        """Until every frame received so far is handled, including the work it started."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)


class FastAckHandler(CallbackHandler):
    """Acks a callback at once and handles it in a task tracked by the ``StreamClient``.

    A messageId seen before (the gateway redelivers a frame whose ack came late) is acked
    again and otherwise ignored. Subclasses implement ``handle``.
    """

    def __init__(self, clock: Callable[[], datetime]) -> None:
        super().__init__()
        self.clock = clock

    async def process(self, message: CallbackMessage) -> tuple[int, str]:
        message_id = message.headers.message_id or ""
        if not await first_delivery(INBOUND_SOURCE, message_id, self.clock()):
            self.logger.info("DingTalk redelivered %s: already handled", message_id)
            return AckMessage.STATUS_OK, "duplicate"
        client: StreamClient = self.dingtalk_client  # type: ignore[assignment]
        client.spawn(self._handle_logged(message))
        return AckMessage.STATUS_OK, "OK"

    async def _handle_logged(self, message: CallbackMessage) -> None:
        try:
            await self.handle(message)
        except Exception:  # logged here: nobody awaits this task's result
            self.logger.exception("handling DingTalk %s failed", message.headers.topic)

    async def handle(self, message: CallbackMessage) -> None:
        raise NotImplementedError


@contextlib.asynccontextmanager
async def running(client: StreamClient):
    """Run ``client`` in a task for the block's duration; cancel and await it on exit."""
    task = asyncio.create_task(client.run(), name="dingtalk-stream")
    try:
        yield task
    finally:
        await stop(task)


async def stop(task: asyncio.Task[Any]) -> None:
    """Cancel ``task`` and wait for it; a cancellation of the caller itself still propagates."""
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        current = asyncio.current_task()
        if current is not None and current.cancelling():
            raise
