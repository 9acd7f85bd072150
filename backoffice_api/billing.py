"""Month-end billing routes (seed 004): products, accounts and price adjustments (ERP / admin);
usage; bills and billing exceptions; billing one customer's period on demand (点击生成账单);
payment mode and recharges of prepaid customers."""

from __future__ import annotations

from aiohttp import web

from backoffice_api.auth import actor_with
from domain.access import get_visible_customer, visible_customer_ids
from domain.actors import ADMIN, ERP, FINANCE, SALES
from domain.billing import catalogue, prepaid
from domain.billing.assess import REASON_LABELS
from domain.billing.pricing import parse_period, period_label
from domain.billing.run import bill_customer_period
from domain.billing.usage import ingest_usage
from domain.errors import Invalid
from domain.limits import ID_MAX
from domain.models import Bill, BillingException
from httpcommon.jsonio import json_response, read_json
from httpcommon.keys import now
from httpcommon.params import (
    body_amount,
    body_bool,
    body_date,
    body_int,
    body_text,
    path_id,
    query_int,
)
from httpcommon.sharing import share_settings

routes = web.RouteTableDef()
CATALOGUE = (ADMIN, ERP)
READ = (ADMIN, FINANCE, SALES)  # the ERP reads back only its catalogue
MONEY_IN = (ADMIN, FINANCE)
MAX_USAGE_BATCH = 5000


def _period(raw, name: str = "period"):
    try:
        return parse_period(raw)
    except ValueError:
        raise Invalid("bad_period", f"{name} 必须是 YYYY-MM: {raw!r}") from None


# ----- catalogue ------------------------------------------------------------------------------


@routes.post("/billing/products")
async def create_product(request: web.Request) -> web.Response:
    """添加产品"""
    actor_with(request, *CATALOGUE)
    body = await read_json(request)
    product = await catalogue.create_product(
        customer_id=body_int(body, "customer_id"), code=body_text(body, "code", max_len=50),
        name=body_text(body, "name", max_len=200),
        payment_term_months=body_int(body, "payment_term_months", 1), now=now(request))
    return json_response(catalogue.product_view(product, []), status=201)


@routes.get("/billing/products")
async def list_products(request: web.Request) -> web.Response:
    actor_with(request, *READ, ERP)
    customer_id = query_int(request, "customer_id", 0, hi=ID_MAX) or None
    return json_response({"items": await catalogue.list_products(customer_id)})


@routes.patch("/billing/products/{id}")
async def update_product(request: web.Request) -> web.Response:
    """修改产品名称、账期（月）、启用"""
    actor_with(request, *CATALOGUE)
    body = await read_json(request)
    term = body.get("payment_term_months")
    product = await catalogue.update_product(
        path_id(request), name=body.get("name") if isinstance(body.get("name"), str) else None,
        payment_term_months=None if term is None else body_int(body, "payment_term_months"),
        active=body_bool(body, "active"))
    return json_response(catalogue.product_view(product))


@routes.post("/billing/products/{id}/accounts")
async def add_account(request: web.Request) -> web.Response:
    """给产品添加账号（可标为不计息账号）"""
    actor_with(request, *CATALOGUE)
    body = await read_json(request)
    account = await catalogue.add_account(
        path_id(request), account=body_text(body, "account", max_len=64),
        interest_free=body_bool(body, "interest_free", False), now=now(request))
    return json_response(catalogue.account_view(account), status=201)


@routes.put("/billing/accounts/{account}")
async def set_interest_free(request: web.Request) -> web.Response:
    """不计息账号配置"""
    actor_with(request, *CATALOGUE)
    body = await read_json(request)
    account = await catalogue.set_interest_free(request.match_info["account"],
                                                body_bool(body, "interest_free", required=True))
    return json_response(catalogue.account_view(account))


@routes.post("/billing/products/{id}/prices")
async def add_price(request: web.Request) -> web.Response:
    """销售调价：自某日起生效的价格表"""
    actor = actor_with(request, *CATALOGUE)
    body = await read_json(request)
    price = await catalogue.add_price(
        path_id(request), effective_from=body_date(body, "effective_from"),
        price_type=body_text(body, "price_type", max_len=16), tiers=body.get("tiers"),
        note=body_text(body, "note"), actor=actor.label, now=now(request))
    return json_response(catalogue.price_view(price), status=201)


@routes.get("/billing/products/{id}/prices")
async def list_prices(request: web.Request) -> web.Response:
    actor_with(request, *READ, ERP)
    return json_response({"items": await catalogue.list_prices(path_id(request))})


# ----- usage, bills, exceptions -----------------------------------------------------------------


