"""Builders of hand-over rows for the issue-6 tests, written straight through the models: staff
(with a DingTalk userid), customers, and a salesperson's documents of a day — sales-out,
return, receipt with settlements, delivery by a driver, expense, other income, exchange.

Every builder takes the salesperson (a Staff) and the day (a date or "YYYY-MM-DD") and fills the
rest with plain defaults; keyword arguments override any model field. Numbers are unique per
test run. Use the rows' ids with the API (kind "document" for Document rows, "expense",
"other_income", "exchange" for the others)."""

from __future__ import annotations

import itertools
from datetime import date, datetime
from decimal import Decimal

from domain.customers.models import Customer
from domain.documents.models import Document, Exchange, Expense, OtherIncome, ReceiptSettlement
from domain.org.models import Staff
from tests.conftest import SHANGHAI
from tests.support import API, call

__all__ = ["API", "call"]  # re-exported: the hand-over tests reach them as hs.call, hs.API
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)
DAY = date(2026, 11, 23)
_seq = itertools.count(1)


def _day(day: date | str) -> date:
    return date.fromisoformat(day) if isinstance(day, str) else day


def _number(prefix: str) -> str:
    return f"{prefix}-{next(_seq):06d}"


async def make_staff(userid: str, name: str | None = None, **fields) -> Staff:
    return await Staff.create(dingtalk_userid=userid, name=name or userid, **fields)


async def make_customer(salesperson: Staff | None = None, name: str | None = None,
                        **fields) -> Customer:
    code = fields.pop("code", _number("C"))
    return await Customer.create(code=code, name=name or f"客户{code}",
                                 salesperson=salesperson, **fields)


async def _document(doc_type: str, prefix: str, staff: Staff | None, day, customer, amount,
                    owed, **fields) -> Document:
    if customer is None and "customer_id" not in fields:
        customer = await make_customer(staff)
    if customer is not None:
        fields["customer_id"] = customer.id
    return await Document.create(
        number=fields.pop("number", _number(prefix)), doc_type=doc_type, date=_day(day),
        salesperson=staff, amount=Decimal(amount), owed=Decimal(owed),
        **fields)


async def sale(staff: Staff | None, day, amount: str = "100.00", *, customer=None,
               **fields) -> Document:
    """A sales-out (销售出库单), approved, owed in full unless told."""
    return await _document("sales_out", "XS", staff, day, customer, amount,
                           fields.pop("owed", amount), **fields)


async def sales_return(staff: Staff | None, day, amount: str = "20.00", *, customer=None,
                       **fields) -> Document:
    """A completed return (销售退货单, approved): a positive amount, as ingest takes it (the
    type gives the direction), and as much taken off what is owed."""
    return await _document("sales_return", "XT", staff, day, customer, amount,
                           fields.pop("owed", f"-{amount}"), **fields)


async def delivery(driver: Staff, day, salesperson: Staff | None = None,
                   amount: str = "300.00", **fields) -> Document:
    """A sales-out driven by `driver` and delivered on `day` (dated the day before unless
    told), sold by `salesperson` (none by default)."""
    delivered = _day(day)
    sold_on = _day(fields.pop("date", date.fromordinal(delivered.toordinal() - 1)))
    return await sale(salesperson, sold_on, amount, driver=driver, delivered_on=delivered,
                      **fields)


async def receipt(staff: Staff | None, day, amount: str = "100.00", *, customer=None,
                  settles: list[Document] | None = None, kind: str = "sale",
                  audit_status: str = "pending", **fields) -> Document:
    """A receipt (收款单), pending by default; a sale receipt settles `settles` (each in full,
    in order, until the amount plus discount is used) — a prepayment or deposit settles none."""
    if customer is None and settles:
        fields["customer_id"] = settles[0].customer_id
    row = await _document("receipt", "SK", staff, day, customer, amount,
                          fields.pop("owed", f"-{amount}"), receipt_kind=kind,
                          audit_status=audit_status, **fields)
    left = row.amount + row.discount - row.to_prepaid
    for position, doc in enumerate(settles or [], 1):
        part = min(left, doc.amount)
        if part <= 0:
            break
        await ReceiptSettlement.create(receipt=row, position=position, number=doc.number,
                                       doc_type=doc.doc_type, doc_date=doc.date, amount=part)
        left -= part
    return row


async def expense(staff: Staff | None, day, total: str = "80.00", *, paid: str | None = None,
                  **fields) -> Expense:
    """An expense (费用单), pending, paid out in full unless told."""
    return await Expense.create(
        number=fields.pop("number", _number("FY")), date=_day(day), salesperson=staff,
        total=Decimal(total), paid=Decimal(paid if paid is not None else total),
        items=fields.pop("items", [{"type": "差旅", "amount": total}]), **fields)


async def other_income(staff: Staff | None, day, amount: str = "30.00",
                       **fields) -> OtherIncome:
    """Other income (其他收入单), pending."""
    return await OtherIncome.create(
        number=fields.pop("number", _number("QT")), date=_day(day), salesperson=staff,
        amount=Decimal(amount), items=fields.pop("items", [{"type": "废品", "amount": amount}]),
        **fields)


async def exchange(staff: Staff | None, day, **fields) -> Exchange:
    """Goods exchanged (兑换货物): two boxes out, one back."""
    items = fields.pop("items", [
        {"product": "A4纸", "unit": "箱", "quantity": "2", "direction": "out"},
        {"product": "A4纸", "unit": "箱", "quantity": "1", "direction": "in"}])
    return await Exchange.create(
        number=fields.pop("number", _number("DH")), date=_day(day), salesperson=staff,
        items=items, submitted_at=fields.pop("submitted_at", NOW), **fields)


async def full_day(staff: Staff, day, customer: Customer | None = None) -> dict:
    """One of each of a salesperson's hand-over documents on a day, by name: sale, return,
    receipt (pending, settling the sale), expense, other income, exchange."""
    customer = customer or await make_customer(staff)
    sold = await sale(staff, day, "500.00", customer=customer)
    return {
        "sale": sold,
        "return": await sales_return(staff, day, customer=customer),
        "receipt": await receipt(staff, day, "500.00", settles=[sold]),
        "expense": await expense(staff, day),
        "other_income": await other_income(staff, day, customer=customer),
        "exchange": await exchange(staff, day, customer=customer),
    }


def ref(row) -> dict:
    """The API's {"kind", "id"} for a built row."""
    kind = {Document: "document", Expense: "expense", OtherIncome: "other_income",
            Exchange: "exchange"}[type(row)]
    return {"kind": kind, "id": row.id}



async def push(client, erp, kind: str, rows: list[dict], *, atomic: bool = False,
               status: int = 200) -> dict:
    """The ERP's ingest of ``rows`` of ``kind`` (all or nothing on request), asserting the
    status; the JSON body."""
    query = "?atomic=1" if atomic else ""
    return await call(client, "POST", f"/ingest/{kind}{query}", erp, {"items": rows}, status)
