"""OpenAPI schemas of the credit routes (paths come from the router)."""

from __future__ import annotations

from domain.credit import rules
from domain.credit.orgs import BUDGET_YEARS, MAX_TERM_DAYS
from domain.limits import column_length
from domain.models import CreditOrder, SalesOrg
from httpcommon import openapi as shared
from httpcommon.openapi import items_of, ok
from httpcommon.openapi import query_param as _q

ID = shared.ID
TEXT = {"type": "string"}
NTEXT = {"type": ["string", "null"]}
DATE = shared.DATE
NDATE = {"type": ["string", "null"], "format": "date"}
TIME = {"type": ["string", "null"], "format": "date-time"}
MONEY = shared.MONEY
TERM_DAYS = {"type": "integer", "minimum": 1, "maximum": MAX_TERM_DAYS}
NUMBER = shared.text(column_length(CreditOrder, "number"))  # stripped, 1–64 (_check_number)
POSITIVE = shared.POSITIVE_AMOUNT
MONEY_IN = {"type": "string", "pattern": r"^\d{1,14}(\.\d{1,2})?$", "description": "CNY"}
TYPES = ["annual", "project", "direct", "direct_use", "temporary"]
LINE_STATUS = ["active", "frozen", "expired", "closed"]
DEBT_STATUS = ["open", "paid", "returned", "reversed"]
ON = _q("on", DATE, "计算可用额度与欠款状态的日期，默认今天")


def _obj(**properties) -> dict:
    return {"type": "object", "properties": properties}


ORG = _obj(id=ID, code=TEXT, name=TEXT, budget=MONEY, used=MONEY, frozen=MONEY, left=MONEY,
           enabled={"type": "boolean"})
BUDGET = _obj(year=ID, total=MONEY, used=MONEY, frozen=MONEY, left=MONEY)
TERMS = _obj(default={"type": "integer", "minimum": 1, "maximum": 365},
             business_types={"type": "object", "additionalProperties": ID})
ACCOUNT = _obj(
    id=ID, number=TEXT, customer_id=ID, org_id=ID, type={"enum": TYPES}, type_label=TEXT,
    revolving={"type": "boolean", "description": "固定额度（还款后恢复）"}, limit=MONEY,
    used=MONEY, frozen=MONEY, available=MONEY,
    over_limit={**MONEY, "description": "已用加冻结超出额度的部分（退货反审核照 ERP 记入）"},
    valid_from=NDATE, valid_to=NDATE, status={"enum": LINE_STATUS}, status_label=TEXT,
    project=NTEXT,
    term_days={"type": ["integer", "null"]}, parent_id={"type": ["integer", "null"]},
    created_at=TIME)
OPERATION = _obj(
    id=ID, op={"enum": ["grant", "limit", "status", "freeze", "unfreeze", "use", "return",
                        "unship", "restore", "deduct"]},
    amount=MONEY, limit_after=MONEY, used_after=MONEY, frozen_after=MONEY,
    available_after=MONEY, ref_type=TEXT, ref_id=TEXT, actor=TEXT, at=TIME)
ACCOUNT_DETAIL = {"type": "object", "properties": {
    **ACCOUNT["properties"], "operations": {"type": "array", "items": OPERATION}}}
DEBT = _obj(
    id=ID, customer_id=ID, org_id=ID, salesperson_id={"type": ["integer", "null"]},
    shipment_id=ID, business_type=TEXT, debt_date=DATE, term_days=ID, due_date=DATE,
    amount=MONEY, returned=MONEY, repaid=MONEY, outstanding=MONEY,
    status={"enum": DEBT_STATUS}, settled_at=TIME,
    stage={"enum": ["normal", "due_soon", "overdue", "paid"]}, stage_label=TEXT,
    days_to_due=ID, days_overdue=ID,
    parts={"type": "array", "items": _obj(account_id=ID, amount=MONEY, returned=MONEY,
                                          repaid=MONEY)})
RETURN = _obj(id=ID, number=TEXT, return_date=DATE, amount=MONEY, cash=MONEY, credit=MONEY,
              status={"enum": ["active", "reversed"]})
SHIPMENT = _obj(id=ID, number=TEXT, ship_date=DATE, amount=MONEY, cash=MONEY, credit=MONEY,
                returned=MONEY, status={"enum": ["active", "reversed"]},
                debt={"oneOf": [DEBT, {"type": "null"}]},
                returns={"type": "array", "items": RETURN})
