"""Payments pool routes (SPEC 7): finance imports received payments, lists the pool, matches a
payment by hand; invoice requests; a customer's penalty interest. Billing-term changes are
started through POST /approvals (kind billing_term_change)."""

from __future__ import annotations

from aiohttp import web

from backoffice_api.auth import actor_with
from domain.access import get_visible_customer
from domain.actors import ADMIN, FINANCE, SALES
from domain.errors import Invalid
from domain.limits import ID_MAX
from domain.payments import invoices, pool, queries, writeoffs
from httpcommon.jsonio import json_response, read_json
from httpcommon.keys import SETTINGS, now
from httpcommon.params import body_amount, flag, int_value, path_id, query_int

routes = web.RouteTableDef()
BOOKS = (ADMIN, FINANCE)
READ = (ADMIN, FINANCE, SALES)
MAX_BATCH = 5000


def _picks(body: dict, name: str, id_name: str) -> list[tuple[int, object]]:
    """[{<id_name>, amount?}] → [(id, amount or None)]."""
    raw = body.get(name) or []
    if not isinstance(raw, list):
        raise Invalid("bad_field", f"{name} 必须是数组")
    picks = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            raise Invalid("bad_field", f"{name}[{i}] 必须是对象 {{{id_name}, amount?}}")
        amount = None if item.get("amount") in (None, "") else body_amount(item, "amount")
        picks.append((int_value(item.get(id_name), f"{name}[{i}].{id_name}"), amount))
    return picks


def _opt_int_query(request: web.Request, name: str) -> int | None:
    return query_int(request, name, 0, lo=1, hi=ID_MAX) if request.query.get(name) else None


def _page(request: web.Request) -> dict:
    """?customer_id, ?limit and ?offset of a list."""
    return {"customer_id": _opt_int_query(request, "customer_id"),
            "limit": query_int(request, "limit", 50, lo=1, hi=500),
            "offset": query_int(request, "offset", 0, hi=10**9)}


# --- the pool ---------------------------------------------------------------------------------


@routes.post("/pool-payments")
async def import_payments(request: web.Request) -> web.Response:
    """导入到款（批量，按流水号幂等）"""
    actor = actor_with(request, *BOOKS)
    items = (await read_json(request)).get("items")
    if isinstance(items, list) and len(items) > MAX_BATCH:
        raise Invalid("batch_too_large", f"每批最多 {MAX_BATCH} 行，请分批导入")
    result = await pool.import_payments(
        items, atomic=flag(request, "atomic"), actor=actor.name, now=now(request),
        auto_write_off=request.config_dict[SETTINGS].auto_write_off)
    return json_response({
        "created": result.created, "unchanged": result.unchanged,
        "rejected": [r.__dict__ for r in result.rejected],
        "payments": await queries.payment_views(result.payments)})


@routes.get("/pool-payments")
async def list_payments(request: web.Request) -> web.Response:
    """到款池"""
    actor = actor_with(request, *READ)
    items = await queries.list_payments(actor, status=request.query.get("status") or None,
                                        **_page(request))
    return json_response({"items": items})


@routes.get("/pool-payments/{id}")
async def get_payment(request: web.Request) -> web.Response:
    """到款详情与销账记录"""
    actor = actor_with(request, *READ)
    payment = await queries.visible_payment(actor, path_id(request))
    return json_response(await queries.payment_view(payment, with_write_offs=True))


@routes.post("/pool-payments/{id}/match")
async def match_payment(request: web.Request) -> web.Response:
    """人工匹配到款与账单，发起销账流程"""
    actor_with(request, *BOOKS)
    body = await read_json(request)
    customer_id = None if body.get("customer_id") is None else int_value(
        body.get("customer_id"), "customer_id")
    write_off = await writeoffs.match_by_hand(
        path_id(request), customer_id=customer_id, bills=_picks(body, "bills", "bill_id"),
        penalties=_picks(body, "penalties", "penalty_id"), now=now(request))
    return json_response(await queries.write_off_view(write_off), status=201)


# --- penalties --------------------------------------------------------------------------------


@routes.get("/customers/{id}/penalties")
async def customer_penalties(request: web.Request) -> web.Response:
    """客户罚息（已付、未付）"""
    actor = actor_with(request, *READ)
    customer = await get_visible_customer(actor, path_id(request))
    return json_response(await queries.customer_penalties(customer.id))


# --- invoice requests -------------------------------------------------------------------------


@routes.post("/invoice-requests")
async def request_invoice(request: web.Request) -> web.Response:
    """账单开票申请"""
    actor = actor_with(request, *READ)
    body = await read_json(request)
    customer = await get_visible_customer(actor, int_value(body.get("customer_id"), "customer_id"))
    bill_ids = body.get("bill_ids")
    if not isinstance(bill_ids, list):
        raise Invalid("bad_field", "bill_ids 必须是数组")
    invoice = body.get("invoice")
    if invoice is not None and not isinstance(invoice, dict):
        raise Invalid("bad_field", "invoice 必须是对象")
    created = await invoices.request_invoice(
        customer_id=customer.id, kind=str(body.get("kind") or ""),
        amount=body_amount(body, "amount"), bill_ids=[int_value(b, "bill_ids[]") for b in bill_ids],
        invoice=invoice, actor=actor.name, now=now(request))
    return json_response(await invoices.invoice_request_view(created), status=201)


@routes.get("/invoice-requests")
async def list_invoice_requests(request: web.Request) -> web.Response:
    """开票申请列表"""
    actor_with(request, *BOOKS)
    items = await invoices.list_invoice_requests(**_page(request))
    return json_response({"items": items})


@routes.post("/invoice-requests/{id}/cancel")
async def cancel_invoice_request(request: web.Request) -> web.Response:
    """取消开票申请（账单可再次申请）"""
    actor_with(request, *BOOKS)
    cancelled = await invoices.cancel_invoice_request(path_id(request))
    return json_response(await invoices.invoice_request_view(cancelled))
