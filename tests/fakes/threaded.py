"""A fake server's life: an aiohttp app on 127.0.0.1 served from its own thread and event loop,
so synchronous SDKs (wechatpy, dingtalk-stream's requests) can call it while the caller's loop
keeps running, and a blocked caller loop cannot deadlock it."""

from __future__ import annotations

import asyncio
import threading

from aiohttp import web


def take_fault(faults: list, path: str):
    """The first of ``faults`` (each with ``path`` and ``remaining``) that applies to ``path``,
    one use spent (gone when none is left); None when none applies. The caller holds its lock."""
    for fault in faults:
        if fault.path in (None, path):
            fault.remaining -= 1
            if fault.remaining <= 0:
                faults.remove(fault)
            return fault
    return None


class ThreadedServer:
    name = "fake"
    trailing_slash = False

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.base_url: str | None = None
        self._host, self._port = host, port
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._error: BaseException | None = None

    def make_app(self) -> web.Application:
        raise NotImplementedError

    async def before_shutdown(self) -> None:
        """Close what the app keeps open (websockets) before the runner stops."""

    def start(self) -> str:
        """Serve; returns the base URL. Starting twice returns the same URL."""
        if self._thread is not None:
            return self.base_url or ""
        ready = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(ready,), name=self.name, daemon=True
        )
        self._thread.start()
        if not ready.wait(10) or self._error is not None:
            self.stop()
            raise RuntimeError(f"{self.name} did not start: {self._error!r}")
        return self.base_url or ""

    def stop(self) -> None:
        thread, self._thread = self._thread, None
        if thread is None:
            return
        if thread.is_alive() and self._loop is not None and self._stopping is not None:
            self._loop.call_soon_threadsafe(self._stopping.set)
        thread.join(10)
        self._loop = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _run(self, ready: threading.Event) -> None:
        try:
            asyncio.run(self._serve(ready))
        except BaseException as exc:  # reported by start()
            self._error = exc
        finally:
            ready.set()

    async def _serve(self, ready: threading.Event) -> None:
        self._loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        runner = web.AppRunner(self.make_app(), shutdown_timeout=1.0, access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, self._host, self._port).start()
            host, port = runner.addresses[0][:2]
            self.base_url = f"http://{host}:{port}" + ("/" if self.trailing_slash else "")
            ready.set()
            await self._stopping.wait()
            await self.before_shutdown()
        finally:
            await runner.cleanup()
