"""Mini-program subscribe consents: each acceptance allows one message of that template."""

from __future__ import annotations

from collections.abc import Sequence

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from domain.contacts import follows_official_account
from domain.customers.models import Contact
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


MAX_ASKED = 3  # wx.requestSubscribeMessage takes at most three template ids at a time


async def templates_to_request(contact: Contact | None,
                               templates: Sequence[tuple[str, str]]) -> list[str]:
    """The mini-program templates to ask this contact's consent for now, given each customer
    notice's (official-account template id, mini-program template id): those it could not get
    on the official account (not following it, or no template there) and has no consent left
    for. A consent buys one message, so this is asked again at each visit until given."""
    if contact is None or contact.customer_id is None or not contact.mp_openid:
        return []
    follows = follows_official_account(contact.openid, contact.oa_unsubscribed_at)
    wanted = list(dict.fromkeys(mp for oa, mp in templates if mp and not (follows and oa)))
    if not wanted:
        return []
    held = await MpSubscription.filter(
        contact_id=contact.id, template_id__in=wanted, remaining__gt=0
    ).values_list("template_id", flat=True)
    return [t for t in wanted if t not in set(held)][:MAX_ASKED]
