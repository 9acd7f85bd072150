"""Error codes of the notices context, each with its one kind (so one HTTP status).

Listed with every other context's by httpcommon/error_table.py, which makes the README's
error table from them."""

from domain.errors import Conflict, ErrorCode, NotFound

NOTICE_NOT_FOUND = ErrorCode("notice_not_found", NotFound, "通知（发送记录）不存在")
NOTICE_NOT_RESENDABLE = ErrorCode("notice_not_resendable", Conflict,
                                  "这条通知已发送、正在发送或在等待发送，不能重发")
