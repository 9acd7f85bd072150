"""Interactive cards given to staff: open until the staff member acts on one, once."""

from __future__ import annotations

from datetime import datetime

from domain.models import CardInstance

OPEN, DONE = "open", "done"


async def complete_card(card: CardInstance, action: str, comment: str, now: datetime) -> bool:
    """Close an open card with what its staff member did; False if it was no longer open."""
    updated = await CardInstance.filter(id=card.id, status=OPEN).update(
        status=DONE, action=action, comment=comment, acted_at=now
    )
    if updated:
        card.status, card.action, card.comment, card.acted_at = DONE, action, comment, now
    return bool(updated)
