"""交款交账 (seed 001, SPEC §9): the 员工对账列表 with its bulk 一键对账 / 取消对账 / 关账 / 反关账,
and one employee's day with seed 001's tabs, 打印 and the per-document actions.

Every read and change goes through the use cases the API's hand-over routes call
(``domain.handover.report``, ``confirm``, ``close``); every button shows only to the roles the
API admits to its operation. A change posts, flashes what it did and redirects back (the form's
``back``); a refused one re-renders the page it came from with the message and the ticks kept.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping
from datetime import date, timedelta
from functools import partial
from math import ceil
from urllib.parse import quote

from aiohttp import web
from multidict import MultiDict, MultiDictProxy
from yarl import URL

from domain.actors import Actor
from domain.common_errors import BAD_FIELD, BAD_QUERY
from domain.errors import DomainError
from domain.handover import close, confirm
from domain.handover.pdf import DIRECTIONS
from domain.handover.report import (
    ALL,
    CONFIRMED_FILTERS,
    SECTION_LABELS,
    readable_day_report,
    readable_staff,
    staff_days,
)
from domain.handover.rules import (
    DOCUMENT,
    MAX_DAYS,
    MAX_ITEMS,
    RECEIPT_ACTION_LABELS,
    day_span,
)
from domain.limits import ID_MAX
from httpcommon.error_codes import TOO_MANY
from httpcommon.errors import status_of
from httpcommon.jsonio import read_form_fields
from httpcommon.keys import ACTOR, now
from httpcommon.params import DIGITS, parse_date, path_id
from httpcommon.printing import day_report_pdf
from workbench.guard import page, permitted, safe_next
from workbench.pages import flash, is_htmx, redirect, refusal, render
from workbench.paths import PREFIX

routes = web.RouteTableDef()
BASE = f"{PREFIX}/handover"
DAY_PATH = re.compile(re.escape(BASE) + r"/([^/]+)/([^/]+)")
PAGE_SIZE = 100
TABS = {"summary": "日报汇总", **{name: SECTION_LABELS[name] for name in (
    "receipts", "sales", "expenses", "other_incomes", "exchanges", "customers", "deliveries")}}
# The buttons, each with the API operation whose roles may press it.
OPERATIONS = {
    "confirm": "POST /handover/confirm", "unconfirm": "POST /handover/unconfirm",
    "close": "POST /handover/close", "reopen": "POST /handover/reopen",
    "remarks": "POST /handover/remarks", "audit": "POST /handover/receipts/{id}/audit",
    "unaudit": "POST /handover/receipts/{id}/unaudit",
    "void": "POST /handover/receipts/{id}/void",
}
Query = Mapping[str, str]
DAY_ROWS = 200  # rows of a day's tab per page


# ----- 员工对账列表 ------------------------------------------------------------------------------


@routes.get("/handover", name="handover")
@page("GET /handover/days")
async def staff_list(request: web.Request) -> web.Response:
    return await _list_page(request, request.query)


def _this_week(today: date) -> tuple[date, date]:
    """Monday of this week to today."""
    return today - timedelta(days=today.weekday()), today


def _range(query: Query, today: date) -> list[date]:
    """The listed days: ?date_from= to ?date_to= (default this week so far)."""
    monday, _ = _this_week(today)
    first = parse_date(query["date_from"], "开始日期") if query.get("date_from") else monday
    last = parse_date(query["date_to"], "结束日期") if query.get("date_to") else today
    return day_span(first, last)


def _page_number(raw: str | None, pages: int) -> int:
    number = int(raw) if raw and raw.isascii() and raw.isdigit() and len(raw) < 6 else 1
    return min(max(number, 1), max(pages, 1))


async def _list_page(request: web.Request, query: Query, *, picked: frozenset[str] = frozenset(),
                     error: str = "", status: int = 200) -> web.Response:
    actor: Actor = request[ACTOR]
    today = now(request).date()
    monday, _ = _this_week(today)
    show_all = query.get("show_all") == "1"
    try:
        days = _range(query, today)
    except DomainError as exc:  # the filter form stays, with what was typed and why not
        days, error, status = [], exc.message, status_of(exc)
    rows = await staff_days(days, staff_ids=readable_staff(actor, None),
                            show_all=show_all) if days else []
    rows.sort(key=lambda row: row["day"], reverse=True)  # the latest day first, by name within
    pages = ceil(len(rows) / PAGE_SIZE)
    number = _page_number(query.get("page"), pages)
    filters = {"date_from": query.get("date_from") or monday.isoformat(),
               "date_to": query.get("date_to") or today.isoformat(),
               "show_all": show_all}
    return await render(request, "handover/list.html", {
        "rows": rows[(number - 1) * PAGE_SIZE:number * PAGE_SIZE], "total": len(rows),
        "page": number, "pages": pages, "filters": filters, "can": permitted(actor, OPERATIONS),
        "picked": picked, "error": error, "back": _here(BASE, query),
        "page_link": partial(_page_link, filters), "base": BASE,
    }, status=status)


def _here(path: str, query: Query) -> str:
    return str(URL(path).with_query({k: v for k, v in query.items() if k != "_csrf"}))


def _page_link(filters: dict, number: int) -> str:
    query = {"date_from": filters["date_from"], "date_to": filters["date_to"],
             "page": str(number)}
    if filters["show_all"]:
        query["show_all"] = "1"
    return str(URL(BASE).with_query(query))


# ----- the bulk and per-document actions ---------------------------------------------------------

Action = Callable[[web.Request, MultiDict[str]], Awaitable[str]]


async def _act(request: web.Request, action: Action) -> web.Response:
    """Do ``action`` with the posted form; flash what it did and go back, or show the page it
    came from again with the refusal and the person's ticks and text kept."""
    fields = await read_form_fields(request)
    back = safe_next(fields.get("back"))
    try:
        message = await action(request, fields)
    except DomainError as exc:
        return await _again(request, back, fields, exc)
    await flash(request, message)
    raise redirect(request, back)


