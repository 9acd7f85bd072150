"""Mini-program subscribe consents: each acceptance allows one message of that template."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from domain.notices.models import MpSubscription


async def add_subscriptions(contact_id: int, template_ids: list[str]) -> dict[str, int]:
    """One more message allowed per template; returns the new remaining counts."""
    async with in_transaction():
        for template_id in template_ids:
            await _increment(contact_id, template_id)
        rows = await MpSubscription.filter(contact_id=contact_id, template_id__in=template_ids)
    return {row.template_id: row.remaining for row in rows}


async def _increment(contact_id: int, template_id: str) -> None:
    mine = MpSubscription.filter(contact_id=contact_id, template_id=template_id)
    if await mine.update(remaining=F("remaining") + 1):
        return
    try:
        async with in_transaction():  # a savepoint, so a lost race does not spoil the outer one
            await MpSubscription.create(contact_id=contact_id, template_id=template_id,
                                        remaining=1)
    except IntegrityError:
        await mine.update(remaining=F("remaining") + 1)
