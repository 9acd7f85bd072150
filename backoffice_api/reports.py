"""Report routes: the delivery ledger per day and period summaries."""

from __future__ import annotations

from typing import Annotated

from aiohttp import web
from pydantic import Field, WithJsonSchema

from backoffice_api.auth import actor_with
from domain import reports
from domain.actors import ADMIN, FINANCE, SALES
from domain.notices import ledger, resend
from httpcommon.contract import Routes
from httpcommon.fields import (
    Body,
    Day,
    DayOut,
    Id,
    Int,
    Items,
    Moment,
    Money,
    NotNull,
    Offset,
    OptionalMoment,
    Period,
    Query,
    QueryDay,
    Reply,
    query_choice,
    query_int,
)
from httpcommon.jsonio import json_response
from httpcommon.keys import SETTINGS, now
from httpcommon.params import path_id
from httpcommon.replies import StatementStatus

routes = Routes()


class LedgerQuery(Query):
    date: QueryDay = None
    state: Annotated[query_choice(*ledger.State), Field(
        description="只看一种状态：" + "、".join(
            f"{s} {label}" for s, label in ledger.STATE_LABELS.items()))] = None
    channel: query_choice(*ledger.CHANNEL_LABELS) = None
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
    kind_label: str = Field(description="通知类型，如 对账单通知")
    channel_label: str = Field(description="发送方式，如 微信模板消息、小程序订阅消息")
    state: Annotated[str, WithJsonSchema({"enum": list(ledger.State)})]
    state_label: str = Field(description="状态：" + "、".join(ledger.STATE_LABELS.values()))
    customer: str = Field(description="通知所涉客户的名称（无则为空）")
    reason: str = Field(description="未发出或正在重试的原因（其余为空）")
    next_attempt_at: OptionalMoment = Field(description="下次自动重试的时间（仅 重试中）")
    resendable: bool = Field(description="可否重发（失败、未送达、重试中）")


class Ledger(Items[Delivery]):
    date: DayOut


class DayOfFailures(Body):
    date: Annotated[Day, NotNull]


class Resent(Reply):
    date: DayOut
    count: Int = Field(description="放回发送队列的通知条数")


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
    items = await reports.delivery_ledger(day, state=query.state, channel=query.channel,
                                          limit=query.limit, offset=query.offset)
    return json_response({"date": day, "items": items})


@routes.post("/deliveries/{id}/resend", summary="重发一条通知（失败、未送达或重试中的）",
             response=Delivery)
async def resend_delivery(request: web.Request) -> web.Response:
    actor = actor_with(request, ADMIN, FINANCE)
    row = await resend.resend(actor, path_id(request), now(request))
    return json_response(reports.delivery_row(row))


@routes.post("/deliveries/resend-failed", summary="重发某日全部失败、重试中的通知",
             body=DayOfFailures, response=Resent)
async def resend_failed(request: web.Request, body: DayOfFailures) -> web.Response:
    actor = actor_with(request, ADMIN, FINANCE)
    count = await resend.resend_failed_of_day(actor, body.date, now(request))
    return json_response({"date": body.date, "count": count})


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
