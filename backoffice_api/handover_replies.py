"""Response models of the hand-over routes (domain.handover.report, confirm and close views)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from httpcommon.fields import DayOut, Id, Int, Money, OptionalMoment, Reply

Kind = Literal["document", "expense", "other_income", "exchange"]
Audit = Literal["pending", "approved", "void"]
DayStatus = Literal["pending", "done"]


class StaffRef(Reply):
    id: Id
    name: str
    userid: str


class Counts(Reply):
    sales: Int
    receipts: Int
    expenses: Int
    other_incomes: Int
    exchanges: Int
    deliveries: Int


class Row(Reply):
    id: Id
    kind: Kind
    number: str
    date: DayOut
    customer_id: Id | None
    customer: str
    audit_status: Audit
    audit_label: str
    remark: str
    confirmed: bool
    confirmed_at: OptionalMoment
    confirmed_by: str


class SaleRow(Row):
    type: str
    erp_type: str
    type_label: str
    amount: Money
    signed_amount: Money = Field(description="退货为负")
    owed: Money


class Settlement(Reply):
    number: str
    type: str
    type_label: str
    date: DayOut
    amount: Money = Field(description="核销金额（含优惠）")
    prepaid: Money = Field(description="使用预收")
    confirmed: bool = Field(description="被核销单据已对账确认（【已确认】标识）")


class ReceiptRow(Row):
    type: str
    erp_type: str
    type_label: str
    receipt_kind: Literal["sale", "prepayment", "deposit"]
    receipt_kind_label: str
    amount: Money
    discount: Money = Field(description="收款优惠")
    prepaid_used: Money = Field(description="使用预收：核销中预收款支付的部分")
    to_prepaid: Money = Field(description="转入预收")
    account: str
    same_day: Money = Field(description="收当日货款")
    history: Money = Field(description="收历史欠款")
    prepayment: Money = Field(description="预收款")
    deposit: Money = Field(description="收订金")
    settlements: list[Settlement]
    actions: list[Literal["audit", "unaudit", "void"]] = Field(description=(
        "此刻可做的审核操作（审核 / 反审核 / 作废）：已作废、已关账、或已对账确认"
        "（交款交账参数关闭时）的收款单不可做的不列出；调用者的角色另行限制"))


class ExpenseRow(Row):
    items: list
    total: Money = Field(description="总金额")
    paid: Money = Field(description="支出金额")
    settled: Money = Field(description="收款核销金额")
    unsettled: Money = Field(description="未核销金额")
    account: str


class IncomeRow(Row):
    items: list
    amount: Money
    account: str


class ExchangeRow(Row):
    items: list
    amount: Money
    submitted_at: OptionalMoment


class DeliveryRow(SaleRow):
    delivered_on: DayOut


class CustomerDay(Reply):
    customer_id: Id | None
    customer: str
    sales: Money
    returns: Money
    net_sales: Money
    receipts: Money
    discount: Money
    same_day: Money
    history: Money
    prepayment: Money
    deposit: Money
    expenses: Money
    other_income: Money
    exchanges: Int


class Summary(Reply):
    sales_total: Money
    returns_total: Money
    net_sales: Money
    receipts_amount: Money
    discount: Money
    prepaid_used: Money
    to_prepaid: Money
    same_day: Money
    history: Money
    prepayment: Money
    deposit: Money
    expenses_total: Money
    expenses_paid: Money
    expenses_settled: Money
    expenses_unsettled: Money
    other_income_total: Money
    exchanges: Int
    deliveries_shipped: Money
    deliveries_returned: Money
    deliveries_total: Money
    counts: Counts
    documents: Int
    unconfirmed: Int


class Sections(Reply):
    sales: list[SaleRow]
    receipts: list[ReceiptRow]
    expenses: list[ExpenseRow]
    other_incomes: list[IncomeRow]
    exchanges: list[ExchangeRow]
    customers: list[CustomerDay]
    deliveries: list[DeliveryRow]


class DayReport(Reply):
    """日报汇总 of one person's day."""

    staff: StaffRef
    day: DayOut
    closed: bool
    status: DayStatus = Field(description="pending 待对账 / done 已对账")
    status_label: str
    summary: Summary
    confirmed_filter: Literal["all", "yes", "no"]
    sections: Sections


class StaffDay(Reply):
    """One row of the employee list (员工交账列表)."""

    staff: StaffRef
    day: DayOut
    counts: Counts
    sales_total: Money
    returns_total: Money
    net_sales: Money
    receipts_amount: Money
    expenses_total: Money
    other_income_total: Money
    exchanges_total: Money
    deliveries_total: Money
    documents: Int
    unconfirmed: Int
    status: DayStatus = Field(description="pending 待对账 / done 已对账")
    status_label: str
    closed: bool
