"""The DingTalk bot for staff: 客户, 对账, 收款, 费用, 交账, 待办, 帮助 over the stream connection.

Each command is a small function from a ``BotRequest`` (who asks, the words after the command,
the time) to a ``Reply``; it calls domain functions only. ``TallyBot`` identifies the sender by
``senderStaffId`` (= ``Staff.dingtalk_userid``), acts for them by their place in the org
(finance: every customer; a manager: the team's too; ``domain.staff_queries.org_actor``),
refuses strangers and disabled staff politely, turns domain errors
into their message and answers on the message's session webhook with aiohttp (the SDK's
``reply_text`` blocks the loop). ``create_stream_client`` wires the bot and the card callbacks
onto a ``StreamClient``.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from dingtalk_stream import ChatbotMessage, Credential
from dingtalk_stream.frames import CallbackMessage

from bot import bind_qr_texts, handover_texts
from bot.cards import CARD_TOPIC, CardCallbackHandler, card_title
from bot.dingtalk_api import DingTalkApi, DingTalkError
from bot.dingtalk_help import help_text
from bot.dingtalk_stream import FastAckHandler, StreamClient
from domain import staff_queries as queries
from domain.actors import Actor
from domain.common_errors import BAD_AMOUNT, BAD_DATE, BAD_RANGE
from domain.credit.overview import CustomerCredit, CustomerDebts, customer_credit, customer_debts
from domain.customers.bind_qr import OFFICIAL_ACCOUNT, bind_qr_url, sign_bind_qr_token
from domain.customers.errors import CUSTOMER_AMBIGUOUS, CUSTOMER_NOT_FOUND
from domain.customers.models import Customer
from domain.customers.service import issue_bind_code
from domain.documents.rules import DEPOSIT, PREPAYMENT, SALE
from domain.errors import DomainError
from domain.handover import entry, notices
from domain.money import to_amount, yuan
from domain.org.models import Staff
from domain.statements.rules import STATUS_LABELS
from domain.statements.service import NewStatement, ShareSettings, create_statement, live_share_url

log = logging.getLogger(__name__)

BOT_TOPIC = ChatbotMessage.TOPIC
REFUSAL = ("抱歉，你的钉钉账号还没有登记为 Tally 员工，暂时无法使用对账机器人。"
           "请联系管理员开通。")
_MENTION = re.compile(r"^@\S+\s*")
# A word meant as a date (so a wrong one is named as a date, not read as part of a name):
# starts with digits and a date separator, is eight digits, or is a day word (昨天 …).
_DATE_MEANT = re.compile(r"^(\d{1,4}[-/.年月]|\d{8}$|[今昨前明后]天|[本上下]月)")
_DATE_FORMS = (re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
               re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})[日号]?$"),
               re.compile(r"^(\d{4})(\d{2})(\d{2})$"))
# Where words typed without spaces part: 联想2021-12-01至2021-12-22 (the 至 is kept as a word).
_UNSPACED = re.compile(r"(?<=\d)(至|到|~|～)(?=\d)|(?<=[^\d至到~～])(?=\d{4}[-/.年]\d)")
RANGE_JOINERS = {"至", "到", "~", "～", "-", "—"}
DATE_EXAMPLE = "2021-12-01"
RECEIPT_KINDS = {"预收": PREPAYMENT, "预收款": PREPAYMENT, "订金": DEPOSIT, "收订金": DEPOSIT,
                 "定金": DEPOSIT, "货款": SALE}


@dataclass(frozen=True)
class Reply:
    title: str
    text: str


@dataclass(frozen=True)
class BotRequest:
    staff: Staff
    actor: Actor
    args: tuple[str, ...]
    now: datetime
    share: ShareSettings
    message_id: str = ""  # the chat message's id: what the bot records, it records once


Command = Callable[[BotRequest], Awaitable[Reply]]


# ----- parsing -----


def parse_command(text: str | None) -> tuple[str, tuple[str, ...]]:
    """('客户', ('联想',)) from '客户 联想', '@Tally 客户　联想' or '客户联想'."""
    words = _MENTION.sub("", (text or "").replace("\u3000", " ").strip()).split()
    if not words:
        return "", ()
    head, rest = words[0], tuple(words[1:])
    for name in COMMANDS:
        if head.startswith(name) and head != name:
            return name, (head[len(name):], *rest)
    return ALIASES.get(head.lower(), head), rest


def parse_date(word: str) -> date | None:
    """2021-12-01, 2021/12/1, 2021.12.01, 2021年12月1日 or 20211201; None for anything else
    (2021-13-01 and 2021-02-30 too)."""
    for form in _DATE_FORMS:
        if (found := form.match(word)) is not None:
            try:
                return date(*(int(part) for part in found.groups()))
            except ValueError:
                return None
    return None


def split_range(args: tuple[str, ...], today: date) -> tuple[str, date, date]:
    """The customer name and the date range of '对账 <名称> [开始 [结束]]' (default: this month
    so far). A word meant as a date that is none, three dates, or a start after the end is
    refused, naming it."""
    words = [part for word in args for part in _UNSPACED.split(word) if part]
    meant = _trailing_dates(words)
    if len(meant) > 2:
        raise BAD_DATE(f"最多写两个日期（开始和结束），例如：对账 联想 {DATE_EXAMPLE} 2021-12-22")
    dates = [_checked_date(word) for word in meant]
    start, end = queries.month_so_far(today)
    if dates:
        start, end = dates[0], dates[1] if len(dates) == 2 else today
    if start > end:
        later = "今天" if len(dates) == 1 else "结束日期"
        raise BAD_RANGE(f"开始日期 {start} 晚于{later} {end}，请把早的日期写在前面")
    return " ".join(words), start, end


def _trailing_dates(words: list[str]) -> list[str]:
    """Take the words meant as dates (and a 至 between two) off the end of ``words``, leaving
    at least the first word for the customer's name; they are returned in order."""
    meant: list[str] = []
    while len(words) > 1:
        if _DATE_MEANT.match(words[-1]):
            meant.insert(0, words.pop())
        elif meant and words[-1] in RANGE_JOINERS and len(words) > 2 \
                and _DATE_MEANT.match(words[-2]):
            words.pop()
        else:
            break
    return meant


