"""Error codes of the billing context, each with its one kind (so one HTTP status).

Listed with every other context's by httpcommon/error_table.py, which makes the README's
error table from them."""

from domain.errors import Conflict, ErrorCode, Invalid, NotFound

ACCOUNT_EXISTS = ErrorCode("account_exists", Conflict, "账号 … 已属于某个产品")
ACCOUNT_NOT_FOUND = ErrorCode("account_not_found", NotFound, "账号 … 不存在")
BAD_ACCOUNT = ErrorCode("bad_account", Invalid, "账号必须是 1–64 位不含空白的字符")
BAD_CODE = ErrorCode("bad_code", Invalid, "产品编号必须是 1–50 位字母、数字或 _.-")
BAD_PAYMENT_MODE = ErrorCode("bad_payment_mode", Invalid, "付费方式必须是 …")
BAD_PRICE_TABLE = ErrorCode("bad_price_table", Invalid, "调价表格式错误: …")
BAD_REFERENCE = ErrorCode("bad_reference", Invalid, "reference 必填，最多 64 个字符")
BALANCE_NOT_ZERO = ErrorCode("balance_not_zero", Conflict, "预付余额不为 0 时不能更改付费方式")
NOT_PREPAID = ErrorCode("not_prepaid", Conflict, "后付费客户不能充值，请先设为预付或预购")
NOT_REFUNDABLE = ErrorCode("not_refundable", Conflict, "预购客户的余额不可退回")
PERIOD_NOT_FINISHED = ErrorCode("period_not_finished", Invalid, "期间还没有结束，不能出账单")
PREPAY_NOT_ALLOWED = ErrorCode("prepay_not_allowed", Conflict, "客户 … 未勾选可预存，不能预充值")
PRICE_EXISTS = ErrorCode("price_exists", Conflict, "产品 … 在 … 已有调价")
PRODUCT_EXISTS = ErrorCode("product_exists", Conflict, "产品编号 … 已存在")
PRODUCT_NOT_FOUND = ErrorCode("product_not_found", NotFound, "产品 … 不存在")
RECHARGE_EXISTS = ErrorCode("recharge_exists", Conflict, "充值单 … 已存在")
REFUND_EXCEEDS_BALANCE = ErrorCode("refund_exceeds_balance", Conflict, "退款 … 超过预付余额 …")
USAGE_PERIOD_BILLED = ErrorCode("usage_period_billed", Conflict, "用量所在期间已出账单")
