"""Credit routes (seed 002): orgs, budget and terms; credit lines; the ERP's orders, shipments
and returns; credit receipts and repayments; reads for finance and for sales on their own
customers."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from aiohttp import web
from pydantic import ConfigDict, Field, PlainValidator, WithJsonSchema

from backoffice_api.auth import actor_with
from domain.actors import ADMIN, ERP, FINANCE, SALES
from domain.common_errors import BAD_FIELD
from domain.credit import line_lifecycle, orders, orgs, queries, repayment, rules
from domain.credit.line_lifecycle import STATUS_LABELS
from domain.credit.models import CreditOrder as OrderRow
from domain.credit.models import SalesOrg
from domain.credit.orgs import BUDGET_YEARS, MAX_TERM_DAYS
from domain.limits import ID_MAX, column_length
from domain.money import ZERO
from httpcommon.contract import Routes
from httpcommon.fields import (
    ID,
    NOT_BLANK,
    Body,
    BodyId,
    Day,
    DayOut,
    Flag,
    Id,
    Int,
    Items,
    Moment,
    Money,
    OptionalDay,
    OptionalMoment,
    PositiveAmount,
    Query,
    QueryDay,
    Reply,
    UnsignedAmount,
    bad,
    not_blank,
    path_text,
    query_choice,
    query_int,
    text,
)
from httpcommon.jsonio import json_response
from httpcommon.keys import SETTINGS, now
from httpcommon.params import path_id
from httpcommon.params import path_text as path_segment

routes = Routes()
BOOKS = (ADMIN, FINANCE)
PUSH = (ADMIN, ERP)
READ = (ADMIN, FINANCE, SALES)  # the ERP reads only its own orders (httpcommon.roles)
ORDER_NUMBER = column_length(OrderRow, "number")
TERM_DAYS = {"type": "integer", "minimum": 1, "maximum": MAX_TERM_DAYS}
AccountType = Literal[rules.LINE_TYPES]
LineStatus = Literal[tuple(STATUS_LABELS)]
Movement = Literal["active", "reversed"]


# --- request types ---------------------------------------------------------------------------


class OrgChange(Body):
    name: text(100) = ""  # blank: unchanged
    budget: UnsignedAmount | None = None
    enabled: Flag | None = None


class BudgetChange(Body):
    total: UnsignedAmount


def _business_types(value: Any) -> dict:
    """{业务类型: 天数 or null}; the use case judges the names and the days."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise bad(BAD_FIELD, "business_types 必须是对象 {业务类型: 天数}")
    return value


class TermsChange(Body):
    default: Annotated[Any, WithJsonSchema(TERM_DAYS)] = None  # checked by the use case
    business_types: Annotated[dict, PlainValidator(_business_types), WithJsonSchema({
        "type": "object", "propertyNames": {**NOT_BLANK, "maxLength": 32},
        "additionalProperties": {**TERM_DAYS, "type": ["integer", "null"]}})] = {}


def _project_named(schema: dict) -> None:
    """A project line names its project (domain.credit.line_lifecycle.grant_line)."""
    schema["required"] = [*schema.get("required", ()), "type"]
    schema.update({
        "if": {"required": ["type"], "properties": {"type": {"const": rules.PROJECT}}},
        "then": {"required": ["project"], "properties": {"project": NOT_BLANK}}})


class Grant(Body):
    model_config = ConfigDict(json_schema_extra=_project_named)

    customer_id: BodyId
    org_id: BodyId
    type: Annotated[text(16), WithJsonSchema({"enum": list(rules.LINE_TYPES)})] = ""
    limit: PositiveAmount
    valid_from: OptionalDay = None
    valid_to: OptionalDay = None
    project: text(100) = ""
    term_days: Annotated[Int | None, WithJsonSchema({**TERM_DAYS, "maximum": 365})] = None
    parent_id: Annotated[Int | None, WithJsonSchema({
        **ID, "description": "直签使用授信：上游客户的直签授信账户"})] = None
    override_reason: Annotated[text(200) | None, WithJsonSchema({
        **NOT_BLANK, "maxLength": 200,
        "description": "客户还有其他额度时强制授予临时授信的原因（记入审计）"})] = None


class StatusChange(Body):
    documented_required = ("status",)

    status: Annotated[text(16), WithJsonSchema({"enum": list(STATUS_LABELS)})] = ""


class LimitChange(Body):
    limit: PositiveAmount


