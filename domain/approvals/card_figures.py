"""The customer's credit figures an approval card shows beside the request (可用额度, open
debts, overdue), read once when a node's tasks open: the approver decides on what the card
showed, and every holder of the node sees the same figures."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from domain.credit import overview
from domain.customers.models import Customer
from domain.money import fmt, yuan
from domain.notices.catalogue import CreditFigures


async def customer_credit(customer_id: int | None, on: date) -> tuple[str, CreditFigures | None]:
    """The customer's name and credit figures on ``on``; ("", None) for a flow about none."""
    customer = await Customer.get_or_none(id=customer_id) if customer_id else None
    if customer is None:
        return "", None
    credit = await overview.customer_credit(customer.id, on)
    debts = await overview.customer_debts(customer.id, on)
    return customer.name, {"available": fmt(credit.available),
                           "outstanding": fmt(debts.outstanding),
                           "overdue": fmt(debts.overdue), "overdue_count": debts.overdue_count}


def credit_facts(figures: CreditFigures) -> list[tuple[str, str]]:
    """The figures as people read them: 可用额度, 未结欠款, 逾期 (with how many debts)."""
    money = {key: yuan(Decimal(str(figures[key])))
             for key in ("available", "outstanding", "overdue")}
    overdue = f"{money['overdue']}（{figures['overdue_count']} 笔）" \
        if figures.get("overdue_count") else "无"
    return [("可用额度", money["available"]), ("未结欠款", money["outstanding"]),
            ("逾期", overdue)]
