"""Error codes of the tiers context, each with its one kind (so one HTTP status).

Listed with every other context's by httpcommon/error_table.py, which makes the README's
error table from them."""

from domain.errors import Conflict, ErrorCode, Invalid

BAD_PROFILE = ErrorCode("bad_profile", Invalid, "资料必须是对象")
CLAIM_IN_PROGRESS = ErrorCode("claim_in_progress", Conflict,
                              "收款单 … 已有认领审批在进行中（#…），不能重复认领")
CLAIM_LOST = ErrorCode("claim_lost", Conflict, "客户已不在公共池，或不是由你申请的")
CLAIM_NOT_HELD = ErrorCode("claim_not_held", Conflict,
                           "请通过公共池申请客户（POST /tiers/pool/{id}/claim）")
CUSTOMER_CLAIMED = ErrorCode("customer_claimed", Conflict, "客户 … 已有人申请，审批中")
NOT_IN_POOL = ErrorCode("not_in_pool", Conflict, "客户 … 不在公共池中")
