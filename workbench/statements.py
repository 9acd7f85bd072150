"""对账 screens (seed 000): 生成对账单 (choose a customer, filter its ERP documents, tick, create),
对账单历史, and a statement's page with exactly the actions seed 000's table allows, 反馈内容,
操作记录, 分享 (QR code, link, mini-program path) and the PDF.

Each page calls the use cases and views the API's statement routes call (backoffice_api/
statements.py, customers.py's picker, reports.py's period summary), as the signed-in person.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Mapping
from datetime import date
from typing import Any

from aiohttp import web

from domain import reports
from domain.access import get_visible_customer
from domain.actors import Actor
from domain.common_errors import BAD_FIELD
from domain.customers import service as customers
from domain.documents.rules import DOC_TYPE_LABELS, DOC_TYPES
from domain.errors import Invalid
from domain.qr import qr_png
from domain.staff_queries import month_so_far
from domain.statements import rules
from domain.statements import service as statements
from domain.statements.picker import documents_to_pick
from domain.statements.views import answerer_name, event_view, staff_view
from httpcommon.errors import status_of
from httpcommon.jsonio import read_form_fields
from httpcommon.keys import ACTOR, SETTINGS, now, statement_lines
from httpcommon.params import path_id
from httpcommon.printing import statement_pdf
from httpcommon.sharing import share_settings, share_urls
from workbench import statement_forms as forms
from workbench.guard import may, page
from workbench.pages import HEADERS, flash, money, redirect, render
from workbench.paths import PREFIX

routes = web.RouteTableDef()
BASE = f"{PREFIX}/statements"
PAGE_SIZE = 20
PICK_LIMIT = 500  # the picker's documents on one page; more asks for a shorter period
CUSTOMER_RESULTS = 20
CUSTOMER_CHOICES = 500  # the history's customer filter
TYPE_CHOICES = [(t, DOC_TYPE_LABELS[t]) for t in DOC_TYPES]
# The API operation behind each of seed 000's buttons: the roles that may press it.
ACTION_OPERATIONS = {
    rules.RECEIVE: "POST /statements/{id}/receive",
    rules.MISMATCH: "POST /statements/{id}/mismatch",
    rules.MATCH: "POST /statements/{id}/match",
    rules.FEEDBACK: "GET /statements/{id}/feedback",
    rules.SHARE: "POST /statements/{id}/share",
    rules.DELETE: "DELETE /statements/{id}",
    rules.CANCEL: "POST /statements/{id}/cancel",
}
EVENT_LABELS = {"create": "生成对账单", "answer": "客户答复", **rules.ACTION_LABELS,
                rules.MATCH: "符合确认", rules.MISMATCH: "不符合确认"}
VIA_LABELS = {"h5": "分享链接页面", "mp": "小程序"}


def statement_path(statement_id: int) -> str:
    return f"{BASE}/{statement_id}"


# -- 对账单历史 -------------------------------------------------------------------------------
@routes.get("/statements", name="statements")
@page("GET /statements")
async def history_page(request: web.Request) -> web.Response:
    actor = request[ACTOR]
    try:
        filters = forms.history_filters(request.query)
        rows = await statements.history_items(
            actor, customer_id=filters.customer_id, status=filters.status,
            date_from=filters.date_from, date_to=filters.date_to,
            limit=PAGE_SIZE + 1, offset=(filters.page - 1) * PAGE_SIZE)
    except Invalid as exc:  # a filter typed wrong: the list again with the message
        return await _history(request, forms.HistoryFilters(), [], error=exc.message,
                              status=status_of(exc))
    return await _history(request, filters, rows)


async def _history(request: web.Request, filters: forms.HistoryFilters, rows: list[dict], *,
                   error: str = "", status: int = 200) -> web.Response:
    actor = request[ACTOR]
    return await render(request, "statements/history.html", {
        "filters": filters, "rows": rows[:PAGE_SIZE], "has_next": len(rows) > PAGE_SIZE,
        "customers": await customers.list_customers(actor, include_disabled=True,
                                                    limit=CUSTOMER_CHOICES),
        "summary": await _period_summary(request, filters),
        "status_labels": rules.STATUS_LABELS, "error": error, "base": BASE,
    }, status=status)


async def _period_summary(request: web.Request, filters: forms.HistoryFilters) -> dict | None:
    """The period view of /reports/statements: the filter's dates, else this month so far."""
    first, today = month_so_far(now(request).date())
    date_from = filters.date_from or (first if not filters.date_to else None)
    date_to = filters.date_to or (today if not filters.date_from else None)
    if date_from is None or date_to is None:
        return None
    try:
        return await reports.statement_summary(
            request[ACTOR], date_from, date_to, request.config_dict[SETTINGS].timezone)
    except Invalid:  # more than the report's longest period, or a range back to front
        return None


