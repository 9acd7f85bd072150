"""The id of the request being served: set by the HTTP edge, read by the outbox writer, so a
notice can be traced back to the request that caused it."""

from __future__ import annotations

from contextvars import ContextVar

REQUEST_ID: ContextVar[str] = ContextVar("request_id", default="")


def current_request_id() -> str:
    """The request id of the work in progress ('' outside a request: jobs, the CLI)."""
    return REQUEST_ID.get()
