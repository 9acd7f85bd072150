"""Channel senders: one claimed outbox row becomes one WeChat or DingTalk message.

A sender's ``send(notice, now)`` returns the provider's reference (WeChat msgid, DingTalk
processQueryKey or card id) or raises ``DeliveryFailed``, which says whether a later try may help
and whether managers should hear about it. The dispatcher (``jobs.dispatcher``) owns retries,
rate limits and the outbox rows; senders only read what they need (the contact, the staff
member, a mini-program subscription quota) and talk to the provider.

WeChat messages are posted with aiohttp, not through wechatpy's thread pool: measured against
the local fake, wechatpy in 16 threads reached ~730 sends/s with nothing else running, aiohttp
~2,400/s. The access tokens still come from the WeChatGateway's wechatpy clients (their
session storage and serialised refresh), as LIBRARIES.md asks.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Mapping
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

import aiohttp
from tortoise.expressions import F

from bot.approval_cards import (
    APPROVAL,
    outcome_markdown,
    reminder_markdown,
    task_card_notice,
    task_closed_update,
)
from bot.billing_texts import billing_exceptions_markdown
from bot.card_templates import CardTemplate, load_card_templates
from bot.cards import DISPUTE, build_dispute_card, open_card, redraw_retired
from bot.credit_limit_texts import credit_limit_markdown
from bot.credit_texts import overuse_markdown, overuse_text
from bot.dingtalk_api import DingTalkApi, DingTalkError
from bot.erp_webhook import WEBHOOK_BODIES, WebhookSender
from bot.handover_cards import pending_card_notice
from bot.handover_texts import day_summary_markdown
from bot.payment_texts import payment_refused_markdown
from bot.template_values import LINKED, SOURCES, Source
from bot.templates import Template, TemplateDataError, load_templates
from bot.texts import clip, period, plain
from bot.tier_texts import tier_digest_markdown
from bot.wechat import RETRYABLE_ERRORS, TOKEN_ERRORS, WeChatError, WeChatGateway
from domain.approvals import engine
from domain.approvals.links import task_page_url
from domain.contacts import NO_CONSENT, follows_official_account, unfollowed, unreachable_reason
from domain.customers.models import Contact
from domain.delivery import DeliveryFailed, Notice, Sender, no_channel, subscribe_ref
from domain.money import yuan
from domain.notices.catalogue import (
    Channel,
    Kind,
    Render,
    approval_todo_key,
    label,
    staff_recipient,
)
from domain.notices.models import MpSubscription, OutboxMessage, OutboxStatus
from domain.org.models import Staff

NO_GROUP_ROBOT = "no_group_robot"  # no group webhook configured: no alert (it would go there)
SUBSCRIBE_REFUSED = frozenset({43101})  # the user has no subscribe quota left
UNSUBSCRIBED = 43004  # template message to someone who left the official account
# Why a customer notice had no channel, for finance (the delivery ledger shows it).
# (Those of a contact's WeChat state are domain.contacts', which the customer page shows too.)
CONSENT_REFUSED = "客户在小程序拒收订阅消息（授权已用完）"
TOKEN_TTL_SECONDS = 60.0  # re-read the gateway's token this often to follow other replicas
MP_STATE = "formal"
log = logging.getLogger(__name__)


# ----- texts ------------------------------------------------------------------------------------


def _debt_line(debt: Mapping[str, Any]) -> str:
    return (f"借款日 {debt.get('debt_date', '')}，未还 {yuan(debt.get('outstanding', '0'))}，"
            f"到期日 {debt.get('due_date', '')}，{debt.get('label', '')}")


def debt_digest_markdown(payload: Mapping[str, Any], *, sellers: bool = False
                         ) -> tuple[str, str]:
    """(title, markdown) for a salesperson (or, naming the sellers, a manager): customers'
    debts reaching a reminder stage."""
    overdue = str(payload.get("overdue_amount", "0")) not in ("0", "0.00")
    title = "逾期欠款提醒" if overdue else "欠款提醒"
    lines = [f"### {title}（{payload.get('date', '')}）",
             f"{payload.get('customer_count', 0)} 位客户、{payload.get('debt_count', 0)} 笔欠款，"
             f"合计未还 {yuan(payload.get('amount', '0'))}，"
             f"其中已到期 {yuan(payload.get('overdue_amount', '0'))}"]
    for customer in payload.get("customers", []):
        who = plain(customer.get("customer", ""), 40)
        if sellers and customer.get("salesperson"):
            who += f"（业务员 {plain(customer['salesperson'], 20)}）"
        lines.append(f"\n**{who}** 合计 {yuan(customer.get('amount', '0'))}，"
                     f"最早到期 {customer.get('due_date', '')}")
        lines += [f"- {_debt_line(d)}" for d in customer.get("debts", [])]
        if customer.get("more"):
            lines.append(f"- 另有 {customer['more']} 笔")
    if payload.get("more"):
        lines.append(f"\n另有 {payload['more']} 位客户未列出")
    return title, "\n".join(lines)


def overdue_alert_text(payload: Mapping[str, Any]) -> str:
    """The managers' group summary of debts that fell due or further overdue today."""
    lines = [f"【逾期欠款提醒】{payload.get('date', '')}",
             f"{payload.get('customer_count', 0)} 位客户、{payload.get('debt_count', 0)} 笔欠款"
             f"到期或逾期，合计未还 {yuan(payload.get('amount', '0'))}"]
    for customer in payload.get("customers", []):
        days = int(customer.get("days_overdue") or 0)
        state = f"最长逾期 {days} 天" if days else "今日到期"
        seller = customer.get("salesperson", "")
        seller = f"，业务员 {clip(seller, 20)}" if seller else ""
        lines.append(f"· {clip(customer.get('customer', ''), 40)}："
                     f"{yuan(customer.get('amount', '0'))}，{state}{seller}")
    if payload.get("more"):
        lines.append(f"另有 {payload['more']} 位客户未列出")
    return "\n".join(lines)


