"""Every notice kind, declared once: its label, the channels it goes out on, the renderer each
channel's sender draws it with, its payload (the JSON stored in ``outbox.payload``) and its
dedupe key.

A use case names the kind (``Kind.STATEMENT_ISSUED``), builds the payload typed below, keys it
with the kind's ``…_key`` function and hands it to ``domain.notices.outbox``, the only writer
of outbox rows. Each channel's sender in ``bot.senders`` keeps a renderer per kind, keyed by the
same ``Kind`` member (``tests/unit/test_notice_catalogue.py`` checks none is missing or extra).

The dedupe keys are the formats stored rows already carry, byte for byte, so a row written
before this catalogue still stops a second one. A key ends with its recipient
(``:contact:<id>``, ``:staff:<id>``, ``:managers``) except where noted.

Adding a notice: a ``Kind`` member, its payload ``TypedDict``, its ``Spec`` in ``CATALOGUE``
and its ``…_key`` function here; then, in ``bot.senders``, a renderer in the registry of each
channel's ``Render`` (a WeChat kind also needs a template in ``bot.templates``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, TypedDict

CONTACT, STAFF, GROUP, WEBHOOK = "contact", "staff", "group", "webhook"  # recipient kinds
MAX_KEY = 200  # outbox.dedupe_key's length
MAX_NAME = 100  # outbox.recipient_name's length


class Channel(StrEnum):
    WECHAT = "wechat"  # a contact: WeChat template or mini-program subscribe message
    DINGTALK = "dingtalk"  # a staff member: DingTalk card or markdown
    DINGTALK_GROUP = "dingtalk_group"  # the managers' group robot
    WEBHOOK = "webhook"  # an ERP endpoint: a signed JSON POST (``domain.events``)


class Render(StrEnum):
    """How a channel's sender draws a kind (each is one registry in ``bot.senders``)."""

    TEMPLATE = "template"  # WeChat template / subscribe values
    CARD = "card"  # a DingTalk interactive card
    CARD_UPDATE = "card_update"  # a redraw of cards sent before, without buttons
    MARKDOWN = "markdown"  # a DingTalk markdown message
    GROUP_TEXT = "group_text"  # the group robot's text
    TODO = "todo"  # a DingTalk 待办 created for the staff member
    TODO_DONE = "todo_done"  # a 待办 created before, marked done
    WEBHOOK_JSON = "webhook_json"  # the JSON body of a webhook POST


class Kind(StrEnum):
    STATEMENT_ISSUED = "statement_issued"
    STATEMENT_DISPUTED = "statement_disputed"
    DISPUTE_ALERT = "dispute_alert"
    REPAYMENT_REMINDER = "repayment_reminder"
    OVERDUE_NOTICE = "overdue_notice"
    DEBT_DIGEST = "debt_digest"
    OVERDUE_ALERT = "overdue_alert"
    DELIVERY_DEAD = "delivery_dead"
    APPROVAL_TASK = "approval_task"
    APPROVAL_TASK_CLOSED = "approval_task_closed"
    APPROVAL_TODO = "approval_todo"
    APPROVAL_TODO_DONE = "approval_todo_done"
    APPROVAL_OUTCOME = "approval_outcome"
    APPROVAL_REMINDER = "approval_reminder"
    BILLING_EXCEPTIONS = "billing_exceptions"
    TIER_DIGEST = "tier_digest"
    POOL_PAYMENT_REFUSED = "pool_payment_refused"
    CREDIT_LIMIT_EXCEEDED = "credit_limit_exceeded"
    HANDOVER_SUMMARY = "handover_summary"
    HANDOVER_PENDING = "handover_pending"
    CREDIT_OVERUSE = "credit_overuse"
    ERP_EVENT = "erp_event"


# ----- recipients -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    """Who a notice goes to; the recipient kind decides the channel."""

    channel: Channel
    kind: str  # CONTACT, STAFF or GROUP
    id: str
    name: str = ""

    @property
    def key_suffix(self) -> str:
        """How a dedupe key names the recipient."""
        return ":managers" if self.kind == GROUP else f":{self.kind}:{self.id}"


def contact_recipient(contact_id: int, name: str = "") -> Recipient:
    return Recipient(Channel.WECHAT, CONTACT, str(contact_id), name)


def staff_recipient(staff_id: int, name: str = "") -> Recipient:
    return Recipient(Channel.DINGTALK, STAFF, str(staff_id), name)


def webhook_recipient(endpoint: str) -> Recipient:
    """A configured ERP webhook endpoint, by its name."""
    return Recipient(Channel.WEBHOOK, WEBHOOK, endpoint, f"ERP 接口（{endpoint}）")


MANAGERS = Recipient(Channel.DINGTALK_GROUP, GROUP, "managers", "管理群")


