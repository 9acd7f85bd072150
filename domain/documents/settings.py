"""The document settings finance changes at run time: the hand-over's 交款交账参数, which ties
auditing a fund document to confirming it."""

from __future__ import annotations

from datetime import datetime

from domain.app_settings import flag, set_flag

CONFIRM_AUDITS = "handover.confirm_audits"


async def confirm_audits() -> bool:
    """Whether confirming a fund document also audits it (seed 001's 交款交账参数)."""
    return await flag(CONFIRM_AUDITS)


async def set_confirm_audits(on: bool, *, by: str, now: datetime) -> None:
    await set_flag(CONFIRM_AUDITS, on, by=by, now=now)
