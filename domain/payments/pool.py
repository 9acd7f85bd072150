"""The payments pool (到款池, SPEC 7): finance imports received payments, each is matched to a
customer by payer name (customer name, else invoice company name) and, when automatic
write-off is on, written off at once against the customer's oldest unpaid bills.

Import is idempotent by reference: the same reference with the same payer, amount and date is
``unchanged``; with anything different it is a row error with status 409. Every good row lands
in a transaction of its own (an automatic write-off that cannot start leaves a note, never an
error); with ``atomic`` any bad row refuses the whole batch.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Subquery
from tortoise.transactions import in_transaction

from domain.billing.models import Bill
from domain.common_errors import BAD_ITEMS, BATCH_REJECTED
from domain.credit.lines import save
from domain.customers.models import Customer
from domain.money import to_amount
from domain.payments import rules, settle, writeoffs
from domain.payments.models import PoolPayment, WriteOff
from domain.payments.rules import Match

MAX_NAME, MAX_REFERENCE = 200, 64


@dataclass
class RowError:
    index: int
    key: str
    status: int  # 400 bad row, 409 the reference exists with other values
    code: str
    errors: list[str]


@dataclass
class ImportResult:
    created: int = 0
    unchanged: int = 0
    rejected: list[RowError] = field(default_factory=list)
    payments: list[PoolPayment] = field(default_factory=list)


@dataclass(frozen=True)
class Incoming:
    index: int
    reference: str
    payer_name: str
    amount: Decimal
    received_on: date


# ----- reading rows ---------------------------------------------------------------------------


def parse_row(index: int, raw) -> Incoming | RowError:
    """One row {payer_name, amount, received_on, reference}, or what is wrong with it."""
    if not isinstance(raw, dict):
        return RowError(index, "", 400, "bad_row", ["行必须是 JSON 对象"])
    errors: list[str] = []
    reference = _text(raw, "reference", MAX_REFERENCE, errors)
    payer = _text(raw, "payer_name", MAX_NAME, errors)
    amount = _amount(raw.get("amount"), errors)
    received_on = _date(raw.get("received_on"), errors)
    if errors:
        return RowError(index, reference, 400, "bad_row", errors)
    return Incoming(index, reference, payer, amount, received_on)


def _text(raw: dict, name: str, max_len: int, errors: list[str]) -> str:
    value = str(raw.get(name) or "").strip()
    if not value:
        errors.append(f"{name}: 必填")
    elif len(value) > max_len:
        errors.append(f"{name}: 超过 {max_len} 个字符")
    return value


def _amount(value, errors: list[str]) -> Decimal:
    try:
        amount = to_amount(value)
    except ValueError as exc:
        errors.append(f"amount: {exc}" if value not in (None, "") else "amount: 必填")
        return Decimal(0)
    if amount <= 0:
        errors.append("amount: 到款金额必须大于0")
    return amount


def _date(value, errors: list[str]) -> date:
    try:
        return date.fromisoformat(str(value))
    except (TypeError, ValueError):
        errors.append(f"received_on: 必须是日期 YYYY-MM-DD: {value!r}")
        return date.min


def _same(existing: PoolPayment, row: Incoming) -> bool:
    return (existing.amount == row.amount and existing.received_on == row.received_on
            and existing.payer_name == row.payer_name)


def _conflict(row: Incoming, existing: PoolPayment) -> RowError:
    return RowError(row.index, row.reference, 409, "payment_reference_conflict", [
        f"到款流水号 {row.reference} 已导入（{existing.payer_name} {existing.amount} "
        f"{existing.received_on}），与本行不同"])


# ----- matching -------------------------------------------------------------------------------


@dataclass
class CustomerIndex:
    """Customers by normalised name and by normalised invoice company name."""

    by_name: dict[str, list[int]]
    by_company: dict[str, list[int]]

    def match(self, key: str) -> Match:
        return rules.match_payer(key, self.by_name, self.by_company)


async def customer_index(keys: Iterable[str]) -> CustomerIndex:
    """The index for just these payer keys (one pass over the customers)."""
    wanted = set(keys)
    by_name: dict[str, list[int]] = defaultdict(list)
    by_company: dict[str, list[int]] = defaultdict(list)
    if wanted:
        for row in await Customer.filter(deleted_at=None).values("id", "name", "invoice"):
            name = rules.payer_key(row["name"])
            if name in wanted:
                by_name[name].append(row["id"])
            company = rules.payer_key(str((row["invoice"] or {}).get("company") or ""))
            if company and company in wanted:
                by_company[company].append(row["id"])
    return CustomerIndex(by_name, by_company)


# ----- importing ------------------------------------------------------------------------------


async def import_payments(raws, *, atomic: bool = False, auto_write_off: bool, actor: str,
                          now: datetime) -> ImportResult:
    """Import a batch of received payments; see the module docstring."""
    if not isinstance(raws, list) or not raws:
        raise BAD_ITEMS("items 必须是非空数组")
    result = ImportResult()
    rows = _dedupe([parse_row(i, raw) for i, raw in enumerate(raws)], result)
    existing = {p.reference: p for p in await PoolPayment.filter(
        reference__in=[r.reference for r in rows])}
    fresh = []
    for row in rows:
        known = existing.get(row.reference)
        if known is None:
            fresh.append(row)
        elif _same(known, row):
            result.unchanged += 1
            result.payments.append(known)
        else:
            result.rejected.append(_conflict(row, known))
    result.rejected.sort(key=lambda r: r.index)
    if atomic and result.rejected:
        _refuse_batch(result.rejected)
    index = await customer_index(rules.payer_key(r.payer_name) for r in fresh)
    for row in fresh:
        await _import_one(row, index, auto_write_off, actor, now, result)
    return result


def _dedupe(parsed: list, result: ImportResult) -> list[Incoming]:
    """The good rows, a reference repeated in the batch kept once (a different repeat is a
    conflict)."""
    first: dict[str, Incoming] = {}
    for row in parsed:
        if isinstance(row, RowError):
            result.rejected.append(row)
        elif row.reference not in first:
            first[row.reference] = row
        elif (first[row.reference].amount, first[row.reference].received_on,
              first[row.reference].payer_name) != (row.amount, row.received_on, row.payer_name):
            result.rejected.append(RowError(row.index, row.reference, 409,
                                            "payment_reference_conflict",
                                            [f"同一批次中流水号 {row.reference} 重复且内容不同"]))
    return list(first.values())


def _refuse_batch(rejected: list[RowError]) -> None:
    detail = [r.__dict__ for r in rejected]
    message = f"{len(rejected)} 行有错误，整批未写入"
    if all(r.status == 409 for r in rejected):
        raise BATCH_REJECTED(message, rejected=detail)
    raise BATCH_REJECTED(message, rejected=detail)


async def _import_one(row: Incoming, index: CustomerIndex, auto: bool, actor: str,
                      now: datetime, result: ImportResult) -> None:
    key = rules.payer_key(row.payer_name)
    match = index.match(key)
    try:
        async with in_transaction():
            payment = await PoolPayment.create(
                reference=row.reference, payer_name=row.payer_name, payer_key=key[:200],
                amount=row.amount, remaining=row.amount, received_on=row.received_on,
                customer_id=match.customer_id, matched_by=match.matched_by,
                status=settle.MATCHED if match.customer_id else settle.UNMATCHED,
                note=match.note, imported_by=actor[:100], created_at=now)
            if match.customer_id and auto:
                payment = await settle.lock_payment(payment.id)
                await writeoffs.try_auto_write_off(payment, now)
    except IntegrityError:  # the same reference imported at the same moment by someone else
        existing = await PoolPayment.get_or_none(reference=row.reference)
        if existing is None:
            raise
        if _same(existing, row):
            result.unchanged += 1
            result.payments.append(existing)
        else:
            result.rejected.append(_conflict(row, existing))
        return
    result.created += 1
    result.payments.append(await PoolPayment.get(id=payment.id))


# ----- retrying (the daily write-off job) -----------------------------------------------------


async def retry_unmatched(now: datetime, *, auto_write_off: bool) -> dict:
    """Match pool payments still unmatched (a customer or an invoice company may have been
    added since) and, when matched, try the automatic write-off."""
    waiting = await PoolPayment.filter(status=settle.UNMATCHED, customer_id=None).values(
        "id", "payer_key")
    busy = await _in_flows({w["id"] for w in waiting})
    index = await customer_index(w["payer_key"] for w in waiting)
    counts = {"unmatched_checked": len(waiting), "matched": 0, "write_offs_started": 0}
    for row in waiting:
        match = index.match(row["payer_key"])
        if match.customer_id is None or row["id"] in busy:
            continue
        counts["matched"] += 1
        async with in_transaction():
            payment = await settle.lock_payment(row["id"])
            if payment.customer_id is not None:
                continue  # matched by someone meanwhile
            await save(payment, customer_id=match.customer_id,
                              matched_by=match.matched_by, status=settle.MATCHED, note="")
            if auto_write_off:
                counts["write_offs_started"] += bool(
                    await writeoffs.try_auto_write_off(payment, now))
    return counts


async def retry_with_money_left(now: datetime) -> dict:
    """Matched payments with money left, no write-off in flight and none rejected, whose
    customer has unpaid bills: try the automatic write-off again (new bills may exist)."""
    owing = Subquery(Bill.filter(status=settle.UNPAID).values("customer_id"))
    candidates = await PoolPayment.filter(
        status__in=(settle.MATCHED, settle.PARTLY), customer_id__in=owing,
    ).order_by("id").values_list("id", flat=True)
    rejected = set(await WriteOff.filter(payment_id__in=candidates, automatic=True,
                                         status=settle.REJECTED).values_list("payment_id",
                                                                             flat=True))
    busy = await _in_flows(set(candidates))
    counts = {"money_left_checked": 0, "write_offs_retried": 0}
    for payment_id in candidates:
        if payment_id in rejected or payment_id in busy:
            continue
        counts["money_left_checked"] += 1
        async with in_transaction():
            payment = await settle.lock_payment(payment_id)
            if payment.remaining > 0:
                counts["write_offs_retried"] += bool(
                    await writeoffs.try_auto_write_off(payment, now))
    return counts


async def _in_flows(payment_ids: set[int]) -> set[int]:
    """The payments with a write-off still in its flow."""
    return set(await settle.reserved_on_payments(payment_ids))
