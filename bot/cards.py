"""Interactive DingTalk cards: opening one for a staff member, and acting on its buttons.

A card is a ``CardInstance`` row (kind, subject, the staff member it was sent to, its drawing in
``data``: a title, markdown blocks and button blocks) plus a card-platform instance created and
delivered through ``DingTalkApi`` under the row's ``out_track_id``, drawn with the kind's
template (``bot.card_templates``) from ``card_params(data)``. A button press comes
back on the stream topic ``/v1.0/card/instances/callback``; ``CardCallbackHandler`` checks the
presser is the card's staff member, applies the action registered for the card's kind (once: a
repeated or stale press changes nothing and is answered with the reason) and replaces the
buttons with the outcome. A card whose subject moved on without it (``closed_reason``: a task
another holder decided) goes out, or is redrawn (``redraw_retired``), without buttons.

Actions are registered per card kind (``register``), at composition (``tally.registries``
registers each declared ``CardKind``: the dispute card here, the approval card's approve /
reject / return with a comment in bot.approval_cards, the hand-over card's), with an ``apply``
(a button whose action needs a comment becomes a link to ``page_url`` when the template has no
comment input: the press could not carry one)
that calls its domain use case inside the same transaction that closes the card. When the use
case refuses with an error marked ``retires_card`` (the task was decided by someone else, the
flow was withdrawn), the presser is told why and the card loses its buttons.
"""

from __future__ import annotations

import copy
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from dingtalk_stream import CardCallbackMessage
from dingtalk_stream.frames import CallbackMessage
from tortoise.transactions import in_transaction

from bot.card_templates import CardTemplate
from bot.dingtalk_api import DingTalkApi, DingTalkError
from bot.dingtalk_stream import FastAckHandler
from domain.cards import OPEN, RETIRED, complete_card
from domain.common_errors import STAFF_WITHOUT_DINGTALK
from domain.errors import DomainError
from domain.money import yuan
from domain.notices.models import CardInstance
from domain.org.models import Staff
from domain.staff_queries import staff_by_dingtalk_id

log = logging.getLogger(__name__)

CARD_TOPIC = "/v1.0/card/instances/callback"
DISPUTE = "dispute"
ACTIONS_ID = "actions"

ApplyFn = Callable[[CardInstance, Staff, str, datetime], Awaitable[None]]
# Why a card's subject can no longer be acted on (None while it can), by subject id.
ClosedReasonFn = Callable[[str], Awaitable[str | None]]


@dataclass(frozen=True)
class CardAction:
    """A button: ``name`` comes back in the callback, ``outcome`` replaces the buttons."""

    name: str
    label: str
    outcome: str
    apply: ApplyFn | None = None  # domain effect, run in the transaction that closes the card
    comment_required: bool = False


@dataclass(frozen=True)
class CardKind:
    """A card kind's buttons, and how to tell its subject moved on without the card."""

    kind: str
    actions: tuple[CardAction, ...]
    closed_reason: ClosedReasonFn | None = None


REGISTRY: dict[str, dict[str, CardAction]] = {}
CLOSED_REASONS: dict[str, ClosedReasonFn] = {}


def register(kind: str, *actions: CardAction, closed_reason: ClosedReasonFn | None = None
             ) -> None:
    """Declare the buttons of a card kind (later registrations of a name replace earlier), and
    how to tell that its subject moved on without the card (e.g. decided by someone else)."""
    REGISTRY.setdefault(kind, {}).update({a.name: a for a in actions})
    if closed_reason is not None:
        CLOSED_REASONS[kind] = closed_reason


def register_card(card: CardKind) -> None:
    register(card.kind, *card.actions, closed_reason=card.closed_reason)


DISPUTE_CARD = CardKind(DISPUTE, (
    CardAction("seen", "已读", "已读"),
    CardAction("will_call", "我会联系客户", "将联系客户"),
))


# ----- card data: what Tally stores and the card platform's variables drawn from it -----


def _button(action: CardAction, primary: bool) -> dict[str, Any]:
    return {
        "type": "button",
        "label": {"type": "text", "text": action.label, "id": f"label_{action.name}"},
        "actionType": "request",
        "status": "primary" if primary else "normal",
        "id": action.name,
    }


def standard_card(title: str, markdown: str, kind: str) -> dict[str, Any]:
    """A card's drawing: a title, a markdown body and the kind's registered buttons (what
    ``card_params`` turns into the template's variables)."""
    buttons = [_button(a, i == 0) for i, a in enumerate(REGISTRY[kind].values())]
    return {
        "config": {"autoLayout": True, "enableForward": False},
        "header": {"title": {"type": "text", "text": title}},
        "contents": [
            {"type": "markdown", "text": markdown, "id": "body"},
            {"type": "action", "actions": buttons, "id": ACTIONS_ID},
        ],
    }