def dispute_markdown(payload: Mapping[str, Any]) -> tuple[str, str]:
    """(title, markdown) for a manager: who disputed which statement, and why."""
    customer = plain(payload.get("customer", ""), 40)
    lines = [
        f"### {customer} 对账单有异议",
        f"- 对账期间：{period(payload)}",
        f"- 期末应收：{yuan(payload.get('closing', '0'))}",
        f"- 客户说明：{plain(payload.get('description', ''), 300)}",
        f"- 答复人：{plain(payload.get('answered_by', ''), 40)}",
    ]
    if payload.get("url"):
        lines.append(f"\n[查看对账单]({payload['url']})")
    return f"对账异议：{customer}", "\n".join(lines)


def dispute_text(payload: Mapping[str, Any]) -> str:
    lines = [
        f"【对账异议】{clip(payload.get('customer', ''), 40)}",
        f"对账期间：{period(payload)}",
        f"期末应收：{yuan(payload.get('closing', '0'))}",
        f"客户说明：{clip(payload.get('description', ''), 300)}",
        f"答复人：{clip(payload.get('answered_by', ''), 40)}",
    ]
    if payload.get("url"):
        lines.append(f"查看：{payload['url']}")
    return "\n".join(lines)


def dead_alert_text(payload: Mapping[str, Any]) -> str:
    """The managers' alert for a notice given up on."""
    kind = label(str(payload.get("kind", "")))
    target = clip(payload.get("recipient_name", "") or payload.get("recipient_id", ""), 40)
    about = f"（{clip(payload['customer'], 40)}）" if payload.get("customer") else ""
    return "\n".join([
        f"【通知投递失败】{kind} → {target}{about}",
        f"已尝试 {payload.get('attempts', 0)} 次，最后错误：{clip(payload.get('error', ''), 200)}",
        f"通知编号 {payload.get('outbox_id', '')}，请核实接收人的联系方式后在后台重发。",
    ])


