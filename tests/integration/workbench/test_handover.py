"""交款交账 in the workbench (seed 001): the 员工对账列表 with its marks and bulk buttons, an
employee's day with its tabs, and the changes posted from them, checked in what the page shows
and in what is stored."""

from __future__ import annotations

import re
from datetime import date

import pytest

from domain.documents.models import DayClose, Document, Expense, OtherIncome
from tests.support import handover as hs
from tests.support.workbench import WB, csrf_of, post_form, sign_in

DAY = date(2026, 11, 23)  # the test clock's day, a Monday
SUNDAY = date(2026, 11, 22)
LIST = f"{WB}/handover"


@pytest.fixture
async def people(client):
    li = await hs.make_staff("sales-li", "李业务")
    wang = await hs.make_staff("sales-wang", "王业务")
    await hs.make_staff("sales-zhao", "赵业务")  # no documents
    return {"li": li, "wang": wang}


def rows_of(html: str) -> list[str]:
    """The list's rows as plain text, one string each."""
    body = html.split("<tbody>")[1].split("</tbody>")[0] if "<tbody>" in html else ""
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split())
            for row in body.split("</tr>") if row.strip()]


async def page(client, path: str, status: int = 200) -> str:
    response = await client.get(path)
    assert response.status == status, await response.text()
    return await response.text()


def pick(person, day: date) -> tuple[str, str]:
    return ("pick", f"{day}|{person.dingtalk_userid}")


async def confirmed(model, **where) -> list[bool]:
    return [row.confirmed_at is not None for row in await model.filter(**where).order_by("id")]


# ----- 员工对账列表 ------------------------------------------------------------------------------


async def test_the_list_shows_each_person_s_day_with_its_marks(client, people):
    await hs.full_day(people["li"], DAY)
    sold = await hs.sale(people["wang"], DAY, "250.00")
    await Document.filter(id=sold.id).update(confirmed_at=hs.NOW, confirmed_by="财务")
    await DayClose.create(staff=people["wang"], day=DAY, closed_at=hs.NOW, closed_by="财务")
    await sign_in(client, "finance")

    rows = rows_of(await page(client, LIST))

    assert len(rows) == 2  # only people with documents, this week (a Monday: one day)
    li, wang = rows
    assert "李业务" in li and "2026-11-23" in li and "待对账" in li and "已关账" not in li
    assert "480.00" in li  # 销售净额: 500.00 sold, 20.00 returned
    assert "6 张" in li and "待确认 6" in li and "对账" in li
    assert "王业务" in wang and "已对账" in wang and "已关账" in wang and "详情" in wang


async def test_show_all_lists_people_without_documents_on_every_day(client, people):
    await hs.sale(people["li"], SUNDAY)
    await sign_in(client, "finance")

    html = await page(client, f"{LIST}?date_from=2026-11-22&date_to=2026-11-23&show_all=1")

    rows = rows_of(html)
    assert len(rows) == 6  # three people × two days, the latest day first
    assert all("2026-11-23" in row for row in rows[:3])
    assert sum("无单据" in row for row in rows) == 5
    assert 'value="2026-11-22|sales-zhao"' in html


async def test_a_bad_range_keeps_the_filter_and_says_why(client, people):
    await sign_in(client, "finance")
    html = await page(client, f"{LIST}?date_from=2026-11-23&date_to=2026-11-01", 400)
    assert "结束日期不能早于开始日期" in html and 'value="2026-11-01"' in html
    html = await page(client, f"{LIST}?date_from=2026-10-01&date_to=2026-11-23", 400)
    assert "日期范围不能超过 31 天" in html
    assert "日期" in await page(client, f"{LIST}?date_from=昨天", 400)


