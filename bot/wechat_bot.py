"""The official-account keyword bot: small handlers that call domain functions and say the
result in Simplified Chinese. No business logic lives here.

``handle(message, ctx)`` takes a parsed wechatpy message and returns the reply text, or None when
nothing should be said. Domain errors become their (already Chinese) message; anything else is
logged and answered with an apology.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from wechatpy.events import (
    BaseEvent,
    ScanEvent,
    SubscribeEvent,
    SubscribeScanEvent,
    UnsubscribeEvent,
)
from wechatpy.messages import BaseMessage, TextMessage, UnknownMessage

from bot.wechat import WeChatError
from domain import customer_queries as queries
from domain.contacts import (
    contact_actor,
    followed,
    heard_from,
    redeem_bind_code,
    unfollowed,
)
from domain.credit.overview import CustomerDebts, customer_debts
from domain.customers.models import Contact
from domain.errors import DomainError
from domain.money import yuan
from domain.statements.rules import STATUS_LABELS, UNCONFIRMED
from domain.statements.service import ShareSettings

log = logging.getLogger(__name__)

HELP = (
    "您好，我是对账助手。请发送以下关键词：\n"
    "· 对账单 —— 查看最近的对账单并确认\n"
    "· 余额 或 欠款 —— 查看应收余额\n"
    "· 绑定 绑定码 —— 绑定您的客户（绑定码请向业务员索取）\n"
    "· 帮助 —— 查看本说明"
)
WELCOME = "欢迎关注！"
NOT_BOUND = (
    "您尚未绑定客户，暂时无法查询。\n"
    "请发送「绑定 绑定码」（例如：绑定 ABCD2345，绑定码请向业务员索取），"
    "或扫描业务员提供的绑定二维码。"
)
ASK_CODE = "请在「绑定」后加上业务员提供的绑定码，例如：绑定 ABCD2345"
BUSY = "系统繁忙，请稍后再试。"
BIND_PREFIX = "绑定"


@dataclass(frozen=True)
class BotContext:
    openid: str
    now: datetime
    share: ShareSettings
    wechat: Any = None  # the WeChatGateway: the follower's unionid comes from cgi-bin/user/info


Handler = Callable[[BaseMessage, BotContext], Awaitable[str | None]]


async def handle(message: BaseMessage, ctx: BotContext) -> str | None:
    """The reply to one message or event (None: say nothing)."""
    try:
        if not isinstance(message, UnsubscribeEvent):
            await heard_from(ctx.openid)
        return await _route(message)(message, ctx)
    except DomainError as exc:
        return exc.message
    except Exception:
        log.exception("WeChat bot failed on %s from %s", message.type, ctx.openid)
        return BUSY


def _route(message: BaseMessage) -> Handler:
    if isinstance(message, TextMessage):
        return _text_handler(message.content)
    if isinstance(message, SubscribeScanEvent):
        return subscribed_by_scan
    if isinstance(message, ScanEvent):
        return scanned
    if isinstance(message, SubscribeEvent):
        return subscribed
    if isinstance(message, UnsubscribeEvent):
        return unsubscribed
    if isinstance(message, BaseEvent | UnknownMessage):
        return ignore  # delivery reports, menu clicks, event types wechatpy does not know
    return help_text


def _text_handler(content: str) -> Handler:
    text = _normalise(content)
    if text.startswith(BIND_PREFIX):
        return bind
    return COMMANDS.get(text, help_text)


def _normalise(content: str | None) -> str:
    return (content or "").replace("\u3000", " ").strip()


# ----- handlers -----


async def help_text(message: BaseMessage, ctx: BotContext) -> str:
    return HELP


async def ignore(message: BaseMessage, ctx: BotContext) -> None:
    return None


async def statements(message: BaseMessage, ctx: BotContext) -> str:
    contact = await _bound_contact(ctx)
    if contact is None:
        return NOT_BOUND
    shared = await queries.latest_statements(contact_actor(contact), ctx.share, ctx.now)
    if not shared:
        return "暂无对账单。有新的对账单时我们会通知您。"
    name = await queries.customer_name(contact.customer_id)
    lines = [f"{name} 最近的对账单："]
    for number, item in enumerate(shared, 1):
        lines.append(_statement_line(number, item))
    return "\n".join(lines)


def _statement_line(number: int, item: queries.SharedStatement) -> str:
    s = item.statement
    action = "查看并确认" if s.status == UNCONFIRMED else "查看"
    return (
        f"{number}. {s.date_from} 至 {s.date_to}｜{STATUS_LABELS[s.status]}｜"
        f"期末应收 {yuan(s.closing)}\n{action}：{item.url}"
    )


async def balance(message: BaseMessage, ctx: BotContext) -> str:
    contact = await _bound_contact(ctx)
    if contact is None:
        return NOT_BOUND
    found = await queries.balance(contact.customer_id)
    name = await queries.customer_name(contact.customer_id)
    lines = [f"{name} 当前应收余额：{yuan(found.receivable)}"]
    lines += _debt_lines(await customer_debts(contact.customer_id, ctx.now.date()))
    if not found.unconfirmed:
        lines.append("目前没有待确认的对账单。")
    else:
        lines.append("待确认对账单的期末应收：")
        lines += [f"· {s.date_from} 至 {s.date_to}：{yuan(s.closing)}" for s in found.unconfirmed]
        lines.append("发送「对账单」查看并确认。")
    return "\n".join(lines)


def _debt_lines(debts: CustomerDebts) -> list[str]:
    """Open credit debts: the total, what falls due within a week, what is overdue."""
    if not debts.count:
        return []
    lines = [f"赊销欠款：{yuan(debts.outstanding)}（{debts.count} 笔）"]
    if debts.due_soon_count:
        lines.append(f"· 7 天内到期：{yuan(debts.due_soon)}，最早 {debts.earliest_soon} 到期")
    if debts.overdue_count:
        lines.append(f"· 已逾期：{yuan(debts.overdue)}，最长逾期 {debts.max_days_overdue} 天，"
                     "请尽快安排付款")
    return lines


async def bind(message: BaseMessage, ctx: BotContext) -> str:
    code = _normalise(message.content).removeprefix(BIND_PREFIX).strip()
    if not code:
        return ASK_CODE
    return await _bind_with(code, ctx, await _unionid(ctx))


async def subscribed(message: BaseMessage, ctx: BotContext) -> str:
    """A (re)follow: reachable again, and known as the contact the same person already is in
    the mini-program (by unionid)."""
    contact = await followed(ctx.openid, await _unionid(ctx))
    if contact is None or contact.customer_id is None:
        return f"{WELCOME}\n{HELP}"
    name = await queries.customer_name(contact.customer_id)
    return f"{WELCOME}您是客户「{name}」的联系人，新的对账单会在这里通知您。\n{HELP}"


async def unsubscribed(message: BaseMessage, ctx: BotContext) -> None:
    """Left the official account: template messages would fail (43004) until they return."""
    await unfollowed(ctx.openid, ctx.now)
    return None  # WeChat delivers no reply to someone who left


async def subscribed_by_scan(message: BaseMessage, ctx: BotContext) -> str:
    unionid = await _unionid(ctx)
    await followed(ctx.openid, unionid)
    return f"{WELCOME}\n{await _scanned(message, ctx, unionid, asked=True)}"


async def scanned(message: BaseMessage, ctx: BotContext) -> str:
    return await _scanned(message, ctx)


async def _scanned(message: BaseMessage, ctx: BotContext, unionid: str | None = None,
                   *, asked: bool = False) -> str:
    """Bind with the scan's code; the follower's unionid is asked of WeChat (unless ``asked``)
    only when there is a code to bind with."""
    code = (message.scene_id or "").strip()
    if not code:
        return HELP
    try:
        return await _bind_with(code, ctx, unionid if asked else await _unionid(ctx))
    except DomainError as exc:
        return exc.message


async def _unionid(ctx: BotContext) -> str | None:
    """The follower's unionid (events carry only the openid); None when the official account
    is not bound to an open platform, or WeChat cannot say now (binding goes on without it)."""
    if ctx.wechat is None:
        return None
    try:
        info = await ctx.wechat.user_info(ctx.openid)
    except WeChatError as exc:
        log.warning("user info for a follower failed: errcode=%s %s", exc.errcode, exc.errmsg)
        return None
    return str(info.get("unionid") or "") or None


async def _bind_with(code: str, ctx: BotContext, unionid: str | None) -> str:
    contact = await redeem_bind_code(code, now=ctx.now, openid=ctx.openid, unionid=unionid)
    name = await queries.customer_name(contact.customer_id)
    return (
        f"绑定成功！您已绑定客户「{name}」。\n"
        "发送「对账单」查看最近的对账单，发送「余额」查看应收余额。"
    )


async def _bound_contact(ctx: BotContext) -> Contact | None:
    contact = await queries.contact_by_openid(ctx.openid)
    return contact if contact is not None and contact.customer_id is not None else None


COMMANDS: dict[str, Handler] = {
    "对账单": statements,
    "欠款": balance,
    "余额": balance,
    "帮助": help_text,
}
