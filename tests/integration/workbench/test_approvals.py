"""The workbench's 审批 screens over HTTP: my tasks with the customer's credit, deciding one
(驳回 / 退回 need a comment), the flows I started (撤回, 重新提交 with the form edited), starting
a credit application or a payment-term change from the declared forms, and the signed link a
DingTalk card opens, drawn with the workbench's layout but never a session."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

from domain.approvals.links import task_page_url
from domain.approvals.models import ApprovalAction, ApprovalFlow, ApprovalTask
from domain.credit.line_lifecycle import grant_line
from domain.credit.models import Debt
from domain.credit.orgs import put_org
from domain.customers.models import Customer
from domain.notices.models import OutboxMessage
from tests.support import approvals as support
from tests.support.approvals import annual, start
from tests.support.debts import make_debt
from tests.support.workbench import WB, post_form, sign_in

world = support.world  # fixture
APPROVALS = f"{WB}/approvals"


async def _pending(flow_id: int) -> ApprovalTask:
    return await ApprovalTask.get(flow_id=flow_id, status="pending")


async def _text(response) -> str:
    return await response.text()


async def test_my_tasks_show_only_mine_with_the_customers_credit_beside_them(
        client, world, clock):
    customer = await Customer.get(id=world["customers"]["C001"])
    await make_debt(customer, world["org"], due=date(2026, 11, 1), amount="20000.00")
    flow = await start(client, world, "credit_application", annual(world))

    await sign_in(client, "sales", staff_userid="dir-qian")
    html = await _text(await client.get(APPROVALS))
    assert "没有待你审批的事项" in html and "授信申请" not in html

    await sign_in(client, "sales", staff_userid="mgr-zhao")
    html = await _text(await client.get(APPROVALS))
    task = await _pending(flow["id"])
    assert f'id="task-{task.id}"' in html
    for shown in ("授信申请：联想 ¥500,000.00", "李业务", "直接上级", "申报金额", "¥500,000.00",
                  "客户信用（今日）", "可用额度", "¥0.00", "未结欠款", "¥20,000.00（1 笔）"):
        assert shown in html, shown


async def test_someone_elses_task_is_refused_and_left_as_it_was(client, world):
    flow = await start(client, world, "credit_application", annual(world))
    task = await _pending(flow["id"])
    csrf = await sign_in(client, "sales", staff_userid="dir-qian")

    page = await client.get(f"{APPROVALS}/tasks/{task.id}")
    assert page.status == 403 and "这不是你的审批任务" in await page.text()
    done = await post_form(client, f"{APPROVALS}/tasks/{task.id}/approve", csrf, {"comment": ""})
    assert done.status == 403
    assert (await ApprovalTask.get(id=task.id)).status == "pending"
    for path in (f"{APPROVALS}/tasks/99999", f"{APPROVALS}/tasks/1234567890",
                 f"{APPROVALS}/99999"):
        assert (await client.get(path)).status == 404, path
    # a flow she neither started nor holds a task in: not found, as in the API
    wang = await sign_in(client, "sales", staff_userid="sales-wang")
    assert (await client.get(f"{APPROVALS}/{flow['id']}")).status == 404
    refused = await post_form(client, f"{APPROVALS}/{flow['id']}/withdraw", wang, {})
    assert refused.status == 404
    assert (await ApprovalFlow.get(id=flow["id"])).status == "pending"


async def test_reject_needs_a_comment_then_ends_the_flow_and_tells_the_initiator(
        client, world):
    flow = await start(client, world, "credit_application", annual(world))
    task = await _pending(flow["id"])
    csrf = await sign_in(client, "sales", staff_userid="mgr-zhao")

    empty = await post_form(client, f"{APPROVALS}/tasks/{task.id}/reject", csrf,
                            {"comment": "  "})
    html = await empty.text()
    assert empty.status == 400 and "驳回需要填写意见" in html and 'id="decide"' in html
    assert (await ApprovalTask.get(id=task.id)).status == "pending"
    assert (await ApprovalFlow.get(id=flow["id"])).status == "pending"

    done = await post_form(client, f"{APPROVALS}/tasks/{task.id}/reject", csrf,
                           {"comment": "额度过高\r\n请下调"}, allow_redirects=False)
    assert done.status == 303 and done.headers["Location"] == APPROVALS
    after = await _text(await client.get(APPROVALS))
    assert "已驳回：授信申请：联想 ¥500,000.00" in after and "没有待你审批的事项" in after
    stored = await ApprovalTask.get(id=task.id)
    assert (stored.status, stored.comment) == ("rejected", "额度过高\n请下调")
    assert (await ApprovalFlow.get(id=flow["id"])).status == "rejected"
    notice = await OutboxMessage.get(kind="approval_outcome")
    assert notice.recipient_id == str(world["staff"]["sales-li"].id)
    assert (notice.payload["status"], notice.payload["comment"]) == ("rejected", "额度过高\n请下调")

    decided = await _text(await client.get(f"{APPROVALS}/done"))
    assert "已驳回" in decided and "额度过高" in decided and "授信申请：联想" in decided


async def test_a_returned_flow_is_resubmitted_edited_and_then_withdrawn(client, world):
    flow = await start(client, world, "credit_application", annual(world))
    task = await _pending(flow["id"])
    zhao = await sign_in(client, "sales", staff_userid="mgr-zhao")
    back = await post_form(client, f"{APPROVALS}/tasks/{task.id}/return", zhao,
                           {"comment": "补充项目说明"}, allow_redirects=False)
    assert back.status == 303

    li = await sign_in(client, "sales", staff_userid="sales-li")
    mine = await _text(await client.get(f"{APPROVALS}/mine"))
    assert "已退回发起人" in mine and "授信申请：联想" in mine
    page = await _text(await client.get(f"{APPROVALS}/{flow['id']}"))
    assert "补充项目说明" in page and "修改并重新提交" in page and "撤回审批" in page
    form = await _text(await client.get(f"{APPROVALS}/{flow['id']}/resubmit"))
    assert 'value="500000.00"' in form and 'value="2026-12-31"' in form

    fields = {"kind": "credit_application", "customer_id": str(world["customers"]["C001"]),
              "org_id": str(world["org"].id), "type": "annual", "amount": "abc"}
    bad = await post_form(client, f"{APPROVALS}/{flow['id']}/resubmit", li, fields)
    assert bad.status == 400 and "申报授信金额" in await bad.text()
    assert (await ApprovalFlow.get(id=flow["id"])).status == "returned"

    fields.update(amount="600000", reason="项目合同已补")
    done = await post_form(client, f"{APPROVALS}/{flow['id']}/resubmit", li, fields,
                           allow_redirects=False)
    assert done.status == 303 and done.headers["Location"] == f"{APPROVALS}/{flow['id']}"
    stored = await ApprovalFlow.get(id=flow["id"])
    assert (stored.status, stored.form["amount"], stored.form["reason"]) == (
        "pending", "600000.00", "项目合同已补")
    assert stored.title == "授信申请：联想 ¥600,000.00"
    assert (await _pending(flow["id"])).approver_id == world["staff"]["mgr-zhao"].id

    gone = await post_form(client, f"{APPROVALS}/{flow['id']}/withdraw", li,
                           {"comment": "客户暂不需要"}, allow_redirects=False)
    assert gone.status == 303
    assert (await ApprovalFlow.get(id=flow["id"])).status == "withdrawn"
    assert not await ApprovalTask.exists(flow_id=flow["id"], status="pending")
    last = await ApprovalAction.filter(flow_id=flow["id"]).order_by("-id").first()
    assert (last.action, last.comment) == ("withdraw", "客户暂不需要")
    again = await post_form(client, f"{APPROVALS}/{flow['id']}/withdraw", li, {})
    assert again.status == 409 and "不能撤回" in await again.text()


async def test_only_the_initiator_is_offered_resubmit_and_withdraw(client, world):
    """Finance sees every flow but starts none of them: neither the buttons nor the form."""
    flow = await start(client, world, "credit_application", annual(world))
    task = await _pending(flow["id"])
    zhao = await sign_in(client, "sales", staff_userid="mgr-zhao")
    page = await _text(await client.get(f"{APPROVALS}/{flow['id']}"))
    assert f"{APPROVALS}/tasks/{task.id}" in page and "撤回审批" not in page
    await post_form(client, f"{APPROVALS}/tasks/{task.id}/return", zhao, {"comment": "补充"})

    page = await _text(await client.get(f"{APPROVALS}/{flow['id']}"))
    assert "去处理" not in page and "重新提交" not in page  # returned: nothing waits for him
    for role, userid in (("finance", None), ("sales", "mgr-zhao")):
        csrf = await sign_in(client, role, staff_userid=userid)
        page = await _text(await client.get(f"{APPROVALS}/{flow['id']}"))
        assert "补充" in page and "发起人操作" not in page and "重新提交" not in page, role
        form = await client.get(f"{APPROVALS}/{flow['id']}/resubmit")
        assert form.status == 403 and "只有发起人" in await form.text(), role
        refused = await post_form(client, f"{APPROVALS}/{flow['id']}/resubmit", csrf,
                                  {"same": "1"})
        assert refused.status == 403, role
    assert (await ApprovalFlow.get(id=flow["id"])).status == "returned"

    await sign_in(client, "sales", staff_userid="sales-li")
    mine = await _text(await client.get(f"{APPROVALS}/mine"))
    assert "重新提交 / 撤回" in mine
    assert (await client.get(f"{APPROVALS}/{flow['id']}/resubmit")).status == 200


async def test_a_credit_application_starts_from_the_declared_form(client, world):
    csrf = await sign_in(client, "sales", staff_userid="sales-li")
    form = await _text(await client.get(f"{APPROVALS}/new"))
    for label in ("客户", "销售组织", "授信类型", "申报授信金额", "有效期开始", "账期天数",
                  "申请说明", "亚细亚陶瓷", "年度授信"):
        assert label in form, label
    assert "联想" in form and "明辉商贸" not in form  # only the customers she may see

    fields = {"kind": "credit_application", "customer_id": str(world["customers"]["C001"]),
              "org_id": str(world["org"].id), "type": "project", "amount": "300000",
              "project": "", "reason": "新楼盘"}
    missing = await post_form(client, f"{APPROVALS}/new", csrf, fields)
    html = await missing.text()
    assert missing.status == 400 and "项目授信必须填写项目" in html
    assert 'value="300000"' in html and "新楼盘" in html  # her input kept
    foreign = await post_form(client, f"{APPROVALS}/new", csrf,
                              {**fields, "project": "P1",
                               "customer_id": str(world["customers"]["C002"])})
    assert foreign.status == 404 and "不存在" in await foreign.text()
    for amount in ("", "-5", "1e400", "9" * 40):
        refused = await post_form(client, f"{APPROVALS}/new", csrf,
                                  {**fields, "project": "P1", "amount": amount})
        assert refused.status == 400, amount
    assert not await ApprovalFlow.exists()

    done = await post_form(client, f"{APPROVALS}/new", csrf, {**fields, "project": "P1"},
                           allow_redirects=False)
    assert done.status == 303
    flow = await ApprovalFlow.get()
    assert done.headers["Location"] == f"{APPROVALS}/{flow.id}"
    assert (flow.kind, flow.form["amount"], flow.form["project"], flow.status) == (
        "credit_application", "300000.00", "P1", "pending")
    shown = await _text(await client.get(done.headers["Location"]))
    assert "已发起审批" in shown and "审批中" in shown and "直接上级" in shown


async def test_the_forms_choices_are_only_what_the_engine_would_take(client, world, clock):
    """销售组织: the enabled orgs, named only; 上级授信账户: 直签授信 of her customers."""
    await put_org(code="OLD", name="已停用销区", budget=Decimal("1000"), enabled=False,
                  now=clock())
    lines = {}
    for type, code in (("direct", "C001"), ("annual", "C001"), ("direct", "C002")):
        lines[type, code] = await grant_line(
            customer_id=world["customers"][code], org_id=world["org"].id, type=type,
            limit=Decimal("80000"), valid_from=None, valid_to=None, actor="admin",
            now=clock())
    await sign_in(client, "sales", staff_userid="sales-li")
    form = await _text(await client.get(f"{APPROVALS}/new?kind=credit_application"))
    assert "亚细亚陶瓷" in form and "已停用销区" not in form
    assert "100,000,000" not in form  # the org's budget is finance's, not in her choice
    assert f"{lines['direct', 'C001'].number} · 可用¥80,000.00" in form
    assert lines["annual", "C001"].number not in form  # not a 直签授信
    assert lines["direct", "C002"].number not in form  # not her customer's


async def test_a_payment_term_change_lists_the_customers_open_debts(client, world):
    customer = await Customer.get(id=world["customers"]["C001"])
    debt = await make_debt(customer, world["org"], due=date(2026, 12, 1), amount="8000.00")
    csrf = await sign_in(client, "sales", staff_userid="sales-li")
    first = await _text(await client.get(f"{APPROVALS}/new?kind=payment_term_change"))
    assert "请先选择客户" in first
    page = await _text(await client.get(
        f"{APPROVALS}/new?kind=payment_term_change&customer_id={customer.id}"))
    assert re.search(rf'<option value="{debt.id}">#{debt.id} 2026-09-01 借款 未还¥8,000.00',
                     page)

    fields = {"kind": "payment_term_change", "customer_id": str(customer.id),
              "debt_id": str(debt.id), "term_days": "400", "reason": "合同约定"}
    long = await post_form(client, f"{APPROVALS}/new", csrf, fields)
    assert long.status == 400 and "最多 12 个月" in await long.text()
    done = await post_form(client, f"{APPROVALS}/new", csrf, {**fields, "term_days": "120"},
                           allow_redirects=False)
    assert done.status == 303
    flow = await ApprovalFlow.get()
    assert (flow.kind, flow.form["term_days"], flow.customer_id) == (
        "payment_term_change", 120, customer.id)
    assert (await Debt.get(id=debt.id)).term_days == (date(2026, 12, 1) - date(2026, 9, 1)).days


async def test_the_cards_signed_link_is_drawn_by_the_workbench_but_opens_no_session(
        client, world, clock, settings):
    flow = await start(client, world, "credit_application", annual(world))
    task = await _pending(flow["id"])
    url = task_page_url("", settings.secret_key, task.id, task.approver_id,
                        clock() + timedelta(days=1))
    page = await client.get(url)
    html = await page.text()
    assert page.status == 200 and "set-cookie" not in {k.lower() for k in page.headers}
    assert "Tally 工作台" in html and "approvals.css" in html and "主导航" not in html
    assert "客户信用（今日）" in html and "在工作台中打开" in html
    # the link is no session: the workbench still asks its holder to sign in
    workbench = await client.get(f"{APPROVALS}/tasks/{task.id}", allow_redirects=False)
    assert workbench.status == 303 and "/workbench/login" in workbench.headers["Location"]
    assert Decimal(flow["form"]["amount"]) == Decimal("500000")


async def test_a_login_with_no_staff_member_has_no_tasks_and_cannot_start(client, world):
    flow = await start(client, world, "credit_application", annual(world))
    csrf = await sign_in(client, "finance")
    assert "没有待你审批的事项" in await _text(await client.get(APPROVALS))
    assert "授信申请：联想" in await _text(await client.get(f"{APPROVALS}/{flow['id']}"))
    form = await _text(await client.get(f"{APPROVALS}/new"))
    assert "没有关联员工" in form
    fields = {"kind": "credit_application", "customer_id": str(world["customers"]["C001"]),
              "org_id": str(world["org"].id), "type": "annual", "amount": "1000"}
    refused = await post_form(client, f"{APPROVALS}/new", csrf, fields)
    assert refused.status == 403
    unknown = await client.get(f"{APPROVALS}/new?kind=write_off")
    assert unknown.status == 400 and "未知审批流程" in await unknown.text()
    assert await ApprovalFlow.all().count() == 1


async def test_hostile_input_is_refused_with_a_4xx_and_changes_nothing(client, world):
    other = await make_debt(await Customer.get(id=world["customers"]["C002"]), world["org"],
                            due=date(2026, 12, 1))
    flow = await start(client, world, "credit_application", annual(world))
    task = await _pending(flow["id"])
    li = await sign_in(client, "sales", staff_userid="sales-li")
    for query in ("customer_id=abc", "customer_id=999999999", "customer_id=-1",
                  f"customer_id={world['customers']['C002']}", "kind=%00"):
        page = await client.get(f"{APPROVALS}/new?kind=payment_term_change&{query}")
        assert page.status in (200, 400), query
        assert "借款 未还" not in await page.text()  # C002's debt is not hers to see
    term = {"kind": "payment_term_change", "term_days": "90", "reason": "x"}
    for debt_id in (str(other.id), "abc", "99999999999", ""):
        refused = await post_form(client, f"{APPROVALS}/new", li, {**term, "debt_id": debt_id})
        assert 400 <= refused.status < 500, debt_id
    credit = {"kind": "credit_application", "customer_id": str(world["customers"]["C001"]),
              "org_id": str(world["org"].id), "type": "annual", "amount": "100"}
    for change in ({"valid_from": "2026-13-45"}, {"reason": "长" * 501}, {"type": "bogus"},
                   {"org_id": "99999"}, {"term_days": "366"}, {"parent_id": "x"}):
        refused = await post_form(client, f"{APPROVALS}/new", li, {**credit, **change})
        assert refused.status == 400, change
    assert await ApprovalFlow.all().count() == 1
    # the initiator may not decide, nor may the approver withdraw or resubmit
    assert (await post_form(client, f"{APPROVALS}/tasks/{task.id}/approve", li, {})).status == 403
    zhao = await sign_in(client, "sales", staff_userid="mgr-zhao")
    too_long = await post_form(client, f"{APPROVALS}/tasks/{task.id}/return", zhao,
                               {"comment": "长" * 2001})
    assert too_long.status == 400 and "意见不能超过" in await too_long.text()
    for path in (f"{APPROVALS}/{flow['id']}/withdraw", f"{APPROVALS}/{flow['id']}/resubmit"):
        assert (await post_form(client, path, zhao, {"same": "1"})).status == 403, path
    stored = await ApprovalFlow.get(id=flow["id"])
    assert (stored.status, (await ApprovalTask.get(id=task.id)).status) == ("pending", "pending")


async def test_the_tasks_come_a_page_at_a_time_oldest_first(client, world, monkeypatch):
    import workbench.approvals as page_module

    monkeypatch.setattr(page_module, "TODO_PAGE", 1)
    first = await start(client, world, "credit_application", annual(world))
    second = await start(client, world, "credit_application", annual(world))
    await sign_in(client, "sales", staff_userid="mgr-zhao")
    one = await _text(await client.get(APPROVALS))
    older, newer = await _pending(first["id"]), await _pending(second["id"])
    assert f'id="task-{older.id}"' in one and f'id="task-{newer.id}"' not in one
    assert "下一页" in one
    two = await _text(await client.get(f"{APPROVALS}?page=2"))
    assert f'id="task-{newer.id}"' in two and "上一页" in two and "下一页" not in two