async def test_bulk_confirm_and_unconfirm_touch_only_the_ticked_people_and_days(
        client, people):
    li_sunday = await hs.full_day(people["li"], SUNDAY)
    li_monday = await hs.sale(people["li"], DAY)
    wang_monday = await hs.full_day(people["wang"], DAY)
    wang_sunday = await hs.sale(people["wang"], SUNDAY)
    csrf = await sign_in(client, "finance")
    back = f"{LIST}?date_from=2026-11-22&date_to=2026-11-23"

    response = await post_form(client, f"{LIST}/confirm", csrf, [
        pick(people["li"], SUNDAY), pick(people["wang"], DAY), ("back", back)],
        allow_redirects=False)

    assert response.status == 303 and response.headers["Location"] == back
    assert await confirmed(Document, salesperson=people["li"], date=SUNDAY) == [True] * 3
    assert await confirmed(Expense, id=li_sunday["expense"].id) == [True]
    assert await confirmed(OtherIncome, id=wang_monday["other_income"].id) == [True]
    assert await confirmed(Document, id=li_monday.id) == [False]  # li's Monday: not ticked
    assert await confirmed(Document, id=wang_sunday.id) == [False]
    html = await page(client, back)
    assert "已对账确认 12 张单据" in html  # a full day each: 6 documents of six kinds
    rows = rows_of(html)
    assert [("已对账" in r, "王业务" in r) for r in rows] == [
        (False, False), (True, True), (True, False), (False, True)]

    await post_form(client, f"{LIST}/unconfirm", csrf, [pick(people["wang"], DAY),
                                                       ("back", back)])
    assert await confirmed(OtherIncome, id=wang_monday["other_income"].id) == [False]
    assert await confirmed(Expense, id=li_sunday["expense"].id) == [True]


async def test_close_and_reopen_are_stored_for_the_ticked_rows(client, people):
    csrf = await sign_in(client, "finance")
    back = f"{LIST}?date_from=2026-11-22&date_to=2026-11-23&show_all=1"

    response = await post_form(client, f"{LIST}/close", csrf, [
        pick(people["li"], DAY), pick(people["wang"], DAY), pick(people["wang"], SUNDAY),
        ("back", back)])  # followed to the list, with what was done

    closed = set(await DayClose.all().values_list("staff_id", "day"))
    assert closed == {(people["li"].id, DAY), (people["wang"].id, DAY),
                      (people["wang"].id, SUNDAY)}
    html = await response.text()
    assert "已关账 3 个员工日" in html
    assert sum("已关账" in row for row in rows_of(html)) == 3

    response = await post_form(client, f"{LIST}/reopen", csrf, [pick(people["wang"], DAY),
                                                               ("back", back)])
    assert await DayClose.filter(staff=people["wang"]).values_list("day", flat=True) == [SUNDAY]
    assert "已反关账 1 个员工日" in await response.text()


@pytest.mark.parametrize("fields, message", [
    ([], "请先勾选要操作的员工和日期"),
    ([("pick", "2026-11-23|nobody")], "未知员工: nobody"),
    ([("pick", "20261123|sales-li")], "日期"),
    ([("pick", "2026-11-23")], "勾选的行不对"),
    ([("pick", "2026-11-23|sales\x00li")], "NUL"),
    ([("pick", f"2026-11-{d:02d}|sales-li") for d in range(1, 31)]
     + [("pick", "2026-12-01|sales-li"), ("pick", "2026-12-02|sales-li")], "一次最多操作 31 天"),
])
async def test_a_bad_bulk_post_changes_nothing_and_keeps_the_ticks(
        client, people, fields, message):
    await hs.sale(people["li"], DAY)
    csrf = await sign_in(client, "finance")

    kept = [pick(people["li"], DAY)] if fields else []
    response = await post_form(client, f"{LIST}/close", csrf, [*fields, *kept,
                                                              ("back", LIST)])

    assert response.status == 400
    html = await response.text()
    assert message in html
    assert not await DayClose.exists()
    if "NUL" not in message:  # an unreadable form is refused before the page can be shown
        assert ('value="2026-11-23|sales-li" checked' in html) == bool(kept)  # ticks kept