ORDER = _obj(
    id=ID, number=TEXT, customer_id=ID, org_id=ID, salesperson_id={"type": ["integer", "null"]},
    business_type=TEXT, project=NTEXT, order_date=DATE, amount=MONEY, cash=MONEY, credit=MONEY,
    cash_left=MONEY, credit_left=MONEY,
    status={"enum": ["open", "shipped", "closed", "cancelled"]}, status_label=TEXT,
    credits={"type": "array", "items": _obj(account_id=ID, account_number=TEXT, amount=MONEY,
                                            frozen=MONEY, used=MONEY)},
    shipments={"type": "array", "items": SHIPMENT})
PAYMENT = _obj(id=ID, number=TEXT, customer_id=ID, received_on=DATE, amount=MONEY,
               repayment=MONEY, deposit=MONEY, remainder=MONEY, payer=TEXT, status=TEXT)
REPAYMENT = _obj(id=ID, debt_id=ID, payment_id={"type": ["integer", "null"]}, amount=MONEY,
                 manual={"type": "boolean"}, actor=TEXT, at=TIME)
LEDGER = _obj(
    customer_id=ID, customer_name=TEXT, base_debt=MONEY, repayment_balance=MONEY,
    deposit=MONEY, unapplied=MONEY, outstanding=MONEY,
    balanced={"type": "boolean", "description": "未还欠款 − 还款账户余额 = 基本账户欠款"},
    accounts={"type": "array", "items": ACCOUNT}, debts={"type": "array", "items": DEBT},
    payments={"type": "array", "items": PAYMENT},
    repayments={"type": "array", "items": REPAYMENT})


def _body(required: list[str], **properties) -> dict:
    return {"type": "object", "required": required, "properties": properties}


