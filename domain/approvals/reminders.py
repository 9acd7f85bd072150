"""Reminders of approval tasks left pending: once a day per task, after it waited long enough."""

from __future__ import annotations

from datetime import datetime, timedelta

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from domain.approvals.engine import PENDING, kind_label
from domain.approvals.models import ApprovalFlow, ApprovalTask
from domain.notices import outbox
from domain.notices.catalogue import (
    ApprovalReminder,
    Kind,
    approval_reminder_key,
    staff_recipient,
)
from domain.org.models import Staff

BATCH = 500


async def remind_pending_tasks(now: datetime, after_hours: int = 24) -> dict:
    """Queue one reminder per pending task older than ``after_hours`` and not yet reminded
    on ``now``'s date; returns the counts. Running it twice on a day reminds nobody twice:
    ``reminded_on`` keeps a later run from picking the task again, and the reminder's dedupe
    key (task and day) keeps a concurrent run from queueing it again."""
    today = now.date()
    due = ApprovalTask.filter(
        Q(reminded_on=None) | Q(reminded_on__lt=today), status=PENDING,
        created_at__lte=now - timedelta(hours=after_hours), flow__status=PENDING,
    ).order_by("id")
    counts = {"due": 0, "reminded": 0}
    last_id = 0
    while tasks := await due.filter(id__gt=last_id).limit(BATCH):
        last_id = tasks[-1].id
        counts["due"] += len(tasks)
        counts["reminded"] += await _remind(tasks, now)
    return counts


async def _remind(tasks: list[ApprovalTask], now: datetime) -> int:
    flows = {f.id: f for f in await ApprovalFlow.filter(id__in={t.flow_id for t in tasks})}
    staff = {s.id: s for s in await Staff.filter(id__in={t.approver_id for t in tasks})}
    today, sent = now.date(), 0
    async with in_transaction():
        await ApprovalTask.filter(id__in=[t.id for t in tasks]).update(reminded_on=today)
        for task in tasks:
            approver = staff[task.approver_id]
            to = staff_recipient(approver.id, approver.name)
            queued = await outbox.enqueue(
                Kind.APPROVAL_REMINDER, to, _payload(task, flows[task.flow_id], now),
                approval_reminder_key(task.id, today, to), now)
            sent += queued is not None
    return sent


def _payload(task: ApprovalTask, flow: ApprovalFlow, now: datetime) -> ApprovalReminder:
    return {"flow_id": flow.id, "task_id": task.id, "kind": flow.kind,
            "kind_label": kind_label(flow.kind), "title": flow.title,
            "node": flow.nodes[task.node]["name"],
            "waiting_hours": int((now - task.created_at).total_seconds() // 3600),
            "since": task.created_at.isoformat()}
