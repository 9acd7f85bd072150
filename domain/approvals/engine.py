"""The approval engine (SPEC 5): start a flow, approve / reject / return a task, withdraw or
resubmit a flow. Every action records who, when and the comment; every new task and every
outcome is a notice in the outbox, written in the same transaction.

Flow status: pending → approved | rejected | withdrawn (archived), or returned (to the
initiator, who may resubmit or withdraw). Task status: pending → approved | rejected | returned,
or skipped (another holder of an any-one-of node acted first) | withdrawn.

Concurrency: an action locks the flow row (PostgreSQL), reads its task again under that lock,
and saves the flow with a version compare-and-set (SQLite cannot lock rows), so of two racing
actions one wins and the other is refused with nothing written. Task statuses change only
under the flow's lock.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from domain.access import can_see_customer
from domain.actors import Actor
from domain.approvals.card_figures import customer_credit
from domain.approvals.departments import OrgChart
from domain.approvals.errors import (
    APPROVER_UNRESOLVED,
    BAD_FORM,
    COMMENT_REQUIRED,
    COMMENT_TOO_LONG,
    FLOW_ARCHIVED,
    FLOW_CHANGED,
    FLOW_NOT_FOUND,
    FLOW_NOT_RETURNED,
    INITIATOR_REQUIRED,
    NOT_INITIATOR,
    NOT_YOUR_TASK,
    OWN_FLOW,
    TASK_NOT_FOUND,
    TASK_NOT_PENDING,
    UNKNOWN_FLOW_KIND,
)
from domain.approvals.flows import (
    DEPARTMENT_HEAD,
    FLOWS,
    INITIATOR,
    MANAGER,
    FlowDef,
    Node,
    approver_roles,
)
from domain.approvals.kinds import KINDS, Hold
from domain.approvals.models import ApprovalAction, ApprovalFlow, ApprovalTask
from domain.cards import retire_cards
from domain.customers.errors import CUSTOMER_NOT_FOUND
from domain.errors import Conflict, DomainError
from domain.notices import outbox
from domain.notices.catalogue import (
    ApprovalOutcome,
    ApprovalTaskClosed,
    ApprovalTodo,
    Kind,
    approval_outcome_key,
    approval_task_closed_key,
    approval_task_key,
    approval_todo_done_key,
    approval_todo_key,
    staff_recipient,
)
from domain.org.models import Staff, StaffRole

# flow status
PENDING, RETURNED, APPROVED, REJECTED, WITHDRAWN = (
    "pending", "returned", "approved", "rejected", "withdrawn")
ARCHIVED = frozenset({APPROVED, REJECTED, WITHDRAWN})
FLOW_STATUS_LABELS = {PENDING: "审批中", RETURNED: "已退回发起人", APPROVED: "已通过",
                      REJECTED: "已驳回", WITHDRAWN: "已撤回"}
# task status (besides pending, approved, rejected, returned)
SKIPPED = "skipped"
TASK_STATUS_LABELS = {PENDING: "待处理", APPROVED: "已同意", REJECTED: "已驳回",
                      RETURNED: "已退回", SKIPPED: "已由他人处理", WITHDRAWN: "已撤回"}
# actions in the history
START, RESUBMIT, APPROVE, REJECT, RETURN, WITHDRAW, AUTO = (
    "start", "resubmit", "approve", "reject", "return", "withdraw", "auto")
ACTION_LABELS = {START: "发起", RESUBMIT: "重新提交", APPROVE: "同意", REJECT: "驳回",
                 RETURN: "退回", WITHDRAW: "撤回", AUTO: "系统自动通过"}
# a decision on a task and the task status it leaves, with what to say once it is done
_ACTION_OF = {APPROVED: APPROVE, REJECTED: REJECT, RETURNED: RETURN}
DONE_LABELS = {action: TASK_STATUS_LABELS[status] for status, action in _ACTION_OF.items()}
MAX_COMMENT = 2000
# outbox notices to approvers: a new task (drawn as a card), a task closed without them
TASK_CARDS = Kind.APPROVAL_TASK.value  # the subject type a task's cards are filed under


class TaskClosed(Conflict):
    """The task was already acted on, closed by someone else, or its flow moved on. A card
    showing it is no longer actionable (``retires_card``)."""

    retires_card = True

    def __init__(self, message: str, **detail) -> None:
        super().__init__(TASK_NOT_PENDING.code, message, **detail)


def kind_label(kind: str) -> str:
    definition = FLOWS.get(kind)
    return definition.label if definition else kind


# ----- resolving approvers -----


async def _active(staff_id: int | None) -> Staff | None:
    return await Staff.get_or_none(id=staff_id, active=True) if staff_id else None


async def _department_head(initiator: Staff) -> tuple[list[Staff], str]:
    head, why = (await OrgChart.load()).head_of(initiator)
    return ([head], "") if head else ([], why)


async def resolve_approvers(spec: str, initiator: Staff) -> tuple[list[Staff], str]:
    """The staff who get a task for a node, and why nobody does when the list is empty.
    Nobody approves their own flow: only an ``initiator`` node (the salesperson confirming a
    write-off, seed 004) goes to the initiator."""
    if spec == MANAGER:
        manager = await _active(initiator.manager_id)
        if manager is None or manager.id == initiator.id:
            return [], f"发起人 {initiator.name} 没有直接上级"
        return [manager], ""
    if spec == DEPARTMENT_HEAD:
        return await _department_head(initiator)  # a head other than the initiator
    if spec == INITIATOR:
        return [initiator], ""
    return await _role_holders(approver_roles(spec), initiator)


async def _role_holders(roles: tuple[str, ...], initiator: Staff) -> tuple[list[Staff], str]:
    """The active holders of any of ``roles`` but the initiator."""
    ids = set(await StaffRole.filter(role__in=roles).values_list("staff_id", flat=True))
    holders = await Staff.filter(id__in=ids - {initiator.id}, active=True).order_by("id")
    if holders:
        return holders, ""
    names = "、".join(f"「{r}」" for r in roles)
    if initiator.id in ids:
        return [], f"{names}只有发起人 {initiator.name} 本人担任，发起人不能审批自己的申请"
    return [], f"没有员工担任角色{names}"


async def _snapshot(definition: FlowDef, initiator: Staff, form: Mapping) -> list[dict]:
    """The nodes as this flow will run them: auto-passed or with their approvers, resolved
    now so a node nobody can approve refuses the start instead of hanging later."""
    nodes = []
    for node in definition.nodes:
        nodes.append(await _snapshot_node(node, initiator, form))
    return nodes


async def _snapshot_node(node: Node, initiator: Staff, form: Mapping) -> dict:
    entry: dict[str, Any] = {"name": node.name, "approver": node.approver,
             "auto": node.auto.as_dict() if node.auto else None, "auto_passed": False,
             "approvers": [], "approver_names": []}
    if node.auto is not None and node.auto.holds(form):
        entry["auto_passed"] = True
        entry["auto_reason"] = node.auto.describe()
        return entry
    staff, reason = await resolve_approvers(node.approver, initiator)
    if not staff:
        raise APPROVER_UNRESOLVED(f"审批节点「{node.name}」找不到审批人：{reason}",
                                  node=node.name)
    entry["approvers"] = [s.id for s in staff]
    entry["approver_names"] = [s.name for s in staff]
    return entry


# ----- starting -----


def _definition(kind: str, definitions: Mapping[str, FlowDef] | None) -> FlowDef:
    definition = (definitions or FLOWS).get(kind)
    if definition is None or kind not in KINDS:
        raise UNKNOWN_FLOW_KIND(f"未知审批流程: {kind}")
    return definition


async def _initiator(staff_id: int | None) -> Staff:
    staff = await _active(staff_id)
    if staff is None:
        raise INITIATOR_REQUIRED("发起审批需要关联在职员工的密钥")
    return staff


async def _prepare(kind: str, initiator: Staff, form, now: datetime, actor: Actor | None,
                   definitions) -> tuple[object, list[dict]]:
    if not isinstance(form, Mapping):
        raise BAD_FORM("form 必须是对象")
    definition = _definition(kind, definitions)
    spec = KINDS[kind]
    subject = await spec.check(spec.parse(form, now.date()), now)
    if actor is not None and subject.customer_id is not None \
            and not await can_see_customer(actor, subject.customer_id):
        raise CUSTOMER_NOT_FOUND(f"客户 {subject.customer_id} 不存在")
    return subject, await _snapshot(definition, initiator, subject.form)


async def start(kind: str, initiator_id: int | None, form, now: datetime, *,
                actor: Actor | None = None,
                definitions: Mapping[str, FlowDef] | None = None) -> ApprovalFlow:
    """Start a flow: check its form, snapshot its nodes, open the first node's tasks (after
    any auto-passed nodes; a flow whose nodes all auto-pass is approved at once)."""
    initiator = await _initiator(initiator_id)
    subject, nodes = await _prepare(kind, initiator, form, now, actor, definitions)
    await _check_hold(subject.hold, None)
    async with _holding(subject.hold), in_transaction():
        flow = await ApprovalFlow.create(
            kind=kind, title=subject.title[:200], initiator_id=initiator.id,
            customer_id=subject.customer_id, form=subject.form, nodes=nodes,
            hold_key=subject.hold.key if subject.hold else None, created_at=now)
        await _enter(flow, 0, now, await _record(flow, 0, initiator.id, START, "", now))
        await _save(flow)
    return flow


async def resubmit(flow_id: int, staff_id: int | None, form, now: datetime, *,
                   actor: Actor | None = None,
                   definitions: Mapping[str, FlowDef] | None = None) -> ApprovalFlow:
    """The initiator sends a returned flow again, with an edited form or the same one."""
    hold: Hold | None = None  # known once the form is checked, under the flow's lock
    async with _holding(lambda: hold), in_transaction():
        flow = await _locked_flow(flow_id)
        initiator = await _initiator_of(flow, staff_id, RESUBMIT)
        subject, nodes = await _prepare(flow.kind, initiator, flow.form if form is None else form,
                                        now, actor, definitions)
        hold = subject.hold
        await _check_hold(hold, flow.id)
        flow.form, flow.title, flow.nodes = subject.form, subject.title[:200], nodes
        flow.customer_id, flow.status = subject.customer_id, PENDING
        flow.hold_key = hold.key if hold else None
        await _enter(flow, 0, now, await _record(flow, 0, initiator.id, RESUBMIT, "", now))
        await _save(flow)
    return flow


# ----- acting on a task -----


def _comment(comment: str | None, required_for: str = "") -> str:
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise COMMENT_TOO_LONG(f"意见不能超过 {MAX_COMMENT} 个字")
    if required_for and not comment:
        raise COMMENT_REQUIRED(f"{required_for}需要填写意见")
    return comment


async def approve(task_id: int, staff_id: int | None, comment: str, now: datetime, *,
                  flow_id: int | None = None) -> ApprovalFlow:
    """同意: the node passes; the next node's tasks open, or the flow is approved and takes
    effect (an effect that refuses leaves everything as it was, the error says why)."""
    comment = _comment(comment)
    async with in_transaction():
        flow, task = await _acting_on(task_id, staff_id, flow_id)
        action = await _close(flow, task, APPROVED, comment, now)
        await _enter(flow, task.node + 1, now, action)
        await _save(flow)
    return flow


async def reject(task_id: int, staff_id: int | None, comment: str, now: datetime, *,
                 flow_id: int | None = None) -> ApprovalFlow:
    """驳回: the flow ends, rejected."""
    comment = _comment(comment, "驳回")
    async with in_transaction():
        flow, task = await _acting_on(task_id, staff_id, flow_id)
        action = await _close(flow, task, REJECTED, comment, now)
        flow.status, flow.finished_at = REJECTED, now
        await _end_without_effect(flow, now)
        await _decided(flow, action, now)
        await _tell_initiator(flow, action, now)
        await _save(flow)
    return flow


async def send_back(task_id: int, staff_id: int | None, comment: str, now: datetime, *,
                    flow_id: int | None = None) -> ApprovalFlow:
    """退回: back to the previous node that a person approves, from the first one back to the
    initiator (status returned)."""
    comment = _comment(comment, "退回")
    async with in_transaction():
        flow, task = await _acting_on(task_id, staff_id, flow_id)
        action = await _close(flow, task, RETURNED, comment, now)
        previous = [i for i in range(task.node) if not flow.nodes[i]["auto_passed"]]
        if previous:
            await _open_node(flow, previous[-1], now)
        else:
            flow.status = RETURNED
        await _tell_initiator(flow, action, now)
        await _save(flow)
    return flow


async def withdraw(flow_id: int, staff_id: int | None, comment: str,
                   now: datetime) -> ApprovalFlow:
    """撤回 by the initiator, any time before the flow is archived."""
    comment = _comment(comment)
    async with in_transaction():
        flow = await _locked_flow(flow_id)
        initiator = await _initiator_of(flow, staff_id, WITHDRAW)
        open_tasks = await ApprovalTask.filter(flow_id=flow.id, status=PENDING)
        await ApprovalTask.filter(id__in=[t.id for t in open_tasks]).update(
            status=WITHDRAWN, acted_at=now)
        await _record(flow, flow.current_node, initiator.id, WITHDRAW, comment, now)
        await _tell_closed(flow, open_tasks, _withdrawn_text(flow), now)
        flow.status, flow.finished_at = WITHDRAWN, now
        await _end_without_effect(flow, now)
        await _save(flow)
    return flow


async def _end_without_effect(flow: ApprovalFlow, now: datetime) -> None:
    """A rejected or withdrawn flow's kind lets go of what it held while pending."""
    flow.hold_key = None
    kind = KINDS.get(flow.kind)
    if kind is not None and kind.on_end is not None:
        await kind.on_end(flow, now)


