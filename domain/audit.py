"""The audit trail: who did what to which record, and when."""

from __future__ import annotations

from datetime import datetime

from domain.actors import Actor
from domain.system.models import AuditLog


async def record(actor: Actor, action: str, entity: str, entity_id, now: datetime, **detail):
    return await AuditLog.create(
        actor=actor.label, action=action, entity=entity, entity_id=str(entity_id),
        detail=detail, created_at=now,
    )
