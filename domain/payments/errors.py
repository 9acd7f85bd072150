"""Error codes of the payments context, each with its one kind (so one HTTP status).

Listed with every other context's by httpcommon/error_table.py, which makes the README's
error table from them."""

from domain.errors import Conflict, ErrorCode, Invalid, NotFound

ALREADY_PAID = ErrorCode("already_paid", Conflict, "账单或罚息已结清")
AMOUNT_EXCEEDS_OPEN = ErrorCode("amount_exceeds_open", Invalid, "销账金额超过未付金额")
BAD_INVOICE_KIND = ErrorCode("bad_invoice_kind", Invalid,
                             "发票类型必须是 normal（普票）或 special（专票）: …")
BAD_SETTING = ErrorCode("bad_setting", Invalid, "设置值格式不对")
BILL_ALREADY_INVOICED = ErrorCode("bill_already_invoiced", Conflict, "账单已在开票申请中")
BILL_CHANGED = ErrorCode("bill_changed", Conflict, "账单 #… 已被销账或金额已变，不能再销…")
BILL_NOT_FOUND = ErrorCode("bill_not_found", NotFound, "客户没有这张账单")
CUSTOMER_REQUIRED = ErrorCode("customer_required", Invalid, "未匹配的到款需要指定客户 customer_id")
DUPLICATE_BILL = ErrorCode("duplicate_bill", Invalid, "同一账单只能选择一次")
DUPLICATE_ITEM = ErrorCode("duplicate_item", Invalid, "同一账单或罚息只能选择一次")
INVOICE_AMOUNT_MISMATCH = ErrorCode("invoice_amount_mismatch", Invalid,
                                    "开票金额…与账单合计…不一致")
INVOICE_FIELDS_MISSING = ErrorCode("invoice_fields_missing", Invalid, "缺少开票信息")
INVOICE_REQUEST_CANCELLED = ErrorCode("invoice_request_cancelled", Conflict, "开票申请 #… 已取消")
INVOICE_REQUEST_NOT_FOUND = ErrorCode("invoice_request_not_found", NotFound, "开票申请 … 不存在")
NO_BILLS = ErrorCode("no_bills", Invalid, "请选择要开票的账单")
NO_SALESPERSON = ErrorCode("no_salesperson", Conflict, "客户没有在职业务员，无法发起销账流程")
NOTHING_TO_WRITE_OFF = ErrorCode("nothing_to_write_off", Invalid, "请至少选择一张账单或一笔罚息")
PAYMENT_MATCHED_ELSEWHERE = ErrorCode("payment_matched_elsewhere", Conflict,
                                      "到款 … 已匹配到其他客户并有销账记录")
PAYMENT_NOT_FOUND = ErrorCode("payment_not_found", NotFound, "到款 … 不存在")
PAYMENT_SHORT = ErrorCode("payment_short", Conflict, "到款余额…不足以销账…")
PAYMENT_WRITTEN_OFF = ErrorCode("payment_written_off", Conflict, "到款 … 已全部销账")
PENALTY_CHANGED = ErrorCode("penalty_changed", Conflict, "罚息 #… 已被销账")
PENALTY_NOT_FOUND = ErrorCode("penalty_not_found", NotFound, "客户没有这笔罚息")
RESERVED = ErrorCode("reserved", Conflict, "账单或罚息正在另一笔销账流程中")
TERM_UNCHANGED = ErrorCode("term_unchanged", Invalid, "产品「…」的账单周期已是 … 个月")
WRITE_OFF_EXCEEDS_PAYMENT = ErrorCode("write_off_exceeds_payment", Invalid,
                                      "销账合计…超过到款可用余额…")
WRITE_OFF_IN_FLOW = ErrorCode("write_off_in_flow", Conflict, "销账 #… 已有审批流程")
WRITE_OFF_NOT_FOUND = ErrorCode("write_off_not_found", NotFound, "销账 … 不存在")
WRITE_OFF_NOT_PENDING = ErrorCode("write_off_not_pending", Conflict, "销账 #… 已处理")