async def _decided(flow: ApprovalFlow, action: ApprovalAction, now: datetime) -> None:
    """The flow is approved or rejected: its kind's ``on_decided`` hears of it."""
    kind = KINDS.get(flow.kind)
    if kind is not None and kind.on_decided is not None:
        await kind.on_decided(flow, action, now)


ACTIONS = {APPROVE: approve, REJECT: reject, RETURN: send_back}


# ----- holds: what a live flow keeps for itself -----


async def _check_hold(hold: Hold | None, flow_id: int | None) -> None:
    """Refuse when another flow holds the same thing."""
    if hold is None:
        return
    live = await ApprovalFlow.filter(hold_key=hold.key).exclude(id=flow_id or 0).first()
    if live is not None:
        raise hold.refusal(live.id)


@asynccontextmanager
async def _holding(hold: Hold | None | Callable[[], Hold | None]):
    """Turn losing a race for a hold (the unique key) into the hold's refusal."""
    try:
        yield
    except IntegrityError:
        taken = hold() if callable(hold) else hold
        live = await ApprovalFlow.get_or_none(hold_key=taken.key) if taken else None
        if live is None:
            raise
        raise taken.refusal(live.id) from None


# ----- the steps -----


async def _locked_flow(flow_id: int) -> ApprovalFlow:
    flow = await ApprovalFlow.filter(id=flow_id).select_for_update().first()
    if flow is None:
        raise FLOW_NOT_FOUND(f"审批流程 {flow_id} 不存在")
    return flow


