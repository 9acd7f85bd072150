"""Error codes of the handover context, each with its one kind (so one HTTP status).

Listed with every other context's by httpcommon/error_table.py, which makes the README's
error table from them."""

from domain.errors import Conflict, ErrorCode, Forbidden, Invalid, NotFound

BAD_DATE_RANGE = ErrorCode("bad_date_range", Invalid, "结束日期不能早于开始日期")
BAD_KIND = ErrorCode("bad_kind", Invalid, "未知的单据类别: …（可选 …）")
BAD_RECEIPT_KIND = ErrorCode("bad_receipt_kind", Invalid, "未知收款类型 …")
BAD_REMARK = ErrorCode("bad_remark", Invalid, "备注不能为空")
DOCUMENT_NOT_FOUND = ErrorCode("document_not_found", NotFound, "单据不存在: …")
ENTRY_GONE = ErrorCode("entry_gone", Conflict, "这条消息记录的单据已被删除")
ENTRY_IN_PROGRESS = ErrorCode("entry_in_progress", Conflict, "这条消息已在处理，请稍后查看")
EXPENSE_TYPE_REQUIRED = ErrorCode("expense_type_required", Invalid,
                                  "请填写费用类型，例如：差旅、油费、招待")
EXPENSE_TYPE_TOO_LONG = ErrorCode("expense_type_too_long", Invalid, "费用类型不能超过 … 个字")
FUTURE_DAY = ErrorCode("future_day", Invalid, "日期 … 还没到，不能记录未来的单据")
HANDOVER_DOCUMENT_NOT_FOUND = ErrorCode("handover_document_not_found", NotFound, "交账单据不存在")
HANDOVER_LISTING_GONE = ErrorCode("handover_listing_gone", Invalid,
                                  "找不到这张卡片列出的交账，请在后台交款交账中处理")
HANDOVER_ROW_DONE = ErrorCode("handover_row_done", Invalid, "这一项已经确认过了，无需重复操作")
NOT_IN_HANDOVER = ErrorCode("not_in_handover", Invalid, "单据不在交款交账范围内")
NOT_YOUR_HANDOVER = ErrorCode("not_your_handover", Forbidden, "业务员只能查看自己的交款交账")
NUMBER_BUSY = ErrorCode("number_busy", Conflict, "单据编号冲突，请稍后再试")
RECEIPT_CHANGED = ErrorCode("receipt_changed", Conflict, "收款单 … 刚被修改，请刷新后重试")
RECEIPT_NOT_FOUND = ErrorCode("receipt_not_found", NotFound, "收款单 … 不存在")
RECEIPT_VOID = ErrorCode("receipt_void", Conflict, "收款单 … 已作废，不能…")
