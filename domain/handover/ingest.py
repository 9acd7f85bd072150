"""What the ERP sends for the daily hand-over (seed 001): the hand-over fields of its documents
(audit state, driver and delivery, red reversal, a receipt's kind, discount, 转入预收 and
settlements), and its expenses (费用单), other income (其他收入单) and exchanges (兑换货物).
Every batch lands through `domain.handover.landing`: day close, then the write, then the
confirmations."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, tzinfo
from decimal import Decimal, InvalidOperation

from tortoise.transactions import in_transaction

from domain.errors import Conflict
from domain.handover.landing import Landing, ensure_days_open, land
from domain.handover.rules import (
    APPROVED,
    AUDIT_ALIASES,
    PENDING,
    RECEIPT_KIND_ALIASES,
    SALE,
    Settled,
    receipt_audit_change,
    receipt_problems,
)
from domain.handover.settings import confirm_audits
from domain.ingest_rows import (
    IngestResult,
    Row,
    json_list,
    one_of,
    parse_bool,
    parse_date,
    read_rows,
    require_ref,
    split_rows,
    staff_by_userid,
    with_customers,
)
from domain.models import Document, Exchange, Expense, OtherIncome, ReceiptSettlement
from domain.money import ZERO, fmt, to_amount
from domain.sql import lock_keys
from domain.statements.rules import DOC_TYPE_LABELS, RECEIPT, SALES_OUT, SALES_RETURN

# ----- values of a row ---------------------------------------------------------------------

RECEIPT_FIELDS = ("receipt_kind", "discount", "to_prepaid", "settlements")
_SETTLED = (SALES_OUT, SALES_RETURN, "bill")
# What a receipt may settle, by code, label or the ERP's own names of sales documents.
SETTLED_TYPES = {**{t: t for t in _SETTLED}, **{DOC_TYPE_LABELS[t]: t for t in _SETTLED},
                 "车销单": SALES_OUT, "发货单": SALES_OUT, "销货单": SALES_OUT}
DIRECTIONS = {"out": "out", "in": "in", "出": "out", "入": "in", "兑出": "out", "兑入": "in",
              "换出": "out", "换入": "in"}


audit_status = one_of(AUDIT_ALIASES, "未知审核状态（可选 已审批、待审批、作废）")


receipt_kind = one_of(RECEIPT_KIND_ALIASES, "未知收款类型（可选 收款、预收款、订金）")


def non_negative(value) -> Decimal:
    amount = to_amount(value)
    if amount < 0:
        raise ValueError("金额不能为负")
    return amount


def parse_datetime(value, zone: tzinfo | None) -> datetime:
    """A time of day with its date; one without a zone is in the service's zone."""
    if not isinstance(value, datetime):
        text = str(value).strip()
        try:
            value = datetime.fromisoformat(text) if len(text) > 10 else None
        except ValueError:
            value = None
        if value is None:
            raise ValueError(f"不是时间 (YYYY-MM-DD HH:MM:SS): {text!r}")
    if value.tzinfo is None:
        if zone is None:
            raise ValueError("时间需带时区")
        value = value.replace(tzinfo=zone)
    return value


def _item(position: int, line, name: str, parse: Callable):
    if not isinstance(line, dict):
        raise ValueError(f"第 {position} 项必须是对象")
    try:
        return parse(line.get(name))
    except (ValueError, TypeError) as exc:
        raise ValueError(f"第 {position} 项 {name}: {exc}") from None


def _text(value, max_len: int, *, required: bool = True) -> str:
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise ValueError("必填")
    if len(text) > max_len:
        raise ValueError(f"超过 {max_len} 个字符")
    return text


def _quantity(value) -> str:
    if isinstance(value, bool | float):
        raise ValueError("数量必须是字符串或整数")
    try:
        quantity = Decimal(str(value).strip())
    except (InvalidOperation, TypeError):
        raise ValueError(f"不是数量: {value!r}") from None
    if not quantity.is_finite() or quantity <= 0:
        raise ValueError("数量必须大于 0")
    return format(quantity.normalize(), "f")


_direction = one_of(DIRECTIONS, "必须是 out（兑出）或 in（兑入）")