async def _initiator_of(flow: ApprovalFlow, staff_id: int | None, action: str) -> Staff:
    refusal = initiator_refusal(action, flow.status, flow.initiator_id, staff_id)
    if refusal is not None:
        raise refusal
    return await Staff.get(id=staff_id)


async def _acting_on(task_id: int, staff_id: int | None,
                     flow_id: int | None) -> tuple[ApprovalFlow, ApprovalTask]:
    """The locked flow and the task, provided ``staff_id`` may act on it now."""
    found = await ApprovalTask.get_or_none(id=task_id)
    if found is None or (flow_id is not None and found.flow_id != flow_id):
        raise TASK_NOT_FOUND(f"审批任务 {task_id} 不存在")
    flow = await _locked_flow(found.flow_id)
    task = await ApprovalTask.get(id=task_id)  # read again under the lock
    if task.approver_id != staff_id:
        raise NOT_YOUR_TASK("这不是你的审批任务")
    if _own_flow(flow, task):
        raise OWN_FLOW("不能审批自己发起的申请")
    if not _task_open(flow, task):
        raise TaskClosed(await _why_closed(flow, task), flow_id=flow.id, task_id=task.id)
    return flow, task


async def why_task_closed(task_id: int) -> str | None:
    """Why nobody can act on the task any more (for a card pressed or sent late), or None
    while it waits for its approver."""
    task = await ApprovalTask.get_or_none(id=task_id)
    if task is None:
        return f"审批任务 {task_id} 不存在。"
    flow = await ApprovalFlow.get(id=task.flow_id)
    if _task_open(flow, task):
        return None
    return await _why_closed(flow, task)


