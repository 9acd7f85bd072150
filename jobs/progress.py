"""The CLI's progress bar for jobs (``domain.progress.Progress``); the scheduler passes
``QUIET`` instead (its runs are recorded in job_run)."""

from __future__ import annotations

import sys

from tqdm import tqdm


class Bar:
    """One tqdm bar per step, on stderr so the summary on stdout stays clean."""

    def __init__(self, file=None) -> None:
        self._file = file or sys.stderr
        self._bar: tqdm | None = None

    def start(self, label: str, total: int) -> None:
        self.close()
        self._bar = tqdm(total=total, desc=label, unit="", file=self._file, leave=True,
                         dynamic_ncols=True)

    def advance(self, units: int = 1) -> None:
        if self._bar is not None:
            self._bar.update(units)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
