"""WeChat access tokens shared through the database: two gateways (two replicas) against the fake
WeChat API fetch one token between them, and keep the expiry wechatpy only keeps in memory."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.wechat import WeChatError, WeChatGateway
from bot.wechat_tokens import DbSessionStorage
from domain.system.models import WeChatToken
from tests.conftest import Clock
from tests.fakes.wechat import MP_APPID, MP_SECRET, OA_APPID, OA_SECRET, FakeWeChat

TOKEN = "cgi-bin/token"
KEY = f"{OA_APPID}_access_token"


@pytest.fixture
def fake():
    with FakeWeChat() as server:
        yield server


@pytest.fixture
def token_clock():
    return Clock(datetime.now(UTC))


@pytest.fixture
async def storage(client, token_clock):
    return DbSessionStorage(clock=token_clock)


@pytest.fixture
async def replicas(fake, storage):
    """Two gateways, as two service replicas would have, sharing the database storage."""
    gateways = [
        WeChatGateway(OA_APPID, OA_SECRET, fake.base_url, mp_appid=MP_APPID,
                      mp_secret=MP_SECRET, timeout=2.0, max_threads=2, session=storage)
        for _ in range(2)
    ]
    yield gateways
    for gateway in gateways:
        await gateway.close()


async def send(gateway) -> None:
    answer = await gateway.send_template("o-1", "tpl-1", {"amount": {"value": "1.00"}})
    assert answer["errcode"] == 0


async def test_two_gateways_sharing_the_database_fetch_the_token_once(fake, replicas,
                                                                      token_clock):
    first, second = replicas
    await send(first)
    await send(second)
    await send(first)
    assert fake.count(TOKEN) == 1 and len(fake.sent) == 3
    row = await WeChatToken.get(key=KEY)
    assert row.value == fake.issued_tokens()[0]
    assert abs(row.expires_at - (token_clock() + timedelta(seconds=7200))) < timedelta(seconds=1)


async def test_an_expired_stored_token_is_fetched_again(fake, replicas, token_clock):
    first, second = replicas
    await send(first)
    token_clock.advance(seconds=7200 - 30)  # within wechatpy's one-minute renewal margin
    await send(second)
    await send(first)
    assert fake.count(TOKEN) == 2
    assert (await WeChatToken.get(key=KEY)).value == fake.issued_tokens()[-1]


async def test_a_token_refreshed_after_42001_is_what_every_replica_then_uses(fake, replicas):
    first, second = replicas
    await send(first)
    await send(second)
    fake.expire_tokens()
    await send(second)  # 42001: second fetches a new token and stores it
    await send(first)  # first reads the new token from the database
    assert fake.count(TOKEN) == 2 and len(fake.sent) == 4
    assert (await WeChatToken.get(key=KEY)).value == fake.issued_tokens()[-1]


async def test_storage_keeps_the_expiry_and_answers_none_once_expired(storage, token_clock):
    await asyncio.to_thread(storage.set, "k", "v", 600)
    assert await asyncio.to_thread(storage.get, "k") == "v"
    token_clock.advance(seconds=541)
    assert await asyncio.to_thread(storage.get, "k", "gone") == "gone"
    await asyncio.to_thread(storage.set, "k", "w")  # no ttl: never expires
    assert await asyncio.to_thread(storage.get, "k") == "w"
    await asyncio.to_thread(storage.delete, "k")
    assert await WeChatToken.filter(key="k").count() == 0


async def test_calling_the_storage_on_the_event_loop_is_refused(storage):
    with pytest.raises(RuntimeError, match="event loop"):
        storage.get(KEY)


async def test_a_storage_call_that_does_not_answer_in_time_fails_retryably(client, token_clock):
    storage = DbSessionStorage(clock=token_clock, timeout=0.05)
    cancelled = asyncio.Event()

    async def stuck(key):
        try:
            await asyncio.sleep(10)
        finally:
            cancelled.set()

    storage.aget = stuck
    with pytest.raises(WeChatError) as err:
        await asyncio.to_thread(storage.get, KEY)
    assert err.value.retryable
    await asyncio.wait_for(cancelled.wait(), 1)  # the abandoned call does not linger
