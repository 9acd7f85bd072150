"""Which WeChat channel a customer notice takes, and why none when it cannot go: a follower
who left the official account gets no template message (it would fail with 43004 and alert
the managers every time), the mini-program is used while a consent is left, and finance reads
the reason in the delivery ledger. The mini-program jump goes out only with a mini-program."""

from __future__ import annotations

from dataclasses import replace

import pytest

from domain.customers.models import Contact
from domain.notices.models import MpSubscription, OutboxMessage
from tests.fakes.wechat import MP_APPID
from tests.support import make_statement, seed
from tests.support.delivery import TEMPLATE
from tests.support.wechat import bind_code, push, say

BO = "/api/backoffice/v1"
SUBSCRIBE = "cgi-bin/message/subscribe/send"


@pytest.fixture
async def lenovo(client, clock, admin, delivery_settings, fake_wechat) -> dict:
    """联想 with a contact who follows the official account (o-chen, unionid u-chen) and is
    bound there; the delivery settings have emptied the fakes first."""
    customers = await seed(client, admin)
    await push(client, clock, fake_wechat.subscribe_event("o-chen", unionid="u-chen"))
    code = await bind_code(client, admin, customers["C001"]["id"])
    assert "绑定成功" in await say(client, clock, "o-chen", f"绑定 {code}")
    return customers["C001"]


async def issue_and_deliver(client, admin, make_dispatcher, settings, customer) -> OutboxMessage:
    statement = await make_statement(client, admin, customer["id"])
    await (await make_dispatcher(settings)).run_until_empty()
    rows = await OutboxMessage.filter(kind="statement_issued").order_by("-id")
    return next(r for r in rows if r.payload["statement_id"] == statement["id"])


async def ledger(client, finance, clock) -> list[dict]:
    resp = await client.get(f"{BO}/deliveries", headers=finance,
                            params={"date": clock().date().isoformat()})
    assert resp.status == 200
    return (await resp.json())["items"]


async def test_a_follower_who_left_gets_no_template_and_finance_sees_why(
    client, clock, admin, finance, lenovo, delivery_settings, make_dispatcher, fake_wechat
):
    await push(client, clock, fake_wechat.unsubscribe_event("o-chen"))

    row = await issue_and_deliver(client, admin, make_dispatcher, delivery_settings, lenovo)

    assert row.status == "dead" and row.attempts == 1
    assert row.last_error == "no_channel: 客户已取消关注公众号，且未使用小程序"
    assert fake_wechat.count(TEMPLATE) == 0  # not even tried
    assert not await OutboxMessage.filter(kind="delivery_dead").exists()  # no managers' alert
    [entry] = [e for e in await ledger(client, finance, clock) if e["id"] == row.id]
    assert entry["undelivered_reason"] == "客户已取消关注公众号，且未使用小程序"


async def test_a_follower_who_left_is_reached_in_the_mini_program_while_a_consent_is_left(
    client, clock, admin, finance, lenovo, delivery_settings, make_dispatcher, fake_wechat
):
    await push(client, clock, fake_wechat.unsubscribe_event("o-chen"))
    contact = await Contact.get(openid="o-chen")
    await Contact.filter(id=contact.id).update(mp_openid="mp-chen")  # logged in there too
    await MpSubscription.create(contact=contact, template_id="demo-mp-statement-issued",
                                remaining=1)

    sent = await issue_and_deliver(client, admin, make_dispatcher, delivery_settings, lenovo)
    second = await issue_and_deliver(client, admin, make_dispatcher, delivery_settings, lenovo)

    assert sent.status == "sent"
    [message] = fake_wechat.sent
    assert message["kind"] == "subscribe" and message["payload"]["touser"] == "mp-chen"
    assert (await MpSubscription.get(contact=contact)).remaining == 0  # the consent is used
    assert second.status == "dead"
    assert second.last_error == "no_channel: 客户已取消关注公众号，且小程序未授权订阅消息"
    assert fake_wechat.count(TEMPLATE) == 0 and fake_wechat.count(SUBSCRIBE) == 1
    entries = {e["id"]: e for e in await ledger(client, finance, clock)}
    assert entries[sent.id]["undelivered_reason"] == ""
    assert entries[second.id]["undelivered_reason"] == (
        "客户已取消关注公众号，且小程序未授权订阅消息")