# ----- renderer registries: one per way of drawing a notice (catalogue ``Render``), keyed by
# the catalogue's kind (tests/unit/test_notice_catalogue.py checks them against it) ---------

# WeChat (TEMPLATE): the values each kind can show in a template's typed fields
# (bot.template_values; bot.templates fills the fields from them).
TEMPLATE_VALUES: Mapping[Kind, Mapping[str, Source]] = SOURCES

# The managers' group robot (GROUP_TEXT): payload → text.
GroupText = Callable[[Mapping[str, Any]], str]
GROUP_TEXTS: dict[Kind, GroupText] = {
    Kind.DISPUTE_ALERT: dispute_text,
    Kind.DELIVERY_DEAD: dead_alert_text,
    Kind.OVERDUE_ALERT: overdue_alert_text,
    Kind.CREDIT_OVERUSE: overuse_text,
}

# A staff member's card-platform card (CARD): payload → (card kind, subject type, subject id,
# card data).
CardNotice = Callable[[Mapping[str, Any]], tuple[str, str, str, dict]]
CARD_NOTICES: dict[Kind, CardNotice] = {
    Kind.STATEMENT_DISPUTED: lambda p: (DISPUTE, "statement", str(p.get("statement_id", "")),
                                        build_dispute_card(dict(p))),
    Kind.APPROVAL_TASK: task_card_notice,
    Kind.HANDOVER_PENDING: pending_card_notice,
}

# A redraw of cards already sent, without buttons (CARD_UPDATE): payload → (subject type,
# subject id, the reason shown instead of the buttons).
CardUpdate = Callable[[Mapping[str, Any]], tuple[str, str, str]]
CARD_UPDATES: dict[Kind, CardUpdate] = {Kind.APPROVAL_TASK_CLOSED: task_closed_update}

# A staff member's markdown (MARKDOWN): payload → (title, text).
MarkdownNotice = Callable[[Mapping[str, Any]], tuple[str, str]]
MARKDOWN_NOTICES: dict[Kind, MarkdownNotice] = {
    Kind.DISPUTE_ALERT: dispute_markdown,
    Kind.DEBT_DIGEST: debt_digest_markdown,
    Kind.OVERDUE_ALERT: lambda p: debt_digest_markdown(p, sellers=True),
    Kind.BILLING_EXCEPTIONS: billing_exceptions_markdown,
    Kind.TIER_DIGEST: tier_digest_markdown,
    Kind.POOL_PAYMENT_REFUSED: payment_refused_markdown,
    Kind.CREDIT_LIMIT_EXCEEDED: credit_limit_markdown,
    Kind.APPROVAL_OUTCOME: outcome_markdown,
    Kind.APPROVAL_REMINDER: reminder_markdown,
    Kind.HANDOVER_SUMMARY: day_summary_markdown,
    Kind.CREDIT_OVERUSE: overuse_markdown,
}

# A staff member's DingTalk 待办 (TODO): payload and the page link → the create body (sourceId,
# subject, description, detailUrl …; https://open.dingtalk.com/document/orgapp/add-dingtalk-to-do-task).
TodoNotice = Callable[[Mapping[str, Any], str], dict[str, Any]]


def approval_todo(payload: Mapping[str, Any], link: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "sourceId": f"tally-approval-task-{payload['task_id']}",  # DingTalk refuses a 2nd
        "subject": clip(f"审批：{payload.get('title', '')}", 100),
        "description": clip(
            f"{payload.get('kind_label', '')}，发起人 {payload.get('initiator', '')}，"
            f"当前节点「{payload.get('node', '')}」。请在审批卡片或审批页处理。", 500),
        "isOnlyShowExecutor": True, "priority": 20,
    }
    if link:
        body["detailUrl"] = {"appUrl": link, "pcUrl": link}
    return body