# ----- what a person may do to a flow now (the rules the actions above apply) -----


def _task_open(flow: ApprovalFlow, task: ApprovalTask) -> bool:
    """The task waits for its approver: pending, on the pending flow's current node."""
    return task.status == PENDING and flow.status == PENDING and task.node == flow.current_node


def _own_flow(flow: ApprovalFlow, task: ApprovalTask) -> bool:
    """The initiator's task on their own flow, at a node not theirs to approve as initiator
    (a task from before the rule that nobody approves their own application)."""
    return task.approver_id == flow.initiator_id and \
        flow.nodes[task.node]["approver"] != INITIATOR


def initiator_refusal(action: str, status: str, initiator_id: int,
                      staff_id: int | None) -> DomainError | None:
    """Why ``staff_id`` may not WITHDRAW or RESUBMIT a flow in ``status`` now (None: they may):
    only the initiator, withdrawing before the flow is archived, resubmitting once returned."""
    if staff_id is None or initiator_id != staff_id:
        return NOT_INITIATOR("只有发起人可以撤回或重新提交审批")
    if action == WITHDRAW and status in ARCHIVED:
        return FLOW_ARCHIVED(f"审批流程{FLOW_STATUS_LABELS[status]}（已归档），不能撤回")
    if action == RESUBMIT and status != RETURNED:
        return FLOW_NOT_RETURNED(
            f"审批流程{FLOW_STATUS_LABELS[status]}，只有退回给发起人的流程可以重新提交")
    return None


