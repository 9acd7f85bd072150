"""Documents a salesperson records from DingTalk (seed 001: the bot as a source): a receipt
(收款单) of money collected from one of their customers, or an expense (费用单). Both come in
pending, for finance to audit and confirm at the hand-over, and are refused with 423 when the
salesperson's day is closed.

Each is numbered ``DT-SK-<yyyymmdd>-<seq>`` / ``DT-FY-<yyyymmdd>-<seq>`` by its business date,
and recorded once per chat message: the message's id (``key``) is remembered with the number,
so the same message sent again gives back what it recorded instead of a second document.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from domain.access import get_visible_customer
from domain.actors import Actor
from domain.common_errors import BAD_AMOUNT, STAFF_NOT_FOUND
from domain.credit_limit import check_credit_limits
from domain.documents import day_close
from domain.documents.models import Document, Expense
from domain.documents.rules import PENDING, RECEIPT, RECEIPT_KIND_LABELS, SALE
from domain.events.catalogue import (
    EventType,
    ExpenseRecorded,
    ReceiptRecorded,
    customer_ref,
    staff_ref,
)
from domain.events.publish import NewEvent, publish
from domain.handover.errors import (
    BAD_RECEIPT_KIND,
    ENTRY_GONE,
    ENTRY_IN_PROGRESS,
    EXPENSE_TYPE_REQUIRED,
    EXPENSE_TYPE_TOO_LONG,
    FUTURE_DAY,
    NUMBER_BUSY,
)
from domain.money import CENT
from domain.org.models import Staff
from domain.staff_queries import org_actor
from domain.system.models import IdempotencyRecord

RECEIPT_PREFIX, EXPENSE_PREFIX = "DT-SK", "DT-FY"
KEY_SCOPE = "dingtalk_entry"  # IdempotencyRecord scope: chat message id -> what it recorded
MAX_AMOUNT = Decimal("100000000.00")  # one hundred million: more is a typing slip
MAX_TYPE_LENGTH = 50
REMARK = "钉钉录入"
NUMBER_TRIES = 5


@dataclass(frozen=True)
class Recorded:
    """What a message recorded (or had recorded, when ``repeated``)."""

    kind: str  # "receipt" | "expense"
    id: int
    number: str
    day: date
    amount: Decimal
    label: str  # 收款 / 预收款 / 订金, or the expense's type
    customer: str = ""
    repeated: bool = False


def check_amount(amount: Decimal) -> Decimal:
    """A positive amount in cents, not absurdly large."""
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(CENT):
        raise BAD_AMOUNT(f"金额 {amount} 无效：请填写大于 0、最多两位小数的金额")
    if amount > MAX_AMOUNT:
        raise BAD_AMOUNT(f"金额 {amount} 过大，请核对")
    return amount.quantize(CENT)


def check_day(day: date, now: datetime) -> date:
    """Today or earlier: money is recorded once it was collected or spent."""
    if day > now.date():
        raise FUTURE_DAY(f"日期 {day.isoformat()} 还没到，不能记录未来的单据")
    return day


async def record_receipt(staff_id: int, customer_id: int, amount: Decimal, *, kind: str = SALE,
                         day: date, now: datetime, key: str = "",
                         actor: Actor | None = None) -> Recorded:
    """A pending receipt of ``amount`` from one of the salesperson's customers on ``day``;
    ``actor`` is who they act as (the bot's, by their place in the org; by default their own,
    shared and team's customers)."""
    if kind not in RECEIPT_KIND_LABELS:
        raise BAD_RECEIPT_KIND(f"未知收款类型 {kind!r}")
    amount, day = check_amount(amount), check_day(day, now)
    staff = await _staff(staff_id)
    customer = await get_visible_customer(actor or await org_actor(staff), customer_id)
    label = RECEIPT_KIND_LABELS[kind]

    async def create(number: str) -> Document:
        return await Document.create(
            number=number, doc_type=RECEIPT, erp_type="收款单", date=day,
            customer_id=customer.id, salesperson_id=staff.id, amount=amount,
            owed=-amount,  # as ingest stores a receipt: it takes the amount off what is owed
            audit_status=PENDING, receipt_kind=kind, remark=REMARK,
            # Settles no document yet: a sale receipt's money waits as 转入预收 until finance
            # applies it, so seed 001's four columns still add up to 收款金额 − 转入预收.
            to_prepaid=amount if kind == SALE else Decimal("0.00"))

    def event(row: Document) -> NewEvent:
        data: ReceiptRecorded = {
            "document_id": row.id, "number": row.number, "receipt_kind": kind,
            "receipt_kind_label": label, "date": day.isoformat(), "amount": str(amount),
            "audit_status": PENDING, "customer": customer_ref(customer),
            "salesperson": staff_ref(staff)}
        return NewEvent(EventType.RECEIPT_RECORDED, f"{EventType.RECEIPT_RECORDED}:{row.number}",
                        "document", row.id, data, customer.id)

    earlier, row = await _record(Document, RECEIPT_PREFIX, staff, day, key, now, create, event)
    if earlier is not None:
        return earlier
    await check_credit_limits([customer.id], now)  # back within the limit re-arms its alert
    return Recorded("receipt", row.id, row.number, day, amount, label, customer.name)


async def record_expense(staff_id: int, amount: Decimal, expense_type: str, *, day: date,
                         now: datetime, key: str = "") -> Recorded:
    """A pending expense of ``amount`` paid out by the salesperson on ``day``."""
    amount, day = check_amount(amount), check_day(day, now)
    expense_type = " ".join(expense_type.split())
    if not expense_type:
        raise EXPENSE_TYPE_REQUIRED("请填写费用类型，例如：差旅、油费、招待")
    if len(expense_type) > MAX_TYPE_LENGTH:
        raise EXPENSE_TYPE_TOO_LONG(f"费用类型不能超过 {MAX_TYPE_LENGTH} 个字")
    staff = await _staff(staff_id)

    async def create(number: str) -> Expense:
        return await Expense.create(
            number=number, date=day, salesperson_id=staff.id, audit_status=PENDING,
            items=[{"type": expense_type, "amount": str(amount)}], total=amount, paid=amount,
            source="bot", remark=REMARK)

    def event(row: Expense) -> NewEvent:
        data: ExpenseRecorded = {
            "expense_id": row.id, "number": row.number, "expense_type": expense_type,
            "date": day.isoformat(), "amount": str(amount), "audit_status": PENDING,
            "salesperson": staff_ref(staff)}
        return NewEvent(EventType.EXPENSE_RECORDED, f"{EventType.EXPENSE_RECORDED}:{row.number}",
                        "expense", row.id, data)

    earlier, row = await _record(Expense, EXPENSE_PREFIX, staff, day, key, now, create, event)
    if earlier is not None:
        return earlier
    return Recorded("expense", row.id, row.number, day, amount, expense_type)


# ----- recording once, numbered, on an open day --------------------------------------------


async def _staff(staff_id: int) -> Staff:
    staff = await Staff.get_or_none(id=staff_id, active=True)
    if staff is None:
        raise STAFF_NOT_FOUND(f"员工 {staff_id} 不存在或已停用")
    return staff


async def _record(model, prefix: str, staff: Staff, day: date, key: str, now: datetime,
                  create: Callable[[str], Awaitable], event: Callable[[Any], NewEvent]):
    """(None, the new row, its event published for the ERP), or (what ``key`` recorded
    before, None)."""
    async with in_transaction():
        if key and (earlier := await _recorded_before(key)) is not None:
            return earlier, None
        await day_close.ensure_open([(staff.id, day)])
        row = await _numbered(model, prefix, day, create)
        if key:
            await _remember(key, model, row, now)
        await publish(event(row), now)
        return None, row


async def _numbered(model, prefix: str, day: date, create: Callable[[str], Awaitable]):
    """Create the row under the next free number of its day (retrying a number taken by a
    concurrent entry)."""
    stem = f"{prefix}-{day:%Y%m%d}-"
    for _ in range(NUMBER_TRIES):
        taken = await model.filter(number__startswith=stem).values_list("number", flat=True)
        seq = max((int(n[len(stem):]) for n in taken if n[len(stem):].isdigit()), default=0)
        try:
            async with in_transaction():  # a savepoint: a lost race must not spoil the caller
                return await create(f"{stem}{seq + 1:04d}")
        except IntegrityError:
            continue
    raise NUMBER_BUSY("单据编号冲突，请稍后再试")


async def _remember(key: str, model, row, now: datetime) -> None:
    kind = "receipt" if model is Document else "expense"
    try:
        async with in_transaction():
            await IdempotencyRecord.create(
                scope=KEY_SCOPE, key=key[:128], body=f"{kind}:{row.id}", created_at=now,
                fingerprint=hashlib.sha256(row.number.encode()).hexdigest())
    except IntegrityError:  # the same message is being recorded elsewhere: keep theirs
        raise ENTRY_IN_PROGRESS("这条消息已在处理，请稍后查看") from None


async def _recorded_before(key: str) -> Recorded | None:
    record = await IdempotencyRecord.get_or_none(scope=KEY_SCOPE, key=key[:128])
    if record is None:
        return None
    kind, _, row_id = record.body.partition(":")
    row = await (Document if kind == "receipt" else Expense).get_or_none(id=int(row_id))
    if row is None:
        raise ENTRY_GONE("这条消息记录的单据已被删除")
    if kind == "receipt":
        await row.fetch_related("customer")
        return Recorded(kind, row.id, row.number, row.date, row.amount,
                        RECEIPT_KIND_LABELS.get(row.receipt_kind, ""), row.customer.name,
                        repeated=True)
    label = str((row.items or [{}])[0].get("type", ""))
    return Recorded(kind, row.id, row.number, row.date, row.total, label, repeated=True)
