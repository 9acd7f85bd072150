"""The billing run (SPEC §6): bill products for a period, set-based.

``bill_month_end(day)`` bills, for the previous calendar month, every active product of the
customers whose statement day is ``day`` (a statement day beyond the month's length bills on
its last day), then retries the still-open exceptions of earlier runs, and reports usage of
accounts that belong to no product. ``bill_customer_period`` (点击生成账单) bills one
customer's period through the same code.

Per batch of products (``CHUNK`` customers or exceptions): a handful of queries read products,
customers, accounts, usage, prices, the bills and exceptions already there; the bills are
worked out in Python (``assess``); one transaction writes the bill documents, one statement
per customer and period (``domain.statements.bulk``), the bills, the exceptions, and the
prepaid draws. A product is billed once per period (bill unique on product + period), so a
re-run only adds what was not billed before; the one query that finds the due customers also
finds those whose active products are all billed already, which are counted and not read again.

Bill: dated the run day, due ``payment_term_months`` months later; its document BILL-YYYYMM-
<product code> of type "bill" is dated the period's last day, amount = the bill's amount and
owed = what the prepaid balance did not cover (all of it for postpaid customers); what the
balance covered is a draw document DRAW-YYYYMM-<product code> (``prepaid_draw``) beside it on
the statement, so 期末应收 and later openings hold only what is owed.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple

from tortoise.connection import get_connection
from tortoise.transactions import in_transaction

from domain.actors import SYSTEM, Actor
from domain.billing import prepaid
from domain.billing.assess import (
    ACCOUNT_AFTER_BILL,
    REASON_LABELS,
    UNKNOWN_ACCOUNT,
    Priced,
    Unbillable,
    assess,
)
from domain.billing.errors import PERIOD_NOT_FINISHED
from domain.billing.models import Bill, BillingException, PriceAdjustment, Product
from domain.billing.pricing import (
    StoredPrice,
    period_end,
    period_label,
    previous_period,
    statement_days_billed_on,
)
from domain.bulk_rows import BulkTable
from domain.credit_limit import check_credit_limits
from domain.customers.models import Customer
from domain.dates import add_months
from domain.documents.models import Document
from domain.documents.rules import BILL, DOC_TYPE_LABELS, PREPAID_DRAW
from domain.notices import outbox
from domain.notices.catalogue import (
    BillingExceptions,
    Kind,
    billing_exceptions_key,
    staff_recipient,
)
from domain.org.models import Staff
from domain.progress import QUIET, Progress
from domain.sql import as_date, insert_rows, lock_keys, render, select_in
from domain.statements.bulk import DocumentLine, StatementToIssue, cents, issue_statements
from domain.statements.service import ShareSettings

log = logging.getLogger(__name__)

ZERO_CENTS = Decimal("0.00")
CHUNK = 1000  # customers (or retried exceptions) per batch
MAX_LISTED = 30  # exceptions listed in one DingTalk message; the rest are counted
UNKNOWN_USAGE = """SELECT u.account, u.quantity FROM usage_record u
LEFT JOIN product_account a ON a.account = u.account
WHERE u.period = {0} AND u.quantity > 0 AND a.id IS NULL"""
# Open exceptions of unknown accounts that now belong to a product, with that product's bill
# for the month if there is one (then made before the account joined: a bill resolves its
# accounts' exceptions when it is written).
KNOWN_ACCOUNTS = """SELECT e.id, e.key, e.period, e.account, e.reason, e.product_id AS linked,
    p.id AS product_id, p.code, p.name, p.customer_id, u.quantity, b.id AS bill,
    d.number AS bill_number
