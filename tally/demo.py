"""Demo data shaped like seed 000's 联想 example; loading it twice changes nothing."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from tortoise.transactions import in_transaction

from domain.actors import ADMIN, SYSTEM
from domain.apikeys import create_api_key
from domain.credit import line_lifecycle
from domain.credit import orders as credit_orders
from domain.credit.models import CreditLine, CreditOrder
from domain.credit.orgs import put_org
from domain.customers.models import Contact, Customer
from domain.documents.models import Document, Exchange, Expense, OtherIncome, ReceiptSettlement
from domain.ingest import ingest_contacts, ingest_customers, ingest_documents, ingest_staff
from domain.letterhead import letterhead, set_letterhead
from domain.org.models import Staff
from domain.printing import Letterhead
from domain.statements.models import Statement
from domain.statements.service import (
    NewStatement,
    ShareSettings,
    create_statement,
    live_share_url,
)
from domain.system.models import ApiKey

DEMO_KEY_NAME = "demo admin"
# The demo seller's letterhead on the PDFs (set only while none is set: a seller's own stays)
DEMO_LETTERHEAD = Letterhead(
    name="云刻商贸有限公司", address="上海市浦东新区张江路 88 号 5 楼", phone="021-5080 1234",
    tax_id="91310115MA1K4DEMO8", bank="招商银行上海张江支行 1219 0888 1010 901")
DEMO_OPENID = "o-demo-customer"

STAFF = [
    {"userid": "mgr-zhao", "name": "赵经理", "department": "华东销售部"},
    {"userid": "sales-li", "name": "李业务", "department": "华东销售部",
     "manager_userid": "mgr-zhao"},
    {"userid": "sales-wang", "name": "王业务", "department": "华南销售部",
     "manager_userid": "mgr-zhao"},
    {"userid": "driver-zhou", "name": "周司机", "department": "物流部"},
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
    if await letterhead() == Letterhead():
        await set_letterhead(DEMO_LETTERHEAD, by=SYSTEM.label, now=now)
    handover_day = await load_handover_demo(now)
    url = await live_share_url(SYSTEM, statement.id, share, now)
    await ApiKey.filter(name=DEMO_KEY_NAME, revoked_at=None).update(revoked_at=now)
    _, key = await create_api_key(DEMO_KEY_NAME, ADMIN)
    return {"api_key": key, "share_url": url, "statement_id": statement.id,
            "openid": DEMO_OPENID, "handover_day": handover_day.isoformat()}


DEMO_ORG = "HD"
DEMO_ORDER, DEMO_SHIPMENT = "DEMO-SO-0001", "DEMO-CK-0001"


async def load_credit_demo(customer: Customer, now: datetime) -> None:
    """Seed 002 in small: org 华东 (budget ¥5,000,000), an annual line of ¥1,000,000 for the demo
    customer, and an order shipped 85 days ago on credit, so its debt (default term 90 days)
    falls due in 5 days and the reminders have something to say."""
    org, _ = await put_org(code=DEMO_ORG, name="华东销区", budget=Decimal("5000000.00"),
                           enabled=None, now=now)
    today = now.date()
    if not await CreditLine.exists(customer_id=customer.id, type="annual"):
        await line_lifecycle.grant_line(
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


HANDOVER_PREFIX = "DEMO-HO-"


async def load_handover_demo(now: datetime) -> date:
    """Seed 001 in small, on the day of the first load: 李业务's hand-over day (sales, a return,
    receipts of each kind — one settling a debt of five days before —, an expense on account,
    other income, an exchange) and 周司机's deliveries of it. Returns that day; later loads
    change nothing (GET /handover/days?date=… shows it)."""
    first = await Document.filter(number=f"{HANDOVER_PREFIX}XS-1").first()
    if first is not None:
        return first.date
    day = now.date()
    li = await Staff.get(dingtalk_userid="sales-li")
    zhou = await Staff.get(dingtalk_userid="driver-zhou")
    customers = {c.code: c for c in await Customer.filter(code__in=("C001", "C002"))}
    async with in_transaction():
        docs = await _handover_documents(day, li, zhou, customers)
        await _handover_receipts(day, li, customers, docs)
        await _handover_others(day, now, li, customers)
    return day


async def _handover_documents(day: date, li: Staff, zhou: Staff,
                              customers: dict[str, Customer]) -> dict[str, Document]:
    """The sales of the day (driven by 周司机), a return, and an older sale still owed."""
    rows = [
        ("XS-0", "sales_out", "车销单", day - timedelta(days=5), "C002", "800.00", "0.00", False),
        ("XS-1", "sales_out", "车销单", day, "C001", "2000.00", "0.00", True),
        ("XS-2", "sales_out", "发货单", day, "C002", "1200.00", "1200.00", True),
        ("XT-1", "sales_return", "销售退货单", day, "C001", "150.00", "-150.00", True),
    ]
    docs = {}
    for key, doc_type, erp_type, on, code, amount, owed, driven in rows:
        docs[key] = await Document.create(
            number=f"{HANDOVER_PREFIX}{key}", doc_type=doc_type, erp_type=erp_type, date=on,
            customer=customers[code], salesperson=li, amount=Decimal(amount), owed=Decimal(owed),
            driver=zhou if driven else None, delivered_on=day if driven else None)
    return docs


async def _handover_receipts(day: date, li: Staff, customers: dict[str, Customer],
                             docs: dict[str, Document]) -> None:
    """收当日货款 (with 使用预收 and a discount), 收历史欠款, 预收款 and 收订金."""
    rows = [  # key, customer, kind, amount, discount, audit, settles [(doc, amount, prepaid)]
        ("SK-1", "C001", "sale", "1840.00", "10.00", "pending",
         [("XS-1", "2000.00", "150.00")]),
        ("SK-2", "C002", "sale", "800.00", "0.00", "approved", [("XS-0", "800.00", "0.00")]),
        ("SK-3", "C002", "prepayment", "500.00", "0.00", "pending", []),
        ("SK-4", "C001", "deposit", "300.00", "0.00", "pending", []),
    ]
    for key, code, kind, amount, discount, audit, settles in rows:
        receipt = await Document.create(
            number=f"{HANDOVER_PREFIX}{key}", doc_type="receipt", date=day,
            customer=customers[code], salesperson=li, amount=Decimal(amount),
            owed=-Decimal(amount), account="现金", receipt_kind=kind,
            discount=Decimal(discount), audit_status=audit)
        for position, (doc, part, prepaid) in enumerate(settles, 1):
            await ReceiptSettlement.create(
                receipt=receipt, position=position, number=docs[doc].number,
                doc_type=docs[doc].doc_type, doc_date=docs[doc].date, amount=Decimal(part),
                prepaid=Decimal(prepaid))


async def _handover_others(day: date, now: datetime, li: Staff,
                           customers: dict[str, Customer]) -> None:
    await Expense.create(
        number=f"{HANDOVER_PREFIX}FY-1", date=day, salesperson=li, customer=customers["C002"],
        items=[{"type": "陈列费", "amount": "200.00"}], total=Decimal("200.00"),
        paid=Decimal("0.00"), settled=Decimal("120.00"), remark="挂账，收款时抵扣")
    await OtherIncome.create(
        number=f"{HANDOVER_PREFIX}QT-1", date=day, salesperson=li,
        items=[{"type": "废品", "amount": "50.00"}], amount=Decimal("50.00"), account="现金")
    await Exchange.create(
        number=f"{HANDOVER_PREFIX}DH-1", date=day, salesperson=li, customer=customers["C001"],
        items=[{"product": "A4纸", "unit": "箱", "quantity": "2", "direction": "out"},
               {"product": "A4纸", "unit": "箱", "quantity": "1", "direction": "in"}],
        submitted_at=now)
