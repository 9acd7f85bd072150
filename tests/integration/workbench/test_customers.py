"""The workbench's customer pages over HTTP (seed 003): the list and search, a customer's page
with its balances and how each contact is reached, bind QR codes, sharing with a salesperson,
disable / enable / delete by seed 003's rules and a parent's group summary — what the page
shows and what is stored, with the API's roles and visibility."""

from __future__ import annotations

import html
import re
from datetime import datetime

import pytest

from domain.customers.models import BindCode, Contact, Customer, CustomerShare
from domain.notices.models import MpSubscription
from domain.org.models import Staff
from domain.system.models import AuditLog
from tests.support import INGEST, post_ok, seed
from tests.support.workbench import WB, post_form, sign_in

CUSTOMERS = f"{WB}/customers"


@pytest.fixture(autouse=True)
def wechat(fake_wechat):
    fake_wechat.reset()
    yield fake_wechat
    fake_wechat.reset()


@pytest.fixture
async def customers(client, admin):
    """Seed 000's 联想 (sales-li, with receivables) and 明辉商贸 (sales-wang), plus 空白客户
    (no salesperson, no documents); by code → Customer."""
    await seed(client, admin)
    await post_ok(client, f"{INGEST}/customers", admin,
                  {"items": [{"code": "C003", "name": "空白客户"}]})
    return {c.code: c for c in await Customer.all()}