FROM billing_exception e
JOIN product_account a ON a.account = e.account
JOIN product p ON p.id = a.product_id
LEFT JOIN usage_record u ON u.account = e.account AND u.period = e.period
LEFT JOIN bill b ON b.product_id = p.id AND b.period = e.period
LEFT JOIN document d ON d.id = b.document_id
WHERE e.status = {0} AND e.reason = {1}"""


@dataclass
class RunResult:
    counts: Counter = field(default_factory=Counter)
    amount: Decimal = Decimal("0.00")
    new_exceptions: list[dict] = field(default_factory=list)
    bills: list[Bill] = field(default_factory=list)
    statements: list[int] = field(default_factory=list)
    keep_bills: bool = False

    def as_counts(self) -> dict:
        counts = dict(sorted(self.counts.items()))
        counts["amount"] = str(self.amount)
        return counts


# ----- entry points -----------------------------------------------------------------------------


async def bill_month_end(day: date, now: datetime, share: ShareSettings,
                         progress: Progress = QUIET) -> dict:
    """The daily month-end run for ``day``: counts."""
    period = previous_period(day)
    result = RunResult()
    for name in ("bills", "statements", "supplementary_statements", "exceptions_resolved"):
        result.counts[name] = 0
    due = await _due(day, period)
    progress.start(f"customers billed for {period_label(period)}", due.customers)
    if due.already_billed:  # a re-run: customers with every product billed are not read again
        result.counts["already_billed"] += due.already_billed
        progress.advance(due.customers - len(due.to_bill))
    for start in range(0, len(due.to_bill), CHUNK):
        chunk = due.to_bill[start:start + CHUNK]
        products = await _products("customer_id", chunk)
        await _bill(products, [period] * len(products), day, now, share, result, SYSTEM)
        progress.advance(len(chunk))
    result.counts["customers_due"] = due.customers
    await _unknown_accounts(period, now, result)
    await _retry_open(day, now, share, result, due.products, progress)
    await _notify(result.new_exceptions, day, now)
    log.info("month-end %s: %s", day, result.as_counts())
    return result.as_counts()


async def bill_customer_period(actor: Actor, customer_id: int, period: date, day: date,
                               now: datetime, share: ShareSettings) -> RunResult:
    """点击生成账单: bill one customer's products for a finished period now."""
    if period >= day.replace(day=1):
        raise PERIOD_NOT_FINISHED(f"{period_label(period)} 还没有结束，不能出账单")
    products = await Product.filter(customer_id=customer_id, active=True).order_by(
        "code").values(*PRODUCT_FIELDS)
    result = RunResult(keep_bills=True)
    await _bill(products, [period] * len(products), day, now, share, result, actor)
    await _notify(result.new_exceptions, day, now)
    return result


# ----- what to bill -----------------------------------------------------------------------------

PRODUCT_FIELDS = ("id", "code", "name", "customer_id", "payment_term_months")
PRODUCTS = ("SELECT id, code, name, customer_id, payment_term_months FROM product "
            "WHERE active = {{0}} AND {column} IN ({{in}}) ORDER BY customer_id, code")
DUE_PRODUCTS = """SELECT p.customer_id, p.id, b.id FROM product p
JOIN customer c ON c.id = p.customer_id
LEFT JOIN bill b ON b.product_id = p.id AND b.period = {0}
WHERE p.active = {1} AND c.deleted_at IS NULL AND c.statement_day IN ({in})"""


async def _products(column: str, ids: list[int]) -> list[dict]:
    """The active products whose ``column`` is in ``ids``, by customer and code."""
    connection = get_connection("default")
    rows = await select_in(connection, PRODUCTS.format(column=column), [True], ids)
    return [dict(zip(PRODUCT_FIELDS, row, strict=True)) for row in rows]


class _Due(NamedTuple):
    customers: int  # customers billed on the day (with an active product)
    to_bill: list[int]  # those of them with an active product not billed for the period
    already_billed: int  # active products of the others, all billed already
    products: set[tuple[int, date]]  # (product, period) of every due customer's products


async def _due(day: date, period: date) -> _Due:
    """The customers billed on ``day`` and, from the same query, which of them have an
    active product without its bill for ``period``."""
    rows = await select_in(get_connection("default"), DUE_PRODUCTS, [period, True],
                           statement_days_billed_on(day))
    customers = {customer_id for customer_id, _, _ in rows}
    to_bill = {customer_id for customer_id, _, bill_id in rows if bill_id is None}
    return _Due(len(customers), sorted(to_bill),
                sum(1 for customer_id, _, _ in rows if customer_id not in to_bill),
                {(product_id, period) for _, product_id, _ in rows})


async def _retry_open(day, now, share, result: RunResult, done, progress) -> None:
    """Open exceptions of products not billed above: a product that now bills is resolved and
    goes on a supplementary statement for its customer and period."""
    rows = await BillingException.filter(status="open", product_id__isnull=False).exclude(
        reason=ACCOUNT_AFTER_BILL).order_by("customer_id", "period", "product_id").values_list(
        "product_id", "period")
    # a product's own exception and its accounts' name the same (product, period) once
    wanted = list(dict.fromkeys((p, as_date(d)) for p, d in rows if (p, as_date(d)) not in done))
    progress.start("open billing exceptions retried", len(wanted))
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start:start + CHUNK]
        by_id = {p["id"]: p for p in await _products("id", sorted({p for p, _ in chunk}))}
        pairs = [(by_id[p], d) for p, d in chunk if p in by_id]
        before = result.counts["bills"]
        await _bill([p for p, _ in pairs], [d for _, d in pairs], day, now, share, result,
                    SYSTEM, retry=True)
        result.counts["retried_billed"] += result.counts["bills"] - before
        progress.advance(len(chunk))


