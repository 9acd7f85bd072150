"""Approvals in DingTalk: each new task reaches its approver as an interactive card through the
outbox and the real sender; a press on the fake DingTalk stream acts as that staff member; the
initiator hears the outcome; a stale press (decided by another holder, withdrawn flow) is
refused with the reason and the card loses its buttons."""

from __future__ import annotations

from decimal import Decimal

from domain.approvals import engine
from domain.approvals.flows import FLOWS, MANAGER, FlowDef, Node
from domain.approvals.models import ApprovalFlow, ApprovalTask
from domain.credit.models import CreditLine
from domain.notices.models import CardInstance, OutboxMessage
from tests.support import approvals as support
from tests.support.approvals import CREDIT_APPROVERS, annual, start
from tests.support.dingtalk import ask, press, shown

KIND = support.KIND
expense, people, world = support.expense, support.people, support.world  # fixtures


async def card_of(task_id: int) -> str:
    """The out_track_id of the card sent for a task."""
    [card] = await CardInstance.filter(kind="approval", subject_id=str(task_id))
    return card.out_track_id


async def _started(people, clock, deliver) -> ApprovalFlow:
    """王业务's expense of 800 started, and its first notices delivered."""
    flow = await engine.start(KIND, people["sales-wang"].id, {"amount": "800"}, clock())
    await deliver()
    return flow


async def _only_card(flow: ApprovalFlow) -> str:
    """The out_track_id of the card of the flow's one task."""
    [task] = await ApprovalTask.filter(flow_id=flow.id)
    return await card_of(task.id)


def texts(fake, user_id):
    return [s["param"] for s in fake.sent if s["kind"] == "batch" and s["user_ids"] == [user_id]]




async def test_each_task_is_a_card_the_approver_acts_on_until_the_flow_is_approved(
        expense, people, clock, fake, stream, deliver):
    flow = await _started(people, clock, deliver)
    [task] = await ApprovalTask.filter(flow_id=flow.id, status="pending")
    track = await card_of(task.id)
    card = shown(fake, track)
    assert card["user_id"] == "mgr-zhao" and card["delivered_to"] == ["mgr-zhao"]
    assert card["title"] == "待审批：报销 800"
    assert card["buttons"] == ["同意", "驳回", "退回"] and card["links"] == {}
    body = card["markdown"]
    for text in ("王业务", "直接上级（第 1/3 步）", "**金额**：800"):
        assert text in body

    await press(fake, stream, "mgr-zhao", track, "approve")

    assert (await ApprovalTask.get(id=task.id)).status == "approved"
    assert "赵经理 已同意" in shown(fake, track)["markdown"]
    assert shown(fake, track)["buttons"] == []
    await deliver()
    [director] = await ApprovalTask.filter(flow_id=flow.id, status="pending")
    await press(fake, stream, "dir-qian", await card_of(director.id), "approve",
                comment="同意，注意票据")
    await deliver()
    holders = await ApprovalTask.filter(flow_id=flow.id, status="pending").order_by("id")
    assert len(holders) == 3
    await press(fake, stream, "fin-wu", await card_of(holders[2].id), "approve")
    await deliver()

    assert (await ApprovalFlow.get(id=flow.id)).status == "approved"
    assert len(expense) == 1
    [outcome] = texts(fake, "sales-wang")
    assert outcome["title"] == "✅ 审批已通过：报销 800"
    assert "最后审批：吴会计（财务核对）" in outcome["text"]


async def test_a_press_on_a_task_another_holder_decided_is_refused_and_the_card_retired(
        expense, people, clock, fake, stream, deliver):
    FLOWS[KIND] = FlowDef(KIND, "报销", (Node("财务核对", "role:会计"),))
    flow = await _started(people, clock, deliver)
    zhou, wu = await ApprovalTask.filter(flow_id=flow.id).order_by("id")
    zhou_card, wu_card = await card_of(zhou.id), await card_of(wu.id)
    await press(fake, stream, "fin-zhou", zhou_card, "approve")

    await press(fake, stream, "fin-wu", wu_card, "reject", comment="不同意")
    await deliver()

    assert (await ApprovalFlow.get(id=flow.id)).status == "approved"
    assert (await ApprovalTask.get(id=wu.id)).status == "skipped"
    [refusal] = texts(fake, "fin-wu")
    assert "已由 周会计 同意，无需再处理" in refusal["content"]
    retired = shown(fake, wu_card)
    assert retired["buttons"] == [] and retired["updates"] == 1
    assert "⚠️" in retired["markdown"]
    assert (await CardInstance.get(out_track_id=wu_card)).status == "done"
    await press(fake, stream, "fin-wu", wu_card, "approve")  # the retired card: only the reason
    assert [t["content"] for t in texts(fake, "fin-wu")] == [refusal["content"]] * 2
    assert shown(fake, wu_card)["updates"] == 1


