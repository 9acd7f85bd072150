"""The statement settings finance changes at run time."""

from __future__ import annotations

from datetime import datetime

from domain.app_settings import flag, set_flag
from domain.documents.rules import APPROVED, PENDING

INCLUDE_PENDING = "statements.include_pending"


async def include_pending() -> bool:
    """Whether pending (待审批) ERP documents go onto statements (SPEC §3: only audited
    documents by default)."""
    return await flag(INCLUDE_PENDING)


async def counted_audit_states() -> tuple[str, ...]:
    """The audit states of the documents a statement takes, lines and opening alike."""
    return (APPROVED, PENDING) if await include_pending() else (APPROVED,)


async def set_include_pending(on: bool, *, by: str, now: datetime) -> None:
    await set_flag(INCLUDE_PENDING, on, by=by, now=now)
