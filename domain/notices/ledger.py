"""The delivery ledger in people's words: where each outbox row stands (its state), how it went
out (its channel), and which rows may be sent again. One reading of the rows, for the API's
``GET /deliveries`` and the workbench's 发送记录 alike.

States, from the stored ``status`` and what the dispatcher recorded: a pending row not tried
yet is 待发送, one tried and waiting for its retry is 重试中; a dead row the sender could not
route at all (``domain.delivery.no_channel``) is 未送达, any other dead row 失败.
"""

from __future__ import annotations

import re
from enum import StrEnum

from tortoise.expressions import Q

from domain.delivery import NO_CHANNEL, sent_by_subscribe
from domain.notices.catalogue import CATALOGUE, Channel, Kind, Render
from domain.notices.models import OutboxStatus


class State(StrEnum):
    QUEUED = "queued"
    RETRYING = "retrying"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    UNDELIVERED = "undelivered"


STATE_LABELS = {
    State.QUEUED: "待发送", State.RETRYING: "重试中", State.SENDING: "发送中",
    State.SENT: "已发送", State.FAILED: "失败", State.UNDELIVERED: "未送达",
}
STATUS_LABELS = {  # the stored statuses, as the period summary counts them
    OutboxStatus.PENDING: "待发送", OutboxStatus.SENDING: "发送中", OutboxStatus.SENT: "已发送",
    OutboxStatus.DEAD: "未发出",
}
# Nobody is sending these and nobody will unless asked: a person may ask for another try.
RESENDABLE = frozenset({State.RETRYING, State.FAILED, State.UNDELIVERED})
# What "resend all failed of a day" takes: not 未送达 rows, no channel reaches those until the
# recipient changes something (follows again, grants consent), and that is one row at a time.
RESEND_IN_BULK = frozenset({State.RETRYING, State.FAILED})

CHANNEL_LABELS = {
    Channel.WECHAT: "微信", Channel.DINGTALK: "钉钉", Channel.DINGTALK_GROUP: "钉钉群",
    Channel.WEBHOOK: "ERP 接口",
}
RENDER_LABELS = {
    Render.TEMPLATE: "微信模板消息", Render.CARD: "钉钉互动卡片",
    Render.CARD_UPDATE: "钉钉卡片更新", Render.MARKDOWN: "钉钉工作通知",
    Render.GROUP_TEXT: "钉钉群机器人", Render.TODO: "钉钉待办", Render.TODO_DONE: "钉钉待办完成",
    Render.WEBHOOK_JSON: "ERP 接口推送",
}
SUBSCRIBE_LABEL = "小程序订阅消息"
# How the senders record a platform's refusal (bot.senders, bot.erp_webhook), and what finance
# reads instead; the code stays in brackets for whoever follows it up.
WECHAT_ERROR = re.compile(r"wechat (-?\d+|None): (.*)", re.S)
DINGTALK_ERROR = re.compile(r"dingtalk (\S+) (\S*): (.*)", re.S)
WEBHOOK_ERROR = re.compile(r"webhook answered (\d+): (.*)", re.S)
WECHAT_CODES = {
    "-1": "微信系统繁忙", "40001": "微信接口凭证失效", "40014": "微信接口凭证失效",
    "42001": "微信接口凭证过期", "40003": "联系人的微信身份（openid）无效",
    "43004": "联系人已取消关注公众号", "43101": "联系人未授权小程序订阅消息",
    "45009": "超过微信接口的调用额度", "47003": "消息内容不符合微信模板的要求",
}


def state_of(status: str, attempts: int, last_error: str) -> State:
    if status == OutboxStatus.PENDING:
        return State.RETRYING if attempts else State.QUEUED
    if status == OutboxStatus.DEAD:
        return State.UNDELIVERED if last_error.startswith(NO_CHANNEL) else State.FAILED
    return State.SENDING if status == OutboxStatus.SENDING else State.SENT


def state_filter(state: State) -> Q:
    """The rows in ``state`` (the query form of ``state_of``)."""
    undelivered = Q(last_error__startswith=NO_CHANNEL)
    return {
        State.QUEUED: Q(status=OutboxStatus.PENDING, attempts=0),
        State.RETRYING: Q(status=OutboxStatus.PENDING, attempts__gt=0),
        State.SENDING: Q(status=OutboxStatus.SENDING),
        State.SENT: Q(status=OutboxStatus.SENT),
        State.FAILED: Q(Q(status=OutboxStatus.DEAD), ~undelivered),
        State.UNDELIVERED: Q(Q(status=OutboxStatus.DEAD), undelivered),
    }[state]


def any_state(states) -> Q:
    """The rows in any of ``states``."""
    return Q(*(state_filter(state) for state in states), join_type=Q.OR)


def error_in_words(error: str) -> str:
    """A sender's recorded failure as finance reads it (an unknown one as it was recorded)."""
    if found := WECHAT_ERROR.fullmatch(error):
        code, message = found.groups()
        if code == "None":
            return f"微信接口没有正常应答（{message}）"
        return f"{WECHAT_CODES.get(code, '微信拒收了这条消息')}（错误码 {code}：{message}）"
    if found := DINGTALK_ERROR.fullmatch(error):
        status, code, message = found.groups()
        return f"钉钉拒收了这条消息（{status} {code}：{message}）"
    if found := WEBHOOK_ERROR.fullmatch(error):
        return f"ERP 接口回复 HTTP {found.group(1)}：{found.group(2)}"
    return error


def how_sent(channel: str, kind: str, provider_ref: str) -> str:
    """How the row goes out, as precisely as is known: a WeChat notice is a template message or
    a mini-program subscribe message, which only its send decides."""
    if channel == Channel.WECHAT and sent_by_subscribe(provider_ref):
        return SUBSCRIBE_LABEL
    try:
        render = CATALOGUE[Kind(kind)].renders[Channel(channel)]
    except (KeyError, ValueError):  # a stored row of a kind or channel since retired
        return CHANNEL_LABELS.get(channel, channel)  # type: ignore[call-overload]
    return RENDER_LABELS[render]