TODO_NOTICES: dict[Kind, TodoNotice] = {Kind.APPROVAL_TODO: approval_todo}
# A 待办 created before, marked done (TODO_DONE): payload → the TODO kind and the task it was
# created for (its outbox row holds the to-do's id).
TodoDone = Callable[[Mapping[str, Any]], tuple[Kind, int]]
TODO_DONES: dict[Kind, TodoDone] = {
    Kind.APPROVAL_TODO_DONE: lambda p: (Kind.APPROVAL_TODO, int(p["task_id"]))}

# Each channel's sender and the registries it draws with, by the catalogue's Render.
RENDERERS: dict[Channel, dict[Render, Mapping[Kind, Any]]] = {
    Channel.WECHAT: {Render.TEMPLATE: TEMPLATE_VALUES},
    Channel.DINGTALK: {Render.CARD: CARD_NOTICES, Render.CARD_UPDATE: CARD_UPDATES,
                       Render.MARKDOWN: MARKDOWN_NOTICES, Render.TODO: TODO_NOTICES,
                       Render.TODO_DONE: TODO_DONES},
    Channel.DINGTALK_GROUP: {Render.GROUP_TEXT: GROUP_TEXTS},
    Channel.WEBHOOK: {Render.WEBHOOK_JSON: WEBHOOK_BODIES},
}


class Recipients:
    """The recipients of a claimed batch, read in one query (``prepare``) and taken once each
    (``take``, which reads a row the batch did not cover on its own)."""

    MAX_KEPT = 10_000

    def __init__(self, model, *fields: str) -> None:
        self._model = model
        self._fields = ("id", *fields)
        self._rows: dict[int, dict] = {}

    async def prepare(self, notices: list[Notice]) -> None:
        if len(self._rows) > self.MAX_KEPT:  # taken rows leave; only abandoned ones pile up
            self._rows.clear()
        ids = {int(n.recipient_id) for n in notices}
        for row in await self._model.filter(id__in=ids).values(*self._fields):
            self._rows[row["id"]] = row

    async def take(self, recipient_id: str) -> dict | None:
        key = int(recipient_id)
        row = self._rows.pop(key, None)
        if row is None:
            rows = await self._model.filter(id=key).limit(1).values(*self._fields)
            row = rows[0] if rows else None
        return row


# ----- WeChat -----------------------------------------------------------------------------------


class GatewayTokens:
    """Access tokens of the WeChatGateway's two wechatpy clients ("oa", "mp").

    A token is re-read from the gateway at most every TOKEN_TTL_SECONDS (wechatpy fetches one
    when its own expired); a rejected one is refreshed through the gateway's serialised refresh.
    """

    def __init__(self, gateway: WeChatGateway, ttl: float = TOKEN_TTL_SECONDS) -> None:
        self._gateway = gateway
        self._ttl = ttl
        self._cached: dict[str, tuple[str, float]] = {}
        self._lock = asyncio.Lock()

    async def get(self, app: str) -> str:
        token, stamp = self._cached.get(app, ("", 0.0))
        if token and time.monotonic() - stamp < self._ttl:
            return token
        async with self._lock:
            token, stamp = self._cached.get(app, ("", 0.0))
            if token and time.monotonic() - stamp < self._ttl:
                return token
            return await self._read(app, rejected=None)

    async def refresh(self, app: str, rejected: str) -> str:
        async with self._lock:
            token, _ = self._cached.get(app, ("", 0.0))
            if token and token != rejected:
                return token
            return await self._read(app, rejected=rejected)

    async def _read(self, app: str, rejected: str | None) -> str:
        token = await self._gateway.access_token(app, rejected)
        self._cached[app] = (token, time.monotonic())
        return token


