"""Who answered a statement, as staff and the customer read it: the bound contact's name, or
通过分享链接 with the time and the device; never an internal token or id. After staff confirm,
the customer's page does not say the customer did."""

from __future__ import annotations

import pytest

from domain.apikeys import create_api_key
from domain.customers.models import Contact
from domain.org.models import Staff
from domain.statements.models import Statement, StatementEvent
from tests.support import make_statement, post_ok, seed, shared_statement
from tests.support.delivery import dispatcher_factory, drain, fresh_delivery_settings

BO = "/api/backoffice/v1"
MP = "/api/mp/v1"
IPHONE_WECHAT = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Mobile/15E148 MicroMessenger/8.0.44(0x18002c2b) NetType/WIFI Language/zh_CN")
BY_LINK = "通过分享链接（2026-11-23 10:00，iPhone 微信）"


@pytest.fixture
async def delivered(app, clock, settings, fake_wechat, fake_dingtalk):
    """``await delivered()``: drain the outbox through the real senders; every text the
    salesperson and the managers received (card markdown, one-to-one markdown, group text)."""
    config = fresh_delivery_settings(settings, fake_wechat, fake_dingtalk)
    async with dispatcher_factory(app, clock) as build:
        dispatcher = await build(config)

        async def run() -> dict[str, str]:
            await drain(dispatcher, clock)
            sent = {s["kind"]: s for s in fake_dingtalk.sent}
            card = fake_dingtalk.cards[sent["card"]["card_biz_id"]]
            return {"card": card["params"]["markdown"], "batch": sent["batch"]["param"]["text"],
                    "group": sent["group"]["payload"]["text"]["content"]}

        yield run




async def test_a_link_answer_names_the_link_time_and_device_everywhere_staff_read_it(
    client, admin, delivered
):
    statement, path = await shared_statement(client, admin)
    token = path.removeprefix("/s/")
    resp = await client.post(f"{path}/answer", headers={"User-Agent": IPHONE_WECHAT},
                             json={"answer": "mismatched", "description": "退货 1000 未收到"})
    assert resp.status == 200

    view = await (await client.get(f"{BO}/statements/{statement['id']}", headers=admin)).json()
    assert view["answered_by"] == BY_LINK
    listed = (await (await client.get(f"{BO}/statements", headers=admin)).json())["items"]
    assert listed[0]["answered_by"] == BY_LINK
    feedback = await (await client.get(f"{BO}/statements/{statement['id']}/feedback",
                                       headers=admin)).json()
    [answer] = feedback["items"]
    assert (answer["actor"], answer["device"], answer["via"]) == ("通过分享链接", "iPhone 微信",
                                                                   "h5")

    texts = await delivered()
    assert f"**反馈人**：{BY_LINK}" in texts["card"]
    assert f"答复人：{BY_LINK}" in texts["batch"]
    assert f"答复人：{BY_LINK}" in texts["group"]
    for text in (texts["card"], texts["batch"], texts["group"]):
        assert "share-link" not in text and token[:8] not in text


async def test_a_mini_program_answer_names_the_bound_contact(
    client, admin, fake_wechat, delivered
):
    customers = await seed(client, admin)
    chen = await Contact.get(external_id="P001")
    statement = await make_statement(client, admin, customers["C001"]["id"])
    fake_wechat.register_code("code-chen", "o-chen-mp")
    login = await post_ok(client, f"{MP}/login", {}, {"code": "code-chen"})
    session = {"Authorization": f"Bearer {login['token']}"}
    bind = await post_ok(client, f"{BO}/customers/{customers['C001']['id']}/bind-codes", admin,
                         {"contact_id": chen.id}, status=201)
    await post_ok(client, f"{MP}/bind", session, {"code": bind["code"]})
    await post_ok(client, f"{MP}/statements/{statement['id']}/answer", session,
                  {"answer": "mismatched", "description": "退货 1000 未收到"})

    assert (await Statement.get(id=statement["id"])).answered_by == "陈会计"
    event = await StatementEvent.get(statement_id=statement["id"], action="answer")
    assert (event.actor, event.contact_id, event.via) == ("陈会计", chen.id, "mp")
    texts = await delivered()
    assert "**反馈人**：陈会计" in texts["card"]
    assert "答复人：陈会计" in texts["batch"] and "答复人：陈会计" in texts["group"]


async def test_a_contact_without_a_name_is_a_wechat_contact_not_an_id(
    client, admin, fake_wechat
):
    customers = await seed(client, admin)
    statement = await make_statement(client, admin, customers["C001"]["id"])
    fake_wechat.register_code("code-new", "o-new-mp")
    login = await post_ok(client, f"{MP}/login", {}, {"code": "code-new"})
    session = {"Authorization": f"Bearer {login['token']}"}
    bind = await post_ok(client, f"{BO}/customers/{customers['C001']['id']}/bind-codes", admin,
                         status=201)
    await post_ok(client, f"{MP}/bind", session, {"code": bind["code"]})
    await post_ok(client, f"{MP}/statements/{statement['id']}/answer", session,
                  {"answer": "matched"})
    view = await (await client.get(f"{BO}/statements/{statement['id']}", headers=admin)).json()
    assert view["answered_by"] == "微信联系人"
    mine = f"{MP}/statements/{statement['id']}"
    assert (await (await client.get(mine, headers=session)).json())["answered_by_customer"]

    await post_ok(client, f"{BO}/statements/{statement['id']}/cancel", admin)
    await post_ok(client, f"{BO}/statements/{statement['id']}/match", admin)
    shown = await (await client.get(mine, headers=session)).json()
    assert (shown["status"], shown["answered_by_customer"]) == ("matched", False)


async def test_after_staff_confirm_the_customers_page_does_not_say_the_customer_did(
    client, admin
):
    statement, path = await shared_statement(client, admin)
    await post_ok(client, f"{BO}/statements/{statement['id']}/match", admin,
                  {"description": "电话确认"})
    html = await (await client.get(path)).text()
    assert "您已确认" not in html and "电话确认" not in html
    assert "已由业务人员确认：符合" in html

    await post_ok(client, f"{BO}/statements/{statement['id']}/cancel", admin)
    await post_ok(client, f"{path}/answer", {}, {"answer": "matched", "description": "无误"})
    html = await (await client.get(path)).text()
    assert "您已确认：符合" in html and "描述：无误" in html

    await post_ok(client, f"{BO}/statements/{statement['id']}/cancel", admin)
    await post_ok(client, f"{BO}/statements/{statement['id']}/match", admin)
    html = await (await client.get(path)).text()
    assert "您已确认" not in html and "无误" not in html
    assert "已由业务人员确认：符合" in html


async def test_a_staff_confirmation_names_the_person_behind_the_key_not_the_key(client, admin):
    customers = await seed(client, admin)
    statement = await make_statement(client, admin, customers["C001"]["id"])
    chen = await Staff.create(name="陈会计", dingtalk_userid="finance-chen")
    _, key = await create_api_key("财务导出密钥", "finance", chen.id)
    await post_ok(client, f"{BO}/statements/{statement['id']}/match",
                  {"Authorization": f"Bearer {key}"})
    stored = await Statement.get(id=statement["id"])
    assert stored.answered_by == "陈会计"
