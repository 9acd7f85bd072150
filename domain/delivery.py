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


class Sender(Protocol):
    async def prepare(self, notices: list[Notice]) -> None:
        """Read what the batch's sends need in bulk (called before they start)."""

    async def send(self, notice: Notice, now: datetime) -> str: ...
