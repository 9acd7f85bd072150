"""ERP ingest routes: batches of staff, customers, contacts, documents and the hand-over's
expenses, other income and exchanges."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from backoffice_api.auth import actor_with
from domain.actors import ADMIN, ERP
from domain.ingest import INGESTERS
from httpcommon.contract import Routes
from httpcommon.error_codes import UNKNOWN_KIND
from httpcommon.fields import DATE, DATE_TIME, MONEY, BatchBody, OnOff, Query, batch
from httpcommon.jsonio import json_response
from httpcommon.keys import now
from httpcommon.replies import IngestResult

routes = Routes()

# ----- the rows as the ERP sends them: documentation (domain.ingest parses each row and reports
# a bad one in "rejected"; a row of another shape is any object) --------------------------------
Money = Annotated[str, WithJsonSchema(MONEY)]
Day = Annotated[str, WithJsonSchema(DATE)]
AUDIT = "approved|pending|void 或 已审批/待审批/作废"
Audit = Annotated[str, Field(description=AUDIT)]


class Row(BaseModel):
    model_config = ConfigDict(regex_engine="python-re")


class PushedSettlement(Row):
    number: str
    type: str
    date: Day
    amount: Money
    prepaid: Money = None


class PushedDocument(Row):
    model_config = ConfigDict(title="documents")

    number: str
    type: str = Field(description="sales_out|sales_return|receipt 或 销售出库单/销售退货单/收款单")
    date: Day
    customer_code: str
    salesperson: str = None
    amount: Money
    owed: Money = None
    account: str = None
    status: str = None
    department: str = Field(None, description="客户的部门（名称或编号）")
    erp_type: str = Field(None, description="ERP 单据名：车销单、发货单…")
    audit_status: str = Field(None, description=AUDIT + "（默认 approved）")
    driver: str = Field(None, description="司机钉钉 userid")
    delivered_on: Day = Field(None, description="配送日期，填司机时必填")
    reversal: bool = Field(None, description="红冲或被红冲")
    receipt_kind: str = Field(None, description="仅收款单: sale|prepayment|deposit")
    discount: Money = None
    to_prepaid: Money = None
    settlements: list[PushedSettlement] | str = Field(None, description=(
        "仅收款单，核销单据；核销(不含使用预收)+转入预收 = 收款金额+收款优惠"))


class PushedCustomer(Row):
    model_config = ConfigDict(title="customers")

    code: str
    name: str
    parent_code: str = Field(None, description="上级客户编号；不能形成循环")
    settlement_mode: str = Field(None, description="on_account|cash 或 记账/现结")
    can_prepay: bool | str = Field(None, description="可预存：能否预充值")
    credit_limit: Money = Field(None, description="信用额度：应收超出时提醒业务员（每次超出一次）")
    departments: list[Any] | str = Field(None, description=(
        "部门（统一结算）：名称或 {name, code} 的数组，或 \"采购部:CG，工程部\"；不给则不变"))


class PushedMoneyItem(Row):
    type: str
    amount: Money


class PushedHandoverRow(Row):
    number: str
    date: Day
    salesperson: str = Field(description="业务员钉钉 userid")
    customer_code: str = None
    audit_status: Audit = None
    remark: str = None


class PushedExpense(PushedHandoverRow):
    model_config = ConfigDict(title="expenses")

    items: list[PushedMoneyItem] | str = Field(None, description="数组或 JSON 文本")
    total: Money = None
    paid: Money = None
    settled: Money = None
    account: str = None


class PushedOtherIncome(PushedHandoverRow):
    model_config = ConfigDict(title="other_incomes")

    items: list[PushedMoneyItem] | str = Field(None, description="数组或 JSON 文本")
    amount: Money = None
    account: str = None


class PushedExchangeItem(Row):
    product: str
    unit: str = None
    quantity: str
    direction: Literal["out", "in"]


class PushedExchange(PushedHandoverRow):
    model_config = ConfigDict(title="exchanges")

    amount: Money = None
    submitted_at: Annotated[str, WithJsonSchema(DATE_TIME)] = Field(
        None, description="默认为推送时间")
    items: list[PushedExchangeItem] | str


# a row of another shape is any object
PushedRow = (PushedDocument | PushedCustomer | PushedExpense | PushedOtherIncome | PushedExchange
             | dict)


class Batch(BatchBody):
    items: batch(PushedRow) = None  # the rows are the use case's to check


class IngestQuery(Query):
    atomic: Annotated[OnOff, Field(description="1: 有错则整批不写入")] = False


DAY_CLOSED = {"423": {"description": "含已关账日期的新增或修改单据：整批未写入，detail.rows 列出"
                                     "每一行 (index, number, staff, day)"}}


@routes.post("/ingest/{kind}", body=Batch, query=IngestQuery, response=IngestResult,
             responses=DAY_CLOSED, summary=(
                 "ERP 批量推送 staff / customers / contacts / documents / expenses / "
                 "other_incomes / exchanges（按编号幂等；涉及已关账日期则整批 423）"))
async def ingest(request: web.Request, body: Batch, query: IngestQuery) -> web.Response:
    """Apply the good rows, report each bad one; with ?atomic=1 all or nothing. A batch with a
    new or changed document of a closed day is refused whole (423)."""
    actor = actor_with(request, ERP, ADMIN)
    kind = request.match_info["kind"]
    if kind not in INGESTERS:
        raise UNKNOWN_KIND(f"未知数据类型 {kind}，可用: {', '.join(INGESTERS)}")
    result = await INGESTERS[kind](body.items, atomic=query.atomic, now=now(request),
                                   by=actor.label)
    return json_response(result.as_dict())
