"""Typed domain failures with machine-readable codes; the HTTP edge maps `kind` to a status."""

from __future__ import annotations


class DomainError(Exception):
    kind = "invalid"

    def __init__(self, code: str, message: str, **detail):
        super().__init__(message)
        self.code = code
        self.message = message
        self.detail = detail


class Invalid(DomainError):
    kind = "invalid"


class NotFound(DomainError):
    kind = "not_found"


class Conflict(DomainError):
    kind = "conflict"


class Forbidden(DomainError):
    kind = "forbidden"


class Unauthorized(DomainError):
    kind = "unauthorized"


class Locked(DomainError):
    """The thing is frozen for now: a closed business day (关账)."""

    kind = "locked"


class RateLimited(DomainError):
    """Too many tries from one client; ``retry_after`` (seconds) says when to try again."""

    kind = "rate_limited"
