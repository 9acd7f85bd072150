"""Error codes of the credit context, each with its one kind (so one HTTP status).

Listed with every other context's by httpcommon/error_table.py, which makes the README's
error table from them."""

from domain.errors import Conflict, ErrorCode, Invalid, NotFound

ACCOUNT_CLOSED = ErrorCode("account_closed", Conflict, "授信账户 … 已关闭")
ACCOUNT_EXPIRED = ErrorCode("account_expired", Conflict, "授信账户 … 已过有效期，不能启用")
ACCOUNT_HAS_FROZEN = ErrorCode("account_has_frozen", Conflict, "授信账户仍有额度冻结在未发货订单上")
BAD_BUSINESS_TYPE = ErrorCode("bad_business_type", Invalid, "业务类型不能为空且不超过32个字符: …")
BAD_CREDIT_TYPE = ErrorCode("bad_credit_type", Invalid, "授信类型必须是 … 之一")
BAD_NUMBER = ErrorCode("bad_number", Invalid, "单号不能为空且不超过64个字符")
BAD_ORG_CODE = ErrorCode("bad_org_code", Invalid, "销区编号不能为空且不超过64个字符")
BAD_ORG_NAME = ErrorCode("bad_org_name", Invalid, "销区名称不能为空且不超过100个字符")
BAD_REMINDER_DAYS = ErrorCode("bad_reminder_days", Invalid, "提前提醒天数格式错误：…")
BAD_SPLIT = ErrorCode("bad_split", Invalid, "订单金额必须等于现金加授信")
BAD_TERM_DAYS = ErrorCode("bad_term_days", Invalid, "账期天数必须是 1 到 …天（最长12个月）")
BAD_VALIDITY = ErrorCode("bad_validity", Invalid, "有效期结束不能早于开始")
BAD_YEAR = ErrorCode("bad_year", Invalid, "年份不正确: …")
BUDGET_BELOW_USE = ErrorCode("budget_below_use", Conflict, "预算低于已占用的授信")
CASH_CUSTOMER_NO_CREDIT = ErrorCode("cash_customer_no_credit", Conflict,
                                    "客户 … 为现结客户，订单须先付现款，不能用信…")
CONCURRENT_CHANGE = ErrorCode("concurrent_change", Conflict, "数据已被同时修改，请重试")
CREDIT_ACCOUNT_NOT_FOUND = ErrorCode("credit_account_not_found", NotFound, "授信账户 … 不存在")
CREDIT_INSUFFICIENT = ErrorCode("credit_insufficient", Conflict, "可用授信额度不足")
CREDIT_LINE_UNDERFLOW = ErrorCode("credit_line_underflow", Conflict,
                                  "授信账户已用或冻结额度不足以退回")
DEBT_NOT_FOUND = ErrorCode("debt_not_found", NotFound, "欠款 … 不存在")
DEBT_NOT_OPEN = ErrorCode("debt_not_open", Conflict, "欠款 #… 已结清或已撤销，不能更改账期")
DEBT_REPAID = ErrorCode("debt_repaid", Conflict, "发货单 … 的欠款已还…，不能出库反审核")
DIRECT_USE_LIMIT_FIXED = ErrorCode("direct_use_limit_fixed", Conflict,
                                   "直签使用授信的额度来自上游，不能单独调整")
DUPLICATE_DEBT = ErrorCode("duplicate_debt", Invalid, "欠款 #… 重复出现")
ENTERPRISE_BUDGET_EXCEEDED = ErrorCode("enterprise_budget_exceeded", Conflict,
                                       "企业年度授信总额不足")
LEDGER_NOT_FOUND = ErrorCode("ledger_not_found", NotFound, "客户 … 没有还款账户")
LEDGER_UNBALANCED = ErrorCode("ledger_unbalanced", Conflict,
                              "授信欠款、还款账户与基本账户欠款不平，操作已撤销")
LIMIT_BELOW_USE = ErrorCode("limit_below_use", Conflict, "新额度…低于已占用的…")
NO_OPEN_DEBTS = ErrorCode("no_open_debts", Conflict, "客户没有待还的欠款")
NO_PARTS = ErrorCode("no_parts", Invalid, "请至少指定一笔欠款")
NOT_EXPIRED = ErrorCode("not_expired", Conflict, "授信账户 … 尚在有效期内")
ORDER_CANCELLED = ErrorCode("order_cancelled", Conflict, "订单 … 已反审核，不能关单")
ORDER_CLOSED = ErrorCode("order_closed", Conflict, "订单 … 已关单，不能反审核")
ORDER_CREDIT_MISMATCH = ErrorCode("order_credit_mismatch", Conflict, "订单 … 冻结的授信不足以发货")
ORDER_EXISTS = ErrorCode("order_exists", Conflict, "订单 … 已存在，且内容不同")
ORDER_HAS_SHIPMENTS = ErrorCode("order_has_shipments", Conflict,
                                "订单 … 已有发货，请先出库反审核或关单")
