"""Delivery benchmark: `python -m tests.bench.bench_delivery [--postgres] [-n 10000]`.

Queues N notices (90 % WeChat template messages to contacts, 10 % DingTalk markdown to staff)
in a fresh database, then drains them with the real Dispatcher and senders against the local
fake WeChat and DingTalk servers, all in this one process (the fakes in their own threads).
Reports messages per second and the process's peak RSS; exits non-zero if a notice was not
delivered exactly once or the rate is under the target.

The provider rate limits are raised for the run (the fakes have none); everything else is the
production path: claims in batches, bounded concurrency, one UPDATE per sent row.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys
import time
from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

from tortoise.transactions import in_transaction

from bot.senders import open_senders
from bot.wechat import WeChatGateway
from domain.customers.models import Contact
from domain.notices.models import OutboxMessage
from domain.org.models import Staff
from jobs.dispatcher import Dispatcher
from tally import db
from tally.settings import Settings
from tests.bench.common import add_database_args, scratch_database
from tests.fakes.dingtalk import FakeDingTalk
from tests.fakes.wechat import FakeWeChat

TARGET_PER_SECOND = 1_000
ZONE = ZoneInfo("Asia/Shanghai")
PAYLOAD = {"statement_id": 1, "customer": "联想", "date_from": "2026-10-01",
           "date_to": "2026-10-31", "closing": "53776.00", "owed_total": "48776.00",
           "url": "https://tally.example.com/s/token", "mp_scene": "s=nonce",
           "description": "少一张退货单", "answered_by": "陈会计"}


def bench_settings(database_url: str, wechat: str, dingtalk: str, **tuning) -> Settings:
    return Settings(
        database_url=database_url, secret_key="bench", wechat_api_base=wechat,
        dingtalk_openapi_base=dingtalk, delivery_rate_wechat=100_000,
        delivery_rate_dingtalk=100_000, **tuning,
    )


async def queue(count: int, now: datetime) -> None:
    """``count`` due notices in bulk (the rows the use cases would have written)."""
    staff_count = count // 10
    contacts = [Contact(name=f"联系人{i}", openid=f"o-{i}") for i in range(count - staff_count)]
    staff = [Staff(name=f"经理{i}", dingtalk_userid=f"u-{i}") for i in range(staff_count)]
    async with in_transaction():
        await Contact.bulk_create(contacts, batch_size=2000)
        await Staff.bulk_create(staff, batch_size=2000)
    contact_ids = await Contact.all().order_by("id").values_list("id", flat=True)
    staff_ids = await Staff.all().order_by("id").values_list("id", flat=True)
    rows = [_row("wechat", "statement_issued", "contact", i, now) for i in contact_ids]
    rows += [_row("dingtalk", "dispute_alert", "staff", i, now) for i in staff_ids]
    async with in_transaction():
        await OutboxMessage.bulk_create(rows, batch_size=2000)


def _row(channel: str, kind: str, recipient_kind: str, rid: int, now: datetime):
    return OutboxMessage(
        channel=channel, kind=kind, recipient_kind=recipient_kind, recipient_id=str(rid),
        payload=PAYLOAD, dedupe_key=f"bench:{kind}:{rid}", next_attempt_at=now,
        business_date=now.date(), created_at=now,
    )


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def run(database_url: str, count: int, **tuning) -> int:
    wechat, dingtalk = FakeWeChat(), FakeDingTalk()
    settings = bench_settings(database_url, wechat.start(), dingtalk.start(), **tuning)
    await db.migrate(settings)
    await db.init_orm(settings)
    gateway = WeChatGateway(settings.wechat_appid, settings.wechat_secret,
                            api_base=settings.wechat_api_base, mp_appid=settings.mp_appid,
                            mp_secret=settings.mp_secret)
    try:
        now = datetime.now(ZONE)
        started = time.perf_counter()
        await queue(count, now)
        print(f"queued {count} notices in {time.perf_counter() - started:.1f}s")
        async with open_senders(settings, gateway) as senders:
            dispatcher = Dispatcher(senders, settings, lambda: datetime.now(ZONE))
            started = time.perf_counter()
            stats = await dispatcher.run_until_empty()
            elapsed = time.perf_counter() - started
        return report(stats, elapsed, count, wechat, dingtalk, settings)
    finally:
        await gateway.close()
        await db.close_orm()
        wechat.stop()
        dingtalk.stop()


def report(stats, elapsed: float, count: int, wechat, dingtalk, settings) -> int:
    received = Counter(m["payload"]["touser"] for m in wechat.sent)
    received.update(u for m in dingtalk.sent if m["kind"] == "batch" for u in m["user_ids"])
    rate = stats.sent / elapsed
    print(f"database    {settings.database_url.split('://')[0]}")
    print(f"delivered   {stats.sent} of {count} in {elapsed:.2f}s "
          f"(retried {stats.retried}, dead {stats.dead})")
    print(f"throughput  {rate:,.0f} msgs/s (target >= {TARGET_PER_SECOND:,})")
    print(f"settings    concurrency {settings.delivery_concurrency}, "
          f"batch {settings.delivery_batch_size}")
    print(f"peak RSS    {peak_rss_mib():.0f} MiB")
    once = len(received) == count and set(received.values()) == {1}
    if not once:
        print("FAIL: not every notice arrived exactly once", file=sys.stderr)
    return 0 if once and rate >= TARGET_PER_SECOND else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--count", type=int, default=10_000)
    add_database_args(parser)
    parser.add_argument("--concurrency", type=int, help="default: the settings' default")
    parser.add_argument("--batch", type=int, help="default: the settings' default")
    args = parser.parse_args(argv)
    tuning = {name: value for name, value in (("delivery_concurrency", args.concurrency),
                                              ("delivery_batch_size", args.batch)) if value}
    with scratch_database(args) as url:
        return asyncio.run(run(url, args.count, **tuning))


if __name__ == "__main__":
    sys.exit(main())