_settled_type = one_of(SETTLED_TYPES, "未知单据类型")


def settlements(value) -> list[dict]:
    """A receipt's settlement lines (核销单据) [{number, type, date, amount, prepaid}]."""
    lines = []
    for n, line in enumerate(json_list(value), 1):
        lines.append({
            "number": _item(n, line, "number", lambda v: _text(v, 64)),
            "doc_type": _item(n, line, "type", _settled_type),
            "doc_date": _item(n, line, "date", parse_date),
            "amount": _item(n, line, "amount", non_negative),
            "prepaid": _item(n, line, "prepaid", lambda v: non_negative(v or "0")),
        })
    return lines


def money_items(value) -> list[dict]:
    """Lines of an expense or other income [{type, amount}], amounts as 2-decimal strings."""
    return [{"type": _item(n, line, "type", lambda v: _text(v, 50)),
             "amount": fmt(_item(n, line, "amount", non_negative))}
            for n, line in enumerate(json_list(value), 1)]


def exchange_items(value) -> list[dict]:
    """What an exchange gave out and took back [{product, unit, quantity, direction}]."""
    lines = [{"product": _item(n, line, "product", lambda v: _text(v, 100)),
              "unit": _item(n, line, "unit", lambda v: _text(v, 20, required=False)),
              "quantity": _item(n, line, "quantity", _quantity),
              "direction": _item(n, line, "direction", _direction)}
             for n, line in enumerate(json_list(value), 1)]
    if not lines:
        raise ValueError("至少要有一项")
    return lines


# ----- documents: the hand-over fields -------------------------------------------------------


def read_document_fields(row: Row) -> None:
    """The hand-over fields of an ERP document row, checked; a receipt's figures must add up
    (seed 001) when it sends any of them, and other documents have none."""
    row.text("erp_type", max_len=32)
    row.convert("audit_status", audit_status, default=APPROVED)
    row.text("driver", max_len=64)
    row.convert("delivered_on", parse_date)
    row.convert("reversal", parse_bool, default=False)
    if row.clean["driver"] and "delivered_on" in row.clean and not row.clean["delivered_on"]:
        row.errors.append("delivered_on: 填写司机 (driver) 时必填")
    if row.clean.get("type") == RECEIPT:
        _receipt_fields(row)
    else:
        _no_receipt_fields(row)


def _receipt_fields(row: Row) -> None:
    sent = any(row.given(name) for name in RECEIPT_FIELDS)
    row.convert("receipt_kind", receipt_kind, default=SALE)
    row.convert("discount", non_negative, default=ZERO)
    row.convert("to_prepaid", non_negative, default=ZERO)
    row.convert("settlements", settlements, default=[])
    names = ("amount", *RECEIPT_FIELDS)
    if not sent or any(row.clean.get(name) is None for name in names):
        return  # nothing to check, or already wrong
    lines = [Settled(s["doc_date"], s["amount"], s["prepaid"]) for s in row.clean["settlements"]]
    row.errors += receipt_problems(row.clean["receipt_kind"], row.clean["amount"],
                                   row.clean["discount"], row.clean["to_prepaid"], lines)


def _carried(row: Row, name: str) -> bool:
    """Whether a non-receipt row really sends a receipt field: zero amounts and an empty list
    (what an export fills every row's column with) are nothing."""
    if not row.given(name):
        return False
    value = row.raw[name]
    try:
        if name in ("discount", "to_prepaid"):
            return to_amount(value) != 0
        if name == "settlements":
            return bool(json_list(value))
    except ValueError:
        return True
    return True


def _no_receipt_fields(row: Row) -> None:
    for name in RECEIPT_FIELDS:
        if _carried(row, name):
            row.errors.append(f"{name}: 只有收款单才有")
    row.clean.update(receipt_kind="", discount=ZERO, to_prepaid=ZERO, settlements=[])


def document_values(c: dict) -> dict:
    """The hand-over fields of a clean document row as stored (the driver's id left to the
    caller, which knows the staff)."""
    return {"erp_type": c["erp_type"], "audit_status": c["audit_status"],
            "delivered_on": c["delivered_on"], "reversal": c["reversal"],
            "receipt_kind": c["receipt_kind"], "discount": c["discount"],
            "to_prepaid": c["to_prepaid"]}


