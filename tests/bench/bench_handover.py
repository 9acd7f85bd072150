"""Hand-over benchmark: `python -m tests.bench.bench_handover [--postgres] [-n 200000]`.

Writes N hand-over documents for 200 salespeople over the 30 days up to 2026-11-23: per person
and day sales-outs, returns, receipts each settling two documents (one of that day, one older),
an expense and other income; one salesperson (业务员0) has a very busy day of ``--busy``
documents on the last day. Then times what finance does on a day:

1. the employee list for the last day and the last week (`staff_days`, show all employees);
2. the busy salesperson's day report (`day_report`) and its PDF;
3. confirming every document of everyone on the last day at once (`confirm_days`), and undoing it;
4. closing the day for everyone, then an ingest batch of 1,000 documents of other days that
   passes the closed-day check, and one that is refused.

Reports time and peak RSS of each step; exits non-zero when the report of the busy day or the
confirmation of everyone's day takes longer than its target.
"""

from __future__ import annotations

import asyncio
import sys
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from tortoise.transactions import in_transaction

from domain.bulk_rows import BulkTable
from domain.documents.models import Document, Expense, OtherIncome, ReceiptSettlement
from domain.errors import Locked
from domain.handover.close import close_days
from domain.handover.confirm import confirm_days, unconfirm_days
from domain.handover.pdf import render_day_report_pdf
from domain.handover.report import day_report, staff_days
from domain.ingest import ingest_documents
from domain.sql import insert_rows
from tests.bench.common import (
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
DAYS = 30
PEOPLE = 200
REPORT_TARGET = 2.0  # seconds for the busy day's report
CONFIRM_TARGET = 10.0  # seconds to confirm everyone's last day
PER_DAY = 5  # documents written per person and day: sale, return, receipt, expense, income


async def seed(count: int, busy: int, last_day: date = DAY) -> tuple[list[int], list[int]]:
    """About ``count`` documents over the ``DAYS`` days up to ``last_day`` and ``busy`` more of
    业务员0 on ``last_day`` (see the module's doc); the salespeople's and customers' ids.
    Written with multi-row INSERTs shaped by the models (``domain.bulk_rows``): the ORM's
    ``bulk_create`` of 1.4 million objects took four times as long."""
    async with in_transaction() as connection:
        sellers = await seed_sellers(count=PEOPLE)
        customers = await seed_customers(2_000, sellers)
        rounds = max(1, count // (PEOPLE * DAYS * PER_DAY))
        for back in range(DAYS):
            day = last_day - timedelta(days=back)
            await _day(connection, day, sellers, customers, rounds)
        await _busy_day(connection, sellers[0], customers, busy, last_day)
    return sellers, customers


DOCUMENTS, SETTLEMENTS = BulkTable(Document), BulkTable(ReceiptSettlement)
EXPENSES, INCOMES = BulkTable(Expense), BulkTable(OtherIncome)


async def _insert(connection, table: BulkTable, rows: list[dict]) -> None:
    await insert_rows(connection, table.table, table.columns, table.rows(rows))


async def _day(connection, day: date, sellers: list[int], customers: list[int],
               rounds: int) -> None:
    documents, settlements, expenses, incomes = [], [], [], []
    stamps = _stamps(day)
    for i, seller in enumerate(sellers):
        for r in range(rounds):
            key, customer = f"{day:%Y%m%d}-{i}-{r}", customers[(i * 10 + r) % len(customers)]
            documents += _sale_return_receipt(key, day, seller, customer, sellers)
            expenses.append(dict(number=f"FY-{key}", date=day, salesperson_id=seller,
                                 customer_id=customer, audit_status="pending",
                                 items=[{"type": "差旅", "amount": "80.00"}],
                                 total=Decimal("80.00"), paid=Decimal("50.00"), **stamps))
            incomes.append(dict(number=f"QT-{key}", date=day, salesperson_id=seller,
                                amount=Decimal("30.00"), audit_status="approved", **stamps))
    await _insert(connection, DOCUMENTS, documents)
    ids = dict(await Document.filter(date=day, doc_type="receipt").values_list("number", "id"))
    for number, receipt_id in ids.items():
        key = number.removeprefix("SK-")
        settlements += [
            dict(receipt_id=receipt_id, position=0, number=f"XS-{key}",
                 doc_type="sales_out", doc_date=day, amount=Decimal("600.00")),
            dict(receipt_id=receipt_id, position=1, number=f"OLD-{key}",
                 doc_type="sales_out", doc_date=day - timedelta(days=40),
                 amount=Decimal("400.00"), prepaid=Decimal("100.00"))]
    await _insert(connection, SETTLEMENTS, settlements)
    await _insert(connection, EXPENSES, expenses)
    await _insert(connection, INCOMES, incomes)


def _stamps(day: date) -> dict[str, datetime]:
    """The auto_now fields the ORM would stamp: the evening of the day."""
    evening = datetime.combine(day, datetime.min.time(), ZONE).replace(hour=20)
    return {"created_at": evening, "updated_at": evening}


def _sale_return_receipt(key: str, day: date, seller: int, customer: int,
                         sellers: list[int]) -> list[dict]:
    driver = sellers[-1 - int(key.rsplit("-", 2)[1]) % 10]
    common = {"date": day, "customer_id": customer, "salesperson_id": seller, **_stamps(day)}
    return [
        dict(number=f"XS-{key}", doc_type="sales_out", amount=Decimal("1000.00"),
             owed=Decimal("400.00"), erp_type="车销单", driver_id=driver, delivered_on=day,
             **common),
        dict(number=f"XT-{key}", doc_type="sales_return", amount=Decimal("100.00"),
             owed=Decimal("-100.00"), **common),
        dict(number=f"SK-{key}", doc_type="receipt", amount=Decimal("890.00"),
             owed=Decimal("-890.00"), receipt_kind="sale", discount=Decimal("10.00"),
             audit_status="pending", **common),
    ]


async def _busy_day(connection, seller: int, customers: list[int], busy: int,
                    day: date) -> None:
    """``busy`` more documents for one salesperson on ``day``, over 200 customers."""
    key, stamps = "busy", _stamps(day)
    await _insert(connection, DOCUMENTS, [dict(
        number=f"XS-{key}-{k}", doc_type="sales_out", date=day, salesperson_id=seller,
        customer_id=customers[k % 200], amount=Decimal("120.00"), owed=Decimal("120.00"),
        erp_type="销货单", **stamps) for k in range(busy)])


async def timed(label: str, work) -> tuple[object, float]:
    peak_rss_reset()
    started = time.perf_counter()
    result = await work()
    elapsed = time.perf_counter() - started
    print(f"{label:<34} {elapsed:6.2f}s  peak RSS {peak_rss_mib():5.0f} MiB  {_said(result)}")
    return result, elapsed


def _said(result) -> str:
    if isinstance(result, dict) and "summary" in result:
        return f"{result['summary']['documents']:,} documents"
    if hasattr(result, "as_dict"):
        return f"created {result.created:,}"
    if isinstance(result, dict):
        return str({k: v for k, v in result.items() if isinstance(v, int)})
    if isinstance(result, (bytes, list)):
        return f"{len(result):,} {'bytes' if isinstance(result, bytes) else 'rows'}"
    return str(result)


def _batch(day: date, count: int) -> list[dict]:
    return [{"number": f"NEW-{day:%m%d}-{k}", "type": "sales_out", "date": day.isoformat(),
             "customer_code": f"C{k % 2000:06d}", "salesperson": f"s-{k % PEOPLE}",
             "amount": "10.00"} for k in range(count)]


async def run(database_url: str, count: int, busy: int) -> int:
    async with bench_orm(database_url):
        now = datetime.combine(DAY, datetime.min.time(), ZONE).replace(hour=20)
        started = time.perf_counter()
        await seed(count, busy)
        print(f"database    {database_url.split('://')[0]}")
        print(f"seeded      {await Document.all().count():,} documents, "
              f"{await ReceiptSettlement.all().count():,} settlements, "
              f"{await Expense.all().count():,} expenses in {time.perf_counter() - started:.1f}s")
        await timed("employee list, show all", lambda: staff_days([DAY], show_all=True))
        week = [DAY - timedelta(days=n) for n in range(6, -1, -1)]
        await timed("employee list, a week, show all", lambda: staff_days(week, show_all=True))
        sid = (await Document.get(number="XS-busy-0")).salesperson_id
        report, report_s = await timed("busy day report", lambda: day_report(sid, DAY))
        await timed("busy day report PDF", lambda: asyncio.to_thread(
            render_day_report_pdf, report))
        _, confirm_s = await timed("confirm everyone's day", lambda: confirm_days(
            None, [DAY], by="bench", now=now))
        await timed("undo everyone's day", lambda: unconfirm_days(
            None, [DAY], by="bench", now=now))
        await timed("close everyone's day", lambda: close_days(None, [DAY], by="bench", now=now))
        await timed("ingest 1,000 on open days", lambda: ingest_documents(
            _batch(DAY - timedelta(days=40), 1_000)))
        await timed("ingest 1,000 on the closed day", lambda: _refused(_batch(DAY, 1_000)))
    ok = report_s <= REPORT_TARGET and confirm_s <= CONFIRM_TARGET
    if not ok:
        print(f"FAIL: report {report_s:.1f}s (target {REPORT_TARGET}s), confirm "
              f"{confirm_s:.1f}s (target {CONFIRM_TARGET}s)", file=sys.stderr)
    return 0 if ok else 1


async def _refused(batch: list[dict]) -> str:
    try:
        await ingest_documents(batch)
    except Locked as exc:
        return f"refused: {len(exc.detail.get('rows', exc.detail.get('rejected', [])))} rows"
    return "NOT refused"


def main(argv: list[str] | None = None) -> int:
    parser = bench_parser(__doc__, count=200_000)
    parser.add_argument("--busy", type=int, default=2_000,
                        help="extra documents of one salesperson on the last day")
    args = parser.parse_args(argv)
    with scratch_database(args) as url:
        return asyncio.run(run(url, args.count, args.busy))


if __name__ == "__main__":
    sys.exit(main())
