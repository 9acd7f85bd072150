"""发送记录 (seed 000: 后台会保留每天发送的记录): the day's ledger of notices — what, to whom,
how, where it stands and why not out — with 重发 for a failed one (or all failed of the day),
and the period summary per day and status. The same queries and use case as the API's
``GET /deliveries``, ``GET /reports/deliveries`` and ``POST /deliveries/{id}/resend``."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from aiohttp import web

from domain import reports
from domain.common_errors import BAD_DATE
from domain.errors import Invalid
from domain.notices import ledger, resend
from domain.notices.catalogue import label
from httpcommon.jsonio import read_form_fields
from httpcommon.keys import ACTOR, now
from httpcommon.params import parse_date, path_id
from workbench.guard import page
from workbench.pages import flash, redirect, render
from workbench.paths import PREFIX

routes = web.RouteTableDef()
HOME = f"{PREFIX}/deliveries"
PAGE_SIZE = 100
SUMMARY_DAYS = 7  # the summary's default range: the last week, today included
STATE_BADGES = {
    ledger.State.QUEUED: "info", ledger.State.RETRYING: "warn", ledger.State.SENDING: "info",
    ledger.State.SENT: "ok", ledger.State.FAILED: "bad", ledger.State.UNDELIVERED: "bad",
}


def _day(raw: str | None, default: date) -> date:
    """A YYYY-MM-DD from a form or query ('' or absent: ``default``)."""
    raw = (raw or "").strip()
    if not raw:
        return default
    try:
        return parse_date(raw, "日期")
    except Invalid:
        raise BAD_DATE(f"日期格式不对：{raw[:20]}（应为 2026-11-23 这样的日期）") from None


def _choice(raw: str | None, allowed) -> str:
    """A filter value if it is one of ``allowed``, else none (a stale link shows everything)."""
    return raw if raw in allowed else ""


def ledger_path(day: date, state: str = "", channel: str = "", offset: int = 0) -> str:
    """The ledger of ``day`` with these filters (empty ones left out)."""
    query = {"date": day.isoformat(), "state": state, "channel": channel,
             "offset": str(offset) if offset else ""}
    return f"{HOME}?{urlencode({k: v for k, v in query.items() if v})}"


def _offset(raw: str | None) -> int:
    return int(raw) if raw and raw.isascii() and raw.isdigit() and len(raw) < 10 else 0


@routes.get("/deliveries", name="deliveries")
@page("GET /deliveries")
async def day_ledger(request: web.Request) -> web.Response:
    today = now(request).date()
    day = _day(request.query.get("date"), today)
    state = _choice(request.query.get("state"), set(ledger.State))
    channel = _choice(request.query.get("channel"), set(ledger.CHANNEL_LABELS))
    offset = _offset(request.query.get("offset"))
    rows = await reports.delivery_ledger(day, state=state or None, channel=channel or None,
                                         limit=PAGE_SIZE + 1, offset=offset)
    counts = await reports.delivery_day_counts(day, channel or None)
    # The bulk resend takes the whole day, whatever channel the page shows.
    whole_day = await reports.delivery_day_counts(day) if channel else counts
    return await render(request, "deliveries/ledger.html", {
        "day": day, "today": today, "state": state, "channel": channel,
        "rows": rows[:PAGE_SIZE], "counts": counts,
        "bulk_count": sum(whole_day[s] for s in ledger.RESEND_IN_BULK),
        "states": ledger.STATE_LABELS, "channels": ledger.CHANNEL_LABELS,
        "badges": STATE_BADGES, "ledger_path": ledger_path, "clock": _clock_on(day),
        **_links(day, today, state, channel, offset, more=len(rows) > PAGE_SIZE),
    })


def _links(day: date, today: date, state: str, channel: str, offset: int, *,
           more: bool) -> dict[str, str]:
    """The pager's and the day switcher's links ('' where there is nowhere to go)."""
    return {
        "previous": ledger_path(day, state, channel, max(offset - PAGE_SIZE, 0))
        if offset else "",
        "next": ledger_path(day, state, channel, offset + PAGE_SIZE) if more else "",
        "day_before": ledger_path(day - timedelta(days=1), state, channel),
        "day_after": ledger_path(day + timedelta(days=1), state, channel)
        if day < today else "",
    }


def _clock_on(day: date):
    """Times of the ledger's day as 10:05, of any other day with their date."""
    def clock(moment: datetime) -> str:
        return moment.strftime("%H:%M" if moment.date() == day else "%Y-%m-%d %H:%M")
    return clock


def _back(request: web.Request, fields) -> str:
    """Where a resend returns: the ledger the button was pressed on (rebuilt from its filters,
    never a posted URL)."""
    day = _day(fields.get("date"), now(request).date())
    return ledger_path(day, _choice(fields.get("state"), set(ledger.State)),
                       _choice(fields.get("channel"), set(ledger.CHANNEL_LABELS)),
                       _offset(fields.get("offset")))


@routes.post("/deliveries/{id}/resend", name="resend_delivery")
@page("POST /deliveries/{id}/resend")
async def resend_one(request: web.Request) -> web.Response:
    fields = await read_form_fields(request)
    back = _back(request, fields)
    row = await resend.resend(request[ACTOR], path_id(request), now(request))
    await flash(request, f"已重新排队发送：{label(row.kind)} → {row.recipient_name or '收件人'}"
                         "，稍后刷新查看结果")
    raise redirect(request, back)


@routes.post("/deliveries/resend-failed", name="resend_failed")
@page("POST /deliveries/resend-failed")
async def resend_day(request: web.Request) -> web.Response:
    fields = await read_form_fields(request)
    back = _back(request, fields)
    day = _day(fields.get("date"), now(request).date())
    count = await resend.resend_failed_of_day(request[ACTOR], day, now(request))
    if count:
        await flash(request, f"已将 {day:%Y-%m-%d} 的 {count} 条失败通知重新排队发送")
    else:
        await flash(request, f"{day:%Y-%m-%d} 没有可重发的失败通知", "warn")
    raise redirect(request, back)


@routes.get("/deliveries/summary", name="delivery_summary")
@page("GET /reports/deliveries")
async def period_summary(request: web.Request) -> web.Response:
    today = now(request).date()
    date_to = _day(request.query.get("to"), today)
    date_from = _day(request.query.get("from"), date_to - timedelta(days=SUMMARY_DAYS - 1))
    days = await reports.delivery_summary(date_from, date_to)
    totals = {status: sum(d["by_status"].get(status, 0) for d in days)
              for status in ledger.STATUS_LABELS}
    return await render(request, "deliveries/summary.html", {
        "date_from": date_from, "date_to": date_to, "days": days, "totals": totals,
        "grand_total": sum(d["total"] for d in days), "statuses": ledger.STATUS_LABELS,
        "ledger_path": ledger_path,
    })
