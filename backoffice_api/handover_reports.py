"""Hand-over reading routes (SPEC §9, seed 001 §3.1–3.10): the employee list, one person's day
report, and its printable PDF. Finance and admin read everyone; a sales key its own only."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from urllib.parse import quote

from aiohttp import web

from backoffice_api.auth import actor_with
from domain.actors import ADMIN, FINANCE, SALES, Actor
from domain.errors import Invalid
from domain.handover.pdf import render_day_report_pdf
from domain.handover.report import (
    ALL,
    day_report,
    readable_staff,
    staff_by_userid,
    staff_days,
)
from domain.limits import column_length
from domain.models import Staff
from httpcommon.jsonio import json_response
from httpcommon.keys import now
from httpcommon.params import flag, parse_date, query_date, query_text

routes = web.RouteTableDef()
READERS = (ADMIN, FINANCE, SALES)
MAX_DAYS = 31


def _days(request: web.Request) -> list[date]:
    """?date= (default today) to ?date_to= (default the same day), at most 31 days."""
    first = query_date(request, "date") or now(request).date()
    last = query_date(request, "date_to") or first
    if last < first:
        raise Invalid("bad_date_range", "date_to 不能早于 date")
    if (last - first).days >= MAX_DAYS:
        raise Invalid("bad_date_range", f"日期范围不能超过 {MAX_DAYS} 天")
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


@routes.get("/handover/days")
async def list_days(request: web.Request) -> web.Response:
    """员工交账列表: one row per person and day with documents (?show_all=1: every active
    staff member too); ?staff=userid for one person."""
    actor = actor_with(request, *READERS)
    days = _days(request)
    userid = query_text(request, "staff", column_length(Staff, "dingtalk_userid"))
    wanted = [(await staff_by_userid(userid)).id] if userid else None
    items = await staff_days(days, staff_ids=readable_staff(actor, wanted),
                             show_all=flag(request, "show_all"))
    return json_response({"items": items})


async def _report(request: web.Request, actor: Actor) -> dict:
    staff = await staff_by_userid(request.match_info["userid"])
    day = parse_date(request.match_info["date"], "date")
    readable_staff(actor, [staff.id])
    return await day_report(staff.id, day, confirmed=request.query.get("confirmed") or ALL)


@routes.get("/handover/days/{userid}/{date}")
async def get_day(request: web.Request) -> web.Response:
    """日报汇总 of one person's day; ?confirmed=all|yes|no filters the other-income rows."""
    actor = actor_with(request, *READERS)
    return json_response(await _report(request, actor))


@routes.get("/handover/days/{userid}/{date}/report.pdf")
async def get_day_pdf(request: web.Request) -> web.Response:
    """日报汇总 as a printable A4 PDF with every section."""
    actor = actor_with(request, *READERS)
    report = await _report(request, actor)
    body = await asyncio.to_thread(render_day_report_pdf, report)
    filename = f"handover-{report['staff']['userid'] or report['staff']['id']}-{report['day']}.pdf"
    return web.Response(body=body, content_type="application/pdf", headers={
        "Content-Disposition": f"inline; filename=\"{_ascii(filename)}\"; "
                               f"filename*=UTF-8''{quote(filename)}"})


def _ascii(name: str) -> str:
    """A header-safe fallback for the plain filename= parameter."""
    return "".join(c if c.isascii() and c not in '"\\' else "_" for c in name)
