"""发送记录 in Chromium at a phone's size: a clerk sees a failed notice with its reason, presses
重发, sees it queued again, and after the dispatcher's round sees it sent."""

from __future__ import annotations

from playwright.async_api import expect

from domain.notices.models import OutboxMessage
from tests.support.delivery import delivery_config, dispatcher_factory, failed_statement_notice
from tests.support.workbench import WB, browser_sign_in


async def test_a_clerk_resends_a_failed_notice_and_sees_it_sent(
    client, app, clock, admin, settings, fake_wechat, fake_dingtalk, phone_page
):
    page = phone_page
    async with dispatcher_factory(app, clock) as build:
        row, _ = await failed_statement_notice(client, admin, settings, fake_wechat,
                                               fake_dingtalk, build)
        await browser_sign_in(page, client, "finance", name="钱会计",
                              next_path=f"{WB}/deliveries")
        card = page.locator(f"#delivery-{row.id}")
        await expect(card.locator(".state")).to_have_text("失败")
        await expect(card.locator(".recipient")).to_have_text("陈会计")
        await expect(card.locator(".reason")).to_contain_text("发送失败（已尝试 1 次）")

        await card.get_by_role("button", name="重发").click()

        await expect(page.locator("#alerts")).to_contain_text("已重新排队发送：对账单通知 → 陈会计")
        await expect(card.locator(".state")).to_have_text("待发送")
        await expect(card.get_by_role("button", name="重发")).to_have_count(0)
        assert (await OutboxMessage.get(id=row.id)).status == "pending"

        await (await build(delivery_config(settings, fake_dingtalk))).run_until_empty()
        await page.reload()

        await expect(card.locator(".state")).to_have_text("已发送")
        assert (await OutboxMessage.get(id=row.id)).status == "sent"
