"""Schemas of the back-office operations for the OpenAPI document (paths come from the router)."""

from __future__ import annotations

from backoffice_api import (
    openapi_approvals,
    openapi_credit,
    openapi_credit_reports,
    openapi_payments,
    openapi_tiers,
)
from httpcommon import openapi as shared
from httpcommon.openapi import ok as _ok
from httpcommon.openapi import query_param as _q

MONEY = shared.MONEY
DATE = shared.DATE
ID = shared.ID
TEXT = {"type": "string"}
LIMIT = {"type": "integer", "minimum": 1, "maximum": 500}
OFFSET = {"type": "integer", "minimum": 0, "maximum": 10**9}


USAGE_DETAIL = {"type": "object", "description": "only on a usage bill: how it was priced",
                "properties": {
    "price_type": {"enum": ["uniform", "stage", "tiered"]}, "price_type_label": TEXT,
    "quantity": ID, "unit_price": {"type": ["string", "null"]},
    "accounts": {"type": "array", "items": {"type": "object", "properties": {
        "account": TEXT, "quantity": ID}}},
    "slices": {"type": "array", "items": {"type": "object", "properties": {
        "from": ID, "to": {"type": ["integer", "null"]}, "quantity": ID,
        "price": TEXT, "amount": TEXT}}}}}
LINE = {"type": "object", "properties": {
    "number": {"type": "string"},
    "type": {"enum": ["sales_out", "sales_return", "receipt", "bill", "prepaid_draw"]},
    "type_label": {"type": "string"}, "date": DATE, "amount": MONEY, "owed": MONEY,
    "account": {"type": "string"}, "detail": USAGE_DETAIL}}
STATEMENT = {"type": "object", "properties": {
    "id": ID, "customer_id": ID, "date_from": DATE, "date_to": DATE,
    "opening": MONEY, "increase": MONEY, "receipts": MONEY, "closing": MONEY,
    "line_count": ID, "owed_total": MONEY, "received_amount": MONEY,
    "status": {"enum": ["unconfirmed", "matched", "mismatched"]},
    "status_label": {"type": "string"}, "source_changed": {"type": "boolean"},
    "answered_by": {"type": "string",
                    "description": "答复人：联系人姓名，或 通过分享链接（时间，设备）"},
    "view_count": ID, "first_viewed_at": {"type": ["string", "null"]},
    "last_viewed_at": {"type": ["string", "null"]},
    "actions": {"type": "array", "items": {"enum": [
        "receive", "mismatch", "match", "feedback", "share", "delete", "cancel"]}},
    "lines": {"type": "array", "items": LINE}}}
CUSTOMER = {"type": "object", "properties": {
    "id": ID, "code": {"type": "string"}, "name": {"type": "string"},
    "salesperson_id": {"type": ["integer", "null"]}, "settlement_mode": {
        "enum": ["on_account", "cash"]}, "statement_day": ID, "disabled": {"type": "boolean"},
    "credit_limit": {"type": ["string", "null"]}, "invoice": {"type": "object"}}}
INGEST_RESULT = {"type": "object", "properties": {
    "created": ID, "updated": ID, "unchanged": ID,
    "rejected": {"type": "array", "items": {"type": "object", "properties": {
        "index": ID, "key": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "string"}}}}}}}
AUDIT = {"type": "string", "description": "approved|pending|void 或 已审批/待审批/作废"}
HANDOVER_HEAD = {"number": TEXT, "date": DATE, "salesperson": {
    "type": "string", "description": "业务员钉钉 userid"}, "customer_code": TEXT,
    "audit_status": AUDIT, "remark": TEXT}
MONEY_ITEMS = {"type": ["array", "string"], "description": "数组或 JSON 文本", "items": {
    "type": "object", "required": ["type", "amount"], "properties": {
        "type": TEXT, "amount": MONEY}}}