async def test_a_salesperson_sees_only_their_days_and_no_bulk_buttons(client, people):
    await hs.full_day(people["li"], DAY)
    await hs.full_day(people["wang"], DAY)
    csrf = await sign_in(client, "sales", staff_userid="sales-li")

    html = await page(client, f"{LIST}?show_all=1")

    [row] = rows_of(html)
    assert "李业务" in row
    for button in ("一键对账", "取消对账", "关账", 'name="pick"'):
        assert button not in html
    day = await page(client, f"{LIST}/sales-li/2026-11-23?tab=sales")
    assert "确认所选" not in day and "追加备注" not in day and "一键对账" not in day
    assert "打印" in day
    assert "只能查看自己" in await page(client, f"{LIST}/sales-wang/2026-11-23", 403)
    await page(client, f"{LIST}/nobody/2026-11-23", 404)
    response = await post_form(client, f"{LIST}/confirm", csrf, [pick(people["li"], DAY)])
    assert response.status == 403
    assert await confirmed(Document, salesperson=people["li"]) == [False] * 3


async def test_a_day_closed_here_refuses_a_new_document_of_that_day(client, people, erp):
    await hs.make_customer(people["li"], "联想", code="C001")
    csrf = await sign_in(client, "finance")
    await post_form(client, f"{LIST}/close", csrf, [pick(people["li"], DAY), ("back", LIST)])

    row = {"number": "XS-9", "type": "sales_out", "date": "2026-11-23",
           "customer_code": "C001", "salesperson": "sales-li", "amount": "100.00"}
    error = (await hs.push(client, erp, "documents", [row], status=423))["error"]

    assert error["code"] == "day_closed" and "李业务 2026-11-23 已关账" in error["message"]
    assert not await Document.exists()


# ----- an employee's day -----------------------------------------------------------------------


async def test_the_day_shows_every_tab_with_its_documents(client, people):
    docs = await hs.full_day(people["li"], DAY)
    await Document.filter(id=docs["sale"].id).update(confirmed_at=hs.NOW, confirmed_by="财务")
    await hs.delivery(people["li"], DAY, amount="300.00")
    await sign_in(client, "finance")
    path = f"{LIST}/sales-li/2026-11-23"

    summary = await page(client, path)
    assert "李业务" in summary and "待对账" in summary and "未关账" in summary
    assert "480.00" in summary and "500.00" in summary  # 销售净额, 收款金额
    for label in ("日报汇总", "收款单据", "销售单据", "费用单据", "其他收入单", "兑换货物",
                  "客户汇总", "配送单据"):
        assert label in summary
    receipts = await page(client, f"{path}?tab=receipts")
    assert docs["receipt"].number in receipts and "全部展开" in receipts
    settled = receipts.split("<details>")[1].split("</details>")[0]
    assert docs["sale"].number in settled and "已确认" in settled  # the settled sale's mark
    sales = await page(client, f"{path}?tab=sales")
    assert docs["sale"].number in sales and docs["return"].number in sales
    assert "-20.00" in sales and "追加备注" in sales
    assert docs["expense"].number in await page(client, f"{path}?tab=expenses")
    assert docs["exchange"].number in await page(client, f"{path}?tab=exchanges")
    assert "换出 A4纸" in await page(client, f"{path}?tab=exchanges")
    customers = await page(client, f"{path}?tab=customers")
    assert customers.count("<tr>") == 3  # the header, the sale's customer, the receipt's
    assert "配送金额" in await page(client, f"{path}?tab=deliveries")
    await page(client, f"{path}?tab=nothing", 400)
    await page(client, f"{LIST}/sales-li/2026-13-01", 400)


async def test_other_income_filters_by_confirmation(client, people):
    first = await hs.other_income(people["li"], DAY)
    second = await hs.other_income(people["li"], DAY)
    await OtherIncome.filter(id=second.id).update(confirmed_at=hs.NOW, confirmed_by="财务")
    await sign_in(client, "finance")
    path = f"{LIST}/sales-li/2026-11-23?tab=other_incomes"

    waiting = await page(client, f"{path}&confirmed=no")
    assert first.number in waiting and second.number not in waiting
    done = await page(client, f"{path}&confirmed=yes")
    assert second.number in done and first.number not in done
    await page(client, f"{path}&confirmed=maybe", 400)