def initiator_actions(status: str, initiator_id: int, staff_id: int | None) -> frozenset[str]:
    """The initiator's actions (RESUBMIT, WITHDRAW) ``staff_id`` may take on such a flow."""
    return frozenset(action for action in (RESUBMIT, WITHDRAW)
                     if initiator_refusal(action, status, initiator_id, staff_id) is None)


async def flow_actions(flow: ApprovalFlow, staff_id: int | None) -> dict[str, Any]:
    """What ``staff_id`` may do to the flow now: ``withdraw`` and ``resubmit`` (as its
    initiator) and ``task_id``, their task to decide (None: none waits for them)."""
    tasks = await ApprovalTask.filter(flow_id=flow.id, approver_id=staff_id or 0,
                                      status=PENDING).order_by("id")
    task = next((t for t in tasks if _task_open(flow, t) and not _own_flow(flow, t)), None)
    mine = initiator_actions(flow.status, flow.initiator_id, staff_id)
    return {"withdraw": WITHDRAW in mine, "resubmit": RESUBMIT in mine,
            "task_id": task.id if task else None}


def _withdrawn_text(flow: ApprovalFlow) -> str:
    return f"「{flow.title}」已被发起人撤回，无需再处理。"


def _decided_text(flow: ApprovalFlow, node: int, who: str, action: str) -> str:
    return (f"「{flow.title}」的「{flow.nodes[node]['name']}」已由 {who} "
            f"{ACTION_LABELS[action]}，无需再处理。")


def _own_decision_text(flow: ApprovalFlow, node: int, action: ApprovalAction) -> str:
    """What the decider's own card shows when they decided elsewhere (the page, the API)."""
    said = f"，意见：{action.comment[:200]}" if action.comment else ""
    return (f"「{flow.title}」的「{flow.nodes[node]['name']}」"
            f"你已{ACTION_LABELS[action.action]}{said}。")


