"""What an approver's own approval page shows for one task (the minimal page a card's 驳回 /
退回 button or the DingTalk 待办 opens): the request, where it stands, and whether the approver
may still act on it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from domain.approvals.card_figures import credit_facts, customer_credit
from domain.approvals.engine import (
    FLOW_STATUS_LABELS,
    TASK_STATUS_LABELS,
    kind_label,
    why_task_closed,
)
from domain.approvals.errors import NOT_YOUR_TASK, TASK_NOT_FOUND
from domain.approvals.kinds import KINDS
from domain.approvals.models import ApprovalFlow, ApprovalTask
from domain.org.models import Staff


@dataclass(frozen=True)
class TaskPage:
    task_id: int
    title: str
    kind_label: str
    initiator: str
    node: str
    step: str
    summary: list[tuple[str, str]]
    approver: str
    status: str  # the task's status, as people say it
    flow_status: str
    closed_reason: str | None  # why the approver can no longer act; None while they can
    customer: str = ""  # the customer the request is about, if any
    credit: tuple[tuple[str, str], ...] = ()  # that customer's credit today (可用额度, …)
    flow_id: int = 0
    received_at: datetime | None = None  # when the task reached the approver


async def task_page(task_id: int, staff_id: int, on: date) -> TaskPage:
    """The task as its approver ``staff_id`` sees it, with the customer's credit on ``on``;
    404 unknown, 403 someone else's."""
    task = await ApprovalTask.get_or_none(id=task_id)
    if task is None:
        raise TASK_NOT_FOUND(f"审批任务 {task_id} 不存在")
    if task.approver_id != staff_id:
        raise NOT_YOUR_TASK("这不是你的审批任务")
    flow = await ApprovalFlow.get(id=task.flow_id)
    initiator = await Staff.get_or_none(id=flow.initiator_id)
    approver = await Staff.get(id=staff_id)
    kind = KINDS.get(flow.kind)
    summary = [(str(label), str(value)) for label, value in kind.summary(flow.form)] \
        if kind else []
    customer, figures = await customer_credit(flow.customer_id, on)
    return TaskPage(
        task_id=task.id, title=flow.title, kind_label=kind_label(flow.kind),
        initiator=initiator.name if initiator else "", node=flow.nodes[task.node]["name"],
        step=f"{task.node + 1}/{len(flow.nodes)}", summary=summary, approver=approver.name,
        status=TASK_STATUS_LABELS.get(task.status, task.status),
        flow_status=FLOW_STATUS_LABELS.get(flow.status, flow.status),
        closed_reason=await why_task_closed(task.id),
        customer=customer, credit=tuple(credit_facts(figures)) if figures else (),
        flow_id=flow.id, received_at=task.created_at,
    )