class WeChatHttp:
    """Template and subscribe sends over aiohttp; one token refresh on 40001/40014/42001."""

    def __init__(self, api_base: str, tokens: GatewayTokens, session: aiohttp.ClientSession,
                 timeout: float = 5.0) -> None:
        self._base = api_base if api_base.endswith("/") else api_base + "/"
        self._tokens = tokens
        self._session = session
        self._timeout = aiohttp.ClientTimeout(total=timeout)

    async def send_template(self, body: dict) -> str:
        answer = await self._post("oa", "cgi-bin/message/template/send", body)
        return str(answer.get("msgid", ""))

    async def send_subscribe(self, body: dict) -> str:
        answer = await self._post("mp", "cgi-bin/message/subscribe/send", body)
        return str(answer.get("msgid", ""))

    async def _post(self, app: str, path: str, body: dict) -> dict:
        token = await self._token(app)
        answer = await self._call(path, body, token)
        if answer.get("errcode") in TOKEN_ERRORS:
            answer = await self._call(path, body, await self._tokens.refresh(app, token))
        errcode = int(answer.get("errcode") or 0)
        if errcode:
            raise WeChatError(errcode, str(answer.get("errmsg", "")), 200)
        return answer

    async def _token(self, app: str) -> str:
        try:
            return await self._tokens.get(app)
        except WeChatError as exc:  # a token we cannot get is the service's problem, not the row's
            raise WeChatError(None, f"access token: {exc.errmsg}", exc.status) from None

    async def _call(self, path: str, body: dict, token: str) -> dict:
        data = json.dumps(body, ensure_ascii=False).encode()
        try:
            async with self._session.post(
                self._base + path, params={"access_token": token}, data=data,
                headers={"Content-Type": "application/json"}, timeout=self._timeout,
            ) as response:
                if response.status >= 400:
                    raise WeChatError(None, f"HTTP {response.status}", response.status)
                answer = json.loads(await response.read())
        except (TimeoutError, aiohttp.ClientError, ValueError) as exc:
            raise WeChatError(None, f"request failed: {type(exc).__name__}") from None
        if not isinstance(answer, dict):
            raise WeChatError(None, "unexpected answer")
        return answer


def _wechat_failure(exc: WeChatError) -> DeliveryFailed:
    """Transport failures, 5xx, busy (-1), rate limit (45009) and a token still refused after
    the one refresh are tried again; 43101 (no subscribe quota) means no channel; any other
    errcode (40003 bad openid, 47003 bad data, …) is final. (43004, unsubscribed, never gets
    here: the sender marks the follower and tries the mini-program.)"""
    if exc.errcode in SUBSCRIBE_REFUSED:
        return no_channel(CONSENT_REFUSED)
    retryable = exc.errcode is None or exc.errcode in RETRYABLE_ERRORS | TOKEN_ERRORS
    return DeliveryFailed(f"wechat {exc.errcode}: {exc.errmsg}", retryable=retryable)


