"""OpenAPI schemas of the tier routes (paths come from the router)."""

from __future__ import annotations

from httpcommon import openapi as shared
from httpcommon.openapi import items_of, ok
from httpcommon.openapi import query_param as _q

ID = shared.ID
TEXT = {"type": "string"}
DATE = shared.DATE
NULL_DATE = {"type": ["string", "null"], "format": "date"}
TIER = {"enum": ["contract", "test", "intent", "silent", "pool"]}
ATOMIC = [_q("atomic", {"type": "string", "enum": ["0", "1"]}, "1: 有错则整批不写入")]
RESULT = {"type": "object", "properties": {
    "created": ID, "updated": ID, "unchanged": ID,
    "rejected": {"type": "array", "items": {"type": "object", "properties": {
        "index": ID, "key": TEXT, "errors": {"type": "array", "items": TEXT}}}}}}


def _batch(summary: str, row: dict) -> dict:
    return {"summary": summary, "query": ATOMIC,
            "body": {"type": "object", "required": ["items"], "properties": {
                "items": {"type": "array", "maxItems": 5000, "items": row}}},
            "responses": ok(RESULT)}


CONTACT_LOG = {"type": "object", "required": ["external_id", "customer_code", "contacted_on"],
               "properties": {"external_id": TEXT, "customer_code": TEXT,
                              "staff": {"type": "string", "description": "员工钉钉 userid"},
                              "staff_id": ID, "contacted_on": DATE, "note": TEXT}}
TRIAL_ACCOUNT = {"type": "object", "required": ["external_id", "customer_code"], "properties": {
    "external_id": TEXT, "customer_code": TEXT, "account": TEXT,
    "archived_on": {**NULL_DATE, "description": "测试账号流程归档日期；null 为未归档"}}}
CONTRACT = {"type": "object", "required": ["number", "customer_code", "starts_on"],
            "properties": {
                "number": TEXT, "customer_code": TEXT, "starts_on": DATE,
                "ends_on": {**NULL_DATE, "description": "null 为无结束日期"},
                "archived_on": {**NULL_DATE, "description": "合同评审流程归档日期"},
                "amount": {"type": ["string", "null"], "pattern": r"^\d{1,14}(\.\d{1,2})?$"}}}
PROFILE_FIELDS = {name: {"type": ["string", "null"], "maxLength": 100} for name in (
    "contact_name", "mobile", "position", "telephone", "qq", "wechat", "email")}
PROFILE_BODY = {"type": "object", "properties": PROFILE_FIELDS, "additionalProperties": False}
PROFILE = {"type": "object", "properties": {
    "customer_id": ID, "profile": {"type": "object", "properties": PROFILE_FIELDS},
    "filled": ID, "total": ID}}
CHANGE = {"type": "object", "properties": {
    "id": ID, "rule": TEXT, "rule_label": TEXT, "from_tier": TIER, "to_tier": TIER,
    "move": {"type": "boolean", "description": "false: 仅通知（合同客户规则 1、2）"},
    "day": DATE, "month": TEXT, "salesperson_id": {"type": ["integer", "null"]},
    "salesperson": TEXT}}
TIER_VIEW = {"type": "object", "properties": {
    "customer_id": ID, "code": TEXT, "name": TEXT, "tier": TIER, "tier_label": TEXT,
    "tier_since": DATE, "salesperson_id": {"type": ["integer", "null"]}, "salesperson": TEXT,
    "claimed_by": {"type": ["integer", "null"], "description": "申请中的业务员"},
    "claim_flow_id": {"type": ["integer", "null"]}, "profile_filled": ID,
    "history": {"type": "array", "items": CHANGE}}}
POOL_ITEM = {"type": "object", "properties": {
    "id": ID, "code": TEXT, "name": TEXT, "tier_since": DATE, "profile_filled": ID}}

OPERATIONS = {
    "POST /tiers/contact-logs": _batch("ERP 推送联系日志（按 external_id 幂等）", CONTACT_LOG),
    "POST /tiers/trial-accounts": _batch("ERP 推送测试账号申请（按 external_id 幂等）",
                                         TRIAL_ACCOUNT),
    "POST /tiers/contracts": _batch("ERP 推送合同评审（按合同编号幂等）", CONTRACT),
    "PUT /customers/{id}/profile": {"summary": "替换客户资料（未给出的字段清空）",
                                    "body": PROFILE_BODY, "responses": ok(PROFILE)},
    "PATCH /customers/{id}/profile": {"summary": "修改客户资料的部分字段（null 或空串清除）",
                                      "body": PROFILE_BODY, "responses": ok(PROFILE)},
    "GET /customers/{id}/profile": {"summary": "客户资料与完善程度", "responses": ok(PROFILE)},
    "GET /customers/{id}/tier": {"summary": "客户分级与升降级记录（新的在前）",
                                 "responses": ok(TIER_VIEW)},
    "GET /tiers/pool": {"summary": "公共池客户（申请审批中的不列出）", "query": [
        _q("q", TEXT, "按名称搜索"), _q("limit", shared.LIMIT), _q("offset", shared.OFFSET)],
        "responses": ok(items_of(POOL_ITEM))},
    "POST /tiers/pool/{id}/claim": {
        "summary": "申请公共池客户（申请客户流程：直接上级 → 业务部门总监）",
        "body": {"type": "object", "required": ["reason"],
                 "properties": {"reason": shared.NOT_BLANK}},
        "responses": ok({"type": "object", "description": "审批流程（同 GET /approvals/{id}）"},
                        "201")},
}
