"""Credit alerts: a line or a budget taken past its limit by a document the ERP had already
booked. 退货反审核 is a fact in the ERP, not a request: Tally records the debt again as the ERP
did, and tells the salesperson and the managers instead of refusing it."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import cast

from domain.credit import rules
from domain.credit.lines import LockedLines
from domain.customers.models import Customer
from domain.money import fmt
from domain.notices import outbox
from domain.notices.catalogue import (
    MANAGERS,
    CreditOveruse,
    Kind,
    credit_overuse_key,
    staff_recipient,
)
from domain.org.models import Staff


def _taken(limit: Decimal, used: Decimal, frozen: Decimal) -> dict:
    return {"limit": fmt(limit), "taken": fmt(used + frozen),
            "over": fmt(rules.over_limit(limit, used, frozen))}


def overuse_payload(locked: LockedLines) -> dict | None:
    """The lines, org and enterprise total of ``books`` now past their limit (None: none is)."""
    lines = [{"account_id": line.id, "number": line.number,
              "type_label": rules.TYPE_LABELS[line.type],
              **_taken(line.limit, line.used, line.frozen)}
             for line in locked.lines.values()
             if rules.over_limit(line.limit, line.used, line.frozen) > 0]
    orgs = [{"code": org.code, "name": org.name, **_taken(org.budget, org.used, org.frozen),
             "budget": fmt(org.budget)}
            for org in locked.orgs.values()
            if rules.over_limit(org.budget, org.used, org.frozen) > 0]
    totals = [{"year": b.year, **_taken(b.total, b.used, b.frozen), "total": fmt(b.total)}
              for b in locked.budgets.values()
              if b is not None and rules.over_limit(b.total, b.used, b.frozen) > 0]
    if not (lines or orgs or totals):
        return None
    return {"lines": lines, "org": orgs[0] if orgs else None,
            "enterprise": totals[0] if totals else None}


async def alert_overuse(locked: LockedLines, *, customer_id: int, salesperson_id: int | None,
                        facts: dict, now: datetime) -> bool:
    """Queue the over-use alert if anything in ``books`` is past its limit; ``facts`` names the
    document (document, shipment, order, amount). Returns whether one was queued."""
    over = overuse_payload(locked)
    if over is None:
        return False
    customer = await Customer.get(id=customer_id)
    payload = cast(CreditOveruse, {
        "customer_id": customer.id, "customer": customer.name, **facts, **over})
    document = facts["document"]
    salesperson = await Staff.get_or_none(id=salesperson_id) if salesperson_id else None
    if salesperson is not None:
        to = staff_recipient(salesperson.id, salesperson.name)
        await outbox.enqueue(Kind.CREDIT_OVERUSE, to, payload, credit_overuse_key(document, to),
                             now)
    await outbox.enqueue(Kind.CREDIT_OVERUSE, MANAGERS, payload,
                         credit_overuse_key(document, MANAGERS), now)
    return True
