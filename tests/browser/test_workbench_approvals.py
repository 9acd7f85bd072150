"""审批 in Chromium: a salesperson starts a credit application on her phone; the approver, at
his desk, opens the task, sees the customer's credit beside it and rejects it with a comment."""

from __future__ import annotations

from datetime import date

from playwright.async_api import expect

from domain.approvals.models import ApprovalFlow, ApprovalTask
from domain.customers.models import Customer
from domain.notices.models import OutboxMessage
from tests.support import approvals as support
from tests.support.debts import make_debt
from tests.support.workbench import WB, browser_sign_in

world = support.world  # fixture


async def test_a_credit_application_is_started_then_rejected_with_a_comment(
        client, world, phone_page, desktop_page):
    customer = await Customer.get(id=world["customers"]["C001"])
    await make_debt(customer, world["org"], due=date(2026, 11, 1), amount="20000.00")
    sales = phone_page
    await browser_sign_in(sales, client, "sales", staff_userid="sales-li", name="李业务",
                          next_path=f"{WB}/approvals/new")
    await sales.select_option("#f-customer_id", label="联想（C001）")
    await sales.select_option("#f-org_id", label="亚细亚陶瓷")
    await sales.select_option("#f-type", label="年度授信")
    await sales.fill("#f-amount", "500000")
    await sales.fill("#f-reason", "年度备货")
    await sales.click("#submit-flow")
    await expect(sales.locator("#alerts")).to_contain_text("已发起审批：授信申请：联想 ¥500,000.00")
    await expect(sales.locator("#flow-status")).to_have_text("审批中")
    await expect(sales.locator("#current-node")).to_have_text("直接上级")
    flow = await ApprovalFlow.get()

    boss = desktop_page
    await browser_sign_in(boss, client, "sales", staff_userid="mgr-zhao", name="赵经理",
                          next_path=f"{WB}/approvals")
    item = boss.locator(".task-item")
    await expect(item).to_have_count(1)
    await expect(item.locator(".credit-side")).to_contain_text("¥20,000.00（1 笔）")
    await item.locator("text=处理").click()
    await expect(boss.locator("#credit")).to_contain_text("联想")
    await expect(boss.locator("#credit")).to_contain_text("可用额度")
    await boss.click("#decide button[value=reject]")
    await expect(boss.locator("#form-error")).to_have_text("驳回需要填写意见")
    assert (await ApprovalFlow.get(id=flow.id)).status == "pending"

    await boss.fill("#comment", "额度超出年度预算")
    await boss.click("#decide button[value=reject]")
    await expect(boss.locator("#alerts")).to_contain_text("已驳回：授信申请：联想")
    await expect(boss.locator(".empty")).to_have_text("没有待你审批的事项。")

    task = await ApprovalTask.get(flow_id=flow.id)
    assert (task.status, task.comment) == ("rejected", "额度超出年度预算")
    assert (await ApprovalFlow.get(id=flow.id)).status == "rejected"
    notice = await OutboxMessage.get(kind="approval_outcome")
    assert notice.recipient_id == str(world["staff"]["sales-li"].id)
    assert (notice.payload["outcome"], notice.payload["comment"]) == ("reject", "额度超出年度预算")
    await sales.reload()
    await expect(sales.locator("#flow-status")).to_have_text("已驳回")
    await expect(sales.locator("#history")).to_contain_text("额度超出年度预算")
