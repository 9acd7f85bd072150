"""OpenAPI schemas of the hand-over routes (paths come from the router)."""

from __future__ import annotations

from domain.limits import column_length
from domain.models import Staff
from httpcommon import openapi as shared
from httpcommon.openapi import items_of, ok
from httpcommon.openapi import query_param as _q

ID = shared.ID
TEXT = {"type": "string"}
DATE = shared.DATE
DATETIME = {"type": ["string", "null"], "format": "date-time"}
KIND = {"enum": ["document", "expense", "other_income", "exchange"],
        "description": "document: 销售/退货/收款单据（含配送）；expense: 费用单；"
                       "other_income: 其他收入单；exchange: 兑换货物"}
STAFF = {"oneOf": [
    {"type": "array", "minItems": 1, "description": "员工钉钉 userid", "items": {
        "type": "string", "minLength": 1, "maxLength": column_length(Staff, "dingtalk_userid")}},
    {"const": "all", "description": "全部员工"}]}
DATES = {"type": "array", "minItems": 1, "maxItems": 31, "items": DATE}
PEOPLE_DAYS = {"type": "object", "required": ["staff", "dates"],
               "properties": {"staff": STAFF, "dates": DATES}}
REFS = {"type": "object", "required": ["items"], "properties": {"items": {
    "type": "array", "minItems": 1, "maxItems": 5000, "items": {
        "type": "object", "required": ["kind", "id"], "properties": {"kind": KIND, "id": ID}}}}}
CONFIRM_BODY = {"oneOf": [REFS, PEOPLE_DAYS],
                "description": "按单据（items）或按员工 + 日期（staff、dates，最多 31 天）"}
CONFIRMED = {"type": "object", "properties": {
    "confirmed": {**ID, "description": "新确认的单据数（已确认的不计）"},
    "audited": {**ID, "description": "参数勾选时同时审核的待审批资金单据数"}}}
UNCONFIRMED = {"type": "object", "properties": {"unconfirmed": ID}}
CLOSE = {"type": "object", "properties": {
    "staff_id": ID, "name": TEXT, "userid": {"type": ["string", "null"]}, "day": DATE,
    "closed_at": DATETIME, "closed_by": TEXT}}
SETTINGS = {"type": "object", "required": ["confirm_audits"], "properties": {
    "confirm_audits": {"type": "boolean",
                       "description": "交款交账参数：对账确认资金单据时同时审核该单据"}}}
RECEIPT = {"type": "object", "properties": {
    "id": ID, "number": TEXT, "audit_status": {"enum": ["pending", "approved", "void"]},
    "confirmed": {"type": "boolean"}, "confirmed_at": DATETIME, "confirmed_by": TEXT}}


def _receipt(summary: str) -> dict:
    return {"summary": summary, "responses": ok(RECEIPT)}


OPERATIONS = {
    "POST /handover/confirm": {
        "summary": "对账确认：按单据或按员工 + 日期（参数勾选时同时审核资金单据）",
        "body": CONFIRM_BODY, "responses": ok(CONFIRMED)},
    "POST /handover/unconfirm": {
        "summary": "取消对账确认（不反审核）", "body": CONFIRM_BODY,
        "responses": ok(UNCONFIRMED)},
    "POST /handover/close": {
        "summary": "关账：所选员工（\"all\" 为全部在职员工）的所选日期；已关账的不重复计",
        "body": PEOPLE_DAYS, "responses": ok({"type": "object", "properties": {
            "closed": {**ID, "description": "新关账的（员工, 日期）数"}}})},
    "POST /handover/reopen": {
        "summary": "取消关账", "body": PEOPLE_DAYS, "responses": ok({
            "type": "object", "properties": {"reopened": ID}})},
    "GET /handover/closes": {
        "summary": "已关账的员工与日期（按日期、姓名）", "query": [
            _q("date_from", DATE, "必填", required=True),
            _q("date_to", DATE, "必填；跨度不超过 366 天", required=True),
            _q("staff", TEXT, "员工钉钉 userid")],
        "responses": ok(items_of(CLOSE))},
    "GET /handover/settings": {"summary": "交款交账参数", "responses": ok(SETTINGS)},
    "PUT /handover/settings": {"summary": "设置交款交账参数", "body": SETTINGS,
                               "responses": ok(SETTINGS)},
    "POST /handover/receipts/{id}/audit": _receipt(
        "审核收款单（参数勾选时同时对账确认；关账日 423）"),
    "POST /handover/receipts/{id}/unaudit": _receipt(
        "反审核收款单（参数未勾选时已确认的 409；勾选时同时取消确认；关账日 423）"),
    "POST /handover/receipts/{id}/void": _receipt(
        "作废收款单（参数未勾选时已确认的 409；勾选时同时取消确认；关账日 423）"),
    "POST /handover/remarks": {
        "summary": "批量追加备注（追加在原备注之后，关账日也可）",
        "body": {"type": "object", "required": ["ids", "remark"], "properties": {
            "ids": {"type": "array", "minItems": 1, "maxItems": 5000, "items": ID,
                    "description": "单据 id"},
            "remark": {"type": "string", "minLength": 1, "maxLength": 500}}},
        "responses": ok({"type": "object", "properties": {"updated": ID}})},
}
