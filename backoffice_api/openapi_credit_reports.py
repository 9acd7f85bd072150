"""OpenAPI schemas of the credit_reports routes (paths come from the router)."""

from __future__ import annotations

from httpcommon import openapi as shared
from httpcommon.openapi import ok as _ok
from httpcommon.openapi import query_param as _q

MONEY = shared.MONEY
PERCENT = {"type": "string", "description": "percent, 2 decimals (12.50 = 12.5 %)"}
DATE = shared.DATE
COUNT = {"type": "integer"}
NAME = {"type": "string"}
ID_OR_NULL = {"type": ["integer", "null"]}

USAGE = {"total": MONEY, "used": MONEY, "frozen": MONEY, "left": MONEY, "percent": PERCENT}
CUSTOMER_OWED = {"type": "object", "properties": {
    "customer_id": COUNT, "customer": NAME, "salesperson_id": ID_OR_NULL, "salesperson": NAME,
    "debts": COUNT, "outstanding": MONEY, "overdue": MONEY, "earliest_due": DATE,
    "max_days_overdue": COUNT}}


def _array(item: dict) -> dict:
    return {"type": "array", "items": item}


OVERVIEW = {"type": "object", "properties": {
    "date": DATE,
    "credit": {"type": "object", "description": "(一) 授信总览：使用、剩余和占比", "properties": {
        "enterprise": {"type": ["object", "null"], "properties": {"year": COUNT, **USAGE},
                       "description": "企业年度授信总额（销售角色不返回）"},
        "orgs": _array({"type": "object", "properties": {
            "org_id": COUNT, "code": NAME, "name": NAME, "enabled": {"type": "boolean"},
            **USAGE}}),
        "by_type": _array({"type": "object", "properties": {
            "type": {"enum": ["annual", "project", "direct", "direct_use", "temporary"]},
            "label": NAME, "accounts": COUNT, **USAGE}}),
    }},
    "lending": {"type": "object", "description": "(二) 放款总览：期间内的借款金额", "properties": {
        "date_from": DATE, "date_to": DATE, "total": MONEY, "debts": COUNT,
        "by_salesperson": _array({"type": "object", "properties": {
            "salesperson_id": ID_OR_NULL, "salesperson": NAME, "debts": COUNT,
            "customers": COUNT, "amount": MONEY}}),
        "by_customer": _array({"type": "object", "properties": {
            "customer_id": COUNT, "customer": NAME, "salesperson": NAME, "debts": COUNT,
            "amount": MONEY}}),
    }},
    "collection": {"type": "object", "description": "(三) 还款总览与催收明细（待收欠款排名）",
                   "properties": {
                       "debts": COUNT, "amount": MONEY, "returned": MONEY, "repaid": MONEY,
                       "outstanding": MONEY, "outstanding_percent": PERCENT,
                       "ranking": _array(CUSTOMER_OWED)}},
    "overdue": {"type": "object", "description": "(四) 逾期总览：按业务员、按客户", "properties": {
        "date": DATE, "outstanding": MONEY, "debts": COUNT,
        "by_salesperson": _array({"type": "object", "properties": {
            "salesperson_id": ID_OR_NULL, "salesperson": NAME, "debts": COUNT,
            "customers": COUNT, "outstanding": MONEY, "max_days_overdue": COUNT}}),
        "by_customer": _array(CUSTOMER_OWED),
    }},
}}

OPERATIONS: dict = {
    "GET /credit/overview": {
        "summary": "赊销总览：授信使用、放款、待收欠款排名、逾期排名（销售仅见自己的客户）",
        "query": [
            _q("date", DATE, "统计日（默认今天）：待收与逾期按此日计算"),
            _q("from", DATE, "放款统计开始日（默认当年 1 月 1 日）"),
            _q("to", DATE, "放款统计结束日（默认统计日）"),
            _q("top", shared.LIMIT, "客户排名条数（默认 20，最多 500）"),
        ],
        "responses": _ok(OVERVIEW)},
}
