"""What an HTTP edge knows of a failed call to an outside platform (WeChat's gateway raises a
subclass): enough to log it, without importing the chat clients (bot/)."""

from __future__ import annotations


class UpstreamError(Exception):
    """A call to WeChat or DingTalk that failed: the platform's error code (None without an
    answer), its message, and the HTTP status when known."""

    errcode: int | None
    errmsg: str
    status: int | None
