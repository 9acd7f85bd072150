"""交款交账 in Chromium (the issue's flow): finance confirms and closes 李业务's day in the
员工对账列表, the DingTalk bot then refuses a receipt on that day, and the employee's day opens
with its tabs."""

from __future__ import annotations

from datetime import date

from playwright.async_api import expect

from domain.documents.models import DayClose, Document, Expense
from tests.integration.conftest import api, fake, make_stream, stream  # noqa: F401
from tests.support import handover as hs
from tests.support.dingtalk import ask
from tests.support.workbench import WB, browser_sign_in

DAY = date(2026, 11, 23)  # the test clock's day
LIST = f"{WB}/handover"


async def test_finance_confirms_and_closes_a_day_the_bot_then_refuses_it(
        client, desktop_page, fake, stream):  # noqa: F811
    li = await hs.make_staff("sales-li", "李业务")
    await hs.make_staff("sales-wang", "王业务")
    docs = await hs.full_day(li, DAY, await hs.make_customer(li, "联想"))
    page = desktop_page
    await browser_sign_in(page, client, "finance", name="钱会计", next_path=LIST)

    row = page.locator("table.handover-days tbody tr", has_text="李业务")
    await expect(row).to_contain_text("待对账")
    await row.locator("input[name=pick]").check()
    await page.click('#bulk-actions >> text="一键对账"')
    await expect(page.locator("#alerts")).to_contain_text("已对账确认 6 张单据")
    await expect(row).to_contain_text("已对账")
    assert await Document.filter(salesperson=li, confirmed_at=None).count() == 0
    assert (await Expense.get(id=docs["expense"].id)).confirmed_by == "staff:钱会计"

    await row.locator("input[name=pick]").check()
    await page.click('#bulk-actions >> text="关账"')
    await expect(page.locator("#alerts")).to_contain_text("已关账 1 个员工日")
    await expect(row).to_contain_text("已关账")
    assert await DayClose.exists(staff=li, day=DAY)

    reply = await ask(fake, stream, "sales-li", "收款 联想 100")
    assert "李业务 2026-11-23 已关账" in reply["content"]
    assert await Document.filter(salesperson=li).count() == 3  # sale, return, receipt: no new

    await row.locator("a.btn", has_text="详情").click()
    await page.wait_for_url(f"**{LIST}/sales-li/2026-11-23")
    await expect(page.locator("#day-marks")).to_contain_text("已关账")
    await page.click(".day-tabs >> text=收款单据")
    await page.wait_for_url("**tab=receipts")
    receipt = page.locator(f"#receipt-{docs['receipt'].id}")
    await expect(receipt).to_contain_text(docs["receipt"].number)
    await expect(receipt.locator("button")).to_have_count(0)  # a closed day: no 审核 / 作废
    await page.click("text=全部展开")
    settled = receipt.locator("details .settlements")
    await expect(settled).to_be_visible()
    await expect(settled).to_contain_text(docs["sale"].number)
    await expect(settled).to_contain_text("已确认")
    await page.click(".day-tabs >> text=兑换货物")
    await expect(page.locator("#tab-exchanges")).to_contain_text(docs["exchange"].number)
