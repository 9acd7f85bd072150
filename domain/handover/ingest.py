"""What the ERP sends for the daily hand-over (seed 001) besides its documents
(``domain.documents.ingest``): expenses (费用单), other income (其他收入单) and exchanges
(兑换货物). Every batch lands through ``domain.documents.landing``: day close, then the write,
then the confirmations."""

from __future__ import annotations

from datetime import datetime, tzinfo
from decimal import Decimal, InvalidOperation

from tortoise.transactions import in_transaction

from domain.documents.ingest import audit_status
from domain.documents.landing import Landing, ensure_days_open, land
from domain.documents.models import Exchange, Expense, OtherIncome
from domain.documents.rules import PENDING
from domain.ingest_rows import (
    IngestResult,
    Row,
    bounded_text,
    json_list,
    line_value,
    non_negative,
    one_of,
    parse_date,
    read_rows,
    require_ref,
    split_rows,
    staff_by_userid,
    with_customers,
)
from domain.money import ZERO, fmt, to_amount
from domain.sql import lock_keys

# ----- values of a row ---------------------------------------------------------------------

DIRECTIONS = {"out": "out", "in": "in", "出": "out", "入": "in", "兑出": "out", "兑入": "in",
              "换出": "out", "换入": "in"}


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


def money_items(value) -> list[dict]:
    """Lines of an expense or other income [{type, amount}], amounts as 2-decimal strings."""
    return [{"type": line_value(n, line, "type", lambda v: bounded_text(v, 50)),
             "amount": fmt(line_value(n, line, "amount", non_negative))}
            for n, line in enumerate(json_list(value), 1)]


def exchange_items(value) -> list[dict]:
    """What an exchange gave out and took back [{product, unit, quantity, direction}]."""
    lines = [{"product": line_value(n, line, "product", lambda v: bounded_text(v, 100)),
              "unit": line_value(n, line, "unit", lambda v: bounded_text(v, 20, required=False)),
              "quantity": line_value(n, line, "quantity", _quantity),
              "direction": line_value(n, line, "direction", _direction)}
             for n, line in enumerate(json_list(value), 1)]
    if not lines:
        raise ValueError("至少要有一项")
    return lines


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
