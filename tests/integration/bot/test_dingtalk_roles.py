"""The DingTalk bot by the person's place in the org, through the fake DingTalk: a manager sees
their team's customers (direct and indirect reports, the departments they head), finance sees
every customer, a salesperson only their own and shared ones; 客户 shows 可用额度; 帮助 lists
what that person may do; 对账 names a bad date or a reversed range."""

from __future__ import annotations

import pytest

from domain.documents.models import Document
from domain.org.models import Staff
from domain.statements.models import Statement
from tests.support import INGEST, call, post_ok, seed
from tests.support.credit import CREDIT, w
from tests.support.dingtalk import ask

# Below seed 000's 赵经理 (who manages 李业务 and 王业务): 徐业务 reports to 李业务. Apart
# from them: 孙总监 heads 华东大区, whose sub-department 上海销售部 has 周业务; 钱会计 holds
# the finance role; 吴离职 has left (disabled).
MORE_STAFF = [
    {"userid": "sales-xu", "name": "徐业务", "manager_userid": "sales-li"},
    {"userid": "dir-sun", "name": "孙总监"},
    {"userid": "sales-zhou", "name": "周业务", "department": "上海销售部"},
    {"userid": "fin-qian", "name": "钱会计", "roles": ["财务"]},
    {"userid": "sales-old", "name": "吴离职"},
]
MORE_CUSTOMERS = [
    {"code": "C003", "name": "格力", "salesperson": "sales-xu"},
    {"code": "C004", "name": "海尔", "salesperson": "sales-zhou"},
    {"code": "C005", "name": "美的", "salesperson": "sales-old"},
]
NOT_FOUND = "没有找到你可以查看的客户"


@pytest.fixture
async def org(client, admin):
    customers = await seed(client, admin)
    await post_ok(client, f"{INGEST}/staff", admin, {"items": MORE_STAFF})
    await post_ok(client, f"{INGEST}/customers", admin, {"items": MORE_CUSTOMERS})
    for name, body in (("华东大区", {"head": "dir-sun"}),
                       ("上海销售部", {"parent": "华东大区"})):
        await call(client, "PUT", f"/departments/{name}", admin, body)
    await Staff.filter(dingtalk_userid="sales-old").update(active=False)
    return customers


async def test_a_manager_sees_a_direct_and_an_indirect_reports_customer(fake, stream, org):
    lenovo = await ask(fake, stream, "mgr-zhao", "客户 联想")
    assert "应收余额：¥53,776.00" in lenovo["content"]
    gree = await ask(fake, stream, "mgr-zhao", "客户 格力")  # 徐业务 reports to 李业务
    assert "**格力**（C003）" in gree["content"]


async def test_a_manager_does_not_see_outside_their_team(fake, stream, org):
    reply = await ask(fake, stream, "mgr-zhao", "客户 海尔")
    assert f"{NOT_FOUND}「海尔」" in reply["content"]


async def test_a_department_head_sees_the_sub_departments_customers(fake, stream, org):
    haier = await ask(fake, stream, "dir-sun", "客户 海尔")
    assert "**海尔**（C004）" in haier["content"]
    lenovo = await ask(fake, stream, "dir-sun", "客户 联想")
    assert f"{NOT_FOUND}「联想」" in lenovo["content"]


async def test_a_salesperson_still_sees_only_their_own_and_their_reports(fake, stream, org):
    assert NOT_FOUND in (await ask(fake, stream, "sales-wang", "客户 格力"))["content"]
    assert NOT_FOUND in (await ask(fake, stream, "sales-xu", "客户 联想"))["content"]
    # 李业务 has 徐业务 below: a manager too, of one.
    assert "**格力**" in (await ask(fake, stream, "sales-li", "客户 格力"))["content"]


async def test_finance_sees_any_customer_and_issues_its_statement(fake, stream, org):
    reply = await ask(fake, stream, "fin-qian", "客户 明辉商贸")
    assert "¥8,800.00" in reply["content"]
    reply = await ask(fake, stream, "fin-qian", "对账 美的 2021-12-01 2021-12-22")
    assert "已为 **美的** 生成对账单" in reply["content"]
    statement = await Statement.get().prefetch_related("customer")
    assert (statement.customer.code, statement.created_by) == ("C005", "staff:钱会计")


async def test_a_manager_issues_a_statement_and_records_a_receipt_for_a_reports_customer(
        fake, stream, org):
    reply = await ask(fake, stream, "mgr-zhao", "对账 格力 2021-12-01 2021-12-22")
    assert "已为 **格力** 生成对账单" in reply["content"]
    reply = await ask(fake, stream, "mgr-zhao", "收款 格力 1200")
    receipt = await Document.get(customer__name="格力", doc_type="receipt")
    manager = await Staff.get(dingtalk_userid="mgr-zhao")
    assert (receipt.amount, receipt.salesperson_id) == (1200, manager.id)
    assert "格力" in reply["content"]


async def test_disabled_staff_are_refused(fake, stream, org):
    reply = await ask(fake, stream, "sales-old", "客户 美的")
    assert "还没有登记为 Tally 员工" in reply["content"] and "美的" not in reply["content"]


