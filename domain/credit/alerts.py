"""Credit alerts: a line or a budget taken past its limit by a document the ERP had already
booked. 退货反审核 is a fact in the ERP, not a request: Tally records the debt again as the ERP
did, and tells the salesperson and the managers instead of refusing it."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from domain import outbox
from domain.credit import rules
from domain.credit.lines import Books
from domain.models import Customer, Staff
from domain.money import fmt

OVERUSE_NOTICE = "credit_overuse"


def overuse_key(document: str) -> str:
    """One alert per booked document (a reversed return is never active again)."""
    return f"{OVERUSE_NOTICE}:{document}"


def _taken(limit: Decimal, used: Decimal, frozen: Decimal) -> dict:
    return {"limit": fmt(limit), "taken": fmt(used + frozen),
            "over": fmt(rules.over_limit(limit, used, frozen))}


def overuse_payload(books: Books) -> dict | None:
    """The lines, org and enterprise total of ``books`` now past their limit (None: none is)."""
    lines = [{"account_id": line.id, "number": line.number,
              "type_label": rules.TYPE_LABELS[line.type],
              **_taken(line.limit, line.used, line.frozen)}
             for line in books.lines.values()
             if rules.over_limit(line.limit, line.used, line.frozen) > 0]
    orgs = [{"code": org.code, "name": org.name, **_taken(org.budget, org.used, org.frozen),
             "budget": fmt(org.budget)}
            for org in books.orgs.values()
            if rules.over_limit(org.budget, org.used, org.frozen) > 0]
    totals = [{"year": b.year, **_taken(b.total, b.used, b.frozen), "total": fmt(b.total)}
              for b in books.budgets.values()
              if b is not None and rules.over_limit(b.total, b.used, b.frozen) > 0]
    if not (lines or orgs or totals):
        return None
    return {"lines": lines, "org": orgs[0] if orgs else None,
            "enterprise": totals[0] if totals else None}


async def alert_overuse(books: Books, *, customer_id: int, salesperson_id: int | None,
                        facts: dict, now: datetime) -> bool:
    """Queue the over-use alert if anything in ``books`` is past its limit; ``facts`` names the
    document (document, shipment, order, amount). Returns whether one was queued."""
    over = overuse_payload(books)
    if over is None:
        return False
    customer = await Customer.get(id=customer_id)
    payload = {"customer_id": customer.id, "customer": customer.name, **facts, **over}
    key = overuse_key(facts["document"])
    salesperson = await Staff.get_or_none(id=salesperson_id) if salesperson_id else None
    if salesperson is not None:
        await outbox.to_staff(salesperson, OVERUSE_NOTICE, payload, key, now)
    await outbox.to_managers(OVERUSE_NOTICE, payload, key, now)
    return True
