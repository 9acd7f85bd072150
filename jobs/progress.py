"""How far a job has got. Jobs report through a ``Progress``; the CLI shows a tqdm bar, the
scheduler passes ``QUIET`` (its runs are recorded in job_run instead)."""

from __future__ import annotations

import sys
from typing import Protocol

from tqdm import tqdm


class Progress(Protocol):
    def start(self, label: str, total: int) -> None:
        """A step of ``total`` units begins (a job may have several steps)."""

    def advance(self, units: int = 1) -> None:
        """``units`` more of the current step are done."""

    def close(self) -> None:
        """The job ended: finish whatever is shown."""


class Quiet:
    def start(self, label: str, total: int) -> None:
        pass

    def advance(self, units: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


QUIET = Quiet()


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
