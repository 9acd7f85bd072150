"""The customer pages in Chromium at a phone's size: a clerk searches a customer, opens it,
makes a bind QR code (the image shows), shares it with a salesperson, disables and enables it."""

from __future__ import annotations

from domain.customers.models import BindCode, Customer, CustomerShare
from domain.org.models import Staff
from tests.support import INGEST, post_ok, seed
from tests.support.workbench import WB, browser_sign_in


async def test_a_clerk_finds_a_customer_binds_shares_and_disables_it(client, admin, phone_page):
    page = phone_page
    await seed(client, admin)
    await post_ok(client, f"{INGEST}/customers", admin,
                  {"items": [{"code": "C003", "name": "青岛空白贸易有限公司",
                              "salesperson": "sales-wang"}]})
    await browser_sign_in(page, client, "finance", name="钱会计", next_path=f"{WB}/customers")

    await page.fill("input[name=q]", "C003")
    await page.click("form[role=search] button[type=submit]")
    await page.wait_for_url("**q=C003*")
    assert await page.locator("#customer-list td.title").all_text_contents() == [
        "青岛空白贸易有限公司"]
    await page.click("text=青岛空白贸易有限公司")
    await page.wait_for_selector("#customer-name")
    customer = await Customer.get(code="C003")

    await page.click("#bind-qr button[type=submit]")
    await page.wait_for_selector("#bind-qr-image")
    width = await page.eval_on_selector("#bind-qr-image", "img => img.naturalWidth")
    assert width > 0  # the image was drawn, not a broken icon
    code = await page.text_content("#bind-code")
    assert await BindCode.exists(code=code, customer_id=customer.id)

    await page.click("text=返回客户")
    await page.select_option("select[name=staff_id]", label="李业务")
    await page.click(".share-form button[type=submit]")
    await page.wait_for_selector("text=已共享给 李业务")
    li = await Staff.get(dingtalk_userid="sales-li")
    assert await CustomerShare.exists(customer_id=customer.id, staff_id=li.id)
    assert "李业务" in await page.text_content("#shares .share-list")

    await page.click("#disable")
    await page.wait_for_selector("#enable")
    assert await page.text_content("#customer-status") == "已停用"
    assert (await Customer.get(id=customer.id)).disabled
    await page.click("#enable")
    await page.wait_for_selector("#disable")
    assert not (await Customer.get(id=customer.id)).disabled
