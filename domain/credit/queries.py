"""Reads of the credit books as plain dicts, limited to the customers the actor may see."""

from __future__ import annotations

from datetime import date

from domain.access import only_customers, visible_customer_ids
from domain.actors import ERP, Actor
from domain.common_errors import BAD_STATUS
from domain.credit import rules
from domain.credit.errors import CREDIT_ACCOUNT_NOT_FOUND, ORDER_NOT_FOUND
from domain.credit.ledger import outstanding_debt
from domain.credit.line_lifecycle import STATUS_LABELS
from domain.credit.lines import available
from domain.credit.models import (
    CreditBudget,
    CreditLedger,
    CreditLine,
    CreditOperation,
    CreditOrder,
    CreditReceipt,
    Debt,
    DebtPart,
    GoodsReturn,
    OrderCredit,
    Repayment,
    SalesOrg,
    Shipment,
)
from domain.credit.orders import ORDER_STATUS_LABELS
from domain.customers.errors import CUSTOMER_NOT_FOUND
from domain.customers.models import Customer
from domain.money import ZERO

DEBT_STATUSES = ("open", "paid", "returned", "reversed")


async def _visible(actor: Actor) -> set[int] | None:
    """None: every customer (admin, finance, the ERP); else the ids a salesperson may see."""
    if actor.kind == "staff" and actor.role == ERP:
        return None
    return await visible_customer_ids(actor)


async def _check_customer(actor: Actor, customer_id: int) -> Customer:
    visible = await _visible(actor)
    customer = await Customer.get_or_none(id=customer_id, deleted_at=None)
    if customer is None or (visible is not None and customer_id not in visible):
        raise CUSTOMER_NOT_FOUND(f"客户 {customer_id} 不存在")
    return customer


def org_view(org: SalesOrg) -> dict:
    return {"id": org.id, "code": org.code, "name": org.name, "budget": org.budget,
            "used": org.used, "frozen": org.frozen,
            "left": rules.org_budget_left(org.budget, org.used + org.frozen),
            "enabled": org.enabled}


def budget_view(budget: CreditBudget) -> dict:
    return {"year": budget.year, "total": budget.total, "used": budget.used,
            "frozen": budget.frozen,
            "left": max(budget.total - budget.used - budget.frozen, ZERO)}


async def list_orgs() -> dict:
    orgs = await SalesOrg.all().order_by("code")
    budgets = await CreditBudget.all().order_by("year")
    return {"items": [org_view(o) for o in orgs], "budgets": [budget_view(b) for b in budgets]}


async def org_choices() -> list[dict]:
    """The sales orgs a credit application may name (the enabled ones, as
    ``line_lifecycle._enabled_org`` admits), with only what a form's choice shows: for any
    staff member, unlike ``list_orgs`` with the budgets (finance's)."""
    orgs = await SalesOrg.filter(enabled=True).order_by("code")
    return [{"id": org.id, "name": org.name} for org in orgs]


async def parent_line_choices(actor: Actor, on: date) -> list[dict]:
    """The lines a 直签使用授信 may be carved from (``rules.PARENT_TYPE``, of customers the
    actor sees), with what a form's choice shows."""
    query = only_customers(CreditLine.filter(type=rules.PARENT_TYPE), await _visible(actor))
    lines = await query.order_by("customer_id", "id").limit(1000)
    return [{"id": line.id, "number": line.number, "available": available(line, on)}
            for line in lines]


def line_view(line: CreditLine, on: date) -> dict:
    return {
        "id": line.id, "number": line.number, "customer_id": line.customer_id,
        "org_id": line.org_id, "type": line.type,
        "type_label": rules.TYPE_LABELS[line.type],
        "revolving": rules.is_revolving(line.type), "limit": line.limit,
        "used": line.used, "frozen": line.frozen, "available": available(line, on),
        "over_limit": rules.over_limit(line.limit, line.used, line.frozen),
        "valid_from": line.valid_from, "valid_to": line.valid_to,
        "status": line.status, "status_label": STATUS_LABELS.get(line.status, ""),
        "project": line.project, "term_days": line.term_days,
        "parent_id": line.parent_id, "created_at": line.created_at,
    }


def operation_view(op: CreditOperation) -> dict:
    return {"id": op.id, "op": op.op, "amount": op.amount, "limit_after": op.limit_after,
            "used_after": op.used_after, "frozen_after": op.frozen_after,
            "available_after": op.available_after, "ref_type": op.ref_type,
            "ref_id": op.ref_id, "actor": op.actor, "at": op.created_at}


async def list_lines(actor: Actor, customer_id: int | None, on: date) -> list[dict]:
    query = only_customers(CreditLine.all(), await _visible(actor), customer_id)
    return [line_view(a, on) for a in await query.order_by("customer_id", "id").limit(1000)]


async def get_line(actor: Actor, line_id: int, on: date) -> dict:
    line = await CreditLine.get_or_none(id=line_id)
    if line is None:
        raise CREDIT_ACCOUNT_NOT_FOUND(f"授信账户 {line_id} 不存在")
    await _check_customer(actor, line.customer_id)
    ops = await CreditOperation.filter(account_id=line.id).order_by("id")
    return {**line_view(line, on), "operations": [operation_view(o) for o in ops]}


async def get_order(actor: Actor, number: str) -> dict:
    order = await CreditOrder.get_or_none(number=number)
    if order is None:
        raise ORDER_NOT_FOUND(f"订单 {number} 不存在")
    await _check_customer(actor, order.customer_id)
    return await order_view(order)


