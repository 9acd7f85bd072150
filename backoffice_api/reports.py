"""Report routes: the delivery ledger per day and period summaries."""

from __future__ import annotations

from aiohttp import web
from pydantic import Field

from backoffice_api.auth import actor_with
from domain import reports
from domain.actors import ADMIN, FINANCE, SALES
from httpcommon.contract import Routes
from httpcommon.fields import (
    DayOut,
    Id,
    Int,
    Items,
    Moment,
    Money,
    Offset,
    OptionalMoment,
    Period,
    Query,
    QueryDay,
    Reply,
    query_int,
)
from httpcommon.jsonio import json_response
from httpcommon.keys import SETTINGS, now
from httpcommon.replies import StatementStatus

routes = Routes()


class LedgerQuery(Query):
    date: QueryDay = None
    limit: query_int(1, 5000) = 500
    offset: Offset = 0


class Delivery(Reply):
    id: Int
    channel: str
    kind: str
    recipient_kind: str
    recipient_id: str
    recipient_name: str
    status: str
    attempts: Int
    queued_at: Moment
    sent_at: OptionalMoment
    statement_id: Id | None
    last_error: str
    undelivered_reason: str = Field(description="未发出的原因（仅 dead）：如 客户已取消关注公众号，"
                                                "且小程序未授权订阅消息")


class Ledger(Items[Delivery]):
    date: DayOut


class DaySummary(Reply):
    date: DayOut
    total: Int
    by_status: dict[str, Int]


class StatusTotals(Reply):
    count: Int
    closing: Money
    owed: Money
    received: Money


class StatusSummary(StatusTotals):
    status: StatementStatus
    label: str


class StatementsSummary(Reply):
    date_from: DayOut
    date_to: DayOut
    by_status: list[StatusSummary]
    total: StatusTotals


@routes.get("/deliveries", summary="每日发送记录", query=LedgerQuery, response=Ledger)
async def delivery_ledger(request: web.Request, query: LedgerQuery) -> web.Response:
    actor_with(request, ADMIN, FINANCE)
    day = query.date or now(request).date()
    items = await reports.delivery_ledger(day, limit=query.limit, offset=query.offset)
    return json_response({"date": day, "items": items})


@routes.get("/reports/deliveries", summary="发送汇总（按日、按状态）", query=Period,
            response=Items[DaySummary])
async def delivery_summary(request: web.Request, query: Period) -> web.Response:
    actor_with(request, ADMIN, FINANCE)
    return json_response({"items": await reports.delivery_summary(query.from_, query.to)})


@routes.get("/reports/statements", summary="对账结算汇总（按状态计数与金额）", query=Period,
            response=StatementsSummary)
async def statement_summary(request: web.Request, query: Period) -> web.Response:
    actor = actor_with(request, ADMIN, FINANCE, SALES)
    summary = await reports.statement_summary(
        actor, query.from_, query.to, request.config_dict[SETTINGS].timezone)
    return json_response(summary)
