"""Approval flow definitions (SPEC 5) as pure data: ordered nodes, each with an approver spec
and an optional auto-pass condition on the form. No database, no clock.

Approver specs:
- ``manager``: the initiator's direct manager (直接上级)
- ``department_head``: the head of the initiator's department, else of the nearest parent
  department that has one (部门总监)
- ``role:<name>``: whoever holds the role; with several holders any one of them decides
- ``any_of:<role1>,<role2>``: any one holder of any of these roles (seed 004: 运营核对)
- ``initiator``: the initiator themself (seed 004: the salesperson confirms a write-off)

An auto-pass condition is ``Auto(field, op, value)`` on the form, e.g. ``Auto("auto", "eq", 1)``
(seed 004: 自动销账 = 1) or ``Auto("amount", "le", "50000")``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from domain.approvals.errors import BAD_FLOW_DEFINITION

MANAGER, DEPARTMENT_HEAD, ROLE, ANY_OF = "manager", "department_head", "role", "any_of"
OPS = {"eq": "等于", "ne": "不等于", "le": "小于等于", "lt": "小于", "ge": "大于等于", "gt": "大于"}

CREDIT_APPLICATION = "credit_application"
CREDIT_TERM_CHANGE = "payment_term_change"
RECEIPT_CLAIM = "payment_claim"
REPAYMENT_APPROVAL = "repayment_approval"
POOL_CLAIM = "pool_claim"  # 申请客户流程 (seed 004), its kind in domain/tiers/claim_kind.py
# 销账 and 账单周期更改 (seed 004), their kinds in domain/payments/flow_kinds.py. The write-off's
# last node is the initiator (the customer's salesperson) confirming it.
WRITE_OFF, BILLING_TERM_CHANGE, INITIATOR = "write_off", "billing_term_change", "initiator"
SALES_DIVISION_HEAD, HQ_FINANCE = "销售事业部总", "财务(总部)"  # the write-off's role nodes

# Role names as seed 002 names the approvers; staff get them through the staff ingest (roles).
MARKETING_GM = "营销中心总经理"
FINANCE_PFC = "财务部PFC"


@dataclass(frozen=True)
class Auto:
    """Pass the node without a person when ``form[field] <op> value``."""

    field: str
    op: str
    value: Any

    def holds(self, form: Mapping[str, Any]) -> bool:
        if self.field not in form or form[self.field] is None:
            return False
        # Both Decimal or both str once the check below passes (mypy cannot narrow the pair).
        left: Any = _comparable(form[self.field])
        right: Any = _comparable(self.value)
        if type(left) is not type(right):
            return False if self.op != "ne" else True
        outcome: dict[str, bool] = {
            "eq": left == right, "ne": left != right, "le": left <= right, "lt": left < right,
            "ge": left >= right, "gt": left > right,
        }
        return outcome[self.op]

    def describe(self) -> str:
        return f"满足条件: {self.field} {OPS[self.op]} {self.value}"

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "op": self.op, "value": _json_value(self.value)}


@dataclass(frozen=True)
class Node:
    name: str
    approver: str
    auto: Auto | None = None


@dataclass(frozen=True)
class FlowDef:
    kind: str
    label: str
    nodes: tuple[Node, ...]


def _comparable(value: Any) -> Decimal | str:
    if isinstance(value, bool):
        return Decimal(int(value))
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return str(value)
    return number if number.is_finite() else str(value)


def _json_value(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


# Seed 002 授信审批: 直接上级 → 各业务部门总监 → 营销中心总经理 → 财务部PFC. The seed gives no
# node table for the other three flows; they go to the direct manager, then finance.
FLOWS: dict[str, FlowDef] = {
    CREDIT_APPLICATION: FlowDef(CREDIT_APPLICATION, "授信申请", (
        Node("直接上级", MANAGER),
        Node("业务部门总监", DEPARTMENT_HEAD),
        Node("营销中心总经理", f"{ROLE}:{MARKETING_GM}"),
        Node("财务部PFC", f"{ROLE}:{FINANCE_PFC}"),
    )),
    CREDIT_TERM_CHANGE: FlowDef(CREDIT_TERM_CHANGE, "账期更改", (
        Node("直接上级", MANAGER),
        Node("财务部PFC", f"{ROLE}:{FINANCE_PFC}"),
    )),
    RECEIPT_CLAIM: FlowDef(RECEIPT_CLAIM, "款项认领", (
        Node("直接上级", MANAGER),
        Node("财务部PFC", f"{ROLE}:{FINANCE_PFC}"),
    )),
    REPAYMENT_APPROVAL: FlowDef(REPAYMENT_APPROVAL, "还款审批", (
        Node("直接上级", MANAGER),
        Node("财务部PFC", f"{ROLE}:{FINANCE_PFC}"),
    )),
    POOL_CLAIM: FlowDef(POOL_CLAIM, "申请客户", (
        Node("直接上级", MANAGER),
        Node("业务部门总监", DEPARTMENT_HEAD),
    )),
    # Seed 004 销账: the two role nodes pass by themselves when 自动销账 = 1 (an automatic
    # write-off), the salesperson confirms. 账单周期更改: the seed leaves its nodes open (待定).
    WRITE_OFF: FlowDef(WRITE_OFF, "销账", (
        Node(SALES_DIVISION_HEAD, f"{ROLE}:{SALES_DIVISION_HEAD}",
             Auto("auto_write_off", "eq", 1)),
        Node(HQ_FINANCE, f"{ROLE}:{HQ_FINANCE}", Auto("auto_write_off", "eq", 1)),
        Node("销售确认", INITIATOR),
    )),
    BILLING_TERM_CHANGE: FlowDef(BILLING_TERM_CHANGE, "账单周期更改", (
        Node("直接上级", MANAGER),
        Node("财务部PFC", f"{ROLE}:{FINANCE_PFC}"),
    )),
}


def approver_roles(spec: str) -> tuple[str, ...]:
    """The roles a ``role:`` / ``any_of:`` spec names (empty for manager / department_head)."""
    head, _, rest = spec.partition(":")
    if head in (ROLE, ANY_OF):
        return tuple(r.strip() for r in rest.split(",") if r.strip())
    return ()


def check_node(node: Node) -> None:
    head, _, _ = node.approver.partition(":")
    if not node.name.strip():
        raise BAD_FLOW_DEFINITION("审批节点必须有名称")
    if node.approver in (MANAGER, DEPARTMENT_HEAD, INITIATOR):
        pass
    elif head in (ROLE, ANY_OF) and approver_roles(node.approver):
        pass
    else:
        raise BAD_FLOW_DEFINITION(f"审批节点「{node.name}」的审批人无法识别: {node.approver!r}")
    if node.auto is not None and node.auto.op not in OPS:
        raise BAD_FLOW_DEFINITION(
            f"审批节点「{node.name}」的自动通过条件无法识别: {node.auto.op!r}")


def node_from_dict(raw: Any) -> Node:
    if not isinstance(raw, dict):
        raise BAD_FLOW_DEFINITION("审批节点必须是对象")
    auto = raw.get("auto")
    if auto is not None:
        if not isinstance(auto, dict) or not {"field", "op", "value"} <= set(auto):
            raise BAD_FLOW_DEFINITION("auto 必须是 {field, op, value}")
        auto = Auto(str(auto["field"]), str(auto["op"]), auto["value"])
    node = Node(str(raw.get("name") or ""), str(raw.get("approver") or ""), auto)
    check_node(node)
    return node


def flows_with_overrides(text: str = "") -> dict[str, FlowDef]:
    """The default flows, with the node lists of a JSON setting
    ``{"<kind>": [{"name", "approver", "auto"?}, …]}`` put in their place."""
    if not text.strip():
        return dict(FLOWS)
    try:
        raw = json.loads(text)
    except ValueError as exc:
        raise BAD_FLOW_DEFINITION(f"审批流程配置不是合法的 JSON: {exc}") from None
    if not isinstance(raw, dict):
        raise BAD_FLOW_DEFINITION("审批流程配置必须是对象")
    flows = dict(FLOWS)
    for kind, nodes in raw.items():
        if kind not in FLOWS:
            raise BAD_FLOW_DEFINITION(f"未知审批流程: {kind}")
        if not isinstance(nodes, list) or not nodes:
            raise BAD_FLOW_DEFINITION(f"{kind} 的节点必须是非空数组")
        flows[kind] = FlowDef(kind, FLOWS[kind].label, tuple(node_from_dict(n) for n in nodes))
    return flows
