"""The composition root: one `create_app(settings)` wires the store, edges and workers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from aiohttp import web

from backoffice_api.app import PREFIX as BACKOFFICE_PREFIX
from backoffice_api.app import create_backoffice_app
from backoffice_api.openapi_spec import OPENAPI as BACKOFFICE_OPENAPI
from bot.dingtalk_api import DingTalkApi
from bot.dingtalk_bot import create_stream_client
from bot.dingtalk_stream import stop as stop_task
from bot.senders import open_senders
from bot.templates import load_templates
from bot.wechat import WeChatGateway
from bot.wechat_callback import add_wechat_routes
from bot.wechat_tokens import DbSessionStorage
from domain.billing.views import bill_details
from domain.statements.line_cache import LineCache
from domain.statements.service import ShareSettings
from domain.statements.view_counter import ViewCounter
from httpcommon.apidocs import add_docs_routes
from httpcommon.errors import error_middleware
from httpcommon.keys import (
    CLOCK,
    DINGTALK,
    LINE_CACHE,
    METRICS,
    RATE_LIMITER,
    SETTINGS,
    STREAM,
    SUBSCRIBE_TEMPLATES,
    VIEW_CACHE,
    VIEW_COUNTER,
    WECHAT,
)
from httpcommon.lru import Lru
from httpcommon.observe import observing_middleware
from httpcommon.params import refuse_nul_middleware
from httpcommon.ratelimit import BAD_API_KEY, MP_BIND, MP_LOGIN, SHARE_OPEN, RateLimiter
from jobs.dispatcher import Dispatcher
from jobs.schedule import Scheduler
from miniapp_api.app import OPENAPI as MP_OPENAPI
from miniapp_api.app import PREFIX as MP_PREFIX
from miniapp_api.app import add_h5_routes, create_mp_app
from tally.db import close_orm, init_orm
from tally.health import add_ops_routes
from tally.metrics import Metrics
from tally.registries import build_registries, configure_events
from tally.sandbox import sandbox_app
from tally.settings import Settings
from workbench.app import PREFIX as WORKBENCH_PREFIX
from workbench.app import create_workbench_app
from workbench.approval_page import add_approval_page_routes

VIEW_FLUSH_SECONDS = 1.0
SCHEDULER: web.AppKey[Scheduler] = web.AppKey("scheduler", Scheduler)
log = logging.getLogger(__name__)


def create_app(
    settings: Settings, *, clock: Callable[[], datetime] | None = None, wechat=None,
    dingtalk=None, sandbox=None,
) -> web.Application:
    build_registries()
    configure_events(settings)
    metrics = Metrics(stream=settings.dingtalk_stream)
    app = web.Application(middlewares=[observing_middleware(metrics.observe_request),
                                       error_middleware, refuse_nul_middleware],
                          client_max_size=8 * 1024**2)
    app[SETTINGS] = settings
    app[METRICS] = metrics
    zone = ZoneInfo(settings.timezone)
    app[CLOCK] = clock or (lambda: datetime.now(zone))
    app[VIEW_COUNTER] = ViewCounter()
    app[LINE_CACHE] = LineCache(bill_details=bill_details)
    app[VIEW_CACHE] = Lru(5000)
    app[RATE_LIMITER] = _rate_limiter(settings)
    app[SUBSCRIBE_TEMPLATES] = _subscribe_templates(settings)
    app.cleanup_ctx.append(_orm_ctx)
    app.cleanup_ctx.append(_wechat_ctx(wechat))
    app.cleanup_ctx.append(_dingtalk_ctx(dingtalk))
    app.cleanup_ctx.append(_delivery_ctx)
    app.cleanup_ctx.append(_view_flush_ctx)
    if settings.jobs_enabled:
        app[SCHEDULER] = Scheduler(settings, app[CLOCK])
        app.cleanup_ctx.append(_jobs_ctx)
    app.add_subapp(BACKOFFICE_PREFIX, create_backoffice_app())
    app.add_subapp(MP_PREFIX, create_mp_app())
    workbench = create_workbench_app(settings)
    app.add_subapp(WORKBENCH_PREFIX, workbench)
    add_h5_routes(app)
    add_wechat_routes(app)
    add_approval_page_routes(app, workbench)
    add_docs_routes(app, {
        f"{prefix}/docs": (meta["title"], f"{prefix}/openapi.json")
        for prefix, meta in ((BACKOFFICE_PREFIX, BACKOFFICE_OPENAPI), (MP_PREFIX, MP_OPENAPI))
    })
    if sandbox is not None:
        app.add_subapp("/_sandbox", sandbox_app(sandbox))
    add_ops_routes(app)
    return app


def _subscribe_templates(settings: Settings) -> tuple[tuple[str, str], ...]:
    """Each WeChat notice's (template id, mini-program template id); none without a
    mini-program."""
    if not settings.mini_program:
        return ()
    templates = load_templates(settings.wechat_templates).values()
    return tuple((t.template_id, t.mp_template_id) for t in templates if t.mp_template_id)


def _rate_limiter(settings: Settings) -> RateLimiter:
    return RateLimiter({
        MP_LOGIN: settings.rate_limit_mp_login, MP_BIND: settings.rate_limit_mp_bind,
        SHARE_OPEN: settings.rate_limit_share_open,
        BAD_API_KEY: settings.rate_limit_bad_api_key,
    }, trusted_proxies=settings.trusted_proxies.split(","))


async def _orm_ctx(app: web.Application):
    await init_orm(app[SETTINGS])
    yield
    await close_orm()


def wechat_gateway(settings: Settings) -> WeChatGateway:
    """Both WeChat apps of ``settings``, their tokens kept in the database (shared by replicas)."""
    return WeChatGateway(
        settings.wechat_appid, settings.wechat_secret, api_base=settings.wechat_api_base,
        mp_appid=settings.mp_appid, mp_secret=settings.mp_secret,
        max_threads=settings.wechat_threads, session=DbSessionStorage(),
    )


def _wechat_ctx(injected):
    async def ctx(app: web.Application):
        settings = app[SETTINGS]
        gateway = injected or wechat_gateway(settings)
        app[WECHAT] = gateway
        yield
        if injected is None:
            await gateway.close()

    return ctx


def _dingtalk_ctx(injected):
    """The DingTalk OpenAPI client, and the stream connection that brings staff messages and
    card presses (its own connection loop, stopped cleanly with the app)."""

    async def ctx(app: web.Application):
        settings = app[SETTINGS]
        api = injected or DingTalkApi(
            settings.dingtalk_client_id, settings.dingtalk_client_secret,
            settings.dingtalk_robot_code, settings.dingtalk_openapi_base,
            oapi_base=settings.dingtalk_oapi_base,
        )
        app[DINGTALK] = api
        task = None
        if settings.dingtalk_stream:
            client = create_stream_client(
                client_id=settings.dingtalk_client_id,
                client_secret=settings.dingtalk_client_secret,
                openapi_base=settings.dingtalk_openapi_base, api=api, clock=app[CLOCK],
                share=ShareSettings.of(settings),
                finance_role=settings.handover_finance_role,
            )
            app[STREAM] = client
            task = asyncio.create_task(client.run(), name="dingtalk-stream")
        yield
        if task is not None:
            await stop_task(task)
        if injected is None:
            await api.close()

    return ctx


async def _delivery_ctx(app: web.Application):
    """The outbox worker: any replica may run one (rows are claimed with SKIP LOCKED)."""
    settings = app[SETTINGS]
    if not settings.delivery_worker:
        yield
        return
    async with open_senders(settings, app[WECHAT], app[DINGTALK]) as senders:
        dispatcher = Dispatcher(senders, settings, app[CLOCK],
                                observe=app[METRICS].observe_delivery)
        async with dispatcher.running():
            yield


async def _jobs_ctx(app: web.Application):
    """The daily jobs (reminders, approval reminders): fired by cron and once at start, each
    date run once across replicas (jobs.runs). After the ORM, which the jobs need."""
    scheduler = app[SCHEDULER]
    scheduler.start()
    yield
    await scheduler.stop()


async def _view_flush_ctx(app: web.Application):
    counter: ViewCounter = app[VIEW_COUNTER]

    async def flush_forever():
        while True:
            await asyncio.sleep(VIEW_FLUSH_SECONDS)
            try:
                await counter.flush()
            except Exception:  # a failed flush must not stop counting; the next one retries
                log.exception("flushing statement view counts failed")

    task = asyncio.create_task(flush_forever())
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    await counter.flush()