async def check_receipt_audits(rows: list[Row], stored: dict) -> None:
    """A receipt's audit change follows the 交款交账参数: it may confirm or un-confirm the
    receipt (noted on the row as ``_audit``), or the row is refused with why (409's message).
    A new receipt was pending until the ERP audited it."""
    receipts = [r for r in rows if not r.errors and r.clean.get("type") == RECEIPT]
    if not receipts:
        return
    audits = await confirm_audits()
    for row in receipts:
        found = stored.get(row.key)
        try:
            row.clean["_audit"] = receipt_audit_change(
                row.key, found.audit_status if found else PENDING, row.clean["audit_status"],
                confirmed=bool(found and found.confirmed_at), confirm_audits=audits)
        except Conflict as exc:
            row.errors.append(f"audit_status: {exc.message}")


def _settlement_tuple(line: dict) -> tuple:
    return (line["number"], line["doc_type"], line["doc_date"], line["amount"], line["prepaid"])


async def stored_settlements(receipt_ids: Iterable[int]) -> dict[int, list[tuple]]:
    ids = list(receipt_ids)
    found: dict[int, list[tuple]] = {}
    if not ids:
        return found
    for receipt_id, *line in await ReceiptSettlement.filter(receipt_id__in=ids).order_by(
            "receipt_id", "position").values_list(
            "receipt_id", "number", "doc_type", "doc_date", "amount", "prepaid"):
        found.setdefault(receipt_id, []).append(tuple(line))
    return found


async def replace_settlements(landings: list[Landing], lines: dict[str, list[dict]]) -> None:
    """Write the settlements of the new receipts and replace, as a whole, those that changed."""
    numbers = [x.number for x in landings if (x.found is None and lines[x.number]) or x.extra]
    if not numbers:
        return
    ids = dict(await Document.filter(number__in=numbers).values_list("number", "id"))
    await ReceiptSettlement.filter(receipt_id__in=list(ids.values())).delete()
    written = [ReceiptSettlement(receipt_id=ids[number], position=position, **line)
               for number in numbers for position, line in enumerate(lines[number], 1)]
    if written:
        await ReceiptSettlement.bulk_create(written, batch_size=500)


async def document_landings(good: list[Row], stored: dict,
                            values_of: Callable[[dict], dict]) -> list[Landing]:
    """The landings of good document rows, a receipt's settlements compared as a whole."""
    settled = await stored_settlements(d.id for d in stored.values())
    landings = []
    for row in good:
        found = stored.get(row.key)
        lines = [_settlement_tuple(s) for s in row.clean["settlements"]]
        landings.append(Landing(
            row.index, row.key, values_of(row.clean), found,
            extra=found is not None and settled.get(found.id, []) != lines,
            audit=row.clean.get("_audit")))
    return landings


# ----- expenses, other income, exchanges -----------------------------------------------------


def _head(row: Row) -> None:
    """Number, date, salesperson, customer, audit state and remark of a hand-over row."""
    row.text("number", required=True, max_len=64)
    row.convert("date", parse_date, required=True)
    row.text("salesperson", required=True, max_len=64)
    row.text("customer_code", max_len=64)
    row.convert("audit_status", audit_status, default=PENDING)
    row.text("remark", max_len=500)
    row.clean["_key"] = row.clean["number"]


def _itemised(row: Row, total: str) -> None:
    """Money lines and their total: the total is their sum when not given, else must be."""
    row.convert("items", money_items, default=[])
    row.convert(total, non_negative)
    items, amount = row.clean.get("items"), row.clean.get(total)
    if items is None or total not in row.clean:
        return
    summed = sum((Decimal(i["amount"]) for i in items), ZERO)
    if amount is None and items:
        row.clean[total] = summed
    elif amount is None:
        row.errors.append(f"{total}: 必填（或给出 items 明细）")
    elif items and amount != summed:
        row.errors.append(f"{total}: {amount} 与明细合计 {summed} 不符")


