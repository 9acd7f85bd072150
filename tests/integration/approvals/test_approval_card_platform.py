"""Approval cards on DingTalk's card platform, the approval page and the DingTalk 待办 (issue 14):
the card is created and delivered with the approval template and shows the customer's credit; a
template with a comment input takes 驳回's comment on the card, one without sends 驳回 / 退回 to
Tally's signed approval page (the fake drops a comment such a card could not carry); every
holder's card and 待办 follow the task when it is decided or withdrawn."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest

from domain.approvals import engine
from domain.approvals.flows import FLOWS, MANAGER, FlowDef, Node
from domain.approvals.links import task_page_url
from domain.approvals.models import ApprovalAction, ApprovalFlow, ApprovalTask
from domain.credit.models import CreditLine
from domain.customers.models import Customer
from domain.notices.models import CardInstance, OutboxMessage
from domain.org.models import Staff
from tests.support import approvals as support
from tests.support.approvals import annual, start
from tests.support.debts import make_debt
from tests.support.delivery import GROUP_SECRET, GROUP_TOKEN, delivery_config
from tests.support.dingtalk import press, shown

KIND = support.KIND
expense, people, world = support.expense, support.people, support.world  # fixtures
PLAIN = json.dumps({"approval": {"template_id": "demo-card-plain.schema",
                                 "comment_input": False}})
CREATE = "/v1.0/card/instances/createAndDeliver"


async def card_of(task_id: int) -> str:
    [card] = await CardInstance.filter(kind="approval", subject_id=str(task_id))
    return card.out_track_id


def refusals(fake, user_id: str) -> list[str]:
    return [s["param"]["content"] for s in fake.sent
            if s["kind"] == "batch" and s["user_ids"] == [user_id] and "content" in s["param"]]


@pytest.fixture
async def deliver_plain(make_dispatcher, settings, fake):
    """``await deliver_plain()``: deliver with an approval template that has no comment input."""
    fake.add_group_robot(GROUP_TOKEN, GROUP_SECRET)
    dispatcher = await make_dispatcher(delivery_config(settings, fake,
                                                       dingtalk_card_templates=PLAIN))

    async def run():
        stats = await dispatcher.run_until_empty()
        assert stats.dead == 0, stats
        return stats

    return run


async def test_the_approval_card_goes_out_on_the_card_platform_with_the_customers_credit(
        client, world, fake, stream, deliver, clock, settings):
    customer = await Customer.get(id=world["customers"]["C001"])
    await CreditLine.create(number="XM-1", customer=customer, org=world["org"], type="project",
                            project="P1", limit=Decimal("80000"), used=Decimal("30000"),
                            created_at=clock())
    await make_debt(customer, world["org"], due=date(2026, 11, 1), amount="20000.00")
    flow = await start(client, world, "credit_application", annual(world))

    await deliver()

    [task] = await ApprovalTask.filter(flow_id=flow["id"], status="pending")
    track = await card_of(task.id)
    card = shown(fake, track)
    assert card["template_id"] == "demo-card-approval.schema"
    assert card["delivered_to"] == ["mgr-zhao"] and card["links"] == {}
    assert card["buttons"] == ["同意", "驳回", "退回"]
    for text in ("**客户**：联想", "**可用额度**：¥50,000.00", "**未结欠款**：¥20,000.00",
                 "**逾期**：¥20,000.00（1 笔）"):
        assert text in card["markdown"], text
    [request] = [r["json"] for r in fake.requests if r["path"] == CREATE]
    assert request["outTrackId"] == track and request["callbackType"] == "STREAM"
    assert request["openSpaceId"] == "dtv1.card//IM_ROBOT.mgr-zhao"
    assert request["imRobotOpenDeliverModel"]["spaceType"] == "IM_ROBOT"
    assert request["userIdType"] == 1
    assert set(request["cardData"]["cardParamMap"]) == {"title", "markdown", "buttons"}

    # the approval page shows the same figures, as they stand when it is opened
    url = task_page_url("", settings.secret_key, task.id, task.approver_id,
                        clock() + timedelta(days=1))
    page = await (await client.get(url)).text()
    for text in ("客户信用（今日）", "联想", "¥50,000.00", "¥20,000.00（1 笔）"):
        assert text in page, text


async def test_reject_takes_its_comment_from_the_cards_input(
        expense, people, clock, fake, stream, deliver):
    FLOWS[KIND] = FlowDef(KIND, "报销", (Node("直接上级", MANAGER),))
    flow = await engine.start(KIND, people["sales-wang"].id, {"amount": "800"}, clock())
    await deliver()
    [task] = await ApprovalTask.filter(flow_id=flow.id)
    track = await card_of(task.id)

    await press(fake, stream, "mgr-zhao", track, "reject")
    assert refusals(fake, "mgr-zhao") == ["「驳回」需要填写意见。"]
    await press(fake, stream, "mgr-zhao", track, "reject", comment="发票不全")

    assert (await ApprovalFlow.get(id=flow.id)).status == "rejected"
    last = await ApprovalAction.filter(flow_id=flow.id).order_by("-id").first()
    assert (last.action, last.comment) == ("reject", "发票不全")
    assert "意见：发票不全" in shown(fake, track)["markdown"]


async def test_without_a_comment_input_reject_opens_the_page_which_decides_with_the_comment(
        client, expense, people, clock, fake, stream, deliver_plain):
    FLOWS[KIND] = FlowDef(KIND, "报销", (Node("直接上级", MANAGER),))
    flow = await engine.start(KIND, people["sales-wang"].id, {"amount": "800"}, clock())
    await deliver_plain()
    [task] = await ApprovalTask.filter(flow_id=flow.id)
    track = await card_of(task.id)
    card = shown(fake, track)
    assert card["template_id"] == "demo-card-plain.schema"
    assert card["buttons"] == ["同意", "驳回", "退回"] and set(card["links"]) == {"驳回", "退回"}
    link = card["links"]["驳回"]
    assert link.startswith(f"http://tally.test/approvals/tasks/{task.id}?t=")

    # a press cannot carry a comment from this template: the fake drops it, Tally refuses
    await press(fake, stream, "mgr-zhao", track, "reject", comment="发票不全")
    assert refusals(fake, "mgr-zhao") == ["「驳回」需要填写意见。"]
    assert (await ApprovalTask.get(id=task.id)).status == "pending"

    path = link.removeprefix("http://tally.test")
    page = await client.get(path)
    text = await page.text()
    assert page.status == 200 and page.headers["X-Frame-Options"] == "DENY"
    for shown_text in ("待审批：报销 800", "王业务", "直接上级（第 1/1 步）", "800", "赵经理"):
        assert shown_text in text
    token = path.split("?t=")[1]
    empty = await client.post(f"/approvals/tasks/{task.id}",
                              data={"t": token, "action": "reject", "comment": " "})
    assert empty.status == 400 and "驳回需要填写意见" in await empty.text()

    done = await client.post(f"/approvals/tasks/{task.id}",
                             data={"t": token, "action": "reject", "comment": "发票不全\r\n请补"})
    assert done.status == 200 and "已驳回：报销 800" in await done.text()
    assert (await ApprovalFlow.get(id=flow.id)).status == "rejected"
    last = await ApprovalAction.filter(flow_id=flow.id).order_by("-id").first()
    assert (last.action, last.actor_id, last.comment) == (
        "reject", people["mgr-zhao"].id, "发票不全\n请补")

    await deliver_plain()  # the decider's own card follows the page's decision
    card = shown(fake, track)
    assert card["buttons"] == []
    assert "「报销 800」的「直接上级」你已驳回，意见：发票不全\n请补。" in card["markdown"]
    again = await client.post(f"/approvals/tasks/{task.id}",
                              data={"t": token, "action": "approve", "comment": ""})
    assert again.status == 409 and "不能重复操作" in await again.text()
    assert (await client.get(path)).status == 409


async def test_the_page_refuses_a_bad_foreign_or_expired_link_with_a_page(
        client, expense, people, clock, fake, deliver_plain, settings):
    FLOWS[KIND] = FlowDef(KIND, "报销", (Node("直接上级", MANAGER),))
    flow = await engine.start(KIND, people["sales-wang"].id, {"amount": "800"}, clock())
    await deliver_plain()
    [task] = await ApprovalTask.filter(flow_id=flow.id)
    path = shown(fake, await card_of(task.id))["links"]["退回"].removeprefix("http://tally.test")
    token = path.split("?t=")[1]

    for url, status in ((f"/approvals/tasks/{task.id}?t=forged", 403),
                        (f"/approvals/tasks/{task.id + 1}?t={token}", 403),
                        (f"/approvals/tasks/{task.id}", 403),
                        (f"/approvals/tasks/abc?t={token}", 404),
                        (f"/approvals/tasks/%C2%B2?t={token}", 404),  # ², a digit to isdigit
                        (f"/approvals/tasks/{task.id}?t=1.2.%C3%A9", 403)):  # no ASCII HMAC
        answer = await client.get(url)
        assert answer.status == status, url
        assert answer.content_type == "text/html" and "无法处理审批" in await answer.text()
    forged = await client.post(f"/approvals/tasks/{task.id}",
                               data={"t": "1.2.x", "action": "approve"})
    assert forged.status == 403
    broken = await client.post(f"/approvals/tasks/{task.id}", data=b"--x\r\nbroken",
                               headers={"Content-Type": "multipart/form-data; boundary=xx"})
    assert broken.status == 400 and "表单无法解析" in await broken.text()
    assert (await ApprovalTask.get(id=task.id)).status == "pending"
    clock.advance(hours=settings.approval_link_ttl_hours + 1)
    expired = await client.get(path)
    assert expired.status == 401 and "已过期" in await expired.text()
    assert (await ApprovalTask.get(id=task.id)).status == "pending"


async def _with_unionids(people, *userids: str) -> None:
    for userid in userids:
        await Staff.filter(id=people[userid].id).update(
            dingtalk_unionid=f"union-{userid.split('-')[1]}")


def todos_of(fake, union_id: str) -> list[dict]:
    return [t for t in fake.todos.values() if t["union_id"] == union_id]


async def test_each_task_is_a_dingtalk_todo_closed_for_every_holder_when_one_decides(
        expense, people, clock, fake, stream, deliver):
    FLOWS[KIND] = FlowDef(KIND, "报销", (Node("财务核对", "any_of:出纳,会计"),))
    await _with_unionids(people, "fin-sun", "fin-zhou")  # 吴会计 has no unionId
    flow = await engine.start(KIND, people["sales-wang"].id, {"amount": "800"}, clock())
    await deliver()

    sun, zhou, wu = await ApprovalTask.filter(flow_id=flow.id).order_by("id")
    [todo] = todos_of(fake, "union-sun")
    assert todo["body"]["subject"] == "审批：报销 800" and not todo["done"]
    assert todo["body"]["sourceId"] == f"tally-approval-task-{sun.id}"
    assert todo["body"]["executorIds"] == ["union-sun"]
    assert todo["body"]["detailUrl"]["appUrl"].startswith(
        f"http://tally.test/approvals/tasks/{sun.id}?t=")
    assert len(todos_of(fake, "union-zhou")) == 1 and len(fake.todos) == 2
    wu_todo = await OutboxMessage.get(kind="approval_todo", recipient_id=str(people["fin-wu"].id))
    assert (wu_todo.status, wu_todo.provider_ref) == ("sent", "")  # no unionId: none, no alert
    assert shown(fake, await card_of(wu.id))["delivered_to"] == ["fin-wu"]  # the card still went

    await press(fake, stream, "fin-zhou", await card_of(zhou.id), "approve")
    await deliver()

    assert all(t["done"] for t in fake.todos.values())
    assert (await ApprovalFlow.get(id=flow.id)).status == "approved"
    for task in (sun, wu):
        assert shown(fake, await card_of(task.id))["buttons"] == []
    assert "周会计 已同意" in shown(fake, await card_of(zhou.id))["markdown"]


async def test_withdrawing_closes_every_holders_todo_and_card(
        expense, people, clock, fake, stream, deliver):
    FLOWS[KIND] = FlowDef(KIND, "报销", (Node("财务核对", "any_of:出纳,会计"),))
    await _with_unionids(people, "fin-sun", "fin-zhou", "fin-wu")
    flow = await engine.start(KIND, people["sales-wang"].id, {"amount": "800"}, clock())
    await deliver()
    assert len(fake.todos) == 3 and not any(t["done"] for t in fake.todos.values())

    await engine.withdraw(flow.id, people["sales-wang"].id, "不报了", clock())
    await deliver()

    assert all(t["done"] for t in fake.todos.values())
    for task in await ApprovalTask.filter(flow_id=flow.id):
        card = shown(fake, await card_of(task.id))
        assert card["buttons"] == [] and "已被发起人撤回" in card["markdown"]
