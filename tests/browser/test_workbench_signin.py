"""Signing in to the workbench by password in Chromium, at a phone's size."""

from __future__ import annotations

from tests.support.workbench import WB, browser_sign_in


async def test_a_clerk_signs_in_with_a_password_and_sees_the_screens(client, phone_page):
    await browser_sign_in(phone_page, client, "finance", name="钱会计")
    assert await phone_page.text_content("#who") == "钱会计"
    tabs = await phone_page.locator("nav.main-nav a").all_text_contents()
    assert tabs == ["对账", "客户", "发送记录", "交款交账", "审批"]
    await phone_page.click("text=退出")
    await phone_page.wait_for_url(f"**{WB}/login")
