"""A statement's whole round trip through the channels, with the service's own workers running:
issued → WeChat template message to the customer → 不符合 on the H5 page → a card to the
salesperson, a message to their manager and the managers' group robot → the salesperson presses
「我会联系客户」 in DingTalk → the card is updated once, a second press changes nothing."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace

import pytest
from tortoise.contrib.test import truncate_all_models

from domain.apikeys import create_api_key
from domain.customers.models import Contact
from domain.notices.models import CardInstance, OutboxMessage
from tally.app import create_app
from tests.support import make_statement, post_ok, seed

GROUP_TOKEN, GROUP_SECRET = "journey-managers", "SECjourney"


async def _until(check, seconds: float = 10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError("timed out waiting for the channels")


@pytest.fixture
async def live(aiohttp_client, settings, clock, fake_dingtalk):
    """The service with its delivery worker and DingTalk stream connection switched on."""
    webhook = fake_dingtalk.add_group_robot(GROUP_TOKEN, GROUP_SECRET)
    live_settings = replace(settings, delivery_worker=True, dingtalk_stream=True,
                            dingtalk_group_webhook=webhook, dingtalk_group_secret=GROUP_SECRET)
    test_client = await aiohttp_client(create_app(live_settings, clock=clock))
    await truncate_all_models()
    yield test_client
    await test_client.close()


async def test_a_dispute_travels_from_the_customer_to_the_salesperson_and_back(
    live, fake_wechat, fake_dingtalk
):
    client = live
    headers = {"Authorization": f"Bearer {await _admin_key()}"}
    customers = await seed(client, headers)
    await Contact.filter(external_id="P001").update(openid="o-journey")
    wechat_before, dingtalk_before = len(fake_wechat.sent), len(fake_dingtalk.sent)

    statement = await make_statement(client, headers, customers["C001"]["id"])
    issued = await _until(lambda: [m for m in fake_wechat.sent[wechat_before:]
                                   if m["payload"]["touser"] == "o-journey"])
    link = issued[0]["payload"]["url"].removeprefix("http://tally.test")
    await post_ok(client, f"{link}/answer", {},
                  {"answer": "mismatched", "description": "退货 1000 元未冲账"})

    sent = await _until(lambda: len(fake_dingtalk.sent[dingtalk_before:]) >= 3
                        and fake_dingtalk.sent[dingtalk_before:])
    kinds = sorted(m["kind"] for m in sent)
    assert kinds == ["batch", "card", "group"]
    card = await CardInstance.get(subject_id=str(statement["id"]))
    assert card.status == "open"
    assert "退货 1000 元未冲账" in fake_dingtalk.cards[card.out_track_id]["params"]["markdown"]

    fake_dingtalk.push_card_callback("sales-li", card.out_track_id, {"action": "will_call"})
    await _until(lambda: fake_dingtalk.cards[card.out_track_id]["updates"] == 1)
    fake_dingtalk.push_card_callback("sales-li", card.out_track_id, {"action": "seen"})
    await asyncio.sleep(0.5)
    assert fake_dingtalk.cards[card.out_track_id]["updates"] == 1
    await card.refresh_from_db()
    assert (card.status, card.action) == ("done", "will_call")
    statuses = await OutboxMessage.all().values_list("status", flat=True)
    assert set(statuses) == {"sent"}


async def _admin_key() -> str:
    _, key = await create_api_key("journey admin", "admin")
    return key
