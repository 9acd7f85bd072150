"""On/off settings finance changes at run time, stored by name in ``app_setting`` and every
change written to the audit trail (they change what later use cases do)."""

from __future__ import annotations

from datetime import datetime

from tortoise.transactions import in_transaction

from domain.system.models import AppSetting, AuditLog


async def flag(key: str) -> bool:
    """The setting's value; off until someone turned it on."""
    setting = await AppSetting.get_or_none(key=key)
    return bool(setting.value) if setting else False


async def set_flag(key: str, on: bool, *, by: str, now: datetime) -> None:
    async with in_transaction():
        await AppSetting.update_or_create(
            key=key, defaults={"value": bool(on), "updated_at": now, "updated_by": by})
        await AuditLog.create(actor=by, action="set", entity="setting", entity_id=key,
                              detail={"value": bool(on)}, created_at=now)
