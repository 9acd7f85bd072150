"""Credit routes (seed 002): orgs, budget and terms; credit lines; the ERP's orders, shipments
and returns; payments and repayments; reads for finance and for sales on their own customers."""

from __future__ import annotations

from aiohttp import web

from backoffice_api.auth import actor_with
from domain.actors import ADMIN, ERP, FINANCE, SALES
from domain.credit import accounts, orders, orgs, queries
from domain.errors import Invalid
from domain.limits import ID_MAX, column_length
from domain.models import CreditOrder
from domain.money import ZERO
from httpcommon.jsonio import json_response, read_json
from httpcommon.keys import SETTINGS, now
from httpcommon.params import (
    body_amount,
    body_bool,
    body_date,
    body_int,
    body_text,
    parse_date,
    path_id,
    path_text,
    query_date,
    query_int,
)

routes = web.RouteTableDef()
BOOKS = (ADMIN, FINANCE)
PUSH = (ADMIN, ERP)
READ = (ADMIN, FINANCE, SALES)  # the ERP reads only its own orders (backoffice_api.roles)


def _opt_amount(body: dict, name: str):
    return None if body.get(name) is None else body_amount(body, name)


def _opt_date(body: dict, name: str):
    return None if body.get(name) in (None, "") else parse_date(body[name], name)


def _opt_text(body: dict, name: str, max_len: int = 100) -> str | None:
    return body_text(body, name, max_len=max_len) or None


def _given_text(body: dict, name: str, max_len: int) -> str | None:
    """None when absent; a given text as it is (the use case judges a blank one)."""
    return None if body.get(name) is None else body_text(body, name, max_len=max_len)


def _today(request: web.Request):
    return query_date(request, "on", now(request).date())


# --- orgs, budget, terms ---------------------------------------------------------------------


@routes.put("/credit/orgs/{code}")
async def put_org(request: web.Request) -> web.Response:
    """新建或修改销区（名称、授信预算、启用）"""
    actor_with(request, *BOOKS)
    body = await read_json(request)
    org, created = await orgs.put_org(
        code=request.match_info["code"], name=_opt_text(body, "name"),
        budget=_opt_amount(body, "budget"), enabled=body_bool(body, "enabled"), now=now(request))
    return json_response(queries.org_view(org), status=201 if created else 200)


@routes.get("/credit/orgs")
async def list_orgs(request: web.Request) -> web.Response:
    """销区与企业年度授信总额"""
    actor_with(request, *BOOKS)
    return json_response(await queries.list_orgs())


@routes.put("/credit/budget/{year}")
async def put_budget(request: web.Request) -> web.Response:
    """设置企业年度授信总额"""
    actor_with(request, *BOOKS)
    body = await read_json(request)
    budget = await orgs.put_budget(year=path_id(request, "year"),
                                   total=body_amount(body, "total"))
    return json_response(queries.budget_view(budget))


def _terms_view(terms: orgs.Terms) -> dict:
    return {"default": terms.default, "business_types": terms.by_business_type}


@routes.get("/credit/terms")
async def get_terms(request: web.Request) -> web.Response:
    """还款账期：默认与按业务类型"""
    actor_with(request, *READ)
    return json_response(_terms_view(await orgs.load_terms()))


@routes.put("/credit/terms")
async def put_terms(request: web.Request) -> web.Response:
    """设置默认账期与业务类型账期（null 删除该业务类型）"""
    actor_with(request, *BOOKS)
    body = await read_json(request)
    by_type = body.get("business_types")
    by_type = {} if by_type is None else by_type
    if not isinstance(by_type, dict):
        raise Invalid("bad_field", "business_types 必须是对象 {业务类型: 天数}")
    terms = await orgs.set_terms(default=body.get("default"), by_business_type=by_type)
    return json_response(_terms_view(terms))


# --- credit lines ----------------------------------------------------------------------------