# ----- one batch ------------------------------------------------------------------------------


@dataclass
class _Batch:
    """What one batch read: by product id / customer id / account."""
    customers: dict[int, dict]
    accounts: dict[int, list[dict]]
    usage: dict[tuple[str, date], int]
    prices: dict[int, list[StoredPrice]]
    billed: set[tuple[int, date]]
    exceptions: dict[str, dict]


async def _bill(products: list[dict], periods: list[date], day: date, now: datetime,
                share: ShareSettings, result: RunResult, actor: Actor,
                retry: bool = False) -> None:
    if not products:
        return
    batch = await _read(products, periods)
    async with in_transaction() as tx:
        # A second 生成账单 (or the job) racing this one for the same products waits here,
        # then finds the bills and exceptions the first wrote: billed once, answered as a
        # resend is, never a duplicate key.
        await lock_keys("bill", [_product_key(p["id"], d)
                                 for p, d in zip(products, periods, strict=True)])
        batch.billed, batch.exceptions = await _written(products, periods, batch, tx)
        drafts, failures = _assess_batch(products, periods, batch, result)
        await _write_bills(drafts, batch, day, now, share, result, actor, tx,
                           "supplementary_statements" if retry else "statements")
        await _write_exceptions(failures, drafts, batch, now, result, tx)


def _assess_batch(products: list[dict], periods: list[date], batch: _Batch, result: RunResult,
                  ) -> tuple[list[tuple[dict, date, Priced]],
                             list[tuple[dict, date, Unbillable]]]:
    """Each product not billed yet: priced (a draft bill) or unbillable (an exception)."""
    drafts: list[tuple[dict, date, Priced]] = []
    failures: list[tuple[dict, date, Unbillable]] = []
    for product, period in zip(products, periods, strict=True):
        if (product["id"], period) in batch.billed:
            result.counts["already_billed"] += 1
            continue
        accounts = batch.accounts.get(product["id"], [])
        usage = {a["account"]: batch.usage.get((a["account"], period), 0) for a in accounts}
        outcome = assess(usage.keys(), usage, batch.prices.get(product["id"], []), period)
        if isinstance(outcome, Priced):
            drafts.append((product, period, outcome))
        else:
            failures.append((product, period, outcome))
    return drafts, failures


async def _read(products: list[dict], periods: list[date]) -> _Batch:
    """Everything the batch needs, in plain SQL (tuples, not model objects)."""
    tx = get_connection("default")
    product_ids = sorted(p["id"] for p in products)
    wanted_periods = sorted(set(periods))
    customers = {row[0]: dict(zip(CUSTOMER_FIELDS, row, strict=True)) for row in await select_in(
        tx, f"SELECT {', '.join(CUSTOMER_FIELDS)} FROM customer WHERE id IN ({{in}})", [],
        sorted({p["customer_id"] for p in products}))}
    accounts: dict[int, list[dict]] = defaultdict(list)
    for product_id, account in sorted(await select_in(
            tx, "SELECT product_id, account FROM product_account WHERE product_id IN ({in})",
            [], product_ids), key=lambda r: r[1]):
        accounts[product_id].append({"product_id": product_id, "account": account})
    names = [a["account"] for rows in accounts.values() for a in rows]
    in_periods = ", ".join(f"{{{i}}}" for i in range(len(wanted_periods)))
    usage = {(account, as_date(period)): quantity for account, period, quantity in
             await select_in(tx, "SELECT account, period, quantity FROM usage_record WHERE "
                                 f"period IN ({in_periods}) AND account IN ({{in}})",
                             wanted_periods, names)}
    prices: dict[int, list[StoredPrice]] = defaultdict(list)
    for pid, effective, price_type, tiers in await select_in(
            tx, "SELECT product_id, effective_from, price_type, tiers FROM price_adjustment "
                "WHERE effective_from <= {0} AND product_id IN ({in}) ORDER BY id",
            [period_end(wanted_periods[-1])], product_ids):
        prices[pid].append(StoredPrice(as_date(effective), price_type,
                                       TIERS.to_python_value(tiers)))
    return _Batch(customers, accounts, usage, prices, set(), {})