# ----- payloads (the JSON each kind stores) ----------------------------------------------------


class StatementIssued(TypedDict):
    statement_id: int
    customer: str
    date_from: str
    date_to: str
    closing: str
    owed_total: str
    url: str
    mp_scene: str  # "s=<share nonce>", the mini-program page's scene


class StatementDisputed(TypedDict):
    """A customer's 不符合 answer; the salesperson's card and the managers' alert."""

    statement_id: int
    customer: str
    date_from: str
    date_to: str
    closing: str
    description: str
    answered_by: str


class DebtReminder(TypedDict):
    """A customer's repayment reminder or overdue notice (``domain.credit.reminders``)."""

    customer_id: int
    customer: str
    date: str
    amount: str
    due_date: str
    count: int
    days_overdue: int
    days_to_due: int
    debts: list[dict[str, Any]]
    more: int


class DebtDigest(TypedDict):
    """A salesperson's digest, a manager's or the group's overdue alert."""

    date: str
    customer_count: int
    debt_count: int
    amount: str
    overdue_amount: str
    customers: list[dict[str, Any]]
    more: int


class DeliveryDead(TypedDict):
    outbox_id: int
    kind: str
    channel: str
    recipient_kind: str
    recipient_id: str
    recipient_name: str
    attempts: int
    error: str
    customer: str
    statement_id: int | None


class CreditFigures(TypedDict):
    """The customer's credit as it stood when the task opened (decimal strings)."""

    available: str  # 可用额度: what the customer's lines in force still allow
    outstanding: str  # open debts
    overdue: str
    overdue_count: int


class ApprovalTask(TypedDict):
    """What an approver's card is drawn from (alone)."""

    flow_id: int
    kind: str
    kind_label: str
    title: str
    initiator: str
    node: str
    step: str
    round: int
    summary: list[list[str]]
    returned_comment: str
    created_at: str
    task_id: int
    customer: str  # "" when the flow is about no customer
    credit: CreditFigures | None


class ApprovalTodo(TypedDict):
    """An approver's DingTalk 待办 for a task (its detail link opens the task's page)."""

    task_id: int
    flow_id: int
    title: str
    kind_label: str
    initiator: str
    node: str


class ApprovalTaskClosed(TypedDict):
    task_id: int
    flow_id: int
    title: str
    reason: str


class ApprovalOutcome(TypedDict):
    flow_id: int
    kind: str
    kind_label: str
    title: str
    status: str
    outcome: str
    by: str
    comment: str
    node: str
    back_to: str
    result: dict[str, Any]


class ApprovalReminder(TypedDict):
    flow_id: int
    task_id: int
    kind: str
    kind_label: str
    title: str
    node: str
    waiting_hours: int
    since: str


class BillingExceptions(TypedDict):
    date: str
    count: int
    items: list[dict[str, Any]]


class TierDigest(TypedDict):
    date: str
    count: int
    moves: int
    notices: int
    items: list[dict[str, Any]]
    more: int


class PoolPaymentRefused(TypedDict):
    payment_id: int
    reference: str
    payer_name: str
    amount: str
    received_on: str
    customer_id: int
    customer: str
    reason: str
    note: str


class CreditLimitExceeded(TypedDict):
    customer_id: int
    customer_code: str
    customer_name: str
    credit_limit: str
    receivable: str
    over_by: str


class HandoverSummary(TypedDict):
    staff_id: int
    staff: str
    date: str
    closed: bool
    summary: dict[str, Any]


# "from" is a keyword: the functional form.
HandoverPending = TypedDict("HandoverPending", {
    "date": str, "from": str, "rows": list[dict[str, Any]], "more": int})


class CreditOveruse(TypedDict):
    """The booked document (document, shipment, order, amount) and what it took past a limit."""

    customer_id: int
    customer: str
    document: str
    shipment: str
    order: str
    amount: str
    lines: list[dict[str, Any]]
    org: dict[str, Any] | None
    enterprise: dict[str, Any] | None


class ErpEvent(TypedDict):
    """A domain event (``domain.events``) as a webhook posts it: the body, as the feed's item."""

    id: int
    type: str
    occurred_at: str
    data: dict[str, Any]


# ----- the catalogue ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    label: str  # what people call it (titles, the dead-delivery alert)
    payload: type  # the TypedDict of its payload
    renders: Mapping[Channel, Render] = field(default_factory=dict)

    @property
    def channels(self) -> frozenset[Channel]:
        return frozenset(self.renders)


WECHAT, DINGTALK, DINGTALK_GROUP = Channel.WECHAT, Channel.DINGTALK, Channel.DINGTALK_GROUP

