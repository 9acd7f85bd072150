"""Error codes of the customers context, each with its one kind (so one HTTP status).

Listed with every other context's by httpcommon/error_table.py, which makes the README's
error table from them."""

from domain.errors import Conflict, ErrorCode, Forbidden, Invalid, NotFound, Unauthorized

BIND_CODE_EXPIRED = ErrorCode("bind_code_expired", Invalid,
                              "绑定码已过期，请向业务员索取新的绑定码")
BIND_CODE_INVALID = ErrorCode("bind_code_invalid", Invalid, "绑定码无效，请向业务员索取新的绑定码")
BIND_QR_LINK_INVALID = ErrorCode("bind_qr_link_invalid", Forbidden,
                                 "绑定二维码链接无效，请向业务员索取新的二维码")
BIND_CODE_NOT_FOUND = ErrorCode("bind_code_not_found", NotFound, "没有这个绑定码")
BIND_CODE_USED = ErrorCode("bind_code_used", Conflict, "绑定码已被使用，请向业务员索取新的绑定码")
CUSTOMER_AMBIGUOUS = ErrorCode("customer_ambiguous", Invalid,
                               "找到多个客户：…。请输入完整的客户名称")
CUSTOMER_CYCLE = ErrorCode("customer_cycle", Conflict, "上级客户不能是该客户自己或它的下级客户")
CUSTOMER_HAS_DOCUMENTS = ErrorCode("customer_has_documents", Conflict,
                                   "客户已有 … 张单据，不能删除，可以停用")
CUSTOMER_HAS_RECEIVABLE = ErrorCode("customer_has_receivable", Conflict,
                                    "客户尚有应收 ¥…，不能停用")
CUSTOMER_NOT_FOUND = ErrorCode("customer_not_found", NotFound, "客户不存在")
IDENTITY_REQUIRED = ErrorCode("identity_required", Invalid, "需要且只能提供一个微信身份")
MINIPROGRAM_NOT_CONFIGURED = ErrorCode(
    "miniprogram_not_configured", Conflict, "未配置小程序（TALLY_MP_APPID），请改用公众号二维码")
NOT_BOUND = ErrorCode("not_bound", Unauthorized, "尚未绑定客户，请输入业务员提供的绑定码")
SHARE_NOT_FOUND = ErrorCode("share_not_found", NotFound, "该客户未与员工 … 共享")
SHARE_WITH_OWNER = ErrorCode("share_with_owner", Invalid, "… 是该客户的业务员，无需共享")
UNKNOWN_CONTACT = ErrorCode("unknown_contact", Invalid, "联系人 … 不属于该客户")
UNKNOWN_PARENT = ErrorCode("unknown_parent", Invalid, "上级客户 … 不存在")
