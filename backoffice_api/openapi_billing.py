"""OpenAPI schemas of the month-end billing routes (paths come from the router).

The rules the routes follow are stated in the summaries, as the API's documentation:
- tiers: ``up_to`` is inclusive (a quantity q falls in the first tier with q <= up_to), strictly
  ascending, the last ``up_to`` null; uniform has exactly one tier (up_to null); prices are
  strings (or integers) >= 0 with at most 6 decimals — anything else is a 400 and nothing is
  written.
- stage (阶段价): the whole month's quantity at the price of the tier it reaches; tiered (阶梯价):
  each slice (previous up_to, up_to] at its tier's price; the amount is rounded half-up to 0.01
  once.
- the price of a month is the latest adjustment effective on or before the month's last day, so
  an adjustment effective mid-month prices that whole month.
"""

from __future__ import annotations

from domain.billing import catalogue, pricing
from domain.limits import column_length
from domain.models import Product
from httpcommon import openapi as shared
from httpcommon.openapi import items_of, ok
from httpcommon.openapi import query_param as _q

ID = shared.ID
NID = {"type": ["integer", "null"]}
TEXT = {"type": "string"}
BOOL = {"type": "boolean"}
DATE = shared.DATE
TIME = {"type": ["string", "null"], "format": "date-time"}
PERIOD = {"type": "string", "pattern": r"^(19|[2-9]\d)\d{2}-(0[1-9]|1[0-2])$",
          "description": "YYYY-MM（1900 年起）"}
MONEY = shared.MONEY
PRICE = {"type": "string", "description": "单价，小于 1000000，最多 6 位小数",
         "pattern": rf"^\d{{1,{len(str(int(pricing.MAX_PRICE))) - 1}}}(\.\d{{1,6}})?$"}
PAGE = {"type": "integer", "minimum": 0, "maximum": 1000}  # query_int(request, "limit", 100)
PRICE_TYPE = {"enum": ["uniform", "stage", "tiered"],
              "description": "uniform 统一价 / stage 阶段价（按总量所达档位计全部）/ "
                             "tiered 阶梯价（分段累进）"}
REASON = {"enum": ["no_price", "bad_price_table", "no_usage", "unknown_account",
                   "account_after_bill"]}


def _obj(required: list[str] | None = None, **properties) -> dict:
    schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema


ACCOUNT = _obj(account=TEXT, product_id=ID, interest_free=BOOL)
PRODUCT = _obj(id=ID, code=TEXT, name=TEXT, customer_id=ID,
               payment_term_months={"type": "integer", "minimum": 1, "maximum": 12},
               active=BOOL, accounts={"type": "array", "items": ACCOUNT})
CODE = {"type": "string", "pattern": catalogue.CODE.pattern}
ACCOUNT_IN = {"type": "string", "pattern": catalogue.ACCOUNT.pattern.replace(
    r"\S", rf"[^\x00{shared.SPACE}]")}
NONZERO = {"type": "string", "description": "不为 0；负数为退款",
           "pattern": "^-?" + shared.POSITIVE_AMOUNT["pattern"][1:]}
TERM_MONTHS = {"type": "integer", "minimum": 1, "maximum": catalogue.MAX_TERM_MONTHS}
TIER = _obj(["price"], up_to={"type": ["integer", "null"], "minimum": 1,
                              "description": "含本数；最后一档为 null"}, price=PRICE)
TIER_IN = {**TIER, "additionalProperties": False}
PRICE_ADJ = _obj(id=ID, product_id=ID, effective_from=DATE, price_type=PRICE_TYPE,
                 price_type_label=TEXT, tiers={"type": "array", "items": TIER}, note=TEXT)
BILL = _obj(id=ID, customer_id=ID, product_id=ID, period=PERIOD, quantity=ID,
            price_type=PRICE_TYPE, amount=MONEY, paid=MONEY,
            status={"enum": ["unpaid", "paid"]}, bill_date=DATE, due_date=DATE,
            statement_id=NID)
EXCEPTION = _obj(id=ID, period=PERIOD, customer_id=NID, product_id=NID, account=TEXT,
                 reason=REASON, reason_label=TEXT, detail=TEXT,
                 status={"enum": ["open", "resolved"]}, created_at=TIME, resolved_at=TIME)
USAGE_ROW = _obj(["account", "period", "quantity"], account=TEXT, period=PERIOD,
                 quantity={"type": "integer", "minimum": 0})
INGEST_RESULT = _obj(created=ID, updated=ID, unchanged=ID, rejected={"type": "array"})

