"""A private fake DingTalk, an API client on it and the service's stream client connected to
it, for the stream and card tests (modules that need another `fake`, `api` or `stream` define
their own)."""

from __future__ import annotations

import pytest

from bot.dingtalk_api import DingTalkApi
from bot.dingtalk_bot import create_stream_client
from bot.dingtalk_stream import running
from domain.statements.service import ShareSettings
from tests.fakes.dingtalk import CLIENT_ID, CLIENT_SECRET, ROBOT_CODE, FakeDingTalk
from tests.integration.dingtalk_waits import wait_connected


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
async def stream(client, fake, api, clock, settings):
    stream_client = create_stream_client(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, openapi_base=fake.base_url, api=api,
        share=ShareSettings(settings.secret_key, settings.public_base_url), clock=clock,
        backoff=(0.05, 0.5),
    )
    async with running(stream_client):
        await wait_connected(stream_client)
        yield stream_client