async def test_a_press_after_the_initiator_withdrew_is_refused(
        expense, people, clock, fake, stream, deliver):
    flow = await _started(people, clock, deliver)
    track = await _only_card(flow)
    await engine.withdraw(flow.id, people["sales-wang"].id, "", clock())

    await press(fake, stream, "mgr-zhao", track, "approve")

    [refusal] = texts(fake, "mgr-zhao")
    assert "已被发起人撤回" in refusal["content"]
    await deliver()  # the withdrawal's card update
    assert shown(fake, track)["buttons"] == []
    assert [a.action for a in await flow.actions.all().order_by("id")] == ["start", "withdraw"]


async def test_reject_and_return_need_a_comment_and_the_initiator_hears_them(
        expense, people, clock, fake, stream, deliver):
    FLOWS[KIND] = FlowDef(KIND, "报销", (Node("直接上级", MANAGER),))
    flow = await _started(people, clock, deliver)
    track = await _only_card(flow)

    await press(fake, stream, "mgr-zhao", track, "return")
    assert [t["content"] for t in texts(fake, "mgr-zhao")] == ["「退回」需要填写意见。"]
    await press(fake, stream, "mgr-zhao", track, "return", comment="请附发票")
    await deliver()

    assert (await ApprovalFlow.get(id=flow.id)).status == "returned"
    [returned] = texts(fake, "sales-wang")
    assert returned["title"] == "↩️ 审批被退回给你：报销 800"
    assert "意见：请附发票" in returned["text"] and "重新提交" in returned["text"]

    await engine.resubmit(flow.id, people["sales-wang"].id, None, clock())
    await deliver()
    [again] = await ApprovalTask.filter(flow_id=flow.id, status="pending")
    again_card = shown(fake, await card_of(again.id))
    assert "**退回意见**：请附发票" in again_card["markdown"]
    await press(fake, stream, "mgr-zhao", await card_of(again.id), "reject", comment="不予报销")
    await deliver()
    assert (await ApprovalFlow.get(id=flow.id)).status == "rejected"
    rejected = texts(fake, "sales-wang")[-1]
    assert rejected["title"] == "❌ 审批被驳回：报销 800"
    assert "驳回人：赵经理（直接上级）" in rejected["text"]


async def test_an_effect_refusal_keeps_the_card_open_and_tells_the_approver(
        expense, people, clock, fake, stream, deliver):
    FLOWS[KIND] = FlowDef(KIND, "报销", (Node("直接上级", MANAGER),))
    flow = await engine.start(KIND, people["sales-wang"].id, {"amount": "800", "refuse": True},
                              clock())
    await deliver()
    [task] = await ApprovalTask.filter(flow_id=flow.id)
    track = await card_of(task.id)

    await press(fake, stream, "mgr-zhao", track, "approve")

    assert [t["content"] for t in texts(fake, "mgr-zhao")] == ["预算不足，不能报销"]
    assert (await CardInstance.get(out_track_id=track)).status == "open"
    assert shown(fake, track)["buttons"] == ["同意", "驳回", "退回"]
    assert (await ApprovalTask.get(id=task.id)).status == "pending"
    assert await OutboxMessage.filter(kind="approval_outcome").count() == 0


async def test_a_credit_application_approved_from_four_cards_grants_the_line(
        client, world, fake, stream, deliver):
    flow = await start(client, world, "credit_application", annual(world))
    for userid in CREDIT_APPROVERS:
        await deliver()
        [task] = await ApprovalTask.filter(flow_id=flow["id"], status="pending")
        track = await card_of(task.id)
        assert shown(fake, track)["user_id"] == userid
        await press(fake, stream, userid, track, "approve", comment="同意")
    await deliver()

    done = await ApprovalFlow.get(id=flow["id"])
    assert done.status == "approved"
    account = await CreditLine.get(id=done.result["credit_account_id"])
    assert (account.customer_id, account.type, account.limit) == (
        world["customers"]["C001"], "annual", Decimal("500000.00"))
    [outcome] = texts(fake, "sales-li")
    assert outcome["title"] == "✅ 审批已通过：授信申请：联想 ¥500,000.00"
    assert f"授信账户：{account.number}" in outcome["text"]
    assert "最后审批：林PFC（财务部PFC）" in outcome["text"]


