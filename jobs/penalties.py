"""The daily penalty-interest job: delegates to ``domain.payments.penalties`` with the settings'
monthly rate."""

from __future__ import annotations

from datetime import date, datetime

from domain.payments.penalties import charge_penalties
from domain.progress import QUIET, Progress


async def run_penalties(day: date, now: datetime, settings, progress: Progress = QUIET) -> dict:
    """Charge the overdue months started by ``day``; counts."""
    return await charge_penalties(day, now, monthly_rate=settings.penalty_monthly_rate,
                                  progress=progress)
