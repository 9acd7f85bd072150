"""Month-end billing set-up shared by the billing and customer-flag tests: a customer with a
bound contact, a product with its accounts' October usage and a price, and the month-end job."""

from __future__ import annotations

from datetime import date, datetime

from domain.billing.models import PriceAdjustment, Product, Usage, UsageAccount
from domain.customers.models import Contact, Customer
from domain.org.models import Staff
from jobs.schedule import DAILY_JOBS
from tests.conftest import SHANGHAI

NOW = datetime(2026, 11, 5, 2, 0, tzinfo=SHANGHAI)
OCT = date(2026, 10, 1)


async def run(settings, day: date, now: datetime = NOW) -> dict:
    return await DAILY_JOBS["month-end"](day, now, settings)


async def make_customer(code: str, statement_day: int = 5, *, openid: str | None = "oid-1",
                        salesperson: Staff | None = None, **values) -> Customer:
    customer = await Customer.create(code=code, name=f"客户{code}", statement_day=statement_day,
                                     salesperson=salesperson, **values)
    if openid:
        await Contact.create(customer=customer, name="财务", openid=f"{openid}-{code}")
    return customer


async def make_product(customer: Customer, code: str, *, accounts=(("a", 0),),
                       price=("uniform", [{"up_to": None, "price": "0.05"}]),
                       effective: date = date(2026, 1, 1), term: int = 1,
                       interest_free: bool = False) -> Product:
    product = await Product.create(customer=customer, code=code, name=f"产品{code}",
                                   payment_term_months=term, created_at=NOW)
    for suffix, quantity in accounts:
        account = f"{code}-{suffix}"
        await UsageAccount.create(product=product, account=account,
                                  interest_free=interest_free, created_at=NOW)
        if quantity is not None:
            await Usage.create(account=account, period=OCT, quantity=quantity, updated_at=NOW)
    if price is not None:
        await PriceAdjustment.create(product=product, effective_from=effective,
                                     price_type=price[0], tiers=price[1], created_at=NOW)
    return product


TIERS = [{"up_to": 1000, "price": "0.05"}, {"up_to": None, "price": "0.04"}]