async def test_following_again_restores_template_messages(
    client, clock, admin, lenovo, delivery_settings, make_dispatcher, fake_wechat
):
    await push(client, clock, fake_wechat.unsubscribe_event("o-chen"))
    await push(client, clock, fake_wechat.subscribe_event("o-chen"))

    row = await issue_and_deliver(client, admin, make_dispatcher, delivery_settings, lenovo)

    assert row.status == "sent"
    [message] = fake_wechat.sent
    assert message["kind"] == "template" and message["payload"]["touser"] == "o-chen"


async def test_a_43004_answer_marks_the_follower_instead_of_retrying_to_an_alert(
    client, clock, admin, lenovo, delivery_settings, make_dispatcher, fake_wechat
):
    """The unsubscribe event never arrived (the callback was down): WeChat's 43004 says it."""
    fake_wechat.unsubscribe_event("o-chen")  # made, never pushed to Tally

    first = await issue_and_deliver(client, admin, make_dispatcher, delivery_settings, lenovo)
    second = await issue_and_deliver(client, admin, make_dispatcher, delivery_settings, lenovo)

    assert (first.status, first.attempts) == ("dead", 1)
    assert first.last_error == "no_channel: 客户已取消关注公众号，且未使用小程序"
    assert (await Contact.get(openid="o-chen")).oa_unsubscribed_at is not None
    assert second.status == "dead" and fake_wechat.count(TEMPLATE) == 1  # the second: not tried
    assert not await OutboxMessage.filter(kind="delivery_dead").exists()


async def test_a_mini_program_contact_without_consent_or_mini_program_is_named_so(
    client, clock, admin, finance, delivery_settings, make_dispatcher
):
    customers = await seed(client, admin)
    await Contact.filter(external_id="P001").update(mp_openid="mp-chen")

    row = await issue_and_deliver(client, admin, make_dispatcher, delivery_settings,
                                  customers["C001"])

    assert row.last_error == "no_channel: 客户未关注公众号，且小程序未授权订阅消息"
    no_mp = replace(delivery_settings, mp_appid="")
    await OutboxMessage.filter(id=row.id).update(status="pending", attempts=0)
    await (await make_dispatcher(no_mp)).run_until_empty()
    await row.refresh_from_db()
    assert row.last_error == "no_channel: 客户只在小程序绑定，但未配置小程序（TALLY_MP_APPID）"


async def test_the_mini_program_jump_goes_out_only_with_a_mini_program(
    client, clock, admin, lenovo, delivery_settings, make_dispatcher, fake_wechat
):
    await issue_and_deliver(client, admin, make_dispatcher, delivery_settings, lenovo)
    await issue_and_deliver(client, admin, make_dispatcher,
                            replace(delivery_settings, mp_appid=""), lenovo)

    with_mp, link_only = (m["payload"] for m in fake_wechat.sent)
    assert with_mp["miniprogram"]["appid"] == MP_APPID
    assert with_mp["miniprogram"]["pagepath"].startswith("pages/statement/index?scene=s%3D")
    assert "miniprogram" not in link_only
    assert link_only["url"].startswith("http://tally.test/")


async def test_a_jump_to_an_unknown_mini_program_is_refused_by_wechat(
    client, clock, admin, lenovo, delivery_settings, make_dispatcher, fake_wechat
):
    row = await issue_and_deliver(client, admin, make_dispatcher,
                                  replace(delivery_settings, mp_appid="wx-not-linked"), lenovo)

    assert row.status == "dead" and row.last_error.startswith("wechat 40013")
