"""The hand-over views through the back-office API (seed 001 §3.1–3.10): a worked day of 李业务
with every kind of receipt, what each section takes and leaves out, the per-customer summary,
a driver's deliveries, 待对账 → 已对账, the employee list (显示全部员工), who may read whose
day, and the printable PDF."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from domain.documents.models import DayClose, Document, ReceiptSettlement
from domain.handover.report import day_report, pending_people, staff_days
from domain.org.models import Staff
from domain.statements.service import ShareSettings
from tally.demo import load_demo
from tests.conftest import SHANGHAI
from tests.support import post_ok
from tests.support.handover import (
    API,
    DAY,
    NOW,
    exchange,
    expense,
    make_customer,
    make_staff,
    other_income,
    receipt,
    sale,
    sales_return,
)
from tests.support.pdf import needs_poppler, page_count, pdf_pages, squeezed

EARLIER = DAY - timedelta(days=10)


async def settle(receipt_row: Document, document: Document, amount: str,
                 prepaid: str = "0.00", position: int = 1) -> None:
    await ReceiptSettlement.create(
        receipt=receipt_row, position=position, number=document.number,
        doc_type=document.doc_type, doc_date=document.date, amount=Decimal(amount),
        prepaid=Decimal(prepaid))


async def worked_day() -> dict:
    """李业务's 2026-11-23 built from seed 001's definitions, with rows each section must leave
    out; 周司机 delivers; 王业务 has a receipt of the same day and a sale of the day before."""
    li, wang = await make_staff("sales-li", "李业务"), await make_staff("sales-wang", "王业务")
    zhou = await make_staff("driver-zhou", "周司机")
    a = await make_customer(li, "A-联想")
    b = await make_customer(li, "B-明辉")
    c = await make_customer(li, "C-粤新")
    old = await sale(li, EARLIER, "500.00", customer=a, number="XS-OLD")
    s1 = await sale(li, DAY, "1000.00", customer=a, number="XS-1", erp_type="车销单",
                    owed="200.00", remark="早班")
    s2 = await sale(li, DAY, "600.00", customer=b, number="XS-2", erp_type="发货单")
    r1 = await sales_return(li, DAY, "100.00", customer=a, number="XT-1", owed="-100.00",
                            erp_type="销售退货单")
    # Left out of the sales: a pending (not completed) return and a void sale.
    await sales_return(li, DAY, "50.00", customer=b, number="XT-PENDING", audit_status="pending")
    await sale(li, DAY, "999.00", customer=a, number="XS-VOID", audit_status="void")
    # 收款: same-day with prepaid use and a historical debt, 转入预收, a prepayment, a deposit.
    k1 = await receipt(li, DAY, "880.00", customer=a, number="SK-1", discount=Decimal("20.00"))
    await settle(k1, s1, "700.00", prepaid="100.00")
    await settle(k1, old, "300.00", position=2)
    k2 = await receipt(li, DAY, "650.00", customer=b, number="SK-2", audit_status="approved",
                       to_prepaid=Decimal("50.00"))
    await settle(k2, s2, "600.00")
    k3 = await receipt(li, DAY, "1000.00", customer=c, number="SK-3", kind="prepayment")
    k4 = await receipt(li, DAY, "200.00", customer=a, number="SK-4", kind="deposit",
                       discount=Decimal("5.00"))
    await receipt(li, DAY, "70.00", customer=a, number="SK-VOID", audit_status="void")
    await receipt(wang, DAY, "10.00", customer=a, number="SK-WANG")
    e1 = await expense(li, DAY, "300.00", paid="100.00", settled=Decimal("50.00"), customer=a,
                       number="FY-1", items=[{"type": "陈列费", "amount": "300.00"}])
    e2 = await expense(li, DAY, "80.00", number="FY-2")
    await expense(li, DAY, "99.00", number="FY-VOID", audit_status="void")
    o1 = await other_income(li, DAY, "30.00", customer=b, number="QT-1",
                            confirmed_at=NOW, confirmed_by="finance")
    o2 = await other_income(li, DAY, "45.00", number="QT-2", audit_status="approved")
    x1 = await exchange(li, DAY, customer=a, number="DH-1",
                        submitted_at=datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI))
    x2 = await exchange(li, DAY, number="DH-2", audit_status="void",
                        submitted_at=datetime(2026, 11, 23, 11, 0, tzinfo=SHANGHAI))
    # 周司机's deliveries: a sale of 王业务 sold the day before and a return; left out: red
    # reversed, void, a pending return and one delivered another day.
    d1 = await sale(wang, DAY - timedelta(days=1), "300.00", customer=b, number="FH-1",
                    erp_type="发货单", driver=zhou, delivered_on=DAY)
    d2 = await sales_return(wang, DAY - timedelta(days=1), "40.00", customer=b, number="TH-1",
                            driver=zhou, delivered_on=DAY)
    for number, extra in (("FH-RED", {"reversal": True}), ("FH-VOID", {"audit_status": "void"}),
                          ("FH-LATER", {"delivered_on": DAY + timedelta(days=1)})):
        await sale(wang, DAY - timedelta(days=1), "1.00", customer=b, number=number,
                   driver=zhou, **{"delivered_on": DAY, **extra})
    await sales_return(wang, DAY - timedelta(days=1), "2.00", customer=b, number="TH-PENDING",
                       driver=zhou, delivered_on=DAY, audit_status="pending")
    return {"li": li, "wang": wang, "zhou": zhou, "customers": (a, b, c),
            "sales": (s1, s2, r1), "receipts": (k1, k2, k3, k4), "expenses": (e1, e2),
            "incomes": (o1, o2), "exchanges": (x1, x2), "deliveries": (d1, d2)}


@pytest.fixture
async def day(client):
    return await worked_day()


async def get(client, path: str, headers: dict, status: int = 200):
    resp = await client.get(f"{API}{path}", headers=headers)
    body = await resp.json() if resp.content_type == "application/json" else await resp.read()
    assert resp.status == status, body
    return body


def numbers(rows: list[dict]) -> list[str]:
    return [row["number"] for row in rows]


def by_number(rows: list[dict]) -> dict[str, dict]:
    return {row["number"]: row for row in rows}


RECEIPT_COLUMNS = ("amount", "discount", "prepaid_used", "to_prepaid", "same_day", "history",
                   "prepayment", "deposit")


# ----- the receipts (seed 3.3) ------------------------------------------------------------------


async def test_every_receipt_column_follows_seed_001(client, finance, day):
    report = await get(client, "/handover/days/sales-li/2026-11-23", finance)

    receipts = by_number(report["sections"]["receipts"])
    assert list(receipts) == ["SK-1", "SK-2", "SK-3", "SK-4"]
    assert {n: tuple(r[c] for c in RECEIPT_COLUMNS) for n, r in receipts.items()} == {
        # 收款金额, 收款优惠, 使用预收, 转入预收, 收当日货款, 收历史欠款, 预收款, 收订金
        "SK-1": ("880.00", "20.00", "100.00", "0.00", "600.00", "300.00", "0.00", "0.00"),
        "SK-2": ("650.00", "0.00", "0.00", "50.00", "600.00", "0.00", "0.00", "0.00"),
        "SK-3": ("1000.00", "0.00", "0.00", "0.00", "0.00", "0.00", "1000.00", "0.00"),
        "SK-4": ("200.00", "5.00", "0.00", "0.00", "0.00", "0.00", "0.00", "205.00"),
    }
    assert [(r["receipt_kind_label"], r["audit_label"]) for r in receipts.values()] == [
        ("收款", "待审批"), ("收款", "已审批"), ("预收款", "待审批"), ("订金", "待审批")]
    # 收当日货款 + 收历史欠款 + 预收款 + 收订金 = 收款金额 + 收款优惠 − 转入预收, receipt by receipt
    for row in receipts.values():
        split = sum(Decimal(row[c]) for c in ("same_day", "history", "prepayment", "deposit"))
        assert split == Decimal(row["amount"]) + Decimal(row["discount"]) - Decimal(
            row["to_prepaid"]), row["number"]


async def test_receipt_totals_hold_the_identity_for_the_day(client, finance, day):
    summary = (await get(client, "/handover/days/sales-li/2026-11-23", finance))["summary"]

    assert {k: summary[k] for k in ("receipts_amount", "discount", "prepaid_used", "to_prepaid",
                                    "same_day", "history", "prepayment", "deposit")} == {
        "receipts_amount": "2730.00", "discount": "25.00", "prepaid_used": "100.00",
        "to_prepaid": "50.00", "same_day": "1200.00", "history": "300.00",
        "prepayment": "1000.00", "deposit": "205.00"}
    assert 1200 + 300 + 1000 + 205 == 2730 + 25 - 50


async def test_settlements_are_the_second_level_with_the_confirmed_mark(client, finance, day):
    await Document.filter(number="XS-1").update(confirmed_at=NOW, confirmed_by="finance")

    report = await get(client, "/handover/days/sales-li/2026-11-23", finance)

    k1 = by_number(report["sections"]["receipts"])["SK-1"]
    assert k1["settlements"] == [
        {"number": "XS-1", "type": "sales_out", "type_label": "销售出库单",
         "date": "2026-11-23", "amount": "700.00", "prepaid": "100.00", "confirmed": True},
        {"number": "XS-OLD", "type": "sales_out", "type_label": "销售出库单",
         "date": "2026-11-13", "amount": "300.00", "prepaid": "0.00", "confirmed": False},
    ]
    assert by_number(report["sections"]["receipts"])["SK-3"]["settlements"] == []


# ----- the other sections -------------------------------------------------------------------


async def test_sales_take_normal_sales_and_completed_returns_only(client, finance, day):
    report = await get(client, "/handover/days/sales-li/2026-11-23", finance)

    sales = report["sections"]["sales"]
    assert numbers(sales) == ["XS-1", "XS-2", "XT-1"]
    assert [(r["type_label"], r["amount"], r["signed_amount"], r["owed"]) for r in sales] == [
        ("车销单", "1000.00", "1000.00", "200.00"), ("发货单", "600.00", "600.00", "600.00"),
        ("销售退货单", "100.00", "-100.00", "-100.00")]
    assert (sales[0]["remark"], sales[0]["audit_label"], sales[0]["customer"]) == (
        "早班", "已审批", "A-联想")
    summary = report["summary"]
    assert (summary["sales_total"], summary["returns_total"], summary["net_sales"]) == (
        "1600.00", "100.00", "1500.00")


async def test_expenses_show_the_four_amounts(client, finance, day):
    report = await get(client, "/handover/days/sales-li/2026-11-23", finance)

    expenses = report["sections"]["expenses"]
    assert [(r["number"], r["total"], r["paid"], r["settled"], r["unsettled"])
            for r in expenses] == [("FY-1", "300.00", "100.00", "50.00", "150.00"),
                                   ("FY-2", "80.00", "80.00", "0.00", "0.00")]
    assert expenses[0]["items"] == [{"type": "陈列费", "amount": "300.00"}]
    assert {k: report["summary"][k] for k in (
        "expenses_total", "expenses_paid", "expenses_settled", "expenses_unsettled")} == {
        "expenses_total": "380.00", "expenses_paid": "180.00", "expenses_settled": "50.00",
        "expenses_unsettled": "150.00"}


@pytest.mark.parametrize("confirmed,expected", [
    ("", ["QT-1", "QT-2"]), ("all", ["QT-1", "QT-2"]), ("yes", ["QT-1"]), ("no", ["QT-2"])])
async def test_other_income_filters_by_confirmation(client, finance, day, confirmed, expected):
    report = await get(client, f"/handover/days/sales-li/2026-11-23?confirmed={confirmed}",
                       finance)

    assert numbers(report["sections"]["other_incomes"]) == expected
    assert report["summary"]["other_income_total"] == "75.00"  # the whole day, whatever shown


async def test_a_bad_confirmation_filter_is_refused(client, finance, day):
    body = await get(client, "/handover/days/sales-li/2026-11-23?confirmed=maybe", finance, 400)

    assert body["error"]["code"] == "bad_query"


async def test_exchanges_of_every_state_newest_submitted_first(client, finance, day):
    report = await get(client, "/handover/days/sales-li/2026-11-23", finance)

    exchanges = report["sections"]["exchanges"]
    assert [(r["number"], r["audit_label"]) for r in exchanges] == [
        ("DH-2", "作废"), ("DH-1", "待审批")]
    assert exchanges[1]["items"][0] == {"product": "A4纸", "unit": "箱", "quantity": "2",
                                        "direction": "out"}
    assert report["summary"]["exchanges"] == 2


async def test_customer_summary_sums_each_customer_by_name(client, finance, day):
    report = await get(client, "/handover/days/sales-li/2026-11-23", finance)

    money = ("sales", "returns", "net_sales", "receipts", "discount", "same_day", "history",
             "prepayment", "deposit", "expenses", "other_income")
    rows = [(r["customer"], *[r[m] for m in money], r["exchanges"])
            for r in report["sections"]["customers"]]
    assert rows == [
        ("A-联想", "1000.00", "100.00", "900.00", "1080.00", "25.00", "600.00", "300.00",
         "0.00", "205.00", "300.00", "0.00", 1),
        ("B-明辉", "600.00", "0.00", "600.00", "650.00", "0.00", "600.00", "0.00", "0.00",
         "0.00", "0.00", "30.00", 0),
        ("C-粤新", "0.00", "0.00", "0.00", "1000.00", "0.00", "0.00", "0.00", "1000.00",
         "0.00", "0.00", "0.00", 0),
        ("", "0.00", "0.00", "0.00", "0.00", "0.00", "0.00", "0.00", "0.00", "0.00", "80.00",
         "45.00", 1),
    ]


async def test_a_drivers_day_shows_what_was_delivered(client, finance, day):
    report = await get(client, "/handover/days/driver-zhou/2026-11-23", finance)

    deliveries = report["sections"]["deliveries"]
    assert [(r["number"], r["type_label"], r["date"], r["delivered_on"], r["amount"],
             r["signed_amount"]) for r in deliveries] == [
        ("FH-1", "发货单", "2026-11-22", "2026-11-23", "300.00", "300.00"),
        ("TH-1", "销售退货单", "2026-11-22", "2026-11-23", "40.00", "-40.00")]
    summary = report["summary"]
    assert (summary["deliveries_shipped"], summary["deliveries_returned"],
            summary["deliveries_total"]) == ("300.00", "40.00", "260.00")
    assert report["sections"]["sales"] == [] and report["sections"]["receipts"] == []
    assert (summary["documents"], summary["unconfirmed"], report["status"]) == (2, 2, "pending")


# ----- 待对账 → 已对账, closed -----------------------------------------------------------------


async def test_status_turns_done_once_everything_is_confirmed(client, finance, day):
    report = await get(client, "/handover/days/sales-li/2026-11-23", finance)
    summary = report["summary"]
    assert summary["counts"] == {"sales": 3, "receipts": 4, "expenses": 2, "other_incomes": 2,
                                 "exchanges": 2, "deliveries": 0}
    assert (summary["documents"], summary["unconfirmed"]) == (13, 12)
    assert (report["status"], report["status_label"], report["closed"]) == (
        "pending", "待对账", False)

    one_day = {"staff": ["sales-li"], "dates": ["2026-11-23"]}
    await post_ok(client, f"{API}/handover/confirm", finance, one_day)
    await post_ok(client, f"{API}/handover/close", finance, one_day)

    report = await get(client, "/handover/days/sales-li/2026-11-23", finance)
    assert (report["status"], report["status_label"], report["closed"]) == (
        "done", "已对账", True)
    assert report["summary"]["unconfirmed"] == 0
    assert all(r["confirmed"] for r in report["sections"]["receipts"])

    await post_ok(client, f"{API}/handover/unconfirm", finance,
                  {"items": [{"kind": "expense", "id": day["expenses"][0].id}]})
    report = await get(client, "/handover/days/sales-li/2026-11-23", finance)
    assert (report["status"], report["summary"]["unconfirmed"]) == ("pending", 1)
    assert [r["confirmed"] for r in report["sections"]["expenses"]] == [False, True]


# ----- the employee list (3.1) ------------------------------------------------------------------


def list_rows(items: list[dict]) -> list[tuple]:
    return [(r["day"], r["staff"]["userid"], r["documents"], r["unconfirmed"], r["status"])
            for r in items]


async def test_the_list_has_a_row_per_person_and_day_with_documents(client, finance, day):
    body = await get(client, "/handover/days?date=2026-11-22&date_to=2026-11-23", finance)

    # 王业务's day before: FH-1, TH-1 and FH-LATER are his sales (the red-reversed FH-RED is
    # not); by day, then name.
    assert list_rows(body["items"]) == [
        ("2026-11-22", "sales-wang", 3, 3, "pending"),
        ("2026-11-23", "driver-zhou", 2, 2, "pending"),
        ("2026-11-23", "sales-li", 13, 12, "pending"),
        ("2026-11-23", "sales-wang", 1, 1, "pending"),
    ]
    rows = {(r["day"], r["staff"]["userid"]): r for r in body["items"]}
    li = rows[("2026-11-23", "sales-li")]
    assert li["counts"] == {"sales": 3, "receipts": 4, "expenses": 2, "other_incomes": 2,
                            "exchanges": 2, "deliveries": 0}
    assert {k: li[k] for k in ("sales_total", "returns_total", "net_sales", "receipts_amount",
                               "expenses_total", "other_income_total")} == {
        "sales_total": "1600.00", "returns_total": "100.00", "net_sales": "1500.00",
        "receipts_amount": "2730.00", "expenses_total": "380.00",
        "other_income_total": "75.00"}
    assert rows[("2026-11-23", "driver-zhou")]["deliveries_total"] == "260.00"
    assert rows[("2026-11-23", "sales-wang")]["receipts_amount"] == "10.00"
    assert rows[("2026-11-22", "sales-wang")]["net_sales"] == "261.00"  # 300 − 40 + 1


async def test_the_list_agrees_with_the_day_reports(client, finance, day):
    items = await staff_days([DAY])
    for row in items:
        report = await day_report(row["staff"]["id"], DAY)
        assert (row["documents"], row["unconfirmed"], row["status"]) == (
            report["summary"]["documents"], report["summary"]["unconfirmed"],
            report["status"]), row["staff"]["userid"]
        assert row["counts"] == report["summary"]["counts"]


async def test_show_all_adds_active_staff_without_documents(client, finance, day):
    await make_staff("mgr-zhao", "赵经理")
    await make_staff("gone", "离职员工", active=False)

    plain = await get(client, "/handover/days?date=2026-11-23", finance)
    every = await get(client, "/handover/days?date=2026-11-23&show_all=1", finance)

    assert {r["staff"]["userid"] for r in plain["items"]} == {
        "sales-li", "sales-wang", "driver-zhou"}
    assert {r["staff"]["userid"] for r in every["items"]} == {
        "sales-li", "sales-wang", "driver-zhou", "mgr-zhao"}
    zhao = next(r for r in every["items"] if r["staff"]["userid"] == "mgr-zhao")
    assert (zhao["documents"], zhao["unconfirmed"], zhao["status"], zhao["closed"],
            zhao["net_sales"]) == (0, 0, "done", False, "0.00")


async def test_the_list_shows_closed_days_and_one_person(client, finance, day):
    await DayClose.create(staff=day["zhou"], day=DAY, closed_at=NOW, closed_by="finance")

    body = await get(client, "/handover/days?date=2026-11-23&staff=driver-zhou", finance)

    assert [(r["staff"]["name"], r["closed"]) for r in body["items"]] == [("周司机", True)]


async def test_pending_people_lists_who_has_unconfirmed_documents(client, day):
    await Document.filter(number__in=["FH-1", "TH-1"]).update(confirmed_at=NOW)

    people = await pending_people([DAY - timedelta(days=1), DAY])

    # 王业务's day before keeps FH-LATER unconfirmed (FH-RED is no hand-over document).
    assert [(p["day"], p["userid"], p["unconfirmed"]) for p in people] == [
        ("2026-11-22", "sales-wang", 1),
        ("2026-11-23", "sales-li", 12), ("2026-11-23", "sales-wang", 1)]
    assert set(people[0]) == {"staff_id", "name", "userid", "day", "unconfirmed"}


# ----- who may read, bad input ------------------------------------------------------------------


async def test_a_salesperson_reads_only_their_own_hand_over(client, make_key, day):
    li_key = await make_key("sales", day["li"].id)

    own = await get(client, "/handover/days/sales-li/2026-11-23", li_key)
    assert own["staff"]["userid"] == "sales-li"
    listed = await get(client, "/handover/days?date=2026-11-23&show_all=1", li_key)
    assert [r["staff"]["userid"] for r in listed["items"]] == ["sales-li"]

    for path in ("/handover/days/driver-zhou/2026-11-23",
                 "/handover/days/driver-zhou/2026-11-23/report.pdf",
                 "/handover/days?date=2026-11-23&staff=sales-wang"):
        body = await get(client, path, li_key, 403)
        assert body["error"]["code"] == "not_your_handover", path


async def test_keys_without_a_reading_role_are_refused(client, erp, day):
    body = await get(client, "/handover/days?date=2026-11-23", erp, 403)

    assert body["error"]["code"] == "role_forbidden"


@pytest.mark.parametrize("path,code", [
    ("/handover/days/sales-li/2026-13-01", "bad_date"),
    ("/handover/days/sales-li/yesterday/report.pdf", "bad_date"),
    ("/handover/days?date=23-11-2026", "bad_date"),
    ("/handover/days?date=2026-11-23&date_to=2026-11-01", "bad_date_range"),
    ("/handover/days?date=2026-11-01&date_to=2026-12-02", "bad_date_range"),
])
async def test_bad_dates_are_refused(client, finance, day, path, code):
    body = await get(client, path, finance, 400)

    assert body["error"]["code"] == code


async def test_thirty_one_days_are_allowed(client, finance, day):
    body = await get(client, "/handover/days?date=2026-11-01&date_to=2026-12-01&show_all=1",
                     finance)

    assert sorted({r["day"] for r in body["items"]}) == [
        (date(2026, 11, 1) + timedelta(days=n)).isoformat() for n in range(31)]


@pytest.mark.parametrize("path", [
    "/handover/days/nobody/2026-11-23", "/handover/days/nobody/2026-11-23/report.pdf",
    "/handover/days?date=2026-11-23&staff=nobody"])
async def test_unknown_people_are_not_found(client, finance, day, path):
    body = await get(client, path, finance, 404)

    assert body["error"]["code"] == "staff_not_found"


async def test_a_day_without_documents_is_an_empty_done_report(client, finance, day):
    report = await get(client, "/handover/days/sales-li/2026-11-01", finance)

    assert report["status"] == "done" and report["summary"]["documents"] == 0
    assert all(rows == [] for rows in report["sections"].values())
    assert report["summary"]["receipts_amount"] == "0.00"


# ----- the PDF ------------------------------------------------------------------------------------


@needs_poppler
async def test_the_day_report_prints_every_section(client, finance, day):
    resp = await client.get(f"{API}/handover/days/sales-li/2026-11-23/report.pdf",
                            headers=finance)
    assert resp.status == 200
    assert resp.content_type == "application/pdf"
    assert 'filename="handover-sales-li-2026-11-23.pdf"' in resp.headers["Content-Disposition"]
    pdf = await resp.read()
    assert pdf.startswith(b"%PDF-")

    text = squeezed("".join(pdf_pages(pdf)))
    for expected in ("日报汇总", "李业务", "2026-11-23", "待对账", "销售单据", "收款单据",
                     "费用单据", "其他收入单", "兑换货物", "客户汇总", "配送单据",
                     "收当日货款", "收历史欠款", "预收款", "收订金", "未核销金额",
                     "SK-1", "核销 XS-OLD", "XT-1", "FY-1", "QT-2", "DH-1", "A-联想",
                     "2,730.00", "1,200.00", "陈列费 300.00", "换出 A4纸 2箱"):
        assert squeezed(expected) in text, expected
    assert page_count(pdf) >= 1


@needs_poppler
async def test_the_pdf_follows_the_other_income_filter(client, finance, day):
    resp = await client.get(
        f"{API}/handover/days/sales-li/2026-11-23/report.pdf?confirmed=yes", headers=finance)
    text = "\n".join(pdf_pages(await resp.read()))

    assert "其他收入单（已确认）" in text and "QT-1" in text and "QT-2" not in text


async def test_the_openapi_document_describes_the_hand_over_reports(client):
    document = await get(client, "/openapi.json", {})

    for path in ("/handover/days", "/handover/days/{userid}/{date}",
                 "/handover/days/{userid}/{date}/report.pdf"):
        assert "get" in document["paths"][f"{API}{path}"], path


# ----- set-based: the number of queries does not grow with the day ------------------------------


async def queries_of(caplog, work) -> int:
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="tortoise.db_client"):
        await work()
    return sum(1 for r in caplog.records if r.name == "tortoise.db_client")


async def test_a_busier_day_takes_no_more_queries(client, day, caplog):
    li, (a, b, _) = day["li"], day["customers"]
    before = (await queries_of(caplog, lambda: day_report(li.id, DAY)),
              await queries_of(caplog, lambda: staff_days([DAY], show_all=True)),
              await queries_of(caplog, lambda: pending_people([DAY])))
    for n in range(20):
        customer = (a, b)[n % 2]
        sold = await sale(li, DAY, "10.00", customer=customer)
        paid = await receipt(li, DAY, "10.00", customer=customer)
        await settle(paid, sold, "10.00")
        await expense(li, DAY, customer=b)
        await exchange(li, DAY, customer=a)

    after = (await queries_of(caplog, lambda: day_report(li.id, DAY)),
             await queries_of(caplog, lambda: staff_days([DAY], show_all=True)),
             await queries_of(caplog, lambda: pending_people([DAY])))

    assert after == before
    assert before[0] <= 12, before


# ----- the demo ---------------------------------------------------------------------------------


async def test_the_demo_has_a_hand_over_day_and_loads_twice_the_same(client, clock):
    share = ShareSettings("demo-secret", "http://tally.test")
    first = await load_demo(share, clock())
    clock.advance(days=1)
    second = await load_demo(share, clock())

    assert first["handover_day"] == second["handover_day"] == "2026-11-23"
    li = await Staff.get(dingtalk_userid="sales-li")
    summary = (await day_report(li.id, DAY))["summary"]
    assert {k: summary[k] for k in ("sales_total", "returns_total", "receipts_amount",
                                    "discount", "prepaid_used", "same_day", "history",
                                    "prepayment", "deposit", "expenses_unsettled",
                                    "other_income_total", "exchanges")} == {
        "sales_total": "3200.00", "returns_total": "150.00", "receipts_amount": "3440.00",
        "discount": "10.00", "prepaid_used": "150.00", "same_day": "1850.00",
        "history": "800.00", "prepayment": "500.00", "deposit": "300.00",
        "expenses_unsettled": "80.00", "other_income_total": "50.00", "exchanges": 1}
    zhou = await Staff.get(dingtalk_userid="driver-zhou")
    assert (await day_report(zhou.id, DAY))["summary"]["deliveries_total"] == "3050.00"


async def test_customer_summary_is_in_pinyin_order(client, finance):
    """Seed 3.8 按客户名称排序: as Chinese readers sort names (阿 < 李 < 周), not by code point."""
    li = await make_staff("sales-li", "李业务")
    for name in ("周记商行", "阿里巴巴", "李记批发"):
        await sale(li, DAY, "10.00", customer=await make_customer(li, name))
    report = await get(client, "/handover/days/sales-li/2026-11-23", finance)
    assert [r["customer"] for r in report["sections"]["customers"]] == [
        "阿里巴巴", "李记批发", "周记商行"]