class WeChatSender:
    """The TEMPLATE kinds (STATEMENT_ISSUED, REPAYMENT_REMINDER, …) to a contact: a template message
    to the official-account openid while they follow it, else a mini-program subscribe message
    while the contact has consent (quota) for the template, else dead as "no_channel" with the
    reason finance reads in the delivery ledger.

    ``mp_appid`` empty means no mini-program: template messages carry the link alone (a
    ``miniprogram`` jump WeChat would prefer to it must name a real, linked mini-program)."""

    def __init__(self, http: WeChatHttp, templates: Mapping[str, Template], *, mp_appid: str,
                 mp_page: str) -> None:
        self._http = http
        self._templates = templates
        self._mp_appid = mp_appid.strip()
        self._mp_page = mp_page
        self._contacts = Recipients(Contact, "openid", "mp_openid", "oa_unsubscribed_at")

    async def prepare(self, notices: list[Notice]) -> None:
        await self._contacts.prepare(notices)

    async def send(self, notice: Notice, now: datetime) -> str:
        template = self._templates.get(notice.kind)
        if template is None:
            raise DeliveryFailed(f"no WeChat template for {notice.kind}", retryable=False)
        contact = await self._contacts.take(notice.recipient_id) or {}
        if notice.kind in LINKED and not notice.payload.get("url"):
            # The message shows a summary only: without its link the customer cannot act on it.
            raise DeliveryFailed(f"{notice.kind} without its link", retryable=False)
        try:
            if _follows(contact) and template.template_id:
                sent = await self._template(contact, template, notice.payload, now)
                if sent is not None:
                    return sent
                contact = {**contact, "oa_unsubscribed_at": now}
            if self._mp_appid and contact.get("mp_openid") and template.mp_template_id:
                sent = await self._subscribe(contact, template, notice.payload)
                if sent is not None:
                    return sent
        except WeChatError as exc:
            raise _wechat_failure(exc) from None
        except TemplateDataError as exc:  # WeChat would refuse it (47003): say which value
            raise DeliveryFailed(f"template data: {exc}", retryable=False) from None
        raise no_channel(self._unreachable(contact, template))

    async def _template(self, contact: dict, template: Template, payload,
                        now: datetime) -> str | None:
        """The template message's msgid; None when WeChat says the follower left (43004),
        which is recorded so later notices skip it."""
        try:
            return await self._http.send_template(self._template_body(
                contact["openid"], template, payload))
        except WeChatError as exc:
            if exc.errcode != UNSUBSCRIBED:
                raise
        await unfollowed(contact["openid"], now)
        return None

    def _unreachable(self, contact: dict, template: Template) -> str:
        """Why no message could go to this contact, in finance's words."""
        reason = unreachable_reason(contact.get("openid"), contact.get("mp_openid"),
                                    contact.get("oa_unsubscribed_at"), bool(self._mp_appid))
        if reason == NO_CONSENT and contact.get("openid") and not template.template_id:
            return f"「{label(template.kind)}」未配置公众号模板消息"
        return reason

    def _template_body(self, openid: str, template: Template, payload) -> dict:
        # https://developers.weixin.qq.com/doc/service/api/notify/template/api_sendtemplatemessage.html
        body = {"touser": openid, "template_id": template.template_id,
                "data": template.data(payload)}
        if payload.get("url"):
            body["url"] = payload["url"]
        if payload.get("mp_scene") and self._mp_appid:
            body["miniprogram"] = {"appid": self._mp_appid, "pagepath": self._page(payload)}
        return body

    def _page(self, payload: Mapping[str, Any]) -> str:
        scene = payload.get("mp_scene")
        return f"{self._mp_page}?scene={quote(scene, safe='')}" if scene else self._mp_page

    async def _subscribe(self, contact: dict, template: Template, payload) -> str | None:
        """A subscribe message on one of the contact's consents (used up by the send); None
        when no consent is left."""
        data = template.mp_data(payload)  # before the quota is taken: a refusal keeps it
        quota = MpSubscription.filter(contact_id=contact["id"], template_id=template.mp_template_id)
        if not await quota.filter(remaining__gt=0).update(remaining=F("remaining") - 1):
            return None
        # https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/mp-message-management/subscribe-message/sendMessage.html
        body = {"touser": contact["mp_openid"], "template_id": template.mp_template_id,
                "page": self._page(payload), "data": data,
                "miniprogram_state": MP_STATE, "lang": "zh_CN"}
        try:
            return subscribe_ref(await self._http.send_subscribe(body))
        except WeChatError as exc:
            if exc.errcode in SUBSCRIBE_REFUSED:
                await quota.update(remaining=0)
            else:  # not sent: WeChat did not use the quota either
                await quota.update(remaining=F("remaining") + 1)
            raise


def _follows(contact: Mapping[str, Any]) -> bool:
    return follows_official_account(contact.get("openid"), contact.get("oa_unsubscribed_at"))


# ----- DingTalk ---------------------------------------------------------------------------------


def _dingtalk_failure(exc: DingTalkError) -> DeliveryFailed:
    return DeliveryFailed(f"dingtalk {exc.status} {exc.code}: {exc.message}",
                          retryable=exc.retryable)