def build_dispute_card(payload: dict[str, Any]) -> dict[str, Any]:
    """The card a salesperson gets when a customer answers 不符合 (the outbox payload of
    ``statement_disputed``: customer, date_from, date_to, closing, description, answered_by)."""
    lines = [
        f"**客户**：{payload['customer']}",
        f"**对账期间**：{payload['date_from']} 至 {payload['date_to']}",
        f"**期末应收**：{yuan(Decimal(str(payload['closing'])))}",
        f"**客户说明**：{payload.get('description') or '（无）'}",
    ]
    if payload.get("answered_by"):
        lines.append(f"**反馈人**：{payload['answered_by']}")
    lines.append("客户对本期对账单提出异议，请尽快核对并联系客户。")
    return standard_card(f"对账不符：{payload['customer']}", "\n\n".join(lines), DISPUTE)


def resolved_card(card_data: dict[str, Any], outcome: str) -> dict[str, Any]:
    """The same card with its buttons replaced by what was done."""
    data = copy.deepcopy(card_data)
    contents = [c for c in data.get("contents", []) if c.get("id") != ACTIONS_ID]
    contents.append({"type": "markdown", "text": outcome, "id": "outcome"})
    data["contents"] = contents
    return data


def card_title(card: CardInstance) -> str:
    return data_title(card.data) or card.kind


def data_title(card_data: dict[str, Any]) -> str:
    title = ((card_data or {}).get("header") or {}).get("title") or {}
    return str(title.get("text") or "")


def _shown_button(button: dict[str, Any]) -> dict[str, Any]:
    shown = {"id": button.get("id", ""), "label": (button.get("label") or {}).get("text", ""),
             "primary": button.get("status") == "primary"}
    if button.get("url"):
        shown["url"] = button["url"]
    return shown


def card_params(card_data: dict[str, Any]) -> dict[str, str]:
    """The template's variables (``cardParamMap``, strings only): ``title``, ``markdown`` (the
    body's blocks, in order) and ``buttons`` (JSON: id, label, primary, and ``url`` for a link)."""
    contents = card_data.get("contents", [])
    markdown = "\n\n".join(str(c.get("text", "")) for c in contents if c.get("type") == "markdown")
    buttons = [_shown_button(b) for c in contents if c.get("type") == "action"
               for b in c.get("actions", [])]
    return {"title": data_title(card_data), "markdown": markdown,
            "buttons": json.dumps(buttons, ensure_ascii=False)}


def with_page_links(card_data: dict[str, Any], kind: str, page_url: str) -> dict[str, Any]:
    """The card with each button whose action needs a comment opening ``page_url`` instead."""
    needs_comment = {name for name, a in REGISTRY.get(kind, {}).items() if a.comment_required}
    data = copy.deepcopy(card_data)
    for block in data.get("contents", []):
        for button in block.get("actions", []) if block.get("type") == "action" else []:
            if button.get("id") in needs_comment:
                button["url"] = page_url
    return data


# ----- opening a card -----


async def open_card(
    api: DingTalkApi, staff: Staff, kind: str, subject_type: str, subject_id: str | int,
    card_data: dict[str, Any], now: datetime, *, template: CardTemplate,
    out_track_id: str | None = None, page_url: str = "",
) -> CardInstance:
    """Record a card for ``staff`` and send it with ``template``. Passing the same
    ``out_track_id`` again (e.g. an outbox retry) resends that card instead of opening a second
    one. Without a comment input in the template, buttons that need a comment open ``page_url``."""
    if not staff.dingtalk_userid:
        raise STAFF_WITHOUT_DINGTALK(f"员工 {staff.name} 没有钉钉账号")
    if kind not in REGISTRY:
        raise ValueError(f"unknown card kind {kind!r}")
    if not template.comment_input and page_url:
        card_data = with_page_links(card_data, kind, page_url)
    card = await CardInstance.get_or_none(out_track_id=out_track_id) if out_track_id else None
    if card is not None and card.status != OPEN:
        return card  # already acted on: sending it again would bring the buttons back
    created = card is None
    closed = await _closed_reason(kind, str(subject_id))
    if card is None:
        card = await CardInstance.create(
            out_track_id=out_track_id or f"{kind}-{uuid.uuid4().hex}", kind=kind, staff=staff,
            subject_type=subject_type, subject_id=str(subject_id), data=card_data,
            created_at=now,
        )
    if closed is not None:  # moved on before the card went out: it goes out without buttons
        await complete_card(card, RETIRED, "", now)
    shown = card.data if closed is None else retired_card(card.data, closed)
    try:
        await api.send_card(staff.dingtalk_userid, card.out_track_id, template.template_id,
                            card_params(shown), data_title(shown))
    except DingTalkError:
        if created and out_track_id is None:
            await card.delete()  # nobody could retry this one: leave no orphan task
        raise
    return card


# ----- acting on a card -----


@dataclass(frozen=True)
class CardPress:
    out_track_id: str
    user_id: str
    action: str
    comment: str


def parse_press(data: dict[str, Any]) -> CardPress:
    message = CardCallbackMessage.from_dict(data)
    private = (message.content or {}).get("cardPrivateData") or {}
    params = private.get("params") or {}
    action_ids = private.get("actionIds") or [""]
    action = str(params.get("action") or action_ids[0] or "")
    comment = str(params.get("comment") or "").strip()
    return CardPress(message.card_instance_id, message.user_id, action, comment)


