"""The approvals HTTP API with the test kind (报销): who may start, see and act; the list
filters; staff roles through the staff ingest; department heads through PUT /departments."""

from __future__ import annotations

import pytest

from domain.approvals.flows import FLOWS, FlowDef, Node
from domain.approvals.models import ApprovalFlow
from domain.notices.models import OutboxMessage
from domain.org.models import Department, Staff, StaffRole
from tests.support import INGEST, post_ok
from tests.support import approvals as support
from tests.support.approvals import KIND, call

expense, people = support.expense, support.people  # fixtures


@pytest.fixture
async def keys(people, make_key):
    return {u: await make_key("sales", s.id) for u, s in people.items()}


async def start(client, keys, form=None, who="sales-wang"):
    return await call(client, "POST", "/approvals", keys[who],
                      {"kind": KIND, "form": form or {"amount": "800"}}, 201)


def pending_task(flow):
    return next(t for t in flow["tasks"] if t["status"] == "pending")


async def test_start_view_and_approve_through_the_api(client, expense, keys):
    flow = await start(client, keys)
    assert (flow["status"], flow["kind_label"], flow["initiator"], flow["current_node_name"]) \
        == ("pending", "报销", "王业务", "直接上级")
    assert [n["approvers"] for n in flow["nodes"]] == [["赵经理"], ["钱总监"],
                                                       ["孙出纳", "周会计", "吴会计"]]
    task = pending_task(flow)
    path = f"/approvals/{flow['id']}/tasks/{task['id']}"

    await call(client, "POST", f"{path}/approve", keys["dir-qian"], {}, 403)
    moved = await call(client, "POST", f"{path}/approve", keys["mgr-zhao"], {"comment": "好"})
    again = await call(client, "POST", f"{path}/approve", keys["mgr-zhao"], {}, 409)

    assert again["error"]["code"] == "task_not_pending"
    assert moved["current_node_name"] == "部门总监"
    assert [(h["action_label"], h["actor"], h["comment"]) for h in moved["history"]] == [
        ("发起", "王业务", ""), ("同意", "赵经理", "好")]
    shown = await call(client, "GET", f"/approvals/{flow['id']}", keys["sales-wang"])
    assert shown["tasks"][0]["status_label"] == "已同意"
    assert shown["summary"] == [{"label": "金额", "value": "800"}]


async def test_reject_and_return_need_a_comment(client, expense, keys):
    flow = await start(client, keys)
    path = f"/approvals/{flow['id']}/tasks/{pending_task(flow)['id']}"
    for action in ("reject", "return"):
        body = await call(client, "POST", f"{path}/{action}", keys["mgr-zhao"], {}, 400)
        assert body["error"]["code"] == "comment_required"
    done = await call(client, "POST", f"{path}/reject", keys["mgr-zhao"], {"comment": "不行"})
    assert done["status"] == "rejected"


async def test_return_to_the_initiator_then_resubmit_with_an_edited_form(client, expense, keys):
    flow = await start(client, keys)
    path = f"/approvals/{flow['id']}"
    task = pending_task(flow)
    back = await call(client, "POST", f"{path}/tasks/{task['id']}/return", keys["mgr-zhao"],
                      {"comment": "金额不对"})
    assert back["status"] == "returned"
    await call(client, "POST", f"{path}/resubmit", keys["mgr-zhao"], {}, 403)
    await call(client, "POST", f"{path}/resubmit", keys["sales-wang"], {"form": "x"}, 400)

    again = await call(client, "POST", f"{path}/resubmit", keys["sales-wang"],
                       {"form": {"amount": "750"}})

    assert (again["status"], again["form"], again["title"]) == ("pending", {"amount": "750"},
                                                               "报销 750")
    assert pending_task(again)["round"] == 2


async def test_withdraw_by_the_initiator_only_and_not_twice(client, expense, keys):
    flow = await start(client, keys)
    path = f"/approvals/{flow['id']}/withdraw"
    await call(client, "POST", path, keys["mgr-zhao"], {}, 403)
    gone = await call(client, "POST", path, keys["sales-wang"], {"comment": "不需要了"})
    assert gone["status"] == "withdrawn" and gone["tasks"][0]["status"] == "withdrawn"
    body = await call(client, "POST", path, keys["sales-wang"], {}, 409)
    assert body["error"]["code"] == "flow_archived"


async def test_lists_filter_by_status_kind_mine_and_todo(client, expense, keys, finance):
    first = await start(client, keys)
    second = await start(client, keys, {"amount": "5"})
    await call(client, "POST", f"/approvals/{second['id']}/withdraw", keys["sales-wang"], {})

    async def ids(headers, query=""):
        body = await call(client, "GET", f"/approvals{query}", headers)
        return [f["id"] for f in body["items"]]

    assert await ids(keys["sales-wang"], "?mine=1") == [second["id"], first["id"]]
    assert await ids(keys["sales-wang"], "?status=pending") == [first["id"]]
    assert await ids(keys["mgr-zhao"], "?todo=1") == [first["id"]]
    assert await ids(keys["mgr-zhao"], "?mine=1") == []
    assert await ids(keys["fin-sun"]) == []  # not involved yet
    assert await ids(finance, f"?kind={KIND}") == [second["id"], first["id"]]
    await call(client, "GET", f"/approvals/{first['id']}", keys["fin-sun"], status=404)
    await call(client, "GET", "/approvals?status=done", finance, status=400)
    await call(client, "GET", "/approvals?kind=nope", finance, status=400)