class NewOrder(Body):
    documented_required = ("number", "customer_code", "org_code")

    number: not_blank(ORDER_NUMBER) = ""  # the use case refuses a blank one (bad_number)
    customer_code: text(64) = ""
    org_code: text(64) = ""
    order_date: Day
    amount: PositiveAmount
    cash: UnsignedAmount = ZERO
    credit: UnsignedAmount
    business_type: text(32) = ""
    project: text(100) = ""
    salesperson: Annotated[text(64), Field(description="业务员钉钉 userid")] = ""


class NewShipment(Body):
    documented_required = ("number", "order_number")

    number: not_blank(ORDER_NUMBER) = ""
    order_number: text(64) = ""
    ship_date: Day
    amount: PositiveAmount


class NewReturn(Body):
    documented_required = ("number", "shipment_number")

    number: not_blank(ORDER_NUMBER) = ""
    shipment_number: text(64) = ""
    return_date: Day
    amount: PositiveAmount


class ReceivedPayment(Body):
    documented_required = ("number",)

    customer_id: BodyId
    number: not_blank(ORDER_NUMBER) = ""
    amount: PositiveAmount
    received_on: Day
    deposit: UnsignedAmount | None = None
    repayment: UnsignedAmount | None = None
    payer: text(200) = ""
    allocate: Annotated[Flag | None, Field(
        description="默认取设置 repayment_auto_allocate")] = None


class RepaymentPart(Body):
    documented_required = ("debt_id",)

    debt_id: Int = Field(None, validate_default=True, json_schema_extra=ID)  # missing: bad_field
    amount: PositiveAmount


class ManualRepayment(Body):
    customer_id: BodyId
    parts: Annotated[list[RepaymentPart] | None, Field(
        description="null 则按到期日先后", json_schema_extra={"minItems": 1})] = None


class OnDay(Query):
    on: Annotated[QueryDay, Field(description="计算可用额度与欠款状态的日期，默认今天")] = None


class AccountsFilter(OnDay):
    customer_id: query_int(0, ID_MAX) = 0


class DebtsFilter(AccountsFilter):
    status: query_choice(*queries.DEBT_STATUSES) = None


# --- response types --------------------------------------------------------------------------


class CreditOrg(Reply):
    id: Id
    code: str
    name: str
    budget: Money
    used: Money
    frozen: Money
    left: Money
    enabled: bool


class CreditBudget(Reply):
    year: int
    total: Money
    used: Money
    frozen: Money
    left: Money


class CreditOrgs(Reply):
    items: list[CreditOrg]
    budgets: list[CreditBudget]


class CreditTerms(Reply):
    default: int
    business_types: dict[str, int]


class CreditLine(Reply):
    id: Id
    number: str
    customer_id: Id
    org_id: Id
    type: AccountType
    type_label: str
    revolving: bool = Field(description="固定额度（还款后恢复）")
    limit: Money
    used: Money
    frozen: Money
    available: Money
    over_limit: Money = Field(description="已用加冻结超出额度的部分（退货反审核照 ERP 记入）")
    valid_from: DayOut | None
    valid_to: DayOut | None
    status: LineStatus
    status_label: str
    project: str | None
    term_days: int | None
    parent_id: Id | None
    created_at: Moment


class CreditOperation(Reply):
    id: int
    op: Literal["grant", "limit", "status", "freeze", "unfreeze", "use", "return", "unship",
                "restore", "deduct"]
    amount: Money
    limit_after: Money
    used_after: Money
    frozen_after: Money
    available_after: Money
    ref_type: str
    ref_id: str
    actor: str
    at: Moment


class CreditAccountDetail(CreditLine):
    operations: list[CreditOperation]


class CreditDebtPart(Reply):
    account_id: Id
    amount: Money
    returned: Money
    repaid: Money


class CreditDebt(Reply):
    id: Id
    customer_id: Id
    org_id: Id
    salesperson_id: Id | None
    shipment_id: Id
    business_type: str
    debt_date: DayOut
    term_days: int
    due_date: DayOut
    amount: Money
    returned: Money
    repaid: Money
    outstanding: Money
    status: Literal[queries.DEBT_STATUSES]
    settled_at: OptionalMoment
    # an open debt read for a day: where it stands that day
    stage: Literal[tuple(rules.DEBT_STATUS_LABELS)] = Field(None, description="仅未还欠款")
    stage_label: str = None
    days_to_due: int = None
    days_overdue: int = None
    parts: list[CreditDebtPart] = Field(None, description="发货的欠款：各授信账户的部分")


