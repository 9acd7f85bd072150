"""A private fake DingTalk and an API client on it, for the stream and card tests (modules
that need another `fake` or `api` define their own)."""

from __future__ import annotations

import pytest

from bot.dingtalk_api import DingTalkApi
from tests.fakes.dingtalk import CLIENT_ID, CLIENT_SECRET, ROBOT_CODE, FakeDingTalk


@pytest.fixture
def fake():
    with FakeDingTalk() as server:
        yield server


@pytest.fixture
async def api(fake):
    client = DingTalkApi(CLIENT_ID, CLIENT_SECRET, ROBOT_CODE, fake.base_url, timeout=2.0)
    yield client
    await client.close()
