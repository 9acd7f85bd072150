"""The ERP's documents (销售出库单, 销售退货单, 收款单) in a batch: each row checked — with the
hand-over's fields (audit state, driver and delivery, red reversal, a receipt's kind, discount,
转入预收 and settlements) — then landed by number (``domain.documents.landing``: day close,
then the write, then the confirmations) with a receipt's settlements beside it. What a change
means to statements and credit limits is the caller's (``domain.ingest``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from domain.customers.models import Customer, CustomerDepartment
from domain.documents.landing import Landing, ensure_days_open, land
from domain.documents.models import Document, ReceiptSettlement
from domain.documents.rules import (
    APPROVED,
    AUDIT_ALIASES,
    DOC_TYPE_LABELS,
    DOC_TYPES,
    PENDING,
    RECEIPT,
    RECEIPT_KIND_ALIASES,
    SALE,
    SALES_OUT,
    SALES_RETURN,
    Settled,
    receipt_audit_change,
    receipt_problems,
    signed_amount,
)
from domain.documents.settings import confirm_audits
from domain.errors import Conflict
from domain.ingest_rows import (
    IngestResult,
    Row,
    bounded_text,
    json_list,
    line_value,
    non_negative,
    one_of,
    parse_bool,
    parse_date,
    read_rows,
    require_ref,
    split_rows,
    staff_by_userid,
    with_customers,
)
from domain.money import ZERO, to_amount
from domain.org.models import Staff
from domain.sql import lock_keys

# Only the ERP's own document types: bills are Tally's, made by month-end billing.
DOC_TYPE_ALIASES = {**{t: t for t in DOC_TYPES},
                    **{DOC_TYPE_LABELS[t]: t for t in DOC_TYPES}}
RECEIPT_FIELDS = ("receipt_kind", "discount", "to_prepaid", "settlements")
_SETTLED = (SALES_OUT, SALES_RETURN, "bill")
# What a receipt may settle, by code, label or the ERP's own names of sales documents.
SETTLED_TYPES = {**{t: t for t in _SETTLED}, **{DOC_TYPE_LABELS[t]: t for t in _SETTLED},
                 "车销单": SALES_OUT, "发货单": SALES_OUT, "销货单": SALES_OUT}

_doc_type = one_of(DOC_TYPE_ALIASES, "未知单据类型")


audit_status = one_of(AUDIT_ALIASES, "未知审核状态（可选 已审批、待审批、作废）")


receipt_kind = one_of(RECEIPT_KIND_ALIASES, "未知收款类型（可选 收款、预收款、订金）")


_settled_type = one_of(SETTLED_TYPES, "未知单据类型")


def settlements(value) -> list[dict]:
    """A receipt's settlement lines (核销单据) [{number, type, date, amount, prepaid}]."""
    lines = []
    for n, line in enumerate(json_list(value), 1):
        lines.append({
            "number": line_value(n, line, "number", lambda v: bounded_text(v, 64)),
            "doc_type": line_value(n, line, "type", _settled_type),
            "doc_date": line_value(n, line, "date", parse_date),
            "amount": line_value(n, line, "amount", non_negative),
            "prepaid": line_value(n, line, "prepaid", lambda v: non_negative(v or "0")),
        })
    return lines


# ----- one row ---------------------------------------------------------------------------------


def validate_document(raw) -> Row:
    row = Row(raw)
    row.text("number", required=True, max_len=64)
    row.convert("type", _doc_type, required=True)
    row.convert("date", parse_date, required=True)
    row.text("customer_code", required=True, max_len=64)
    row.text("salesperson", max_len=64)
    row.convert("amount", to_amount, required=True)
    row.convert("owed", to_amount)
    row.text("account", max_len=100)
    row.text("status", max_len=32)
    row.text("department", max_len=100)
    amount = row.clean.get("amount")
    if amount is not None and amount < 0:
        row.errors.append("amount: 金额不能为负，方向由单据类型决定")
    if row.clean.get("owed") is None and amount is not None and row.clean.get("type"):
        # An ERP that does not send 本单欠 owes the whole document in its direction: a sale
        # adds it, a return or an unapplied receipt takes it off.
        row.clean["owed"] = signed_amount(row.clean["type"], amount)
    _read_handover_fields(row)
    row.clean["_key"] = row.clean["number"]
    return row


def _read_handover_fields(row: Row) -> None:
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


# ----- the batch --------------------------------------------------------------------------------


@dataclass
class Batch:
    """A batch's rows, checked, with the customers and staff they name."""

    rows: list[Row]
    customers: dict[str, Customer]
    staff: dict[str, Staff]


@dataclass
class Landed:
    changed: list[int]  # the stored documents the batch changed
    customers: set[int]  # whose documents the batch wrote, by their old and new customer


