"""The mini-program page's ``scene``: which statement a notice's tap opens.

A statement notice's mini-program jump is ``pages/statement/index?scene=s%3D<nonce>``: ``s=``
and the nonce of the statement's share link (24 hex digits, 96 random bits: unguessable, and
26 characters, within WeChat's 32 for a scene). The scene only names the statement; who may see
it is the logged-in contact's customer, as for any statement in the mini-program.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from domain.access import can_see_customer
from domain.actors import Actor
from domain.statements.errors import STATEMENT_NOT_FOUND, STATEMENT_NOT_YOURS
from domain.statements.models import ShareLink, Statement

SCENE_PREFIX = "s="
MAX_SCENE = 32  # WeChat's limit for a mini-program scene
_SCENE = re.compile(r"s=([0-9a-f]{8,30})")


def statement_scene(nonce: str) -> str:
    """The scene a notice about the statement with this share-link nonce carries."""
    return f"{SCENE_PREFIX}{nonce}"


async def statement_for_scene(actor: Actor, scene: str) -> Statement:
    """The statement a scene names, if it is the contact's customer's: 404 when no statement
    has this scene (or it was deleted), 403 when it belongs to another customer."""
    found = _SCENE.fullmatch(unquote(scene.strip()))  # the page may pass it still encoded
    link = await ShareLink.get_or_none(nonce=found.group(1)) if found else None
    statement = link and await Statement.get_or_none(id=link.statement_id, deleted_at=None)
    if not statement:
        raise STATEMENT_NOT_FOUND("找不到这张对账单：链接有误，或对账单已删除")
    if not await can_see_customer(actor, statement.customer_id):
        raise STATEMENT_NOT_YOURS("这张对账单不属于你绑定的客户")
    return statement
