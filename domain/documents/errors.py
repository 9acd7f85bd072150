"""Error codes of the documents context, each with its one kind (so one HTTP status).

Listed with every other context's by httpcommon/error_table.py, which makes the README's
error table from them."""

from domain.errors import Conflict, ErrorCode, Locked

DAY_CLOSED = ErrorCode("day_closed", Locked, "该日期已关账")
RECEIPT_CONFIRMED = ErrorCode("receipt_confirmed", Conflict,
                              "收款单 … 已对账确认，不能…；请财务先取消确认")
