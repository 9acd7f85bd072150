"""The employee list (员工交账列表) is summed set-based in SQL; the day report reads every row.
On days where the two could part (confirmed and unconfirmed mixed, a return the ERP sent
negative, void and red-reversed rows, a driver delivering their own sale of the same day, a sale
delivered on another day, closed days, several people and days, an active person without any
document under 显示全部员工) every row of the list must say what the person's day report says."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from domain.documents.models import DayClose
from domain.handover.report import day_report, staff_days
from tests.support.handover import (
    DAY,
    NOW,
    delivery,
    exchange,
    expense,
    make_staff,
    other_income,
    receipt,
    sale,
    sales_return,
)

D1, D2 = DAY - timedelta(days=1), DAY
DONE = {"confirmed_at": NOW, "confirmed_by": "财务"}
# The list's money columns and where the day report has each.
SUMMARY_MONEY = {"sales_total": "sales_total", "returns_total": "returns_total",
                 "net_sales": "net_sales", "receipts_amount": "receipts_amount",
                 "expenses_total": "expenses_total", "other_income_total": "other_income_total",
                 "deliveries_total": "deliveries_total"}


async def mixed_days() -> dict:
    li, wang = await make_staff("sales-li", "李业务"), await make_staff("sales-wang", "王业务")
    zhou = await make_staff("driver-zhou", "周司机")
    zhao = await make_staff("mgr-zhao", "赵经理")
    await make_staff("gone", "离职员工", active=False)
    await sale(li, D2, "1000.00", **DONE)
    await sale(li, D2, "600.55")
    await sales_return(li, D2, "-100.10", owed="100.10", **DONE)  # the ERP's sign
    await sale(li, D2, "999.00", audit_status="void")
    await sale(li, D2, "888.00", reversal=True)
    await receipt(li, D2, "500.25", **DONE)
    await receipt(li, D2, "70.00", audit_status="void")
    await expense(li, D2, "80.40", paid="30.00", settled=Decimal("10.00"))
    await other_income(li, D2, "30.30", **DONE)
    await exchange(li, D2, amount=Decimal("12.50"))
    await sale(li, D1, "10.01")
    # 王业务 drives: his own sales of the day (one document in two sections), his sale of the
    # day before delivered today, and 李业务's sale.
    await delivery(wang, D2, wang, "300.00", date=D2)
    await delivery(wang, D2, wang, "200.00", date=D2, **DONE)
    await delivery(wang, D2, wang, "50.00", date=D1)
    await delivery(wang, D2, li, "40.00", date=D1, **DONE)
    await receipt(wang, D1, "66.66")
    await delivery(zhou, D1, li, "25.00", date=D1)
    await sales_return(li, D1, "5.00", driver=zhou, delivered_on=D1)
    await DayClose.create(staff=li, day=D2, closed_at=NOW, closed_by="财务")
    await DayClose.create(staff=zhao, day=D1, closed_at=NOW, closed_by="财务")
    return {"li": li, "wang": wang, "zhou": zhou, "zhao": zhao}


async def test_every_row_of_the_list_says_what_the_day_report_says(client):
    await mixed_days()

    rows = await staff_days([D1, D2], show_all=True)

    assert [(r["day"], r["staff"]["name"]) for r in rows] == [
        (d.isoformat(), name) for d in (D1, D2)
        for name in ("周司机", "李业务", "王业务", "赵经理")]  # by day, then name
    for row in rows:
        report = await day_report(row["staff"]["id"], date.fromisoformat(row["day"]))
        summary = report["summary"]
        assert row["counts"] == summary["counts"], row
        assert (row["documents"], row["unconfirmed"], row["status"], row["closed"]) == (
            summary["documents"], summary["unconfirmed"], report["status"],
            report["closed"]), row
        assert {k: row[k] for k in SUMMARY_MONEY} == {
            k: summary[v] for k, v in SUMMARY_MONEY.items()}, row
        exchanged = sum((Decimal(x["amount"]) for x in report["sections"]["exchanges"]),
                        Decimal("0.00"))
        assert row["exchanges_total"] == f"{exchanged:.2f}"


async def test_the_set_based_figures_of_the_tricky_rows(client):
    await mixed_days()

    rows = {(r["day"], r["staff"]["userid"]): r
            for r in await staff_days([D1, D2], show_all=True)}

    li = rows[(D2.isoformat(), "sales-li")]
    assert (li["sales_total"], li["returns_total"], li["net_sales"]) == (
        "1600.55", "100.10", "1500.45")
    assert (li["receipts_amount"], li["expenses_total"], li["other_income_total"],
            li["exchanges_total"]) == ("500.25", "80.40", "30.30", "12.50")
    assert (li["documents"], li["unconfirmed"], li["status"], li["closed"]) == (
        7, 3, "pending", True)
    # his own two sales of the day are in 销售 and 配送 but count once
    wang = rows[(D2.isoformat(), "sales-wang")]
    assert wang["counts"]["sales"] == 2 and wang["counts"]["deliveries"] == 4
    assert (wang["documents"], wang["unconfirmed"], wang["deliveries_total"]) == (
        4, 2, "590.00")
    zhou = rows[(D1.isoformat(), "driver-zhou")]
    assert (zhou["deliveries_total"], zhou["documents"], zhou["status"]) == (
        "20.00", 2, "pending")
    zhao = rows[(D1.isoformat(), "mgr-zhao")]
    assert (zhao["documents"], zhao["status"], zhao["closed"], zhao["net_sales"]) == (
        0, "done", True, "0.00")
    assert rows[(D2.isoformat(), "mgr-zhao")]["closed"] is False
    assert not any(userid == "gone" for _, userid in rows)


async def test_one_person_and_everyone_give_the_same_rows(client):
    people = await mixed_days()

    everyone = await staff_days([D1, D2])
    wang = await staff_days([D1, D2], staff_ids=[people["wang"].id])

    assert wang == [r for r in everyone if r["staff"]["userid"] == "sales-wang"]
    assert [r["day"] for r in wang] == [D1.isoformat(), D2.isoformat()]
