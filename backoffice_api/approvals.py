"""Approval routes (SPEC 5): start, list, view, act on a task, withdraw, resubmit; and the
department heads that department_head nodes resolve to. The caller's key must belong to a
staff member: that person is the initiator or the approver."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from aiohttp import web
from pydantic import Field, PlainValidator, WithJsonSchema

from backoffice_api.auth import actor_with
from domain.actors import ADMIN, FINANCE, SALES
from domain.approvals import engine, forms
from domain.approvals.departments import set_department
from domain.approvals.errors import BAD_FORM
from domain.approvals.flows import flows_with_overrides
from domain.approvals.queries import flow_view, list_flows, visible_flow
from domain.common_errors import MISSING_FIELD
from domain.limits import column_length
from domain.org.models import Department
from httpcommon.contract import Routes
from httpcommon.fields import (
    ID,
    MONEY_IN,
    Body,
    Code,
    Id,
    Items,
    Limit,
    Moment,
    Offset,
    OnOff,
    OptionalMoment,
    Query,
    Reply,
    bad,
    not_blank,
    path_text,
    query_choice,
    text,
)
from httpcommon.jsonio import json_response
from httpcommon.keys import SETTINGS, now
from httpcommon.params import path_id

routes = Routes()
STAFF = (ADMIN, FINANCE, SALES)
TEXT = {"type": "string"}
DAY = {"type": "string", "format": "date"}
# A form's JSON type by what its declared field holds (domain.approvals.forms)
_INPUT_SCHEMAS = {forms.MONEY: MONEY_IN, forms.DATE: DAY,
                  forms.DAYS: {"type": "integer", "minimum": 1, "maximum": forms.MAX_TERM_DAYS}}


def _form_schema(fields: tuple[forms.FormField, ...]) -> dict:
    """The JSON schema of a form the domain declares (the workbench draws the same one)."""
    def schema(field: forms.FormField) -> dict:
        if field.input == forms.CHOICE:
            return {"enum": [value for value, _ in field.choices]}
        if field.input in _INPUT_SCHEMAS:
            return _INPUT_SCHEMAS[field.input]
        return ID if field.input in forms.WHOLE_NUMBERS else TEXT

    return {"type": "object", "required": [f.name for f in fields if f.required],
            "properties": {f.name: schema(f) for f in fields}}


# the form each kind of flow takes, as the document states it
FORMS = {
    **{kind: _form_schema(fields) for kind, fields in forms.FORMS.items()},
    "payment_claim": {"type": "object", "required": ["customer_id", "number", "amount"],
                      "properties": {"customer_id": ID, "number": TEXT, "amount": MONEY_IN,
                                     "deposit": MONEY_IN, "repayment": MONEY_IN,
                                     "received_on": DAY, "payer": TEXT},
                      "description": "剩余 = amount − deposit − repayment，不能为负"},
    "repayment_approval": {"type": "object", "required": ["customer_id"], "properties": {
        "customer_id": ID, "reason": TEXT,
        "parts": {"type": ["array", "null"], "description": "为空则按到期日从早到晚还款",
                  "items": {"type": "object", "required": ["debt_id", "amount"],
                            "properties": {"debt_id": ID, "amount": MONEY_IN}}}}},
    "write_off": {"type": "object", "required": ["write_off_id"],
                  "properties": {"write_off_id": ID},
                  "description": ("销账：由到款池自动或人工匹配发起（/pool-payments），"
                                  "表单只带销账编号")},
    "billing_term_change": {"type": "object", "required": ["product_id", "term_months", "reason"],
                            "properties": {"product_id": ID, "term_months": {
                                "type": "integer", "minimum": 1, "maximum": 12},
                                "reason": TEXT},
                            "description": ("账单周期更改：产品的账期（月），"
                                            "通过后其未付账单的到期日随之改变")},
    "pool_claim": {"type": "object", "required": ["customer_id", "claimant_id", "reason"],
                   "properties": {"customer_id": ID, "claimant_id": ID, "reason": TEXT},
                   "description": "申请客户：通常经 POST /tiers/pool/{id}/claim 发起"},
}
KINDS = tuple(FORMS)


def _definitions(request: web.Request):
    """The flow definitions, with the nodes of the optional JSON setting ``approval_flows``."""
    settings = request.config_dict.get(SETTINGS)
    return flows_with_overrides(settings.approval_flows)


# --- request types ---------------------------------------------------------------------------


def _kind(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise bad(MISSING_FIELD, "缺少字段 kind（审批流程类型）")
    return value


class NewApproval(Body):
    kind: Annotated[str, PlainValidator(_kind), WithJsonSchema({"enum": list(KINDS)})]
    form: Annotated[dict, Code(BAD_FORM), WithJsonSchema({"oneOf": list(FORMS.values())})]


class ApprovalsFilter(Query):
    status: query_choice(*engine.FLOW_STATUS_LABELS) = None
    kind: query_choice(*KINDS) = None
    mine: Annotated[OnOff, Field(description="1: 我发起的")] = False
    todo: Annotated[OnOff, Field(description="1: 待我审批的")] = False
    limit: Limit = 50
    offset: Offset = 0


class Comment(Body):
    comment: text(2000) = ""


class RequiredComment(Body):
    documented_required = ("comment",)

    comment: not_blank(2000) = ""  # the engine refuses a blank one (comment_required)


class Resubmission(Body):
    form: Annotated[dict | None, Code(BAD_FORM), WithJsonSchema({"type": "object"})] = None


class DepartmentChange(Body):
    head: Annotated[str | None, Field(description="负责人的钉钉 userid")] = None
    parent: Annotated[str | None, Field(description="上级部门名称")] = None


# --- response types --------------------------------------------------------------------------


class FlowSummary(Reply):
    id: Id
    kind: str = Field(description="审批流程类型: " + "、".join(KINDS))
    kind_label: str
    title: str
    initiator_id: Id
    initiator: str
    customer_id: Id | None
    status: Literal[tuple(engine.FLOW_STATUS_LABELS)]
    status_label: str
    current_node: int
    current_node_name: str
    created_at: Moment
    finished_at: OptionalMoment


class SummaryLine(Reply):
    label: str
    value: str


class FlowNode(Reply):
    index: int
    name: str
    approver: str
    auto_passed: bool
    approvers: list[str]


class FlowTask(Reply):
    id: Id
    node: int
    round: int
    approver_id: Id
    approver: str
    status: Literal[tuple(engine.TASK_STATUS_LABELS)]
    status_label: str
    comment: str
    created_at: Moment
    acted_at: OptionalMoment


class FlowAction(Reply):
    node: int
    node_name: str
    action: Literal[tuple(engine.ACTION_LABELS)]
    action_label: str
    actor_id: Id | None
    actor: str
    comment: str
    at: Moment


class Flow(FlowSummary):
    """An approval flow: its form, nodes, every task and the history."""

    form: dict
    result: dict
    version: int
    summary: list[SummaryLine]
    nodes: list[FlowNode]
    tasks: list[FlowTask]
    history: list[FlowAction]


class DepartmentView(Reply):
    id: Id
    name: str
    head: str | None
    head_name: str
    parent: str | None


# --- routes ----------------------------------------------------------------------------------


async def _view(flow) -> web.Response:
    return json_response(await flow_view(flow))


@routes.post("/approvals",
             summary="发起审批（发起人为密钥关联的员工）：授信申请、账期更改、款项认领、还款审批",
             body=NewApproval, response=Flow, status=201)
async def start_approval(request: web.Request, body: NewApproval) -> web.Response:
    actor = actor_with(request, *STAFF)
    flow = await engine.start(body.kind, actor.staff_id, body.form, now(request),
                              actor=actor, definitions=_definitions(request))
    return json_response(await flow_view(flow), status=201)


@routes.get("/approvals", summary="审批列表（财务、管理员看全部；其他员工看自己发起或经手的）",
            query=ApprovalsFilter, response=Items[FlowSummary])
async def list_approvals(request: web.Request, query: ApprovalsFilter) -> web.Response:
    actor = actor_with(request, *STAFF)
    items = await list_flows(
        actor, status=query.status, kind=query.kind, mine=query.mine, todo=query.todo,
        limit=query.limit, offset=query.offset)
    return json_response({"items": items})


@routes.get("/approvals/{id}", summary="审批详情：表单、节点、任务、审批记录", response=Flow)
async def get_approval(request: web.Request) -> web.Response:
    actor = actor_with(request, *STAFF)
    return await _view(await visible_flow(actor, path_id(request)))


async def _act(request: web.Request, action: str, comment: str) -> web.Response:
    actor = actor_with(request, *STAFF)
    flow = await engine.ACTIONS[action](
        path_id(request, "task_id"), actor.staff_id, comment, now(request),
        flow_id=path_id(request))
    return await _view(flow)


@routes.post("/approvals/{id}/tasks/{task_id}/approve", summary="同意（仅任务的审批人）",
             body=Comment, response=Flow)
async def approve_task(request: web.Request, body: Comment) -> web.Response:
    return await _act(request, engine.APPROVE, body.comment)


@routes.post("/approvals/{id}/tasks/{task_id}/reject", summary="驳回：流程结束（须填意见）",
             body=RequiredComment, response=Flow)
async def reject_task(request: web.Request, body: RequiredComment) -> web.Response:
    return await _act(request, engine.REJECT, body.comment)


@routes.post("/approvals/{id}/tasks/{task_id}/return",
             summary="退回上一节点；第一个节点退回给发起人（须填意见）",
             body=RequiredComment, response=Flow)
async def return_task(request: web.Request, body: RequiredComment) -> web.Response:
    return await _act(request, engine.RETURN, body.comment)


@routes.post("/approvals/{id}/withdraw", summary="发起人撤回未归档的流程", body=Comment,
             response=Flow)
async def withdraw_approval(request: web.Request, body: Comment) -> web.Response:
    actor = actor_with(request, *STAFF)
    flow = await engine.withdraw(path_id(request), actor.staff_id, body.comment, now(request))
    return await _view(flow)


@routes.post("/approvals/{id}/resubmit", summary="发起人重新提交被退回的流程（可修改表单）",
             body=Resubmission, response=Flow)
async def resubmit_approval(request: web.Request, body: Resubmission) -> web.Response:
    actor = actor_with(request, *STAFF)
    flow = await engine.resubmit(path_id(request), actor.staff_id, body.form, now(request),
                                 actor=actor, definitions=_definitions(request))
    return await _view(flow)


@routes.put("/departments/{name}",
            summary="设置部门负责人与上级部门（部门总监节点据此找审批人）",
            path={"name": path_text(column_length(Department, "name"))},
            body=DepartmentChange, response=DepartmentView)
async def put_department(request: web.Request, body: DepartmentChange) -> web.Response:
    actor_with(request, ADMIN)
    return json_response(await set_department(
        request.match_info["name"], head_userid=body.head, parent=body.parent))