class CreditReturn(Reply):
    id: Id
    number: str
    return_date: DayOut
    amount: Money
    cash: Money
    credit: Money
    status: Movement


class CreditShipment(Reply):
    id: Id
    number: str
    ship_date: DayOut
    amount: Money
    cash: Money
    credit: Money
    returned: Money
    status: Movement
    debt: CreditDebt | None
    returns: list[CreditReturn]


class OrderCredit(Reply):
    account_id: Id
    account_number: str | None
    amount: Money
    frozen: Money
    used: Money


class CreditOrder(Reply):
    id: Id
    number: str
    customer_id: Id
    org_id: Id
    salesperson_id: Id | None
    business_type: str
    project: str | None
    order_date: DayOut
    amount: Money
    cash: Money
    credit: Money
    cash_left: Money
    credit_left: Money
    status: Literal[tuple(orders.ORDER_STATUS_LABELS)]
    status_label: str
    credits: list[OrderCredit]
    shipments: list[CreditShipment]


class CreditPayment(Reply):
    id: Id
    number: str
    customer_id: Id
    received_on: DayOut
    amount: Money
    repayment: Money
    deposit: Money
    remainder: Money
    payer: str
    status: str


class CreditRepayment(Reply):
    id: int
    debt_id: Id
    payment_id: Id | None
    amount: Money
    manual: bool
    actor: str
    at: Moment


class CreditLedger(Reply):
    customer_id: Id
    customer_name: str
    base_debt: Money
    repayment_balance: Money
    deposit: Money
    unapplied: Money
    outstanding: Money
    balanced: bool = Field(description="未还欠款 − 还款账户余额 = 基本账户欠款")
    accounts: list[CreditLine]
    debts: list[CreditDebt]
    payments: list[CreditPayment]
    repayments: list[CreditRepayment]


def _today(request: web.Request, query: OnDay):
    return query.on or now(request).date()


# --- orgs, budget, terms ---------------------------------------------------------------------


@routes.put("/credit/orgs/{code}",
            summary="新建或修改销区（名称、授信预算、启用）；预算不能低于已占用",
            path={"code": path_text(column_length(SalesOrg, "code"))}, body=OrgChange,
            response=CreditOrg, also=(201,))
async def put_org(request: web.Request, body: OrgChange) -> web.Response:
    actor_with(request, *BOOKS)
    org, created = await orgs.put_org(
        code=request.match_info["code"], name=body.name or None, budget=body.budget,
        enabled=body.enabled, now=now(request))
    return json_response(queries.org_view(org), status=201 if created else 200)


@routes.get("/credit/orgs", summary="销区预算占用与企业年度授信总额", response=CreditOrgs)
async def list_orgs(request: web.Request) -> web.Response:
    actor_with(request, *BOOKS)
    return json_response(await queries.list_orgs())


@routes.put("/credit/budget/{year}", summary="设置企业年度授信总额（按订单年份控制所有销区的占用）",
            path={"year": {"type": "integer", "minimum": BUDGET_YEARS[0],
                           "maximum": BUDGET_YEARS[1]}},
            body=BudgetChange, response=CreditBudget)
async def put_budget(request: web.Request, body: BudgetChange) -> web.Response:
    actor_with(request, *BOOKS)
    budget = await orgs.put_budget(year=path_id(request, "year"), total=body.total)
    return json_response(queries.budget_view(budget))


def _terms_view(terms: orgs.Terms) -> dict:
    return {"default": terms.default, "business_types": terms.by_business_type}


@routes.get("/credit/terms", summary="还款账期：默认（未设置为90天）与按业务类型",
            response=CreditTerms)
async def get_terms(request: web.Request) -> web.Response:
    actor_with(request, *READ)
    return json_response(_terms_view(await orgs.load_terms()))


@routes.put("/credit/terms",
            summary="设置默认账期与业务类型账期（1–365天；值为 null 删除该业务类型）",
            body=TermsChange, response=CreditTerms)
async def put_terms(request: web.Request, body: TermsChange) -> web.Response:
    actor_with(request, *BOOKS)
    terms = await orgs.set_terms(default=body.default, by_business_type=body.business_types)
    return json_response(_terms_view(terms))


# --- credit lines ----------------------------------------------------------------------------