def _checked_date(word: str) -> date:
    day = parse_date(word)
    if day is None:
        raise BAD_DATE(f"日期 {word} 不对，请写成 {DATE_EXAMPLE} 这样")
    return day


# ----- commands -----


async def resolve_customer(actor: Actor, name: str) -> Customer:
    matches = await queries.find_visible_customers(actor, name)
    customer = queries.pick_customer(matches, name)
    if customer is not None:
        return customer
    if not matches:
        raise CUSTOMER_NOT_FOUND(f"没有找到你可以查看的客户「{name}」。")
    names = "、".join(c.name for c in matches)
    raise CUSTOMER_AMBIGUOUS(f"找到多个客户：{names}。请输入完整的客户名称。")


async def help_command(req: BotRequest) -> Reply:
    return Reply("帮助", help_text(req.actor))


async def customer_command(req: BotRequest) -> Reply:
    name = " ".join(req.args)
    if not name:
        return Reply("用法", "用法：**客户 <客户名称>**，例如：客户 联想")
    customer = await resolve_customer(req.actor, name)
    overview = await queries.customer_overview(req.actor, customer.id)
    credit = await customer_credit(customer.id, req.now.date())
    debts = await customer_debts(customer.id, req.now.date())
    return Reply(f"客户 {customer.name}", render_overview(overview, credit, debts))


def render_credit(credit: CustomerCredit) -> str:
    """可用额度: what is left of the lines in force, or why there is nothing."""
    if not credit.lines:
        return "- 可用额度：未开通授信"
    if not credit.in_force:
        return "- 可用额度：¥0.00（授信已到期或停用）"
    return f"- 可用额度：{yuan(credit.available)}（授信额度 {yuan(credit.limit)}）"


def render_debts(debts: CustomerDebts) -> list[str]:
    """The credit debts lines: what is owed, due within a week, overdue."""
    if not debts.count:
        return ["- 赊销欠款：无"]
    lines = [f"- 赊销欠款：{yuan(debts.outstanding)}（{debts.count} 笔）"]
    if debts.due_soon_count:
        lines.append(f"- 7 天内到期：{yuan(debts.due_soon)}（{debts.due_soon_count} 笔，"
                     f"最早 {debts.earliest_soon}）")
    if debts.overdue_count:
        lines.append(f"- 逾期欠款：{yuan(debts.overdue)}（{debts.overdue_count} 笔，"
                     f"最长逾期 {debts.max_days_overdue} 天）")
    else:
        lines.append("- 逾期欠款：无")
    return lines


def render_overview(overview: queries.CustomerOverview, credit: CustomerCredit,
                    debts: CustomerDebts) -> str:
    customer, latest = overview.customer, overview.latest_statement
    lines = [f"**{customer.name}**（{customer.code}）", f"- 应收余额：{yuan(overview.receivable)}",
             render_credit(credit)]
    if latest is None:
        lines.append("- 最近对账单：暂无")
    else:
        lines.append(
            f"- 最近对账单：{latest.date_from} 至 {latest.date_to}，"
            f"{STATUS_LABELS[latest.status]}，期末应收 {yuan(latest.closing)}"
        )
    lines += render_debts(debts)
    return "\n".join(lines)