async def _written(products: list[dict], periods: list[date], batch: _Batch, tx,
                   ) -> tuple[set[tuple[int, date]], dict[str, dict]]:
    """The bills and exceptions (the products' own and their accounts') already written for
    these products and periods, read in the writing transaction under their key locks."""
    wanted_periods = sorted(set(periods))
    in_periods = ", ".join(f"{{{i}}}" for i in range(len(wanted_periods)))
    billed = {(p, as_date(d)) for p, d in await select_in(
        tx, f"SELECT product_id, period FROM bill WHERE period IN ({in_periods}) "
            "AND product_id IN ({in})", wanted_periods, sorted(p["id"] for p in products))}
    keys = [key for p, d in zip(products, periods, strict=True)
            for key in _keys(p["id"], d, batch.accounts.get(p["id"], []))]
    exceptions = {row[1]: dict(zip(("id", "key", "status", "reason"), row, strict=True))
                  for row in await select_in(
        tx, "SELECT id, key, status, reason FROM billing_exception WHERE key IN ({in})", [],
        keys)}
    return billed, exceptions


CUSTOMER_FIELDS = ("id", "name", "salesperson_id", "payment_mode")
TIERS = PriceAdjustment._meta.fields_map["tiers"]  # JSON text on SQLite, str or list on PG


def _product_key(product_id: int, period: date) -> str:
    return f"{period_label(period)}:product:{product_id}"


def _account_key(account: str, period: date) -> str:
    return f"{period_label(period)}:account:{account}"


def _keys(product_id: int, period: date, accounts: list[dict]) -> list[str]:
    """The exceptions a bill of the product for the period settles: its own, its accounts'."""
    return [_product_key(product_id, period),
            *(_account_key(a["account"], period) for a in accounts)]


async def _write_bills(drafts, batch: _Batch, day, now, share, result: RunResult, actor,
                       tx, statements_label: str) -> None:
    if not drafts:
        return
    await _draw_prepaid(drafts, batch, tx)
    documents = await _insert_documents(drafts, batch, now, tx)
    grouped: dict[tuple[int, date], list[DocumentLine]] = defaultdict(list)
    for (product, period, _), (bill_document, *draw) in zip(drafts, documents, strict=True):
        grouped[product["customer_id"], period] += [bill_document, *draw]
    issues = [StatementToIssue(cid, batch.customers[cid]["name"], period, period_end(period),
                               tuple(docs)) for (cid, period), docs in grouped.items()]
    statements = await issue_statements(issues, actor, share, now, tx)
    bills = []
    for (product, period, priced), (document, *_) in zip(drafts, documents, strict=True):
        paid = batch.customers[product["customer_id"]]["draws"].get(product["id"], Decimal(0))
        bills.append({
            "customer_id": product["customer_id"], "product_id": product["id"],
            "period": period, "quantity": priced.quantity, "price_type": priced.price_type,
            "amount": cents(priced.amount), "paid": cents(paid),
            "status": "paid" if paid >= priced.amount else "unpaid", "bill_date": day,
            "due_date": add_months(day, product["payment_term_months"]),
            "document_id": document.id, "statement_id": statements[product["customer_id"],
                                                                   period].id,
            "created_at": now, "detail": priced.detail()})
        result.amount += priced.amount
    returned = await insert_rows(tx, BILLS.table, BILLS.columns, BILLS.rows(bills),
                                 returning=("id", "product_id") if result.keep_bills else ())
    await check_credit_limits({product["customer_id"] for product, *_ in drafts}, now)
    result.counts["bills"] += len(bills)
    result.counts[statements_label] += len(statements)
    result.statements += [s.id for s in statements.values()]
    if result.keep_bills:
        ids = dict((product_id, bill_id) for bill_id, product_id in returned)
        result.bills += [Bill(id=ids[bill["product_id"]], **bill) for bill in bills]


BILLS, DOCUMENTS = BulkTable(Bill), BulkTable(Document)


DRAW_ACCOUNT = "预付余额"


