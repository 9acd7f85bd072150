"""Error codes shared by several contexts, each with its one kind (so one HTTP status).

Listed with every other context's by httpcommon/error_table.py, which makes the README's
error table from them."""

from domain.errors import ErrorCode, Forbidden, Invalid, NotFound, Unauthorized

AMOUNT_NOT_POSITIVE = ErrorCode("amount_not_positive", Invalid, "金额必须大于0")
BAD_AMOUNT = ErrorCode("bad_amount", Invalid, "金额格式不对")
BAD_API_KEY = ErrorCode("bad_api_key", Unauthorized, "API 密钥无效或已吊销")
BAD_DATE = ErrorCode("bad_date", Invalid, "日期格式不对")
BAD_FIELD = ErrorCode("bad_field", Invalid, "字段值不合要求")
BAD_LOGO = ErrorCode("bad_logo", Invalid, "徽标须为 256 KB 以内、可读取的 PNG 图片")
BAD_ITEMS = ErrorCode("bad_items", Invalid, "items 必须是非空数组")
BAD_QUERY = ErrorCode("bad_query", Invalid, "查询参数不对")
BAD_RANGE = ErrorCode("bad_range", Invalid, "范围不对（开始晚于结束等）")
BAD_ROLE = ErrorCode("bad_role", Invalid, "角色必须是 … 之一")
BAD_STATUS = ErrorCode("bad_status", Invalid, "状态值不认识")
BAD_TERM = ErrorCode("bad_term", Invalid, "账期必须是 1 到 … 个月的整数")
BATCH_REJECTED = ErrorCode("batch_rejected", Invalid, "整批有行出错，未写入（atomic）")
FUTURE_RUN_DATE = ErrorCode("future_run_date", Invalid, "不能运行未来日期 … 的任务")
MISSING_FIELD = ErrorCode("missing_field", Invalid, "缺少必填字段")
ROLE_FORBIDDEN = ErrorCode("role_forbidden", Forbidden, "此操作需要角色: …")
STAFF_NOT_FOUND = ErrorCode("staff_not_found", NotFound, "员工不存在")
STAFF_REQUIRED = ErrorCode("staff_required", Invalid, "sales 角色的密钥必须关联一名业务员")
STAFF_WITHOUT_DINGTALK = ErrorCode("staff_without_dingtalk", Invalid, "员工 … 没有钉钉账号")
UNKNOWN_STAFF = ErrorCode("unknown_staff", Invalid, "员工不认识")
