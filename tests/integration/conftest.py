"""A private fake DingTalk, an API client on it and the service's stream client connected to
it, for the stream and card tests (modules that need another `fake` or `api` define their own);
the outbox dispatcher with real senders, for the delivery tests."""

from __future__ import annotations

import pytest

from bot.dingtalk_api import DingTalkApi
from bot.dingtalk_bot import create_stream_client
from bot.dingtalk_stream import running
from domain.statements.service import ShareSettings
from tests.fakes.dingtalk import CLIENT_ID, CLIENT_SECRET, ROBOT_CODE, FakeDingTalk
from tests.support.delivery import (
    GROUP_SECRET,
    GROUP_TOKEN,
    delivery_config,
    dispatcher_factory,
    fresh_delivery_settings,
)
from tests.support.dingtalk import wait_connected


@pytest.fixture
def fake():
    with FakeDingTalk() as server:
        yield server


@pytest.fixture
async def api(fake):
    client = DingTalkApi(CLIENT_ID, CLIENT_SECRET, ROBOT_CODE, fake.base_url, timeout=2.0)
    yield client
    await client.close()


@pytest.fixture
def make_stream(fake, api, clock, settings):
    """``make_stream(**options)``: a stream client on the private fake, not yet running."""
    share = ShareSettings(settings.secret_key, settings.public_base_url)

    def make(**options):
        return create_stream_client(
            client_id=CLIENT_ID, client_secret=CLIENT_SECRET, openapi_base=fake.base_url,
            api=api, share=share, clock=clock, finance_role=settings.handover_finance_role,
            backoff=(0.05, 0.5), **options,
        )

    return make


@pytest.fixture
async def stream(client, make_stream):
    stream_client = make_stream()
    async with running(stream_client):
        await wait_connected(stream_client)
        yield stream_client


@pytest.fixture
def delivery_settings(settings, fake_dingtalk, fake_wechat):
    """Fast delivery settings on the session's fakes (emptied, with the managers' robot)."""
    return fresh_delivery_settings(settings, fake_wechat, fake_dingtalk)


@pytest.fixture
async def make_dispatcher(app, clock):
    """``await make_dispatcher(settings)``: a Dispatcher with real senders."""
    async with dispatcher_factory(app, clock) as build:
        yield build


@pytest.fixture
async def deliver(make_dispatcher, settings, fake):
    """``await deliver()``: send every queued notice to the private fake DingTalk (its managers'
    group robot too); no row may end dead. The run's stats."""
    fake.add_group_robot(GROUP_TOKEN, GROUP_SECRET)
    dispatcher = await make_dispatcher(delivery_config(settings, fake))

    async def run():
        stats = await dispatcher.run_until_empty()
        assert stats.dead == 0, stats
        return stats

    return run