@routes.post("/credit/accounts")
async def grant(request: web.Request) -> web.Response:
    """直接授信（通常经授信申请审批后自动授信）；规则同授信申请，override_reason 强制并留痕"""
    actor = actor_with(request, ADMIN)
    body = await read_json(request)
    account = await accounts.grant_directly(
        customer_id=body_int(body, "customer_id"), org_id=body_int(body, "org_id"),
        type=body_text(body, "type", max_len=16), limit=body_amount(body, "limit"),
        valid_from=_opt_date(body, "valid_from"), valid_to=_opt_date(body, "valid_to"),
        project=_opt_text(body, "project"), term_days=body_int(body, "term_days", optional=True),
        parent_id=body_int(body, "parent_id", optional=True),
        override_reason=_given_text(body, "override_reason", 200),
        actor=actor, now=now(request))
    return json_response(queries.account_view(account, now(request).date()), status=201)


@routes.get("/credit/accounts")
async def list_accounts(request: web.Request) -> web.Response:
    """授信账户列表（业务员只见自己的客户）"""
    actor = actor_with(request, *READ)
    customer_id = query_int(request, "customer_id", 0, hi=ID_MAX) or None
    return json_response({"items": await queries.list_accounts(actor, customer_id,
                                                               _today(request))})


@routes.get("/credit/accounts/{id}")
async def get_account(request: web.Request) -> web.Response:
    """授信账户详情与操作记录"""
    actor = actor_with(request, *READ)
    return json_response(await queries.get_account(actor, path_id(request), _today(request)))


@routes.post("/credit/accounts/{id}/status")
async def set_status(request: web.Request) -> web.Response:
    """启用 / 停用 / 过期 / 关闭授信账户"""
    actor = actor_with(request, *BOOKS)
    body = await read_json(request)
    account = await accounts.set_account_status(
        account_id=path_id(request), status=body_text(body, "status", max_len=16),
        actor=actor.label, now=now(request))
    return json_response(queries.account_view(account, now(request).date()))


@routes.post("/credit/accounts/{id}/limit")
async def set_limit(request: web.Request) -> web.Response:
    """调整授信额度（不低于已用加冻结）"""
    actor = actor_with(request, ADMIN)
    body = await read_json(request)
    account = await accounts.change_limit(account_id=path_id(request),
                                          limit=body_amount(body, "limit"), actor=actor.label,
                                          now=now(request))
    return json_response(queries.account_view(account, now(request).date()))


# --- orders, shipments, returns (ERP) --------------------------------------------------------


@routes.post("/credit/orders")
async def create_order(request: web.Request) -> web.Response:
    """ERP 用信开单：校验并冻结授信（按单号幂等）"""
    actor = actor_with(request, *PUSH)
    body = await read_json(request)
    spec = orders.NewOrder(
        number=body_text(body, "number", max_len=64),
        customer_code=body_text(body, "customer_code", max_len=64),
        org_code=body_text(body, "org_code", max_len=64),
        order_date=body_date(body, "order_date"), amount=body_amount(body, "amount"),
        cash=body_amount(body, "cash") if "cash" in body else ZERO,
        credit=body_amount(body, "credit"),
        business_type=body_text(body, "business_type", max_len=32),
        project=_opt_text(body, "project"), salesperson=_opt_text(body, "salesperson", 64))
    order, created = await orders.create_order(spec, actor.label, now(request))
    return json_response(await queries.order_view(order), status=201 if created else 200)


@routes.get("/credit/orders/{number}")
async def get_order(request: web.Request) -> web.Response:
    """订单用信详情（各授信账户的冻结与使用、发货、欠款）"""
    actor = actor_with(request, *READ, ERP)
    return json_response(await queries.get_order(actor, _order_number(request)))


def _order_number(request: web.Request) -> str:
    return path_text(request, "number", column_length(CreditOrder, "number"))


async def _order_action(request: web.Request, action) -> web.Response:
    actor = actor_with(request, *PUSH)
    order = await action(_order_number(request), actor.label, now(request))
    return json_response(await queries.order_view(order))


@routes.post("/credit/orders/{number}/cancel")
async def cancel_order(request: web.Request) -> web.Response:
    """开单反审核：解冻订单授信"""
    return await _order_action(request, orders.cancel_order)


@routes.post("/credit/orders/{number}/close")
async def close_order(request: web.Request) -> web.Response:
    """关单：解冻未发货部分的授信"""
    return await _order_action(request, orders.close_order)