class TaskLinks:
    """Signed links to an approval task's page for one approver (bound to both, expiring)."""

    def __init__(self, base_url: str, secret: str, ttl_hours: int) -> None:
        self._base, self._secret, self._ttl = base_url, secret, timedelta(hours=ttl_hours)

    def url(self, task_id: int, staff_id: int, now: datetime) -> str:
        if not self._secret:
            return ""
        return task_page_url(self._base, self._secret, task_id, staff_id, now + self._ttl)


class DingTalkSender:
    """To one staff member: the CARD_NOTICES kinds as a card-platform card (drawn with the
    kind's template), the CARD_UPDATES kinds as an update of cards sent before, the TODO kinds
    as a DingTalk 待办 and the TODO_DONE kinds by marking it done (both need the member's
    unionId), the MARKDOWN_NOTICES kinds as markdown."""

    def __init__(self, api: DingTalkApi, templates: Mapping[str, CardTemplate] | None = None,
                 links: TaskLinks | None = None) -> None:
        self._api = api
        self._templates = dict(templates or load_card_templates(""))
        self._links = links or TaskLinks("", "", 1)
        self._staff = Recipients(Staff, "dingtalk_userid", "dingtalk_unionid")

    async def prepare(self, notices: list[Notice]) -> None:
        await self._staff.prepare(notices)

    async def send(self, notice: Notice, now: datetime) -> str:
        staff = await self._staff.take(notice.recipient_id)
        if notice.kind in TODO_NOTICES or notice.kind in TODO_DONES:
            return await self._todo(staff, notice, now)
        if staff is None or not staff["dingtalk_userid"]:
            raise no_channel("员工未关联钉钉账号")
        try:
            if notice.kind in CARD_NOTICES:
                return await self._card(staff["id"], notice, now)
            if notice.kind in CARD_UPDATES:
                subject_type, subject_id, reason = CARD_UPDATES[notice.kind](notice.payload)
                return await redraw_retired(self._api, staff["id"], subject_type, subject_id,
                                            reason, now)
            return await self._markdown(staff["dingtalk_userid"], notice)
        except DingTalkError as exc:
            raise _dingtalk_failure(exc) from None

    async def _card(self, staff_id: int, notice: Notice, now: datetime) -> str:
        staff = await Staff.get(id=staff_id)
        card_kind, subject_type, subject_id, data = CARD_NOTICES[notice.kind](notice.payload)
        template = self._templates[card_kind]
        page = self._links.url(int(subject_id), staff_id, now) if card_kind == APPROVAL else ""
        # One card per outbox row: a retry resends the same card instead of opening another.
        card = await open_card(self._api, staff, card_kind, subject_type, subject_id, data, now,
                               template=template, out_track_id=f"outbox-{notice.id}",
                               page_url=page)
        return card.out_track_id

    async def _todo(self, staff: dict | None, notice: Notice, now: datetime) -> str:
        """Create or complete a 待办. A member without a unionId gets none (logged; their card
        still goes out): the row counts as sent, with no to-do id."""
        if staff is None or not staff["dingtalk_unionid"]:
            log.info("no DingTalk 待办 for staff %s (%s): no unionId", notice.recipient_id,
                     notice.kind)
            return ""
        try:
            if notice.kind in TODO_NOTICES:
                return await self._create_todo(staff, notice, now)
            return await self._complete_todo(staff, notice)
        except DingTalkError as exc:
            raise _dingtalk_failure(exc) from None

    async def _create_todo(self, staff: dict, notice: Notice, now: datetime) -> str:
        task_id = int(notice.payload["task_id"])
        if await engine.why_task_closed(task_id) is not None:  # closed before it went out
            return ""
        link = self._links.url(task_id, staff["id"], now)
        body = TODO_NOTICES[Kind(notice.kind)](notice.payload, link)
        return await self._api.create_todo(staff["dingtalk_unionid"], body)

    async def _complete_todo(self, staff: dict, notice: Notice) -> str:
        """Mark done the 待办 the matching TODO row created (its provider_ref); wait while that
        row is still on its way, nothing to do when it made none."""
        todo_kind, task_id = TODO_DONES[Kind(notice.kind)](notice.payload)
        to = staff_recipient(staff["id"])
        created = await OutboxMessage.get_or_none(dedupe_key=approval_todo_key(task_id, to)) \
            if todo_kind is Kind.APPROVAL_TODO else None
        if created is None or created.status == OutboxStatus.DEAD:
            return ""
        if created.status != OutboxStatus.SENT:
            raise DeliveryFailed("the 待办 is not created yet", retryable=True, alert=False)
        if not created.provider_ref:
            return ""
        await self._api.complete_todo(staff["dingtalk_unionid"], created.provider_ref)
        return created.provider_ref

    async def _markdown(self, userid: str, notice: Notice) -> str:
        render = MARKDOWN_NOTICES.get(notice.kind)
        if render is None:
            raise DeliveryFailed(f"no DingTalk message for {notice.kind}", retryable=False)
        title, text = render(notice.payload)
        return await self._api.send_markdown([userid], title, text)


