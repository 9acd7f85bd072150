"""Error codes of the org context (staff, departments, roles), each with its one kind.

Listed with every other context's by httpcommon/error_table.py, which makes the README's
error table from them."""

from domain.errors import ErrorCode, Invalid

EMPTY_DIRECTORY = ErrorCode("empty_directory", Invalid,
                            "钉钉通讯录没有返回任何员工，未同步（检查应用的通讯录权限范围）")
