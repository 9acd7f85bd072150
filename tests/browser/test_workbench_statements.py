"""The issue's 对账 flow in Chromium: a clerk picks documents and makes a statement, shares it,
the customer answers 不符合 with a reason on a phone, the reason arrives on the clerk's page,
the clerk cancels the confirmation and records money — what the pages show and what is stored."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.statements.models import Statement
from tests.support import seed
from tests.support.workbench import WB, browser_sign_in

expect = pytest.importorskip("playwright.async_api").expect
REASON = "退货单 XT-T-2021-12-22-0002 的 1000 元未冲账"


async def test_a_statement_is_made_shared_disputed_cancelled_and_paid(
        client, admin, desktop_page, phone_page):
    customers = await seed(client, admin)
    clerk = desktop_page
    await browser_sign_in(clerk, client, "finance", name="钱会计",
                          next_path=f"{WB}/statements/new")

    # 1. the customer, found as the name is typed (htmx), then the period's documents
    await expect(clerk.locator("#customer-list")).to_contain_text("明辉商贸")
    await clerk.locator("input[name=q]").press_sequentially("联想")
    await expect(clerk.locator("#customer-list")).not_to_contain_text("明辉商贸")
    await clerk.click("#customer-list a[data-customer]")
    await expect(clerk.locator("#customer-name")).to_have_text("联想")
    await clerk.fill("#doc-filters input[name=from]", "2021-12-01")
    await clerk.fill("#doc-filters input[name=to]", "2021-12-22")
    await clerk.click("#doc-filters button[type=submit]")
    await expect(clerk.locator("#documents input[name=doc]")).to_have_count(4)

    # 2. 全选, leave one out, 生成对账单
    await clerk.check("#check-all")
    await clerk.uncheck("input[name=doc][value='XS-2021-12-15-0004']")
    await clerk.click("#create")
    await clerk.wait_for_url(f"**{WB}/statements/*")
    statement = await Statement.get(customer_id=customers["C001"]["id"])
    assert statement.line_count == 3
    await expect(clerk.locator("#status")).to_have_text("未确认")
    await expect(clerk.locator("#line-count")).to_have_text("3笔")

    # 3. 分享: the QR code and the link the customer opens on a phone
    await clerk.click("[data-action=share]")
    await expect(clerk.locator("#qr")).to_be_visible()
    url = await clerk.locator("#share-url").input_value()
    assert url.startswith("http://tally.test/s/")
    await phone_page.goto(str(client.make_url(url.removeprefix("http://tally.test"))))
    await expect(phone_page.locator("#customer-name")).to_have_text("联想")
    await phone_page.locator("input[name=answer][value=mismatched]").check()
    await phone_page.locator("textarea[name=description]").fill(REASON)
    await phone_page.locator("#submit").click()
    await expect(phone_page.locator("#status")).to_have_text("不符合")

    # 4. the answer and its reason on the clerk's page
    await clerk.goto(str(client.make_url(f"{WB}/statements/{statement.id}")))
    await expect(clerk.locator("#status")).to_have_text("不符合")
    await expect(clerk.locator("#feedback")).to_contain_text(REASON)
    await expect(clerk.locator("#feedback")).to_contain_text("通过分享链接")

    # 5. 取消确认, then 收款
    await clerk.click("[data-action=cancel]")
    await clerk.click("form[action$='/cancel'] button[type=submit]")
    await expect(clerk.locator("#status")).to_have_text("未确认")
    assert (await Statement.get(id=statement.id)).status == "unconfirmed"
    await clerk.click("[data-action=receive]")
    await clerk.fill("input[name=amount]", "1000.00")
    await clerk.click("form[action$='/receive'] button[type=submit]")
    await expect(clerk.locator("#received")).to_have_text("1,000.00")
    await expect(clerk.locator("[data-action=receive]")).to_have_count(0)
    stored = await Statement.get(id=statement.id)
    assert (stored.status, stored.received_amount) == ("unconfirmed", Decimal("1000.00"))
