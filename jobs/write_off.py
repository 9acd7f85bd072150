"""The daily write-off job (SPEC 7): match pool payments still unmatched (a customer or invoice
company may have been added since) and retry the automatic write-off for matched payments with
money left when unpaid bills exist.
Each payment is handled in its own transaction under its row lock, so the job and an import
or a manual match never book the same money twice."""

from __future__ import annotations

import logging
from datetime import date, datetime

from domain.payments import pool
from domain.progress import QUIET, Progress

log = logging.getLogger(__name__)


async def run_write_off(day: date, now: datetime, settings, progress: Progress = QUIET) -> dict:
    progress.start("pool payments", 2)
    counts = await pool.retry_unmatched(now, auto_write_off=settings.auto_write_off)
    progress.advance()
    if settings.auto_write_off:
        counts.update(await pool.retry_with_money_left(now))
    progress.advance()
    log.info("write-off %s: %s", day, counts)
    return counts
