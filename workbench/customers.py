"""客户 (seed 003): the customer list and a customer's page — profile and balances, contacts and
how a notice reaches each, a bind QR code for a new contact, sharing with salespeople, disable /
enable / delete, and a parent's group summary.

Every figure and rule comes from the same use cases and queries as the back-office API
(``backoffice_api/customers.py``, ``bind_qr.py``); each page stands for an API operation, so
who may open it, and which buttons a person sees, follow the API's role table.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from decimal import Decimal

from aiohttp import web

from domain.access import get_visible_customer
from domain.actors import Actor
from domain.common_errors import BAD_FIELD, BAD_QUERY
from domain.contacts import MINIPROGRAM, OFFICIAL_ACCOUNT
from domain.credit.overview import customer_credit, customer_debts
from domain.customer_views import customer_detail, customer_rows
from domain.customers import bind_qr, shares
from domain.customers import service as customers
from domain.errors import DomainError
from httpcommon.bind_qr import mini_program, qr_maker, wechat_qr_errors
from httpcommon.errors import status_of
from httpcommon.jsonio import read_form_fields
from httpcommon.keys import ACTOR, SETTINGS, now
from httpcommon.params import DIGITS, path_id
from workbench.guard import page, permitted
from workbench.pages import flash, redirect, render
from workbench.paths import PREFIX

routes = web.RouteTableDef()
PAGE_SIZE = 20
MAX_PAGE = 10_000
MAX_SEARCH = 200  # as the API's q
CHANNELS = {OFFICIAL_ACCOUNT: "公众号二维码", MINIPROGRAM: "小程序码"}
SETTLEMENT = {"on_account": "记账", "cash": "现结"}
# The buttons of a customer's page, each shown to the roles its API operation admits.
OPERATIONS = {
    "disable": "POST /customers/{id}/disable", "enable": "POST /customers/{id}/enable",
    "delete": "DELETE /customers/{id}", "share": "POST /customers/{id}/shares",
    "unshare": "DELETE /customers/{id}/shares/{staff_id}",
    "bind_qr": "POST /customers/{id}/bind-qr",
}


def customer_path(customer_id: int) -> str:
    return f"{PREFIX}/customers/{customer_id}"


# ----- the list ---------------------------------------------------------------------------------


@routes.get("/customers", name="customers")
@page("GET /customers")
async def customer_list(request: web.Request) -> web.Response:
    search, include_disabled, page_no = _list_query(request)
    rows = await customer_rows(request[ACTOR], search=search, include_disabled=include_disabled,
                               limit=PAGE_SIZE + 1, offset=(page_no - 1) * PAGE_SIZE)
    return await render(request, "customers/list.html", {
        "rows": rows[:PAGE_SIZE], "q": search, "include_disabled": include_disabled,
        "page_no": page_no, "has_next": len(rows) > PAGE_SIZE,
    })


def _list_query(request: web.Request) -> tuple[str, bool, int]:
    """(search text, include disabled, page number) of the list's address, else a 400."""
    search = request.query.get("q", "").strip()
    if len(search) > MAX_SEARCH:
        raise BAD_QUERY(f"搜索内容最多 {MAX_SEARCH} 个字")
    raw_page = request.query.get("page", "1").strip() or "1"
    if not DIGITS.fullmatch(raw_page) or not 1 <= int(raw_page) <= MAX_PAGE:
        raise BAD_QUERY("页码不对")
    return search, request.query.get("disabled", "") in ("1", "on"), int(raw_page)


# ----- a customer's page ------------------------------------------------------------------------


@routes.get(r"/customers/{id:\d+}", name="customer")
@page("GET /customers/{id}")
async def customer_page(request: web.Request) -> web.Response:
    return await _customer_page(request, path_id(request))


@dataclass(frozen=True)
class GroupRow:
    id: int
    code: str
    name: str
    depth: int  # 1: directly below the customer
    parent: str  # the parent's name
    receivable: Decimal


