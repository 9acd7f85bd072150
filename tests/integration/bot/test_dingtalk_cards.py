"""Card-platform cards: opened for a salesperson (created and delivered with the kind's
template), acted on once from the fake DingTalk stream."""

from __future__ import annotations

import pytest

from bot.card_templates import CardTemplate, load_card_templates
from bot.cards import REGISTRY, CardAction, build_dispute_card, open_card, register, standard_card
from bot.dingtalk_api import DingTalkError
from domain.errors import Invalid
from domain.notices.models import CardInstance
from domain.org.models import Staff
from tally.sandbox import Fakes, sandbox_app
from tests.support import seed
from tests.support.dingtalk import drain, press, shown

TEMPLATE = load_card_templates("")["dispute"]
WITH_COMMENT = CardTemplate("test_approval", "demo-card-approval.schema", comment_input=True)
DISPUTE = {
    "statement_id": 7, "customer": "联想", "date_from": "2021-12-01", "date_to": "2021-12-22",
    "closing": "53776.00", "description": "12 月 15 日那笔我们没收到货", "answered_by": "陈会计",
}


@pytest.fixture
async def li(client, admin):
    await seed(client, admin)
    return await Staff.get(dingtalk_userid="sales-li")


@pytest.fixture
async def card(api, li, clock):
    return await open_card(api, li, "dispute", "statement", 7, build_dispute_card(DISPUTE),
                           clock(), template=TEMPLATE)


def test_dispute_card_shows_the_dispute_in_chinese_with_two_buttons():
    data = build_dispute_card(DISPUTE)
    assert data["header"]["title"]["text"] == "对账不符：联想"
    body = data["contents"][0]["text"]
    for text in ("联想", "2021-12-01 至 2021-12-22", "¥53,776.00", "没收到货", "陈会计"):
        assert text in body
    [actions] = [c for c in data["contents"] if c["type"] == "action"]
    labels = [(b["id"], b["label"]["text"]) for b in actions["actions"]]
    assert labels == [("seen", "已读"), ("will_call", "我会联系客户")]


async def test_open_card_records_the_card_and_sends_it(fake, card, li):
    row = await CardInstance.get(out_track_id=card.out_track_id)
    assert (row.kind, row.staff_id, row.subject_type, row.subject_id, row.status) == (
        "dispute", li.id, "statement", "7", "open")
    sent = shown(fake, card.out_track_id)
    assert sent["delivered_to"] == ["sales-li"] and sent["updates"] == 0
    assert sent["template_id"] == "demo-card-dispute.schema"
    assert sent["title"] == "对账不符：联想" and sent["buttons"] == ["已读", "我会联系客户"]
    [request] = [r["json"] for r in fake.requests
                 if r["path"] == "/v1.0/card/instances/createAndDeliver"]
    assert request["openSpaceId"] == "dtv1.card//IM_ROBOT.sales-li"
    assert request["callbackType"] == "STREAM" and request["userIdType"] == 1
    assert request["imRobotOpenDeliverModel"] == {"spaceType": "IM_ROBOT",
                                                  "robotCode": "ding-demo-app"}
    assert all(isinstance(v, str) for v in request["cardData"]["cardParamMap"].values())


async def test_open_card_with_the_same_track_id_resends_instead_of_duplicating(fake, api, li,
                                                                              clock):
    data = build_dispute_card(DISPUTE)
    first = await open_card(api, li, "dispute", "statement", 7, data, clock(),
                            out_track_id="dispute-7-1", template=TEMPLATE)
    again = await open_card(api, li, "dispute", "statement", 7, data, clock(),
                            out_track_id="dispute-7-1", template=TEMPLATE)
    assert first.id == again.id and await CardInstance.all().count() == 1
    assert [s["kind"] for s in fake.sent] == ["card", "card"]


async def test_open_card_that_cannot_be_sent_leaves_no_task(fake, api, li, clock):
    fake.fail_next(1, status=503, path="/v1.0/card/instances/createAndDeliver")
    with pytest.raises(DingTalkError) as err:
        await open_card(api, li, "dispute", "statement", 7, build_dispute_card(DISPUTE), clock(),
                        template=TEMPLATE)
    assert err.value.retryable
    assert await CardInstance.all().count() == 0


async def test_open_card_for_staff_without_dingtalk_is_invalid(api, li, clock):
    li.dingtalk_userid = None
    with pytest.raises(Invalid):
        await open_card(api, li, "dispute", "statement", 7, {}, clock(), template=TEMPLATE)


async def test_pressing_a_button_records_it_and_updates_the_card_once(fake, stream, card, clock):
    ack = await press(fake, stream, "sales-li", card.out_track_id, "will_call")
    assert ack["code"] == 200
    row = await CardInstance.get(id=card.id)
    assert (row.status, row.action) == ("done", "will_call")
    assert row.acted_at == clock()
    current = shown(fake, card.out_track_id)
    assert current["updates"] == 1 and current["buttons"] == []
    assert "李业务 将联系客户" in current["markdown"]


