"""The `tally` command line run as the user runs it, in a child process, against the suite's
database; a use case run on that database from a synchronous test (the CLI tests' set-up); and
a line of Python probed in a fresh interpreter."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from tally import db
from tally.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def run_orm(coro_factory, url):
    """Run ``coro_factory()`` with the ORM open on ``url``; its result."""
    async def work():
        await db.init_orm(Settings(database_url=url, secret_key="x"))
        try:
            return await coro_factory()
        finally:
            await db.close_orm()

    return asyncio.run(work())


def run_tally(url, *args, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`python -m tally.cli ARGS` on the database at ``url``, from the repository root (with
    ``env``'s settings besides)."""
    env = {**os.environ, "TALLY_DATABASE_URL": url, "TALLY_SECRET_KEY": "x", **(env or {})}
    return subprocess.run([sys.executable, "-m", "tally.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


def python_probe(code: str) -> bytes:
    """What ``python -c code`` prints in a fresh interpreter at the repository root (stripped);
    a failure raises."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True,
                          timeout=60, cwd=ROOT)
    return done.stdout.strip()