@routes.post("/credit/accounts", summary="直接授信（管理员；通常由授信申请审批通过后授信）",
             body=Grant, response=CreditLine, status=201)
async def grant(request: web.Request, body: Grant) -> web.Response:
    """规则同授信申请，override_reason 强制并留痕"""
    actor = actor_with(request, ADMIN)
    line = await line_lifecycle.grant_directly(
        customer_id=body.customer_id, org_id=body.org_id, type=body.type, limit=body.limit,
        valid_from=body.valid_from, valid_to=body.valid_to, project=body.project or None,
        term_days=body.term_days, parent_id=body.parent_id,
        override_reason=body.override_reason, actor=actor, now=now(request))
    return json_response(queries.line_view(line, now(request).date()), status=201)


@routes.get("/credit/accounts", summary="授信账户列表（业务员只见自己的客户）",
            query=AccountsFilter, response=Items[CreditLine])
async def list_accounts(request: web.Request, query: AccountsFilter) -> web.Response:
    actor = actor_with(request, *READ)
    return json_response({"items": await queries.list_lines(
        actor, query.customer_id or None, _today(request, query))})


@routes.get("/credit/accounts/{id}", summary="授信账户详情与每笔操作（操作后的额度）",
            query=OnDay, response=CreditAccountDetail)
async def get_account(request: web.Request, query: OnDay) -> web.Response:
    actor = actor_with(request, *READ)
    return json_response(await queries.get_line(actor, path_id(request),
                                                _today(request, query)))


@routes.post("/credit/accounts/{id}/status",
             summary="授信账户状态：active 启用 / frozen 停用 / expired 过期 / closed 关闭",
             body=StatusChange, response=CreditLine)
async def set_status(request: web.Request, body: StatusChange) -> web.Response:
    actor = actor_with(request, *BOOKS)
    line = await line_lifecycle.set_line_status(
        line_id=path_id(request), status=body.status, actor=actor.label, now=now(request))
    return json_response(queries.line_view(line, now(request).date()))


@routes.post("/credit/accounts/{id}/limit", summary="调整授信额度（管理员；不低于已用加冻结）",
             body=LimitChange, response=CreditLine)
async def set_limit(request: web.Request, body: LimitChange) -> web.Response:
    actor = actor_with(request, ADMIN)
    line = await line_lifecycle.change_limit(line_id=path_id(request), limit=body.limit,
                                             actor=actor.label, now=now(request))
    return json_response(queries.line_view(line, now(request).date()))


# --- orders, shipments, returns (ERP) --------------------------------------------------------


@routes.post("/credit/orders",
             summary="ERP 用信开单：授信部分按 年度>项目>临时 冻结；不足时 409 并说明缺多少",
             body=NewOrder, response=CreditOrder, status=201,
             also=(200,))
async def create_order(request: web.Request, body: NewOrder) -> web.Response:
    """按单号幂等"""
    actor = actor_with(request, *PUSH)
    spec = orders.NewOrder(
        number=body.number, customer_code=body.customer_code, org_code=body.org_code,
        order_date=body.order_date, amount=body.amount, cash=body.cash, credit=body.credit,
        business_type=body.business_type, project=body.project or None,
        salesperson=body.salesperson or None)
    order, created = await orders.create_order(spec, actor.label, now(request))
    return json_response(await queries.order_view(order), status=201 if created else 200)


@routes.get("/credit/orders/{number}", summary="订单用信详情", response=CreditOrder)
async def get_order(request: web.Request) -> web.Response:
    """各授信账户的冻结与使用、发货、欠款"""
    actor = actor_with(request, *READ, ERP)
    return json_response(await queries.get_order(actor, _order_number(request)))


def _order_number(request: web.Request) -> str:
    return path_segment(request, "number", ORDER_NUMBER)


async def _order_action(request: web.Request, action) -> web.Response:
    actor = actor_with(request, *PUSH)
    order = await action(_order_number(request), actor.label, now(request))
    return json_response(await queries.order_view(order))


@routes.post("/credit/orders/{number}/cancel", summary="开单反审核（未发货）：解冻授信",
             response=CreditOrder)
async def cancel_order(request: web.Request) -> web.Response:
    return await _order_action(request, orders.cancel_order)


@routes.post("/credit/orders/{number}/close", summary="关单：解冻未发货部分的授信",
             response=CreditOrder)
async def close_order(request: web.Request) -> web.Response:
    return await _order_action(request, orders.close_order)


