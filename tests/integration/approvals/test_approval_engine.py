"""The approval engine's rules on a real database: each action, any-one-of, auto-pass, return
to the previous node and to the initiator, withdraw, resubmit, stale and repeated actions,
approvers that cannot be resolved, an effect that refuses. The flow kind here is a test kind
(报销) whose effect only records that it ran, so the rules are seen apart from the credit work."""

from __future__ import annotations

import asyncio

import pytest

from domain.approvals import engine
from domain.approvals.flows import DEPARTMENT_HEAD, FLOWS, MANAGER, Auto, FlowDef, Node
from domain.approvals.models import ApprovalAction, ApprovalFlow, ApprovalTask
from domain.errors import Conflict, Forbidden, Invalid, NotFound
from domain.notices.models import OutboxMessage
from tests.support import approvals as support

KIND = support.KIND
expense, people = support.expense, support.people  # fixtures


async def start(people, clock, form=None, who="sales-wang", **options):
    return await engine.start(KIND, people[who].id, form or {"amount": "800"}, clock(),
                              **options)


async def pending(flow):
    return await ApprovalTask.filter(flow_id=flow.id, status="pending").order_by("id")


async def approve_only(flow, approver, clock, comment=""):
    """``approver`` approves the flow's one pending task; that task."""
    [task] = await pending(flow)
    await engine.approve(task.id, approver.id, comment, clock())
    return task


async def notices(kind):
    return [(m.recipient_name, m.payload) for m in
            await OutboxMessage.filter(kind=kind).order_by("id")]


async def history(flow):
    rows = await ApprovalAction.filter(flow_id=flow.id).order_by("id").prefetch_related("actor")
    return [(a.node, a.action, a.actor.name if a.actor else None, a.comment) for a in rows]


async def test_start_opens_the_direct_managers_task_and_sends_them_a_card(
        expense, people, clock):
    flow = await start(people, clock)

    assert (flow.status, flow.current_node, flow.title) == ("pending", 0, "报销 800")
    [task] = await pending(flow)
    assert (task.approver_id, task.node, task.round) == (people["mgr-zhao"].id, 0, 1)
    assert [n["approver_names"] for n in flow.nodes] == [["赵经理"], ["钱总监"],
                                                         ["孙出纳", "周会计", "吴会计"]]
    [(to, card)] = await notices("approval_task")
    assert to == "赵经理"
    assert (card["task_id"], card["node"], card["step"], card["initiator"]) == (
        task.id, "直接上级", "1/3", "王业务")
    assert card["summary"] == [["金额", "800"]]
    assert await history(flow) == [(0, "start", "王业务", "")]


async def test_approving_every_node_approves_the_flow_and_runs_its_effect_once(
        expense, people, clock):
    flow = await start(people, clock)
    await approve_only(flow, people["mgr-zhao"], clock, "同意")
    [task] = await pending(flow)
    assert task.approver_id == people["dir-qian"].id  # department head via the parent dept.
    await engine.approve(task.id, people["dir-qian"].id, "", clock())
    tasks = await pending(flow)
    assert {t.approver_id for t in tasks} == {people[u].id for u in ("fin-sun", "fin-zhou",
                                                                     "fin-wu")}
    zhou = next(t for t in tasks if t.approver_id == people["fin-zhou"].id)

    done = await engine.approve(zhou.id, people["fin-zhou"].id, "票据齐全", clock())

    assert (done.status, done.finished_at, done.result) == ("approved", clock(),
                                                           {"paid": "800"})
    assert expense == [(flow.id, f"approval:{flow.id}", clock())]
    statuses = {t.approver_id: t.status for t in await ApprovalTask.filter(flow_id=flow.id,
                                                                            node=2)}
    assert statuses == {people["fin-sun"].id: "skipped", people["fin-zhou"].id: "approved",
                        people["fin-wu"].id: "skipped"}
    assert await history(flow) == [(0, "start", "王业务", ""), (0, "approve", "赵经理", "同意"),
                                   (1, "approve", "钱总监", ""),
                                   (2, "approve", "周会计", "票据齐全")]
    [(to, outcome)] = await notices("approval_outcome")
    assert to == "王业务"
    assert (outcome["status"], outcome["by"], outcome["comment"]) == ("approved", "周会计",
                                                                     "票据齐全")
    assert len(await notices("approval_task")) == 5  # 1 + 1 + 3 holders


