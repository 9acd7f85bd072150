"""The statement settings finance changes at run time."""

from __future__ import annotations

from datetime import datetime

from tortoise.transactions import in_transaction

from domain.handover.rules import APPROVED, PENDING
from domain.models import AppSetting, AuditLog

INCLUDE_PENDING = "statements.include_pending"


async def include_pending() -> bool:
    """Whether pending (待审批) ERP documents go onto statements; off unless finance turned it
    on (SPEC §3: only audited documents by default)."""
    setting = await AppSetting.get_or_none(key=INCLUDE_PENDING)
    return bool(setting.value) if setting else False


async def counted_audit_states() -> tuple[str, ...]:
    """The audit states of the documents a statement takes, lines and opening alike."""
    return (APPROVED, PENDING) if await include_pending() else (APPROVED,)


async def set_include_pending(on: bool, *, by: str, now: datetime) -> None:
    """Turn the setting on or off, in the audit trail: it changes what statements hold."""
    async with in_transaction():
        await AppSetting.update_or_create(
            key=INCLUDE_PENDING, defaults={"value": bool(on), "updated_at": now, "updated_by": by})
        await AuditLog.create(actor=by, action="set", entity="setting", entity_id=INCLUDE_PENDING,
                              detail={"value": bool(on)}, created_at=now)