@routes.post("/credit/shipments")
async def create_shipment(request: web.Request) -> web.Response:
    """ERP 发货：现金优先，授信部分生成欠款（按单号幂等）"""
    actor = actor_with(request, *PUSH)
    body = await read_json(request)
    shipment, created = await orders.ship(
        number=body_text(body, "number", max_len=64),
        order_number=body_text(body, "order_number", max_len=64),
        ship_date=body_date(body, "ship_date"), amount=body_amount(body, "amount"),
        actor=actor.label, now=now(request))
    return json_response(await queries.shipment_view(shipment), status=201 if created else 200)


@routes.post("/credit/shipments/{number}/reverse")
async def reverse_shipment(request: web.Request) -> web.Response:
    """出库反审核：撤销欠款，授信回到订单冻结"""
    actor = actor_with(request, *PUSH)
    shipment = await orders.reverse_shipment(request.match_info["number"], actor.label,
                                             now(request))
    return json_response(await queries.shipment_view(shipment))


@routes.post("/credit/returns")
async def create_return(request: web.Request) -> web.Response:
    """ERP 退货（可部分）：冲减欠款并恢复授信（按单号幂等）"""
    actor = actor_with(request, *PUSH)
    body = await read_json(request)
    goods_return, created = await orders.return_goods(
        number=body_text(body, "number", max_len=64),
        shipment_number=body_text(body, "shipment_number", max_len=64),
        return_date=body_date(body, "return_date"), amount=body_amount(body, "amount"),
        actor=actor.label, now=now(request))
    return json_response(queries.return_view(goods_return), status=201 if created else 200)


@routes.post("/credit/returns/{number}/reverse")
async def reverse_return(request: web.Request) -> web.Response:
    """退货反审核：重新扣减授信"""
    actor = actor_with(request, *PUSH)
    goods_return = await orders.reverse_return(request.match_info["number"], actor.label,
                                               now(request))
    return json_response(queries.return_view(goods_return))


# --- debts, payments, repayments -------------------------------------------------------------


@routes.get("/credit/debts")
async def list_debts(request: web.Request) -> web.Response:
    """欠款列表（按到期日），可按客户与状态筛选"""
    actor = actor_with(request, *READ)
    customer_id = query_int(request, "customer_id", 0, hi=ID_MAX) or None
    return json_response({"items": await queries.list_debts(
        actor, customer_id, request.query.get("status"), _today(request))})


@routes.post("/credit/payments")
async def receive_payment(request: web.Request) -> web.Response:
    """收款入账：保证金 / 还款 / 剩余，还款账户按到期日先后还款（按单号幂等）"""
    actor = actor_with(request, *BOOKS)
    body = await read_json(request)
    allocate = body_bool(body, "allocate")
    if allocate is None:
        allocate = request.config_dict[SETTINGS].repayment_auto_allocate
    payment = await accounts.receive_payment(
        customer_id=body_int(body, "customer_id"), number=body_text(body, "number", max_len=64),
        amount=body_amount(body, "amount"), received_on=body_date(body, "received_on"),
        deposit=_opt_amount(body, "deposit") or ZERO, repayment=_opt_amount(body, "repayment"),
        payer=body_text(body, "payer", max_len=200), actor=actor.label, now=now(request),
        allocate=allocate)
    return json_response(queries.payment_view(payment), status=201)


def _parts(body: dict) -> list | None:
    raw = body.get("parts")
    if raw is None:
        return None
    if not isinstance(raw, list) or not all(isinstance(p, dict) for p in raw):
        raise Invalid("bad_field", "parts 必须是 [{debt_id, amount}] 数组")
    return [(body_int(p, "debt_id"), body_amount(p, "amount")) for p in raw]


@routes.post("/credit/repayments")
async def allocate(request: web.Request) -> web.Response:
    """财务人工还款：从还款账户还指定欠款（不指定则按到期日先后）"""
    actor = actor_with(request, *BOOKS)
    body = await read_json(request)
    repayments = await accounts.allocate_repayments(
        customer_id=body_int(body, "customer_id"), parts=_parts(body), actor=actor.label,
        now=now(request))
    return json_response({"items": [queries.repayment_view(r) for r in repayments]},
                         status=201)


@routes.get("/credit/customers/{id}/ledger")
async def ledger(request: web.Request) -> web.Response:
    """客户基本账户、还款账户、授信账户与未还欠款"""
    actor = actor_with(request, *READ)
    return json_response(await queries.ledger_view(actor, path_id(request), _today(request)))