async def statement_command(req: BotRequest) -> Reply:
    name, start, end = split_range(req.args, req.now.date())
    if not name:
        return Reply("用法", "用法：**对账 <客户名称> [开始日期 结束日期]**，"
                           "例如：对账 联想 2021-12-01 2021-12-22")
    customer = await resolve_customer(req.actor, name)
    spec = NewStatement(customer_id=customer.id, date_from=start, date_to=end, notify=True)
    statement = await create_statement(req.actor, spec, req.share, req.now)
    url = await live_share_url(req.actor, statement.id, req.share, req.now)
    notified = await queries.contacts_notified(statement.id)
    return Reply(f"对账单 {customer.name}", render_statement(customer, statement, url, notified))


def render_statement(customer: Customer, statement, url: str, notified: int) -> str:
    sent = (f"已发送给 {notified} 位客户联系人。" if notified
            else "客户还没有绑定微信的联系人，请把链接发给客户。")
    return "\n".join([
        f"已为 **{customer.name}** 生成对账单（{statement.date_from} 至 {statement.date_to}），"
        + sent,
        f"- 期初应收：{yuan(statement.opening)}",
        f"- 本期增加：{yuan(statement.increase)}",
        f"- 本期收款：{yuan(statement.receipts)}",
        f"- 期末应收：{yuan(statement.closing)}",
        f"- 单据笔数：{statement.line_count}，欠款合计：{yuan(statement.owed_total)}",
        f"- 链接：[查看对账单]({url})",
        url,
    ])


async def tasks_command(req: BotRequest) -> Reply:
    cards = await queries.open_cards(req.staff.id)
    if not cards:
        return Reply("待办", "你目前没有待办事项。")
    lines = [f"你有 {len(cards)} 项待办："]
    lines += [f"{i}. {card_title(c)}（{c.created_at:%m-%d %H:%M}）"
              for i, c in enumerate(cards, 1)]
    return Reply("待办", "\n".join(lines))


async def bind_qr_command(req: BotRequest) -> Reply:
    """A fresh bind code for the customer and a signed link to its official-account QR code
    (Tally asks WeChat for the code when DingTalk first fetches the image)."""
    name = " ".join(req.args)
    if not name:
        return Reply("用法", bind_qr_texts.USAGE)
    customer = await resolve_customer(req.actor, name)
    bind = await issue_bind_code(req.actor, customer.id, None, req.share.bind_code_ttl_hours,
                                 req.now)
    token = sign_bind_qr_token(req.share.secret, bind, OFFICIAL_ACCOUNT)
    url = bind_qr_url(req.share.base_url, token)
    return Reply(*bind_qr_texts.bind_qr_markdown(customer.name, bind.code, bind.expires_at, url))


# ----- hand-over: the salesperson records money in and out, and checks the day -----


def pop_date(words: list[str]) -> date | None:
    """Take a trailing date (2026-11-20, 2026/11/20, 2026.11.20, 2026年11月20日) off ``words``;
    a word of that shape that is no date (2026-13-01) is refused. Eight digits stay an amount."""
    if not words or not any(form.match(words[-1]) for form in _DATE_FORMS[:2]):
        return None
    word = words.pop()
    day = parse_date(word)
    if day is None:
        raise BAD_DATE(f"日期「{word}」无效，请写成 YYYY-MM-DD，例如 2026-11-20")
    return day


def pop_receipt_options(words: list[str]) -> tuple[date | None, str]:
    """The trailing date and receipt kind (预收 / 订金), in either order."""
    day, kind = None, None
    for _ in range(2):
        if words and kind is None and words[-1] in RECEIPT_KINDS:
            kind = RECEIPT_KINDS[words.pop()]
        elif day is None and (found := pop_date(words)) is not None:
            day = found
    return day, kind or SALE


def parse_amount(word: str) -> Decimal:
    text = word.strip().lstrip("¥￥").removesuffix("元")
    try:
        amount = to_amount(text)
    except ValueError:
        raise BAD_AMOUNT(f"金额「{word}」无效，请填写数字，例如 1200 或 35.50") from None
    return entry.check_amount(amount)


async def receipt_command(req: BotRequest) -> Reply:
    words = list(req.args)
    day, kind = pop_receipt_options(words)
    if len(words) < 2:
        return Reply("用法", handover_texts.RECEIPT_USAGE)
    amount = parse_amount(words.pop())
    customer = await resolve_customer(req.actor, " ".join(words))
    recorded = await entry.record_receipt(
        req.staff.id, customer.id, amount, kind=kind, day=day or req.now.date(), now=req.now,
        key=req.message_id, actor=req.actor)
    return Reply(*handover_texts.recorded_markdown(recorded))


