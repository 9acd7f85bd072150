"""Asking WeChat about the official account's followers Tally knew before it recorded
unionids and unsubscribes (``tally followers refresh``): each contact with an openid and no
unionid gets its unionid (so the mini-program recognises the person) or is marked as gone (so
no template message is tried). One ``cgi-bin/user/info`` call a contact; run it once after
upgrading, or whenever the two apps are newly bound to an open platform."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.wechat import WeChatError, WeChatGateway
from domain.contacts import followers_to_refresh, record_follower

log = logging.getLogger(__name__)
BATCH = 100
INVALID_OPENID = 40003  # not a follower of this account (another app's openid)


@dataclass
class FollowerCounts:
    following: int = 0
    gone: int = 0
    unknown: int = 0  # WeChat did not know the openid, or could not answer


async def refresh_followers(gateway: WeChatGateway, clock: Callable[[], datetime]
                            ) -> FollowerCounts:
    counts, after = FollowerCounts(), 0
    while batch := await followers_to_refresh(after, BATCH):
        for contact_id, openid in batch:
            await _refresh(gateway, openid, clock(), counts)
            after = contact_id
    return counts


async def _refresh(gateway: WeChatGateway, openid: str, now: datetime,
                   counts: FollowerCounts) -> None:
    try:
        info = await gateway.user_info(openid)
    except WeChatError as exc:
        if exc.errcode not in (INVALID_OPENID, None):
            log.warning("user info for a follower failed: errcode=%s %s",
                        exc.errcode, exc.errmsg)
        counts.unknown += 1
        return
    follows = int(info.get("subscribe") or 0) == 1
    await record_follower(openid, follows=follows, unionid=info.get("unionid"), now=now)
    if follows:
        counts.following += 1
    else:
        counts.gone += 1
