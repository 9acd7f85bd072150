"""OpenAPI schemas of the hand-over reading routes (paths come from the router)."""

from __future__ import annotations

from httpcommon import openapi as shared
from httpcommon.openapi import items_of
from httpcommon.openapi import ok as _ok
from httpcommon.openapi import query_param as _q

MONEY = shared.MONEY
DATE = shared.DATE
DATETIME = {"type": ["string", "null"], "format": "date-time"}
COUNT = {"type": "integer"}
TEXT = {"type": "string"}
FLAG = {"type": "boolean"}
KIND = {"enum": ["document", "expense", "other_income", "exchange"]}
STATUS = {"enum": ["pending", "done"], "description": "pending 待对账 / done 已对账"}
SECTIONS = ("sales", "receipts", "expenses", "other_incomes", "exchanges", "deliveries")


def _object(**properties) -> dict:
    return {"type": "object", "properties": properties}


def _array(item: dict) -> dict:
    return {"type": "array", "items": item}


STAFF = _object(id=COUNT, name=TEXT, userid=TEXT)
COUNTS = _object(**dict.fromkeys(SECTIONS, COUNT))
ROW = {
    "id": COUNT, "kind": KIND, "number": TEXT, "date": DATE,
    "customer_id": {"type": ["integer", "null"]}, "customer": TEXT,
    "audit_status": {"enum": ["pending", "approved", "void"]}, "audit_label": TEXT,
    "remark": TEXT, "confirmed": FLAG, "confirmed_at": DATETIME, "confirmed_by": TEXT,
}
DOCUMENT = {**ROW, "type": TEXT, "erp_type": TEXT, "type_label": TEXT, "amount": MONEY,
            "signed_amount": {**MONEY, "description": "退货为负"}, "owed": MONEY}
SETTLEMENT = _object(number=TEXT, type=TEXT, type_label=TEXT, date=DATE,
                     amount={**MONEY, "description": "核销金额（含优惠）"},
                     prepaid={**MONEY, "description": "使用预收"},
                     confirmed={**FLAG, "description": "被核销单据已对账确认（【已确认】标识）"})
RECEIPT = _object(
    **DOCUMENT, receipt_kind={"enum": ["sale", "prepayment", "deposit"]},
    receipt_kind_label=TEXT, discount={**MONEY, "description": "收款优惠"},
    prepaid_used={**MONEY, "description": "使用预收：核销中预收款支付的部分"},
    to_prepaid={**MONEY, "description": "转入预收"}, account=TEXT,
    same_day={**MONEY, "description": "收当日货款"},
    history={**MONEY, "description": "收历史欠款"},
    prepayment={**MONEY, "description": "预收款"}, deposit={**MONEY, "description": "收订金"},
    settlements=_array(SETTLEMENT))
ITEMS = _array({"type": "object"})
EXPENSE = _object(**ROW, items=ITEMS, total={**MONEY, "description": "总金额"},
                  paid={**MONEY, "description": "支出金额"},
                  settled={**MONEY, "description": "收款核销金额"},
                  unsettled={**MONEY, "description": "未核销金额"}, account=TEXT)
INCOME = _object(**ROW, items=ITEMS, amount=MONEY, account=TEXT)
EXCHANGE = _object(**ROW, items=ITEMS, amount=MONEY, submitted_at=DATETIME)
DELIVERY = _object(**DOCUMENT, delivered_on=DATE)
CUSTOMER = _object(
    customer_id={"type": ["integer", "null"]}, customer=TEXT,
    **dict.fromkeys(("sales", "returns", "net_sales", "receipts", "discount", "same_day",
                     "history", "prepayment", "deposit", "expenses", "other_income"), MONEY),
    exchanges=COUNT)
SUMMARY = _object(
    **dict.fromkeys((
        "sales_total", "returns_total", "net_sales", "receipts_amount", "discount",
        "prepaid_used", "to_prepaid", "same_day", "history", "prepayment", "deposit",
        "expenses_total", "expenses_paid", "expenses_settled", "expenses_unsettled",
        "other_income_total", "deliveries_shipped", "deliveries_returned",
        "deliveries_total"), MONEY),
    exchanges=COUNT, counts=COUNTS, documents=COUNT, unconfirmed=COUNT)
REPORT = _object(
    staff=STAFF, day=DATE, closed=FLAG, status=STATUS, status_label=TEXT, summary=SUMMARY,
    confirmed_filter={"enum": ["all", "yes", "no"]},
    sections=_object(sales=_array(_object(**DOCUMENT)), receipts=_array(RECEIPT),
                     expenses=_array(EXPENSE), other_incomes=_array(INCOME),
                     exchanges=_array(EXCHANGE), customers=_array(CUSTOMER),
                     deliveries=_array(DELIVERY)))
DAY_ROW = _object(
    staff=STAFF, day=DATE, counts=COUNTS,
    **dict.fromkeys(("sales_total", "returns_total", "net_sales", "receipts_amount",
                     "expenses_total", "other_income_total", "exchanges_total",
                     "deliveries_total"), MONEY),
    documents=COUNT, unconfirmed=COUNT, status=STATUS, status_label=TEXT, closed=FLAG)
CONFIRMED = _q("confirmed", {"enum": ["all", "yes", "no"]},
               "其他收入单的对账确认状态筛选：all 全部状态（默认）/ no 待确认 / yes 已确认")

OPERATIONS: dict = {
    "GET /handover/days": {
        "summary": "员工交账列表：每人每天的单据汇总、待确认数、对账与关账状态（销售仅见自己）",
        "query": [
            _q("date", DATE, "业务日期（默认今天）"),
            _q("date_to", DATE, "结束日期（默认同 date，最多 31 天）"),
            _q("staff", TEXT, "只看此员工（钉钉 userid）"),
            _q("show_all", {"enum": ["1", "0"]}, "显示全部员工：当天无单据的在职员工也列出"),
        ],
        "responses": _ok(items_of(DAY_ROW))},
    "GET /handover/days/{userid}/{date}": {
        "summary": "日报汇总：销售、收款（含核销）、费用、其他收入、兑换货物、客户汇总、配送",
        "query": [CONFIRMED],
        "responses": _ok(REPORT)},
    "GET /handover/days/{userid}/{date}/report.pdf": {
        "summary": "日报汇总 PDF（A4，可打印）",
        "query": [CONFIRMED],
        "responses": {"200": {"description": "PDF", "content": {"application/pdf": {}}}}},
}
