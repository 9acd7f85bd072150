"""The statement PDF's cost: size and CPU time of a 2,000-line statement, and the size of a
one-line one (what embedding the font subset adds). Run in two checkouts to compare:
``.venv/bin/python -m tests.bench.bench_pdf``."""

from __future__ import annotations

import statistics
import time

from domain.statements.pdf import render_statement_pdf
from tests.unit.test_pdf import make_line, make_view

LINES = 2000
RUNS = 5


def main() -> None:
    long_view = make_view([make_line(i) for i in range(LINES)])
    small = render_statement_pdf(make_view())  # the first call also loads the font
    times = []
    for _ in range(RUNS):
        started = time.process_time()
        body = render_statement_pdf(long_view)
        times.append(time.process_time() - started)
    print(f"{LINES} lines: {len(body):,} B, CPU median {statistics.median(times):.2f} s "
          f"({', '.join(f'{t:.2f}' for t in times)}); one line: {len(small):,} B")


if __name__ == "__main__":
    main()
