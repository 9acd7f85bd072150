"""Sending a notice again when a person asks (the delivery ledger's 重发).

The row itself goes back to the queue — pending, its attempts reset, due now, its last error
cleared — rather than a copy being queued: its dedupe key keeps standing for the one notice
(a copy under a new key could be sent besides a row that is retrying), the ledger of its day
shows where it now stands, and the dispatcher takes it like any due row (at-least-once, as
ever). Only rows nobody is sending and nobody will send unless asked are taken
(``ledger.RESENDABLE``); the update re-checks the row's status and attempts, so a row the
dispatcher claims meanwhile is refused, not taken twice. The audit trail keeps who asked and
what the row's last failure was (the row's own error is cleared for the new tries).

A row whose resend dies again gets no second managers' alert (the dead-delivery alert is keyed
by the row, and the person who resent it sees the outcome in the ledger).
"""

from __future__ import annotations

from datetime import date, datetime

from tortoise.transactions import in_transaction

from domain import audit
from domain.access import require_role
from domain.actors import ADMIN, FINANCE, Actor
from domain.notices.errors import NOTICE_NOT_FOUND, NOTICE_NOT_RESENDABLE
from domain.notices.ledger import (
    RESEND_IN_BULK,
    RESENDABLE,
    STATE_LABELS,
    any_state,
    state_of,
)
from domain.notices.models import OutboxMessage, OutboxStatus

AUDITED_ERROR = 500  # characters of the last failure kept in the audit trail


def _back_in_queue(now: datetime) -> dict:
    return {"status": OutboxStatus.PENDING, "attempts": 0, "next_attempt_at": now,
            "lease_until": None, "last_error": ""}


async def resend(actor: Actor, notice_id: int, now: datetime) -> OutboxMessage:
    """Put one failed, undelivered or retrying notice back in the queue, due now."""
    require_role(actor, ADMIN, FINANCE)
    row = await OutboxMessage.get_or_none(id=notice_id)
    if row is None:
        raise NOTICE_NOT_FOUND(f"发送记录 {notice_id} 不存在")
    state = state_of(row.status, row.attempts, row.last_error)
    if state not in RESENDABLE:
        raise NOTICE_NOT_RESENDABLE(f"这条通知{STATE_LABELS[state]}，不能重发", state=str(state))
    async with in_transaction():
        moved = await OutboxMessage.filter(
            id=row.id, status=row.status, attempts=row.attempts).update(**_back_in_queue(now))
        if not moved:  # the dispatcher took or settled it since it was read
            raise NOTICE_NOT_RESENDABLE("这条通知的状态刚刚变化，请刷新后再看")
        await audit.record(actor, "resend", "outbox", row.id, now, state=str(state),
                           attempts=row.attempts, last_error=row.last_error[:AUDITED_ERROR])
    return await OutboxMessage.get(id=row.id)


async def resend_failed_of_day(actor: Actor, day: date, now: datetime) -> int:
    """Put every failed or retrying notice of ``day`` back in the queue; how many went."""
    require_role(actor, ADMIN, FINANCE)
    async with in_transaction():
        # One set-based update: the filter is the state test itself, so a row the dispatcher
        # claimed meanwhile (sending) is left alone.
        moved = await OutboxMessage.filter(any_state(RESEND_IN_BULK), business_date=day).update(
            **_back_in_queue(now))
        if moved:
            await audit.record(actor, "resend_failed", "outbox_day", day.isoformat(), now,
                               count=moved)
    return moved
