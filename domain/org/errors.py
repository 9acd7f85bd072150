"""Error codes of the org context (staff, departments, roles), each with its one kind.

Listed with every other context's by httpcommon/error_table.py, which makes the README's
error table from them."""

from domain.errors import Conflict, ErrorCode, Invalid, Unauthorized

EMPTY_DIRECTORY = ErrorCode("empty_directory", Invalid,
                            "钉钉通讯录没有返回任何员工，未同步（检查应用的通讯录权限范围）")
BAD_PASSWORD = ErrorCode("bad_password", Unauthorized, "账号或密码不对")
NOT_STAFF = ErrorCode("not_staff", Unauthorized,
                      "你的钉钉账号不在 Tally 的员工名单里，请联系管理员同步通讯录")
SIGNED_OUT = ErrorCode("signed_out", Unauthorized, "登录已失效，请重新登录")
WEAK_PASSWORD = ErrorCode("weak_password", Invalid, "密码至少 10 位")
STAFF_ALREADY_LINKED = ErrorCode("staff_already_linked", Conflict, "这名员工已有另一个工作台登录")