# -- 生成对账单 -------------------------------------------------------------------------------
@routes.get("/statements/new", name="new_statement")
@page("POST /statements")
async def new_page(request: web.Request) -> web.Response:
    return await _new(request, request.query)


@routes.get("/statements/new/customers", name="customer_results")
@page("GET /customers")
async def customer_results(request: web.Request) -> web.Response:
    """The customers matching what is typed so far (htmx swaps them under the search box)."""
    return await render(request, "statements/_customers.html", {
        "found": await _search_customers(request[ACTOR], request.query), "base": BASE})


async def _search_customers(actor: Actor, query: Mapping[str, str]) -> list:
    search = forms.note(query, "q", "搜索内容", forms.SEARCH_MAX)
    return await customers.list_customers(actor, include_disabled=False, search=search,
                                          limit=CUSTOMER_RESULTS)


def _picker_filters(request: web.Request,
                    fields: Mapping[str, str]) -> tuple[date, date, str | None]:
    """The dates and type asked for; a date not given: this month up to today's."""
    first, today = month_so_far(now(request).date())
    return (forms.day(fields, "from", "开始日期") or first,
            forms.day(fields, "to", "结束日期") or today, forms.doc_type(fields))


async def _new(request: web.Request, fields: Mapping[str, str], *, picked: tuple[str, ...] = (),
               error: str = "", status: int = 200) -> web.Response:
    """The page in two steps: search a customer; with one chosen, its documents to tick."""
    actor = request[ACTOR]
    context: dict[str, Any] = {"base": BASE, "q": fields.get("q", ""), "customer": None,
                               "error": error, "types": TYPE_CHOICES, "picked": set(picked)}
    customer_id = forms.whole(fields, "customer_id", "客户")
    if customer_id is None:
        context["found"] = await _search_customers(actor, fields)
        return await render(request, "statements/new.html", context, status=status)
    try:
        date_from, date_to, doc_type = _picker_filters(request, fields)
        documents = await _pick(actor, customer_id, date_from, date_to, doc_type)
    except Invalid as exc:  # the filters typed wrong: this month's documents, and why
        (date_from, date_to), doc_type = month_so_far(now(request).date()), None
        documents = await _pick(actor, customer_id, date_from, date_to, doc_type)
        context["error"], status = exc.message, status_of(exc)
    context.update(customer=await get_visible_customer(actor, customer_id),
                   date_from=date_from, date_to=date_to, doc_type=doc_type or "",
                   documents=documents, truncated=len(documents) >= PICK_LIMIT,
                   type_labels=DOC_TYPE_LABELS)
    return await render(request, "statements/new.html", context, status=status)


async def _pick(actor: Actor, customer_id: int, date_from: date, date_to: date,
                doc_type: str | None) -> list[dict]:
    return await documents_to_pick(actor, customer_id, date_from=date_from, date_to=date_to,
                                   doc_type=doc_type, limit=PICK_LIMIT)


@routes.post("/statements", name="create_statement")
@page("POST /statements")
async def create(request: web.Request) -> web.Response:
    fields = await read_form_fields(request)
    picked = tuple(dict.fromkeys(n for n in fields.getall("doc", []) if n))
    try:
        statement = await statements.create_statement(
            request[ACTOR], _new_statement(fields, picked), share_settings(request),
            now(request))
    except Invalid as exc:  # the same page again, with what was chosen and ticked
        return await _new(request, fields, picked=picked, error=exc.message,
                          status=status_of(exc))
    await flash(request, f"已生成对账单（{statement.line_count} 笔）")
    raise redirect(request, statement_path(statement.id))


