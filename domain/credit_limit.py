"""Seed 003 E (月结日期和信用额度): a receivable above the customer's credit limit alerts its
salesperson in DingTalk, once per crossing. A crossing is the receivable going from within the
limit to above it; the customer may be alerted again only after it came back within.

Every use case that changes documents (ERP ingest, receipts recorded or voided, write-offs,
month-end bills) calls ``check_credit_limits`` with the customers it touched, inside its own
transaction, so the alert is written with the change that caused it."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from tortoise.expressions import Q

from domain.customers.models import Customer
from domain.customers.service import receivables
from domain.money import fmt
from domain.notices import outbox
from domain.notices.catalogue import (
    CreditLimitExceeded,
    Kind,
    credit_limit_exceeded_key,
    staff_recipient,
)
from domain.org.models import Staff

CROSSED, BACK_WITHIN = "crossed", "back_within"


def crossing(receivable: Decimal, limit: Decimal | None, over: bool) -> str | None:
    """What a new receivable means against the limit, given whether it was above it before:
    CROSSED (alert), BACK_WITHIN (re-arm) or None (nothing changes)."""
    above = limit is not None and receivable > limit
    if above and not over:
        return CROSSED
    if over and not above:
        return BACK_WITHIN
    return None


async def check_credit_limits(customer_ids, now: datetime | None) -> int:
    """Alert the salespeople of the customers whose receivable just crossed their limit and
    re-arm those back within it; returns the number of alerts queued."""
    ids = sorted({i for i in customer_ids if i})
    if not ids:
        return 0
    # Locked before the receivable is read, so two writers of one customer take turns and
    # the second sees the first one's documents and flag.
    customers = await Customer.filter(
        Q(credit_limit__not_isnull=True) | Q(over_credit_limit=True), id__in=ids,
    ).select_for_update().order_by("id")
    if not customers:
        return 0
    balances = await receivables([c.id for c in customers])
    alerts = 0
    for customer in customers:
        change = crossing(balances[customer.id], customer.credit_limit, customer.over_credit_limit)
        if change == BACK_WITHIN:
            await Customer.filter(id=customer.id).update(over_credit_limit=False)
        elif change == CROSSED:
            await _cross(customer, balances[customer.id], now)
            alerts += 1
    return alerts


async def _cross(customer: Customer, receivable: Decimal, now: datetime | None) -> None:
    if now is None:
        raise ValueError("a credit-limit alert needs the time (now)")
    crossings = customer.credit_limit_crossings + 1
    await Customer.filter(id=customer.id).update(over_credit_limit=True,
                                                 credit_limit_crossings=crossings)
    salesperson = await Staff.get_or_none(id=customer.salesperson_id) \
        if customer.salesperson_id else None
    if salesperson is None:
        return  # nobody to tell; the crossing still counts, so it is not told twice later
    payload: CreditLimitExceeded = {
        "customer_id": customer.id, "customer_code": customer.code,
        "customer_name": customer.name, "credit_limit": fmt(customer.credit_limit),
        "receivable": fmt(receivable), "over_by": fmt(receivable - customer.credit_limit),
    }
    to = staff_recipient(salesperson.id, salesperson.name)
    await outbox.enqueue(Kind.CREDIT_LIMIT_EXCEEDED, to, payload,
                         credit_limit_exceeded_key(customer.id, crossings, to), now)
