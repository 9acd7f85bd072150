"""Typed domain failures with machine-readable codes; the HTTP edge maps `kind` to a status."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar


class DomainError(Exception):
    kind = "invalid"

    def __init__(self, code: str, message: str, **detail: object) -> None:
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


class Upstream(DomainError):
    """A platform Tally depends on (WeChat, DingTalk) failed or refused the call: 502."""

    kind = "upstream"


class RateLimited(DomainError):
    """Too many tries from one client; ``retry_after`` (seconds) says when to try again."""

    kind = "rate_limited"


K = TypeVar("K", bound=DomainError)


@dataclass(frozen=True)
class ErrorCode(Generic[K]):
    """One declared code: its one kind (hence one HTTP status) and a short summary for the README.

    Each context declares its codes in its ``errors`` module; calling one builds the error, an
    instance of its kind, so ``except Conflict`` and ``pytest.raises(Conflict)`` keep working."""

    code: str
    kind: type[K]
    summary: str

    def __call__(self, message: str, **detail: Any) -> K:
        return self.kind(self.code, message, **detail)
