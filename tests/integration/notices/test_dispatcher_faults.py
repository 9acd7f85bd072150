"""Delivery under faults: random provider failures, two dispatchers draining together."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from dataclasses import replace

import pytest

from bot.senders import open_senders
from bot.wechat import WeChatGateway
from domain.notices.models import OutboxMessage
from jobs.dispatcher import Dispatcher
from tests.fakes import dingtalk as fake_dingtalk_module
from tests.fakes import wechat as fake_wechat_module
from tests.fakes.dingtalk import FakeDingTalk
from tests.fakes.wechat import MP_APPID, MP_SECRET, OA_APPID, OA_SECRET, FakeWeChat
from tests.integration.notices.test_dispatcher import queue_notices
from tests.support.delivery import (
    delivery_config,
    dispatcher_factory,
    drain,
    fresh_delivery_settings,
)

FAULT_RATE = 0.10


class RandomFaults:
    """Fails a random 10 % of a fake's calls (token fetches included)."""

    def __init__(self, seed: int) -> None:
        super().__init__()
        self.rng = random.Random(seed)
        self.injected = Counter()

    def _take_fault(self, path):
        fault = super()._take_fault(path)
        if fault is None and self.rng.random() < FAULT_RATE:
            fault, label = self._random_fault()
            self.injected[label] += 1
        return fault


class FlakyWeChat(RandomFaults, FakeWeChat):
    def _random_fault(self):
        status = self.rng.choice([500, 503, None])  # None: errcode 45009 (rate limit)
        return fake_wechat_module._Fault(1, None, status), status or 45009


class FlakyDingTalk(RandomFaults, FakeDingTalk):
    def _random_fault(self):
        status, code = self.rng.choice([(500, "ServiceUnavailable"), (429, "Throttling")])
        return fake_dingtalk_module._Fault(1, None, status, code), status


@pytest.fixture
def flaky_fakes():
    wechat, dingtalk = FlakyWeChat(seed=11), FlakyDingTalk(seed=12)
    wechat.start()
    dingtalk.start()
    yield wechat, dingtalk
    wechat.stop()
    dingtalk.stop()


def wechat_recipients(fake) -> Counter:
    return Counter(m["payload"]["touser"] for m in fake.sent)


def dingtalk_recipients(fake) -> Counter:
    return Counter(u for m in fake.sent if m["kind"] == "batch" for u in m["user_ids"])


async def test_with_ten_percent_of_calls_failing_every_notice_arrives_exactly_once(
    client, settings, flaky_fakes, clock
):
    wechat, dingtalk = flaky_fakes
    config = replace(delivery_config(settings, dingtalk), wechat_api_base=wechat.base_url,
                     delivery_max_attempts=8)
    await queue_notices(clock(), contacts=150, staff=50)
    gateway = WeChatGateway(OA_APPID, OA_SECRET, wechat.base_url, mp_appid=MP_APPID,
                            mp_secret=MP_SECRET, max_threads=2)
    try:
        async with open_senders(config, gateway) as senders:
            await drain(Dispatcher(senders, config, clock, rng=random.Random(3)), clock)
    finally:
        await gateway.close()

    assert wechat_recipients(wechat) == Counter({f"o-{i}": 1 for i in range(150)})
    assert dingtalk_recipients(dingtalk) == Counter({f"s-{i}": 1 for i in range(50)})
    assert set(await OutboxMessage.all().values_list("status", flat=True)) == {"sent"}
    retried = await OutboxMessage.filter(attempts__gt=1).count()
    assert sum(wechat.injected.values()) >= 10 and sum(dingtalk.injected.values()) >= 3
    assert retried >= 10


@pytest.fixture
def small_batches(settings, fake_wechat, fake_dingtalk):
    """Batches of 20; the fake WeChat answers after 2 ms, so two dispatchers' rounds interleave."""
    config = fresh_delivery_settings(settings, fake_wechat, fake_dingtalk, delivery_batch_size=20)
    fake_wechat.latency = 0.002
    yield config
    fake_wechat.latency = 0.0


async def test_two_dispatchers_draining_together_never_send_a_row_twice(
    client, app, small_batches, fake_wechat, clock
):
    await queue_notices(clock(), contacts=200, staff=0)
    config = small_batches
    async with dispatcher_factory(app, clock) as build:
        first, second = await build(config), await build(config)
        stats = await asyncio.gather(first.run_until_empty(), second.run_until_empty())

    assert wechat_recipients(fake_wechat) == Counter({f"o-{i}": 1 for i in range(200)})
    assert stats[0].sent + stats[1].sent == 200
    assert stats[0].sent > 0 and stats[1].sent > 0
