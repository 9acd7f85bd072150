"""The daily debt reminders job: delegates to ``domain.credit.remind_debts`` with the settings'
reminder stages."""

from __future__ import annotations

from datetime import date, datetime

from domain.credit.remind_debts import remind_debts
from domain.progress import QUIET, Progress


async def run_reminders(day: date, now: datetime, settings,
                        progress: Progress = QUIET) -> dict:
    """Record the stages open debts reach on ``day`` and queue their reminders; counts."""
    return await remind_debts(day, now, before_days=settings.reminder_before_days,
                              overdue_every=settings.reminder_overdue_every_days,
                              progress=progress)