async def test_the_back_office_sales_key_of_a_manager_still_sees_only_their_own(
        client, org, make_key):
    manager = await Staff.get(dingtalk_userid="mgr-zhao")
    key = await make_key("sales", manager.id)
    resp = await client.get("/api/backoffice/v1/customers", headers=key)
    assert (await resp.json())["items"] == []


# ----- 可用额度 -------------------------------------------------------------------------------


async def _grant(client, admin, customer_id, limit, valid_to="2027-12-31"):
    org = await client.put(f"{CREDIT}/orgs/YXY", json={"name": "亚细亚陶瓷",
                                                      "budget": w(1000)}, headers=admin)
    assert org.status in (200, 201)
    body = {"customer_id": customer_id, "org_id": (await org.json())["id"], "type": "annual",
            "limit": limit, "valid_from": "2026-01-01", "valid_to": valid_to}
    resp = await client.post(f"{CREDIT}/accounts", json=body, headers=admin)
    assert resp.status == 201, await resp.json()


async def test_customer_shows_the_available_credit(fake, stream, client, admin, org):
    await _grant(client, admin, org["C001"]["id"], w(50))
    reply = await ask(fake, stream, "sales-li", "客户 联想")
    assert "- 可用额度：¥500,000.00（授信额度 ¥500,000.00）" in reply["content"]


async def test_customer_without_a_credit_line_says_so(fake, stream, org):
    reply = await ask(fake, stream, "sales-wang", "客户 明辉商贸")
    assert "- 可用额度：未开通授信" in reply["content"]


async def test_an_expired_line_leaves_nothing_available(fake, stream, client, admin, org):
    await _grant(client, admin, org["C001"]["id"], w(50), valid_to="2026-06-30")
    reply = await ask(fake, stream, "sales-li", "客户 联想")
    assert "- 可用额度：¥0.00（授信已到期或停用）" in reply["content"]


# ----- 帮助 by role ---------------------------------------------------------------------------


async def test_help_differs_by_role(fake, stream, org):
    sales = (await ask(fake, stream, "sales-wang", "帮助"))["content"]
    manager = (await ask(fake, stream, "mgr-zhao", "帮助"))["content"]
    finance = (await ask(fake, stream, "fin-qian", "帮助"))["content"]
    assert "你可以查看自己负责的和共享给你的客户" in sales and "收款 <客户>" in sales
    assert "你可以查看自己和团队 3 人的客户" in manager and "收款 <客户>" in manager
    assert "你可以查看全部客户" in finance and "交账确认" in finance
    assert "收款 <客户>" not in finance and "费用 <金额>" not in finance
    assert "客户 <名称>" in finance and "对账 <名称>" in finance


async def test_an_unknown_command_gets_that_persons_help(fake, stream, org):
    reply = await ask(fake, stream, "fin-qian", "你好")
    assert "没有听懂「你好」" in reply["content"] and "查看全部客户" in reply["content"]


# ----- 对账 dates -----------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "bad"), [
    ("对账 联想 2021-13-01 2021-12-22", "2021-13-01"),
    ("对账 联想 2021-02-30", "2021-02-30"),
    ("对账 联想 昨天x", "昨天x"),
    ("对账 联想 2021-12-01 2021-12-32", "2021-12-32"),
    ("对账 联想 2021年13月1日", "2021年13月1日"),
    ("对账 联想 12-01 2021-12-22", "12-01"),
])
async def test_a_bad_date_is_named_as_a_bad_date(fake, stream, org, text, bad):
    reply = await ask(fake, stream, "sales-li", text)
    assert f"日期 {bad} 不对，请写成 2021-12-01 这样" in reply["content"]
    assert NOT_FOUND not in reply["content"]
    assert await Statement.all().count() == 0


async def test_a_start_after_the_end_is_named(fake, stream, org):
    reply = await ask(fake, stream, "sales-li", "对账 联想 2021-12-22 2021-12-01")
    assert "开始日期 2021-12-22 晚于结束日期 2021-12-01" in reply["content"]
    reply = await ask(fake, stream, "sales-li", "对账 联想 2026-12-01")  # the clock: 2026-11-23
    assert "开始日期 2026-12-01 晚于今天 2026-11-23" in reply["content"]
    assert await Statement.all().count() == 0


async def test_three_dates_are_refused(fake, stream, org):
    reply = await ask(fake, stream, "sales-li", "对账 联想 2021-12-01 2021-12-10 2021-12-22")
    assert "最多写两个日期" in reply["content"]


@pytest.mark.parametrize("text", [
    "对账 联想 2021年12月1日 至 2021-12-22",
    "对账 联想 2021/12/1至2021.12.22",
    "对账 联想 20211201 20211222",
])
async def test_the_usual_ways_of_writing_a_range_are_understood(fake, stream, org, text):
    reply = await ask(fake, stream, "sales-li", text)
    assert "（2021-12-01 至 2021-12-22）" in reply["content"]
    statement = await Statement.get()
    assert str(statement.closing) == "53776.00"