async def _again(request: web.Request, back: str, fields: MultiDict[str],
                 exc: DomainError) -> web.Response:
    url, status = URL(back), status_of(exc)
    if url.path == BASE:
        return await _list_page(request, url.query, picked=frozenset(fields.getall("pick", [])),
                                error=exc.message, status=status)
    if day := DAY_PATH.fullmatch(url.path):
        return await _day_page(request, day.group(1), day.group(2), url.query, kept=fields,
                               error=exc.message, status=status)
    return await refusal(request, exc.message, status)


def _picks(fields: MultiDict[str]) -> dict[date, set[str]]:
    """The ticked (person, day) rows, "YYYY-MM-DD|userid" each: the people ticked on each day."""
    values = fields.getall("pick", [])
    if not values:
        raise BAD_FIELD("请先勾选要操作的员工和日期")
    if len(values) > MAX_ITEMS:
        raise TOO_MANY(f"一次最多勾选 {MAX_ITEMS} 行", limit=MAX_ITEMS)
    days: dict[date, set[str]] = defaultdict(set)
    for value in values:
        day, _, userid = value.partition("|")
        if not userid:
            raise BAD_FIELD(f"勾选的行不对: {value[:40]!r}")
        days[parse_date(day, "日期")].add(userid)
    if len(days) > MAX_DAYS:
        raise BAD_FIELD(f"一次最多操作 {MAX_DAYS} 天")
    return days


async def _picked_groups(fields: MultiDict[str]) -> list[tuple[list[int], list[date]]]:
    """The ticked rows as (staff ids, days) groups whose every pair was ticked: days with the
    same people ticked go together, so a use case over people × days touches only ticked
    rows. Every person is checked to exist before anything changes."""
    picks = _picks(fields)
    await close.staff_ids_by_userid(set().union(*picks.values()))  # 400 naming unknown people
    by_people: dict[frozenset[str], list[date]] = defaultdict(list)
    for day, userids in sorted(picks.items()):
        by_people[frozenset(userids)].append(day)
    return [(await close.staff_ids_by_userid(people), days)
            for people, days in by_people.items()]


