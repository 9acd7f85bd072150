"""Tiers benchmark: `python -m tests.bench.bench_tiers [--postgres] [-n 100000] [--logs 10]`.

Writes N customers (200 salespeople in 20 departments with heads) spread over the tiers —
contract 10%, test 20%, intent 35%, silent 35% — each in its tier since 2026-06-01 and created
long before, with ``--logs`` contact logs per customer (1M by default) dated over the 200 days
before 2026-11-23 (a customer's logs end somewhere in that span, so some customers are quiet
and some are not), archived test accounts for a quarter of them, a product account and usage
for a tenth, archived contracts for the contract and some test customers (a third of them
expired long ago) and a filled-in profile for every fifth. Then times ``jobs.tiers.run_tiers``:

1. 2026-11-23 — the first run: every rule that holds moves or notifies (the worst case);
2. 2026-11-23 again — a re-run: nothing may move, be recorded or queued;
3. 2026-11-24 — the next day.

Reports time, moves, notices, digests queued and peak RSS of each run; exits non-zero when the
first run takes longer than the target or the re-run changes anything.
"""

from __future__ import annotations

import asyncio
import sys
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from tortoise.transactions import in_transaction

from domain.billing.models import Product, Usage, UsageAccount
from domain.customers.models import Customer
from domain.notices.models import OutboxMessage
from domain.org.models import Department, Staff
from domain.tiers.models import ContactLog, Contract, TierChange, TrialAccount
from jobs.tiers import run_tiers
from tally.settings import Settings
from tests.bench.common import (
    BATCH,
    bench_orm,
    bench_parser,
    peak_rss_mib,
    peak_rss_reset,
    scratch_database,
    seed_customers,
    seed_sellers,
)

ZONE = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 11, 23)
SINCE = date(2026, 6, 1)
TARGET_SECONDS = 30.0  # the first run over 100k customers and 1M contact logs
TIERS = ["contract"] * 10 + ["test"] * 20 + ["intent"] * 35 + ["silent"] * 35  # by i % 100
PROFILE = {"contact_name": "陈经理", "mobile": "13800000000", "position": "采购",
           "telephone": "021-1234", "qq": "10001"}


async def seed_staff() -> list[int]:
    heads = [Staff(name=f"总监{i}", dingtalk_userid=f"h-{i}", department=f"销售{i}部")
             for i in range(20)]
    await Staff.bulk_create(heads)
    head_ids = await Staff.all().order_by("id").values_list("id", flat=True)
    await Department.bulk_create([Department(name=f"销售{i}部", head_id=head_ids[i])
                                  for i in range(20)])
    return await seed_sellers(list(head_ids), [f"销售{i}部" for i in range(20)])


async def seed(count: int, logs: int, now: datetime) -> None:
    async with in_transaction():
        sellers = await seed_staff()
        ids = await seed_customers(count, sellers, fields=lambda i: {
            "tier": TIERS[i % 100], "tier_since": SINCE,
            "profile": PROFILE if i % 5 == 0 else {}})
        await Customer.all().update(created_at=datetime(2024, 1, 1, tzinfo=ZONE))
        await _contact_logs(ids, sellers, logs, now)
        await TrialAccount.bulk_create([TrialAccount(
            external_id=f"T{c}", customer_id=c, account=f"t-{c}", archived_on=date(2026, 5, 1),
            created_at=now) for i, c in enumerate(ids) if i % 4 == 1], batch_size=BATCH)
        await _products(ids, now)
        await Contract.bulk_create([_contract(i, c, now) for i, c in enumerate(ids)
                                    if TIERS[i % 100] == "contract" or i % 100 in (10, 11)],
                                   batch_size=BATCH)