async def _why_closed(flow: ApprovalFlow, task: ApprovalTask) -> str:
    if task.status == WITHDRAWN or flow.status == WITHDRAWN:
        return _withdrawn_text(flow)
    if task.status == SKIPPED:
        other = await ApprovalAction.filter(
            flow_id=flow.id, node=task.node, created_at__gte=task.created_at,
            action__in=[APPROVE, REJECT, RETURN]).exclude(actor_id=task.approver_id) \
            .order_by("id").first()
        who = await Staff.get_or_none(id=other.actor_id) if other and other.actor_id else None
        if other is not None and who is not None:
            return _decided_text(flow, task.node, who.name, other.action)
    if task.status in (APPROVED, REJECTED, RETURNED):
        return f"你已{ACTION_LABELS[_ACTION_OF[task.status]]}过这项审批，不能重复操作。"
    return f"这项审批已失效（流程{FLOW_STATUS_LABELS.get(flow.status, flow.status)}）。"




async def _close(flow: ApprovalFlow, task: ApprovalTask, status: str, comment: str,
                 now: datetime) -> ApprovalAction:
    """Close the task (checked pending under the flow's lock), skip the node's other tasks,
    record the action, and tell every holder of the node (the actor too: a decision made on
    the approval page or the API must still redraw the actor's own card and close their 待办)."""
    await ApprovalTask.filter(id=task.id).update(status=status, comment=comment, acted_at=now)
    others = await ApprovalTask.filter(flow_id=flow.id, node=task.node, status=PENDING)
    await ApprovalTask.filter(id__in=[t.id for t in others]).update(
        status=SKIPPED, acted_at=now)
    action = await _record(flow, task.node, task.approver_id, _ACTION_OF[status], comment, now)
    actor = await Staff.get(id=task.approver_id)
    await _tell_closed(flow, [task], _own_decision_text(flow, task.node, action), now)
    await _tell_closed(flow, others, _decided_text(flow, task.node, actor.name, action.action),
                       now)
    return action


async def _record(flow: ApprovalFlow, node: int, actor_id: int | None, action: str,
                  comment: str, now: datetime) -> ApprovalAction:
    return await ApprovalAction.create(flow_id=flow.id, node=node, actor_id=actor_id,
                                       action=action, comment=comment, created_at=now)


async def _enter(flow: ApprovalFlow, index: int, now: datetime, last: ApprovalAction) -> None:
    """Move to node ``index``: auto-passed nodes are recorded and passed; past the last node
    the flow is approved and takes effect (``last``: the action that led here, which the
    initiator hears about unless an auto-pass comes after it)."""
    while index < len(flow.nodes) and flow.nodes[index]["auto_passed"]:
        last = await _record(flow, index, None, AUTO, flow.nodes[index].get("auto_reason", ""),
                             now)
        index += 1
    if index < len(flow.nodes):
        await _open_node(flow, index, now)
        return
    flow.result = await KINDS[flow.kind].effect(flow, f"approval:{flow.id}", now) or {}
    flow.status, flow.finished_at = APPROVED, now
    await _decided(flow, last, now)
    await _tell_initiator(flow, last, now)


async def _open_node(flow: ApprovalFlow, index: int, now: datetime) -> None:
    """A pending task (and its card) for each approver of the node, in a new round."""
    flow.current_node = index
    last_round = await ApprovalTask.filter(flow_id=flow.id, node=index).order_by(
        "-round").first()
    round_ = (last_round.round + 1) if last_round else 1
    card = await _card_payload(flow, index, round_, now)
    for approver in await Staff.filter(id__in=flow.nodes[index]["approvers"]).order_by("id"):
        task = await ApprovalTask.create(flow_id=flow.id, node=index, round=round_,
                                         approver_id=approver.id, created_at=now)
        to = staff_recipient(approver.id, approver.name)
        await outbox.enqueue(Kind.APPROVAL_TASK, to, {**card, "task_id": task.id},
                             approval_task_key(task.id, to), now)
        todo: ApprovalTodo = {"task_id": task.id, "flow_id": flow.id, "title": flow.title,
                              "kind_label": card["kind_label"], "initiator": card["initiator"],
                              "node": card["node"]}
        await outbox.enqueue(Kind.APPROVAL_TODO, to, todo, approval_todo_key(task.id, to), now)