def _new_statement(fields: Mapping[str, str], picked: tuple[str, ...]):
    """The form as the use case's NewStatement: the ticked documents, or (按类型全部, e.g. a
    balance confirmation when the period has none) every counted one of the chosen type."""
    customer_id = forms.whole(fields, "customer_id", "客户")
    if customer_id is None:
        raise BAD_FIELD("请先选择客户")
    take_all = fields.get("take") == "all"
    if not picked and not take_all:
        raise BAD_FIELD("请勾选要对账的单据")
    doc_type = forms.doc_type(fields)
    return statements.NewStatement(
        customer_id=customer_id,
        date_from=forms.required_day(fields, "from", "开始日期"),
        date_to=forms.required_day(fields, "to", "结束日期"),
        numbers=() if take_all else picked,
        doc_types=(doc_type,) if doc_type else DOC_TYPES,
    )


# -- a statement's page ------------------------------------------------------------------------
@routes.get(r"/statements/{id:\d+}", name="statement")
@page("GET /statements/{id}")
async def statement_page(request: web.Request) -> web.Response:
    return await _statement(request, path_id(request))


async def _statement(request: web.Request, statement_id: int, *, form: str = "",
                     error: str = "", fields: Mapping[str, str] | None = None,
                     status: int = 200) -> web.Response:
    """The page; ``form`` names the action whose form failed with ``error`` (kept open,
    with what was typed in ``fields``)."""
    actor = request[ACTOR]
    statement = await statements.get_statement(actor, statement_id)
    view = staff_view(statement, await statement.customer,
                      await statement_lines(request, statement.id))
    buttons = _buttons(actor, view["actions"])
    return await render(request, "statements/detail.html", {
        "s": view, "buttons": buttons, "actions": {action for action, _ in buttons},
        "feedback": await _feedback(actor, statement.id, buttons),
        "events": [_event(e) for e in await statements.history(actor, statement.id)],
        "links": _links(await statements.list_share_links(actor, statement.id), request),
        "live": rules.LIVE, "link_states": rules.LINK_STATE_LABELS,
        "form": form, "error": error, "fields": fields or {}, "base": BASE,
        "path": statement_path(statement.id),
    }, status=status)


def _buttons(actor: Actor, actions: list[str]) -> list[tuple[str, str]]:
    """The table's actions for this state that this person's role may take, with their
    labels, in the table's order."""
    return [(action, rules.ACTION_LABELS[action]) for action in actions
            if may(actor, ACTION_OPERATIONS[action])]


async def _feedback(actor: Actor, statement_id: int, buttons) -> list[dict] | None:
    """反馈内容 (when the table allows it): the answers and confirmations, oldest first."""
    if rules.FEEDBACK not in dict(buttons):
        return None
    return [_event(e) for e in await statements.feedback(actor, statement_id)]


def _event(event) -> dict:
    view = event_view(event)
    view["label"] = EVENT_LABELS.get(event.action, event.action)
    view["by"] = answerer_name(event) or "—"
    view["via_label"] = VIA_LABELS.get(view["via"], "")
    return view


def _person(label: str) -> str:
    """An actor's label (kind:name) as people read it: the name."""
    return label.partition(":")[2] or label


def _links(links, request: web.Request) -> list[dict]:
    moment = now(request)
    return [{"id": link.id, "created_at": link.created_at, "created_by": _person(link.created_by),
             "expires_at": link.expires_at, "state": rules.link_state(link, moment)}
            for link in links]


# -- seed 000's actions --------------------------------------------------------------------------
async def _act(request: web.Request, action: str, run) -> web.Response:
    """Run ``run(actor, statement_id, fields)``, which answers what to tell the person; on bad
    input the page again with this action's form open and what was typed."""
    statement_id = path_id(request)
    fields = await read_form_fields(request)
    try:
        done = await run(request[ACTOR], statement_id, fields)
    except Invalid as exc:
        return await _statement(request, statement_id, form=action, error=exc.message,
                                fields=fields, status=status_of(exc))
    await flash(request, done)
    raise redirect(request, statement_path(statement_id))


@routes.post(r"/statements/{id:\d+}/receive", name="receive")
@page("POST /statements/{id}/receive")
async def receive(request: web.Request) -> web.Response:
    async def run(actor: Actor, statement_id: int, fields: Mapping[str, str]) -> str:
        amount = forms.amount(fields)
        await statements.record_payment(actor, statement_id, amount,
                                        forms.note(fields, "note", "备注"), now(request))
        return f"已记录收款 {money(amount)} 元"

    return await _act(request, rules.RECEIVE, run)