# ----- every holder's card follows the flow -----


async def todo(fake, stream, user_id) -> str:
    return (await ask(fake, stream, user_id, "待办"))["content"]


async def test_when_one_holder_decides_every_other_holders_card_says_who_and_leaves_todo(
        expense, people, clock, fake, stream, deliver):
    FLOWS[KIND] = FlowDef(KIND, "报销", (Node("财务核对", "any_of:出纳,会计"),))
    flow = await _started(people, clock, deliver)
    sun, zhou, wu = await ApprovalTask.filter(flow_id=flow.id).order_by("id")
    assert "你有 1 项待办" in await todo(fake, stream, "fin-sun")

    await press(fake, stream, "fin-zhou", await card_of(zhou.id), "reject", comment="发票不全")

    assert "没有待办" in await todo(fake, stream, "fin-sun")  # at once, not after delivery
    await deliver()
    for task, userid in ((sun, "fin-sun"), (wu, "fin-wu")):
        card = shown(fake, await card_of(task.id))
        assert card["buttons"] == [] and card["updates"] == 1
        assert "「报销 800」的「财务核对」已由 周会计 驳回，无需再处理。" in card["markdown"]
        assert "没有待办" in await todo(fake, stream, userid)
    await press(fake, stream, "fin-wu", await card_of(wu.id), "approve")
    assert [t["content"] for t in texts(fake, "fin-wu")] == [
        "「报销 800」的「财务核对」已由 周会计 驳回，无需再处理。"]
    assert (await ApprovalFlow.get(id=flow.id)).status == "rejected"


async def test_withdrawing_a_flow_redraws_every_holders_card_and_empties_their_todo(
        client, expense, people, clock, fake, stream, deliver, make_key):
    FLOWS[KIND] = FlowDef(KIND, "报销", (Node("财务核对", "any_of:出纳,会计"),))
    flow = await _started(people, clock, deliver)
    tasks = await ApprovalTask.filter(flow_id=flow.id).order_by("id")

    await support.call(client, "POST", f"/approvals/{flow.id}/withdraw",
                       await make_key("sales", people["sales-wang"].id), {"comment": "不报了"})
    await deliver()

    withdrawn = "「报销 800」已被发起人撤回，无需再处理。"
    for task, userid in zip(tasks, ("fin-sun", "fin-zhou", "fin-wu"), strict=True):
        card = shown(fake, await card_of(task.id))
        assert card["user_id"] == userid and card["buttons"] == []
        assert withdrawn in card["markdown"]
        assert "没有待办" in await todo(fake, stream, userid)
    await press(fake, stream, "fin-sun", await card_of(tasks[0].id), "approve")
    assert [t["content"] for t in texts(fake, "fin-sun")] == [withdrawn]


async def test_a_second_press_on_a_decided_card_answers_with_the_reason(
        expense, people, clock, fake, stream, deliver):
    flow = await _started(people, clock, deliver)
    track = await _only_card(flow)
    await press(fake, stream, "mgr-zhao", track, "approve")

    await press(fake, stream, "mgr-zhao", track, "approve")

    assert [t["content"] for t in texts(fake, "mgr-zhao")] == ["你已同意过这项审批，不能重复操作。"]
    assert shown(fake, track)["updates"] == 1
    assert [a.action for a in await flow.actions.all().order_by("id")] == ["start", "approve"]


async def test_a_task_decided_before_its_card_went_out_arrives_without_buttons(
        expense, people, clock, fake, stream, deliver):
    FLOWS[KIND] = FlowDef(KIND, "报销", (Node("财务核对", "role:会计"),))
    flow = await engine.start(KIND, people["sales-wang"].id, {"amount": "800"}, clock())
    zhou, wu = await ApprovalTask.filter(flow_id=flow.id).order_by("id")
    await engine.approve(zhou.id, people["fin-zhou"].id, "", clock())

    await deliver()

    card = shown(fake, await card_of(wu.id))
    assert card["user_id"] == "fin-wu" and card["buttons"] == []
    assert "已由 周会计 同意，无需再处理" in card["markdown"]
    assert "没有待办" in await todo(fake, stream, "fin-wu")