CATALOGUE: dict[Kind, Spec] = {
    Kind.STATEMENT_ISSUED: Spec("对账单通知", StatementIssued, {WECHAT: Render.TEMPLATE}),
    Kind.STATEMENT_DISPUTED: Spec("对账异议", StatementDisputed, {DINGTALK: Render.CARD}),
    Kind.DISPUTE_ALERT: Spec("对账异议提醒", StatementDisputed, {
        DINGTALK: Render.MARKDOWN, DINGTALK_GROUP: Render.GROUP_TEXT}),
    Kind.REPAYMENT_REMINDER: Spec("还款提醒", DebtReminder, {WECHAT: Render.TEMPLATE}),
    Kind.OVERDUE_NOTICE: Spec("逾期提醒", DebtReminder, {WECHAT: Render.TEMPLATE}),
    Kind.DEBT_DIGEST: Spec("欠款提醒", DebtDigest, {DINGTALK: Render.MARKDOWN}),
    Kind.OVERDUE_ALERT: Spec("逾期欠款提醒", DebtDigest, {
        DINGTALK: Render.MARKDOWN, DINGTALK_GROUP: Render.GROUP_TEXT}),
    Kind.DELIVERY_DEAD: Spec("通知投递失败", DeliveryDead, {DINGTALK_GROUP: Render.GROUP_TEXT}),
    Kind.APPROVAL_TASK: Spec("审批待办", ApprovalTask, {DINGTALK: Render.CARD}),
    Kind.APPROVAL_TASK_CLOSED: Spec("审批已由他人处理", ApprovalTaskClosed, {
        DINGTALK: Render.CARD_UPDATE}),
    Kind.APPROVAL_TODO: Spec("审批钉钉待办", ApprovalTodo, {DINGTALK: Render.TODO}),
    Kind.APPROVAL_TODO_DONE: Spec("审批钉钉待办完成", ApprovalTaskClosed, {
        DINGTALK: Render.TODO_DONE}),
    Kind.APPROVAL_OUTCOME: Spec("审批结果", ApprovalOutcome, {DINGTALK: Render.MARKDOWN}),
    Kind.APPROVAL_REMINDER: Spec("审批催办", ApprovalReminder, {DINGTALK: Render.MARKDOWN}),
    Kind.BILLING_EXCEPTIONS: Spec("计费异常", BillingExceptions, {DINGTALK: Render.MARKDOWN}),
    Kind.TIER_DIGEST: Spec("客户分级变动", TierDigest, {DINGTALK: Render.MARKDOWN}),
    Kind.POOL_PAYMENT_REFUSED: Spec("到款未自动销账", PoolPaymentRefused, {
        DINGTALK: Render.MARKDOWN}),
    Kind.CREDIT_LIMIT_EXCEEDED: Spec("超出信用额度", CreditLimitExceeded, {
        DINGTALK: Render.MARKDOWN}),
    Kind.HANDOVER_SUMMARY: Spec("交账汇总", HandoverSummary, {DINGTALK: Render.MARKDOWN}),
    Kind.HANDOVER_PENDING: Spec("待确认交账", HandoverPending, {DINGTALK: Render.CARD}),
    Kind.CREDIT_OVERUSE: Spec("授信超额占用", CreditOveruse, {
        DINGTALK: Render.MARKDOWN, DINGTALK_GROUP: Render.GROUP_TEXT}),
    Kind.ERP_EVENT: Spec("ERP事件推送", ErpEvent, {Channel.WEBHOOK: Render.WEBHOOK_JSON}),
}


def label(kind: str) -> str:
    """The kind's label; an unknown kind (a stored row's) as it is."""
    try:
        return CATALOGUE[Kind(kind)].label
    except ValueError:
        return kind


def check_channel(kind: Kind, channel: Channel) -> None:
    """Refuse a notice on a channel its kind is not declared for (no sender could draw it)."""
    if channel not in CATALOGUE[kind].channels:
        raise ValueError(f"notice {kind} is not declared for channel {channel}")


# ----- dedupe keys (one function per kind) -----------------------------------------------------


def statement_issued_key(statement_id: int, to: Recipient) -> str:
    return f"{Kind.STATEMENT_ISSUED}:{statement_id}{to.key_suffix}"


def statement_issued_prefix(statement_id: int) -> str:
    """What the keys of one statement's STATEMENT_ISSUED notices start with."""
    return f"{Kind.STATEMENT_ISSUED}:{statement_id}:"


def statement_disputed_key(statement_id: int, event_id: int, to: Recipient) -> str:
    """Once per answer event and recipient."""
    return f"{Kind.STATEMENT_DISPUTED}:{statement_id}:{event_id}{to.key_suffix}"


