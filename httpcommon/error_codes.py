"""Error codes of the HTTP edge, each with its one kind (so one HTTP status).

Listed with every other context's by httpcommon/error_table.py, which makes the README's
error table from them."""

from domain.errors import (
    Conflict,
    ErrorCode,
    Forbidden,
    Invalid,
    NotFound,
    RateLimited,
    Unauthorized,
    Upstream,
)

BAD_BODY = ErrorCode("bad_body", Invalid, "请求体的字段组合不对（如 items 与 staff/dates 二选一）")
BAD_FORM_BODY = ErrorCode("bad_form_body", Invalid, "表单无法解析")
BAD_JSON = ErrorCode("bad_json", Invalid, "请求体不是 JSON")
BAD_PERIOD = ErrorCode("bad_period", Invalid, "期间必须是 YYYY-MM")
BAD_SESSION = ErrorCode("bad_session", Unauthorized, "登录已失效，请重新登录")
BAD_TEXT = ErrorCode("bad_text", Invalid, "路径或查询参数不能包含 NUL 字符")
BATCH_TOO_LARGE = ErrorCode("batch_too_large", Invalid, "每批行数超过上限，请分批推送")
IDEMPOTENCY_KEY_REUSED = ErrorCode("idempotency_key_reused", Conflict,
                                   "Idempotency-Key 已用于另一个请求")
MISSING_API_KEY = ErrorCode("missing_api_key", Unauthorized,
                            "缺少 API 密钥 (Authorization: Bearer …)")
MISSING_QUERY = ErrorCode("missing_query", Invalid, "缺少必填的查询参数")
NOT_FOUND = ErrorCode("not_found", NotFound, "路由或资源不存在")
RATE_LIMITED = ErrorCode("rate_limited", RateLimited, "尝试太频繁，稍后再试（Retry-After）")
REQUEST_IN_PROGRESS = ErrorCode("request_in_progress", Conflict,
                                "同一 Idempotency-Key 的请求正在处理中")
ROUTE_NOT_IN_ROLE_TABLE = ErrorCode("route_not_in_role_table", Forbidden, "此接口未列入角色表")
TOO_MANY = ErrorCode("too_many", Invalid, "项数超过上限")
UNKNOWN_KIND = ErrorCode("unknown_kind", NotFound, "未知数据类型 …，可用: …")
WECHAT_BAD_MESSAGE = ErrorCode("wechat_bad_message", Invalid, "无法解析的消息")
WECHAT_BAD_TIMESTAMP = ErrorCode("wechat_bad_timestamp", Forbidden, "时间戳无效")
WECHAT_LOGIN_FAILED = ErrorCode("wechat_login_failed", Unauthorized,
                                "微信登录失败，请重新打开小程序再试")
WECHAT_QR_FAILED = ErrorCode("wechat_qr_failed", Upstream,
                             "微信暂时无法生成二维码，请稍后再试（detail 带微信的 errcode）")
WECHAT_SAFE_MODE_OFF = ErrorCode("wechat_safe_mode_off", Forbidden, "未配置消息加解密密钥")
WECHAT_SIGNATURE_INVALID = ErrorCode("wechat_signature_invalid", Forbidden, "签名无效")
WECHAT_STALE_REQUEST = ErrorCode("wechat_stale_request", Forbidden, "请求已过期")
# the workbench (workbench.guard)
CSRF_REFUSED = ErrorCode("csrf_refused", Forbidden,
                         "页面已过期，请刷新后重试（表单缺少或带错了 CSRF 令牌）")
# the workbench's DingTalk sign-in (workbench.dingtalk_login)
DINGTALK_LOGIN_FAILED = ErrorCode("dingtalk_login_failed", Unauthorized,
                                  "钉钉登录授权无效、已用过或已过期，请重新登录")
DINGTALK_LOGIN_STALE = ErrorCode("dingtalk_login_stale", Forbidden,
                                 "扫码登录已过期或不是从本页发起，请重新扫码")
DINGTALK_UNAVAILABLE = ErrorCode("dingtalk_unavailable", Upstream,
                                 "钉钉暂时没有回应，请稍后再试")
