"""Waits shared by the DingTalk stream and card tests."""

from __future__ import annotations

import asyncio


async def wait_connected(stream_client) -> None:
    async with asyncio.timeout(5):
        await stream_client.wait_connected()


async def drain(stream_client) -> None:
    """Until every frame pushed so far is handled, with the work it started."""
    async with asyncio.timeout(5):
        await stream_client.drain()
