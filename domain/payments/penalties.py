"""Penalty interest (罚息, SPEC 6, seed 004 V17), the ``penalties`` job's use case: for every
unpaid bill not on the no-interest list (read now, from the product's accounts: exempt when it
has accounts and all of them are on the list), each overdue month started by the day — month k
starts the day after due date + (k − 1) months — gets one charge of outstanding × the monthly
rate, rounded half-up to the cent.

Set-based: one keyset-chunked query reads the overdue unpaid bills with the highest month
already charged, the charges are worked out in Python (``domain.payments.rules``) and
bulk-inserted, each new charge's ``penalty.charged`` event published (also in bulk) in the same
transaction. The unique (bill, month_index) pair makes re-runs and catch-ups charge each month
once (a term change renumbers a bill's months from its new due date, those now inside the term
0, −1 …, ``domain.payments.terms``); a missed day is caught up (every month
started by the day gets its charge). The base is what the bill still owes when the charge is
recorded. A paid bill is not read, so no new month starts for it; its charges stay owed.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from tortoise.connection import get_connection
from tortoise.transactions import in_transaction

from domain.billing.models import PenaltyCharge
from domain.bulk_rows import BulkTable
from domain.customers.models import Customer
from domain.events.catalogue import EventType, PenaltyCharged
from domain.events.publish import NewEvent, publish_many
from domain.money import fmt
from domain.payments import rules
from domain.progress import QUIET, Progress
from domain.sql import as_date, as_decimal, insert_rows, is_postgres, render

log = logging.getLogger(__name__)
CHUNK = 5000
CHARGES = BulkTable(PenaltyCharge)

# Charged unless every account of the bill's product is on the no-interest list ({0} = false).
CHARGEABLE = """(EXISTS (SELECT 1 FROM product_account a
        WHERE a.product_id = b.product_id AND a.interest_free = {0})
    OR NOT EXISTS (SELECT 1 FROM product_account a WHERE a.product_id = b.product_id))"""
OVERDUE = f"""SELECT b.id, b.customer_id, b.due_date, b.amount, b.paid,
    (SELECT MAX(p.month_index) FROM penalty_charge p WHERE p.bill_id = b.id) AS charged
FROM bill b
WHERE b.status = 'unpaid' AND {CHARGEABLE} AND b.due_date < {{1}} AND b.id > {{2}}
ORDER BY b.id LIMIT {{3}}"""
COUNT = f"""SELECT COUNT(*) AS n FROM bill b
WHERE b.status = 'unpaid' AND {CHARGEABLE} AND b.due_date < {{1}}"""


async def charge_penalties(day: date, now: datetime, *, monthly_rate: str,
                           progress: Progress = QUIET) -> dict:
    """Charge the overdue months started by ``day`` at the settings' ``monthly_rate``;
    counts."""
    rate = rules.parse_rate(monthly_rate)
    connection = get_connection("default")
    on = day if is_postgres(connection) else day.isoformat()
    total = (await connection.execute_query_dict(render(connection, COUNT, 2),
                                                 [False, on]))[0]["n"]
    progress.start("overdue bills", total)
    counts: dict[str, Any] = {"overdue_bills": 0, "charges": 0, "amount": Decimal("0.00")}
    last_id = 0
    while rows := await connection.execute_query_dict(render(connection, OVERDUE, 4),
                                                      [False, on, last_id, CHUNK]):
        last_id = rows[-1]["id"]
        charges = _charges(rows, day, rate, now)
        await _save_and_publish(charges, now)
        counts["overdue_bills"] += len(rows)
        counts["charges"] += len(charges)
        counts["amount"] += sum((c["amount"] for c in charges), Decimal("0.00"))
        progress.advance(len(rows))
    counts["amount"] = str(counts["amount"])
    log.info("penalties %s: %s", day, counts)
    return counts


async def _save_and_publish(charges: list[dict], now: datetime) -> None:
    """Insert the charges (a month charged before is skipped) and publish the new ones."""
    if not charges:
        return
    async with in_transaction() as tx:
        new = await insert_rows(tx, CHARGES.table, CHARGES.columns, CHARGES.rows(charges),
                                returning=("id", "bill_id", "month_index"),
                                ignore_conflicts=True)
        await publish_many(_events(charges, new, await _customers(charges)), now)


async def _customers(charges: list[dict]) -> dict[int, dict[str, Any]]:
    ids = {c["customer_id"] for c in charges}
    return {c["id"]: c for c in await Customer.filter(id__in=ids).values("id", "code", "name")}


def _events(charges: list[dict], new: list[tuple], customers: dict[int, dict[str, Any]],
            ) -> list[NewEvent]:
    by_month = {(c["bill_id"], c["month_index"]): c for c in charges}
    events = []
    for penalty_id, bill_id, month_index in new:
        charge = by_month[(int(bill_id), int(month_index))]
        customer = customers[charge["customer_id"]]
        data: PenaltyCharged = {
            "penalty_id": int(penalty_id), "bill_id": charge["bill_id"],
            "customer": {"id": customer["id"], "code": customer["code"],
                         "name": customer["name"]},
            "month_index": charge["month_index"], "accrued_on": charge["accrued_on"].isoformat(),
            "base": fmt(charge["base"]), "rate": str(charge["rate"]),
            "amount": fmt(charge["amount"])}
        events.append(NewEvent(EventType.PENALTY_CHARGED,
                               f"{EventType.PENALTY_CHARGED}:{penalty_id}", "penalty",
                               int(penalty_id), data, customer["id"]))
    return events


def _charges(rows: list[dict], day: date, rate: Decimal, now: datetime) -> list[dict]:
    """The new charges' column values (field names)."""
    found = []
    for row in rows:
        outstanding = as_decimal(row["amount"]) - as_decimal(row["paid"])
        for charge in rules.charges_due(as_date(row["due_date"]), outstanding,
                                        row["charged"] or 0, day, rate):
            found.append({
                "bill_id": row["id"], "customer_id": row["customer_id"],
                "month_index": charge.month_index, "accrued_on": charge.accrued_on,
                "base": charge.base, "rate": rate, "amount": charge.amount, "created_at": now})
    return found
