"""The flow kinds of the payments pool (seed 004): 销账 (write_off) and 账单周期更改
(billing_term_change), registered with the approval engine at composition (``tally.registries``)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from domain.approvals.flows import BILLING_TERM_CHANGE, WRITE_OFF
from domain.approvals.kinds import FlowKind, Subject
from domain.approvals.models import ApprovalFlow
from domain.billing.models import Bill, PenaltyCharge, Product
from domain.common_errors import BAD_FIELD
from domain.customers.models import Customer
from domain.money import fmt, yuan
from domain.payments import settle, terms
from domain.payments.errors import WRITE_OFF_IN_FLOW, WRITE_OFF_NOT_FOUND, WRITE_OFF_NOT_PENDING
from domain.payments.models import PoolPayment, WriteOff, WriteOffBill, WriteOffPenalty

# ----- 销账 -----


def _parse_write_off(form: Mapping[str, Any], today: date) -> dict:
    """Only the write-off's id: everything else (and whether it is automatic) is read from
    the stored write-off, never taken from the form."""
    write_off_id = form.get("write_off_id")
    if isinstance(write_off_id, bool) or not isinstance(write_off_id, int):
        raise BAD_FIELD("write_off_id 必须是整数", field="write_off_id")
    return {"write_off_id": write_off_id}


async def _check_write_off(form: dict, now: datetime) -> Subject:
    write_off = await WriteOff.get_or_none(id=form["write_off_id"])
    if write_off is None:
        raise WRITE_OFF_NOT_FOUND(f"销账 {form['write_off_id']} 不存在")
    if write_off.status != settle.PENDING:
        raise WRITE_OFF_NOT_PENDING(f"销账 #{write_off.id} 已处理")
    if write_off.flow_id and await ApprovalFlow.exists(id=write_off.flow_id,
                                                      status__not="returned"):
        raise WRITE_OFF_IN_FLOW(f"销账 #{write_off.id} 已有审批流程")
    customer = await Customer.get(id=write_off.customer_id)
    payment = await PoolPayment.get(id=write_off.payment_id)
    shown = {"write_off_id": write_off.id, "auto_write_off": 1 if write_off.automatic else 0,
             "customer": customer.name, "amount": fmt(write_off.amount),
             "payment": {"id": payment.id, "reference": payment.reference,
                         "payer_name": payment.payer_name, "amount": fmt(payment.amount),
                         "remaining": fmt(payment.remaining),
                         "received_on": payment.received_on.isoformat()},
             "bills": await _bill_lines(write_off.id),
             "penalties": await _penalty_lines(write_off.id)}
    return Subject(customer.id, f"销账：{customer.name} {yuan(write_off.amount)}", shown)


async def _bill_lines(write_off_id: int) -> list[dict]:
    lines = await WriteOffBill.filter(write_off_id=write_off_id).order_by("bill_id")
    bills = {b.id: b for b in await Bill.filter(id__in=[x.bill_id for x in lines])}
    names: dict[int, str] = dict(await Product.filter(id__in={b.product_id for b in bills.values()})
                 .values_list("id", "name"))
    return [{"bill_id": x.bill_id, "period": bills[x.bill_id].period.strftime("%Y-%m"),
             "product": names.get(bills[x.bill_id].product_id, ""),
             "bill_amount": fmt(bills[x.bill_id].amount), "amount": fmt(x.amount)}
            for x in lines]


async def _penalty_lines(write_off_id: int) -> list[dict]:
    lines = await WriteOffPenalty.filter(write_off_id=write_off_id).order_by("penalty_id")
    charges = {p.id: p for p in await PenaltyCharge.filter(id__in=[x.penalty_id for x in lines])}
    return [{"penalty_id": x.penalty_id, "bill_id": charges[x.penalty_id].bill_id,
             "month_index": charges[x.penalty_id].month_index, "amount": fmt(x.amount)}
            for x in lines]


def _write_off_summary(form: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The card: the customer, the payment, each bill and penalty, the total (seed 004's 销账
    流程 shows 账单信息, 到款信息 and 销账合计)."""
    payment = form.get("payment") or {}
    lines = [("客户名称", str(form.get("customer", ""))),
             ("到款", f"{payment.get('received_on', '')} {payment.get('payer_name', '')} "
                    f"{yuan(Decimal(payment.get('amount', '0')))}")]
    lines += [(f"账单-{b['period']}-{b['product']}", yuan(Decimal(b["amount"])))
              for b in form.get("bills") or []]
    lines += [(f"罚息 账单#{p['bill_id']} 第{p['month_index']}月", yuan(Decimal(p["amount"])))
              for p in form.get("penalties") or []]
    lines.append(("销账合计", yuan(Decimal(form.get("amount", "0")))))
    lines.append(("自动销账", "是" if form.get("auto_write_off") == 1 else "否"))
    return lines


# ----- 账单周期更改 -----


async def _check_term_change(form: dict, now: datetime) -> Subject:
    customer_id, title, shown = await terms.describe_term_change(form)
    return Subject(customer_id, title, shown)


def _term_change_summary(form: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [("客户", str(form.get("customer", ""))), ("产品", str(form.get("product", ""))),
            ("账单周期", f"{form.get('old_term_months', '?')} → {form.get('term_months')} 个月"),
            ("备注", str(form.get("reason", "")))]


PAYMENTS_KINDS = (
    FlowKind(WRITE_OFF, _parse_write_off, _check_write_off, settle.apply_write_off,
             _write_off_summary, on_end=settle.release_write_off),
    FlowKind(BILLING_TERM_CHANGE, terms.parse_term_change, _check_term_change,
             terms.apply_term_change, _term_change_summary),
)