async def _save(flow: ApprovalFlow) -> None:
    """Write the flow's state if nobody changed it since it was read."""
    updated = await ApprovalFlow.filter(id=flow.id, version=flow.version).update(
        kind=flow.kind, title=flow.title, customer_id=flow.customer_id, form=flow.form,
        nodes=flow.nodes, current_node=flow.current_node, status=flow.status,
        result=flow.result, finished_at=flow.finished_at, hold_key=flow.hold_key,
        version=flow.version + 1)
    if not updated:
        raise FLOW_CHANGED("审批流程已被他人处理，请刷新后重试")
    flow.version += 1


# ----- notices -----


async def _card_payload(flow: ApprovalFlow, index: int, round_: int, now: datetime) -> dict:
    """What the cards of node ``index`` show, but the task id (a card is drawn from this
    alone); read once for all the node's approvers, the customer's credit figures too."""
    initiator = await Staff.get(id=flow.initiator_id)
    returned = await ApprovalAction.filter(flow_id=flow.id, action=RETURN).order_by(
        "-id").first() if round_ > 1 else None
    customer, credit = await customer_credit(flow.customer_id, now.date())
    return {
        "customer": customer, "credit": credit,
        "flow_id": flow.id, "kind": flow.kind,
        "kind_label": kind_label(flow.kind), "title": flow.title, "initiator": initiator.name,
        "node": flow.nodes[index]["name"], "step": f"{index + 1}/{len(flow.nodes)}",
        "round": round_, "summary": [list(line) for line in KINDS[flow.kind].summary(flow.form)],
        "returned_comment": returned.comment if returned else "",
        "created_at": now.isoformat(),
    }


async def _tell_closed(flow: ApprovalFlow, tasks: list[ApprovalTask], reason: str,
                       now: datetime) -> None:
    """Tasks closed (by their approver, another holder, a withdrawal): cards still open leave
    the 待办 list now and are redrawn with the reason through the outbox (a card its holder
    acted on keeps its outcome), and each approver's DingTalk 待办 is marked done."""
    if not tasks:
        return
    await retire_cards(TASK_CARDS, [t.id for t in tasks], now)
    approvers = {s.id: s for s in await Staff.filter(id__in={t.approver_id for t in tasks})}
    for task in tasks:
        payload: ApprovalTaskClosed = {"task_id": task.id, "flow_id": flow.id,
                                       "title": flow.title, "reason": reason}
        approver = approvers[task.approver_id]
        to = staff_recipient(approver.id, approver.name)
        await outbox.enqueue(Kind.APPROVAL_TASK_CLOSED, to, payload,
                             approval_task_closed_key(task.id, to), now)
        await outbox.enqueue(Kind.APPROVAL_TODO_DONE, to, payload,
                             approval_todo_done_key(task.id, to), now)


async def _tell_initiator(flow: ApprovalFlow, action: ApprovalAction, now: datetime) -> None:
    """The initiator hears each outcome: approved, rejected, returned (to a node or to them)."""
    initiator = await Staff.get(id=flow.initiator_id)
    actor = await Staff.get_or_none(id=action.actor_id) if action.actor_id else None
    payload: ApprovalOutcome = {
        "flow_id": flow.id, "kind": flow.kind, "kind_label": kind_label(flow.kind),
        "title": flow.title, "status": flow.status, "outcome": action.action,
        "by": actor.name if actor else "系统", "comment": action.comment,
        "node": flow.nodes[action.node]["name"],
        "back_to": flow.nodes[flow.current_node]["name"] if flow.status == PENDING else "",
        "result": flow.result if flow.status == APPROVED else {},
    }
    to = staff_recipient(initiator.id, initiator.name)
    await outbox.enqueue(Kind.APPROVAL_OUTCOME, to, payload,
                         approval_outcome_key(flow.id, action.id, flow.status, to), now)