async def order_view(order: CreditOrder) -> dict:
    credits = await OrderCredit.filter(order_id=order.id).order_by("position")
    lines = CreditLine.filter(id__in=[c.account_id for c in credits])
    numbers: dict[int, str] = dict(await lines.values_list("id", "number"))
    shipments = await Shipment.filter(order_id=order.id).order_by("id")
    return {
        "id": order.id, "number": order.number, "customer_id": order.customer_id,
        "org_id": order.org_id, "salesperson_id": order.salesperson_id,
        "business_type": order.business_type, "project": order.project,
        "order_date": order.order_date, "amount": order.amount, "cash": order.cash,
        "credit": order.credit, "cash_left": order.cash_left, "credit_left": order.credit_left,
        "status": order.status, "status_label": ORDER_STATUS_LABELS[order.status],
        "credits": [{"account_id": c.account_id, "account_number": numbers.get(c.account_id),
                     "amount": c.amount, "frozen": c.frozen, "used": c.used} for c in credits],
        "shipments": [await shipment_view(s) for s in shipments],
    }


async def shipment_view(shipment: Shipment) -> dict:
    debt = await Debt.filter(shipment_id=shipment.id).order_by("-id").first()
    returns = await GoodsReturn.filter(shipment_id=shipment.id).order_by("id")
    return {
        "id": shipment.id, "number": shipment.number, "ship_date": shipment.ship_date,
        "amount": shipment.amount, "cash": shipment.cash, "credit": shipment.credit,
        "returned": shipment.returned, "status": shipment.status,
        "debt": await debt_view(debt, with_parts=True) if debt else None,
        "returns": [return_view(r) for r in returns],
    }


def return_view(goods_return: GoodsReturn) -> dict:
    return {"id": goods_return.id, "number": goods_return.number,
            "return_date": goods_return.return_date, "amount": goods_return.amount,
            "cash": goods_return.cash, "credit": goods_return.credit,
            "status": goods_return.status}


async def debt_view(debt: Debt, on: date | None = None, with_parts: bool = False) -> dict:
    view = {
        "id": debt.id, "customer_id": debt.customer_id, "org_id": debt.org_id,
        "salesperson_id": debt.salesperson_id, "shipment_id": debt.shipment_id,
        "business_type": debt.business_type, "debt_date": debt.debt_date,
        "term_days": debt.term_days, "due_date": debt.due_date, "amount": debt.amount,
        "returned": debt.returned, "repaid": debt.repaid, "outstanding": debt.outstanding,
        "status": debt.status, "settled_at": debt.settled_at,
    }
    if on is not None and debt.status == "open":
        state = rules.debt_status(debt.due_date, on, debt.outstanding)
        view.update(stage=state.status, stage_label=rules.DEBT_STATUS_LABELS[state.status],
                    days_to_due=state.days_to_due, days_overdue=state.days_overdue)
    if with_parts:
        parts = await DebtPart.filter(debt_id=debt.id).order_by("position")
        view["parts"] = [{"account_id": p.account_id, "amount": p.amount,
                          "returned": p.returned, "repaid": p.repaid} for p in parts]
    return view


async def list_debts(actor: Actor, customer_id: int | None, status: str | None,
                     on: date) -> list[dict]:
    query = only_customers(Debt.all(), await _visible(actor), customer_id)
    if status:
        if status not in DEBT_STATUSES:
            raise BAD_STATUS(f"未知欠款状态: {status}（可选 {', '.join(DEBT_STATUSES)}）")
        query = query.filter(status=status)
    debts = await query.order_by("due_date", "id").limit(1000)
    return [await debt_view(d, on) for d in debts]


async def ledger_view(actor: Actor, customer_id: int, on: date) -> dict:
    """The customer's base account, repayment account, lines and open debts, and whether the
    books balance (outstanding − repayment balance = base debt)."""
    customer = await _check_customer(actor, customer_id)
    ledger = await CreditLedger.get_or_none(customer_id=customer_id)
    base = ledger.base_debt if ledger else ZERO
    balance = ledger.repayment_balance if ledger else ZERO
    outstanding = await outstanding_debt(customer_id)
    receipts = await CreditReceipt.filter(customer_id=customer_id).order_by("-id").limit(50)
    repayments = await Repayment.filter(debt__customer_id=customer_id).order_by("-id").limit(50)
    return {
        "customer_id": customer.id, "customer_name": customer.name, "base_debt": base,
        "repayment_balance": balance, "deposit": ledger.deposit if ledger else ZERO,
        "unapplied": ledger.unapplied if ledger else ZERO, "outstanding": outstanding,
        "balanced": rules.ledger_gap(outstanding, balance, base) == 0,
        "accounts": await list_lines(actor, customer_id, on),
        "debts": await list_debts(actor, customer_id, "open", on),
        "payments": [credit_receipt_view(r) for r in receipts],
        "repayments": [repayment_view(r) for r in repayments],
    }


def credit_receipt_view(receipt: CreditReceipt) -> dict:
    return {"id": receipt.id, "number": receipt.number, "customer_id": receipt.customer_id,
            "received_on": receipt.received_on, "amount": receipt.amount,
            "repayment": receipt.to_base, "deposit": receipt.deposit,
            "remainder": receipt.remainder, "payer": receipt.payer, "status": receipt.status}


def repayment_view(repayment: Repayment) -> dict:
    return {"id": repayment.id, "debt_id": repayment.debt_id,
            "payment_id": repayment.payment_id, "amount": repayment.amount,
            "manual": repayment.manual, "actor": repayment.actor,
            "at": repayment.created_at}
