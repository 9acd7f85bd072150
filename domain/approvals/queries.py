"""Reading approvals: a flow with its tasks and history, and lists by status, kind and person.
Finance and admins see every flow; other staff the flows they started or have a task in."""

from __future__ import annotations

from tortoise.expressions import Q, Subquery

from domain.actors import ADMIN, FINANCE, Actor
from domain.approvals.engine import (
    ACTION_LABELS,
    APPROVED,
    FLOW_STATUS_LABELS,
    PENDING,
    REJECTED,
    RETURNED,
    TASK_STATUS_LABELS,
    kind_label,
)
from domain.approvals.errors import FLOW_NOT_FOUND, UNKNOWN_FLOW_KIND
from domain.approvals.kinds import KINDS
from domain.approvals.models import ApprovalAction, ApprovalFlow, ApprovalTask
from domain.common_errors import BAD_STATUS
from domain.org.models import Staff


def _sees_all(actor: Actor) -> bool:
    return actor.kind == "system" or actor.role in (ADMIN, FINANCE)


def _tasked(staff_id: int | None, **filters) -> Subquery:
    """The ids of the flows with a task (matching ``filters``) for the staff member."""
    return Subquery(ApprovalTask.filter(approver_id=staff_id or 0, **filters).values("flow_id"))


async def visible_flow(actor: Actor, flow_id: int) -> ApprovalFlow:
    flow = await ApprovalFlow.get_or_none(id=flow_id)
    if flow is None or not await _involved(actor, flow):
        raise FLOW_NOT_FOUND(f"审批流程 {flow_id} 不存在")
    return flow


async def _involved(actor: Actor, flow: ApprovalFlow) -> bool:
    if _sees_all(actor) or flow.initiator_id == actor.staff_id:
        return True
    return await ApprovalTask.exists(flow_id=flow.id, approver_id=actor.staff_id or 0)


async def list_flows(actor: Actor, *, status: str | None = None, kind: str | None = None,
                     mine: bool = False, todo: bool = False, limit: int = 50,
                     offset: int = 0) -> list[dict]:
    """``mine``: started by the caller; ``todo``: with a task pending for the caller."""
    query = ApprovalFlow.all()
    if not _sees_all(actor):
        query = query.filter(Q(initiator_id=actor.staff_id or 0)
                             | Q(id__in=_tasked(actor.staff_id)))
    if status:
        if status not in FLOW_STATUS_LABELS:
            raise BAD_STATUS(f"未知状态: {status}")
        query = query.filter(status=status)
    if kind:
        if kind not in KINDS:
            raise UNKNOWN_FLOW_KIND(f"未知审批流程: {kind}")
        query = query.filter(kind=kind)
    if mine:
        query = query.filter(initiator_id=actor.staff_id or 0)
    if todo:
        query = query.filter(id__in=_tasked(actor.staff_id, status=PENDING), status=PENDING)
    flows = await query.order_by("-created_at", "-id").offset(offset).limit(limit)
    names = await _names({f.initiator_id for f in flows})
    return [flow_summary(f, names) for f in flows]


async def _names(ids) -> dict[int, str]:
    ids = {i for i in ids if i}
    return dict(await Staff.filter(id__in=ids).values_list("id", "name")) if ids else {}


def flow_summary(flow: ApprovalFlow, names: dict[int, str]) -> dict:
    node = flow.nodes[flow.current_node] if flow.nodes else {}
    return {
        "id": flow.id, "kind": flow.kind, "kind_label": kind_label(flow.kind),
        "title": flow.title, "initiator_id": flow.initiator_id,
        "initiator": names.get(flow.initiator_id, ""), "customer_id": flow.customer_id,
        "status": flow.status, "status_label": FLOW_STATUS_LABELS[flow.status],
        "current_node": flow.current_node,
        "current_node_name": node.get("name", "") if flow.status == PENDING else "",
        "created_at": flow.created_at, "finished_at": flow.finished_at,
    }


async def flow_view(flow: ApprovalFlow) -> dict:
    """The flow with its form, nodes, every task and the history."""
    tasks = await ApprovalTask.filter(flow_id=flow.id).order_by("id")
    actions = await ApprovalAction.filter(flow_id=flow.id).order_by("id")
    names = await _names({flow.initiator_id} | {t.approver_id for t in tasks}
                         | {a.actor_id for a in actions})
    view = flow_summary(flow, names)
    view.update({
        "form": flow.form, "result": flow.result, "version": flow.version,
        "summary": [{"label": label, "value": value}
                    for label, value in KINDS[flow.kind].summary(flow.form)]
        if flow.kind in KINDS else [],
        "nodes": [{"index": i, "name": n["name"], "approver": n["approver"],
                   "auto_passed": n["auto_passed"], "approvers": n["approver_names"]}
                  for i, n in enumerate(flow.nodes)],
        "tasks": [{"id": t.id, "node": t.node, "round": t.round, "approver_id": t.approver_id,
                   "approver": names.get(t.approver_id, ""), "status": t.status,
                   "status_label": TASK_STATUS_LABELS.get(t.status, t.status),
                   "comment": t.comment, "created_at": t.created_at, "acted_at": t.acted_at}
                  for t in tasks],
        "history": [{"node": a.node, "node_name": _node_name(flow, a.node),
                     "action": a.action, "action_label": ACTION_LABELS.get(a.action, a.action),
                     "actor_id": a.actor_id, "actor": names.get(a.actor_id, "系统")
                     if a.actor_id else "系统", "comment": a.comment, "at": a.created_at}
                    for a in actions],
    })
    return view


def _node_name(flow: ApprovalFlow, index: int) -> str:
    return flow.nodes[index]["name"] if 0 <= index < len(flow.nodes) else ""


async def pending_task_ids(staff_id: int | None, *, limit: int = 50,
                           offset: int = 0) -> list[int]:
    """The staff member's tasks still waiting for them (their 待办), oldest first."""
    tasks = await ApprovalTask.filter(
        approver_id=staff_id or 0, status=PENDING, flow__status=PENDING).order_by(
        "created_at", "id").offset(offset).limit(limit)
    return [task.id for task in tasks]


async def decided_tasks(staff_id: int | None, *, limit: int = 50, offset: int = 0) -> list[dict]:
    """The tasks the staff member decided (同意 / 驳回 / 退回: their 已办), latest first."""
    tasks = await ApprovalTask.filter(
        approver_id=staff_id or 0, status__in=list(_DECIDED)).order_by(
        "-acted_at", "-id").offset(offset).limit(limit)
    flows = {f.id: f for f in await ApprovalFlow.filter(id__in={t.flow_id for t in tasks})}
    names = await _names({f.initiator_id for f in flows.values()})
    return [{"task_id": t.id, "status": t.status,
             "status_label": TASK_STATUS_LABELS[t.status], "comment": t.comment,
             "acted_at": t.acted_at, "node_name": _node_name(flows[t.flow_id], t.node),
             "flow": flow_summary(flows[t.flow_id], names)} for t in tasks]


_DECIDED = (APPROVED, REJECTED, RETURNED)