def dispute_alert_key(statement_id: int, event_id: int, to: Recipient) -> str:
    """The alert has always been keyed as the dispute it reports (stored rows carry that)."""
    return statement_disputed_key(statement_id, event_id, to)


def _debts_key(kind: Kind, day: date, stages: Iterable[tuple[int, str]], to: Recipient) -> str:
    """A debt reminder of ``day`` to ``to`` listing these (debt id, stage) pairs."""
    listed = ",".join(sorted(f"{debt_id}/{stage}" for debt_id, stage in stages))
    digest = hashlib.sha1(listed.encode()).hexdigest()[:12]
    scope = GROUP if to.kind == GROUP else f"{to.kind}-{to.id}"
    return f"{kind}:{day}:{scope}:{digest}{to.key_suffix}"[:MAX_KEY]


def repayment_reminder_key(day: date, stages: Iterable[tuple[int, str]], to: Recipient) -> str:
    return _debts_key(Kind.REPAYMENT_REMINDER, day, stages, to)


def overdue_notice_key(day: date, stages: Iterable[tuple[int, str]], to: Recipient) -> str:
    return _debts_key(Kind.OVERDUE_NOTICE, day, stages, to)


def debt_digest_key(day: date, stages: Iterable[tuple[int, str]], to: Recipient) -> str:
    return _debts_key(Kind.DEBT_DIGEST, day, stages, to)


def overdue_alert_key(day: date, stages: Iterable[tuple[int, str]], to: Recipient) -> str:
    return _debts_key(Kind.OVERDUE_ALERT, day, stages, to)


def delivery_dead_key(outbox_id: int, to: Recipient) -> str:
    return f"{Kind.DELIVERY_DEAD}:{outbox_id}{to.key_suffix}"


def approval_task_key(task_id: int, to: Recipient) -> str:
    return f"{Kind.APPROVAL_TASK}:{task_id}{to.key_suffix}"


def approval_task_closed_key(task_id: int, to: Recipient) -> str:
    return f"{Kind.APPROVAL_TASK_CLOSED}:{task_id}{to.key_suffix}"


def approval_todo_key(task_id: int, to: Recipient) -> str:
    return f"{Kind.APPROVAL_TODO}:{task_id}{to.key_suffix}"


def approval_todo_done_key(task_id: int, to: Recipient) -> str:
    return f"{Kind.APPROVAL_TODO_DONE}:{task_id}{to.key_suffix}"


def approval_outcome_key(flow_id: int, action_id: int, status: str, to: Recipient) -> str:
    return f"{Kind.APPROVAL_OUTCOME}:{flow_id}:{action_id}:{status}{to.key_suffix}"


def approval_reminder_key(task_id: int, day: date, to: Recipient) -> str:
    """Once per task and day."""
    return f"{Kind.APPROVAL_REMINDER}:{task_id}:{day.isoformat()}{to.key_suffix}"


def billing_exceptions_key(exception_keys: Iterable[str], to: Recipient) -> str:
    """The same exceptions are told once; this key names the recipient before the digest."""
    digest = hashlib.sha256("\n".join(sorted(exception_keys)).encode()).hexdigest()[:40]
    return f"{Kind.BILLING_EXCEPTIONS}{to.key_suffix}:{digest}"


def tier_digest_key(day: date, change_ids: Iterable[int], to: Recipient) -> str:
    listed = ",".join(str(i) for i in sorted(change_ids))
    digest = hashlib.sha1(listed.encode()).hexdigest()[:12]
    return f"{Kind.TIER_DIGEST}:{day}:{digest}{to.key_suffix}"[:MAX_KEY]


def pool_payment_refused_key(payment_id: int, reason: str, to: Recipient) -> str:
    return f"{Kind.POOL_PAYMENT_REFUSED}:{payment_id}:{reason}{to.key_suffix}"


def credit_limit_exceeded_key(customer_id: int, crossing: int, to: Recipient) -> str:
    """Once per crossing of the limit."""
    return f"{Kind.CREDIT_LIMIT_EXCEEDED}:{customer_id}:{crossing}{to.key_suffix}"


def handover_summary_key(day: date, to: Recipient) -> str:
    return f"{Kind.HANDOVER_SUMMARY}:{day.isoformat()}{to.key_suffix}"


def handover_pending_key(day: date, to: Recipient) -> str:
    return f"{Kind.HANDOVER_PENDING}:{day.isoformat()}{to.key_suffix}"


def credit_overuse_key(document: str, to: Recipient) -> str:
    """One alert per booked document (a reversed return is never active again)."""
    return f"{Kind.CREDIT_OVERUSE}:{document}{to.key_suffix}"


def erp_event_key(event_id: int, to: Recipient) -> str:
    """Once per event and endpoint."""
    return f"{Kind.ERP_EVENT}:{event_id}{to.key_suffix}"
