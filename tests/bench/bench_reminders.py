"""Reminders benchmark: `python -m tests.bench.bench_reminders [--postgres] [-n 100000]`.

Writes N open debts over N/10 customers (one bound WeChat contact each, 200 salespeople under 20
managers) in a fresh database, due dates spread evenly from 120 days overdue to 60 days ahead of
2026-11-23. Then times ``jobs.reminders.run_reminders``:

1. 2026-11-22 — the first run ever: every debt at a stage gets it (the worst case);
2. 2026-11-23 — a normal day after that: the debts whose stage moved on overnight;
3. 2026-11-23 again — a re-run: nothing new may be recorded or queued.

Reports time, rows written and the peak RSS of each run (the kernel's high-water mark, reset
before each run through /proc/self/clear_refs), and exits non-zero if the re-run queued anything
or a normal day took longer than the target.
"""

from __future__ import annotations

import asyncio
import sys
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from tortoise.transactions import in_transaction

from domain.credit.models import CreditOrder, Debt, DebtReminder, SalesOrg, Shipment
from domain.customers.models import Customer
from domain.notices.models import OutboxMessage
from domain.org.models import Staff
from jobs.reminders import run_reminders
from tally.settings import Settings
from tests.bench.common import (
    BATCH,
    bench_orm,
    bench_parser,
    peak_rss_mib,
    peak_rss_reset,
    scratch_database,
    seed_contacts,
    seed_customers,
    seed_sellers,
)

ZONE = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 11, 23)
TARGET_SECONDS = 10.0  # a normal day over 100k debts


async def seed(count: int, now: datetime) -> None:
    """``count`` open debts, ten per customer, each on its own shipment."""
    customers = max(count // 10, 1)
    managers = [Staff(name=f"经理{i}", dingtalk_userid=f"m-{i}") for i in range(20)]
    async with in_transaction():
        await Staff.bulk_create(managers)
        manager_ids = await Staff.all().order_by("id").values_list("id", flat=True)
        seller_ids = await seed_sellers(list(manager_ids))
        org = await SalesOrg.create(code="YXY", name="亚细亚陶瓷", budget=Decimal("1e8"),
                                    created_at=now)
        customer_ids = await seed_customers(customers, seller_ids, name="经销商")
        await seed_contacts(customer_ids)
        owner = dict(await Customer.all().values_list("id", "salesperson_id"))
        await CreditOrder.bulk_create([CreditOrder(
            number=f"SO-{c}", customer_id=c, org_id=org.id, salesperson_id=owner[c],
            order_date=DAY - timedelta(days=240), amount=Decimal("100000"), cash=Decimal("0"),
            credit=Decimal("100000"), cash_left=Decimal("0"), credit_left=Decimal("0"),
            created_at=now) for c in customer_ids], batch_size=BATCH)
        orders = dict(await CreditOrder.all().values_list("customer_id", "id"))
        debt_customer = [customer_ids[i % customers] for i in range(count)]
        await Shipment.bulk_create([Shipment(
            number=f"SH-{i}", order_id=orders[c], ship_date=DAY - timedelta(days=200),
            amount=Decimal("10000"), cash=Decimal("0"), credit=Decimal("10000"), created_at=now)
            for i, c in enumerate(debt_customer)], batch_size=BATCH)
        shipment_ids = await Shipment.all().order_by("id").values_list("id", flat=True)
        debts = []
        for i, (c, shipment) in enumerate(zip(debt_customer, shipment_ids, strict=True)):
            due = DAY + timedelta(days=60 - i % 181)  # 60 days ahead … 120 days overdue
            debts.append(Debt(
                shipment_id=shipment, customer_id=c, org_id=org.id, salesperson_id=owner[c],
                debt_date=due - timedelta(days=90), term_days=90, due_date=due,
                amount=Decimal("10000.00"), outstanding=Decimal("10000.00") - i % 7 * 1000,
                repaid=Decimal(i % 7 * 1000), created_at=now))
        await Debt.bulk_create(debts, batch_size=BATCH)


async def timed(label: str, day: date, settings: Settings) -> tuple[dict, float]:
    peak_rss_reset()
    outbox_before = await OutboxMessage.all().count()
    started = time.perf_counter()
    counts = await run_reminders(day, datetime.combine(day, datetime.min.time(), ZONE).replace(
        hour=9), settings)
    elapsed = time.perf_counter() - started
    queued = await OutboxMessage.all().count() - outbox_before
    print(f"{label:<22} {elapsed:6.2f}s  considered {counts['debts_considered']:>7,}  "
          f"stages {counts['stages_recorded']:>7,}  messages {queued:>6,} "
          f"{counts['messages']}  peak RSS {peak_rss_mib():.0f} MiB")
    return counts, elapsed


async def run(database_url: str, count: int) -> int:
    async with bench_orm(database_url) as settings:
        now = datetime.now(ZONE)
        started = time.perf_counter()
        await seed(count, now)
        print(f"database    {database_url.split('://')[0]}")
        print(f"seeded      {count:,} open debts over {max(count // 10, 1):,} customers "
              f"in {time.perf_counter() - started:.1f}s")
        await timed("first run (11-22)", DAY - timedelta(days=1), settings)
        _, normal = await timed("normal day (11-23)", DAY, settings)
        again, _ = await timed("re-run (11-23)", DAY, settings)
        print(f"debt_reminder rows {await DebtReminder.all().count():,}, "
              f"outbox rows {await OutboxMessage.all().count():,}")
    ok = again["stages_recorded"] == 0 and not again["messages"]
    if not ok:
        print("FAIL: the re-run recorded or queued something", file=sys.stderr)
    if normal > TARGET_SECONDS:
        print(f"FAIL: a normal day took {normal:.1f}s (target {TARGET_SECONDS:.0f}s)",
              file=sys.stderr)
    return 0 if ok and normal <= TARGET_SECONDS else 1


def main(argv: list[str] | None = None) -> int:
    args = bench_parser(__doc__).parse_args(argv)
    with scratch_database(args) as url:
        return asyncio.run(run(url, args.count))


if __name__ == "__main__":
    sys.exit(main())