INGEST_ROWS = {
    "documents": {"type": "object", "required": [
        "number", "type", "date", "customer_code", "amount"], "properties": {
        "number": TEXT, "type": {"type": "string", "description": "sales_out|sales_return|"
                                 "receipt 或 销售出库单/销售退货单/收款单"},
        "date": DATE, "customer_code": TEXT, "salesperson": TEXT, "amount": MONEY,
        "owed": MONEY, "account": TEXT, "status": TEXT,
        "department": {"type": "string", "description": "客户的部门（名称或编号）"},
        "erp_type": {"type": "string", "description": "ERP 单据名：车销单、发货单…"},
        "audit_status": {**AUDIT, "description": AUDIT["description"] + "（默认 approved）"},
        "driver": {"type": "string", "description": "司机钉钉 userid"},
        "delivered_on": {**DATE, "description": "配送日期，填司机时必填"},
        "reversal": {"type": "boolean", "description": "红冲或被红冲"},
        "receipt_kind": {"type": "string", "description": "仅收款单: sale|prepayment|deposit"},
        "discount": MONEY, "to_prepaid": MONEY,
        "settlements": {"type": ["array", "string"], "description": "仅收款单，核销单据；"
                        "核销(不含使用预收)+转入预收 = 收款金额+收款优惠", "items": {
            "type": "object", "required": ["number", "type", "date", "amount"], "properties": {
                "number": TEXT, "type": TEXT, "date": DATE, "amount": MONEY,
                "prepaid": MONEY}}}}},
    "customers": {"type": "object", "required": ["code", "name"], "properties": {
        "code": TEXT, "name": TEXT, "parent_code": {
            "type": "string", "description": "上级客户编号；不能形成循环"},
        "settlement_mode": {"type": "string", "description": "on_account|cash 或 记账/现结"},
        "can_prepay": {"type": ["boolean", "string"], "description": "可预存：能否预充值"},
        "credit_limit": {**MONEY, "description": "信用额度：应收超出时提醒业务员（每次超出一次）"},
        "departments": {"type": ["array", "string"], "description":
                        "部门（统一结算）：名称或 {name, code} 的数组，或 \"采购部:CG，工程部\"；"
                        "不给则不变", "items": {}}}},
    "expenses": {"type": "object", "required": ["number", "date", "salesperson"],
                 "properties": {**HANDOVER_HEAD, "items": MONEY_ITEMS, "total": MONEY,
                                "paid": MONEY, "settled": MONEY, "account": TEXT}},
    "other_incomes": {"type": "object", "required": ["number", "date", "salesperson"],
                      "properties": {**HANDOVER_HEAD, "items": MONEY_ITEMS, "amount": MONEY,
                                     "account": TEXT}},
    "exchanges": {"type": "object", "required": ["number", "date", "salesperson", "items"],
                  "properties": {**HANDOVER_HEAD, "amount": MONEY, "submitted_at": {
                      "type": "string", "format": "date-time", "description": "默认为推送时间"},
                      "items": {"type": ["array", "string"], "items": {
                          "type": "object", "required": ["product", "quantity", "direction"],
                          "properties": {"product": TEXT, "unit": TEXT, "quantity": TEXT,
                                         "direction": {"enum": ["out", "in"]}}}}}},
}
DAY_CLOSED = {"423": {"description": "含已关账日期的新增或修改单据：整批未写入，detail.rows 列出"
                                     "每一行 (index, number, staff, day)"}}
PERIOD = [_q("from", DATE), _q("to", DATE)]
REPORT_PERIOD = [_q("from", DATE, "必填", required=True),
                 _q("to", DATE, "必填；跨度不超过 366 天", required=True)]

BASE_OPERATIONS = {
    "POST /ingest/{kind}": {
        "summary": "ERP 批量推送 staff / customers / contacts / documents / expenses / "
                   "other_incomes / exchanges（按编号幂等；涉及已关账日期则整批 423）",
        "query": [_q("atomic", {"type": "string", "enum": ["0", "1"]}, "1: 有错则整批不写入")],
        "body": {"type": "object", "required": ["items"], "properties": {"items": {
            "type": "array", "items": {"anyOf": [
                {"title": kind, **schema} for kind, schema in INGEST_ROWS.items()]
                + [{"type": "object"}]}}}},
        "responses": {**_ok(INGEST_RESULT), **DAY_CLOSED}},
}

OPERATIONS = {**BASE_OPERATIONS, **openapi_credit.OPERATIONS,
              **openapi_approvals.OPERATIONS, **openapi_credit_reports.OPERATIONS,
              **openapi_tiers.OPERATIONS,
              **openapi_payments.OPERATIONS}

OPENAPI = {
    "title": "Tally back-office API",
    "prefix": "/api/backoffice/v1",
    "operations": OPERATIONS,
    "security_schemes": {"apiKey": {"type": "http", "scheme": "bearer"}},
}