async def act_on_card(
    api: DingTalkApi, press: CardPress, now: datetime
) -> CardInstance | None:
    """Apply a button press once. None when it changed nothing (unknown or foreign card,
    unknown action, already acted on)."""
    card = await CardInstance.get_or_none(out_track_id=press.out_track_id)
    if card is None:
        log.warning("card callback for unknown card %s", press.out_track_id)
        return None
    presser = await staff_by_dingtalk_id(press.user_id)
    if presser is None or presser.id != card.staff_id:
        await _refuse(api, press.user_id, "这张卡片不是发给你的，无法操作。")
        return None
    action = REGISTRY.get(card.kind, {}).get(press.action)
    if action is None:
        log.info("card %s: unknown press %r ignored", card.out_track_id, press.action)
        return None
    if card.status != OPEN:  # pressed again, or closed by someone else: say why
        await _refuse(api, press.user_id, await _why_not_open(card))
        return None
    if action.comment_required and not press.comment:
        await _refuse(api, press.user_id, f"「{action.label}」需要填写意见。")
        return None
    try:
        if not await _close(card, action, presser, press.comment, now):
            return None
    except DomainError as exc:  # the action's use case said no: the card stays open
        card.status = OPEN
        await _refuse(api, press.user_id, exc.message)
        if getattr(exc, "retires_card", False):  # e.g. decided by someone else: nothing to do
            await _retire(api, card, exc.message, now)
        return None
    await _show_outcome(api, card, action, presser, now)
    return card


async def _close(card, action: CardAction, presser: Staff, comment: str, now) -> bool:
    async with in_transaction():
        if not await complete_card(card, action.name, comment, now):
            return False
        if action.apply is not None:
            await action.apply(card, presser, comment, now)
    return True


async def _show_outcome(api, card: CardInstance, action: CardAction, presser, now) -> None:
    outcome = f"✅ {presser.name} {action.outcome}（{now:%Y-%m-%d %H:%M}）"
    if card.comment:
        outcome += f"\n\n意见：{card.comment}"
    try:
        await api.update_card(card.out_track_id, card_params(resolved_card(card.data, outcome)))
    except DingTalkError as exc:
        log.warning("card %s acted on but not updated: %s", card.out_track_id, exc)


async def _retire(api: DingTalkApi, card: CardInstance, reason: str, now: datetime) -> None:
    """Close a card whose subject can no longer be acted on and show why instead of buttons."""
    if not await complete_card(card, RETIRED, "", now):
        return
    try:
        await api.update_card(card.out_track_id, card_params(retired_card(card.data, reason)))
    except DingTalkError as exc:
        log.warning("card %s retired but not updated: %s", card.out_track_id, exc)


def retired_card(card_data: dict[str, Any], reason: str) -> dict[str, Any]:
    return resolved_card(card_data, f"⚠️ {reason}")


async def redraw_retired(api: DingTalkApi, staff_id: int, subject_type: str, subject_id: str,
                         reason: str, now: datetime) -> str:
    """Redraw the staff member's cards on a subject that moved on without them: no buttons,
    the reason instead (DingTalk's card update). A card its holder acted on keeps the outcome
    it shows. The redrawn cards' out_track_ids, "" when none (a card not sent yet will be drawn
    this way when it goes out)."""
    cards = await CardInstance.filter(staff_id=staff_id, subject_type=subject_type,
                                      subject_id=subject_id).order_by("id")
    redrawn = []
    for card in cards:
        if card.status == OPEN:  # still open only if it raced the close
            await complete_card(card, RETIRED, "", now)
        elif card.action != RETIRED:
            continue
        await api.update_card(card.out_track_id, card_params(retired_card(card.data, reason)))
        redrawn.append(card.out_track_id)
    return ",".join(redrawn)


async def _closed_reason(kind: str, subject_id: str) -> str | None:
    closed_reason = CLOSED_REASONS.get(kind)
    return await closed_reason(subject_id) if closed_reason else None


async def _why_not_open(card: CardInstance) -> str:
    reason = await _closed_reason(card.kind, card.subject_id)
    if reason:
        return reason
    done = REGISTRY.get(card.kind, {}).get(card.action)
    return f"这张卡片已处理（{done.outcome if done else '已失效'}），无需再操作。"


async def _refuse(api: DingTalkApi, user_id: str, text: str) -> None:
    log.warning("card press refused for %s: %s", user_id, text)
    if not user_id:
        return
    try:
        await api.send_text([user_id], text)
    except DingTalkError as exc:
        log.warning("could not tell %s the press was refused: %s", user_id, exc)


class CardCallbackHandler(FastAckHandler):
    """Stream handler for card button presses (acks at once, acts in a tracked task)."""

    def __init__(self, api: DingTalkApi, clock: Callable[[], datetime]) -> None:
        super().__init__(clock)
        self.api = api

    async def handle(self, message: CallbackMessage) -> None:
        await act_on_card(self.api, parse_press(message.data), self.clock())
