"""Debts written directly (org → customer → order → shipment → debt), as the credit use cases
would have left them, for the reminder, overview and scheduler tests; with the staff and
customers they belong to."""

from __future__ import annotations

import itertools
from datetime import date, datetime
from decimal import Decimal

from domain.credit.models import CreditOrder, Debt, SalesOrg, Shipment
from domain.customers.models import Contact, Customer
from domain.org.models import Staff
from tests.conftest import SHANGHAI

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)
_numbers = itertools.count(1)


async def make_people() -> dict[str, Staff]:
    manager = await Staff.create(name="赵经理", dingtalk_userid="mgr-zhao")
    li = await Staff.create(name="李业务", dingtalk_userid="sales-li", manager=manager)
    wang = await Staff.create(name="王业务", dingtalk_userid="sales-wang", manager=manager)
    return {"manager": manager, "li": li, "wang": wang}


async def make_org(code: str = "YXY", name: str = "亚细亚陶瓷", budget: str = "0") -> SalesOrg:
    return await SalesOrg.create(code=code, name=name, budget=Decimal(budget), created_at=NOW)


async def make_customer(name: str, salesperson: Staff | None, *openids: str) -> Customer:
    customer = await Customer.create(code=f"C{next(_numbers):04d}", name=name,
                                     salesperson=salesperson)
    for openid in openids:
        await Contact.create(customer=customer, name=f"{name}联系人", openid=openid)
    return customer


async def make_debt(customer: Customer, org: SalesOrg, *, due: date, amount: str = "10000.00",
                    outstanding: str | None = None, debt_date: date | None = None,
                    status: str = "open", salesperson: Staff | None = None) -> Debt:
    """One order with one shipment whose credit part is this debt."""
    number = next(_numbers)
    debt_date = debt_date or date(2026, 9, 1)
    money = Decimal(amount)
    order = await CreditOrder.create(
        number=f"SO-{number}", customer=customer, org=org, order_date=debt_date, amount=money,
        cash=Decimal("0"), credit=money, cash_left=Decimal("0"), credit_left=Decimal("0"),
        salesperson_id=(salesperson.id if salesperson else customer.salesperson_id),
        created_at=NOW)
    shipment = await Shipment.create(number=f"SH-{number}", order=order, ship_date=debt_date,
                                     amount=money, cash=Decimal("0"), credit=money,
                                     created_at=NOW)
    left = Decimal(outstanding if outstanding is not None else amount)
    return await Debt.create(
        shipment=shipment, customer=customer, org=org, salesperson_id=order.salesperson_id,
        debt_date=debt_date, term_days=(due - debt_date).days, due_date=due, amount=money,
        repaid=money - left, outstanding=left, status=status, created_at=NOW)