async def test_a_tab_loads_alone_under_htmx(client, people):
    sold = await hs.sale(people["li"], DAY)
    await sign_in(client, "finance")
    response = await client.get(f"{LIST}/sales-li/2026-11-23?tab=sales",
                                headers={"HX-Request": "true"})
    html = await response.text()
    assert html.lstrip().startswith('<div id="day-body">') and sold.number in html
    assert "<html" not in html


async def test_ticked_documents_are_confirmed_and_get_a_remark(client, people):
    docs = await hs.full_day(people["li"], DAY)
    csrf = await sign_in(client, "finance")
    back = f"{LIST}/sales-li/2026-11-23?tab=sales"
    ticked = [("ref", f"document:{docs['sale'].id}"), ("ref", f"document:{docs['return'].id}")]

    await post_form(client, f"{LIST}/confirm", csrf, [*ticked, ("back", back)])
    await Document.filter(id=docs["sale"].id).update(remark="现金")
    response = await post_form(client, f"{LIST}/remarks", csrf, [
        *ticked, ("remark", "已交款"), ("back", back)])

    sale, returned, receipt = await Document.filter(salesperson=people["li"]).order_by("id")
    assert (sale.confirmed_at is not None, returned.confirmed_at is not None,
            receipt.confirmed_at) == (True, True, None)
    assert (sale.remark, returned.remark) == ("现金；已交款", "已交款")
    html = await response.text()
    assert "已为 2 张单据追加备注" in html and "现金；已交款" in html


async def test_an_empty_remark_is_refused_with_the_ticks_and_nothing_changes(client, people):
    sold = await hs.sale(people["li"], DAY)
    csrf = await sign_in(client, "finance")
    back = f"{LIST}/sales-li/2026-11-23?tab=sales"

    response = await post_form(client, f"{LIST}/remarks", csrf, [
        ("ref", f"document:{sold.id}"), ("remark", "   "), ("back", back)])

    assert response.status == 400
    html = await response.text()
    assert "备注不能为空" in html
    assert re.search(f'value="document:{sold.id}"[^>]* checked', html)  # the tick is kept
    assert (await Document.get(id=sold.id)).remark == ""
    response = await post_form(client, f"{LIST}/confirm", csrf, [
        ("ref", "document:99999"), ("back", back)])
    assert response.status == 404 and "找不到" in await response.text()
    response = await post_form(client, f"{LIST}/confirm", csrf, [
        ("ref", "document:abc"), ("back", back)])
    assert response.status == 400
    response = await post_form(client, f"{LIST}/remarks", csrf, [
        ("ref", f"document:{sold.id}"), ("remark", "长" * 501), ("back", back)])
    assert response.status == 400 and "备注不能超过 500 个字符" in await response.text()
    response = await post_form(client, f"{LIST}/confirm", csrf, [
        ("ref", f"nonsense:{sold.id}"), ("back", "https://evil.example/")])
    assert response.status == 400 and "未知的单据类别" in await response.text()
    assert (await Document.get(id=sold.id)).confirmed_at is None


async def test_receipt_audit_buttons_change_the_receipt_and_a_closed_day_refuses(
        client, people):
    paid = await hs.receipt(people["li"], DAY, "100.00")
    csrf = await sign_in(client, "finance")
    back = f"{LIST}/sales-li/2026-11-23?tab=receipts"

    response = await post_form(client, f"{LIST}/receipts/{paid.id}/audit", csrf,
                               {"back": back}, allow_redirects=False)
    assert response.status == 303
    assert (await Document.get(id=paid.id)).audit_status == "approved"
    assert f"收款单 {paid.number} 已审核" in await page(client, back)

    await DayClose.create(staff=people["li"], day=DAY, closed_at=hs.NOW, closed_by="财务")
    response = await post_form(client, f"{LIST}/receipts/{paid.id}/unaudit", csrf,
                               {"back": back})
    assert response.status == 423
    assert "李业务 2026-11-23 已关账" in await response.text()
    assert (await Document.get(id=paid.id)).audit_status == "approved"


def receipt_buttons(html: str, receipt) -> list[str]:
    """The audit buttons of one receipt's row: the actions their formaction posts."""
    row = html.split(f'<tr id="receipt-{receipt.id}">')[1].split("</tr>")[0]
    return re.findall(rf"/handover/receipts/{receipt.id}/(\w+)\">", row)