async def _customer_page(request: web.Request, customer_id: int, *, error: str = "",
                         status: int = 200, form: dict | None = None) -> web.Response:
    """The customer's page; ``error`` (a refused action's message) shown on it, the person's
    ``form`` input kept."""
    actor: Actor = request[ACTOR]
    settings = request.config_dict[SETTINGS]
    detail = await customer_detail(actor, customer_id, mp_configured=settings.mini_program)
    on = now(request).date()
    may = permitted(actor, OPERATIONS)
    group = await customers.group_summary(actor, customer_id)
    return await render(request, "customers/detail.html", {
        "d": detail, "c": detail.customer, "may": may, "error": error, "form": form or {},
        "credit": await customer_credit(customer_id, on),
        "debts": await customer_debts(customer_id, on),
        "group": group, "group_rows": group_rows(group),
        "candidates": await shares.share_candidates(actor, customer_id) if may["share"] else [],
        "channels": _channels(settings.mini_program), "settlement": SETTLEMENT,
    }, status=status)


def group_rows(summary: dict) -> list[GroupRow]:
    """The subsidiaries as a tree, each under its parent (the summary lists them by code)."""
    root = summary["customer"]
    names = {root["id"]: root["name"]} | {s["id"]: s["name"] for s in summary["subsidiaries"]}
    children: dict[int, list[dict]] = {}
    for sub in summary["subsidiaries"]:
        children.setdefault(sub["parent_id"], []).append(sub)
    rows: list[GroupRow] = []

    def walk(parent_id: int, depth: int) -> None:
        for sub in children.get(parent_id, []):
            rows.append(GroupRow(sub["id"], sub["code"], sub["name"], depth,
                                 names.get(sub["parent_id"], ""), sub["receivable"]))
            walk(sub["id"], depth + 1)

    walk(root["id"], 1)
    # A subsidiary whose parent the person may not see still counts: list it at the end.
    shown = {row.id for row in rows}
    rows += [GroupRow(s["id"], s["code"], s["name"], 1, "", s["receivable"])
             for s in summary["subsidiaries"] if s["id"] not in shown]
    return rows


def _channels(mini_program_configured: bool) -> dict[str, str]:
    if mini_program_configured:
        return CHANNELS
    return {OFFICIAL_ACCOUNT: CHANNELS[OFFICIAL_ACCOUNT]}


async def _refused(request: web.Request, customer_id: int, exc: DomainError,
                   form: dict | None = None) -> web.Response:
    """The customer's page again, with the domain's refusal and its status."""
    return await _customer_page(request, customer_id, error=exc.message, form=form,
                                status=status_of(exc))


def _form_id(value: str | None, name: str, message: str) -> int:
    """A posted id (ASCII digits), else BAD_FIELD with ``message``."""
    value = (value or "").strip()
    if not DIGITS.fullmatch(value) or not 0 < int(value) < 2**31:
        raise BAD_FIELD(message, field=name)
    return int(value)


# ----- bind QR code -----------------------------------------------------------------------------


@routes.post(r"/customers/{id:\d+}/bind-qr", name="customer_bind_qr")
@page("POST /customers/{id}/bind-qr")
async def make_bind_qr(request: web.Request) -> web.Response:
    """A new bind code and its WeChat QR image, shown once on its own page (the code is a
    credential: it is never put in an address)."""
    customer_id = path_id(request)
    fields = await read_form_fields(request)
    form = {"channel": fields.get("channel", ""), "contact_id": fields.get("contact_id", "")}
    settings = request.config_dict[SETTINGS]
    try:
        channel = _channel(form["channel"])
        contact_id = _form_id(form["contact_id"], "contact_id", "联系人不对") \
            if form["contact_id"] else None
        with wechat_qr_errors(settings.mp_bind_page):
            bind, image = await bind_qr.issue_bind_qr(
                request[ACTOR], customer_id, contact_id, channel, settings.bind_code_ttl_hours,
                now(request), qr_maker(request), mini_program(request))
    except DomainError as exc:
        return await _refused(request, customer_id, exc, form)
    token = bind_qr.sign_bind_qr_token(settings.secret_key, bind, channel)
    detail = await customer_detail(request[ACTOR], customer_id,
                                   mp_configured=settings.mini_program)
    return await render(request, "customers/bind_qr.html", {
        "c": detail.customer, "bind": bind, "channel": channel, "channel_label": CHANNELS[channel],
        "contact": next((c for c in detail.contacts if c.id == bind.contact_id), None),
        "image": f"data:{image.content_type};base64,{base64.b64encode(image.body).decode()}",
        "image_url": bind_qr.bind_qr_url(settings.public_base_url, token),
    })


