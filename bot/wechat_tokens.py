"""WeChat access tokens in the database (``WeChatToken``), shared by every replica.

wechatpy keeps a token's expiry only in the client's memory (wechatpy #684), so the row keeps
it too and ``get`` answers None once the token is (nearly) expired: every replica then fetches a
new one instead of using a dead token.

wechatpy calls a session storage synchronously from the gateway's worker threads, while the ORM
lives on the service's event loop. Each call is therefore sent to that loop with
``asyncio.run_coroutine_threadsafe`` and waited for with a timeout; calling the storage from the
loop's own thread is refused (it would block the loop, and deadlock). Do not call WeChat while
holding a database transaction: on SQLite the storage would wait for it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from tortoise.exceptions import IntegrityError
from wechatpy.session import SessionStorage

from bot.wechat import WeChatError
from domain.system.models import WeChatToken

# wechatpy itself renews a token 60 s before it expires; a shared one must not outlive that.
EXPIRY_MARGIN = timedelta(seconds=60)
T = TypeVar("T")


def _utcnow() -> datetime:
    return datetime.now(UTC)


class DbSessionStorage(SessionStorage):
    """A wechatpy session storage backed by the ``wechat_token`` table.

    Build it on the event loop that owns the ORM (e.g. in a ``cleanup_ctx`` after the database
    is up); it remembers that loop and the current context.
    """

    def __init__(
        self,
        *,
        loop: asyncio.AbstractEventLoop | None = None,
        timeout: float = 5.0,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self._loop = loop or asyncio.get_running_loop()
        self._context = contextvars.copy_context()
        self._timeout = timeout
        self._clock = clock

    # ----- the wechatpy interface (called from worker threads) -----

    def get(self, key: str, default: Any = None) -> Any:
        value = self._run(self.aget(key))
        return default if value is None else value

    def set(self, key: str, value: Any, ttl: int | None = None) -> None:
        if value is None:
            return
        self._run(self.aset(key, str(value), ttl))

    def delete(self, key: str) -> None:
        self._run(self.adelete(key))

    # ----- the same on the loop -----

    async def aget(self, key: str) -> str | None:
        row = await WeChatToken.get_or_none(key=key)
        if row is None or self._expired(row):
            return None
        return row.value

    async def aset(self, key: str, value: str, ttl: int | None = None) -> None:
        expires_at = self._clock() + timedelta(seconds=ttl) if ttl else None
        if await self._update(key, value, expires_at):
            return
        try:
            await WeChatToken.create(key=key, value=value, expires_at=expires_at)
        except IntegrityError:  # another replica stored one first: ours is newer
            await self._update(key, value, expires_at)

    async def adelete(self, key: str) -> None:
        await WeChatToken.filter(key=key).delete()

    # ----- helpers -----

    def _expired(self, row: WeChatToken) -> bool:
        return row.expires_at is not None and row.expires_at - EXPIRY_MARGIN <= self._clock()

    @staticmethod
    async def _update(key: str, value: str, expires_at: datetime | None) -> int:
        return await WeChatToken.filter(key=key).update(value=value, expires_at=expires_at)

    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` on the ORM's loop and wait for it (from a thread other than the loop's)."""
        if _running_loop() is self._loop:
            coro.close()
            raise RuntimeError("DbSessionStorage called on its event loop: use aget/aset")
        # A copy per call: one Context cannot be entered by two threads at once.
        future = self._context.copy().run(asyncio.run_coroutine_threadsafe, coro, self._loop)
        try:
            return future.result(self._timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise WeChatError(None, "token storage did not answer in time") from None


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