async def test_bad_starts_are_refused(client, expense, keys, finance, make_key, people):
    body = await call(client, "POST", "/approvals", finance, {"kind": KIND, "form": {}}, 403)
    assert body["error"]["code"] == "initiator_required"
    await call(client, "POST", "/approvals", keys["sales-wang"], {"form": {}}, 400)
    body = await call(client, "POST", "/approvals", keys["sales-wang"],
                      {"kind": "nope", "form": {}}, 400)
    assert body["error"]["code"] == "unknown_flow_kind"
    await call(client, "POST", "/approvals", keys["sales-wang"], {"kind": KIND}, 400)
    body = await call(client, "POST", "/approvals", keys["fin-sun"],
                      {"kind": KIND, "form": {"amount": "1"}}, 400)
    assert body["error"]["code"] == "approver_unresolved"
    assert "直接上级" in body["error"]["message"] and body["error"]["detail"]["node"] == "直接上级"
    await call(client, "POST", "/approvals/9999/tasks/1/approve", keys["mgr-zhao"], {}, 404)


async def test_staff_roles_come_with_the_staff_ingest(client, admin):
    staff = [{"userid": "pfc-lin", "name": "林PFC", "roles": ["财务部PFC", "会计"]}]
    result = await post_ok(client, f"{INGEST}/staff", admin, {"items": staff})
    assert result["created"] == 1
    lin = await Staff.get(dingtalk_userid="pfc-lin")

    async def roles():
        return sorted(await StaffRole.filter(staff_id=lin.id).values_list("role", flat=True))

    assert await roles() == ["会计", "财务部PFC"]
    result = await post_ok(client, f"{INGEST}/staff", admin,
                           {"items": [{**staff[0], "roles": "财务部PFC，出纳"}]})
    assert (result["updated"], await roles()) == (1, ["出纳", "财务部PFC"])
    result = await post_ok(client, f"{INGEST}/staff", admin,
                           {"items": [{"userid": "pfc-lin", "name": "林PFC"}]})
    assert (result["unchanged"], await roles()) == (1, ["出纳", "财务部PFC"])  # untouched
    result = await post_ok(client, f"{INGEST}/staff", admin,
                           {"items": [{**staff[0], "roles": [1, 2]}]})
    assert "roles" in result["rejected"][0]["errors"][0]


async def test_departments_get_a_head_and_a_parent(client, admin, finance, people):
    body = await call(client, "PUT", "/departments/华北销售部", admin,
                      {"head": "mgr-zhao", "parent": "销售中心"})
    assert body == {"id": body["id"], "name": "华北销售部", "head": "mgr-zhao",
                    "head_name": "赵经理", "parent": "销售中心"}
    await call(client, "PUT", "/departments/华北销售部", finance, {}, 403)
    body = await call(client, "PUT", "/departments/华北销售部", admin, {"head": "nobody"}, 400)
    assert body["error"]["code"] == "unknown_staff"
    body = await call(client, "PUT", "/departments/华北销售部", admin, {"parent": "火星部"}, 400)
    assert body["error"]["code"] == "unknown_department"
    body = await call(client, "PUT", "/departments/销售中心", admin, {"parent": "华北销售部"},
                      400)
    assert body["error"]["code"] == "department_cycle"
    await call(client, "PUT", "/departments/华北销售部", admin, {"head": 5}, 400)
    cleared = await call(client, "PUT", "/departments/华北销售部", admin, {})
    assert (cleared["head"], cleared["parent"]) == (None, None)
    assert await Department.filter(name="华北销售部").count() == 1


# ----- nobody approves their own flow -----


async def test_an_initiator_holding_the_nodes_role_leaves_it_to_the_other_holders(
        client, expense, keys):
    FLOWS[KIND] = FlowDef(KIND, "报销", (Node("财务核对", "any_of:出纳,会计"),))
    flow = await start(client, keys, who="fin-wu")  # 吴会计 holds both 会计 and 出纳

    assert flow["nodes"][0]["approvers"] == ["孙出纳", "周会计"]
    assert sorted(t["approver"] for t in flow["tasks"]) == ["周会计", "孙出纳"]
    todo = await call(client, "GET", "/approvals?todo=1", keys["fin-wu"])
    assert todo["items"] == []
    assert [m.recipient_name for m in await OutboxMessage.filter(kind="approval_task")] == [
        "孙出纳", "周会计"]


async def test_a_node_only_the_initiator_could_approve_refuses_the_start(
        client, admin, expense, keys, make_key):
    await post_ok(client, f"{INGEST}/staff", admin, {"items": [
        {"userid": "legal-zheng", "name": "郑法务", "roles": ["法务"]}]})
    zheng = await Staff.get(dingtalk_userid="legal-zheng")
    FLOWS[KIND] = FlowDef(KIND, "报销", (Node("法务审核", "role:法务"),))

    body = await call(client, "POST", "/approvals", await make_key("sales", zheng.id),
                      {"kind": KIND, "form": {"amount": "800"}}, 400)

    assert body["error"]["code"] == "approver_unresolved"
    assert body["error"]["message"] == (
        "审批节点「法务审核」找不到审批人：「法务」只有发起人 郑法务 本人担任，"
        "发起人不能审批自己的申请")
    assert await ApprovalFlow.all().count() == 0
    assert await OutboxMessage.filter(kind="approval_task").count() == 0