def validate_expense(raw) -> Row:
    row = Row(raw)
    _head(row)
    row.text("account", max_len=100)
    _itemised(row, "total")
    row.convert("paid", non_negative, default=ZERO)
    row.convert("settled", non_negative, default=ZERO)
    total, paid, settled = (row.clean.get(k) for k in ("total", "paid", "settled"))
    if None not in (total, paid, settled) and paid + settled > total:
        row.errors.append(f"paid: 支出金额 {paid} + 收款核销金额 {settled} 超过总金额 {total}")
    return row


def validate_other_income(raw) -> Row:
    row = Row(raw)
    _head(row)
    row.text("account", max_len=100)
    _itemised(row, "amount")
    return row


def validate_exchange(raw, zone: tzinfo | None = None) -> Row:
    row = Row(raw)
    _head(row)
    row.convert("items", exchange_items, required=True)
    row.convert("amount", to_amount, default=ZERO)
    row.convert("submitted_at", lambda v: parse_datetime(v, zone))
    return row


def _values(c: dict, staff: dict, customers: dict, names: tuple[str, ...]) -> dict:
    """The stored fields as a clean row has them; a field the row leaves out (an exchange's
    submission time) is not compared and stays as stored."""
    customer = customers.get(c["customer_code"])
    return {"date": c["date"], "salesperson_id": staff[c["salesperson"]].id,
            "customer_id": customer.id if customer else None,
            "audit_status": c["audit_status"], "remark": c["remark"],
            **{name: c[name] for name in names if c.get(name) is not None}}


async def _ingest(model, rows: list[Row], names: tuple[str, ...], *, atomic: bool, by: str,
                  now: datetime | None, defaults: dict | None = None) -> IngestResult:
    customers = await with_customers(rows)
    staff = await staff_by_userid({r.clean.get("salesperson") for r in rows})
    for row in rows:
        require_ref(row, "salesperson", staff, "业务员")
    result = IngestResult()
    good = split_rows(rows, atomic, result)
    async with in_transaction():
        numbers = [r.key for r in good]
        await lock_keys(model._meta.db_table, numbers)  # a batch sent twice at once lands once
        stored = {o.number: o for o in await model.filter(number__in=numbers)}
        landings = [Landing(row.index, row.key, _values(row.clean, staff, customers, names),
                            stored.get(row.key)) for row in good]
        await ensure_days_open(landings)
        await land(model, landings, result, by=by, now=now, defaults=defaults)
    return result


async def ingest_expenses(raws: list, *, atomic: bool = False, now: datetime | None = None,
                          by: str = "") -> IngestResult:
    """Expenses (费用单) by number: lines, total, 支出金额 and 收款核销金额."""
    return await _ingest(Expense, read_rows(raws, validate_expense),
                         ("items", "total", "paid", "settled", "account"), atomic=atomic,
                         by=by, now=now, defaults={"source": "erp"})


async def ingest_other_incomes(raws: list, *, atomic: bool = False,
                               now: datetime | None = None, by: str = "") -> IngestResult:
    """Other income (其他收入单) by number: lines and amount."""
    return await _ingest(OtherIncome, read_rows(raws, validate_other_income),
                         ("items", "amount", "account"), atomic=atomic, by=by, now=now)


async def ingest_exchanges(raws: list, *, atomic: bool = False, now: datetime | None = None,
                           by: str = "") -> IngestResult:
    """Exchanges (兑换货物) by number: the goods out and in, the difference paid, and when it
    was submitted (``now`` for a new one that does not say; a stored one keeps its time)."""
    zone = now.tzinfo if now else None
    rows = read_rows(raws, lambda raw: validate_exchange(raw, zone))
    if now is None:
        for row in rows:
            if row.clean.get("submitted_at", False) is None:  # absent, not wrong
                row.errors.append("submitted_at: 必填")
    return await _ingest(Exchange, rows, ("items", "amount", "submitted_at"), atomic=atomic,
                         by=by, now=now, defaults={"submitted_at": now})


HANDOVER_INGESTERS = {
    "expenses": ingest_expenses,
    "other_incomes": ingest_other_incomes,
    "exchanges": ingest_exchanges,
}