async def _contact_logs(ids: list[int], sellers: list[int], per_customer: int,
                        now: datetime) -> None:
    """``per_customer`` logs each, a day apart, the latest ``i * 7 % 200`` days before DAY."""
    batch: list[ContactLog] = []
    for i, customer_id in enumerate(ids):
        latest = DAY - timedelta(days=i * 7 % 200)
        for k in range(per_customer):
            batch.append(ContactLog(
                external_id=f"L{customer_id}-{k}", customer_id=customer_id,
                staff_id=sellers[i % 200], contacted_on=latest - timedelta(days=k * 3),
                created_at=now))
        if len(batch) >= 50_000:
            await ContactLog.bulk_create(batch, batch_size=BATCH)
            batch = []
    await ContactLog.bulk_create(batch, batch_size=BATCH)


async def _products(ids: list[int], now: datetime) -> None:
    chosen = [c for i, c in enumerate(ids) if i % 10 == 2]
    await Product.bulk_create([Product(code=f"P{c}", customer_id=c, name="行业短信",
                                       created_at=now) for c in chosen], batch_size=BATCH)
    products = dict(await Product.all().values_list("customer_id", "id"))
    await UsageAccount.bulk_create([UsageAccount(
        product_id=products[c], account=f"a-{c}", created_at=now) for c in chosen],
        batch_size=BATCH)
    await Usage.bulk_create([Usage(account=f"a-{c}", period=date(2026, m, 1), quantity=100 * m,
                                   updated_at=now) for c in chosen for m in (7, 8, 9)],
                            batch_size=BATCH)


def _contract(i: int, customer_id: int, now: datetime) -> Contract:
    expired = i % 3 == 0  # ended long ago: may fall to test
    return Contract(number=f"HT{customer_id}", customer_id=customer_id,
                    starts_on=date(2025, 1, 1), ends_on=date(2026, 3, 31) if expired
                    else date(2026, 12, 1 + i % 28), archived_on=date(2024, 12, 20),
                    amount=Decimal("100000.00"), created_at=now)


async def timed(label: str, day: date, settings: Settings) -> tuple[dict, float]:
    peak_rss_reset()
    started = time.perf_counter()
    counts = await run_tiers(day, datetime.combine(day, datetime.min.time(), ZONE).replace(
        hour=6), settings)
    elapsed = time.perf_counter() - started
    print(f"{label:<20} {elapsed:6.2f}s  customers {counts['customers']:>7,}  "
          f"moves {counts['moves']:>6,}  notices due {counts['notices']:>6,}  "
          f"recorded {counts['recorded']:>6,}  "
          f"digests {counts['messages']:>4}  peak RSS {peak_rss_mib():.0f} MiB")
    return counts, elapsed


async def run(database_url: str, count: int, logs: int) -> int:
    async with bench_orm(database_url) as settings:
        now = datetime.now(ZONE)
        started = time.perf_counter()
        await seed(count, logs, now)
        print(f"database    {database_url.split('://')[0]}")
        print(f"seeded      {count:,} customers, {await ContactLog.all().count():,} contact "
              f"logs in {time.perf_counter() - started:.1f}s")
        first, elapsed = await timed("first run (11-23)", DAY, settings)
        print(f"            by rule {first['by_rule']}")
        again, _ = await timed("re-run (11-23)", DAY, settings)
        await timed("next day (11-24)", DAY + timedelta(days=1), settings)
        print(f"tier_change rows {await TierChange.all().count():,}, "
              f"outbox rows {await OutboxMessage.all().count():,}")
    ok = again["moves"] == again["recorded"] == again["messages"] == 0
    if not ok:
        print("FAIL: the re-run moved or queued something", file=sys.stderr)
    if elapsed > TARGET_SECONDS:
        print(f"FAIL: the first run took {elapsed:.1f}s (target {TARGET_SECONDS:.0f}s)",
              file=sys.stderr)
    return 0 if ok and elapsed <= TARGET_SECONDS else 1


def main(argv: list[str] | None = None) -> int:
    parser = bench_parser(__doc__)
    parser.add_argument("--logs", type=int, default=10, help="contact logs per customer")
    args = parser.parse_args(argv)
    with scratch_database(args) as url:
        return asyncio.run(run(url, args.count, args.logs))


if __name__ == "__main__":
    sys.exit(main())
