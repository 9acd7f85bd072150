"""Back-office API keys: shown once, stored as SHA-256 hashes, each with one role."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from domain.actors import ROLES, SALES, Actor
from domain.common_errors import BAD_API_KEY, BAD_ROLE, STAFF_REQUIRED, UNKNOWN_STAFF
from domain.org.models import Staff
from domain.system.models import ApiKey


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


async def create_api_key(name: str, role: str, staff_id: int | None = None) -> tuple[ApiKey, str]:
    if role not in ROLES:
        raise BAD_ROLE(f"角色必须是 {', '.join(ROLES)} 之一")
    if role == SALES and staff_id is None:
        raise STAFF_REQUIRED("sales 角色的密钥必须关联一名业务员")
    if staff_id is not None and not await Staff.exists(id=staff_id):
        raise UNKNOWN_STAFF(f"员工 {staff_id} 不存在")
    key = f"tly_{secrets.token_urlsafe(24)}"
    record = await ApiKey.create(
        name=name, role=role, staff_id=staff_id, key_hash=_hash(key), prefix=key[:10]
    )
    return record, key


async def authenticate(key: str) -> tuple[ApiKey, Actor]:
    record = await ApiKey.get_or_none(key_hash=_hash(key), revoked_at=None).select_related(
        "staff")
    if record is None:
        raise BAD_API_KEY("API 密钥无效或已吊销")
    # A person's key acts in that person's name (what a customer's page and a card show);
    # an integration's key by the key's own name.
    name = record.staff.name if record.staff_id else record.name
    actor = Actor(kind="staff", name=name, role=record.role, staff_id=record.staff_id)
    return record, actor


async def revoke_api_key(key_id: int, now: datetime) -> None:
    await ApiKey.filter(id=key_id, revoked_at=None).update(revoked_at=now)
