"""The daily hand-over job (SPEC §9, seed 001): at the morning run of business date ``day``,
the day before is handed over — every salesperson or driver with documents that day gets the
summary to check, finance gets the card of hand-overs still unconfirmed
(``domain.handover.notices``). Once per date: the outbox keys carry the day handed over, so a
forced re-run queues nothing twice."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from domain.handover.notices import queue_handover
from domain.progress import QUIET, Progress

log = logging.getLogger(__name__)


async def run_handover(day: date, now: datetime, settings, progress: Progress = QUIET) -> dict:
    """Hand over ``day`` − 1: summaries and finance cards queued; counts."""
    progress.start("hand-over notices", 1)
    counts = await queue_handover(day - timedelta(days=1), now, settings.handover_finance_role)
    progress.advance(1)
    log.info("handover %s: %s", day, counts)
    return counts
