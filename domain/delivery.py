"""What the outbox dispatcher (``jobs.dispatcher``) and the channel senders (``bot.senders``)
agree on: the claimed row a sender gets, the failure it reports, and the sender's shape. Here,
below both, so neither edge imports the other."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class Notice:
    """A claimed outbox row, as the dispatcher hands it to a sender."""

    id: int
    channel: str
    kind: str
    recipient_kind: str
    recipient_id: str
    recipient_name: str
    payload: dict
    attempts: int
    request_id: str = ""  # the request that queued it ('' for jobs)


class DeliveryFailed(Exception):
    """A send that did not happen. ``retryable``: a later try may work; ``alert``: when the row
    is given up, managers get a delivery_dead alert."""

    def __init__(self, reason: str, *, retryable: bool, alert: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.alert = alert


NO_CHANNEL = "no_channel"  # the recipient cannot be reached on this channel: no alert
_NO_CHANNEL_PREFIX = f"{NO_CHANNEL}: "


def no_channel(why: str = "") -> DeliveryFailed:
    """Given up at once, without a managers' alert: nobody can fix it by resending. ``why``
    (Chinese, for finance) is kept on the row after the code: ``no_channel: 客户已取消关注…``."""
    return DeliveryFailed(f"{_NO_CHANNEL_PREFIX}{why}" if why else NO_CHANNEL,
                          retryable=False, alert=False)


def no_channel_reason(last_error: str) -> str:
    """Why a row had no channel, as ``no_channel`` recorded it ('' for any other error)."""
    if last_error.startswith(_NO_CHANNEL_PREFIX):
        return last_error.removeprefix(_NO_CHANNEL_PREFIX)
    return "没有可用的发送渠道" if last_error == NO_CHANNEL else ""


SUBSCRIBE_REF = "subscribe:"  # a WeChat notice sent as a mini-program subscribe message


def subscribe_ref(msgid: str) -> str:
    """The provider reference of a subscribe message (a template message's is its msgid)."""
    return f"{SUBSCRIBE_REF}{msgid}"


def sent_by_subscribe(provider_ref: str) -> bool:
    return provider_ref.startswith(SUBSCRIBE_REF)


class Sender(Protocol):
    async def prepare(self, notices: list[Notice]) -> None:
        """Read what the batch's sends need in bulk (called before they start)."""

    async def send(self, notice: Notice, now: datetime) -> str: ...