async def read_batch(raws: list) -> Batch:
    """Every row checked, its customer, department, salesperson and driver looked up."""
    rows = read_rows(raws, validate_document)
    customers = await with_customers(rows)
    await _resolve_departments(rows, customers)
    staff = await staff_by_userid(
        {r.clean.get(name) for r in rows for name in ("salesperson", "driver")})
    for row in rows:
        require_ref(row, "salesperson", staff, "业务员")
        require_ref(row, "driver", staff, "司机")
    return Batch(rows, customers, staff)


async def land_batch(batch: Batch, result: IngestResult, *, atomic: bool, by: str,
                     now: datetime | None) -> Landed:
    """Land the batch's good rows by number, inside the caller's transaction. A batch with a
    new or changed document of a closed day is refused whole (423)."""
    numbers = [r.key for r in batch.rows if not r.errors]
    await lock_keys("document", numbers)  # the same batch sent twice at once lands once
    stored = {d.number: d for d in await Document.filter(number__in=numbers)}
    touched = {d.customer_id for d in stored.values()}  # a document may change customer
    await _check_receipt_audits(batch.rows, stored)
    good = split_rows(batch.rows, atomic, result)
    landings = await _landings(good, stored, lambda c: _values(c, batch.customers, batch.staff))
    await ensure_days_open(landings)
    changed = await land(Document, landings, result, by=by, now=now)
    await _replace_settlements(landings, {r.key: r.clean["settlements"] for r in good})
    touched |= {batch.customers[r.clean["customer_code"]].id for r in good}
    return Landed([x.found.id for x in changed], touched)


async def _resolve_departments(rows: list[Row], customers: dict) -> None:
    """Each document's department, named by the ERP by name or code, as its customer's
    department name; a department the customer does not have marks the row."""
    named = [r for r in rows if r.clean.get("department") and not r.errors]
    ids = {customers[r.clean["customer_code"]].id for r in named}
    known: dict[tuple[int, str], str] = {}
    for customer_id, name, code in await CustomerDepartment.filter(
            customer_id__in=ids).values_list("customer_id", "name", "code"):
        known[customer_id, name] = name
        if code:
            known.setdefault((customer_id, code), name)
    for row in named:
        department = row.clean["department"]
        name = known.get((customers[row.clean["customer_code"]].id, department))
        if name is None:
            row.errors.append(f"department: 客户没有部门 {department!r}")
        else:
            row.clean["department"] = name


def _values(c: dict, customers: dict, staff: dict) -> dict:
    """A clean row's fields as stored."""
    salesperson, driver = staff.get(c["salesperson"]), staff.get(c["driver"])
    return {
        "doc_type": c["type"], "date": c["date"], "customer_id": customers[c["customer_code"]].id,
        "salesperson_id": salesperson.id if salesperson else None,
        "amount": Decimal(c["amount"]), "owed": Decimal(c["owed"]), "account": c["account"],
        "status": c["status"], "driver_id": driver.id if driver else None,
        "department": c["department"],
        "erp_type": c["erp_type"], "audit_status": c["audit_status"],
        "delivered_on": c["delivered_on"], "reversal": c["reversal"],
        "receipt_kind": c["receipt_kind"], "discount": c["discount"],
        "to_prepaid": c["to_prepaid"],
    }


async def _check_receipt_audits(rows: list[Row], stored: dict) -> None:
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


# ----- a receipt's settlements -------------------------------------------------------------------


def _settlement_tuple(line: dict) -> tuple:
    return (line["number"], line["doc_type"], line["doc_date"], line["amount"], line["prepaid"])


async def _stored_settlements(receipt_ids: Iterable[int]) -> dict[int, list[tuple]]:
    ids = list(receipt_ids)
    found: dict[int, list[tuple]] = {}
    if not ids:
        return found
    for receipt_id, *line in await ReceiptSettlement.filter(receipt_id__in=ids).order_by(
            "receipt_id", "position").values_list(
            "receipt_id", "number", "doc_type", "doc_date", "amount", "prepaid"):
        found.setdefault(receipt_id, []).append(tuple(line))
    return found


async def _replace_settlements(landings: list[Landing], lines: dict[str, list[dict]]) -> None:
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


async def _landings(good: list[Row], stored: dict,
                    values_of: Callable[[dict], dict]) -> list[Landing]:
    """The landings of good document rows, a receipt's settlements compared as a whole."""
    settled = await _stored_settlements(d.id for d in stored.values())
    landings = []
    for row in good:
        found = stored.get(row.key)
        lines = [_settlement_tuple(s) for s in row.clean["settlements"]]
        landings.append(Landing(
            row.index, row.key, values_of(row.clean), found,
            extra=found is not None and settled.get(found.id, []) != lines,
            audit=row.clean.get("_audit")))
    return landings
