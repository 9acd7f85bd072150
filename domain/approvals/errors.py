"""Error codes of the approvals context, each with its one kind (so one HTTP status).

Listed with every other context's by httpcommon/error_table.py, which makes the README's
error table from them."""

from domain.errors import Conflict, ErrorCode, Forbidden, Invalid, NotFound, Unauthorized

APPROVAL_LINK_EXPIRED = ErrorCode("approval_link_expired", Unauthorized,
                                  "审批链接已过期，请在钉钉待办或审批卡片中重新打开")
APPROVAL_LINK_INVALID = ErrorCode("approval_link_invalid", Forbidden, "审批链接无效")
APPROVER_UNRESOLVED = ErrorCode("approver_unresolved", Invalid, "审批节点「…」找不到审批人：…")
BAD_DEPARTMENT = ErrorCode("bad_department", Invalid, "部门名称必须是 1 到 100 个字符")
BAD_FLOW_DEFINITION = ErrorCode("bad_flow_definition", Invalid, "审批流程定义不合要求")
BAD_FORM = ErrorCode("bad_form", Invalid, "form 必须是对象")
CLAIM_OVER_AMOUNT = ErrorCode("claim_over_amount", Invalid, "保证金 … + 还款 … 超过到款金额 …")
COMMENT_REQUIRED = ErrorCode("comment_required", Invalid, "需要填写意见")
COMMENT_TOO_LONG = ErrorCode("comment_too_long", Invalid, "意见不能超过 … 个字")
DEPARTMENT_CYCLE = ErrorCode("department_cycle", Invalid, "「…」不能做「…」的上级部门")
FLOW_ARCHIVED = ErrorCode("flow_archived", Conflict, "审批流程…（已归档），不能撤回")
FLOW_CHANGED = ErrorCode("flow_changed", Conflict, "审批流程已被他人处理，请刷新后重试")
FLOW_NOT_FOUND = ErrorCode("flow_not_found", NotFound, "审批流程 … 不存在")
FLOW_NOT_RETURNED = ErrorCode("flow_not_returned", Conflict,
                              "审批流程…，只有退回给发起人的流程可以重新提交")
INITIATOR_REQUIRED = ErrorCode("initiator_required", Forbidden, "发起审批需要关联在职员工的密钥")
NOT_INITIATOR = ErrorCode("not_initiator", Forbidden, "只有发起人可以撤回或重新提交审批")
NOT_YOUR_TASK = ErrorCode("not_your_task", Forbidden, "这不是你的审批任务")
OWN_FLOW = ErrorCode("own_flow", Forbidden, "不能审批自己发起的申请")
TASK_NOT_FOUND = ErrorCode("task_not_found", NotFound, "审批任务 … 不存在")
TASK_NOT_PENDING = ErrorCode("task_not_pending", Conflict,
                             "审批任务已处理、已被他人处理或流程已推进")
TERM_TOO_LONG = ErrorCode("term_too_long", Invalid, "新账期 … 天超过上限：账期最多 12 个月（… 天）")
UNKNOWN_DEPARTMENT = ErrorCode("unknown_department", Invalid, "上级部门不存在")
UNKNOWN_FLOW_KIND = ErrorCode("unknown_flow_kind", Invalid, "未知审批流程: …")