async def test_a_repeated_or_stale_press_changes_nothing(fake, stream, card):
    await press(fake, stream, "sales-li", card.out_track_id, "seen")
    second = await press(fake, stream, "sales-li", card.out_track_id, "seen")
    other = await press(fake, stream, "sales-li", card.out_track_id, "will_call")
    assert second["code"] == 200 and other["code"] == 200
    row = await CardInstance.get(id=card.id)
    assert (row.status, row.action) == ("done", "seen")
    assert fake.cards[card.out_track_id]["updates"] == 1
    assert [s["kind"] for s in fake.sent].count("card_update") == 1


async def test_a_redelivered_callback_is_handled_once(fake, stream, card):
    message_id = fake.push_card_callback("sales-li", card.out_track_id, {"action": "seen"})
    await fake.await_ack(message_id)
    fake.redeliver(message_id)
    await fake._until(lambda: len(fake.acks[message_id]) == 2, 5, "second ack")
    await drain(stream)
    assert fake.cards[card.out_track_id]["updates"] == 1


async def test_a_press_by_another_user_is_refused(fake, stream, card):
    ack = await press(fake, stream, "sales-wang", card.out_track_id, "seen")
    assert ack["code"] == 200
    row = await CardInstance.get(id=card.id)
    assert (row.status, row.action) == ("open", "")
    assert fake.cards[card.out_track_id]["updates"] == 0
    [refusal] = [s for s in fake.sent if s["kind"] == "batch"]
    assert refusal["user_ids"] == ["sales-wang"] and "不是发给你的" in refusal["param"]["content"]


async def test_an_unknown_action_or_card_changes_nothing(fake, stream, card):
    await press(fake, stream, "sales-li", card.out_track_id, "approve")
    await press(fake, stream, "sales-li", "no-such-card", "seen")
    assert (await CardInstance.get(id=card.id)).status == "open"
    assert fake.cards[card.out_track_id]["updates"] == 0


async def test_pending_tasks_lists_open_cards(fake, stream, card):
    message_id = fake.push_bot_message("sales-li", "待办")
    await fake.await_ack(message_id)
    await drain(stream)
    [reply] = await fake.await_replies(1)
    assert "你有 1 项待办" in reply["content"] and "对账不符：联想" in reply["content"]
    await press(fake, stream, "sales-li", card.out_track_id, "seen")
    fake.push_bot_message("sales-li", "待办")
    replies = await fake.await_replies(2)
    assert "没有待办" in replies[-1]["content"]


@pytest.fixture
def approval_kind():
    applied = []

    async def approve(card, staff, comment, now):
        applied.append(("approve", staff.name, comment))

    async def reject(card, staff, comment, now):
        if comment == "boom":
            raise Invalid("flow_closed", "流程已结束")
        applied.append(("reject", staff.name, comment))

    register("test_approval", CardAction("approve", "同意", "已同意", apply=approve),
             CardAction("reject", "拒绝", "已拒绝", apply=reject, comment_required=True))
    yield applied
    REGISTRY.pop("test_approval")


async def test_a_registered_kind_applies_its_action_with_the_comment(
    fake, stream, api, li, clock, approval_kind
):
    data = standard_card("审批：临时额度", "申请 ¥10,000.00", "test_approval")
    card = await open_card(api, li, "test_approval", "flow", 1, data, clock(),
                           template=WITH_COMMENT)
    await press(fake, stream, "sales-li", card.out_track_id, "reject")  # no comment: refused
    await press(fake, stream, "sales-li", card.out_track_id, "reject", comment="boom")
    assert (await CardInstance.get(id=card.id)).status == "open" and approval_kind == []
    refusals = [s["param"]["content"] for s in fake.sent if s["kind"] == "batch"]
    assert refusals == ["「拒绝」需要填写意见。", "流程已结束"]
    await press(fake, stream, "sales-li", card.out_track_id, "reject", comment="额度不足")
    row = await CardInstance.get(id=card.id)
    assert (row.status, row.action, row.comment) == ("done", "reject", "额度不足")
    assert approval_kind == [("reject", "李业务", "额度不足")]
    text = shown(fake, card.out_track_id)["markdown"]
    assert "李业务 已拒绝" in text and "额度不足" in text


async def test_the_sandbox_presses_a_card_through_the_fake_gateway(
        aiohttp_client, fake, stream, card):
    """`tally sandbox press` (its /_sandbox route) drives the same card-platform press."""
    sandbox = await aiohttp_client(sandbox_app(Fakes(wechat=None, dingtalk=fake)))
    answer = await sandbox.post("/dingtalk/card", json={
        "userid": "sales-li", "card": card.out_track_id, "action": "will_call", "comment": "x"})
    assert answer.status == 200
    shown_card = (await answer.json())["card"]
    assert shown_card["updates"] == 1 and "李业务 将联系客户" in shown_card["params"]["markdown"]
    await sandbox.close()