OPERATIONS = {
    "POST /billing/products": {
        "summary": "添加产品（编号唯一，1–50 位字母数字 _.-；账期默认 1 个月，最多 12）",
        "body": _obj(["customer_id", "code", "name"], customer_id=ID, code=CODE,
                     name=shared.text(column_length(Product, "name")),
                     payment_term_months=TERM_MONTHS),
        "responses": ok(PRODUCT, "201")},
    "GET /billing/products": {"summary": "产品及其账号", "query": [_q("customer_id", ID)],
                              "responses": ok(items_of(PRODUCT))},
    "PATCH /billing/products/{id}": {
        "summary": "修改产品（名称、账期、启用）",
        "body": _obj(name=shared.text(column_length(Product, "name")),
                     payment_term_months=TERM_MONTHS, active=BOOL),
        "responses": ok(PRODUCT)},
    "POST /billing/products/{id}/accounts": {
        "summary": "添加账号（全局唯一；interest_free = 不计息账号）",
        "body": _obj(["account"], account=ACCOUNT_IN, interest_free=BOOL),
        "responses": ok(ACCOUNT, "201")},
    "PUT /billing/accounts/{account}": {
        "summary": "不计息账号配置（随时可改；产品全部账号不计息时其账单不计罚息）",
        "body": _obj(["interest_free"], interest_free=BOOL), "responses": ok(ACCOUNT)},
    "POST /billing/products/{id}/prices": {
        "summary": "销售调价。tiers 的 up_to 含本数、严格递增、最后一档为 null；统一价恰好一档；"
                   "单价最多 6 位小数，格式不对返回 400 且不写入。某月的价格 = 生效日不晚于该月"
                   "最后一天的最新调价（月中调价对整月生效）。阶段价：总量所达档位的单价乘以全部"
                   "数量；阶梯价：各段按各自单价累加；金额最后四舍五入到分一次。",
        "body": _obj(["effective_from", "price_type", "tiers"], effective_from=DATE,
                     price_type=PRICE_TYPE, note=TEXT,
                     tiers={"type": "array", "minItems": 1, "items": TIER_IN}),
        "responses": ok(PRICE_ADJ, "201")},
    "GET /billing/products/{id}/prices": {"summary": "产品的调价记录",
                                          "responses": ok(items_of(PRICE_ADJ))},
    "POST /billing/usage": {
        "summary": "推送发送量（按账号+月份覆盖）。整批要么全部写入，要么一行不写：有错行返回 "
                   "400 batch_rejected；仅因该账号产品的月份已出账单而被拒时返回 409 "
                   "usage_period_billed；每个被拒行都列出原因。",
        "body": _obj(["items"], items={"type": "array", "items": USAGE_ROW}),
        "responses": ok(INGEST_RESULT)},
    "GET /billing/bills": {"summary": "账单（每产品每月一张）", "query": [
        _q("customer_id", ID), _q("period", PERIOD), _q("limit", PAGE),
        _q("offset", shared.OFFSET)],
        "responses": ok(items_of(BILL))},
    "GET /billing/exceptions": {
        "summary": "出账异常：no_price 产品当月没有调价 / bad_price_table 调价表格式错误 / "
                   "no_usage 产品该月没有发送量 / unknown_account 产品账号填写错误（产品无账号，"
                   "或发送量的账号不属于任何产品）。每日出账会重试未解决的异常，补出的账单进补充对账单。",
        "query": [_q("status", {"enum": ["open", "resolved"]}), _q("period", PERIOD),
                  _q("limit", PAGE), _q("offset", shared.OFFSET)],
        "responses": ok(items_of(EXCEPTION))},
    "POST /billing/customers/{id}/bill": {
        "summary": "点击生成账单：为客户某个已结束月份出账（与每日出账同一流程；"
                   "已出账的产品不再出，新账单合并为一张对账单发给客户联系人）",
        "body": _obj(["period"], period=PERIOD),
        "responses": ok(_obj(bills={"type": "array", "items": BILL},
                             statement_ids={"type": "array", "items": ID},
                             open_exceptions={"type": "array", "items": EXCEPTION}), "201")},
    "PUT /billing/customers/{id}/payment-mode": {
        "summary": "付费方式：postpaid 后付费 / prepaid 预付（可退）/ prepurchase 预购（不可退）；"
                   "余额不为 0 时不能更改",
        "body": _obj(["payment_mode"], payment_mode={
            "enum": ["postpaid", "prepaid", "prepurchase"]}),
        "responses": ok(_obj(customer_id=ID, payment_mode=TEXT, prepaid_balance=MONEY))},
    "POST /billing/customers/{id}/recharges": {
        "summary": "销售充值。负数为退款：预购客户 409 not_refundable（不可退回），"
                   "退款超过余额 409 refund_exceeds_balance；后付费客户 409 not_prepaid。"
                   "出账时账单先从余额扣。",
        "body": _obj(["reference", "amount", "recharged_on"],
                     reference={"type": "string", "minLength": 1, "maxLength": 64},
                     amount=NONZERO,
                     recharged_on=DATE),
        "responses": ok(_obj(id=ID, reference=TEXT, customer_id=ID, amount=MONEY,
                             recharged_on=DATE, balance=MONEY), "201")},
}
