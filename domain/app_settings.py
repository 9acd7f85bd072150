"""Settings finance changes at run time (on/off flags, and JSON values such as the
letterhead), stored by name in ``app_setting`` and every change written to the audit trail
(they change what later use cases do)."""

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


async def stored(key: str) -> object:
    """The setting's JSON value, or None until someone set it."""
    setting = await AppSetting.get_or_none(key=key)
    return setting.value if setting else None


async def store(key: str, value: object, *, by: str, now: datetime, shown: dict) -> None:
    """Keep ``value`` under ``key``; the audit trail gets ``shown`` (no large blobs in it)."""
    async with in_transaction():
        await AppSetting.update_or_create(
            key=key, defaults={"value": value, "updated_at": now, "updated_by": by})
        await AuditLog.create(actor=by, action="set", entity="setting", entity_id=key,
                              detail=shown, created_at=now)
