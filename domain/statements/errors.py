"""Error codes of the statements context, each with its one kind (so one HTTP status).

Listed with every other context's by httpcommon/error_table.py, which makes the README's
error table from them."""

from domain.errors import Conflict, ErrorCode, Forbidden, Invalid, NotFound, Unauthorized

ACTION_NOT_ALLOWED = ErrorCode("action_not_allowed", Conflict, "对账单当前状态不允许此操作")
ALREADY_ANSWERED = ErrorCode("already_answered", Conflict,
                             "对账单已确认为…，如需更改请联系业务员取消确认")
BAD_ANSWER = ErrorCode("bad_answer", Invalid,
                       "answer 必须是 matched（符合）或 mismatched（不符合）")
BAD_DOC_TYPES = ErrorCode("bad_doc_types", Invalid, "未知单据类型: …")
BAD_RESULT = ErrorCode("bad_result", Invalid, "result 必须是 matched 或 mismatched")
DESCRIPTION_REQUIRED = ErrorCode("description_required", Invalid, "选择不符合时必须填写描述")
DESCRIPTION_TOO_LONG = ErrorCode("description_too_long", Invalid, "描述不能超过 2000 字")
DOCUMENTS_NOT_AUDITED = ErrorCode("documents_not_audited", Invalid, "以下单据尚未审核，不能对账: …")
DOCUMENTS_NOT_FOUND = ErrorCode("documents_not_found", Invalid,
                                "以下单据不属于该客户或不在对账日期内: …")
SHARE_LINK_NOT_FOUND = ErrorCode("share_link_not_found", NotFound, "分享链接 … 不存在")
SHARE_TOKEN_EXPIRED = ErrorCode("share_token_expired", Unauthorized,
                                "分享链接已过期，请联系业务员重新分享")
SHARE_TOKEN_INVALID = ErrorCode("share_token_invalid", Forbidden, "分享链接无效")
SHARE_TOKEN_REVOKED = ErrorCode("share_token_revoked", Forbidden, "分享链接已失效")
STATEMENT_CHANGED = ErrorCode("statement_changed", Conflict, "对账单已被他人修改，请刷新后重试")
STATEMENT_NOT_YOURS = ErrorCode("statement_not_yours", Forbidden,
                                "这张对账单不属于你绑定的客户")
STATEMENT_NOT_FOUND = ErrorCode("statement_not_found", NotFound, "对账单 … 不存在")
