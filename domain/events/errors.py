"""The events context's error codes."""

from __future__ import annotations

from domain.errors import ErrorCode, Invalid

BAD_CURSOR = ErrorCode("bad_cursor", Invalid, "游标 after 必须是事件流给出的事件 id（非负整数）")