def _channel(value: str) -> str:
    channel = value.strip() or OFFICIAL_ACCOUNT
    if channel not in CHANNELS:
        raise BAD_FIELD("请选择公众号二维码或小程序码", field="channel")
    return channel


# ----- sharing ----------------------------------------------------------------------------------


@routes.post(r"/customers/{id:\d+}/shares", name="customer_share")
@page("POST /customers/{id}/shares")
async def add_share(request: web.Request) -> web.Response:
    customer_id = path_id(request)
    fields = await read_form_fields(request)
    form = {"staff_id": fields.get("staff_id", "")}
    try:
        staff_id = _form_id(form["staff_id"], "staff_id", "请选择要共享的业务员")
        found = await shares.share_customer(request[ACTOR], customer_id, staff_id, now(request))
    except DomainError as exc:
        return await _refused(request, customer_id, exc, form)
    name = next((s.name for s in found if s.staff_id == staff_id), "")
    await flash(request, f"已共享给 {name}，对方现在可以查看该客户")
    raise redirect(request, customer_path(customer_id))


@routes.post(r"/customers/{id:\d+}/shares/{staff_id:\d+}/remove", name="customer_unshare")
@page("DELETE /customers/{id}/shares/{staff_id}")
async def remove_share(request: web.Request) -> web.Response:
    customer_id, staff_id = path_id(request), path_id(request, "staff_id")
    try:
        await shares.unshare_customer(request[ACTOR], customer_id, staff_id, now(request))
    except DomainError as exc:
        return await _refused(request, customer_id, exc)
    await flash(request, "已取消共享")
    raise redirect(request, customer_path(customer_id))


# ----- disable / enable / delete ----------------------------------------------------------------


@routes.post(r"/customers/{id:\d+}/disable", name="customer_disable")
@page("POST /customers/{id}/disable")
async def disable(request: web.Request) -> web.Response:
    return await _set_disabled(request, True, "已停用，该客户不再出现在选择客户的列表中")


@routes.post(r"/customers/{id:\d+}/enable", name="customer_enable")
@page("POST /customers/{id}/enable")
async def enable(request: web.Request) -> web.Response:
    return await _set_disabled(request, False, "已启用")


async def _set_disabled(request: web.Request, disabled: bool, done: str) -> web.Response:
    customer_id = path_id(request)
    try:
        await customers.set_disabled(request[ACTOR], customer_id, disabled, now(request))
    except DomainError as exc:
        return await _refused(request, customer_id, exc)
    await flash(request, done)
    raise redirect(request, customer_path(customer_id))


@routes.post(r"/customers/{id:\d+}/delete", name="customer_delete")
@page("DELETE /customers/{id}")
async def delete(request: web.Request) -> web.Response:
    customer_id = path_id(request)
    try:
        customer = await get_visible_customer(request[ACTOR], customer_id)
        await customers.delete_customer(request[ACTOR], customer_id, now(request))
    except DomainError as exc:
        return await _refused(request, customer_id, exc)
    await flash(request, f"已删除客户「{customer.name}」")
    raise redirect(request, f"{PREFIX}/customers")
