"""How far a long use case has got: jobs report through a ``Progress`` (the CLI draws a bar,
``jobs.progress.Bar``), and ``QUIET`` when nobody watches."""

from __future__ import annotations

from typing import Protocol


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
