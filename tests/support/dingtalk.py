"""Waits and steps shared by the DingTalk stream, bot and card tests, on the private fake."""

from __future__ import annotations

import asyncio
import json


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


def shown(fake, out_track_id: str) -> dict:
    """What a card on the fake DingTalk shows now, from its card-platform variables: title,
    markdown (the body and, once acted on, the outcome), button labels and link buttons
    (label → url); with whom it was delivered to, its template and how often it was updated."""
    card = fake.cards[out_track_id]
    params = card["params"]
    buttons = json.loads(params.get("buttons") or "[]")
    return {"user_id": card["user_id"], "delivered_to": card["delivered_to"],
            "template_id": card["template_id"], "updates": card["updates"],
            "title": params.get("title", ""), "markdown": params.get("markdown", ""),
            "buttons": [b["label"] for b in buttons],
            "links": {b["label"]: b["url"] for b in buttons if b.get("url")}}
