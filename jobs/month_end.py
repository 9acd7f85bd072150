"""The daily month-end billing job (SPEC §6): on each day, the customers whose statement day it
is are billed for the previous month, open billing exceptions are retried, and salespeople hear
of new exceptions. The work is ``domain.billing.run``; this module only wires it to the jobs
table (``jobs.schedule.DAILY_JOBS``)."""

from __future__ import annotations

from datetime import date, datetime

from domain.billing.run import bill_month_end
from domain.progress import QUIET, Progress
from domain.statements.service import ShareSettings


async def run_month_end(day: date, now: datetime, settings, progress: Progress = QUIET) -> dict:
    """Bill ``day``'s customers for the previous month; counts."""
    return await bill_month_end(day, now, ShareSettings.of(settings), progress)