OPERATIONS: dict = {
    "PUT /credit/orgs/{code}": {
        "path": {"code": {**shared.KEY_TEXT, **shared.text(column_length(SalesOrg, "code")),
                          "pattern": rf"^[^\x00/]*[^\x00/{shared.SPACE}][^\x00/]*$"}},
        "summary": "新建或修改销区（名称、授信预算、启用）；预算不能低于已占用",
        "body": _body([], name=TEXT, budget=MONEY_IN, enabled={"type": "boolean"}),
        "responses": {**ok(ORG), **ok(ORG, "201", "新建")}},
    "GET /credit/orgs": {
        "summary": "销区预算占用与企业年度授信总额",
        "responses": ok({"type": "object", "properties": {
            "items": {"type": "array", "items": ORG},
            "budgets": {"type": "array", "items": BUDGET}}})},
    "PUT /credit/budget/{year}": {
        "summary": "设置企业年度授信总额（按订单年份控制所有销区的占用）",
        "path": {"year": {"type": "integer", "minimum": BUDGET_YEARS[0],
                          "maximum": BUDGET_YEARS[1]}},
        "body": _body(["total"], total=MONEY_IN), "responses": ok(BUDGET)},
    "GET /credit/terms": {"summary": "还款账期：默认（未设置为90天）与按业务类型",
                          "responses": ok(TERMS)},
    "PUT /credit/terms": {
        "summary": "设置默认账期与业务类型账期（1–365天；值为 null 删除该业务类型）",
        "body": _body([], default=TERM_DAYS, business_types={
            "type": "object", "propertyNames": {**shared.NOT_BLANK, "maxLength": 32},
            "additionalProperties": {**TERM_DAYS, "type": ["integer", "null"]}}),
        "responses": ok(TERMS)},
    "POST /credit/accounts": {
        "summary": "直接授信（管理员；通常由授信申请审批通过后授信）",
        "body": _body(["customer_id", "org_id", "type", "limit"], customer_id=ID, org_id=ID,
                      type={"enum": TYPES}, limit=POSITIVE, valid_from=DATE, valid_to=DATE,
                      project=TEXT, term_days={"type": "integer", "minimum": 1, "maximum": 365},
                      parent_id={**ID,
                                 "description": "直签使用授信：上游客户的直签授信账户"},
                      override_reason={**shared.NOT_BLANK, "maxLength": 200, "description":
                                       "客户还有其他额度时强制授予临时授信的原因（记入审计）"}),
        "responses": ok(ACCOUNT, "201", "已授信")},
    "GET /credit/accounts": {"summary": "授信账户列表（业务员只见自己的客户）",
                             "query": [_q("customer_id", ID), ON],
                             "responses": ok(items_of(ACCOUNT))},
    "GET /credit/accounts/{id}": {"summary": "授信账户详情与每笔操作（操作后的额度）",
                                  "query": [ON], "responses": ok(ACCOUNT_DETAIL)},
    "POST /credit/accounts/{id}/status": {
        "summary": "授信账户状态：active 启用 / frozen 停用 / expired 过期 / closed 关闭",
        "body": _body(["status"], status={"enum": LINE_STATUS}), "responses": ok(ACCOUNT)},
    "POST /credit/accounts/{id}/limit": {
        "summary": "调整授信额度（管理员；不低于已用加冻结）",
        "body": _body(["limit"], limit=POSITIVE), "responses": ok(ACCOUNT)},
    "POST /credit/orders": {
        "summary": "ERP 用信开单：授信部分按 年度>项目>临时 冻结；不足时 409 并说明缺多少",
        "body": _body(["number", "customer_code", "org_code", "order_date", "amount", "credit"],
                      number=NUMBER, customer_code=TEXT, org_code=TEXT, order_date=DATE,
                      amount=POSITIVE, cash=MONEY_IN, credit=MONEY_IN, business_type=TEXT,
                      project=TEXT, salesperson={"type": "string",
                                                 "description": "业务员钉钉 userid"}),
        "responses": {**ok(ORDER, "201", "已开单"), **ok(ORDER, "200", "同单号重复推送")}},
    "GET /credit/orders/{number}": {"summary": "订单用信详情", "responses": ok(ORDER)},
    "POST /credit/orders/{number}/cancel": {"summary": "开单反审核（未发货）：解冻授信",
                                            "responses": ok(ORDER)},
    "POST /credit/orders/{number}/close": {"summary": "关单：解冻未发货部分的授信",
                                           "responses": ok(ORDER)},
    "POST /credit/shipments": {
        "summary": "ERP 发货：现金优先，授信部分生成一笔欠款（到期日 = 发货日 + 账期）",
        "body": _body(["number", "order_number", "ship_date", "amount"], number=NUMBER,
                      order_number=TEXT, ship_date=DATE, amount=POSITIVE),
        "responses": {**ok(SHIPMENT, "201", "已发货"), **ok(SHIPMENT, "200", "重复推送")}},
    "POST /credit/shipments/{number}/reverse": {
        "summary": "出库反审核：撤销欠款（已还款则 409），授信回到订单冻结",
        "responses": ok(SHIPMENT)},
    "POST /credit/returns": {
        "summary": "ERP 退货（可部分）：先冲减欠款并恢复授信，其余为现金部分",
        "body": _body(["number", "shipment_number", "return_date", "amount"], number=NUMBER,
                      shipment_number=TEXT, return_date=DATE, amount=POSITIVE),
        "responses": {**ok(RETURN, "201", "已退货"), **ok(RETURN, "200", "重复推送")}},
    "POST /credit/returns/{number}/reverse": {
        "summary": "退货反审核：重新计入欠款并扣减授信（额度不足则 409）",
        "responses": ok(RETURN)},
    "GET /credit/debts": {
        "summary": "欠款列表（按到期日）",
        "query": [_q("customer_id", ID), _q("status", {"enum": DEBT_STATUS}), ON],
        "responses": ok(items_of(DEBT))},
    "POST /credit/payments": {
        "summary": "收款入账：保证金 / 还款（默认为基本账户欠款）/ 剩余；还款账户按到期日先后还款",
        "body": _body(["customer_id", "number", "amount", "received_on"], customer_id=ID,
                      number=NUMBER, amount=POSITIVE, received_on=DATE, deposit=MONEY_IN,
                      repayment=MONEY_IN, payer=TEXT,
                      allocate={"type": "boolean",
                                "description": "默认取设置 repayment_auto_allocate"}),
        "responses": ok(PAYMENT, "201", "已入账")},
    "POST /credit/repayments": {
        "summary": "财务人工还款：从还款账户还指定欠款（不指定则按到期日先后）",
        "body": _body(["customer_id"], customer_id=ID, parts={
            "type": ["array", "null"], "minItems": 1, "description": "null 则按到期日先后",
            "items": _body(["debt_id", "amount"], debt_id=ID, amount=POSITIVE)}),
        "responses": ok(items_of(REPAYMENT), "201", "已还款")},
    "GET /credit/customers/{id}/ledger": {
        "summary": "客户基本账户、还款账户、授信账户与未还欠款（含是否平衡）",
        "query": [ON], "responses": ok(LEDGER)},
}

# a project line names its project (domain.credit.accounts.grant_account)
OPERATIONS["POST /credit/accounts"]["body"].update({
    "if": {"required": ["type"], "properties": {"type": {"const": rules.PROJECT}}},
    "then": {"required": ["project"], "properties": {"project": shared.NOT_BLANK}}})