def _refs(fields: MultiDict[str]) -> list[confirm.Ref]:
    """The ticked documents, "kind:id" each."""
    values = fields.getall("ref", [])
    if len(values) > MAX_ITEMS:
        raise TOO_MANY(f"一次最多勾选 {MAX_ITEMS} 张单据", limit=MAX_ITEMS)
    refs = []
    for value in values:
        kind, _, raw = value.partition(":")
        if not DIGITS.fullmatch(raw) or not 0 < int(raw) <= ID_MAX:
            raise BAD_FIELD(f"勾选的单据不对: {value[:40]!r}")
        refs.append((kind, int(raw)))
    return refs


async def _over_days(request: web.Request, fields: MultiDict[str], change) -> list:
    """``change`` (a people × days use case) over each group of ticked rows."""
    by = request[ACTOR].label
    return [await change(staff_ids, days, by=by, now=now(request))
            for staff_ids, days in await _picked_groups(fields)]


def _sum(results: list[dict], key: str) -> int:
    return sum(result[key] for result in results)


async def _confirm(request: web.Request, fields: MultiDict[str]) -> str:
    if refs := _refs(fields):
        results = [await confirm.confirm(refs, by=request[ACTOR].label, now=now(request))]
    else:
        results = await _over_days(request, fields, confirm.confirm_days)
    audited = _sum(results, "audited")
    return (f"已对账确认 {_sum(results, 'confirmed')} 张单据"
            + (f"，同时审核 {audited} 张资金单据" if audited else ""))


async def _unconfirm(request: web.Request, fields: MultiDict[str]) -> str:
    if refs := _refs(fields):
        results = [await confirm.unconfirm(refs, by=request[ACTOR].label, now=now(request))]
    else:
        results = await _over_days(request, fields, confirm.unconfirm_days)
    return f"已取消对账确认 {_sum(results, 'unconfirmed')} 张单据"


async def _close(request: web.Request, fields: MultiDict[str]) -> str:
    count = sum(await _over_days(request, fields, close.close_days))
    return f"已关账 {count} 个员工日" if count else "所选的员工日都已关账"


async def _reopen(request: web.Request, fields: MultiDict[str]) -> str:
    count = sum(await _over_days(request, fields, close.reopen_days))
    return f"已反关账 {count} 个员工日" if count else "所选的员工日都未关账"


async def _remark(request: web.Request, fields: MultiDict[str]) -> str:
    ids = [row_id for kind, row_id in _refs(fields) if kind == DOCUMENT]
    if not ids:
        raise BAD_FIELD("请先勾选要追加备注的销售单据")
    count = await confirm.append_remark(ids, fields.get("remark", ""))
    return f"已为 {count} 张单据追加备注"


async def _receipt_action(action: str, request: web.Request, fields: MultiDict[str]) -> str:
    receipt = await confirm.change_receipt_audit(path_id(request), action,
                                                 by=request[ACTOR].label, now=now(request))
    return f"收款单 {receipt['number']} 已{RECEIPT_ACTION_LABELS[action]}"


@routes.post("/handover/confirm")
@page("POST /handover/confirm")
async def confirm_picked(request: web.Request) -> web.Response:
    """一键对账 of the ticked people × days, or 对账确认 of the ticked documents."""
    return await _act(request, _confirm)


@routes.post("/handover/unconfirm")
@page("POST /handover/unconfirm")
async def unconfirm_picked(request: web.Request) -> web.Response:
    return await _act(request, _unconfirm)


@routes.post("/handover/close")
@page("POST /handover/close")
async def close_picked(request: web.Request) -> web.Response:
    return await _act(request, _close)


@routes.post("/handover/reopen")
@page("POST /handover/reopen")
async def reopen_picked(request: web.Request) -> web.Response:
    return await _act(request, _reopen)


@routes.post("/handover/remarks")
@page("POST /handover/remarks")
async def remark_picked(request: web.Request) -> web.Response:
    """批量追加备注 to the ticked sales documents."""
    return await _act(request, _remark)


@routes.post("/handover/receipts/{id}/audit")
@page("POST /handover/receipts/{id}/audit")
async def audit_receipt(request: web.Request) -> web.Response:
    return await _act(request, partial(_receipt_action, "audit"))


@routes.post("/handover/receipts/{id}/unaudit")
@page("POST /handover/receipts/{id}/unaudit")
async def unaudit_receipt(request: web.Request) -> web.Response:
    return await _act(request, partial(_receipt_action, "unaudit"))


