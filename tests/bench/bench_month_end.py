"""Month-end billing benchmark: `python -m tests.bench.bench_month_end [--postgres] [-n 100000]`.

Writes N customers (statement day 5, one bound WeChat contact each, 200 salespeople), two
products per customer (uniform and tiered prices) with five accounts each, and one usage row per
account for 2026-10: 10 usage rows per customer (1M for 100k). One product in 500 has no price,
so the run also records exceptions and notices. Then times the "month-end" job for 2026-11-05
(every customer due) and a re-run of the same day (nothing may be billed again).

Reports time and peak RSS (the kernel's high-water mark, reset before each run) per run.
"""

from __future__ import annotations

import asyncio
import sys
import time
from datetime import date, datetime
from zoneinfo import ZoneInfo

from tortoise.transactions import in_transaction

from domain.billing.models import Bill, PriceAdjustment, Product, Usage, UsageAccount
from domain.statements.models import Statement
from jobs.month_end import run_month_end
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
DAY = date(2026, 11, 5)
PERIOD = date(2026, 10, 1)
TARGET_SECONDS = 60.0
TARGET_MIB = 1024
TIERED = [{"up_to": 1000, "price": "0.050000"}, {"up_to": 10000, "price": "0.045000"},
          {"up_to": None, "price": "0.040000"}]
UNIFORM = [{"up_to": None, "price": "0.035000"}]


async def seed(count: int, now: datetime) -> None:
    async with in_transaction():
        customers = await seed_customers(count, await seed_sellers(),
                                         fields=lambda i: {"statement_day": 5})
        await seed_contacts(customers)
        await Product.bulk_create([Product(customer_id=c, code=f"P{c}-{k}", name=f"产品{k}",
                                           created_at=now)
                                   for c in customers for k in (1, 2)], batch_size=BATCH)
        products = await Product.all().order_by("id").values_list("id", flat=True)
        await PriceAdjustment.bulk_create([PriceAdjustment(
            product_id=p, effective_from=date(2026, 1, 1),
            price_type="tiered" if i % 2 else "uniform", tiers=TIERED if i % 2 else UNIFORM,
            created_at=now) for i, p in enumerate(products) if i % 500 != 7],
            batch_size=BATCH)
        await UsageAccount.bulk_create([UsageAccount(
            product_id=p, account=f"A{p}-{k}", created_at=now)
            for p in products for k in range(5)], batch_size=BATCH)
        await Usage.bulk_create([Usage(account=f"A{p}-{k}", period=PERIOD,
                                       quantity=(p * 7 + k * 131) % 5000, updated_at=now)
                                 for p in products for k in range(5)], batch_size=BATCH)


async def timed(label: str, settings: Settings) -> tuple[dict, float, float]:
    peak_rss_reset()
    started = time.perf_counter()
    counts = await run_month_end(DAY, datetime(2026, 11, 5, 2, 0, tzinfo=ZONE), settings)
    elapsed = time.perf_counter() - started
    peak = peak_rss_mib()
    print(f"{label:<12} {elapsed:6.2f}s  bills {counts['bills']:>7,}  statements "
          f"{counts['statements']:>7,}  exceptions {counts.get('exception_no_price', 0):>5,}  "
          f"amount {counts['amount']}  peak RSS {peak:.0f} MiB")
    return counts, elapsed, peak


async def run(database_url: str, count: int) -> int:
    async with bench_orm(database_url) as settings:
        started = time.perf_counter()
        await seed(count, datetime(2026, 11, 1, tzinfo=ZONE))
        print(f"database     {database_url.split('://')[0]}")
        print(f"seeded       {count:,} customers, {2 * count:,} products, "
              f"{await Usage.all().count():,} usage rows in {time.perf_counter() - started:.1f}s")
        first, elapsed, peak = await timed("first run", settings)
        again, _, _ = await timed("re-run", settings)
        print(f"bill rows {await Bill.all().count():,}, statements "
              f"{await Statement.all().count():,}")
    ok = again["bills"] == 0 and again["statements"] == 0
    if not ok:
        print("FAIL: the re-run billed something", file=sys.stderr)
    if elapsed > TARGET_SECONDS or peak > TARGET_MIB:
        print(f"note: above target ({TARGET_SECONDS:.0f}s, {TARGET_MIB} MiB)", file=sys.stderr)
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    args = bench_parser(__doc__).parse_args(argv)
    with scratch_database(args) as url:
        return asyncio.run(run(url, args.count))


if __name__ == "__main__":
    sys.exit(main())