async def test_receipt_buttons_are_the_actions_the_receipt_allows_and_the_role_may_press(
        client, people):
    pending = await hs.receipt(people["li"], DAY, "100.00")
    confirmed_one = await hs.receipt(people["li"], DAY, "200.00", audit_status="approved",
                                     confirmed_at=hs.NOW, confirmed_by="财务")
    path = f"{LIST}/sales-li/2026-11-23?tab=receipts"
    await sign_in(client, "finance")

    html = await page(client, path)
    assert receipt_buttons(html, pending) == ["audit", "void"]
    assert ">审核</button>" in html and ">作废</button>" in html and "反审核" not in html
    assert receipt_buttons(html, confirmed_one) == []  # 交款交账参数 off: confirmed holds it
    report = await client.get(f"{WB}/handover/sales-li/2026-11-23/report.pdf")
    assert report.status == 200  # the same readable report behind the 打印 button

    await DayClose.create(staff=people["li"], day=DAY, closed_at=hs.NOW, closed_by="财务")
    html = await page(client, path)
    assert receipt_buttons(html, pending) == receipt_buttons(html, confirmed_one) == []
    assert [d.audit_status for d in await Document.filter(
        id__in=[pending.id, confirmed_one.id]).order_by("id")] == ["pending", "approved"]


async def test_a_salesperson_sees_their_receipts_without_audit_buttons(client, people):
    pending = await hs.receipt(people["li"], DAY, "100.00")
    await sign_in(client, "sales", staff_userid="sales-li")

    html = await page(client, f"{LIST}/sales-li/2026-11-23?tab=receipts")

    assert pending.number in html and receipt_buttons(html, pending) == []
    await page(client, f"{LIST}/sales-wang/2026-11-23?tab=receipts", status=403)


async def test_the_day_confirms_and_closes_from_its_own_buttons(client, people):
    docs = await hs.full_day(people["li"], DAY)
    csrf = await sign_in(client, "finance")
    path = f"{LIST}/sales-li/2026-11-23"
    html = await page(client, path)
    assert "一键对账" in html and "关账" in html and "反关账" not in html

    await post_form(client, f"{LIST}/confirm", csrf, [("pick", "2026-11-23|sales-li"),
                                                     ("back", path)])
    await post_form(client, f"{LIST}/close", csrf, [("pick", "2026-11-23|sales-li"),
                                                   ("back", path)])

    assert await confirmed(Expense, id=docs["expense"].id) == [True]
    assert await DayClose.exists(staff=people["li"], day=DAY)
    html = await page(client, path)
    assert "已对账" in html and "已关账" in html and "反关账" in html
    assert csrf_of(html) == csrf


async def test_print_gives_the_day_report_pdf(client, people):
    await hs.full_day(people["li"], DAY)
    await sign_in(client, "sales", staff_userid="sales-li")
    response = await client.get(f"{LIST}/sales-li/2026-11-23/report.pdf")
    assert response.status == 200 and response.content_type == "application/pdf"
    assert (await response.read()).startswith(b"%PDF")
    assert 'filename="handover-sales-li-2026-11-23.pdf"' in response.headers[
        "Content-Disposition"]
    assert (await client.get(f"{LIST}/sales-wang/2026-11-23/report.pdf")).status == 403


async def test_a_busy_tab_comes_a_page_at_a_time(client, people, monkeypatch):
    """A day's tab shows DAY_ROWS rows a page, with a pager that keeps the tab."""
    import workbench.handover as page_module

    monkeypatch.setattr(page_module, "DAY_ROWS", 2)
    for _ in range(3):
        await hs.sale(people["li"], DAY)
    await sign_in(client, "finance")
    first = await page(client, f"{LIST}/sales-li/2026-11-23?tab=sales")
    assert "第 1 / 2 页，共 3 条" in first and "tab=sales&amp;page=2" in first
    assert first.count('id="sale-') == 2
    second = await page(client, f"{LIST}/sales-li/2026-11-23?tab=sales&page=2")
    assert "第 2 / 2 页" in second and second.count('id="sale-') == 1
