"""Waits and steps shared by the DingTalk stream, bot and card tests, on the private fake."""

from __future__ import annotations

import asyncio


async def wait_connected(stream_client) -> None:
    async with asyncio.timeout(5):
        await stream_client.wait_connected()


async def drain(stream_client) -> None:
    """Until every frame pushed so far is handled, with the work it started."""
    async with asyncio.timeout(5):
        await stream_client.drain()


async def press(fake, stream_client, user_id, out_track_id, action, **params) -> dict:
    """Press a card button on the fake DingTalk as ``user_id``; its ack, once it is handled."""
    message_id = fake.push_card_callback(user_id, out_track_id, {"action": action, **params})
    ack = await fake.await_ack(message_id)
    await drain(stream_client)
    return ack


async def ask(fake, stream, user_id, text, **kwargs) -> dict:
    """Push a bot message, wait for its ack and handling; the reply it got."""
    before = len(fake.replies)
    message_id = fake.push_bot_message(user_id, text, **kwargs)
    ack = await fake.await_ack(message_id)
    assert ack["code"] == 200
    await drain(stream)
    replies = await fake.await_replies(before + 1)
    return replies[-1]
