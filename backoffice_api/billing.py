"""Month-end billing routes (seed 004): products, accounts and price adjustments (ERP / admin);
usage; bills and billing exceptions; billing one customer's period on demand (点击生成账单);
payment mode and recharges of prepaid customers."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from aiohttp import web
from pydantic import Field, PlainValidator, WithJsonSchema

from backoffice_api.auth import actor_with
from domain.access import get_visible_customer, visible_customer_ids
from domain.actors import ADMIN, ERP, FINANCE, SALES
from domain.billing import catalogue, prepaid, pricing
from domain.billing.assess import REASON_LABELS
from domain.billing.models import Bill, BillingException, Product
from domain.billing.pricing import parse_period, period_label
from domain.billing.run import bill_customer_period
from domain.billing.usage import ingest_usage
from domain.common_errors import BAD_FIELD, BAD_STATUS
from domain.limits import ID_MAX, column_length
from httpcommon.contract import Routes
from httpcommon.error_codes import BAD_PERIOD, BATCH_TOO_LARGE
from httpcommon.fields import (
    ID,
    NOT_BLANK,
    POSITIVE_AMOUNT,
    SPACE,
    Amount,
    Body,
    Code,
    Day,
    DayOut,
    Flag,
    Id,
    Int,
    Items,
    Money,
    Offset,
    OptionalMoment,
    Query,
    Reply,
    anything,
    bad,
    query_int,
    text,
)
from httpcommon.jsonio import json_response
from httpcommon.keys import now
from httpcommon.params import path_id
from httpcommon.replies import IngestResult
from httpcommon.sharing import share_settings

routes = Routes()
CATALOGUE = (ADMIN, ERP)
READ = (ADMIN, FINANCE, SALES)  # the ERP reads back only its catalogue
MONEY_IN = (ADMIN, FINANCE)
MAX_USAGE_BATCH = 5000
PRODUCT_NAME = column_length(Product, "name")


def _period(raw, name: str = "period"):
    try:
        return parse_period(raw)
    except ValueError:
        raise BAD_PERIOD(f"{name} 必须是 YYYY-MM: {raw!r}") from None


# ----- the request and response types (the rules the routes follow are in their summaries) --

PERIOD = {"type": "string", "pattern": r"^(19|[2-9]\d)\d{2}-(0[1-9]|1[0-2])$",
          "description": "YYYY-MM（1900 年起）"}
PRICE = {"type": "string", "description": "单价，小于 1000000，最多 6 位小数",
         "pattern": rf"^\d{{1,{len(str(int(pricing.MAX_PRICE))) - 1}}}(\.\d{{1,6}})?$"}
PriceType = Literal["uniform", "stage", "tiered"]
PRICE_TYPE = {"enum": list(PriceType.__args__),
              "description": "uniform 统一价 / stage 阶段价（按总量所达档位计全部）/ "
                             "tiered 阶梯价（分段累进）"}
TERM_MONTHS = {"type": "integer", "minimum": 1, "maximum": catalogue.MAX_TERM_MONTHS}
TIER = {"type": "object", "required": ["price"], "additionalProperties": False, "properties": {
    "up_to": {"type": ["integer", "null"], "minimum": 1, "description": "含本数；最后一档为 null"},
    "price": PRICE}}
USAGE_ROW = {"type": "object", "required": ["account", "period", "quantity"], "properties": {
    "account": {"type": "string"}, "period": PERIOD, "quantity": {"type": "integer", "minimum": 0}}}
Reason = Literal["no_price", "bad_price_table", "no_usage", "unknown_account",
                 "account_after_bill"]


def _some_text(value: Any) -> str | None:
    """A new name when it is a text; anything else leaves the name as it is."""
    return value if isinstance(value, str) else None


def _usage_rows(value: Any) -> Any:
    if isinstance(value, list) and len(value) > MAX_USAGE_BATCH:
        raise bad(BATCH_TOO_LARGE, f"每批最多 {MAX_USAGE_BATCH} 行，请分批推送")
    return value  # the rows are the use case's to check (batch_rejected)


def _body_period(value: Any):
    return _period(value)  # its Invalid (bad_period) is the answer


Period = Annotated[Any, PlainValidator(_body_period), WithJsonSchema(PERIOD)]


def _query_period(raw: str):
    return _period(raw) if raw else None


QueryPeriod = Annotated[Any, PlainValidator(_query_period), WithJsonSchema(PERIOD)]
Page = query_int(0, 1000)  # as query_int(request, "limit", 100) read it


class NewProduct(Body):
    documented_required = ("code", "name")

    customer_id: Annotated[Int, Code(BAD_FIELD), WithJsonSchema(ID)]
    code: Annotated[text(50), WithJsonSchema(
        {"type": "string", "pattern": catalogue.CODE.pattern})] = ""
    name: Annotated[text(PRODUCT_NAME), WithJsonSchema(
        {**NOT_BLANK, "maxLength": PRODUCT_NAME})] = ""
    payment_term_months: Annotated[Int, WithJsonSchema(TERM_MONTHS)] = 1


class ProductChange(Body):
    name: Annotated[str | None, PlainValidator(_some_text), WithJsonSchema(
        {**NOT_BLANK, "maxLength": PRODUCT_NAME})] = None
    payment_term_months: Annotated[Int | None, WithJsonSchema(TERM_MONTHS)] = None
    active: Flag | None = None


class NewAccount(Body):
    documented_required = ("account",)

    account: Annotated[text(64), WithJsonSchema({"type": "string", "pattern": (
        catalogue.ACCOUNT.pattern.replace(r"\S", rf"[^\x00{SPACE}]"))})] = ""
    interest_free: Annotated[bool, Field(strict=True)] = False


class InterestFree(Body):
    interest_free: Annotated[bool, Field(strict=True), Code(BAD_FIELD)]


class NewPrice(Body):
    documented_required = ("price_type", "tiers")

    effective_from: Day
    price_type: Annotated[text(16), WithJsonSchema(PRICE_TYPE)] = ""
    tiers: anything({"type": "array", "minItems": 1, "items": TIER}) = None
    note: text() = ""


class Usage(Body):
    documented_required = ("items",)

    items: Annotated[Any, PlainValidator(_usage_rows), WithJsonSchema(
        {"type": "array", "items": USAGE_ROW})] = None


class BillPeriod(Body):
    period: Annotated[Period, Code(BAD_PERIOD)]


class PaymentMode(Body):
    documented_required = ("payment_mode",)

    payment_mode: Annotated[text(16), WithJsonSchema(
        {"enum": ["postpaid", "prepaid", "prepurchase"]})] = ""


class Recharge(Body):
    documented_required = ("reference",)

    reference: Annotated[text(64), WithJsonSchema(
        {"type": "string", "minLength": 1, "maxLength": 64})] = ""
    amount: Annotated[Amount, WithJsonSchema({
        "type": "string", "description": "不为 0；负数为退款",
        "pattern": "^-?" + POSITIVE_AMOUNT["pattern"][1:]})]
    recharged_on: Day


class ProductsQuery(Query):
    customer_id: query_int(0, ID_MAX) = 0


class BillsQuery(Query):
    customer_id: query_int(0, ID_MAX) = 0
    period: QueryPeriod = None
    limit: Page = 100
    offset: Offset = 0


def _exception_status(raw: str) -> str | None:
    if raw and raw not in ("open", "resolved"):
        raise BAD_STATUS("status 必须是 open 或 resolved")
    return raw or None


class ExceptionsQuery(Query):
    status: Annotated[Any, PlainValidator(_exception_status),
                      WithJsonSchema({"enum": ["open", "resolved"]})] = None
    period: QueryPeriod = None
    limit: Page = 100
    offset: Offset = 0


class Account(Reply):
    account: str
    product_id: Id
    interest_free: bool


class ProductView(Reply):
    id: Id
    code: str
    name: str
    customer_id: Id
    payment_term_months: Annotated[int, WithJsonSchema(TERM_MONTHS)]
    active: bool
    accounts: list[Account] = []


class Tier(Reply):
    up_to: int | None = Field(description="含本数；最后一档为 null")
    price: str


class PriceView(Reply):
    id: Id
    product_id: Id
    effective_from: DayOut
    price_type: PriceType
    price_type_label: str
    tiers: list[Tier]
    note: str


MonthText = Annotated[str, WithJsonSchema(PERIOD)]


class BillView(Reply):
    id: int
    customer_id: Id
    product_id: Id
    period: MonthText
    quantity: int
    price_type: PriceType
    amount: Money
    paid: Money
    status: Literal["unpaid", "paid"]
    bill_date: DayOut
    due_date: DayOut
    statement_id: Id | None


class BillingExceptionView(Reply):
    id: int
    period: MonthText
    customer_id: Id | None
    product_id: Id | None
    account: str
    reason: Reason
    reason_label: str
    detail: str
    status: Literal["open", "resolved"]
    created_at: OptionalMoment
    resolved_at: OptionalMoment


class Billed(Reply):
    bills: list[BillView]
    statement_ids: list[Id]
    open_exceptions: list[BillingExceptionView]


class PaymentModeView(Reply):
    customer_id: Id
    payment_mode: str
    prepaid_balance: Money


class RechargeView(Reply):
    id: Id
    reference: str
    customer_id: Id
    amount: Money
    recharged_on: DayOut
    balance: Money


# ----- catalogue ------------------------------------------------------------------------------


@routes.post("/billing/products", body=NewProduct, response=ProductView, status=201,
             summary="添加产品（编号唯一，1–50 位字母数字 _.-；账期默认 1 个月，最多 12）")
async def create_product(request: web.Request, body: NewProduct) -> web.Response:
    """添加产品"""
    actor_with(request, *CATALOGUE)
    product = await catalogue.create_product(
        customer_id=body.customer_id, code=body.code, name=body.name,
        payment_term_months=body.payment_term_months, now=now(request))
    return json_response(catalogue.product_view(product, []), status=201)


@routes.get("/billing/products", summary="产品及其账号", query=ProductsQuery,
            response=Items[ProductView])
async def list_products(request: web.Request, query: ProductsQuery) -> web.Response:
    actor_with(request, *READ, ERP)
    return json_response({"items": await catalogue.list_products(query.customer_id or None)})


@routes.patch("/billing/products/{id}", summary="修改产品（名称、账期、启用）",
              body=ProductChange, response=ProductView)
async def update_product(request: web.Request, body: ProductChange) -> web.Response:
    """修改产品名称、账期（月）、启用"""
    actor_with(request, *CATALOGUE)
    product = await catalogue.update_product(
        path_id(request), name=body.name, payment_term_months=body.payment_term_months,
        active=body.active)
    return json_response(catalogue.product_view(product))


@routes.post("/billing/products/{id}/accounts", body=NewAccount, response=Account,
             status=201, summary="添加账号（全局唯一；interest_free = 不计息账号）")
async def add_account(request: web.Request, body: NewAccount) -> web.Response:
    """给产品添加账号（可标为不计息账号）"""
    actor_with(request, *CATALOGUE)
    account = await catalogue.add_account(
        path_id(request), account=body.account, interest_free=body.interest_free,
        now=now(request))
    return json_response(catalogue.account_view(account), status=201)


@routes.put("/billing/accounts/{account}", body=InterestFree, response=Account, summary=(
    "不计息账号配置（随时可改；产品全部账号不计息时其账单不计罚息）"))
async def set_interest_free(request: web.Request, body: InterestFree) -> web.Response:
    """不计息账号配置"""
    actor_with(request, *CATALOGUE)
    account = await catalogue.set_interest_free(request.match_info["account"],
                                                body.interest_free)
    return json_response(catalogue.account_view(account))


@routes.post("/billing/products/{id}/prices", body=NewPrice, response=PriceView, status=201,
             summary="销售调价。tiers 的 up_to 含本数、严格递增、最后一档为 null；统一价恰好一档；"
                     "单价最多 6 位小数，格式不对返回 400 且不写入。某月的价格 = 生效日不晚于该月"
                     "最后一天的最新调价（月中调价对整月生效）。阶段价：总量所达档位的单价乘以全部"
                     "数量；阶梯价：各段按各自单价累加；金额最后四舍五入到分一次。")
async def add_price(request: web.Request, body: NewPrice) -> web.Response:
    """销售调价：自某日起生效的价格表"""
    actor = actor_with(request, *CATALOGUE)
    price = await catalogue.add_price(
        path_id(request), effective_from=body.effective_from, price_type=body.price_type,
        tiers=body.tiers, note=body.note, actor=actor.label, now=now(request))
    return json_response(catalogue.price_view(price), status=201)


@routes.get("/billing/products/{id}/prices", summary="产品的调价记录",
            response=Items[PriceView])
async def list_prices(request: web.Request) -> web.Response:
    actor_with(request, *READ, ERP)
    return json_response({"items": await catalogue.list_prices(path_id(request))})


# ----- usage, bills, exceptions -----------------------------------------------------------------


@routes.post("/billing/usage", body=Usage, response=IngestResult, summary=(
    "推送发送量（按账号+月份覆盖）。整批要么全部写入，要么一行不写：有错行返回 "
    "400 batch_rejected；仅因该账号产品的月份已出账单而被拒时返回 409 "
    "usage_period_billed；每个被拒行都列出原因。"))
async def post_usage(request: web.Request, body: Usage) -> web.Response:
    """推送发送量（按账号、月份覆盖；整批要么全写入要么全不写入）"""
    actor_with(request, *CATALOGUE)
    result = await ingest_usage(body.items, now=now(request))
    return json_response(result.as_dict())


def _bill_view(bill: Bill) -> dict:
    return {"id": bill.id, "customer_id": bill.customer_id, "product_id": bill.product_id,
            "period": period_label(bill.period), "quantity": bill.quantity,
            "price_type": bill.price_type, "amount": bill.amount, "paid": bill.paid,
            "status": bill.status, "bill_date": bill.bill_date, "due_date": bill.due_date,
            "statement_id": bill.statement_id}


@routes.get("/billing/bills", summary="账单（每产品每月一张）", query=BillsQuery,
            response=Items[BillView])
async def list_bills(request: web.Request, query: BillsQuery) -> web.Response:
    actor = actor_with(request, *READ)
    bills = Bill.all()
    visible = await visible_customer_ids(actor)
    if visible is not None:
        bills = bills.filter(customer_id__in=list(visible))
    if query.customer_id:
        bills = bills.filter(customer_id=query.customer_id)
    if query.period:
        bills = bills.filter(period=query.period)
    bills = await bills.order_by("-period", "id").offset(query.offset).limit(query.limit)
    return json_response({"items": [_bill_view(b) for b in bills]})


def _exception_view(e: BillingException) -> dict:
    return {"id": e.id, "period": period_label(e.period), "customer_id": e.customer_id,
            "product_id": e.product_id, "account": e.account, "reason": e.reason,
            "reason_label": REASON_LABELS.get(e.reason, ""), "detail": e.detail,
            "status": e.status, "created_at": e.created_at, "resolved_at": e.resolved_at}


@routes.get("/billing/exceptions", query=ExceptionsQuery,
            response=Items[BillingExceptionView], summary=(
                "出账异常：no_price 产品当月没有调价 / bad_price_table 调价表格式错误 / "
                "no_usage 产品该月没有发送量 / unknown_account 产品账号填写错误（产品无账号，"
                "或发送量的账号不属于任何产品）。每日出账会重试未解决的异常，补出的账单进补充对账单。"))
async def list_exceptions(request: web.Request, query: ExceptionsQuery) -> web.Response:
    """出账异常（无调价、调价表错误、无发送量、账号错误、账号出账后才加入）"""
    actor = actor_with(request, *READ)
    rows = BillingException.all()
    if query.status:
        rows = rows.filter(status=query.status)
    if query.period:
        rows = rows.filter(period=query.period)
    visible = await visible_customer_ids(actor)
    if visible is not None:
        rows = rows.filter(customer_id__in=list(visible))
    rows = await rows.order_by("-period", "id").offset(query.offset).limit(query.limit)
    return json_response({"items": [_exception_view(e) for e in rows]})


@routes.post("/billing/customers/{id}/bill", body=BillPeriod, response=Billed, status=201,
             also=(200,), summary=(
                 "点击生成账单：为客户某个已结束月份出账（与每日出账同一流程；"
                 "已出账的产品不再出，新账单合并为一张对账单发给客户联系人）"))
async def bill_now(request: web.Request, body: BillPeriod) -> web.Response:
    """点击生成账单：为客户的某个已结束月份出账（已出的产品不会重复出）"""
    actor = actor_with(request, ADMIN, FINANCE, SALES)
    customer = await get_visible_customer(actor, path_id(request))
    period, clock = body.period, now(request)
    result = await bill_customer_period(actor, customer.id, period, clock.date(), clock,
                                        share_settings(request))
    exceptions = await BillingException.filter(customer_id=customer.id, period=period,
                                               status="open")
    return json_response({
        "bills": [_bill_view(b) for b in result.bills], "statement_ids": result.statements,
        "open_exceptions": [_exception_view(e) for e in exceptions]},
        status=201 if result.bills else 200)


# ----- prepaid -----------------------------------------------------------------------------------


@routes.put("/billing/customers/{id}/payment-mode", body=PaymentMode,
            response=PaymentModeView, summary=(
                "付费方式：postpaid 后付费 / prepaid 预付（可退）/ prepurchase 预购（不可退）；"
                "余额不为 0 时不能更改"))
async def set_payment_mode(request: web.Request, body: PaymentMode) -> web.Response:
    """付费方式：postpaid 后付费 / prepaid 预付（可退） / prepurchase 预购（不可退）"""
    actor_with(request, ADMIN, FINANCE)
    customer = await prepaid.set_payment_mode(path_id(request), body.payment_mode)
    return json_response({"customer_id": customer.id, "payment_mode": customer.payment_mode,
                          "prepaid_balance": customer.prepaid_balance})


@routes.post("/billing/customers/{id}/recharges", body=Recharge, response=RechargeView,
             status=201, summary=(
                 "销售充值。负数为退款：预购客户 409 not_refundable（不可退回），"
                 "退款超过余额 409 refund_exceeds_balance；后付费客户 409 not_prepaid。"
                 "出账时账单先从余额扣。"))
async def recharge(request: web.Request, body: Recharge) -> web.Response:
    """销售充值（负数为退款：预购不可退回，退款不能超过余额）"""
    actor = actor_with(request, *MONEY_IN)
    record, balance = await prepaid.recharge(
        customer_id=path_id(request), reference=body.reference, amount=body.amount,
        on=body.recharged_on, actor=actor.label, now=now(request))
    return json_response({"id": record.id, "reference": record.reference,
                          "customer_id": record.customer_id, "amount": record.amount,
                          "recharged_on": record.recharged_on, "balance": balance},
                         status=201)
