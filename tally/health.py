"""The operator's routes: /healthz (the process answers), /readyz (it can do its work) and
/metrics (Prometheus text format).

Ready means: the database answers within ``DB_TIMEOUT`` seconds, every migration on disk is
applied, the DingTalk stream is connected (when enabled), and the outbox is moving — no pending
row has been due for longer than ``ready_outbox_stuck_minutes`` (rows waiting for a retry are
not due yet, so an outage of WeChat alone does not count; rows nobody claims do). Each check is
named in the JSON body with ``ok`` and what it found; any failing check answers 503.
"""

from __future__ import annotations

import asyncio
import pkgutil
from collections.abc import Awaitable, Callable

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST
from tortoise.connection import get_connection

import tally.migrations
from domain.notices import outbox
from httpcommon.keys import CLOCK, METRICS, SETTINGS, STREAM

DB_TIMEOUT = 2.0
Check = Callable[[web.Application], Awaitable[dict]]


def add_ops_routes(app: web.Application) -> None:
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)


async def healthz(request: web.Request) -> web.Response:
    """The process is alive and serving; says nothing of the database (that is /readyz)."""
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    app = request.app
    checks = {"database": await _database(app)}
    if checks["database"]["ok"]:
        checks["migrations"] = await _migrations(app)
        checks["outbox"] = await _outbox(app)
    if app[SETTINGS].dingtalk_stream:
        checks["dingtalk_stream"] = _stream(app)
    ready = all(check["ok"] for check in checks.values())
    return web.json_response({"status": "ready" if ready else "not_ready", "checks": checks},
                             status=200 if ready else 503)


async def metrics(request: web.Request) -> web.Response:
    body = await request.app[METRICS].render(request.app.get(STREAM))
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


async def _database(app: web.Application) -> dict:
    try:
        await asyncio.wait_for(get_connection("default").execute_query("SELECT 1"), DB_TIMEOUT)
    except Exception as exc:  # whatever the driver raises, the answer is "not reachable"
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True}


async def _migrations(app: web.Application) -> dict:
    on_disk = migration_names()
    try:
        _, rows = await get_connection("default").execute_query(
            "SELECT name FROM tortoise_migrations WHERE app = 'models'")
    except Exception as exc:  # no migrations table: nothing was ever migrated
        return {"ok": False, "error": type(exc).__name__, "pending": on_disk}
    applied = {row[0] for row in rows}
    pending = [name for name in on_disk if name not in applied]
    return {"ok": not pending, "pending": pending}


def migration_names() -> list[str]:
    """The migrations shipped with this version, in order."""
    return sorted(m.name for m in pkgutil.iter_modules(tally.migrations.__path__)
                  if m.name[:4].isdigit())


async def _outbox(app: web.Application) -> dict:
    limit = app[SETTINGS].ready_outbox_stuck_minutes * 60
    age = await outbox.oldest_due_pending_age(app[CLOCK]())
    waited = 0 if age is None else round(age)
    return {"ok": waited <= limit, "oldest_due_seconds": waited, "limit_seconds": limit}


def _stream(app: web.Application) -> dict:
    stream = app.get(STREAM)
    return {"ok": stream is not None and stream.connected}