async def test_a_stale_any_one_of_task_is_refused_naming_who_acted(expense, people, clock):
    flow = await start(people, clock)
    for userid in ("mgr-zhao", "dir-qian"):
        await approve_only(flow, people[userid], clock)
    sun, zhou, _ = await pending(flow)
    await engine.approve(zhou.id, people["fin-zhou"].id, "", clock())
    version = (await ApprovalFlow.get(id=flow.id)).version

    with pytest.raises(Conflict) as err:
        await engine.approve(sun.id, people["fin-sun"].id, "", clock())

    assert err.value.code == "task_not_pending" and "周会计 同意" in err.value.message
    assert (await ApprovalFlow.get(id=flow.id)).version == version
    assert (await ApprovalTask.get(id=sun.id)).status == "skipped"
    assert len(expense) == 1


async def test_a_repeated_action_is_refused_and_changes_nothing(expense, people, clock):
    flow = await start(people, clock)
    task = await approve_only(flow, people["mgr-zhao"], clock)
    with pytest.raises(Conflict) as err:
        await engine.approve(task.id, people["mgr-zhao"].id, "", clock())
    assert err.value.code == "task_not_pending" and "不能重复操作" in err.value.message
    with pytest.raises(Conflict):
        await engine.reject(task.id, people["mgr-zhao"].id, "改主意了", clock())
    assert [a for _, a, _, _ in await history(flow)] == ["start", "approve"]


async def test_only_the_tasks_approver_may_act_on_it(expense, people, clock):
    flow = await start(people, clock)
    [task] = await pending(flow)
    with pytest.raises(Forbidden):
        await engine.approve(task.id, people["dir-qian"].id, "", clock())
    with pytest.raises(Forbidden):
        await engine.approve(task.id, None, "", clock())
    with pytest.raises(NotFound):
        await engine.approve(task.id, people["mgr-zhao"].id, "", clock(), flow_id=flow.id + 1)
    with pytest.raises(NotFound):
        await engine.approve(99999, people["mgr-zhao"].id, "", clock())
    assert (await ApprovalTask.get(id=task.id)).status == "pending"


async def test_an_initiator_cannot_decide_a_task_of_their_own_flow_started_before_the_rule(
        expense, people, clock):
    FLOWS[KIND] = FlowDef(KIND, "报销", (Node("财务核对", "role:会计"),))
    flow = await start(people, clock, who="fin-wu")  # goes to 周会计 alone
    # A flow started before the rule gave its initiator a task of their own: one such task.
    own = await ApprovalTask.create(flow_id=flow.id, node=0, round=1,
                                    approver_id=people["fin-wu"].id, created_at=clock())

    with pytest.raises(Forbidden) as err:
        await engine.approve(own.id, people["fin-wu"].id, "", clock())

    assert err.value.code == "own_flow" and err.value.message == "不能审批自己发起的申请"
    assert (await ApprovalFlow.get(id=flow.id)).status == "pending"
    assert len(expense) == 0


async def test_reject_needs_a_comment_and_ends_the_flow(expense, people, clock):
    flow = await start(people, clock)
    [task] = await pending(flow)
    with pytest.raises(Invalid) as err:
        await engine.reject(task.id, people["mgr-zhao"].id, "  ", clock())
    assert err.value.code == "comment_required"

    done = await engine.reject(task.id, people["mgr-zhao"].id, "超预算", clock())

    assert (done.status, done.finished_at) == ("rejected", clock())
    assert await pending(flow) == [] and expense == []
    [(to, outcome)] = await notices("approval_outcome")
    assert (to, outcome["status"], outcome["outcome"], outcome["comment"]) == (
        "王业务", "rejected", "reject", "超预算")


async def test_return_goes_back_to_the_previous_node_in_a_new_round(expense, people, clock):
    flow = await start(people, clock)
    await approve_only(flow, people["mgr-zhao"], clock)
    [director] = await pending(flow)
    with pytest.raises(Invalid):
        await engine.send_back(director.id, people["dir-qian"].id, "", clock())

    back = await engine.send_back(director.id, people["dir-qian"].id, "请补充发票", clock())

    assert (back.status, back.current_node) == ("pending", 0)
    [again] = await pending(flow)
    assert (again.approver_id, again.node, again.round) == (people["mgr-zhao"].id, 0, 2)
    card = (await notices("approval_task"))[-1][1]
    assert card["task_id"] == again.id and card["returned_comment"] == "请补充发票"
    [(_, outcome)] = await notices("approval_outcome")
    assert (outcome["outcome"], outcome["back_to"], outcome["by"]) == ("return", "直接上级",
                                                                      "钱总监")
    await engine.approve(again.id, people["mgr-zhao"].id, "已补充", clock())
    [director2] = await pending(flow)
    assert (director2.node, director2.round) == (1, 2)


