"""Finance's hand-over card in DingTalk: the people whose documents still wait for confirmation
(交款交账), one row per person and day with a 确认 button, and 全部确认 for every row still open.

A press confirms exactly the (person, day) it names — as listed by the queued notice
(``domain.handover.notices.listed_rows``), not whatever came in since — acting as the finance
member who pressed, and redraws that row as done. The card stays open while rows remain (so
its row buttons live in their own block, not ``bot.cards.ACTIONS_ID``, which a press removes);
once every row is done it closes, and any later press changes nothing. A row whose documents
someone confirmed meanwhile is simply shown as already confirmed.

The buttons (``HANDOVER_CARD``: ``p0`` … and ``all``) go into ``bot.cards.REGISTRY`` at
composition (``tally.registries``); bot.senders lists ``pending_card_notice`` for the
``handover_pending`` notice.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from bot.cards import CardAction, CardKind
from bot.texts import plain
from domain.cards import OPEN
from domain.handover import notices
from domain.handover.errors import HANDOVER_LISTING_GONE, HANDOVER_ROW_DONE
from domain.notices.models import CardInstance
from domain.org.models import Staff

HANDOVER = "handover"  # the card kind
SUBJECT = "handover_day"  # the card's subject: the day handed over (its id: YYYY-MM-DD)
ALL = "all"
ROW_ACTIONS = tuple(f"p{i}" for i in range(notices.MAX_LISTED))
BUTTONS_ID = "handover_actions"


def _confirming(index: int | None):
    async def apply(card: CardInstance, staff: Staff, comment: str, now: datetime) -> None:
        await confirm_from_card(card, staff, index, now)

    return apply


HANDOVER_CARD = CardKind(HANDOVER, (
    *(CardAction(name, "确认", "已确认", apply=_confirming(i))
      for i, name in enumerate(ROW_ACTIONS)),
    CardAction(ALL, "全部确认", "已全部确认", apply=_confirming(None)),
))


# ----- drawing -----


def _row_text(row: Mapping[str, Any]) -> str:
    return (f"**{plain(row.get('name', ''), 20)}** {row.get('day', '')}："
            f"待确认 {row.get('unconfirmed', 0)} 张")


def _done_text(row: Mapping[str, Any], confirmed: int, now: datetime) -> str:
    what = f"已确认 {confirmed} 张" if confirmed else "已无待确认单据（已由他人确认）"
    return (f"~~**{plain(row.get('name', ''), 20)}** {row.get('day', '')}~~ "
            f"✅ {what}（{now:%m-%d %H:%M}）")


def _button(name: str, label: str, primary: bool = False) -> dict[str, Any]:
    return {"type": "button", "id": name, "actionType": "request",
            "status": "primary" if primary else "normal",
            "label": {"type": "text", "text": label, "id": f"label_{name}"}}


def _row_button(index: int, row: Mapping[str, Any]) -> dict[str, Any]:
    day = str(row.get("day", ""))[5:]
    return _button(ROW_ACTIONS[index], f"确认 {plain(row.get('name', ''), 10)} {day}")


def build_pending_card(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The finance card, drawn from the ``handover_pending`` outbox payload alone."""
    rows = list(payload.get("rows") or [])[:notices.MAX_LISTED]
    contents: list[dict[str, Any]] = [{
        "type": "markdown", "id": "body",
        "text": f"以下人员有待确认的交账单据（{payload.get('from', '')} 至 "
                f"{payload.get('date', '')}），请核对款项后确认："}]
    contents += [{"type": "markdown", "id": f"row{i}", "text": _row_text(row)}
                 for i, row in enumerate(rows)]
    if payload.get("more"):
        contents.append({"type": "markdown", "id": "more",
                         "text": f"另有 {payload['more']} 项未列出，请在后台交款交账中处理。"})
    buttons = [_row_button(i, row) for i, row in enumerate(rows)]
    buttons.append(_button(ALL, "全部确认", primary=True))
    contents.append({"type": "action", "id": BUTTONS_ID, "actions": buttons})
    title = f"待确认交账 {len(rows)} 项（截至 {payload.get('date', '')}）"
    return {"config": {"autoLayout": True, "enableForward": False},
            "header": {"title": {"type": "text", "text": title}}, "contents": contents}


def pending_card_notice(payload: Mapping[str, Any]) -> tuple[str, str, str, dict]:
    return HANDOVER, SUBJECT, str(payload["date"]), build_pending_card(payload)


def open_rows(data: Mapping[str, Any]) -> list[int]:
    """The rows whose 确认 button is still on the card."""
    blocks = [c for c in data.get("contents", []) if c.get("id") == BUTTONS_ID]
    names = {b.get("id") for block in blocks for b in block.get("actions", [])}
    return [i for i, name in enumerate(ROW_ACTIONS) if name in names]


def _redrawn(data: Mapping[str, Any], done: dict[int, str]) -> dict[str, Any]:
    """The card with rows ``done`` (index → text) marked and their buttons gone; with no row
    left, without buttons at all."""
    new = copy.deepcopy(dict(data))
    gone = {ROW_ACTIONS[i] for i in done}
    for block in new.get("contents", []):
        index = int(block["id"][3:]) if str(block.get("id", "")).startswith("row") else None
        if index in done:
            block["text"] = done[index]
        if block.get("id") == BUTTONS_ID:
            block["actions"] = [b for b in block["actions"] if b.get("id") not in gone]
    if not open_rows(new):
        new["contents"] = [c for c in new["contents"] if c.get("id") != BUTTONS_ID]
    return new


# ----- acting -----


async def confirm_from_card(card: CardInstance, staff: Staff, index: int | None,
                            now: datetime) -> None:
    """Confirm row ``index`` (None: every open row) of the card as ``staff``; runs in the
    transaction that closed the card, and reopens it while rows remain."""
    fresh = await CardInstance.get(id=card.id)  # another press may have redrawn it meanwhile
    still_open = open_rows(fresh.data)
    chosen = still_open if index is None else [index]
    if index is not None and index not in still_open:
        raise HANDOVER_ROW_DONE("这一项已经确认过了，无需重复操作。")
    rows = await notices.listed_rows(date.fromisoformat(card.subject_id), card.staff_id)
    if not rows:
        raise HANDOVER_LISTING_GONE("找不到这张卡片列出的交账，请在后台交款交账中处理。")
    done = {}
    for i in chosen:
        if i < len(rows):
            confirmed = await notices.confirm_row(rows[i], by=staff.name, now=now)
            done[i] = _done_text(rows[i], confirmed, now)
    card.data = _redrawn(fresh.data, done)
    reopen = {"status": OPEN} if open_rows(card.data) else {}
    await CardInstance.filter(id=card.id).update(data=card.data, **reopen)
