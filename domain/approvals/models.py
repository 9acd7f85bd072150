"""Tortoise models: Approvals (SPEC 5): flows, their tasks and their history."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class ApprovalFlowStatus(StrEnum):
    """Where a flow stands: live (pending, returned) or archived."""

    PENDING = "pending"
    RETURNED = "returned"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class ApprovalFlow(Model):
    """One approval (授信申请, 账期更改, 款项认领, 还款审批 …): its form and where it stands."""

    id = fields.IntField(primary_key=True)
    kind = fields.CharField(max_length=32)
    title = fields.CharField(max_length=200)
    initiator = fields.ForeignKeyField("models.Staff", related_name="initiated_flows",
                                       db_index=True)
    customer = fields.ForeignKeyField(
        "models.Customer", related_name="approval_flows", null=True, on_delete=fields.SET_NULL
    )
    form = fields.JSONField(default=dict)
    nodes = fields.JSONField(default=list)
    current_node = fields.IntField(default=0)
    status = fields.CharField(max_length=16, default=ApprovalFlowStatus.PENDING)
    result = fields.JSONField(default=dict)
    version = fields.IntField(default=1)
    created_at = fields.DatetimeField()
    finished_at = fields.DatetimeField(null=True)
    # What the flow holds for itself while it lives (e.g. the receipt a 款项认领 claims), so no
    # second flow can start on it. Kept once approved, released when rejected or withdrawn.
    hold_key = fields.CharField(max_length=100, null=True, unique=True)

    class Meta:
        table = "approval_flow"
        indexes = (("status", "kind"),)


class ApprovalTaskStatus(StrEnum):
    """What became of one approver's task."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    RETURNED = "returned"
    SKIPPED = "skipped"
    WITHDRAWN = "withdrawn"


class ApprovalTask(Model):
    """A node's task for one approver. For "any one of the role" every holder gets one."""

    id = fields.IntField(primary_key=True)
    flow = fields.ForeignKeyField("models.ApprovalFlow", related_name="tasks", db_index=True)
    node = fields.IntField()
    round = fields.IntField(default=1)
    approver = fields.ForeignKeyField("models.Staff", related_name="approval_tasks",
                                      db_index=True)
    status = fields.CharField(max_length=16, default=ApprovalTaskStatus.PENDING)
    comment = fields.TextField(default="")
    created_at = fields.DatetimeField()
    acted_at = fields.DatetimeField(null=True)
    reminded_on = fields.DateField(null=True)

    class Meta:
        table = "approval_task"
        indexes = (("status", "created_at"),)


class ApprovalAction(Model):
    """Who did what on a flow, when, and with which comment (the flow's history)."""

    id = fields.IntField(primary_key=True)
    flow = fields.ForeignKeyField("models.ApprovalFlow", related_name="actions", db_index=True)
    node = fields.IntField()
    actor = fields.ForeignKeyField(
        "models.Staff", related_name="approval_actions", null=True, on_delete=fields.SET_NULL
    )
    action = fields.CharField(max_length=16)
    comment = fields.TextField(default="")
    created_at = fields.DatetimeField()

    class Meta:
        table = "approval_action"
