"""The outbox dispatcher with the real senders against the fake WeChat and DingTalk servers:
notices queued by the real use cases arrive once, failures are retried or given up with one
managers' alert, expired leases are taken over, and nothing is queued twice."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from domain.customers.models import Contact
from domain.notices import outbox
from domain.notices.catalogue import MANAGERS, Kind, contact_recipient, staff_recipient
from domain.notices.models import MpSubscription, OutboxMessage
from domain.org.models import Staff
from tests.support import make_statement, post_ok, seed
from tests.support.delivery import TEMPLATE, delivery_config, drain


async def disputed_statement(client, admin) -> dict:
    """Seed 联想 with contact 陈会计 bound (openid), issue a statement, answer 不符合 on the H5
    page: four notices queued (contact, salesperson, manager, managers' group)."""
    customers = await seed(client, admin)
    await Contact.filter(external_id="P001").update(openid="o-chen")
    statement = await make_statement(client, admin, customers["C001"]["id"])
    issued = await OutboxMessage.get(kind="statement_issued")
    path = issued.payload["url"].removeprefix("http://tally.test")
    await post_ok(client, f"{path}/answer", {},
                  {"answer": "mismatched", "description": "退货 1000 未收到 [详情](http://x)"})
    return statement


async def test_every_notice_of_a_disputed_statement_arrives_once_with_its_content(
    client, admin, delivery_settings, make_dispatcher, fake_wechat, fake_dingtalk
):
    statement = await disputed_statement(client, admin)
    dispatcher = await make_dispatcher(delivery_settings)

    stats = await dispatcher.run_until_empty()
    again = await dispatcher.run_until_empty()

    assert (stats.claimed, stats.sent, stats.dead, again.claimed) == (4, 4, 0, 0)
    rows = {(r.kind, r.channel): r for r in await OutboxMessage.all()}
    assert {r.status for r in rows.values()} == {"sent"}
    [template] = fake_wechat.sent
    issued = rows["statement_issued", "wechat"]
    body = template["payload"]
    assert body["touser"] == "o-chen" and body["template_id"] == "demo-tpl-statement-issued"
    assert body["url"] == issued.payload["url"]
    assert template["visible"] == {"thing1": "联想", "thing2": "2021年12月1日至12月22日",
                                   "amount3": "53776.00元", "phrase4": "待确认",
                                   "thing5": "点击查看明细，并确认是否相符"}
    assert body["miniprogram"]["pagepath"].startswith("pages/statement/index?scene=s%3D")
    assert issued.provider_ref == str(template["msgid"])

    sent = {s["kind"]: s for s in fake_dingtalk.sent}
    assert sorted(s["kind"] for s in fake_dingtalk.sent) == ["batch", "card", "group"]
    card = fake_dingtalk.cards[sent["card"]["card_biz_id"]]
    assert card["user_id"] == "sales-li"
    assert rows["statement_disputed", "dingtalk"].provider_ref == sent["card"]["card_biz_id"]
    assert "退货 1000 未收到" in card["params"]["markdown"]
    markdown = sent["batch"]
    assert markdown["user_ids"] == ["mgr-zhao"] and markdown["msg_key"] == "sampleMarkdown"
    assert markdown["param"]["title"] == "对账异议：联想"
    assert "¥53,776.00" in markdown["param"]["text"]
    assert "退货 1000 未收到 ［详情］（http://x）" in markdown["param"]["text"]  # no customer links
    group = sent["group"]["payload"]["text"]["content"]
    assert group.startswith("【对账异议】联想") and "2021-12-01 至 2021-12-22" in group
    assert statement["id"] == issued.payload["statement_id"]


async def test_a_retried_card_is_the_same_card(
    client, admin, delivery_settings, make_dispatcher, fake_dingtalk, clock
):
    await disputed_statement(client, admin)
    fake_dingtalk.fail_next(1, path="/v1.0/card/instances/createAndDeliver")
    dispatcher = await make_dispatcher(delivery_settings)

    await drain(dispatcher, clock)

    row = await OutboxMessage.get(kind="statement_disputed")
    assert row.status == "sent" and row.attempts == 2
    assert list(fake_dingtalk.cards) == [f"outbox-{row.id}"]


async def test_a_failing_notice_is_retried_with_backoff_then_dead_with_one_alert(
    client, admin, delivery_settings, make_dispatcher, fake_wechat, fake_dingtalk, clock
):
    await disputed_statement(client, admin)
    fake_wechat.fail_next(100, status=503, path=TEMPLATE)
    dispatcher = await make_dispatcher(delivery_settings)

    first = await dispatcher.run_until_empty()
    row = await OutboxMessage.get(kind="statement_issued")
    assert first.retried == 1 and row.status == "pending" and row.attempts == 1
    assert "503" in row.last_error
    assert clock() <= row.next_attempt_at <= clock() + timedelta(seconds=1)
    await drain(dispatcher, clock)

    await row.refresh_from_db()
    assert row.status == "dead" and row.attempts == 3
    assert fake_wechat.count(TEMPLATE) == 3 and fake_wechat.sent == []
    [alert] = await OutboxMessage.filter(kind="delivery_dead")
    assert alert.dedupe_key == f"delivery_dead:{row.id}:managers" and alert.status == "sent"
    alert_text = [s for s in fake_dingtalk.sent if s["kind"] == "group"][-1]
    content = alert_text["payload"]["text"]["content"]
    assert content.startswith("【通知投递失败】对账单通知 → 陈会计（联想）")
    assert "已尝试 3 次" in content


async def test_an_alert_that_cannot_be_delivered_does_not_raise_another(
    client, admin, settings, fake_dingtalk, make_dispatcher, clock
):
    broken = delivery_config(settings, fake_dingtalk, dingtalk_group_webhook=(
        f"{fake_dingtalk.base_url}/robot/send?access_token=unknown-robot"))
    await outbox.enqueue(Kind.DISPUTE_ALERT, MANAGERS, {"customer": "联想"}, "k1:managers", clock())
    dispatcher = await make_dispatcher(broken)

    await drain(dispatcher, clock)

    rows = await OutboxMessage.all().order_by("id")
    assert [(r.kind, r.status) for r in rows] == [
        ("dispute_alert", "dead"), ("delivery_dead", "dead")]
    assert rows[0].attempts == 1 and "300001" in rows[0].last_error  # permanent: no retry


async def test_unreachable_recipients_are_dead_without_alerts(
    client, admin, settings, fake_dingtalk, fake_wechat, make_dispatcher, clock
):
    fake_wechat.reset()  # the fake lives for the session: an earlier test's sends are not ours
    no_robot = delivery_config(settings, fake_dingtalk, dingtalk_group_webhook="")
    customers = await seed(client, admin)
    await Contact.filter(external_id="P001").update(mp_openid="mp-chen")
    await make_statement(client, admin, customers["C001"]["id"])
    await outbox.enqueue(Kind.DISPUTE_ALERT, MANAGERS, {"customer": "联想"}, "k1:managers", clock())
    dispatcher = await make_dispatcher(no_robot)

    stats = await dispatcher.run_until_empty()

    rows = {r.kind: r for r in await OutboxMessage.all()}
    assert (stats.dead, stats.alerts) == (2, 0) and set(rows) == {"statement_issued",
                                                                   "dispute_alert"}
    assert rows["statement_issued"].last_error == (
        "no_channel: 客户未关注公众号，且小程序未授权订阅消息")
    assert rows["dispute_alert"].last_error == "no_group_robot"
    assert fake_wechat.sent == []


async def test_a_mini_program_contact_with_quota_gets_a_subscribe_message(
    client, admin, delivery_settings, fake_wechat, make_dispatcher, clock
):
    customers = await seed(client, admin)
    await Contact.filter(external_id="P001").update(mp_openid="mp-chen")
    contact = await Contact.get(external_id="P001")
    await MpSubscription.create(contact=contact, template_id="demo-mp-statement-issued",
                                remaining=1)
    await make_statement(client, admin, customers["C001"]["id"])
    dispatcher = await make_dispatcher(delivery_settings)

    await dispatcher.run_until_empty()

    [message] = fake_wechat.sent
    body = message["payload"]
    assert message["kind"] == "subscribe" and body["touser"] == "mp-chen"
    assert message["visible"] == {"thing1": "联想", "thing2": "2021年12月1日至12月22日",
                                  "amount3": "53776.00元", "thing4": "点击查看明细，并确认是否相符"}
    assert body["page"].startswith("pages/statement/index?scene=s%3D")
    assert (await MpSubscription.get(contact=contact)).remaining == 0


async def test_a_sending_row_whose_lease_expired_is_sent_again(
    client, admin, delivery_settings, fake_wechat, make_dispatcher, clock
):
    await seed(client, admin)
    contacts = []
    for openid in ("o-lost", "o-busy"):
        contact = await Contact.create(name=openid, openid=openid)
        contacts.append(contact)
        await outbox.enqueue(Kind.STATEMENT_ISSUED, _to(contact), _payload(), f"s:{openid}",
                             clock())
    await OutboxMessage.filter(recipient_id=str(contacts[0].id)).update(
        status="sending", attempts=1, lease_until=clock() - timedelta(seconds=1))
    await OutboxMessage.filter(recipient_id=str(contacts[1].id)).update(
        status="sending", attempts=1, lease_until=clock() + timedelta(seconds=60))
    dispatcher = await make_dispatcher(delivery_settings)

    stats = await dispatcher.run_until_empty()

    assert stats.sent == 1 and [m["payload"]["touser"] for m in fake_wechat.sent] == ["o-lost"]
    lost, busy = [await OutboxMessage.get(recipient_id=str(c.id)) for c in contacts]
    assert (lost.status, lost.attempts) == ("sent", 2)
    assert busy.status == "sending"


def _to(contact: Contact):
    return contact_recipient(contact.id, contact.name)


def _payload(**extra) -> dict:
    return {"statement_id": 1, "customer": "联想", "date_from": "2021-12-01",
            "date_to": "2021-12-22", "closing": "100.00", "owed_total": "100.00",
            "url": "http://tally.test/s/x", "mp_scene": "s=x", **extra}


async def test_the_same_dedupe_key_is_queued_and_sent_once(
    client, admin, delivery_settings, fake_wechat, make_dispatcher, clock
):
    contact = await Contact.create(name="陈会计", openid="o-chen")
    first = await outbox.enqueue(Kind.STATEMENT_ISSUED, _to(contact), _payload(), "s:1", clock())
    repeat = await outbox.enqueue(Kind.STATEMENT_ISSUED, _to(contact), _payload(), "s:1", clock())
    dispatcher = await make_dispatcher(delivery_settings)
    await dispatcher.run_until_empty()
    after_sending = await outbox.enqueue(Kind.STATEMENT_ISSUED, _to(contact), _payload(),
                                         "s:1", clock())
    await dispatcher.run_until_empty()

    assert first is not None and repeat is None and after_sending is None
    assert await OutboxMessage.all().count() == 1 and len(fake_wechat.sent) == 1


async def test_the_worker_wakes_on_notify_and_stops_cleanly(
    client, admin, delivery_settings, fake_wechat, make_dispatcher, clock
):
    contact = await Contact.create(name="陈会计", openid="o-chen")
    dispatcher = await make_dispatcher(delivery_settings)
    async with dispatcher.running():
        await asyncio.sleep(0.05)  # idle now
        await outbox.enqueue(Kind.STATEMENT_ISSUED, _to(contact), _payload(), "s:1", clock())
        dispatcher.notify()
        for _ in range(50):
            if fake_wechat.sent:
                break
            await asyncio.sleep(0.01)
    assert len(fake_wechat.sent) == 1
    assert (await OutboxMessage.get()).status == "sent"


async def test_a_failed_subscribe_send_gives_the_quota_back_for_the_retry(
    client, admin, delivery_settings, fake_wechat, make_dispatcher, clock
):
    contact = await Contact.create(name="陈会计", mp_openid="mp-chen")
    await MpSubscription.create(contact=contact, template_id="demo-mp-statement-issued",
                                remaining=1)
    await outbox.enqueue(Kind.STATEMENT_ISSUED, _to(contact), _payload(), "s:1", clock())
    fake_wechat.fail_next(1, path="cgi-bin/message/subscribe/send")
    dispatcher = await make_dispatcher(delivery_settings)

    first = await dispatcher.run_until_empty()
    quota_after_failure = (await MpSubscription.get(contact=contact)).remaining
    await drain(dispatcher, clock)

    assert first.retried == 1 and quota_after_failure == 1
    assert [m["kind"] for m in fake_wechat.sent] == ["subscribe"]
    assert (await MpSubscription.get(contact=contact)).remaining == 0


async def test_an_expired_access_token_is_refreshed_once_and_the_send_goes_through(
    client, admin, delivery_settings, fake_wechat, make_dispatcher, clock
):
    contact = await Contact.create(name="陈会计", openid="o-chen")
    dispatcher = await make_dispatcher(delivery_settings)
    await outbox.enqueue(Kind.STATEMENT_ISSUED, _to(contact), _payload(), "s:1", clock())
    await dispatcher.run_until_empty()
    tokens_before = fake_wechat.count("cgi-bin/token")
    fake_wechat.expire_tokens()

    await outbox.enqueue(Kind.STATEMENT_ISSUED, _to(contact), _payload(), "s:2", clock())
    stats = await dispatcher.run_until_empty()

    assert (stats.sent, stats.retried) == (1, 0) and len(fake_wechat.sent) == 2
    assert fake_wechat.count("cgi-bin/token") == tokens_before + 1
    assert fake_wechat.count(TEMPLATE) == 3  # one refused with 42001, then resent


async def queue_notices(now, contacts: int, staff: int, prefix: str = "") -> None:
    """`contacts` statement notices (openid {prefix}o-i) and `staff` dispute alerts (DingTalk
    user {prefix}s-i), all due at `now`."""
    payload = {"statement_id": 1, "customer": "联想", "date_from": "2021-12-01",
               "date_to": "2021-12-22", "closing": "100.00", "owed_total": "100.00",
               "url": "http://tally.test/s/x", "mp_scene": "s=x", "description": "少一张退货单"}
    for i in range(contacts):
        contact = await Contact.create(name=f"联系人{i}", openid=f"{prefix}o-{i}")
        await outbox.enqueue(Kind.STATEMENT_ISSUED, _to(contact), payload, f"s:{i}", now)
    for i in range(staff):
        member = await Staff.create(name=f"经理{i}", dingtalk_userid=f"{prefix}s-{i}")
        await outbox.enqueue(Kind.DISPUTE_ALERT, staff_recipient(member.id, member.name), payload,
                             f"d:{i}", now)
