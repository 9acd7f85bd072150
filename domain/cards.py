"""Interactive cards given to staff: open until the staff member acts on one, once."""

from __future__ import annotations

from datetime import datetime

from domain.notices.models import CardInstance

OPEN, DONE = "open", "done"
RETIRED = "retired"  # the action recorded on a card closed because its subject moved on


async def complete_card(card: CardInstance, action: str, comment: str, now: datetime) -> bool:
    """Close an open card with what its staff member did; False if it was no longer open."""
    updated = await CardInstance.filter(id=card.id, status=OPEN).update(
        status=DONE, action=action, comment=comment, acted_at=now
    )
    if updated:
        card.status, card.action, card.comment, card.acted_at = DONE, action, comment, now
    return bool(updated)


async def retire_cards(subject_type: str, subject_ids: list[int | str], now: datetime) -> int:
    """Close the open cards of subjects nobody can act on any more (a task another holder
    decided, a withdrawn flow), so they leave the 待办 list at once; delivery redraws them."""
    if not subject_ids:
        return 0
    return await CardInstance.filter(
        subject_type=subject_type, subject_id__in=[str(i) for i in subject_ids], status=OPEN
    ).update(status=DONE, action=RETIRED, acted_at=now)