async def test_return_from_the_first_node_goes_to_the_initiator_who_may_resubmit(
        expense, people, clock):
    flow = await start(people, clock)
    [task] = await pending(flow)
    returned = await engine.send_back(task.id, people["mgr-zhao"].id, "金额写错了", clock())
    assert (returned.status, await pending(flow)) == ("returned", [])
    [(to, outcome)] = await notices("approval_outcome")
    assert (to, outcome["status"]) == ("王业务", "returned")
    with pytest.raises(Forbidden):
        await engine.resubmit(flow.id, people["mgr-zhao"].id, None, clock())

    again = await engine.resubmit(flow.id, people["sales-wang"].id, {"amount": "780"},
                                  clock())

    assert (again.status, again.current_node, again.form, again.title) == (
        "pending", 0, {"amount": "780"}, "报销 780")
    [task2] = await pending(flow)
    assert (task2.approver_id, task2.round) == (people["mgr-zhao"].id, 2)
    assert [a for _, a, _, _ in await history(flow)] == ["start", "return", "resubmit"]
    with pytest.raises(Conflict) as err:
        await engine.resubmit(flow.id, people["sales-wang"].id, None, clock())
    assert err.value.code == "flow_not_returned"


async def test_the_initiator_withdraws_a_flow_that_is_not_archived(expense, people, clock):
    flow = await start(people, clock)
    [task] = await pending(flow)
    with pytest.raises(Forbidden):
        await engine.withdraw(flow.id, people["mgr-zhao"].id, "", clock())

    gone = await engine.withdraw(flow.id, people["sales-wang"].id, "客户不要了", clock())

    assert (gone.status, gone.finished_at) == ("withdrawn", clock())
    assert (await ApprovalTask.get(id=task.id)).status == "withdrawn"
    with pytest.raises(Conflict) as err:
        await engine.approve(task.id, people["mgr-zhao"].id, "", clock())
    assert err.value.code == "task_not_pending" and "撤回" in err.value.message
    with pytest.raises(Conflict) as err:
        await engine.withdraw(flow.id, people["sales-wang"].id, "", clock())
    assert err.value.code == "flow_archived"
    assert await history(flow) == [(0, "start", "王业务", ""),
                                   (0, "withdraw", "王业务", "客户不要了")]


async def test_a_returned_flow_can_be_withdrawn_but_an_approved_one_cannot(
        expense, people, clock):
    returned = await start(people, clock)
    [task] = await pending(returned)
    await engine.send_back(task.id, people["mgr-zhao"].id, "重填", clock())
    assert (await engine.withdraw(returned.id, people["sales-wang"].id, "", clock())).status \
        == "withdrawn"
    FLOWS[KIND] = FlowDef(KIND, "报销", (Node("直接上级", MANAGER),))
    approved = await start(people, clock)
    await approve_only(approved, people["mgr-zhao"], clock)
    with pytest.raises(Conflict) as err:
        await engine.withdraw(approved.id, people["sales-wang"].id, "", clock())
    assert err.value.code == "flow_archived" and "已通过" in err.value.message


async def test_auto_pass_nodes_are_recorded_without_an_actor(expense, people, clock):
    small = Auto("amount", "le", "1000")
    FLOWS[KIND] = FlowDef(KIND, "报销", (Node("直接上级", MANAGER, small),
                                         Node("部门总监", DEPARTMENT_HEAD, small),
                                         Node("财务核对", "role:会计")))
    flow = await start(people, clock, {"amount": "800"})

    assert flow.current_node == 2
    assert {t.approver_id for t in await pending(flow)} == {people["fin-zhou"].id,
                                                            people["fin-wu"].id}
    assert await history(flow) == [
        (0, "start", "王业务", ""), (0, "auto", None, "满足条件: amount 小于等于 1000"),
        (1, "auto", None, "满足条件: amount 小于等于 1000")]
    big = await start(people, clock, {"amount": "1200"})
    assert big.current_node == 0