@routes.post("/billing/usage")
async def post_usage(request: web.Request) -> web.Response:
    """推送发送量（按账号、月份覆盖；整批要么全写入要么全不写入）"""
    actor_with(request, *CATALOGUE)
    items = (await read_json(request)).get("items")
    if isinstance(items, list) and len(items) > MAX_USAGE_BATCH:
        raise Invalid("batch_too_large", f"每批最多 {MAX_USAGE_BATCH} 行，请分批推送")
    result = await ingest_usage(items, now=now(request))
    return json_response(result.as_dict())


def _bill_view(bill: Bill) -> dict:
    return {"id": bill.id, "customer_id": bill.customer_id, "product_id": bill.product_id,
            "period": period_label(bill.period), "quantity": bill.quantity,
            "price_type": bill.price_type, "amount": bill.amount, "paid": bill.paid,
            "status": bill.status, "bill_date": bill.bill_date, "due_date": bill.due_date,
            "statement_id": bill.statement_id}


@routes.get("/billing/bills")
async def list_bills(request: web.Request) -> web.Response:
    actor = actor_with(request, *READ)
    query = Bill.all()
    visible = await visible_customer_ids(actor)
    if visible is not None:
        query = query.filter(customer_id__in=list(visible))
    customer_id = query_int(request, "customer_id", 0, hi=ID_MAX)
    if customer_id:
        query = query.filter(customer_id=customer_id)
    if request.query.get("period"):
        query = query.filter(period=_period(request.query["period"]))
    bills = await query.order_by("-period", "id").offset(
        query_int(request, "offset", 0, hi=10**9)).limit(query_int(request, "limit", 100))
    return json_response({"items": [_bill_view(b) for b in bills]})


def _exception_view(e: BillingException) -> dict:
    return {"id": e.id, "period": period_label(e.period), "customer_id": e.customer_id,
            "product_id": e.product_id, "account": e.account, "reason": e.reason,
            "reason_label": REASON_LABELS.get(e.reason, ""), "detail": e.detail,
            "status": e.status, "created_at": e.created_at, "resolved_at": e.resolved_at}


@routes.get("/billing/exceptions")
async def list_exceptions(request: web.Request) -> web.Response:
    """出账异常（无调价、调价表错误、无发送量、账号错误、账号出账后才加入）"""
    actor = actor_with(request, *READ)
    query = BillingException.all()
    status = request.query.get("status")
    if status:
        if status not in ("open", "resolved"):
            raise Invalid("bad_status", "status 必须是 open 或 resolved")
        query = query.filter(status=status)
    if request.query.get("period"):
        query = query.filter(period=_period(request.query["period"]))
    visible = await visible_customer_ids(actor)
    if visible is not None:
        query = query.filter(customer_id__in=list(visible))
    rows = await query.order_by("-period", "id").offset(
        query_int(request, "offset", 0, hi=10**9)).limit(query_int(request, "limit", 100))
    return json_response({"items": [_exception_view(e) for e in rows]})


@routes.post("/billing/customers/{id}/bill")
async def bill_now(request: web.Request) -> web.Response:
    """点击生成账单：为客户的某个已结束月份出账（已出的产品不会重复出）"""
    actor = actor_with(request, ADMIN, FINANCE, SALES)
    body = await read_json(request)
    customer = await get_visible_customer(actor, path_id(request))
    period, clock = _period(body.get("period")), now(request)
    result = await bill_customer_period(actor, customer.id, period, clock.date(), clock,
                                        share_settings(request))
    exceptions = await BillingException.filter(customer_id=customer.id, period=period,
                                               status="open")
    return json_response({
        "bills": [_bill_view(b) for b in result.bills], "statement_ids": result.statements,
        "open_exceptions": [_exception_view(e) for e in exceptions]},
        status=201 if result.bills else 200)


# ----- prepaid -----------------------------------------------------------------------------------


@routes.put("/billing/customers/{id}/payment-mode")
async def set_payment_mode(request: web.Request) -> web.Response:
    """付费方式：postpaid 后付费 / prepaid 预付（可退） / prepurchase 预购（不可退）"""
    actor_with(request, ADMIN, FINANCE)
    body = await read_json(request)
    customer = await prepaid.set_payment_mode(path_id(request),
                                              body_text(body, "payment_mode", max_len=16))
    return json_response({"customer_id": customer.id, "payment_mode": customer.payment_mode,
                          "prepaid_balance": customer.prepaid_balance})


@routes.post("/billing/customers/{id}/recharges")
async def recharge(request: web.Request) -> web.Response:
    """销售充值（负数为退款：预购不可退回，退款不能超过余额）"""
    actor = actor_with(request, *MONEY_IN)
    body = await read_json(request)
    record, balance = await prepaid.recharge(
        customer_id=path_id(request), reference=body_text(body, "reference", max_len=64),
        amount=body_amount(body, "amount"), on=body_date(body, "recharged_on"),
        actor=actor.label, now=now(request))
    return json_response({"id": record.id, "reference": record.reference,
                          "customer_id": record.customer_id, "amount": record.amount,
                          "recharged_on": record.recharged_on, "balance": balance},
                         status=201)
