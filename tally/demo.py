"""Demo data shaped like seed 000's 联想 example; loading it twice changes nothing."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from domain.actors import ADMIN, SYSTEM
from domain.apikeys import create_api_key
from domain.credit import accounts as credit_accounts
from domain.credit import orders as credit_orders
from domain.credit.orgs import put_org
from domain.ingest import ingest_contacts, ingest_customers, ingest_documents, ingest_staff
from domain.models import ApiKey, Contact, CreditAccount, CreditOrder, Customer, Statement
from domain.statements.service import (
    NewStatement,
    ShareSettings,
    create_statement,
    live_share_url,
)

DEMO_KEY_NAME = "demo admin"
DEMO_OPENID = "o-demo-customer"

STAFF = [
    {"userid": "mgr-zhao", "name": "赵经理", "department": "华东销售部"},
    {"userid": "sales-li", "name": "李业务", "department": "华东销售部",
     "manager_userid": "mgr-zhao"},
    {"userid": "sales-wang", "name": "王业务", "department": "华南销售部",
     "manager_userid": "mgr-zhao"},
]
CUSTOMERS = [
    {"code": "C001", "name": "联想（北京）有限公司", "salesperson": "sales-li", "sales_org": "华东",
     "statement_day": 1, "credit_limit": "200000.00",
     "invoice": {"company": "联想（北京）有限公司", "tax_id": "911100007002"}},
    {"code": "C002", "name": "上海明辉商贸有限公司", "salesperson": "sales-li",
     "sales_org": "华东"},
    {"code": "C003", "name": "广州粤新电子有限公司", "salesperson": "sales-wang",
     "sales_org": "华南", "settlement_mode": "现结"},
]
CONTACTS = [
    {"external_id": "P001", "customer_code": "C001", "name": "陈会计", "phone": "13800000001"},
    {"external_id": "P002", "customer_code": "C002", "name": "周出纳", "phone": "13800000002"},
]
BANK = "银行存款-中国银行"
DOCUMENTS = [
    {"number": "XS-2021-11-30-0009", "type": "销售出库单", "date": "2021-11-30",
     "customer_code": "C001", "salesperson": "sales-li", "amount": "5000.00", "owed": "0.00"},
    {"number": "XS-2021-12-01-0001", "type": "销售出库单", "date": "2021-12-01",
     "customer_code": "C001", "salesperson": "sales-li", "amount": "32000.00",
     "owed": "32000.00"},
    {"number": "XS-2021-12-15-0004", "type": "销售出库单", "date": "2021-12-15",
     "customer_code": "C001", "salesperson": "sales-li", "amount": "17876.00",
     "owed": "17876.00"},
    {"number": "XT-T-2021-12-22-0002", "type": "销售退货单", "date": "2021-12-22",
     "customer_code": "C001", "salesperson": "sales-li", "amount": "1000.00",
     "owed": "-1000.00"},
    {"number": "XS-T-2021-12-22-0001", "type": "收款单", "date": "2021-12-22",
     "customer_code": "C001", "salesperson": "sales-li", "amount": "100.00", "owed": "-100.00",
     "account": BANK},
    {"number": "XS-2021-12-10-0002", "type": "销售出库单", "date": "2021-12-10",
     "customer_code": "C002", "salesperson": "sales-li", "amount": "8800.00", "owed": "8800.00"},
    {"number": "SK-2021-12-20-0003", "type": "收款单", "date": "2021-12-20",
     "customer_code": "C002", "salesperson": "sales-li", "amount": "4000.00", "owed": "0.00",
     "account": BANK},
]


async def load_demo(share: ShareSettings, now: datetime) -> dict:
    """Load the demo rows, make sure one statement exists, and mint a fresh admin key."""
    for ingest, rows in ((ingest_staff, STAFF), (ingest_customers, CUSTOMERS),
                         (ingest_contacts, CONTACTS), (ingest_documents, DOCUMENTS)):
        result = await ingest(rows, atomic=True)
        assert not result.rejected, result.rejected
    # The sandbox's WeChat follower, so `tally sandbox wechat o-demo-customer 对账单` answers.
    await Contact.filter(external_id="P001", openid=None).update(openid=DEMO_OPENID)
    customer = await Customer.get(code="C001")
    statement = await Statement.filter(customer_id=customer.id, deleted_at=None).first()
    if statement is None:
        statement = await create_statement(SYSTEM, NewStatement(
            customer.id, date(2021, 12, 1), date(2021, 12, 22)), share, now)
    await load_credit_demo(customer, now)
    url = await live_share_url(SYSTEM, statement.id, share, now)
    await ApiKey.filter(name=DEMO_KEY_NAME, revoked_at=None).update(revoked_at=now)
    _, key = await create_api_key(DEMO_KEY_NAME, ADMIN)
    return {"api_key": key, "share_url": url, "statement_id": statement.id,
            "openid": DEMO_OPENID}


DEMO_ORG = "HD"
DEMO_ORDER, DEMO_SHIPMENT = "DEMO-SO-0001", "DEMO-CK-0001"


async def load_credit_demo(customer: Customer, now: datetime) -> None:
    """Seed 002 in small: org 华东 (budget ¥5,000,000), an annual line of ¥1,000,000 for the demo
    customer, and an order shipped 85 days ago on credit, so its debt (default term 90 days)
    falls due in 5 days and the reminders have something to say."""
    org, _ = await put_org(code=DEMO_ORG, name="华东销区", budget=Decimal("5000000.00"),
                           enabled=None, now=now)
    today = now.date()
    if not await CreditAccount.exists(customer_id=customer.id, type="annual"):
        await credit_accounts.grant_account(
            customer_id=customer.id, org_id=org.id, type="annual",
            limit=Decimal("1000000.00"), valid_from=today - timedelta(days=180),
            valid_to=today + timedelta(days=185), actor="demo", now=now)
    if await CreditOrder.exists(number=DEMO_ORDER):
        return
    shipped = today - timedelta(days=85)
    await credit_orders.create_order(credit_orders.NewOrder(
        number=DEMO_ORDER, customer_code=customer.code, org_code=DEMO_ORG, order_date=shipped,
        amount=Decimal("80000.00"), cash=Decimal("20000.00"), credit=Decimal("60000.00")),
        "demo", now)
    await credit_orders.ship(number=DEMO_SHIPMENT, order_number=DEMO_ORDER, ship_date=shipped,
                             amount=Decimal("50000.00"), actor="demo", now=now)