async def test_a_flow_whose_nodes_all_auto_pass_is_approved_at_once(expense, people, clock):
    flag = Auto("auto", "eq", 1)  # seed 004: 自动销账 = 1
    FLOWS[KIND] = FlowDef(KIND, "报销", (Node("销售事业部总", MANAGER, flag),
                                         Node("财务（总部）", "role:会计", flag)))
    flow = await start(people, clock, {"amount": "54", "auto": 1})

    assert (flow.status, flow.result) == ("approved", {"paid": "54"})
    assert len(expense) == 1 and await ApprovalTask.filter(flow_id=flow.id).count() == 0
    [(to, outcome)] = await notices("approval_outcome")
    assert (to, outcome["status"], outcome["by"]) == ("王业务", "approved", "系统")


@pytest.mark.parametrize("who,nodes,message", [
    ("fin-sun", (Node("直接上级", MANAGER),),
     "审批节点「直接上级」找不到审批人：发起人 孙出纳 没有直接上级"),
    ("lone-ma", (Node("部门总监", DEPARTMENT_HEAD),), "「无头部门」及其上级部门都没有负责人"),
    ("fin-sun", (Node("部门总监", DEPARTMENT_HEAD),), "没有所属部门"),
    ("sales-wang", (Node("直接上级", MANAGER), Node("法务", "role:法务")),
     "审批节点「法务」找不到审批人：没有员工担任角色「法务」"),
])
async def test_a_node_nobody_can_approve_refuses_the_start(expense, people, clock, who, nodes,
                                                           message):
    FLOWS[KIND] = FlowDef(KIND, "报销", nodes)
    with pytest.raises(Invalid) as err:
        await start(people, clock, who=who)
    assert err.value.code == "approver_unresolved" and message in err.value.message
    assert await ApprovalFlow.all().count() == 0
    assert await OutboxMessage.filter(kind="approval_task").count() == 0


async def test_an_auto_passed_node_needs_no_approver(expense, people, clock):
    FLOWS[KIND] = FlowDef(KIND, "报销", (Node("法务", "role:法务", Auto("amount", "lt", 100)),
                                         Node("直接上级", MANAGER)))
    flow = await start(people, clock, {"amount": "50"})
    assert flow.current_node == 1


async def test_an_effect_that_refuses_leaves_the_flow_pending(expense, people, clock):
    FLOWS[KIND] = FlowDef(KIND, "报销", (Node("直接上级", MANAGER),))
    flow = await start(people, clock, {"amount": "800", "refuse": True})
    [task] = await pending(flow)

    with pytest.raises(Conflict) as err:
        await engine.approve(task.id, people["mgr-zhao"].id, "同意", clock())

    assert err.value.message == "预算不足，不能报销"
    fresh = await ApprovalFlow.get(id=flow.id)
    assert (fresh.status, fresh.version) == ("pending", flow.version)
    assert (await ApprovalTask.get(id=task.id)).status == "pending"
    assert [a for _, a, _, _ in await history(flow)] == ["start"]
    assert await notices("approval_outcome") == []


async def test_two_holders_racing_on_an_any_one_of_node_one_wins(expense, people, clock):
    FLOWS[KIND] = FlowDef(KIND, "报销", (Node("财务核对", "role:会计"),))
    flow = await start(people, clock)
    zhou, wu = await pending(flow)

    results = await asyncio.gather(
        engine.approve(zhou.id, people["fin-zhou"].id, "", clock()),
        engine.reject(wu.id, people["fin-wu"].id, "不同意", clock()),
        return_exceptions=True)

    assert sum(isinstance(r, ApprovalFlow) for r in results) == 1
    assert all(isinstance(r, ApprovalFlow | Conflict) for r in results), results
    fresh = await ApprovalFlow.get(id=flow.id)
    assert fresh.status in ("approved", "rejected")
    assert len([a for _, a, _, _ in await history(flow) if a in ("approve", "reject")]) == 1


async def test_unknown_kind_and_bad_form_are_refused(expense, people, clock):
    with pytest.raises(Invalid) as err:
        await engine.start("no_such_flow", people["sales-wang"].id, {}, clock())
    assert err.value.code == "unknown_flow_kind"
    with pytest.raises(Invalid):
        await engine.start(KIND, people["sales-wang"].id, ["not", "a", "form"], clock())
    with pytest.raises(Forbidden):
        await engine.start(KIND, None, {}, clock())