async def expense_command(req: BotRequest) -> Reply:
    words = list(req.args)
    day = pop_date(words)
    if len(words) < 2:
        return Reply("用法", handover_texts.EXPENSE_USAGE)
    if _looks_like_amount(words[-1]) and not _looks_like_amount(words[0]):
        words = [words[-1], *words[:-1]]  # "费用 差旅 80" means the same as "费用 80 差旅"
    amount = parse_amount(words[0])
    recorded = await entry.record_expense(
        req.staff.id, amount, " ".join(words[1:]), day=day or req.now.date(), now=req.now,
        key=req.message_id)
    return Reply(*handover_texts.recorded_markdown(recorded))


def _looks_like_amount(word: str) -> bool:
    return bool(re.fullmatch(r"[¥￥]?-?[\d,]+(\.\d+)?元?", word))


async def summary_command(req: BotRequest) -> Reply:
    words = list(req.args)
    day = pop_date(words) or req.now.date()
    if words:
        return Reply("用法", handover_texts.SUMMARY_USAGE)
    payload = await notices.summary_payload(req.staff, day)
    return Reply(*handover_texts.day_summary_markdown(payload))


COMMANDS: dict[str, Command] = {
    "客户": customer_command,
    "对账": statement_command,
    "收款": receipt_command,
    "费用": expense_command,
    "交账": summary_command,
    "待办": tasks_command,
    "二维码": bind_qr_command,
    "帮助": help_command,
}
ALIASES = {"help": "帮助", "?": "帮助", "？": "帮助", "todo": "待办", "绑定码": "二维码",
           "绑定二维码": "二维码"}


# ----- the handler -----


class TallyBot(FastAckHandler):
    """Stream handler for bot messages: acks at once, answers in a tracked task."""

    def __init__(
        self, api: DingTalkApi, share: ShareSettings, clock: Callable[[], datetime],
        *, finance_role: str, wall_clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(clock)
        self.api = api
        self.share = share
        self.finance_role = finance_role  # the StaffRole whose holders see every customer
        self.wall_clock = wall_clock  # DingTalk's clock, for the session webhook's expiry

    async def handle(self, message: CallbackMessage) -> None:
        incoming = ChatbotMessage.from_dict(message.data)
        reply = await self.answer(incoming)
        await self.send(incoming, reply)

    async def answer(self, incoming: ChatbotMessage) -> Reply:
        staff = await queries.staff_by_dingtalk_id(incoming.sender_staff_id)
        if staff is None:
            return Reply("无法使用", REFUSAL)
        name, args = parse_command(incoming.text.content if incoming.text else "")
        actor = await queries.org_actor(staff, self.finance_role)
        command = COMMANDS.get(name)
        if command is None:
            usage = help_text(actor)
            return Reply("帮助", f"没有听懂「{name}」。\n\n{usage}" if name else usage)
        request = BotRequest(staff, actor, args, self.clock(), self.share,
                             incoming.message_id or "")
        try:
            return await command(request)
        except DomainError as exc:
            return Reply("提示", exc.message)
        except Exception:  # the person still deserves an answer; the trace goes to the log
            log.exception("DingTalk command %s failed", name)
            return Reply("出错了", "系统繁忙，请稍后再试。")

    async def send(self, incoming: ChatbotMessage, reply: Reply) -> None:
        at = [incoming.sender_staff_id] if incoming.sender_staff_id else []
        expires_ms = incoming.session_webhook_expired_time or 0
        try:
            if incoming.session_webhook and expires_ms > self.wall_clock() * 1000:
                await self.api.reply_session(incoming.session_webhook, reply.title, reply.text, at)
            elif at:
                await self.api.send_markdown(at, reply.title, reply.text)
        except DingTalkError as exc:
            log.warning("DingTalk reply to %s failed: %s", incoming.sender_staff_id, exc)


def create_stream_client(
    *, client_id: str, client_secret: str, openapi_base: str, api: DingTalkApi,
    share: ShareSettings, clock: Callable[[], datetime], finance_role: str, **options,
) -> StreamClient:
    """A stream client with the bot and the card callbacks registered; ``finance_role`` is the
    StaffRole whose holders the bot shows every customer (TALLY_HANDOVER_FINANCE_ROLE);
    ``options`` go to ``StreamClient`` (open_timeout, backoff, close_timeout)."""
    client = StreamClient(Credential(client_id, client_secret), openapi_base, **options)
    client.register_callback_handler(BOT_TOPIC, TallyBot(api, share, clock,
                                                         finance_role=finance_role))
    client.register_callback_handler(CARD_TOPIC, CardCallbackHandler(api, clock))
    return client
