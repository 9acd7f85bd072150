"""Who answered a statement, named as people read it: the bound contact or staff member by
name, or 通过分享链接 with the time and the device (SPEC §3), never an internal token."""

from __future__ import annotations

from datetime import datetime

from domain.actors import Actor

SHARE = "share"  # the actor kind of an anonymous share-link holder
SHARE_LINK = "通过分享链接"
UNNAMED_CONTACT = "微信联系人"


def answerer(actor: Actor, at: datetime, device: str = "") -> str:
    """The name staff read on the statement, the dispute card and the managers' alerts.
    ``at`` is the time of the answer in the tenant's zone (as the clock gives it)."""
    if actor.kind != SHARE:
        return actor.name
    seen = "，".join(part for part in (f"{at:%Y-%m-%d %H:%M}", device) if part)
    return f"{SHARE_LINK}（{seen}）"
