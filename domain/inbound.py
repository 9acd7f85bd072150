"""Inbound bot messages and callbacks: each is handled once, however often it is delivered."""

from __future__ import annotations

from datetime import datetime

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from domain.system.models import InboundMessage


async def first_delivery(source: str, message_id: str, now: datetime) -> bool:
    """Remember an inbound message id; False if it was seen before (a redelivery)."""
    try:
        async with in_transaction():  # a savepoint: a duplicate must not spoil a caller's work
            await InboundMessage.create(source=source, message_id=message_id, received_at=now)
    except IntegrityError:  # delivered before, here or on another replica
        return False
    return True
