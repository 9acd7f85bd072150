"""The hand-over settings finance changes at run time (交款交账参数)."""

from __future__ import annotations

from datetime import datetime

from tortoise.transactions import in_transaction

from domain.models import AppSetting, AuditLog

CONFIRM_AUDITS = "handover.confirm_audits"


async def confirm_audits() -> bool:
    """Whether confirming a fund document also audits it (seed 001's 交款交账参数); off unless
    finance turned it on."""
    setting = await AppSetting.get_or_none(key=CONFIRM_AUDITS)
    return bool(setting.value) if setting else False


async def set_confirm_audits(on: bool, *, by: str, now: datetime) -> None:
    """Turn the setting on or off, in the audit trail: it changes what confirming does."""
    async with in_transaction():
        await AppSetting.update_or_create(
            key=CONFIRM_AUDITS, defaults={"value": bool(on), "updated_at": now, "updated_by": by})
        await AuditLog.create(actor=by, action="set", entity="setting", entity_id=CONFIRM_AUDITS,
                              detail={"value": bool(on)}, created_at=now)