async def _insert_documents(drafts, batch: _Batch, now: datetime,
                            tx) -> list[tuple[DocumentLine, ...]]:
    """Per draft, in order and with ids: its bill document (BILL-YYYYMM-<product code>) and,
    when the prepaid balance paid some of it, the draw that paid it (DRAW-YYYYMM-<code>, 本单欠
    0): the receivable, and every statement's 期末应收, then holds only what is still owed."""
    documents, rows = [], []
    for product, period, priced in drafts:
        customer = batch.customers[product["customer_id"]]
        paid = cents(customer["draws"].get(product["id"], Decimal(0)))
        dated, amount = period_end(period), cents(priced.amount)
        lines = [DocumentLine(0, f"BILL-{period:%Y%m}-{product['code']}", BILL, dated, amount,
                              amount - paid, product["name"][:100], 1)]
        if paid > 0:
            lines.append(DocumentLine(0, f"DRAW-{period:%Y%m}-{product['code']}", PREPAID_DRAW,
                                      dated, paid, ZERO_CENTS, DRAW_ACCOUNT, 1))
        documents.append(lines)
        rows += [{"number": d.number, "doc_type": d.doc_type, "date": d.date,
                  "customer_id": product["customer_id"],
                  "salesperson_id": customer["salesperson_id"], "amount": d.amount,
                  "owed": d.owed, "account": d.account, "status": DOC_TYPE_LABELS[d.doc_type],
                  "created_at": now, "updated_at": now} for d in lines]
    ids = dict((number, document_id) for document_id, number in await insert_rows(
        tx, DOCUMENTS.table, DOCUMENTS.columns, DOCUMENTS.rows(rows),
        returning=("id", "number")))
    return [tuple(d._replace(id=ids[d.number]) for d in lines) for lines in documents]


async def _draw_prepaid(drafts, batch: _Batch, tx) -> None:
    """Prepaid and pre-purchase customers pay their new bills from their balance, read again
    under a row lock (PostgreSQL) inside the writing transaction."""
    for customer in batch.customers.values():
        customer["draws"] = {}
    ids = {p["customer_id"] for p, _, _ in drafts
           if batch.customers[p["customer_id"]]["payment_mode"] != prepaid.POSTPAID}
    if not ids:
        return
    locked = await Customer.filter(id__in=list(ids)).select_for_update().using_db(tx).only(
        "id", "prepaid_balance")
    for customer in locked:
        mine = [(p, priced) for p, _, priced in drafts if p["customer_id"] == customer.id]
        paid, balance = prepaid.draw(Decimal(customer.prepaid_balance),
                                     [priced.amount for _, priced in mine])
        batch.customers[customer.id]["draws"] = {
            p["id"]: amount for (p, _), amount in zip(mine, paid, strict=True)}
        customer.prepaid_balance = balance
    await Customer.bulk_update(locked, fields=["prepaid_balance"], batch_size=500, using_db=tx)


async def _write_exceptions(failures, drafts, batch: _Batch, now, result: RunResult,
                            tx) -> None:
    new, changed = [], []
    for product, period, outcome in failures:
        key = _product_key(product["id"], period)
        known = batch.exceptions.get(key)
        if known is None:
            customer = batch.customers[product["customer_id"]]
            new.append(BillingException(
                key=key, period=period, customer_id=product["customer_id"],
                product_id=product["id"], reason=outcome.reason, detail=outcome.detail,
                created_at=now))
            result.new_exceptions.append({
                "key": key, "salesperson_id": customer["salesperson_id"],
                "customer": customer["name"],
                "product": product["code"], "product_name": product["name"],
                "period": period_label(period), "reason": outcome.reason,
                "reason_label": REASON_LABELS[outcome.reason], "detail": outcome.detail})
            result.counts[f"exception_{outcome.reason}"] += 1
        elif known["status"] != "open" or known["reason"] != outcome.reason:
            changed.append((known["id"], outcome))
    await BillingException.bulk_create(new, batch_size=CHUNK, ignore_conflicts=True,
                                       using_db=tx)
    for exception_id, outcome in changed:  # rare: a reason changed, or a resolved one recurs
        await BillingException.filter(id=exception_id).using_db(tx).update(
            reason=outcome.reason, detail=outcome.detail, status="open", resolved_at=None)
    resolved = [batch.exceptions[k]["id"] for p, d, _ in drafts
                for k in _keys(p["id"], d, batch.accounts.get(p["id"], []))
                if k in batch.exceptions and batch.exceptions[k]["status"] == "open"]
    for start in range(0, len(resolved), CHUNK):
        await BillingException.filter(id__in=resolved[start:start + CHUNK]).using_db(tx) \
            .update(status="resolved", resolved_at=now)
    result.counts["exceptions_resolved"] += len(resolved)


