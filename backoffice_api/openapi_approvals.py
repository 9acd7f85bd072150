"""OpenAPI schemas of the approvals routes (paths come from the router)."""

from __future__ import annotations

from domain.limits import column_length
from domain.models import Department
from httpcommon import openapi as shared
from httpcommon.openapi import items_of, ok
from httpcommon.openapi import query_param as _q

ID = shared.ID
TEXT = {"type": "string"}
TIME = {"type": ["string", "null"], "format": "date-time"}
KINDS = ["credit_application", "payment_term_change", "payment_claim", "repayment_approval",
         "write_off", "billing_term_change", "pool_claim"]
FLOW_STATUS = ["pending", "returned", "approved", "rejected", "withdrawn"]
MONEY = {"type": "string", "pattern": r"^\d{1,14}(\.\d{1,2})?$", "description": "CNY"}

FORMS = {
    "credit_application": {"type": "object", "required": ["customer_id", "org_id", "type",
                                                          "amount"], "properties": {
        "customer_id": ID, "org_id": ID,
        "type": {"enum": ["annual", "project", "direct", "direct_use", "temporary"]},
        "amount": MONEY, "valid_from": {"type": "string", "format": "date"},
        "valid_to": {"type": "string", "format": "date"}, "project": TEXT,
        "term_days": ID, "parent_id": ID, "reason": TEXT}},
    "payment_term_change": {"type": "object", "required": ["debt_id", "term_days", "reason"],
                            "properties": {"debt_id": ID, "term_days": {
                                "type": "integer", "minimum": 1, "maximum": 365},
                                "reason": TEXT}},
    "payment_claim": {"type": "object", "required": ["customer_id", "number", "amount"],
                      "properties": {"customer_id": ID, "number": TEXT, "amount": MONEY,
                                     "deposit": MONEY, "repayment": MONEY,
                                     "received_on": {"type": "string", "format": "date"},
                                     "payer": TEXT},
                      "description": "剩余 = amount − deposit − repayment，不能为负"},
    "repayment_approval": {"type": "object", "required": ["customer_id"], "properties": {
        "customer_id": ID, "reason": TEXT,
        "parts": {"type": ["array", "null"], "description": "为空则按到期日从早到晚还款",
                  "items": {"type": "object", "required": ["debt_id", "amount"],
                            "properties": {"debt_id": ID, "amount": MONEY}}}}},
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
SUMMARY = {"type": "object", "properties": {
    "id": ID, "kind": {"enum": KINDS}, "kind_label": TEXT, "title": TEXT, "initiator_id": ID,
    "initiator": TEXT, "customer_id": {"type": ["integer", "null"]},
    "status": {"enum": FLOW_STATUS}, "status_label": TEXT, "current_node": ID,
    "current_node_name": TEXT, "created_at": TIME, "finished_at": TIME}}
FLOW = {"type": "object", "properties": {
    **SUMMARY["properties"], "form": {"type": "object"}, "result": {"type": "object"},
    "version": ID,
    "summary": {"type": "array", "items": {"type": "object", "properties": {
        "label": TEXT, "value": TEXT}}},
    "nodes": {"type": "array", "items": {"type": "object", "properties": {
        "index": ID, "name": TEXT, "approver": TEXT, "auto_passed": {"type": "boolean"},
        "approvers": {"type": "array", "items": TEXT}}}},
    "tasks": {"type": "array", "items": {"type": "object", "properties": {
        "id": ID, "node": ID, "round": ID, "approver_id": ID, "approver": TEXT,
        "status": {"enum": ["pending", "approved", "rejected", "returned", "skipped",
                            "withdrawn"]},
        "status_label": TEXT, "comment": TEXT, "created_at": TIME, "acted_at": TIME}}},
    "history": {"type": "array", "items": {"type": "object", "properties": {
        "node": ID, "node_name": TEXT,
        "action": {"enum": ["start", "resubmit", "approve", "reject", "return", "withdraw",
                            "auto"]},
        "action_label": TEXT, "actor_id": {"type": ["integer", "null"]}, "actor": TEXT,
        "comment": TEXT, "at": TIME}}}}}
COMMENT = {"type": "object", "properties": {"comment": TEXT}}
REQUIRED_COMMENT = {"type": "object", "required": ["comment"],
                    "properties": {"comment": shared.text(2000)}}

OPERATIONS: dict = {
    "POST /approvals": {
        "summary": "发起审批（发起人为密钥关联的员工）：授信申请、账期更改、款项认领、还款审批",
        "body": {"type": "object", "required": ["kind", "form"], "properties": {
            "kind": {"enum": KINDS}, "form": {"oneOf": list(FORMS.values())}}},
        "responses": ok(FLOW, "201")},
    "GET /approvals": {
        "summary": "审批列表（财务、管理员看全部；其他员工看自己发起或经手的）",
        "query": [_q("status", {"enum": FLOW_STATUS}), _q("kind", {"enum": KINDS}),
                  _q("mine", {"type": "string", "enum": ["0", "1"]}, "1: 我发起的"),
                  _q("todo", {"type": "string", "enum": ["0", "1"]}, "1: 待我审批的"),
                  _q("limit", shared.LIMIT), _q("offset", shared.OFFSET)],
        "responses": ok(items_of(SUMMARY))},
    "GET /approvals/{id}": {"summary": "审批详情：表单、节点、任务、审批记录",
                            "responses": ok(FLOW)},
    "POST /approvals/{id}/tasks/{task_id}/approve": {
        "summary": "同意（仅任务的审批人）", "body": COMMENT, "responses": ok(FLOW)},
    "POST /approvals/{id}/tasks/{task_id}/reject": {
        "summary": "驳回：流程结束（须填意见）", "body": REQUIRED_COMMENT, "responses": ok(FLOW)},
    "POST /approvals/{id}/tasks/{task_id}/return": {
        "summary": "退回上一节点；第一个节点退回给发起人（须填意见）", "body": REQUIRED_COMMENT,
        "responses": ok(FLOW)},
    "POST /approvals/{id}/withdraw": {
        "summary": "发起人撤回未归档的流程", "body": COMMENT, "responses": ok(FLOW)},
    "POST /approvals/{id}/resubmit": {
        "summary": "发起人重新提交被退回的流程（可修改表单）",
        "body": {"type": "object", "properties": {"form": {"type": "object"}}},
        "responses": ok(FLOW)},
    "PUT /departments/{name}": {
        "path": {"name": shared.path_text(column_length(Department, "name"))},
        "summary": "设置部门负责人与上级部门（部门总监节点据此找审批人）",
        "body": {"type": "object", "properties": {
            "head": {"type": ["string", "null"], "description": "负责人的钉钉 userid"},
            "parent": {"type": ["string", "null"], "description": "上级部门名称"}}},
        "responses": ok({"type": "object", "properties": {
            "id": ID, "name": TEXT, "head": {"type": ["string", "null"]}, "head_name": TEXT,
            "parent": {"type": ["string", "null"]}}})},
}
