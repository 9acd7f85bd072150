"""Payments pool routes (SPEC 7): finance imports received payments, lists the pool, matches a
payment by hand; invoice requests; a customer's penalty interest. Billing-term changes are
started through POST /approvals (kind billing_term_change)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from aiohttp import web
from pydantic import ConfigDict, Field, PlainValidator, WithJsonSchema

from backoffice_api.auth import actor_with
from domain.access import get_visible_customer
from domain.actors import ADMIN, FINANCE, SALES
from domain.common_errors import BAD_FIELD
from domain.limits import ID_MAX
from domain.payments import invoices, pool, queries, rules, settle, writeoffs
from httpcommon.contract import Routes
from httpcommon.fields import (
    DATE,
    ID,
    MONEY_IN,
    BatchBody,
    Body,
    BodyId,
    Code,
    DayOut,
    Id,
    Int,
    Items,
    Limit,
    Moment,
    Money,
    Offset,
    OnOff,
    OptionalMoment,
    OptionalPositiveAmount,
    OrEmpty,
    Query,
    Reply,
    UnsignedAmount,
    batch,
    query_choice,
    query_int,
)
from httpcommon.jsonio import json_response
from httpcommon.keys import SETTINGS, now
from httpcommon.params import path_id

routes = Routes()
BOOKS = (ADMIN, FINANCE)
READ = (ADMIN, FINANCE, SALES)
TEXT = {"type": "string"}

MATCHING = (
    "匹配：到款名称与客户名称、或客户开票信息中的公司名称（invoice.company）比较，比较前都做"
    "规范化：NFKC（全角字母数字括号转半角）、去首尾空白、内部连续空白合为一个空格、忽略大小写。"
    "客户名称优先；同一名称对应两个客户视为未匹配（note 说明）。")
AUTO = (
    "自动销账（设置 auto_write_off 开启时）：按账期（period）再按账单 id 从早到晚，到款剩余金额"
    "能全额覆盖的账单逐张销账，遇到第一张不能全额覆盖的即停止；账单全部覆盖后再按同样规则销罚息。"
    "不自动销账的原因记在 note：到款没有关联到客户名下；到款金额小于最早未销账单金额；预付费"
    "（payment_mode 为 prepaid / prepurchase）客户到款时间大于账单时间（后付费客户不受此限）；"
    "客户没有未销账单；客户没有在职业务员。销账走「销账」审批流程（kind write_off），发起人是客户"
    "的业务员：自动销账时「销售事业部总」「财务(总部)」两个节点满足 auto_write_off 等于 1 "
    "自动通过，业务员在钉钉卡片上确认一次；审批中的账单、罚息和到款金额被占用（reserved），"
    "不能再被其他销账使用；驳回或撤回后占用立即释放，到款回到到款池。最终通过后账单 paid/status、"
    "到款 remaining/status 更新，并生成收款单 WO-<销账 id>（日期为到款日期，本单欠为负），"
    "对账单因此显示这笔收款。")
PAYMENT_ROW = {"type": "object", "required": ["payer_name", "amount", "received_on", "reference"],
               "properties": {"payer_name": TEXT, "amount": MONEY_IN, "received_on": DATE,
                              "reference": TEXT}}
INVOICE_FIELDS = {"type": "object", "properties": {
    name: TEXT for name in rules.INVOICE_FIELD_LABELS}}


# --- request types ---------------------------------------------------------------------------


class PaymentsImport(BatchBody):
    __doc__ = ("每行 {payer_name, amount, received_on, reference}。每个好行单独入库；?atomic=1 时"
               "有任一错误行则整批不写入（全是 409 时返回 409，否则 400）。" + MATCHING + AUTO)

    items: batch(PAYMENT_ROW, "导入", minItems=1) = None  # each row judged by the import


class Atomic(Query):
    atomic: Annotated[OnOff, Field(description="1: 有错则整批不写入")] = False


class PoolFilter(Query):
    status: query_choice(*settle.PAYMENT_STATUS_LABELS) = None
    customer_id: query_int(1, ID_MAX) = None
    limit: Limit = 50
    offset: Offset = 0


class InvoiceRequestsFilter(Query):
    customer_id: query_int(1, ID_MAX) = None
    limit: Limit = 50
    offset: Offset = 0


class BillPick(Body):
    documented_required = ("bill_id",)

    bill_id: Int = Field(None, validate_default=True, json_schema_extra=ID)
    amount: Annotated[OptionalPositiveAmount, Field(description="默认为该账单全部未付金额")] = None


class PenaltyPick(Body):
    documented_required = ("penalty_id",)

    penalty_id: Int = Field(None, validate_default=True, json_schema_extra=ID)
    amount: Annotated[OptionalPositiveAmount, Field(description="默认为该罚息全部未付金额")] = None


def _one_picked(schema: dict) -> None:
    """At least one bill or penalty (the use case answers nothing_to_write_off)."""
    schema["anyOf"] = [
        {"required": ["bills"], "properties": {"bills": {"minItems": 1}}},
        {"required": ["penalties"], "properties": {"penalties": {"minItems": 1}}}]


class HandMatch(Body):
    """customer_id 未匹配的到款必填；已匹配的到款默认其客户。每张账单/罚息默认销全部未付金额，可给
    amount 部分销账；合计不能超过到款可用余额（400）；已结清（409 already_paid）、正在其他销账流程中
    （409 reserved）或不属于该客户（404）的账单被拒绝。流程 auto_write_off = 0：销售事业部总、
    财务(总部)（角色）和业务员依次审批。"""

    model_config = ConfigDict(json_schema_extra=_one_picked)

    customer_id: Annotated[Int | None, WithJsonSchema(ID)] = None
    bills: Annotated[list[BillPick], OrEmpty] = []
    penalties: Annotated[list[PenaltyPick], OrEmpty] = []


def _kind(value: Any) -> str:
    return str(value or "")  # the use case names the kinds (bad_invoice_kind)


class NewInvoiceRequest(Body):
    """开票信息取客户的 invoice，请求中的 invoice 字段覆盖之。amount 与所选账单金额合计不等为 400
    invoice_amount_mismatch（消息中给出两个金额）；账单已在未取消的开票申请中为 409
    bill_already_invoiced。"""

    documented_required = ("kind",)

    customer_id: BodyId
    kind: Annotated[str, PlainValidator(_kind),
                    WithJsonSchema({"enum": list(rules.INVOICE_KINDS)})] = ""
    amount: UnsignedAmount
    bill_ids: Annotated[list[Int], Code(BAD_FIELD), WithJsonSchema({
        "type": "array", "minItems": 1, "uniqueItems": True, "items": ID})]
    invoice: Annotated[dict | None, WithJsonSchema(INVOICE_FIELDS)] = None


# --- response types --------------------------------------------------------------------------


class BillAmount(Reply):
    bill_id: Id
    amount: Money


class PenaltyAmount(Reply):
    penalty_id: int
    amount: Money


class WriteOff(Reply):
    id: int
    payment_id: int
    customer_id: Id
    automatic: bool
    amount: Money
    status: Literal[tuple(queries.WRITE_OFF_STATUS_LABELS)]
    status_label: str
    flow_id: Id | None
    flow_status: str | None
    document: str | None = Field(description="收款单号 WO-<id>（已销账时）")
    bills: list[BillAmount]
    penalties: list[PenaltyAmount]
    created_at: Moment
    done_at: OptionalMoment


class PoolPayment(Reply):
    id: int
    reference: str
    payer_name: str
    payer_key: str = Field(description="规范化后的到款名称（用于匹配）")
    amount: Money
    remaining: Money
    reserved: Money = Field(description="审批中的销账占用的金额")
    available: Money = Field(description="remaining − reserved")
    received_on: DayOut
    customer_id: Id | None
    matched_by: Literal["", "name", "invoice_company", "manual"]
    status: Literal[tuple(settle.PAYMENT_STATUS_LABELS)]
    status_label: str
    note: str = Field(description="未自动销账的原因")
    imported_by: str
    created_at: Moment


class PoolPaymentDetail(PoolPayment):
    write_offs: list[WriteOff]


class PaymentRowError(Reply):
    index: int
    key: str
    status: Literal[400, 409]
    code: str
    errors: list[str]


class PaymentsImported(Reply):
    __doc__ = PaymentsImport.__doc__

    created: int
    unchanged: int
    rejected: list[PaymentRowError]
    payments: list[PoolPayment]


class Penalty(Reply):
    id: int
    bill_id: Id
    month_index: int
    accrued_on: DayOut
    base: Money
    rate: str
    amount: Money
    credited: Money
    paid: Money
    outstanding: Money


class Penalties(Reply):
    """每日任务 penalties：未结清且产品账号不全在不计息名单（interest_free，计息时读取）的账单，
    逾期第 k 个月从 due_date + (k−1) 个月的次日开始，每个开始的月一笔罚息 = 当日未付金额 × 月利率
    penalty_monthly_rate，四舍五入到分；同一账单同一月只记一次（重跑、补跑不重复）。账单结清后不再
    产生新罚息，已有罚息仍应收，可由到款销账（自动时在账单之后）。账单周期更改通过后，已在新账期内
    的月份的罚息冲销（credited，amount 为冲销后金额，month_index 按新到期日重排，账期内为 0、
    −1 …）。"""

    customer_id: Id
    items: list[Penalty]
    total: Money
    credited: Money
    paid: Money
    outstanding: Money


class InvoiceFields(Reply):
    company: str = None
    tax_id: str = None
    address: str = None
    phone: str = None
    bank: str = None
    account: str = None


class InvoiceRequest(Reply):
    id: Id
    customer_id: Id
    kind: Literal[tuple(rules.INVOICE_KINDS)]
    kind_label: str
    amount: Money
    invoice: InvoiceFields
    status: Literal[tuple(invoices.STATUS_LABELS)]
    status_label: str
    created_by: str
    created_at: Moment
    bills: list[BillAmount]


# --- the pool ---------------------------------------------------------------------------------


@routes.post("/pool-payments",
             summary="导入到款（财务）：按流水号幂等，同一流水号内容不同为 409 行错误",
             query=Atomic, body=PaymentsImport, response=PaymentsImported)
async def import_payments(request: web.Request, query: Atomic,
                          body: PaymentsImport) -> web.Response:
    actor = actor_with(request, *BOOKS)
    result = await pool.import_payments(
        body.items, atomic=query.atomic, actor=actor.name, now=now(request),
        auto_write_off=request.config_dict[SETTINGS].auto_write_off)
    return json_response({
        "created": result.created, "unchanged": result.unchanged,
        "rejected": [r.__dict__ for r in result.rejected],
        "payments": await queries.payment_views(result.payments)})


@routes.get("/pool-payments", summary="到款池（业务员可见未匹配的到款与自己客户的到款）",
            query=PoolFilter, response=Items[PoolPayment])
async def list_payments(request: web.Request, query: PoolFilter) -> web.Response:
    actor = actor_with(request, *READ)
    items = await queries.list_payments(actor, status=query.status,
                                        customer_id=query.customer_id, limit=query.limit,
                                        offset=query.offset)
    return json_response({"items": items})


@routes.get("/pool-payments/{id}", summary="到款详情与销账记录", response=PoolPaymentDetail)
async def get_payment(request: web.Request) -> web.Response:
    actor = actor_with(request, *READ)
    payment = await queries.visible_payment(actor, path_id(request))
    return json_response(await queries.payment_view(payment, with_write_offs=True))


@routes.post("/pool-payments/{id}/match",
             summary="人工匹配：到款 → 客户与所选账单/罚息，发起销账流程（逐节点人工审批）",
             body=HandMatch, response=WriteOff, status=201)
async def match_payment(request: web.Request, body: HandMatch) -> web.Response:
    actor_with(request, *BOOKS)
    write_off = await writeoffs.match_by_hand(
        path_id(request), customer_id=body.customer_id,
        bills=[(pick.bill_id, pick.amount) for pick in body.bills],
        penalties=[(pick.penalty_id, pick.amount) for pick in body.penalties],
        now=now(request))
    return json_response(await queries.write_off_view(write_off), status=201)


# --- penalties --------------------------------------------------------------------------------


@routes.get("/customers/{id}/penalties",
            summary="客户罚息：每笔（账单、第几个逾期月、基数、利率、金额、已付、未付）与合计",
            response=Penalties)
async def customer_penalties(request: web.Request) -> web.Response:
    actor = actor_with(request, *READ)
    customer = await get_visible_customer(actor, path_id(request))
    return json_response(await queries.customer_penalties(customer.id))


# --- invoice requests -------------------------------------------------------------------------


@routes.post("/invoice-requests",
             summary="账单开票申请：普票需公司名称与税号，专票需全部开票信息；金额必须等于账单合计",
             body=NewInvoiceRequest, response=InvoiceRequest, status=201)
async def request_invoice(request: web.Request, body: NewInvoiceRequest) -> web.Response:
    actor = actor_with(request, *READ)
    customer = await get_visible_customer(actor, body.customer_id)
    created = await invoices.request_invoice(
        customer_id=customer.id, kind=body.kind, amount=body.amount, bill_ids=body.bill_ids,
        invoice=body.invoice, actor=actor.name, now=now(request))
    return json_response(await invoices.invoice_request_view(created), status=201)


@routes.get("/invoice-requests", summary="开票申请列表", query=InvoiceRequestsFilter,
            response=Items[InvoiceRequest])
async def list_invoice_requests(request: web.Request,
                                query: InvoiceRequestsFilter) -> web.Response:
    actor_with(request, *BOOKS)
    items = await invoices.list_invoice_requests(
        customer_id=query.customer_id, limit=query.limit, offset=query.offset)
    return json_response({"items": items})


@routes.post("/invoice-requests/{id}/cancel", summary="取消开票申请（其账单可再次申请）",
             response=InvoiceRequest)
async def cancel_invoice_request(request: web.Request) -> web.Response:
    actor_with(request, *BOOKS)
    cancelled = await invoices.cancel_invoice_request(path_id(request))
    return json_response(await invoices.invoice_request_view(cancelled))