@routes.post("/handover/receipts/{id}/void")
@page("POST /handover/receipts/{id}/void")
async def void_receipt(request: web.Request) -> web.Response:
    return await _act(request, partial(_receipt_action, "void"))


# ----- one employee's day ----------------------------------------------------------------------


async def _readable_report(actor: Actor, userid: str, day_text: str, confirmed: str) -> dict:
    """The day report as the API gives it: 404 for nobody, 403 for another salesperson's."""
    return await readable_day_report(actor, userid, parse_date(day_text, "日期"),
                                     confirmed=confirmed or ALL)


@routes.get("/handover/{userid}/{date}", name="handover_day")
@page("GET /handover/days/{userid}/{date}")
async def staff_day(request: web.Request) -> web.Response:
    """An employee's day with seed 001's tabs (?tab=); a tab's link loads alone under htmx."""
    return await _day_page(request, request.match_info["userid"], request.match_info["date"],
                           request.query)


@routes.get("/handover/{userid}/{date}/report.pdf")
@page("GET /handover/days/{userid}/{date}/report.pdf")
async def staff_day_pdf(request: web.Request) -> web.Response:
    """打印: the 日报汇总 PDF, as the API's."""
    report = await _readable_report(request[ACTOR], request.match_info["userid"],
                                    request.match_info["date"],
                                    request.query.get("confirmed", ALL))
    return await day_report_pdf(request, report)


async def _day_page(request: web.Request, userid: str, day_text: str, query: Query, *,
                    kept: MultiDict[str] | MultiDictProxy[str] | None = None, error: str = "",
                    status: int = 200) -> web.Response:
    actor: Actor = request[ACTOR]
    tab = query.get("tab") or "summary"
    if tab not in TABS:
        raise BAD_QUERY(f"没有这个分页: {tab[:20]}")
    report = await _readable_report(actor, userid, day_text, query.get("confirmed", ALL))
    path = f"{BASE}/{quote(userid, safe='')}/{report['day']}"
    sections, pager = _one_page(report["sections"], tab, path, query)
    kept = kept if kept is not None else MultiDict()
    template = "handover/_day_body.html" if is_htmx(request) and not error else "handover/day.html"
    return await render(request, template, {
        "report": report, "summary": report["summary"], "sections": sections, "pager": pager,
        "tab": tab, "tabs": _tabs(report, path), "can": permitted(actor, OPERATIONS),
        "day_path": path,
        "back": _here(path, query), "pick": f"{report['day']}|{userid}",
        "ticked": frozenset(kept.getall("ref", [])), "remark": kept.get("remark", ""),
        "error": error, "filters": CONFIRMED_FILTERS, "directions": DIRECTIONS,
        "action_labels": RECEIPT_ACTION_LABELS,
        "list_path": _page_link({"date_from": report["day"], "date_to": report["day"],
                                 "show_all": False}, 1),
    }, status=status)


def _one_page(sections: dict, tab: str, path: str, query: Query) -> tuple[dict, dict | None]:
    """The open tab's rows, ``DAY_ROWS`` at a time (a busy day holds thousands of documents:
    a phone should not get them all at once), and its pager; the other sections as they are."""
    rows = sections.get(tab)
    if not isinstance(rows, list) or len(rows) <= DAY_ROWS:
        return sections, None
    pages = ceil(len(rows) / DAY_ROWS)
    number = _page_number(query.get("page"), pages)
    keep = {key: query[key] for key in ("tab", "confirmed") if query.get(key)}

    def link(n: int) -> str:
        return str(URL(path).with_query({**keep, "page": n}))

    pager = {"page": number, "pages": pages, "rows": len(rows),
             "prev": link(number - 1) if number > 1 else None,
             "next": link(number + 1) if number < pages else None}
    start = (number - 1) * DAY_ROWS
    return {**sections, tab: rows[start:start + DAY_ROWS]}, pager


def _tabs(report: dict, path: str) -> list[dict]:
    counts = {**report["summary"]["counts"], "customers": len(report["sections"]["customers"])}
    return [{"name": name, "label": label, "count": counts.get(name),
             "href": str(URL(path).with_query({"tab": name}) if name != "summary" else path)}
            for name, label in TABS.items()]
