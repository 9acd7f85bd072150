"""The customer's credit figures an approval card shows beside the request (可用额度, open
debts, overdue), read once when a node's tasks open: the approver decides on what the card
showed, and every holder of the node sees the same figures."""

from __future__ import annotations

from datetime import date

from domain.credit.lines import available
from domain.credit.models import CreditLine
from domain.credit.overview import customer_debts
from domain.customers.models import Customer
from domain.money import ZERO, fmt
from domain.notices.catalogue import CreditFigures


async def customer_credit(customer_id: int | None, on: date) -> tuple[str, CreditFigures | None]:
    """The customer's name and credit figures on ``on``; ("", None) for a flow about none."""
    customer = await Customer.get_or_none(id=customer_id) if customer_id else None
    if customer is None:
        return "", None
    lines = await CreditLine.filter(customer_id=customer.id)
    left = sum((available(line, on) for line in lines), ZERO)
    debts = await customer_debts(customer.id, on)
    return customer.name, {"available": fmt(left), "outstanding": fmt(debts.outstanding),
                           "overdue": fmt(debts.overdue), "overdue_count": debts.overdue_count}