ORDER_NOT_FOUND = ErrorCode("order_not_found", NotFound, "订单 … 不存在")
ORDER_NOT_OPEN = ErrorCode("order_not_open", Conflict, "订单已关单或已反审核，不能发货")
ORG_BUDGET_EXCEEDED = ErrorCode("org_budget_exceeded", Conflict, "销售组织授信预算不足")
ORG_DISABLED = ErrorCode("org_disabled", Conflict, "销区已禁用")
ORG_NOT_FOUND = ErrorCode("org_not_found", Invalid, "销区 … 不存在")
PARENT_NOT_ALLOWED = ErrorCode("parent_not_allowed", Invalid, "只有直签使用授信可以指定上游账户")
PARENT_NOT_DIRECT = ErrorCode("parent_not_direct", Invalid, "上游账户 … 不是直签授信")
PARENT_OTHER_ORG = ErrorCode("parent_other_org", Invalid,
                             "直签使用授信须与上游直签授信同属一个销区")
PARENT_REQUIRED = ErrorCode("parent_required", Invalid,
                            "直签使用授信必须指定上游客户的直签授信账户")
PARENT_SAME_CUSTOMER = ErrorCode("parent_same_customer", Invalid,
                                 "直签使用授信须授给上游客户的下游客户")
PAYMENT_EXISTS = ErrorCode("payment_exists", Conflict, "收款单 … 已经入账")
PROJECT_REQUIRED = ErrorCode("project_required", Invalid, "项目授信必须填写项目")
REPAYMENT_BALANCE_EMPTY = ErrorCode("repayment_balance_empty", Conflict,
                                    "还款账户没有余额可用于还款")
REPAYMENT_BALANCE_SHORT = ErrorCode("repayment_balance_short", Conflict, "还款账户余额不足")
REPAYMENT_EXCEEDS_BALANCE = ErrorCode("repayment_exceeds_balance", Conflict,
                                      "还款合计…超过还款账户余额…")
REPAYMENT_EXCEEDS_DEBT = ErrorCode("repayment_exceeds_debt", Conflict, "还款金额…超过基本账户欠款…")
REPAYMENT_EXCEEDS_OUTSTANDING = ErrorCode("repayment_exceeds_outstanding", Conflict,
                                          "欠款 #… 待还…，不能还…")
RETURN_BEFORE_SHIPMENT = ErrorCode("return_before_shipment", Invalid, "退货日期 … 早于发货日期 …")
RETURN_EXCEEDS_SHIPMENT = ErrorCode("return_exceeds_shipment", Conflict,
                                    "退货金额…超过发货单可退金额…")
RETURN_EXISTS = ErrorCode("return_exists", Conflict, "退货单 … 已存在，且内容不同")
RETURN_NOT_FOUND = ErrorCode("return_not_found", NotFound, "退货单 … 不存在")
SHIP_BEFORE_ORDER = ErrorCode("ship_before_order", Invalid, "发货日期 … 早于订单日期 …")
SHIPMENT_EXCEEDS_ORDER = ErrorCode("shipment_exceeds_order", Conflict,
                                   "发货金额…超过订单未发货金额…")
SHIPMENT_EXISTS = ErrorCode("shipment_exists", Conflict, "发货单 … 已存在，且内容不同")
SHIPMENT_HAS_RETURNS = ErrorCode("shipment_has_returns", Conflict,
                                 "发货单 … 有退货，请先退货反审核")
SHIPMENT_NOT_FOUND = ErrorCode("shipment_not_found", NotFound, "发货单 … 不存在")
SHIPMENT_REVERSED = ErrorCode("shipment_reversed", Conflict, "发货单 … 已出库反审核")
TEMPORARY_NOT_ALLOWED = ErrorCode("temporary_not_allowed", Conflict,
                                  "客户还有其他授信额度可用（…），不能申请临时授信")
UNFREEZE_EXCEEDS_FROZEN = ErrorCode("unfreeze_exceeds_frozen", Conflict, "解冻金额…超过已冻结额度…")