@routes.post("/credit/shipments",
             summary="ERP 发货：现金优先，授信部分生成一笔欠款（到期日 = 发货日 + 账期）",
             body=NewShipment, response=CreditShipment, status=201,
             also=(200,))
async def create_shipment(request: web.Request, body: NewShipment) -> web.Response:
    """按单号幂等"""
    actor = actor_with(request, *PUSH)
    shipment, created = await orders.ship(
        number=body.number, order_number=body.order_number, ship_date=body.ship_date,
        amount=body.amount, actor=actor.label, now=now(request))
    return json_response(await queries.shipment_view(shipment), status=201 if created else 200)


@routes.post("/credit/shipments/{number}/reverse",
             summary="出库反审核：撤销欠款（已还款则 409），授信回到订单冻结",
             response=CreditShipment)
async def reverse_shipment(request: web.Request) -> web.Response:
    actor = actor_with(request, *PUSH)
    shipment = await orders.reverse_shipment(request.match_info["number"], actor.label,
                                             now(request))
    return json_response(await queries.shipment_view(shipment))


@routes.post("/credit/returns",
             summary="ERP 退货（可部分）：先冲减欠款并恢复授信，其余为现金部分",
             body=NewReturn, response=CreditReturn, status=201,
             also=(200,))
async def create_return(request: web.Request, body: NewReturn) -> web.Response:
    """按单号幂等"""
    actor = actor_with(request, *PUSH)
    goods_return, created = await orders.return_goods(
        number=body.number, shipment_number=body.shipment_number,
        return_date=body.return_date, amount=body.amount, actor=actor.label, now=now(request))
    return json_response(queries.return_view(goods_return), status=201 if created else 200)


@routes.post("/credit/returns/{number}/reverse",
             summary="退货反审核：重新计入欠款并扣减授信（额度不足则 409）",
             response=CreditReturn)
async def reverse_return(request: web.Request) -> web.Response:
    actor = actor_with(request, *PUSH)
    goods_return = await orders.reverse_return(request.match_info["number"], actor.label,
                                               now(request))
    return json_response(queries.return_view(goods_return))


# --- debts, receipts, repayments -------------------------------------------------------------


@routes.get("/credit/debts", summary="欠款列表（按到期日）", query=DebtsFilter,
            response=Items[CreditDebt])
async def list_debts(request: web.Request, query: DebtsFilter) -> web.Response:
    actor = actor_with(request, *READ)
    return json_response({"items": await queries.list_debts(
        actor, query.customer_id or None, query.status, _today(request, query))})


@routes.post("/credit/payments",
             summary="收款入账：保证金 / 还款（默认为基本账户欠款）/ 剩余；"
                     "还款账户按到期日先后还款",
             body=ReceivedPayment, response=CreditPayment, status=201)
async def receive_payment(request: web.Request, body: ReceivedPayment) -> web.Response:
    """按单号幂等"""
    actor = actor_with(request, *BOOKS)
    allocate = body.allocate
    if allocate is None:
        allocate = request.config_dict[SETTINGS].repayment_auto_allocate
    receipt = await repayment.receive_credit_receipt(
        customer_id=body.customer_id, number=body.number, amount=body.amount,
        received_on=body.received_on, deposit=body.deposit or ZERO, repayment=body.repayment,
        payer=body.payer, actor=actor.label, now=now(request), allocate=allocate)
    return json_response(queries.credit_receipt_view(receipt), status=201)


@routes.post("/credit/repayments",
             summary="财务人工还款：从还款账户还指定欠款（不指定则按到期日先后）",
             body=ManualRepayment, response=Items[CreditRepayment], status=201)
async def allocate(request: web.Request, body: ManualRepayment) -> web.Response:
    actor = actor_with(request, *BOOKS)
    parts = None if body.parts is None else [(p.debt_id, p.amount) for p in body.parts]
    repayments = await repayment.allocate_repayments(
        customer_id=body.customer_id, parts=parts, actor=actor.label, now=now(request))
    return json_response({"items": [queries.repayment_view(r) for r in repayments]},
                         status=201)


@routes.get("/credit/customers/{id}/ledger",
            summary="客户基本账户、还款账户、授信账户与未还欠款（含是否平衡）",
            query=OnDay, response=CreditLedger)
async def ledger(request: web.Request, query: OnDay) -> web.Response:
    actor = actor_with(request, *READ)
    return json_response(await queries.ledger_view(actor, path_id(request),
                                                   _today(request, query)))
