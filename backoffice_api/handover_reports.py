"""Hand-over reading routes (SPEC §9, seed 001 §3.1–3.10): the employee list, one person's day
report, and its printable PDF. Finance and admin read everyone; a sales key its own only."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from aiohttp import web
from pydantic import Field, WithJsonSchema

from backoffice_api.auth import actor_with
from backoffice_api.handover_replies import DayReport, StaffDay
from domain.actors import ADMIN, FINANCE, SALES, Actor
from domain.handover.report import (
    ALL,
    readable_day_report,
    readable_staff,
    staff_by_userid,
    staff_days,
)
from domain.handover.rules import day_span
from domain.limits import column_length
from domain.org.models import Staff
from httpcommon.contract import Routes
from httpcommon.fields import Items, Query, QueryDay, QueryFlag, query_raw, query_text
from httpcommon.jsonio import json_response
from httpcommon.keys import now
from httpcommon.params import parse_date
from httpcommon.printing import day_report_pdf

routes = Routes()
READERS = (ADMIN, FINANCE, SALES)
USERID = column_length(Staff, "dingtalk_userid")


class DaysQuery(Query):
    date: Annotated[QueryDay, Field(description="业务日期（默认今天）")] = None
    date_to: Annotated[QueryDay, Field(description="结束日期（默认同 date，最多 31 天）")] = None
    staff: Annotated[query_text(USERID),
                     Field(description="只看此员工（钉钉 userid）")] = None
    show_all: Annotated[QueryFlag, WithJsonSchema({"enum": ["1", "0"]}), Field(
        description="显示全部员工：当天无单据的在职员工也列出")] = False


class ReportQuery(Query):
    confirmed: Annotated[query_raw({"enum": ["all", "yes", "no"]}), Field(
        description="其他收入单的对账确认状态筛选：all 全部状态（默认）/ no 待确认 / yes 已确认")
    ] = None


def _days(request: web.Request, query: DaysQuery) -> list[date]:
    """?date= (default today) to ?date_to= (default the same day)."""
    first = query.date or now(request).date()
    return day_span(first, query.date_to or first)


@routes.get("/handover/days", query=DaysQuery, response=Items[StaffDay], summary=(
    "员工交账列表：每人每天的单据汇总、待确认数、对账与关账状态（销售仅见自己）"))
async def list_days(request: web.Request, query: DaysQuery) -> web.Response:
    """员工交账列表: one row per person and day with documents (?show_all=1: every active
    staff member too); ?staff=userid for one person."""
    actor = actor_with(request, *READERS)
    days = _days(request, query)
    wanted = [(await staff_by_userid(query.staff)).id] if query.staff else None
    items = await staff_days(days, staff_ids=readable_staff(actor, wanted),
                             show_all=query.show_all)
    return json_response({"items": items})


async def _report(request: web.Request, actor: Actor, query: ReportQuery) -> dict:
    return await readable_day_report(actor, request.match_info["userid"],
                                     parse_date(request.match_info["date"], "date"),
                                     confirmed=query.confirmed or ALL)


@routes.get("/handover/days/{userid}/{date}", query=ReportQuery, response=DayReport, summary=(
    "日报汇总：销售、收款（含核销）、费用、其他收入、兑换货物、客户汇总、配送"))
async def get_day(request: web.Request, query: ReportQuery) -> web.Response:
    """日报汇总 of one person's day; ?confirmed=all|yes|no filters the other-income rows."""
    actor = actor_with(request, *READERS)
    return json_response(await _report(request, actor, query))


@routes.get("/handover/days/{userid}/{date}/report.pdf", query=ReportQuery,
            content="application/pdf", summary="日报汇总 PDF（A4，可打印）")
async def get_day_pdf(request: web.Request, query: ReportQuery) -> web.Response:
    """日报汇总 as a printable A4 PDF with every section."""
    actor = actor_with(request, *READERS)
    return await day_report_pdf(request, await _report(request, actor, query))