class GroupRobotSender:
    """To the managers' group through its signed custom robot (加签 webhook)."""

    def __init__(self, api: DingTalkApi, webhook_url: str, secret: str) -> None:
        self._api = api
        self._webhook = webhook_url
        self._secret = secret

    async def prepare(self, notices: list[Notice]) -> None:
        return None

    async def send(self, notice: Notice, now: datetime) -> str:
        if not self._webhook:
            raise DeliveryFailed(NO_GROUP_ROBOT, retryable=False, alert=False)
        render = GROUP_TEXTS.get(notice.kind)
        if render is None:
            raise DeliveryFailed(f"no group message for {notice.kind}", retryable=False)
        try:
            await self._api.send_group_robot(self._webhook, self._secret, render(notice.payload))
        except DingTalkError as exc:
            raise _dingtalk_failure(exc) from None
        return ""


# ----- wiring -----------------------------------------------------------------------------------


def build_senders(settings, gateway: WeChatGateway, dingtalk: DingTalkApi,
                  session: aiohttp.ClientSession) -> dict[str, Sender]:
    """The sender for each outbox channel ("wechat", "dingtalk", "dingtalk_group", "webhook")."""
    http = WeChatHttp(settings.wechat_api_base, GatewayTokens(gateway), session)
    wechat = WeChatSender(http, load_templates(settings.wechat_templates),
                          mp_appid=settings.mp_appid, mp_page=settings.mp_statement_page)
    group = GroupRobotSender(dingtalk, settings.dingtalk_group_webhook,
                             settings.dingtalk_group_secret)
    dingtalk_sender = DingTalkSender(
        dingtalk, load_card_templates(settings.dingtalk_card_templates),
        TaskLinks(settings.public_base_url, settings.secret_key, settings.approval_link_ttl_hours))
    webhook = WebhookSender(session, settings.webhook_endpoints(),
                            settings.erp_webhook_timeout_seconds)
    return {Channel.WECHAT: wechat, Channel.DINGTALK: dingtalk_sender,
            Channel.DINGTALK_GROUP: group, Channel.WEBHOOK: webhook}


@asynccontextmanager
async def open_senders(settings, gateway: WeChatGateway, dingtalk: DingTalkApi | None = None):
    """Senders with their own HTTP session (and DingTalk client unless one is given)."""
    connector = aiohttp.TCPConnector(limit=max(settings.delivery_concurrency, 1))
    async with aiohttp.ClientSession(connector=connector) as session:
        api = dingtalk or DingTalkApi(
            settings.dingtalk_client_id, settings.dingtalk_client_secret,
            settings.dingtalk_robot_code, settings.dingtalk_openapi_base, session=session,
        )
        try:
            yield build_senders(settings, gateway, api, session)
        finally:
            if dingtalk is None:
                await api.close()
