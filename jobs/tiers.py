"""The daily tiers job (SPEC §8): the funnel's moves and notices for a day, set-based
(``domain.tiers.job``)."""

from __future__ import annotations

from datetime import date, datetime

from domain.progress import QUIET, Progress
from domain.tiers.job import run_tiers as _run


async def run_tiers(day: date, now: datetime, settings, progress: Progress = QUIET) -> dict:
    """Judge every customer outside the pool on ``day``; counts by rule, messages queued."""
    return await _run(day, now, settings, progress)