# ----- usage of no product's account ----------------------------------------------------------


async def _unknown_accounts(period: date, now: datetime, result: RunResult) -> None:
    """Usage in ``period`` of accounts no product has (产品账号填写错误): one open exception per
    account and period, kept open until a bill counts that usage (``_link_known_accounts``)."""
    connection = get_connection("default")
    rows = await connection.execute_query_dict(render(connection, UNKNOWN_USAGE, 1), [period])
    new = [BillingException(
        key=_account_key(r["account"], period), period=period,
        account=r["account"], reason=UNKNOWN_ACCOUNT,
        detail=f"账号 {r['account']} 不属于任何产品，{period_label(period)} 发送量 "
               f"{r['quantity']}", created_at=now) for r in rows]
    before = await BillingException.filter(key__in=[e.key for e in new]).count() if new else 0
    await BillingException.bulk_create(new, batch_size=CHUNK, ignore_conflicts=True)
    result.counts["exception_unknown_account"] += len(new) - before
    await _link_known_accounts(result)


async def _link_known_accounts(result: RunResult) -> None:
    """An unknown account that now belongs to a product: its exception names the product, so
    the retry bills that month (and resolves it); if the product was billed for the month
    before the account joined, it stays open as ``ACCOUNT_AFTER_BILL`` and the salesperson is
    told — nothing billable is silently lost."""
    connection = get_connection("default")
    rows = await connection.execute_query_dict(render(connection, KNOWN_ACCOUNTS, 2),
                                               ["open", UNKNOWN_ACCOUNT])
    for row in rows:
        if row["bill"] is None and row["linked"] is None:
            await BillingException.filter(id=row["id"]).update(
                product_id=row["product_id"], customer_id=row["customer_id"])
    late = [row for row in rows if row["bill"] is not None]
    customers = {c.id: c for c in await Customer.filter(
        id__in=list({row["customer_id"] for row in late}))} if late else {}
    for row in late:
        month = period_label(as_date(row["period"]))
        detail = (f"账号 {row['account']} {month} 发送量 {row['quantity'] or 0} 未计入已出的账单 "
                  f"{row['bill_number'] or row['bill']}（账号在出账后才加入产品 {row['code']}），"
                  "请人工补开账单")
        await BillingException.filter(id=row["id"]).update(
            reason=ACCOUNT_AFTER_BILL, detail=detail, product_id=row["product_id"],
            customer_id=row["customer_id"])
        customer = customers[row["customer_id"]]
        result.new_exceptions.append({
            "key": row["key"], "salesperson_id": customer.salesperson_id,
            "customer": customer.name, "product": row["code"], "product_name": row["name"],
            "period": month, "reason": ACCOUNT_AFTER_BILL,
            "reason_label": REASON_LABELS[ACCOUNT_AFTER_BILL], "detail": detail})
    result.counts["exception_account_after_bill"] += len(late)


# ----- telling the salespeople ------------------------------------------------------------------


async def _notify(new: list[dict], day: date, now: datetime) -> None:
    """One DingTalk markdown per salesperson listing the run's new exceptions of their
    customers, deduplicated per exception: a second batch the same day is told too."""
    by_staff: dict[int, list[dict]] = defaultdict(list)
    for item in new:
        if item["salesperson_id"]:
            by_staff[item["salesperson_id"]].append(item)
    if not by_staff:
        return
    staff = {s.id: s for s in await Staff.filter(id__in=list(by_staff), active=True)}
    notices = []
    for staff_id, items in by_staff.items():
        person = staff.get(staff_id)
        if person is None:
            continue
        payload: BillingExceptions = {
            "date": day.isoformat(), "count": len(items),
            "items": [{k: v for k, v in i.items() if k not in INTERNAL}
                      for i in items[:MAX_LISTED]]}
        to = staff_recipient(person.id, person.name)
        # The same exceptions are told once (replicas racing on one run send one notice).
        key = billing_exceptions_key((item["key"] for item in items), to)
        notices.append(outbox.NewNotice(Kind.BILLING_EXCEPTIONS, to, payload, key))
    await outbox.save_many(notices, now)


INTERNAL = ("key", "salesperson_id")  # item fields the notice does not carry


# ----- helpers ----------------------------------------------------------------------------------