def text(page: str) -> str:
    """The page's text without tags, as a person reads it."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


async def get_page(client, path: str, status: int = 200) -> str:
    response = await client.get(path)
    body = await response.text()
    assert response.status == status, body[:2000]
    return body


# ----- the list -------------------------------------------------------------------------------


async def test_the_list_shows_every_customer_to_finance_with_receivables(client, customers):
    await sign_in(client, "finance")
    page = text(await get_page(client, CUSTOMERS))
    assert "联想" in page and "明辉商贸" in page and "空白客户" in page
    assert "李业务" in page and "¥53,776.00" in page  # 联想's receivable, 2 decimals
    assert "¥8,800.00" in page

    found = text(await get_page(client, f"{CUSTOMERS}?q=c002"))  # by code, any case
    assert "明辉商贸" in found and "联想" not in found


async def test_a_salesperson_lists_only_their_own_customers(client, customers):
    await sign_in(client, "sales", staff_userid="sales-li")
    page = text(await get_page(client, CUSTOMERS))
    assert "联想" in page and "明辉商贸" not in page and "空白客户" not in page
    empty = text(await get_page(client, f"{CUSTOMERS}?q=明辉"))
    assert "没有找到名称或编号包含「明辉」的客户" in empty


async def test_disabled_customers_are_listed_only_when_asked(client, customers):
    await Customer.filter(code="C003").update(disabled=True)
    await sign_in(client, "finance")
    assert "空白客户" not in await get_page(client, CUSTOMERS)
    page = text(await get_page(client, f"{CUSTOMERS}?disabled=1"))
    assert "空白客户" in page and "停用" in page


async def test_the_list_pages_and_refuses_a_bad_page_or_search(client, customers, admin):
    await post_ok(client, f"{INGEST}/customers", admin, {"items": [
        {"code": f"P{n:03}", "name": f"批量客户{n:03}"} for n in range(25)]})
    await sign_in(client, "finance")
    first = await get_page(client, f"{CUSTOMERS}?q=批量")
    assert first.count("批量客户") == 20 and "下一页" in first
    second = await get_page(client, f"{CUSTOMERS}?q=批量&page=2")
    assert second.count("批量客户") == 5 and "上一页" in second and "下一页" not in second
    assert "页码不对" in await get_page(client, f"{CUSTOMERS}?page=abc", 400)
    assert "页码不对" in await get_page(client, f"{CUSTOMERS}?page=99999999999999999999", 400)
    assert "最多 200 个字" in await get_page(client, f"{CUSTOMERS}?q={'长' * 201}", 400)


# ----- a customer's page ------------------------------------------------------------------------


async def test_the_page_shows_the_profile_and_balances(client, customers):
    await Customer.filter(code="C001").update(credit_limit="60000.00", group_name="批发")
    await sign_in(client, "finance")
    page = text(await get_page(client, f"{CUSTOMERS}/{customers['C001'].id}"))
    for expected in ("联想", "C001", "李业务", "¥53,776.00", "¥60,000.00", "批发", "记账",
                     "每月 1 日", "未开通", "陈会计"):
        assert expected in page, expected


async def test_a_salesperson_cannot_open_anothers_customer(client, customers):
    await sign_in(client, "sales", staff_userid="sales-li")
    theirs = customers["C002"].id
    page = await get_page(client, f"{CUSTOMERS}/{theirs}", 404)
    assert f"客户 {theirs} 不存在" in page and "明辉商贸" not in page
    assert (await client.get(f"{CUSTOMERS}/99999999999999999999")).status == 404
    mine = text(await get_page(client, f"{CUSTOMERS}/{customers['C001'].id}"))
    assert "联想" in mine and "停用客户" not in mine and "删除客户" not in mine  # not sales'


async def test_each_contact_shows_how_a_notice_reaches_them(client, customers, settings):
    c001 = customers["C001"].id
    await Contact.filter(external_id="P001").update(openid="oa-chen")
    await Contact.create(customer_id=c001, name="小程序孙", mp_openid="mp-sun")
    sun = await Contact.get(mp_openid="mp-sun")
    await MpSubscription.create(contact_id=sun.id, template_id="tpl-statement", remaining=2)
    await Contact.create(customer_id=c001, name="离开的吴", openid="oa-wu",
                         oa_unsubscribed_at=datetime(2026, 11, 1, 9))
    await Contact.create(customer_id=c001, name="没绑的郑")
    await sign_in(client, "finance")
    page = await get_page(client, f"{CUSTOMERS}/{c001}")

    def reach_of(name: str) -> str:
        row = next(r for r in page.split("<tr id=\"contact-")[1:] if name in r)
        return text(row.split("</tr>")[0])

    assert "公众号（已关注）" in reach_of("陈会计")
    assert "小程序（剩余订阅 2 条）" in reach_of("小程序孙")
    assert "客户已取消关注公众号，且未使用小程序" in reach_of("离开的吴")
    assert "联系人未绑定微信" in reach_of("没绑的郑")


async def test_the_group_summary_of_a_parent(client, admin):
    await post_ok(client, f"{INGEST}/customers", admin, {"items": [
        {"code": "G", "name": "青岛市某某建筑有限公司"},
        {"code": "S1", "name": "一分公司", "parent_code": "G"},
        {"code": "S2", "name": "二分公司", "parent_code": "G"},
        {"code": "S11", "name": "一分公司-工程队", "parent_code": "S1"}]})
    await post_ok(client, f"{INGEST}/documents", admin, {"items": [
        {"number": n, "type": t, "date": "2021-12-10", "customer_code": c, "amount": a}
        for n, c, a, t in (("G-1", "G", "100.00", "sales_out"), ("S1-1", "S1", "500.00",
                           "sales_out"), ("S1-2", "S1", "200.00", "receipt"),
                           ("S2-1", "S2", "1000.00", "sales_out"),
                           ("S11-1", "S11", "50.00", "sales_out"))]})
    group = await Customer.get(code="G")
    await sign_in(client, "finance")
    page = await get_page(client, f"{CUSTOMERS}/{group.id}")
    summary = text(page.split('id="group"')[1].split("</section>")[0])
    assert "3 个下级客户" in summary
    # the tree: 一分公司, its 工程队 under it, then 二分公司
    order = [summary.index(name) for name in ("一分公司 S1", "一分公司-工程队", "二分公司")]
    assert order == sorted(order)
    assert "¥300.00" in summary and "¥50.00" in summary and "¥1,000.00" in summary
    assert re.search(r"下级客户合计 ¥1,350\.00", summary)
    assert re.search(r"集团合计 ¥1,450\.00", summary)
    sub = text(await get_page(client, f"{CUSTOMERS}/{(await Customer.get(code='S11')).id}"))
    assert "一分公司" in sub and "集团汇总" not in sub


# ----- bind QR ----------------------------------------------------------------------------------


async def test_a_bind_qr_code_is_made_and_shown(client, customers, wechat, clock):
    csrf = await sign_in(client, "sales", staff_userid="sales-li")
    c001 = customers["C001"].id
    response = await post_form(client, f"{CUSTOMERS}/{c001}/bind-qr", csrf,
                               {"channel": "official_account", "contact_id": ""})
    page = await response.text()
    assert response.status == 200, page
    [bind] = await BindCode.filter(customer_id=c001)
    assert bind.contact_id is None and bind.used_at is None
    assert f'id="bind-code">{bind.code}<' in page
    assert re.search(r'<img class="qr bind-qr" id="bind-qr-image" src="data:image/png;base64,',
                     page)
    assert "2026-11-26 10:00" in page  # 72 hours on
    assert "http://tally.test/bind-qr/" in page  # the signed link the API gives too
    assert [q["scene"] for q in wechat.qrcodes] == [bind.code]


async def test_a_bind_qr_code_for_an_existing_contact_or_a_mini_program(client, customers,
                                                                        wechat):
    csrf = await sign_in(client, "finance")
    c001 = customers["C001"].id
    chen = await Contact.get(external_id="P001")
    response = await post_form(client, f"{CUSTOMERS}/{c001}/bind-qr", csrf,
                               {"channel": "miniprogram", "contact_id": str(chen.id)})
    page = text(await response.text())
    assert response.status == 200 and "小程序码 · 换绑给 陈会计" in page
    assert (await BindCode.get(customer_id=c001)).contact_id == chen.id


async def test_a_bind_qr_code_for_a_contact_of_another_customer_is_refused(client, customers):
    csrf = await sign_in(client, "finance")
    other = await Contact.get(external_id="P002")
    response = await post_form(client, f"{CUSTOMERS}/{customers['C001'].id}/bind-qr", csrf,
                               {"channel": "official_account", "contact_id": str(other.id)})
    assert response.status == 400
    assert "不属于该客户" in text(await response.text())
    for bad in ({"channel": "sms"}, {"contact_id": "abc"}, {"contact_id": "9" * 30}):
        response = await post_form(client, f"{CUSTOMERS}/{customers['C001'].id}/bind-qr", csrf,
                                   bad)
        assert response.status == 400, bad
    assert not await BindCode.exists()


async def test_wechat_down_is_said_on_the_page_and_leaves_no_code(client, customers, wechat):
    wechat.fail_next(5, status=503, path="cgi-bin/qrcode/create")
    csrf = await sign_in(client, "finance")
    response = await post_form(client, f"{CUSTOMERS}/{customers['C001'].id}/bind-qr", csrf,
                               {"channel": "official_account"})
    assert response.status == 502
    page = text(await response.text())
    assert "微信暂时无法生成二维码，请稍后再试" in page and "生成绑定二维码" in page
    assert not await BindCode.exists()


async def test_a_salesperson_cannot_make_a_bind_code_for_anothers_customer(client, customers):
    csrf = await sign_in(client, "sales", staff_userid="sales-li")
    response = await post_form(client, f"{CUSTOMERS}/{customers['C002'].id}/bind-qr", csrf,
                                {"channel": "official_account"})
    assert response.status == 404
    assert not await BindCode.exists()


# ----- sharing ----------------------------------------------------------------------------------


async def test_sharing_lets_the_other_salesperson_see_the_customer_until_it_is_removed(
        client, customers):
    c002 = customers["C002"].id
    li = await Staff.get(dingtalk_userid="sales-li")
    csrf = await sign_in(client, "finance")
    response = await post_form(client, f"{CUSTOMERS}/{c002}/shares", csrf,
                               {"staff_id": str(li.id)})
    page = text(await response.text())
    assert response.status == 200 and "已共享给 李业务" in page
    assert await CustomerShare.filter(customer_id=c002).values_list("staff_id", flat=True) == [
        li.id]
    assert await AuditLog.exists(action="share", entity="customer", entity_id=str(c002))

    client.session.cookie_jar.clear()
    await sign_in(client, "sales", staff_userid="sales-li")
    assert "明辉商贸" in await get_page(client, CUSTOMERS)
    assert "明辉商贸" in await get_page(client, f"{CUSTOMERS}/{c002}")

    client.session.cookie_jar.clear()
    csrf = await sign_in(client, "finance")
    response = await post_form(client, f"{CUSTOMERS}/{c002}/shares/{li.id}/remove", csrf)
    assert response.status == 200 and "已取消共享" in await response.text()
    assert not await CustomerShare.exists(customer_id=c002)

    client.session.cookie_jar.clear()
    await sign_in(client, "sales", staff_userid="sales-li")
    assert "明辉商贸" not in await get_page(client, CUSTOMERS)
    await get_page(client, f"{CUSTOMERS}/{c002}", 404)


async def test_sharing_refuses_the_own_salesperson_a_bad_pick_and_salespeople(
        client, customers):
    c002 = customers["C002"].id
    wang = await Staff.get(dingtalk_userid="sales-wang")
    csrf = await sign_in(client, "finance")
    response = await post_form(client, f"{CUSTOMERS}/{c002}/shares", csrf,
                               {"staff_id": str(wang.id)})
    assert response.status == 400 and "王业务 是该客户的业务员，无需共享" in await response.text()
    for bad in ("", "abc", "999999"):
        response = await post_form(client, f"{CUSTOMERS}/{c002}/shares", csrf, {"staff_id": bad})
        assert response.status == 400, bad
    response = await post_form(client, f"{CUSTOMERS}/{c002}/shares/999999/remove", csrf)
    assert response.status == 404 and "未与员工 999999 共享" in await response.text()
    assert not await CustomerShare.exists()

    client.session.cookie_jar.clear()
    csrf = await sign_in(client, "sales", staff_userid="sales-wang")
    page = await get_page(client, f"{CUSTOMERS}/{c002}")
    assert 'name="staff_id"' not in page  # sharing is the books' (the API's role table)
    li = await Staff.get(dingtalk_userid="sales-li")
    response = await post_form(client, f"{CUSTOMERS}/{c002}/shares", csrf, {"staff_id": str(li.id)})
    assert response.status == 403 and not await CustomerShare.exists()


# ----- disable / enable / delete ----------------------------------------------------------------


async def test_disabling_a_customer_with_receivables_is_refused_on_its_page(client, customers):
    csrf = await sign_in(client, "finance")
    c001 = customers["C001"].id
    response = await post_form(client, f"{CUSTOMERS}/{c001}/disable", csrf)
    page = text(await response.text())
    assert response.status == 409
    assert "客户尚有应收 ¥53776.00，不能停用" in page and "联想" in page  # the page, with why
    assert not (await Customer.get(id=c001)).disabled


async def test_a_customer_without_receivables_is_disabled_and_enabled(client, customers):
    csrf = await sign_in(client, "finance")
    c003 = customers["C003"].id
    response = await post_form(client, f"{CUSTOMERS}/{c003}/disable", csrf)
    page = text(await response.text())
    assert "已停用" in page and "启用客户" in page
    assert (await Customer.get(id=c003)).disabled
    response = await post_form(client, f"{CUSTOMERS}/{c003}/enable", csrf)
    assert "已启用" in text(await response.text())
    assert not (await Customer.get(id=c003)).disabled


async def test_only_a_customer_without_documents_is_deleted(client, customers):
    csrf = await sign_in(client, "finance")
    c001, c003 = customers["C001"].id, customers["C003"].id
    response = await post_form(client, f"{CUSTOMERS}/{c001}/delete", csrf)
    assert response.status == 409
    assert "客户已有 5 张单据，不能删除，可以停用" in text(await response.text())
    assert (await Customer.get(id=c001)).deleted_at is None

    response = await post_form(client, f"{CUSTOMERS}/{c003}/delete", csrf, allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == CUSTOMERS
    assert (await Customer.get(id=c003)).deleted_at is not None
    listed = text(await get_page(client, CUSTOMERS))
    assert "已删除客户「空白客户」" in listed and "空白客户 C003" not in listed


async def test_salespeople_cannot_disable_or_delete(client, customers):
    csrf = await sign_in(client, "sales", staff_userid="sales-li")
    c001 = customers["C001"].id
    for action in ("disable", "enable", "delete"):
        response = await post_form(client, f"{CUSTOMERS}/{c001}/{action}", csrf)
        assert response.status == 403, action
    assert (await Customer.get(id=c001)).deleted_at is None