async def _confirm(request: web.Request, action: str, result: str) -> web.Response:
    async def run(actor: Actor, statement_id: int, fields: Mapping[str, str]) -> str:
        await statements.staff_confirm(actor, statement_id, result,
                                       forms.note(fields, "description", "说明"), now(request))
        return f"已{rules.ACTION_LABELS[action]}"

    return await _act(request, action, run)


@routes.post(r"/statements/{id:\d+}/match", name="match")
@page("POST /statements/{id}/match")
async def match(request: web.Request) -> web.Response:
    return await _confirm(request, rules.MATCH, rules.MATCHED)


@routes.post(r"/statements/{id:\d+}/mismatch", name="mismatch")
@page("POST /statements/{id}/mismatch")
async def mismatch(request: web.Request) -> web.Response:
    return await _confirm(request, rules.MISMATCH, rules.MISMATCHED)


@routes.post(r"/statements/{id:\d+}/cancel", name="cancel")
@page("POST /statements/{id}/cancel")
async def cancel(request: web.Request) -> web.Response:
    async def run(actor: Actor, statement_id: int, fields: Mapping[str, str]) -> str:
        await statements.cancel_confirmation(actor, statement_id, now(request))
        return "已取消确认，对账单回到未确认"

    return await _act(request, rules.CANCEL, run)


@routes.post(r"/statements/{id:\d+}/delete", name="delete")
@page("DELETE /statements/{id}")
async def delete(request: web.Request) -> web.Response:
    await statements.delete_statement(request[ACTOR], path_id(request), now(request))
    await flash(request, "已删除对账单")
    raise redirect(request, BASE)


# -- 分享 ---------------------------------------------------------------------------------------
@routes.post(r"/statements/{id:\d+}/share", name="share")
@page("POST /statements/{id}/share")
async def share(request: web.Request) -> web.Response:
    statement_id = path_id(request)
    link, _ = await statements.share_statement(
        request[ACTOR], statement_id, share_settings(request), now(request))
    await flash(request, "已生成分享链接：请客户扫码或打开链接确认")
    raise redirect(request, f"{statement_path(statement_id)}/share-links/{link.id}")


@routes.get(r"/statements/{id:\d+}/share-links/{link_id:\d+}", name="share_link")
@page("GET /statements/{id}/share-links")
async def share_link_page(request: web.Request) -> web.Response:
    """A live link to hand to the customer: its QR code to scan, the link to copy, and the
    mini-program page path."""
    statement_id = path_id(request)
    link, token = await statements.live_share_link(
        request[ACTOR], statement_id, path_id(request, "link_id"), share_settings(request),
        now(request))
    urls = share_urls(request, token, link)
    png = await asyncio.to_thread(qr_png, urls["url"])
    return await render(request, "statements/share.html", {
        "statement": await statements.get_statement(request[ACTOR], statement_id),
        "link": link, "url": urls["url"], "mp_path": urls["mp_path"],
        "qr": "data:image/png;base64," + base64.b64encode(png).decode(),
        "path": statement_path(statement_id),
    })


@routes.post(r"/statements/{id:\d+}/share-links/{link_id:\d+}/revoke", name="revoke")
@page("POST /statements/{id}/share-links/{link_id}/revoke")
async def revoke(request: web.Request) -> web.Response:
    statement_id = path_id(request)
    await statements.revoke_share_link(request[ACTOR], statement_id,
                                       path_id(request, "link_id"), now(request))
    await flash(request, "已吊销分享链接：打开它的人将看不到这张对账单")
    raise redirect(request, f"{statement_path(statement_id)}#share")


# -- PDF ----------------------------------------------------------------------------------------
@routes.get(r"/statements/{id:\d+}/pdf", name="statement_pdf")
@page("GET /statements/{id}/pdf")
async def pdf(request: web.Request) -> web.Response:
    statement = await statements.get_statement(request[ACTOR], path_id(request))
    view = staff_view(statement, await statement.customer,
                      await statement_lines(request, statement.id))
    return await statement_pdf(request, statement, view, HEADERS)
